namespace Fluss.Lake.Paimon.Manifest;

/// <summary>ADD (0) or DELETE (1) of a file in a manifest.</summary>
internal enum FileKind
{
    Add = 0,
    Delete = 1,
}

/// <summary>
/// SimpleStats: BinaryRows (serialized with their arity) of per-column minimums and maximums, and per-column null
/// counts (null = unknown).
/// </summary>
internal sealed record SimpleStats(byte[] MinValues, byte[] MaxValues, long?[]? NullCounts)
{
    /// <summary>No statistics: empty rows and no null counts.</summary>
    public static readonly SimpleStats Empty = new(EmptyRow, EmptyRow, []);

    /// <summary>The serialized BinaryRow of arity 0.</summary>
    public static byte[] EmptyRow => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

/// <summary>Paimon's DataFileMeta: one data (or changelog) file as a manifest describes it.</summary>
internal sealed record DataFileMeta
{
    public required string FileName { get; init; }
    public required long FileSize { get; init; }
    public required long RowCount { get; init; }
    public required byte[] MinKey { get; init; }
    public required byte[] MaxKey { get; init; }
    public required SimpleStats KeyStats { get; init; }
    public required SimpleStats ValueStats { get; init; }
    public required long MinSequenceNumber { get; init; }
    public required long MaxSequenceNumber { get; init; }
    public required long SchemaId { get; init; }
    public required int Level { get; init; }
    public IReadOnlyList<string> ExtraFiles { get; init; } = [];

    /// <summary>Local wall-clock time of creation as epoch milliseconds (Paimon's LocalDateTime convention).</summary>
    public long? CreationTimeMillis { get; init; }
    public long? DeleteRowCount { get; init; }
    public byte[]? EmbeddedIndex { get; init; }

    /// <summary>0 = APPEND (new data), 1 = COMPACT.</summary>
    public int? FileSource { get; init; }
    public IReadOnlyList<string>? ValueStatsCols { get; init; }
    public string? ExternalPath { get; init; }
    public long? FirstRowId { get; init; }
    public IReadOnlyList<string>? WriteCols { get; init; }
}

/// <summary>One row of a manifest file.</summary>
internal sealed record ManifestEntry(FileKind Kind, byte[] Partition, int Bucket, int TotalBuckets, DataFileMeta File)
{
    /// <summary>
    /// The identity that an ADD and a later DELETE share: partition bytes, bucket, level, file name, extra files,
    /// embedded index and external path.
    /// </summary>
    public string Identifier()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Convert.ToHexString(Partition)).Append('|').Append(Bucket).Append('|').Append(File.Level).Append('|').Append(File.FileName);
        sb.Append('|').Append(string.Join(",", File.ExtraFiles));
        sb.Append('|').Append(File.EmbeddedIndex is null ? "-" : Convert.ToHexString(File.EmbeddedIndex));
        sb.Append('|').Append(File.ExternalPath ?? "-");
        return sb.ToString();
    }
}

/// <summary>One row of a manifest list: a manifest file and its summary.</summary>
internal sealed record ManifestFileMeta(
    string FileName,
    long FileSize,
    long NumAddedFiles,
    long NumDeletedFiles,
    SimpleStats PartitionStats,
    long SchemaId,
    int? MinBucket = null,
    int? MaxBucket = null,
    int? MinLevel = null,
    int? MaxLevel = null,
    long? MinRowId = null,
    long? MaxRowId = null);

/// <summary>A deletion-vector range: the deleted rows of one data file inside an index file.</summary>
internal sealed record DeletionVectorRange(string DataFileName, int Offset, int Length, long? Cardinality);

/// <summary>One row of an index manifest.</summary>
internal sealed record IndexManifestEntry(
    FileKind Kind,
    byte[] Partition,
    int Bucket,
    string IndexType,
    string FileName,
    long FileSize,
    long RowCount,
    IReadOnlyList<DeletionVectorRange>? DeletionVectorRanges,
    string? ExternalPath);
