using System.Buffers;
using Fluss.Errors;
using Fluss.Records.Log;

namespace Fluss.Client.Writer;

/// <summary>Settings of a <see cref="RecordAccumulator"/>.</summary>
internal sealed record AccumulatorSettings(
    int BatchSize,
    TimeSpan BatchTimeout,
    long BufferMemory,
    int MaxInflightPerBucket,
    bool Idempotent,
    TimeSpan RetryBackoff,
    TimeSpan DeliveryTimeout,
    TimeSpan BufferWaitTimeout)
{
    public static AccumulatorSettings From(FlussClientOptions o) => new(
        o.WriterBatchSize, o.WriterBatchTimeout, o.WriterBufferMemory, o.MaxInflightRequestsPerBucket, o.EnableIdempotence,
        o.RetryBackoff, o.WriterDeliveryTimeout, o.RequestTimeout);
}

/// <summary>What <see cref="RecordAccumulator.Ready"/> found.</summary>
/// <param name="Nodes">Leader servers with at least one batch ready to send.</param>
/// <param name="NextCheck">When to look again if nothing changes (a batch timeout or retry back-off expiring).</param>
/// <param name="UnknownLeaders">Some bucket with rows has no known leader: refresh the metadata.</param>
internal readonly record struct ReadyResult(IReadOnlySet<int> Nodes, TimeSpan NextCheck, bool UnknownLeaders);

/// <summary>
/// Per-bucket queues of batches (Fluss's RecordAccumulator), shared by log and primary-key writers; subclasses add
/// the format of their batches. A record goes into the bucket's open batch, which is closed at the batch size; a bucket is ready when its first batch is closed, has waited the batch timeout, or when a
/// flush, close or memory shortage is under way. Buffer memory is bounded: when the batches not yet acknowledged
/// use it all, appends wait in FIFO order until acknowledged batches free memory. With idempotence, batches get a
/// per-bucket sequence when first drained and keep it across retries. One lock guards the queues, memory and
/// sequences; what the send loop only reads (closed, the writer id, whether batches are pending, acknowledged
/// sequences, when a batch may expire) is also published in volatile fields so that it can read them without
/// the lock, which the appending threads hold while encoding rows. Encoded payloads are rented from an array pool
/// and returned once the batch is finished and no request carries them any more.
/// </summary>
internal abstract class RecordAccumulator : IDisposable
{
    private readonly Lock _lock = new();
    private readonly AccumulatorSettings _settings;
    private readonly TimeProvider _time;
    private readonly ArrayPool<byte> _payloadPool;
    private readonly Dictionary<int, BucketState> _buckets = [];
    private readonly HashSet<WriteBatch> _incomplete = [];
    private readonly LinkedList<MemoryWaiter> _waiters = new();
    private readonly Dictionary<int, int> _drainIndex = [];
    private long _usedBytes;
    private int _flushes;
    private bool _grantOutstanding;
    private bool _wakeNeeded;
    private Exception? _unreportedFailure;

    // Written under the lock, read without it (see the class summary).
    private volatile bool _closed;
    private volatile int _incompleteCount;
    private long _writerId = LogRecordBatchFormat.NoWriterId;
    private long _expiryCheckAt = long.MaxValue;

    /// <param name="settings">Batch size, memory, in-flight limit, idempotence and time-outs.</param>
    /// <param name="time">The clock of batch time-outs, back-offs and delivery time-outs.</param>
    /// <param name="payloadPool">Where encoded payloads are rented (default: <see cref="ArrayPool{T}.Shared"/>).</param>
    protected RecordAccumulator(AccumulatorSettings settings, TimeProvider time, ArrayPool<byte>? payloadPool)
    {
        _settings = settings;
        _time = time;
        _payloadPool = payloadPool ?? ArrayPool<byte>.Shared;
    }

    /// <summary>Called (outside the lock) whenever the sender should look again.</summary>
    public Action? Wakeup { get; set; }

    /// <summary>Whether <see cref="Close"/> was called; once true, no batch is added any more.</summary>
    public bool IsClosed => _closed;

    /// <summary>Whether some batch is not acknowledged or failed yet (read without the lock).</summary>
    /// <remarks>
    /// Read after <see cref="IsClosed"/>: a batch is only added under the lock while not closed, and
    /// <see cref="Close"/> sets the flag under the same lock, so a reader that saw the flag also sees every batch
    /// added before it.
    /// </remarks>
    public bool HasIncomplete => _incompleteCount > 0;

