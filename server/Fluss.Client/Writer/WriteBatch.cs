using System.Buffers.Binary;
using Fluss.Errors;
using Fluss.Records.Log;

namespace Fluss.Client.Writer;

/// <summary>
/// The records of one bucket that travel in one record batch (a LogRecordBatch for log tables, a KvRecordBatch for
/// primary-key tables). While open, records are appended to its builder; once drained it is encoded once, and a
/// retry resends the same bytes (same writer id and batch sequence, so the server recognises a duplicate). All
/// mutable state is guarded by the accumulator's lock.
/// </summary>
internal abstract class WriteBatch
{
    private readonly TaskCompletionSource<Exception?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected WriteBatch(int bucket, long createdAt)
    {
        Bucket = bucket;
        CreatedAt = createdAt;
    }

    public int Bucket { get; }

    /// <summary>Time stamp (of the accumulator's clock) when the batch was opened.</summary>
    public long CreatedAt { get; }

    public int RecordCount { get; set; }

    /// <summary>Buffer memory charged for this batch; released when it completes.</summary>
    public long AccountedBytes { get; set; }

    /// <summary>No more records may be appended (full, drained or the writer closed).</summary>
    public bool IsClosed { get; set; }

    /// <summary>The encoded record batch, kept for retries.</summary>
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

    /// <summary>The estimated encoded size, header included.</summary>
    public abstract long EstimatedSize { get; }

    /// <summary>Completes every record's task with the offset the server answered (-1 when unknown).</summary>
    public void Complete(long offset)
    {
        if (_done.TrySetResult(null)) CompleteResults(offset);
    }

    public void Fail(Exception error)
    {
        if (_done.TrySetResult(error)) FailResults(error);
    }

    protected abstract void CompleteResults(long offset);

    protected abstract void FailResults(Exception error);

    /// <summary>
    /// Writes <see cref="WriterId"/> and <see cref="Sequence"/> into the header of an encoded payload when they
    /// changed since it was encoded (a new writer id, or sequences moved down after a failure), as a new array with
    /// the checksum recomputed; the old array may still be in flight.
    /// </summary>
    protected void RestampPayload(int writerIdOffset, int sequenceOffset, int crcOffset, int crcFrom)
    {
        var payload = Payload!;
        if (BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(writerIdOffset)) == WriterId
            && BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(sequenceOffset)) == Sequence)
            return;
        var copy = (byte[])payload.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(writerIdOffset), WriterId);
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(sequenceOffset), Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(crcOffset), Utils.Crc32C.Compute(copy.AsSpan(crcFrom)));
        Payload = copy;
    }
}
