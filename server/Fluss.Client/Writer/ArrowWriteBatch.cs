using Fluss.Arrow;
using Fluss.Records.Log;

namespace Fluss.Client.Writer;

/// <summary>The rows of one bucket of a log table, built as Arrow columns and sent as one LogRecordBatch.</summary>
internal sealed class ArrowWriteBatch : WriteBatch
{
    private readonly List<(int FirstRow, TaskCompletionSource<AppendResult> Result)> _results = [];

    public ArrowWriteBatch(int bucket, ArrowBatchBuilder builder, long createdAt)
        : base(bucket, createdAt)
    {
        Builder = builder;
    }

    /// <summary>The rows while the batch is being built; null once encoded.</summary>
    public ArrowBatchBuilder? Builder { get; set; }

    public override long EstimatedSize => Payload?.Length ?? (Builder is null ? 0 : Builder.EstimatedBodySize + EstimateOverhead(Builder.RowType.FieldCount));

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
    public void Restamp() => RestampPayload(
        LogRecordBatchFormat.WriterIdOffset(LogRecordBatchFormat.MagicV0),
        LogRecordBatchFormat.BatchSequenceOffset(LogRecordBatchFormat.MagicV0),
        LogRecordBatchFormat.CrcOffset(LogRecordBatchFormat.MagicV0),
        LogRecordBatchFormat.SchemaIdOffset(LogRecordBatchFormat.MagicV0));

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