    /// <summary>Whether some batch waits in a queue (not sent, or waiting for a retry).</summary>
    public bool HasUndrained
    {
        get
        {
            lock (_lock) return _buckets.Values.Any(b => b.Queue.Count > 0);
        }
    }

    public long UsedBytes
    {
        get { lock (_lock) return _usedBytes; }
    }

    public long WriterId => Volatile.Read(ref _writerId);

    /// <summary>
    /// Idempotent, no writer id, and rows waiting (read without the lock: only the send loop sets the writer id, and
    /// it looks again whenever a batch is added or a failure drops the id).
    /// </summary>
    public bool NeedsWriterId => _settings.Idempotent && Volatile.Read(ref _writerId) < 0 && _incompleteCount > 0;

    public void SetWriterId(long writerId)
    {
        lock (_lock) Volatile.Write(ref _writerId, writerId);
        Wakeup?.Invoke();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Appending (the subclasses' append methods run their format-specific part under the lock through Append)

    protected AccumulatorSettings Settings => _settings;

    protected TimeProvider Time => _time;

    /// <summary>The pool of encoded payloads.</summary>
    protected ArrayPool<byte> PayloadPool => _payloadPool;

    /// <summary>
    /// Runs <paramref name="appendLocked"/> under the lock when buffer memory is free; otherwise waits for memory (in
    /// FIFO order, at most the buffer wait timeout) and runs it then. <paramref name="detach"/> runs (outside the
    /// lock) before the append starts waiting: it copies whatever <paramref name="arg"/> borrows, and may check it
    /// (what it throws is thrown here, before anything is queued). The sender is woken when a batch became ready.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    protected Task<T> Append<TArg, T>(TArg arg, Func<TArg, Task<T>> appendLocked, Func<TArg, TArg>? detach, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<T>? result = null;
            MemoryWaiter? waiter = null;
            bool wake;
            lock (_lock)
            {
                if (HasMemoryLocked()) result = appendLocked(arg);
                else if (detach is null) waiter = EnqueueWaiterLocked();
                wake = TakeWakeLocked();
            }
            if (wake) Wakeup?.Invoke();
            if (result is not null) return result;
            if (waiter is not null) return AppendAfterWaitAsync(waiter, appendLocked, arg, cancellationToken);
            // No memory: detach (or check) first, then look again, since memory may have been freed meanwhile.
            arg = detach!(arg);
            detach = null;
        }
    }

    /// <summary>Whether an append may go ahead now: memory is free and nobody waits before it.</summary>
    private bool HasMemoryLocked()
    {
        ThrowIfClosed();
        return _waiters.Count == 0 && _usedBytes < _settings.BufferMemory;
    }

    private bool TakeWakeLocked()
    {
        var wake = _wakeNeeded;
        _wakeNeeded = false;
        return wake;
    }

    private async Task<T> AppendAfterWaitAsync<TArg, T>(MemoryWaiter waiter, Func<TArg, Task<T>> appendLocked, TArg arg, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.Granted.Task.WaitAsync(_settings.BufferWaitTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (!waiter.Granted.Task.IsCompletedSuccessfully)
                {
                    _waiters.Remove(waiter);
                    if (e is OperationCanceledException) throw;
                    throw new FlussException(FlussErrorCode.RequestTimeOut,
                        $"The write waited {_settings.BufferWaitTimeout.TotalMilliseconds:0} ms for writer buffer memory: all {_settings.BufferMemory} bytes " +
                        "(client.writer.buffer.memory-size) hold records not yet acknowledged. The cluster is not keeping up or cannot be reached.",
                        new TimeoutException("Timed out waiting for writer buffer memory.", e));
                }
            }
        }

