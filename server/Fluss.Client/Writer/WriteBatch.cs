using System.Buffers;
using System.Buffers.Binary;
using Fluss.Errors;
using Fluss.Records.Log;

namespace Fluss.Client.Writer;

/// <summary>
/// The records of one bucket that travel in one record batch (a LogRecordBatch for log tables, a KvRecordBatch for
/// primary-key tables). While open, records are appended to its builder; once drained it is encoded once into a
/// pooled array, and a retry resends the same bytes (same writer id and batch sequence, so the server recognises a
/// duplicate). Queue, flight and sequence state is guarded by the accumulator's lock; the outcome (<see cref="IsDone"/>),
/// the builder hand-over and the payload's holds are atomic on their own.
/// </summary>
internal abstract class WriteBatch
{
    private readonly TaskCompletionSource<Exception?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _settled;
    private byte[]? _payload;
    private int _payloadLength;
    private List<byte[]>? _retiredPayloads;

    /// <summary>
    /// Who still needs the payload: the batch itself until it is finished, plus each request that carries it until
    /// that request is over. The payload goes back to the pool when this reaches zero.
    /// </summary>
    private int _holds = 1;

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

    /// <summary>The encoded record batch, kept for retries; empty until encoded and once returned to the pool.</summary>
    public ReadOnlyMemory<byte> Payload => _payload is { } payload ? payload.AsMemory(0, _payloadLength) : ReadOnlyMemory<byte>.Empty;

    /// <summary>Whether the batch was encoded (and its payload not yet returned to the pool).</summary>
    public bool HasPayload => Volatile.Read(ref _payload) is not null;

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

    /// <summary>The accumulator's state of the batch's bucket (set when the batch is queued).</summary>
    public RecordAccumulator.BucketState? State { get; set; }

    /// <summary>The accumulator is done with the batch: memory released, out of every queue (under its lock).</summary>
    public bool Finished { get; set; }

    /// <summary>Whether the records' outcome (acknowledged or failed) is decided.</summary>
    public bool IsDone => Volatile.Read(ref _settled) != 0;

    /// <summary>Completes with null when acknowledged, or with the failure, after every record's task.</summary>
    public Task<Exception?> Completion => _done.Task;

    /// <summary>The estimated encoded size, header included.</summary>
    public abstract long EstimatedSize { get; }

    /// <summary>
    /// Completes every record's task with the offset the server answered (-1 when unknown), then <see cref="Completion"/>.
    /// False when the outcome was already decided.
    /// </summary>
    public bool Complete(long offset)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return false;
        CompleteResults(offset);
        _done.TrySetResult(null);
        return true;
    }

    /// <summary>Faults every record's task, then completes <see cref="Completion"/>; false when already decided.</summary>
    public bool Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return false;
        FailResults(error);
        _done.TrySetResult(error);
        return true;
    }

    protected abstract void CompleteResults(long offset);

    protected abstract void FailResults(Exception error);

    /// <summary>Copies the encoded batch into an array rented from <paramref name="pool"/>.</summary>
    public void SetPayload(ReadOnlySpan<byte> encoded, ArrayPool<byte> pool)
    {
        var array = pool.Rent(encoded.Length);
        encoded.CopyTo(array);
        _payloadLength = encoded.Length;
        Volatile.Write(ref _payload, array);
    }

    /// <summary>A request is about to carry the payload: it stays rented until <see cref="DropHold"/>.</summary>
    public void AddHold() => Interlocked.Increment(ref _holds);

    /// <summary>
    /// Drops the batch's own hold (once, when finished) or a request's; the last one returns every array the batch
    /// rented to <paramref name="pool"/>.
    /// </summary>
    public void DropHold(ArrayPool<byte> pool)
    {
        if (Interlocked.Decrement(ref _holds) != 0) return;
        if (Interlocked.Exchange(ref _payload, null) is { } payload) pool.Return(payload);
        _payloadLength = 0;
        if (_retiredPayloads is { } retired)
        {
            foreach (var old in retired) pool.Return(old);
            _retiredPayloads = null;
        }
    }

    /// <summary>
    /// Writes <see cref="WriterId"/> and <see cref="Sequence"/> into the header of an encoded payload when they
    /// changed since it was encoded (a new writer id, or sequences moved down after a failure), into a new rented
    /// array with the checksum recomputed; the old array may still be read by a request, so it is returned to the
    /// pool only with the batch's last hold.
    /// </summary>
    protected void RestampPayload(int writerIdOffset, int sequenceOffset, int crcOffset, int crcFrom, ArrayPool<byte> pool)
    {
        var old = _payload!;
        var bytes = old.AsSpan(0, _payloadLength);
        if (BinaryPrimitives.ReadInt64LittleEndian(bytes[writerIdOffset..]) == WriterId
            && BinaryPrimitives.ReadInt32LittleEndian(bytes[sequenceOffset..]) == Sequence)
            return;
        var copy = pool.Rent(bytes.Length);
        var span = copy.AsSpan(0, bytes.Length);
        bytes.CopyTo(span);
        BinaryPrimitives.WriteInt64LittleEndian(span[writerIdOffset..], WriterId);
        BinaryPrimitives.WriteInt32LittleEndian(span[sequenceOffset..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(span[crcOffset..], Utils.Crc32C.Compute(span[crcFrom..]));
        (_retiredPayloads ??= []).Add(old);
        Volatile.Write(ref _payload, copy);
    }
}
