using Apache.Arrow;
using Fluss.Errors;
using Fluss.Types;

namespace Fluss.Lake;

/// <summary>
/// The read side of one lake table (Fluss's lake source): the data files of a snapshot, for engines that scan them
/// themselves, and the snapshot's merged rows as Arrow batches. Snapshots are addressed by id, so a reader that
/// planned on a snapshot keeps reading it while newer snapshots are committed. Implementations are thread-safe.
/// </summary>
public interface ILakeTableSource
{
    /// <summary>The lake table's location, for messages.</summary>
    string Location { get; }

    /// <summary>The lake table's columns (its latest schema).</summary>
    RowType RowType { get; }

    /// <summary>Primary key column names; empty for a log (append) table.</summary>
    IReadOnlyList<string> PrimaryKeys { get; }

    /// <summary>The latest lake snapshot of any writer, or null when the table has none.</summary>
    Task<LakeSnapshotInfo?> LatestSnapshotAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The live data files of snapshot <paramref name="snapshotId"/> and how they are laid out. For a primary-key
    /// table the files hold every change written (not one row per key): deduplicate as
    /// <see cref="LakeFileLayout"/> says, or read merged rows with <see cref="ReadAsync"/>.
    /// </summary>
    /// <exception cref="FlussException">The snapshot does not exist (expired) or its metadata cannot be read.</exception>
    Task<LakeFilePlan> PlanFilesAsync(long snapshotId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The rows of snapshot <paramref name="snapshotId"/>, merged (primary-key tables: one row per live key, deletes
    /// applied), as Arrow batches in Fluss's Arrow mapping of <paramref name="columns"/> (all columns when null), in
    /// that order. <paramref name="buckets"/> restricts the read to those buckets (all when null).
    /// </summary>
    /// <exception cref="LakeFileNotFoundException">A data file the snapshot lists does not exist.</exception>
    /// <exception cref="ArgumentException">
    /// A column does not exist, or buckets are given for a bucket-unaware table (<see cref="LakeFileLayout.BucketAware"/> false).
    /// </exception>
    IAsyncEnumerable<RecordBatch> ReadAsync(long snapshotId, IReadOnlyList<string>? columns = null, IReadOnlyCollection<int>? buckets = null,
        CancellationToken cancellationToken = default);
}

/// <summary>The data files of one lake snapshot.</summary>
/// <param name="SnapshotId">The snapshot the files belong to.</param>
/// <param name="Files">The live data files, bucket by bucket, each bucket's files oldest first.</param>
/// <param name="Layout">How the files are laid out (system columns, keys, merge rule).</param>
public sealed record LakeFilePlan(long SnapshotId, IReadOnlyList<LakeDataFile> Files, LakeFileLayout Layout);

/// <summary>One data file of a lake snapshot.</summary>
/// <param name="Path">The file's path (a local path for local warehouses).</param>
/// <param name="Bucket">
/// The Fluss bucket of every row in the file, or -1 for a bucket-unaware table (<see cref="LakeFileLayout.BucketAware"/>
/// false), whose files mix rows of all Fluss buckets.
/// </param>
/// <param name="RowCount">Rows in the file (for primary-key files: changes, before merging).</param>
/// <param name="FileSize">Bytes.</param>
/// <param name="HasPrimaryKeySystemColumns">
/// True when the file carries the primary-key system columns named by <see cref="LakeFileLayout"/> (sequence number,
/// value kind and key columns) before the table's columns.
/// </param>
/// <param name="Format">The file format, e.g. <c>parquet</c>.</param>
/// <param name="MinSequenceNumber">The smallest sequence number in the file.</param>
/// <param name="MaxSequenceNumber">The largest sequence number in the file.</param>
public sealed record LakeDataFile(string Path, int Bucket, long RowCount, long FileSize, bool HasPrimaryKeySystemColumns, string Format,
    long MinSequenceNumber, long MaxSequenceNumber);

/// <summary>
/// How a snapshot's data files are laid out, so that a SQL engine can read them directly. For a log table the files
/// hold the table's columns and are read by concatenation. For a primary-key table with the <c>deduplicate</c>
/// merge engine, the live rows are: per key (<see cref="PrimaryKeys"/>, which are also value columns), the row with
/// the largest <see cref="SequenceNumberColumn"/>, dropped when its <see cref="ValueKindColumn"/> is one of
/// <see cref="RetractValueKinds"/>. Sequence numbers increase per bucket and a key lives in one bucket, so the
/// largest one per key is the latest change. Other merge engines need <see cref="ILakeTableSource.ReadAsync"/>.
/// </summary>
/// <param name="IsPrimaryKeyTable">Whether the files are primary-key files that need merging.</param>
/// <param name="Columns">The table's columns as they appear in the files (by name).</param>
/// <param name="PrimaryKeys">Primary key column names; empty for a log table.</param>
/// <param name="KeyColumns">The files' copies of the key columns (e.g. <c>_KEY_id</c>); empty for a log table.</param>
/// <param name="SequenceNumberColumn">The sequence-number column (BIGINT), or null for a log table.</param>
/// <param name="ValueKindColumn">The value-kind column (TINYINT: 0 +I, 1 -U, 2 +U, 3 -D), or null for a log table.</param>
/// <param name="RetractValueKinds">Value kinds that remove the key (-U and -D).</param>
/// <param name="MergeEngine">The merge engine (<c>deduplicate</c> for tables Fluss creates), or null for a log table.</param>
/// <param name="BucketAware">
/// True when lake buckets are Fluss buckets (primary-key tables and log tables with bucket keys); false for log
/// tables without bucket keys, whose lake table is bucket-unaware.
/// </param>
public sealed record LakeFileLayout(
    bool IsPrimaryKeyTable,
    bool BucketAware,
    RowType Columns,
    IReadOnlyList<string> PrimaryKeys,
    IReadOnlyList<string> KeyColumns,
    string? SequenceNumberColumn,
    string? ValueKindColumn,
    IReadOnlyList<int> RetractValueKinds,
    string? MergeEngine);

/// <summary>A data file that a lake snapshot lists does not exist: the lake lost data, and the read is refused.</summary>
public sealed class LakeFileNotFoundException(string path, string message, Exception? innerException = null)
    : FlussException(FlussErrorCode.Storage, message, innerException)
{
    /// <summary>The missing file's path.</summary>
    public string Path { get; } = path;
}
