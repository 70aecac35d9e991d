using Apache.Arrow;
using Fluss.Lake.Paimon.Manifest;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Lake.Paimon;

/// <summary>
/// Rows to write: an Arrow record batch in Fluss's Arrow mapping of the table's columns (see
/// <c>Fluss.Arrow.ArrowSchemas</c>), and for primary-key tables the change type of each row (empty = all inserts).
/// </summary>
public readonly record struct PaimonWriteBatch(RecordBatch Rows, ReadOnlyMemory<ChangeType> ChangeTypes = default);

/// <summary>The definition of a Paimon table to create.</summary>
public sealed record PaimonTableDefinition
{
    /// <summary>The columns; field ids are assigned 0..n-1 in this order.</summary>
    public required RowType Columns { get; init; }

    /// <summary>Primary key column names (empty for an append table); they become NOT NULL.</summary>
    public IReadOnlyList<string> PrimaryKeys { get; init; } = [];

    public IReadOnlyList<string> PartitionKeys { get; init; } = [];

    /// <summary>The bucket count; -1 for a bucket-unaware append table (all files in <c>bucket-0</c>).</summary>
    public int Buckets { get; init; } = -1;

    /// <summary>The bucket key; required for fixed-bucket append tables, defaults to the primary key otherwise.</summary>
    public IReadOnlyList<string> BucketKeys { get; init; } = [];

    /// <summary>Further table options, stored as given (for example <c>fluss.*</c> properties).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public string? Comment { get; init; }
}

/// <summary>A committed snapshot of a Paimon table.</summary>
public sealed record PaimonSnapshot(
    long Id,
    long SchemaId,
    string CommitUser,
    long CommitIdentifier,
    string CommitKind,
    long TimeMillis,
    long TotalRecordCount,
    long DeltaRecordCount,
    IReadOnlyDictionary<string, string> Properties);

/// <summary>
/// A data file written by <see cref="PaimonTableWriter.WriteAsync"/> and not yet committed (plus, for primary-key
/// tables, the changelog file written with it). Pass it to <see cref="PaimonTableWriter.CommitAsync"/>.
/// </summary>
public sealed class PaimonDataFile
{
    internal PaimonDataFile(IReadOnlyDictionary<string, string?> partition, byte[] partitionBytes, int bucket, int totalBuckets,
        DataFileMeta data, DataFileMeta? changelog, string directory)
    {
        Partition = partition;
        PartitionBytes = partitionBytes;
        Bucket = bucket;
        TotalBuckets = totalBuckets;
        Data = data;
        Changelog = changelog;
        Directory = directory;
    }

    /// <summary>Partition column values as Paimon renders them in the directory name (null for NULL).</summary>
    public IReadOnlyDictionary<string, string?> Partition { get; }

    /// <summary>The Paimon bucket (0 for bucket-unaware tables).</summary>
    public int Bucket { get; }

    /// <summary>The data file's path.</summary>
    public string Path => PaimonPaths.Combine(Directory, Data.FileName);

    public string FileName => Data.FileName;

    /// <summary>Rows in the data file (for primary-key tables: distinct keys of the written changes).</summary>
    public long RowCount => Data.RowCount;

    public long FileSize => Data.FileSize;

    /// <summary>The changelog file's name (primary-key tables with <c>changelog-producer=input</c>), or null.</summary>
    public string? ChangelogFileName => Changelog?.FileName;

    public long MinSequenceNumber => Data.MinSequenceNumber;

    public long MaxSequenceNumber => Data.MaxSequenceNumber;

    internal byte[] PartitionBytes { get; }
    internal int TotalBuckets { get; }
    internal DataFileMeta Data { get; }
    internal DataFileMeta? Changelog { get; }
    internal string Directory { get; }
}

/// <summary>What to read: a snapshot (default latest) and a projection (default all columns).</summary>
public sealed record PaimonReadOptions
{
    /// <summary>The snapshot to read; null reads the latest.</summary>
    public long? SnapshotId { get; init; }

    /// <summary>Column names in output order; null reads every column.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Buckets to read; null reads every bucket.</summary>
    public IReadOnlyCollection<int>? Buckets { get; init; }
}
