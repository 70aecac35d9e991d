namespace Fluss.Errors;

/// <summary>
/// An error with a Fluss error code. <see cref="IsRetriable"/> follows Fluss: transient conditions (not leader,
/// network, timeouts, corrupt transfer, back-pressure) may be retried; everything else is the caller's to fix.
/// </summary>
public class FlussException : Exception
{
    public FlussException(FlussErrorCode code, string? message = null, Exception? innerException = null)
        : base(message ?? FlussErrors.DefaultMessage(code), innerException)
    {
        ErrorCode = code;
    }

    public FlussException() : this(FlussErrorCode.UnknownServerError) { }

    public FlussException(string message) : this(FlussErrorCode.UnknownServerError, message) { }

    public FlussException(string message, Exception innerException) : this(FlussErrorCode.UnknownServerError, message, innerException) { }

    public FlussErrorCode ErrorCode { get; }

    public bool IsRetriable => FlussErrors.IsRetriable(ErrorCode);

    /// <summary>Creates the typed exception for a code received from a server.</summary>
    public static FlussException Create(FlussErrorCode code, string? message = null) => code switch
    {
        FlussErrorCode.CorruptMessage => new CorruptMessageException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.CorruptRecord => new CorruptRecordException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.DatabaseNotExist => new DatabaseNotExistException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.DatabaseAlreadyExist => new DatabaseAlreadyExistException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.DatabaseNotEmpty => new DatabaseNotEmptyException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.TableNotExist => new TableNotExistException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.TableAlreadyExist => new TableAlreadyExistException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.InvalidTable => new InvalidTableException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.InvalidConfig => new InvalidConfigException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.RecordTooLarge => new RecordTooLargeException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.NotLeaderOrFollower => new NotLeaderOrFollowerException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.LogOffsetOutOfRange => new LogOffsetOutOfRangeException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.LakeStorageNotConfigured => new LakeStorageNotConfiguredException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.FencedTieringEpoch => new FencedTieringEpochException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.LakeSnapshotNotExist => new LakeTableSnapshotNotExistException(message ?? FlussErrors.DefaultMessage(code)),
        FlussErrorCode.InvalidAlterTable => new InvalidAlterTableException(message ?? FlussErrors.DefaultMessage(code)),
        _ => new FlussException(code, message),
    };
}

/// <summary>A message failed its CRC check, exceeds the valid size, or is otherwise corrupt (CORRUPT_MESSAGE, 3).</summary>
public sealed class CorruptMessageException(string message) : FlussException(FlussErrorCode.CorruptMessage, message);

/// <summary>A record or record batch is corrupt (CORRUPT_RECORD, 14).</summary>
public sealed class CorruptRecordException(string message) : FlussException(FlussErrorCode.CorruptRecord, message);

public sealed class DatabaseNotExistException(string message) : FlussException(FlussErrorCode.DatabaseNotExist, message);

public sealed class DatabaseAlreadyExistException(string message) : FlussException(FlussErrorCode.DatabaseAlreadyExist, message);

public sealed class DatabaseNotEmptyException(string message) : FlussException(FlussErrorCode.DatabaseNotEmpty, message);

public sealed class TableNotExistException(string message) : FlussException(FlussErrorCode.TableNotExist, message);

public sealed class TableAlreadyExistException(string message) : FlussException(FlussErrorCode.TableAlreadyExist, message);

/// <summary>A table definition or operation on a table is invalid (INVALID_TABLE, 15).</summary>
public sealed class InvalidTableException(string message) : FlussException(FlussErrorCode.InvalidTable, message);

/// <summary>A configuration value is invalid; the message names the key (INVALID_CONFIG, 39).</summary>
public sealed class InvalidConfigException(string message) : FlussException(FlussErrorCode.InvalidConfig, message);

public sealed class RecordTooLargeException(string message) : FlussException(FlussErrorCode.RecordTooLarge, message);

public sealed class NotLeaderOrFollowerException(string message) : FlussException(FlussErrorCode.NotLeaderOrFollower, message);

public sealed class LogOffsetOutOfRangeException(string message) : FlussException(FlussErrorCode.LogOffsetOutOfRange, message);

/// <summary>A lake table was asked for, but the cluster has no lake storage (LAKE_STORAGE_NOT_CONFIGURED, 40).</summary>
public sealed class LakeStorageNotConfiguredException(string message) : FlussException(FlussErrorCode.LakeStorageNotConfigured, message);

/// <summary>A tiering request carried a tiering epoch that is no longer the table's current one (FENCED_TIERING_EPOCH, 50).</summary>
public sealed class FencedTieringEpochException(string message) : FlussException(FlussErrorCode.FencedTieringEpoch, message);

/// <summary>The table has no (such) lake snapshot (LAKE_SNAPSHOT_NOT_EXIST, 53).</summary>
public sealed class LakeTableSnapshotNotExistException(string message) : FlussException(FlussErrorCode.LakeSnapshotNotExist, message);

/// <summary>A table alteration is not allowed; the message names the option (INVALID_ALTER_TABLE, 56).</summary>
public sealed class InvalidAlterTableException(string message) : FlussException(FlussErrorCode.InvalidAlterTable, message);
