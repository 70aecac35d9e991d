using Fluss.Errors;

namespace Fluss.Lake.Paimon;

/// <summary>A Paimon table could not be read or written: a file is missing or malformed, or an operation is invalid.</summary>
public class PaimonException : FlussException
{
    public PaimonException(string message, Exception? innerException = null)
        : base(FlussErrorCode.Storage, message, innerException)
    {
    }

    protected PaimonException(FlussErrorCode code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}

/// <summary>
/// A commit lost the race for its snapshot id: another writer created <c>snapshot-N</c> first. Nothing of this
/// commit is visible; the caller may re-read the latest snapshot and commit again.
/// </summary>
public sealed class PaimonCommitConflictException(string message, long snapshotId) : PaimonException(message)
{
    /// <summary>The snapshot id that another writer took.</summary>
    public long SnapshotId { get; } = snapshotId;
}

/// <summary>
/// The table uses a Paimon feature this implementation does not read or write (named by <see cref="Feature"/>);
/// refused rather than read wrongly.
/// </summary>
public sealed class PaimonUnsupportedFeatureException(string feature, string message) : PaimonException(message)
{
    /// <summary>The feature, for example <c>ORC data files</c> or <c>VECTOR columns</c>.</summary>
    public string Feature { get; } = feature;
}

/// <summary>The table already exists with a different definition (or at all, where that is an error).</summary>
public sealed class PaimonTableExistsException(string message)
    : PaimonException(FlussErrorCode.LakeTableAlreadyExist, message);

/// <summary>The table, or a snapshot of it, does not exist.</summary>
public sealed class PaimonNotFoundException(string message) : PaimonException(message);
