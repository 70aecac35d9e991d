using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Records.Log;

namespace Fluss.Client.Writer;

/// <summary>
/// The rows of one bucket that travel in one LogRecordBatch. While open, rows are appended to its Arrow builder;
/// once drained it is encoded once, and a retry resends the same bytes (same writer id and batch sequence, so the
/// server recognises a duplicate). All mutable state is guarded by the accumulator's lock.
/// </summary>
internal sealed class WriteBatch
{
    private readonly List<(int FirstRow, TaskCompletionSource<AppendResult> Result)> _results = [];
    private readonly TaskCompletionSource<Exception?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WriteBatch(int bucket, ArrowBatchBuilder builder, long createdAt)
    {
        Bucket = bucket;
        Builder = builder;
        CreatedAt = createdAt;
    }

    public int Bucket { get; }

    /// <summary>Time stamp (of the accumulator's clock) when the batch was opened.</summary>
    public long CreatedAt { get; }

    /// <summary>The rows while the batch is being built; null once encoded.</summary>
    public ArrowBatchBuilder? Builder { get; set; }

    public int RecordCount { get; set; }

    /// <summary>Buffer memory charged for this batch; released when it completes.</summary>
    public long AccountedBytes { get; set; }

    /// <summary>No more rows may be appended (full, drained or the writer closed).</summary>
    public bool IsClosed { get; set; }

    /// <summary>The encoded LogRecordBatch, kept for retries.</summary>
    public byte[]? Payload { get; set; }

    public long WriterId { get; set; } = LogRecordBatchFormat.NoWriterId;

    public int Sequence { get; set; } = LogRecordBatchFormat.NoBatchSequence;

    /// <summary>Whether the batch was the next sequence the server expected when it was last sent.</summary>
    public bool SentAsNextSequence { get; set; }

    /// <summary>Number of times the batch was sent.</summary>
    public int Attempts { get; set; }

    /// <summary>Time stamp before which a retry must not be sent.</summary>
    public long RetryAt { get; set; }

    public bool InFlight { get; set; }

    public FlussException? LastError { get; set; }

    public bool IsDone => _done.Task.IsCompleted;

    /// <summary>Completes with null when acknowledged, or with the failure.</summary>
    public Task<Exception?> Completion => _done.Task;

    /// <summary>The estimated encoded size: Arrow body, IPC metadata and batch header.</summary>
    public long EstimatedSize => Payload?.Length ?? (Builder is null ? 0 : Builder.EstimatedBodySize + EstimateOverhead(Builder.RowType.FieldCount));

    public static long EstimateOverhead(int columns) => LogRecordBatchFormat.V0HeaderSize + 160 + 48L * columns;

    /// <summary>A task for rows starting at <paramref name="firstRow"/> of this batch.</summary>
    public Task<AppendResult> AddResult(int firstRow)
    {
        var result = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _results.Add((firstRow, result));
        return result.Task;
    }

    /// <summary>Completes every row's task with its offset (-1 for all when the base offset is unknown).</summary>
    public void Complete(long baseOffset)
    {
        if (!_done.TrySetResult(null)) return;
        foreach (var (first, result) in _results)
            result.TrySetResult(new AppendResult(Bucket, baseOffset < 0 ? -1 : baseOffset + first));
        _results.Clear();
    }

    public void Fail(Exception error)
    {
        if (!_done.TrySetResult(error)) return;
        foreach (var (_, result) in _results) result.TrySetException(error);
        _results.Clear();
    }
}
