using Apache.Arrow;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Lake;

/// <summary>
/// A lakehouse format plugged into the cluster (Fluss's lake storage plugin): the catalog the coordinator uses to
/// create lake tables, and the writer/committer the tiering service uses to move the Fluss log into the lake.
/// Apache Paimon is the one implementation. Implementations are thread-safe.
/// </summary>
public interface ILakeStorage
{
    /// <summary>The format name as in <c>datalake.format</c>, e.g. <c>paimon</c>.</summary>
    string Format { get; }

    /// <summary>Where the lake tables live (the warehouse), for messages and tools.</summary>
    string Warehouse { get; }

    /// <summary>
    /// Creates the lake table of a Fluss table (same columns, primary key, partition keys, bucket count and bucket
    /// keys). Creating a table that already exists with the same layout succeeds; a different layout is refused.
    /// </summary>
    /// <param name="path">The Fluss table path; the lake table has the same database and table name.</param>
    /// <param name="descriptor">The table descriptor with the cluster's defaults applied (bucket count set).</param>
    /// <exception cref="Errors.FlussException">
    /// LAKE_TABLE_ALREADY_EXIST when a different table is in the way; LAKE_STORAGE_NOT_CONFIGURED when the
    /// warehouse cannot be written.
    /// </exception>
    Task CreateTableAsync(TablePath path, TableDescriptor descriptor, CancellationToken cancellationToken = default);

    /// <summary>Opens a writer for one tiering round of a table.</summary>
    /// <exception cref="Errors.FlussException">LAKE_STORAGE_NOT_CONFIGURED when the lake table is missing or unreadable.</exception>
    Task<ILakeTableWriter> OpenWriterAsync(TablePath path, CancellationToken cancellationToken = default);

    /// <summary>Opens the read side of a table's lake table (its snapshots' files and merged rows).</summary>
    /// <exception cref="Errors.FlussException">LAKE_STORAGE_NOT_CONFIGURED when the lake table is missing or unreadable.</exception>
    /// <exception cref="NotSupportedException">The lake format has no read side.</exception>
    Task<ILakeTableSource> OpenSourceAsync(TablePath path, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The {Format} lake storage cannot read lake tables.");
}

/// <summary>
/// Writes and commits one tiering round of a lake table: one data file per bucket, then one atomic lake commit.
/// Nothing written is visible before <see cref="CommitAsync"/>.
/// </summary>
public interface ILakeTableWriter
{
    /// <summary>The lake table's location, for messages.</summary>
    string Location { get; }

    /// <summary>
    /// Writes the rows a round read from one bucket (Arrow batches with the table's columns; change types for
    /// primary-key tables) as one data file of the same bucket.
    /// </summary>
    Task<LakeWriteResult> WriteAsync(int bucket, IReadOnlyList<LakeWriteBatch> batches, CancellationToken cancellationToken = default);

    /// <summary>The latest lake snapshot of any writer, or null when the table has none.</summary>
    Task<LakeSnapshotInfo?> LatestSnapshotAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest lake snapshot committed by <paramref name="commitUser"/>, or null.</summary>
    Task<LakeSnapshotInfo?> LatestSnapshotOfUserAsync(string commitUser, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits the written files as one lake snapshot with the given properties and returns its id. When
    /// <paramref name="expectedLatestSnapshotId"/> is given (null for "no snapshot yet" is expressed with 0), the
    /// commit happens only if the lake's latest snapshot is still that one: a writer whose view is stale is refused
    /// with <see cref="LakeCommitConflictException"/> and commits nothing.
    /// </summary>
    Task<long> CommitAsync(IReadOnlyList<LakeWriteResult> files, string commitUser, long commitIdentifier,
        IReadOnlyDictionary<string, string> properties, long? expectedLatestSnapshotId, CancellationToken cancellationToken = default);

    /// <summary>Deletes files that were written but will never be committed.</summary>
    Task AbortAsync(IReadOnlyList<LakeWriteResult> files, CancellationToken cancellationToken = default);
}

/// <summary>Rows for <see cref="ILakeTableWriter.WriteAsync"/>: an Arrow batch and, for changelogs, one change type per row.</summary>
public readonly record struct LakeWriteBatch(RecordBatch Rows, ReadOnlyMemory<ChangeType> ChangeTypes = default);

/// <summary>A data file written for a round, not yet committed.</summary>
/// <param name="Bucket">The bucket the file belongs to.</param>
/// <param name="Path">The file's path in the lake.</param>
/// <param name="RowCount">Rows in the file.</param>
/// <param name="FileSize">Bytes written (data files plus changelog files).</param>
/// <param name="Handle">The format's own description of the file, passed back to commit or abort.</param>
public sealed record LakeWriteResult(int Bucket, string Path, long RowCount, long FileSize, object Handle);

/// <summary>A committed lake snapshot.</summary>
public sealed record LakeSnapshotInfo(long SnapshotId, string CommitUser, long CommitIdentifier, IReadOnlyDictionary<string, string> Properties);

/// <summary>Another writer committed first; the commit changed nothing.</summary>
public sealed class LakeCommitConflictException(string message, Exception? inner = null) : Exception(message, inner);
