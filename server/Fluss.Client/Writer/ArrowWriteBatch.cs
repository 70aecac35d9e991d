using System.Buffers;
using Fluss.Arrow;
using Fluss.Records.Log;

namespace Fluss.Client.Writer;

/// <summary>The rows of one bucket of a log table, built as Arrow columns and sent as one LogRecordBatch.</summary>
internal sealed class ArrowWriteBatch : WriteBatch
{
    private readonly List<(int FirstRow, TaskCompletionSource<AppendResult> Result)> _results = [];
    private ArrowBatchBuilder? _builder;

    public ArrowWriteBatch(int bucket, ArrowBatchBuilder builder, long createdAt)
        : base(bucket, createdAt)
    {
        _builder = builder;
    }

    /// <summary>The rows while the batch is being built; null once encoded.</summary>
    public ArrowBatchBuilder? Builder => Volatile.Read(ref _builder);

    public override long EstimatedSize => HasPayload ? Payload.Length : Builder is { } builder ? builder.EstimatedBodySize + EstimateOverhead(builder.RowType.FieldCount) : 0;

    /// <summary>Takes the builder away from the batch; exactly one caller gets it.</summary>
    public ArrowBatchBuilder? TakeBuilder() => Interlocked.Exchange(ref _builder, null);

    /// <summary>Arrow IPC metadata and the batch header, estimated.</summary>
    public static long EstimateOverhead(int columns) => LogRecordBatchFormat.V0HeaderSize + 160 + 48L * columns;

    /// <summary>A task for rows starting at <paramref name="firstRow"/> of this batch.</summary>
    public Task<AppendResult> AddResult(int firstRow)
    {
        var result = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _results.Add((firstRow, result));
        return result.Task;
    }

    /// <summary>Writes the current writer id and sequence into the encoded LogRecordBatch when they changed.</summary>
    public void Restamp(ArrayPool<byte> pool) => RestampPayload(
        LogRecordBatchFormat.WriterIdOffset(LogRecordBatchFormat.MagicV0),
        LogRecordBatchFormat.BatchSequenceOffset(LogRecordBatchFormat.MagicV0),
        LogRecordBatchFormat.CrcOffset(LogRecordBatchFormat.MagicV0),
        LogRecordBatchFormat.SchemaIdOffset(LogRecordBatchFormat.MagicV0),
        pool);

    /// <summary>Each row's task gets its own offset (-1 for all when the base offset is unknown).</summary>
    protected override void CompleteResults(long offset)
    {
        foreach (var (first, result) in _results)
            result.TrySetResult(new AppendResult(Bucket, offset < 0 ? -1 : offset + first));
        _results.Clear();
    }

    protected override void FailResults(Exception error)
    {
        foreach (var (_, result) in _results) result.TrySetException(error);
        _results.Clear();
    }
}