        Task<T> result;
        lock (_lock)
        {
            _grantOutstanding = false;
            try
            {
                ThrowIfClosed();
                result = appendLocked(arg);
            }
            finally
            {
                GrantLocked();
                _wakeNeeded = false;
            }
        }
        Wakeup?.Invoke();
        return await result.ConfigureAwait(false);
    }

    /// <summary>The queue of a bucket's batches, oldest first; the last one may be open. Call under the lock.</summary>
    protected LinkedList<WriteBatch> QueueLocked(int bucket) => Bucket(bucket).Queue;

    /// <summary>Queues a new batch at the end of its bucket's queue and wakes the sender. Call under the lock.</summary>
    protected void AddBatchLocked(WriteBatch batch)
    {
        var state = Bucket(batch.Bucket);
        batch.State = state;
        state.Queue.AddLast(batch);
        _incomplete.Add(batch);
        _incompleteCount = _incomplete.Count;
        LowerExpiryCheckLocked(batch);
        _wakeNeeded = true;
    }

    /// <summary>Closes the batch when it reached the batch size (it is then ready to send). Call under the lock.</summary>
    protected void CloseIfFullLocked(WriteBatch batch)
    {
        if (batch.EstimatedSize < _settings.BatchSize) return;
        batch.IsClosed = true;
        _wakeNeeded = true;
    }

    /// <summary>Wakes the sender once the lock is released. Call under the lock.</summary>
    protected void WakeSenderLocked() => _wakeNeeded = true;

    /// <summary>Charges buffer memory for bytes added to a batch. Call under the lock.</summary>
    protected void ChargeLocked(WriteBatch batch, long bytes)
    {
        batch.AccountedBytes += bytes;
        _usedBytes += bytes;
    }

    private MemoryWaiter EnqueueWaiterLocked()
    {
        var waiter = new MemoryWaiter();
        _waiters.AddLast(waiter);
        GrantLocked();
        // Waiting writers make every batch ready; the sender has to know.
        _wakeNeeded = true;
        return waiter;
    }

    /// <summary>Lets the first waiting append proceed when memory is free; one grant at a time keeps FIFO order.</summary>
    private void GrantLocked()
    {
        if (_grantOutstanding || _waiters.First is null) return;
        if (!_closed && _usedBytes >= _settings.BufferMemory) return;
        var waiter = _waiters.First.Value;
        _waiters.RemoveFirst();
        _grantOutstanding = true;
        waiter.Granted.TrySetResult();
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException(WriterName, $"The {WriterName} is closed; records can no longer be written.");
    }

    /// <summary>"append writer" or "upsert writer", for messages.</summary>
    protected abstract string WriterName { get; }

    /// <summary>
    /// Releases the builder of a batch that is encoded or done, if it still has it. Called under the lock (a batch
    /// finished) or by the sender after encoding, so implementations take the builder atomically.
    /// </summary>
    protected abstract void ReleaseBuilder(WriteBatch batch);

    // ------------------------------------------------------------------------------------------------------------
    // Sending

    /// <summary>The leaders with batches to send now, and when to look again.</summary>
    /// <param name="leaderOf">Bucket to leader server id, or null when unknown.</param>
    public ReadyResult Ready(Func<int, int?> leaderOf)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var nodes = new HashSet<int>();
            var next = Timeout.InfiniteTimeSpan;
            var unknown = false;
            var urgent = _waiters.Count > 0 || _closed || _flushes > 0;
            foreach (var (bucket, state) in _buckets)
            {
                if (state.Queue.First?.Value is not { } first) continue;
                if (leaderOf(bucket) is not { } leader)
                {
                    unknown = true;
                    continue;
                }
                if (nodes.Contains(leader)) continue;
                if (first.RetryAt > now)
                {
                    next = Min(next, _time.GetElapsedTime(now, first.RetryAt));
                    continue;
                }
                if (!CanSendLocked(state, first)) continue;
                var waited = _time.GetElapsedTime(first.CreatedAt, now);
                if (urgent || first.IsClosed || state.Queue.Count > 1 || waited >= _settings.BatchTimeout)
                    nodes.Add(leader);
                else
                    next = Min(next, _settings.BatchTimeout - waited);
            }
            return new ReadyResult(nodes, next, unknown);
        }
    }

    /// <summary>
    /// Takes the first batch of each bucket led by <paramref name="node"/> (rotating where it starts, so no bucket
    /// starves) until the request holds <paramref name="maxRequestSize"/> bytes, closes them and assigns batch
    /// sequences. Batches that can no longer be sent are failed here.
    /// </summary>
    public List<WriteBatch> Drain(int node, Func<int, int?> leaderOf, int maxRequestSize)
    {
        var drained = new List<WriteBatch>();
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var buckets = _buckets.Where(kv => kv.Value.Queue.Count > 0 && leaderOf(kv.Key) == node).Select(kv => kv.Key).Order().ToList();
            if (buckets.Count == 0) return drained;
            var start = _drainIndex.GetValueOrDefault(node) % buckets.Count;
            long size = 0;
            for (var i = 0; i < buckets.Count; i++)
            {
                var state = _buckets[buckets[(start + i) % buckets.Count]];
                if (state.Queue.First?.Value is not { } batch) continue;
                if (batch.RetryAt > now || !CanSendLocked(state, batch)) continue;
                if (_settings.Idempotent && batch.Sequence >= 0 && batch.WriterId != _writerId)
                {
                    state.Queue.RemoveFirst();
                    FailLocked(batch, new FlussException(FlussErrorCode.UnknownWriterId,
                        $"The writer id changed from {batch.WriterId} to {_writerId} while the batch for bucket {batch.Bucket} waited for a retry; it is dropped to keep writes exactly once."), adjust: false);
                    continue;
                }
                var estimate = batch.EstimatedSize;
                if (drained.Count > 0 && size + estimate > maxRequestSize) break;
                state.Queue.RemoveFirst();
                batch.IsClosed = true;
                if (_settings.Idempotent)
                {
                    if (batch.Sequence < 0)
                    {
                        batch.WriterId = _writerId;
                        batch.Sequence = state.NextSequence++;
                        state.Unacked.Add(batch);
                    }
                    batch.SentAsNextSequence = batch.Sequence == state.LastAckedSequence + 1;
                }
                batch.InFlight = true;
                batch.AddHold();
                batch.Attempts++;
                state.InFlight++;
                size += estimate;
                drained.Add(batch);
                _drainIndex[node] = (start + i + 1) % buckets.Count;
            }
        }
        return drained;
    }

    private bool CanSendLocked(BucketState state, WriteBatch first)
    {
        if (!_settings.Idempotent) return state.InFlight < _settings.MaxInflightPerBucket;
        if (_writerId < 0) return false;
        if (first.Sequence >= 0)
        {
            // A retry goes out only as the lowest unacknowledged sequence, so the server sees batches in order.
            return first.WriterId != _writerId || state.FirstUnackedSequence == first.Sequence;
        }
        return state.InFlight < _settings.MaxInflightPerBucket;
    }

    /// <summary>The batch was acknowledged; <paramref name="baseOffset"/> is -1 when unknown.</summary>
    public void Complete(WriteBatch batch, long baseOffset)
    {
        if (!batch.Complete(baseOffset)) return;
        lock (_lock) CompletedLocked(batch);
        Wakeup?.Invoke();
    }

    /// <summary>The batches of one response were acknowledged, each with its base offset (-1 when unknown).</summary>
    public void Complete(IReadOnlyList<(WriteBatch Batch, long BaseOffset)> acknowledged)
    {
        // The rows' tasks complete outside the lock. Whoever decides a batch's outcome first wins; the only other
        // deciders (failures and aborts) finish the batch under the lock before deciding, so the bookkeeping below
        // skips every batch this call did not decide.
        var any = false;
        foreach (var (batch, offset) in acknowledged) any |= batch.Complete(offset);
        if (!any) return;
        lock (_lock)
        {
            foreach (var (batch, _) in acknowledged) CompletedLocked(batch);
        }
        Wakeup?.Invoke();
    }

    private void CompletedLocked(WriteBatch batch)
    {
        if (batch.Finished) return;
        var state = batch.State!;
        EndFlight(state, batch);
        if (_settings.Idempotent && batch.Sequence >= 0 && batch.WriterId == _writerId)
        {
            state.LastAckedSequence = Math.Max(state.LastAckedSequence, batch.Sequence);
            state.Unacked.Remove(batch);
        }
        Finish(batch);
    }

    /// <summary>
    /// Whether the server already acknowledged this batch's sequence (its own acknowledgement was lost). Reads
    /// without the lock: acknowledged sequences only grow, a writer id reset also resets them, and later sequences
    /// only move down past a failed batch that the server never acknowledged, so any mix of values read is one the
    /// locked check could have seen.
    /// </summary>
    public bool IsAlreadyCommitted(WriteBatch batch)
    {
        if (!_settings.Idempotent || batch.State is not { } state) return false;
        var sequence = batch.Sequence;
        return sequence >= 0 && batch.WriterId == Volatile.Read(ref _writerId) && sequence <= state.LastAckedSequence;
    }

    /// <summary>
    /// The request that carried <paramref name="batches"/> (from one <see cref="Drain"/>) is over: a finished batch
    /// whose payload no other request carries returns it to the pool.
    /// </summary>
    public void EndSend(IReadOnlyList<WriteBatch> batches)
    {
        foreach (var batch in batches) batch.DropHold(_payloadPool);
    }

    /// <summary>Queues the batch again, ahead of newer ones and in sequence order, to be resent after the back-off.</summary>
    public void Retry(WriteBatch batch, FlussException error)
    {
        lock (_lock)
        {
            if (batch.Finished || batch.IsDone) return;
            var state = Bucket(batch.Bucket);
            EndFlight(state, batch);
            batch.LastError = error;
            batch.RetryAt = _time.GetTimestamp() + (long)(_settings.RetryBackoff.TotalSeconds * _time.TimestampFrequency);
            var node = state.Queue.First;
            while (node is not null && node.Value.Sequence >= 0 && node.Value.Sequence < batch.Sequence) node = node.Next;
            if (node is null) state.Queue.AddLast(batch);
            else state.Queue.AddBefore(node, batch);
            LowerExpiryCheckLocked(batch);
        }
        Wakeup?.Invoke();
    }

    /// <summary>
    /// Fails the batch's rows. With idempotence, when the server is known not to have taken it
    /// (<paramref name="adjustSequences"/>), later batches of the bucket move down one sequence; otherwise the writer
    /// id is dropped and a new one is fetched, so no sequence gap or duplicate can arise.
    /// </summary>
    public void Fail(WriteBatch batch, Exception error, bool adjustSequences)
    {
        lock (_lock) FailLocked(batch, error, adjustSequences);
        Wakeup?.Invoke();
    }

    private void FailLocked(WriteBatch batch, Exception error, bool adjust)
    {
        if (batch.Finished || batch.IsDone) return;
        var state = Bucket(batch.Bucket);
        EndFlight(state, batch);
        state.Queue.Remove(batch);
        if (_settings.Idempotent && batch.Sequence >= 0 && batch.WriterId == _writerId)
        {
            state.Unacked.Remove(batch);
            var code = (error as FlussException)?.ErrorCode;
            if (!adjust || code is FlussErrorCode.OutOfOrderSequence or FlussErrorCode.UnknownWriterId)
            {
                ResetWriterIdLocked();
            }
            else
            {
                foreach (var other in state.Unacked.Concat(state.Queue).Distinct())
                {
                    if (other.Sequence > batch.Sequence && other.WriterId == batch.WriterId) other.Sequence--;
                }
                state.NextSequence--;
            }
        }
        Finish(batch);
        _unreportedFailure ??= error;
        batch.Fail(error);
    }

    private void ResetWriterIdLocked()
    {
        Volatile.Write(ref _writerId, LogRecordBatchFormat.NoWriterId);
        foreach (var state in _buckets.Values)
        {
            state.NextSequence = 0;
            state.LastAckedSequence = LogRecordBatchFormat.NoBatchSequence;
            state.Unacked.Clear();
        }
    }

    /// <summary>Fails batches that waited in a queue longer than the delivery timeout (no leader, no writer id).</summary>
    /// <remarks>
    /// Without the lock, returns at once before the earliest time any queued batch could expire: that bound is
    /// lowered whenever a batch is queued (added or queued again for a retry) and recomputed over all queued batches
    /// after each scan, and batches leaving the queues only make the true earliest time later.
    /// </remarks>
    public void ExpireBatches()
    {
        if (_time.GetTimestamp() < Volatile.Read(ref _expiryCheckAt)) return;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var next = long.MaxValue;
            foreach (var state in _buckets.Values)
            {
                while (state.Queue.First?.Value is { } first && _time.GetElapsedTime(first.CreatedAt, now) >= _settings.DeliveryTimeout)
                {
                    var error = first.LastError is { } last
                        ? FlussException.Create(last.ErrorCode, $"{last.Message} (bucket {first.Bucket}: not acknowledged within the delivery timeout of {_settings.DeliveryTimeout.TotalSeconds:0.###} s)")
                        : new FlussException(FlussErrorCode.RequestTimeOut,
                            $"{first.RecordCount} rows for bucket {first.Bucket} could not be sent within the delivery timeout of {_settings.DeliveryTimeout.TotalSeconds:0.###} s (no leader or writer id was available).");
                    FailLocked(first, error, adjust: false);
                }
                foreach (var batch in state.Queue) next = Math.Min(next, ExpiryCheckOf(batch));
            }
            Volatile.Write(ref _expiryCheckAt, next);
        }
    }

    private void LowerExpiryCheckLocked(WriteBatch batch)
    {
        var at = ExpiryCheckOf(batch);
        if (at < _expiryCheckAt) Volatile.Write(ref _expiryCheckAt, at);
    }

    /// <summary>A time stamp at or (by a millisecond) before which <paramref name="batch"/> reaches the delivery timeout.</summary>
    private long ExpiryCheckOf(WriteBatch batch)
    {
        var ticks = (_settings.DeliveryTimeout.TotalSeconds - 0.001) * _time.TimestampFrequency;
        if (ticks <= 0) return batch.CreatedAt;
        if (ticks >= long.MaxValue - Math.Max(0, batch.CreatedAt)) return long.MaxValue;
        return batch.CreatedAt + (long)ticks;
    }

    /// <summary>Fails every batch not yet done (the writer is closing without delivering them).</summary>
    public void AbortAll(Exception error)
    {
        lock (_lock)
        {
            foreach (var batch in _incomplete.ToList())
            {
                var state = batch.State!;
                if (batch.InFlight)
                {
                    batch.InFlight = false;
                    state.InFlight--;
                }
                state.Queue.Remove(batch);
                Finish(batch);
                batch.Fail(error);
            }
            _unreportedFailure ??= error;
        }
        Wakeup?.Invoke();
    }

    private static void EndFlight(BucketState state, WriteBatch batch)
    {
        if (!batch.InFlight) return;
        batch.InFlight = false;
        state.InFlight--;
    }

    /// <summary>
    /// The accumulator is done with the batch (once): out of the pending set, memory released, builder and payload
    /// released unless the sender still uses them. Call under the lock.
    /// </summary>
    private void Finish(WriteBatch batch)
    {
        batch.Finished = true;
        _incomplete.Remove(batch);
        _incompleteCount = _incomplete.Count;
        _usedBytes -= batch.AccountedBytes;
        batch.AccountedBytes = 0;
        // A drained batch not yet encoded still belongs to the sender, which releases its builder after encoding.
        if (batch.Attempts == 0 || batch.HasPayload) ReleaseBuilder(batch);
        // A request in flight keeps the payload until it is over (EndSend).
        batch.DropHold(_payloadPool);
        GrantLocked();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Flush and close

    public void BeginFlush()
    {
        lock (_lock) _flushes++;
        Wakeup?.Invoke();
    }

    public void EndFlush()
    {
        lock (_lock) _flushes--;
    }

    /// <summary>The batches not yet acknowledged or failed.</summary>
    public IReadOnlyList<WriteBatch> Incomplete()
    {
        lock (_lock) return _incomplete.ToList();
    }

    /// <summary>The first failure since the last call, if any.</summary>
    public Exception? TakeFailure()
    {
        lock (_lock)
        {
            var failure = _unreportedFailure;
            _unreportedFailure = null;
            return failure;
        }
    }

    /// <summary>Stops accepting rows; waiting appends fail; every queued batch becomes ready.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var waiter in _waiters)
                waiter.Granted.TrySetException(new ObjectDisposedException(WriterName, $"The {WriterName} was closed while the write waited for buffer memory."));
            _waiters.Clear();
        }
        Wakeup?.Invoke();
    }

    public virtual void Dispose()
    {
    }

    private BucketState Bucket(int bucket)
    {
        if (!_buckets.TryGetValue(bucket, out var state)) _buckets[bucket] = state = new BucketState();
        return state;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;

    /// <summary>Queue and idempotence state of one bucket (guarded by the accumulator's lock).</summary>
    internal sealed class BucketState
    {
        private volatile int _lastAckedSequence = LogRecordBatchFormat.NoBatchSequence;

        public LinkedList<WriteBatch> Queue { get; } = new();

        /// <summary>Requests for this bucket awaiting a response.</summary>
        public int InFlight { get; set; }

        public int NextSequence { get; set; }

        /// <summary>Written under the lock; also read without it (<see cref="IsAlreadyCommitted"/>).</summary>
        public int LastAckedSequence
        {
            get => _lastAckedSequence;
            set => _lastAckedSequence = value;
        }

        /// <summary>Batches sent at least once and neither acknowledged nor failed.</summary>
        public List<WriteBatch> Unacked { get; } = [];

        public int FirstUnackedSequence => Unacked.Count == 0 ? LogRecordBatchFormat.NoBatchSequence : Unacked.Min(b => b.Sequence);
    }

    private sealed class MemoryWaiter
    {
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
