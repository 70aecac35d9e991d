using Apache.Arrow;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Client;

/// <summary>Where a log scan starts in each bucket.</summary>
public abstract record StartPosition
{
    private protected StartPosition() { }

    /// <summary>The first offset still in the log.</summary>
    public static StartPosition Earliest { get; } = new EarliestPosition();

    /// <summary>The high watermark when the scan starts: only rows written afterwards.</summary>
    public static StartPosition Latest { get; } = new LatestPosition();

    /// <summary>A log offset (the same in every scanned bucket).</summary>
    public static StartPosition Offset(long offset) => new OffsetPosition(offset);

    /// <summary>The first offset committed at or after <paramref name="timestampMs"/> (epoch milliseconds).</summary>
    public static StartPosition Timestamp(long timestampMs) => new TimestampPosition(timestampMs);

    public sealed record EarliestPosition : StartPosition;

    public sealed record LatestPosition : StartPosition;

    public sealed record OffsetPosition(long Value) : StartPosition;

    public sealed record TimestampPosition(long TimestampMs) : StartPosition;
}

/// <summary>What a <see cref="LogScanner"/> reads.</summary>
public sealed record LogScanOptions
{
    /// <summary>
    /// Columns to read, by name, in the order given (the scanned batches have exactly these columns in this order);
    /// null reads all columns. The projection is pushed down to the tablet servers, which send only these columns.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Buckets to read; null reads all buckets of the table.</summary>
    public IReadOnlyList<int>? Buckets { get; init; }

    /// <summary>Where each bucket is read from (default: the earliest offset).</summary>
    public StartPosition Start { get; init; } = StartPosition.Earliest;

    /// <summary>
    /// Bounded scan: stop at each bucket's high watermark as captured when the scan starts; the enumeration completes
    /// once every bucket reached it. Otherwise the scan tails the log until cancelled.
    /// </summary>
    public bool StopAtEnd { get; init; }

    /// <summary>
    /// Per-bucket start offsets (bucket id to the first offset to read), overriding <see cref="Start"/> for the
    /// buckets they name; the other buckets start at <see cref="Start"/>. Used to continue each bucket exactly where
    /// another reader (for example a lake snapshot) stopped.
    /// </summary>
    public IReadOnlyDictionary<int, long>? StartOffsets { get; init; }

    /// <summary>
    /// Bounded scan with per-bucket end offsets (bucket id to the first offset not to read, exclusive): every scanned
    /// bucket must have one, and the enumeration completes once each bucket reached its end. Cannot be combined with
    /// <see cref="StopAtEnd"/>. Used to read exactly up to offsets captured earlier (for example high watermarks at
    /// planning time).
    /// </summary>
    public IReadOnlyDictionary<int, long>? StopOffsets { get; init; }
}

/// <summary>
/// Consecutive records of one bucket as one Arrow record batch with the scanned columns. Row i has log offset
/// <see cref="OffsetAt"/>(i) = <see cref="BaseOffset"/> + i. The batch's memory is pooled: dispose the scan batch
/// when done, and do not use <see cref="Batch"/> afterwards.
/// </summary>
public sealed class ScanBatch : IDisposable
{
    private readonly LogArrowBatch? _owner;
    private readonly int _firstRow;

    internal ScanBatch(int bucket, long baseOffset, long highWatermark, long timestamp, RecordBatch batch, RowType rowType, LogArrowBatch? owner, int firstRow, long nextOffset)
    {
        Bucket = bucket;
        BaseOffset = baseOffset;
        HighWatermark = highWatermark;
        Timestamp = timestamp;
        Batch = batch;
        RowType = rowType;
        _owner = owner;
        _firstRow = firstRow;
        NextOffset = nextOffset;
    }

    public int Bucket { get; }

    /// <summary>The log offset of the first row.</summary>
    public long BaseOffset { get; }

    /// <summary>The bucket's high watermark when the records were fetched (-1 if the server did not say).</summary>
    public long HighWatermark { get; }

    /// <summary>The commit time of the records (epoch milliseconds).</summary>
    public long Timestamp { get; }

    /// <summary>The records, with the scanned columns in the requested order.</summary>
    public RecordBatch Batch { get; }

    /// <summary>The Fluss row type of <see cref="Batch"/>.</summary>
    public RowType RowType { get; }

    public int RowCount => Batch.Length;

    /// <summary>The offset the scan continues from after this batch.</summary>
    internal long NextOffset { get; }

    public ChangeType ChangeTypeAt(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {RowCount} rows.");
        return _owner is null ? ChangeType.AppendOnly : _owner.ChangeTypeAt(_firstRow + row);
    }

    public long OffsetAt(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {RowCount} rows.");
        return BaseOffset + row;
    }

    public void Dispose() => _owner?.Dispose();
}

/// <summary>One record of a log scan with a copy of its row (internal values, scanned columns in the requested order).</summary>
public readonly record struct ScanRecord(int Bucket, long Offset, long Timestamp, ChangeType ChangeType, IRow Row);
