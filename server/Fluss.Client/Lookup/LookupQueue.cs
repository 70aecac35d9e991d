using System.Collections.Concurrent;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Fluss.Client.Lookup;

/// <summary>Point lookup by primary key, or prefix lookup by bucket key.</summary>
internal enum LookupKind
{
    PrimaryKey,
    Prefix,
}

/// <summary>The bucket a lookup goes to, with the kind of request that carries it.</summary>
internal readonly record struct LookupTarget(TablePath Path, long TableId, int Bucket, LookupKind Kind);

/// <summary>
/// One key waiting for its answer. Scheduling state (<see cref="QueuedAt"/>, <see cref="RetryAt"/>,
/// <see cref="Retries"/>, <see cref="LastError"/>) belongs to the send loop and the queue's lock; the answer is set
/// once, by whoever completes the lookup first (its reply, an error, its caller's cancellation or disposal).
/// </summary>
internal abstract class LookupQuery
{
    private const int Pending = 0;
    private const int Registered = 1;
    private const int Finished = 2;

    private int _state;
    private CancellationTokenRegistration _cancellation;
    private LookupRoom? _room;

    protected LookupQuery(LookupTarget target, byte[] key, long createdAt)
    {
        Target = target;
        Key = key;
        CreatedAt = createdAt;
    }

    public LookupTarget Target { get; }

    /// <summary>The encoded primary key, or the encoded bucket-key prefix.</summary>
    public byte[] Key { get; }

    /// <summary>Time stamp (of the queue's clock) when the lookup was queued first.</summary>
    public long CreatedAt { get; }

    /// <summary>Time stamp from which the lookup counts toward its batch's timeout (re-queued lookups restart it).</summary>
    public long QueuedAt { get; set; }

    /// <summary>Time stamp before which a retry must not be sent.</summary>
    public long RetryAt { get; set; }

    public int Retries { get; set; }

    public FlussException? LastError { get; set; }

    public bool IsDone => Completion.IsCompleted;

    /// <summary>Completes when the lookup has its answer, failed or was cancelled.</summary>
    public abstract Task Completion { get; }

    /// <summary>
    /// Completes with the answer at <paramref name="index"/> of the bucket's reply (unless the lookup is done
    /// already); false when the reply lacks it.
    /// </summary>
    public abstract bool TryComplete(BucketReply reply, int index);

    public abstract void Fail(Exception error);

    /// <summary>Fails the lookup as cancelled by its caller: it leaves the queue unsent, or its answer is dropped.</summary>
    protected abstract void Cancel(CancellationToken token);

    /// <summary>Holds a place of <paramref name="room"/> until the lookup completes. Call before it is queued.</summary>
    public void Occupy(LookupRoom room) => _room = room;

    /// <summary>Cancels the lookup when <paramref name="token"/> is cancelled (until it completes). Call once, after <see cref="Occupy"/>.</summary>
    public void CancelWith(CancellationToken token)
    {
        if (!token.CanBeCanceled) return;
        _cancellation = token.UnsafeRegister(static (state, t) => ((LookupQuery)state!).Cancel(t), this);
        // Completed meanwhile (or cancelled at once): nobody else will remove the registration.
        if (Interlocked.CompareExchange(ref _state, Registered, Pending) != Pending) _cancellation.Unregister();
    }

    /// <summary>Called exactly once, by whoever set the result: frees the room and the cancellation registration.</summary>
    protected void Completed()
    {
        // The registration was published before the state became Registered (the exchange is a full fence).
        if (Interlocked.Exchange(ref _state, Finished) == Registered) _cancellation.Unregister();
        _room?.Release();
    }
}

/// <summary>A primary-key lookup: the stored value, or null when the key is absent.</summary>
internal sealed class PointLookupQuery(LookupTarget target, byte[] key, long createdAt) : LookupQuery(target, key, createdAt)
{
    private readonly TaskCompletionSource<ReadOnlyMemory<byte>?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The stored value (owned by the caller: protobuf parses every value into an array of its own), or null.</summary>
    public Task<ReadOnlyMemory<byte>?> Result => _result.Task;

    public override Task Completion => _result.Task;

    public override bool TryComplete(BucketReply reply, int index)
    {
        if (reply.Values is not { } values || index >= values.Count) return false;
        var value = values[index];
        if (_result.TrySetResult(value.HasValues ? value.Values.Memory : (ReadOnlyMemory<byte>?)null)) Completed();
        return true;
    }

    public override void Fail(Exception error)
    {
        if (_result.TrySetException(error)) Completed();
    }

    protected override void Cancel(CancellationToken token)
    {
        if (_result.TrySetCanceled(token)) Completed();
    }
}

/// <summary>A prefix lookup: every stored value whose key starts with the prefix.</summary>
internal sealed class PrefixLookupQuery(LookupTarget target, byte[] prefix, long createdAt) : LookupQuery(target, prefix, createdAt)
{
    private readonly TaskCompletionSource<IReadOnlyList<ReadOnlyMemory<byte>>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IReadOnlyList<ReadOnlyMemory<byte>>> Result => _result.Task;

    public override Task Completion => _result.Task;

    public override bool TryComplete(BucketReply reply, int index)
    {
        if (reply.Lists is not { } lists || index >= lists.Count) return false;
        var values = lists[index].Values;
        var result = new ReadOnlyMemory<byte>[values.Count];
        for (var i = 0; i < result.Length; i++) result[i] = values[i].Memory;
        if (_result.TrySetResult(result)) Completed();
        return true;
    }

    public override void Fail(Exception error)
    {
        if (_result.TrySetException(error)) Completed();
    }

    protected override void Cancel(CancellationToken token)
    {
        if (_result.TrySetCanceled(token)) Completed();
    }
}

/// <summary>A bucket's part of a lookup response: an error, or one answer per key in request order.</summary>
internal readonly record struct BucketReply(FlussException? Error, RepeatedField<PbValue>? Values, RepeatedField<PbValueList>? Lists);

/// <summary>The lookups of one request: one table, one kind, one leader; per bucket at most the batch size.</summary>
internal sealed record LookupRequestGroup(TablePath Path, long TableId, LookupKind Kind, IReadOnlyDictionary<int, List<LookupQuery>> Buckets)
{
    public int KeyCount => Buckets.Values.Sum(b => b.Count);

    /// <summary>The request carrying the keys, bucket by bucket, in queue order.</summary>
    public IMessage ToRequest()
    {
        if (Kind == LookupKind.PrimaryKey)
        {
            var lookup = new LookupRequest { TableId = TableId };
            foreach (var (bucket, queries) in Buckets)
            {
                var forBucket = new PbLookupReqForBucket { BucketId = bucket };
                foreach (var q in queries) forBucket.Keys.Add(UnsafeByteOperations.UnsafeWrap(q.Key));
                lookup.BucketsReq.Add(forBucket);
            }
            return lookup;
        }
        var prefix = new PrefixLookupRequest { TableId = TableId };
        foreach (var (bucket, queries) in Buckets)
        {
            var forBucket = new PbPrefixLookupReqForBucket { BucketId = bucket };
            foreach (var q in queries) forBucket.Keys.Add(UnsafeByteOperations.UnsafeWrap(q.Key));
            prefix.BucketsReq.Add(forBucket);
        }
        return prefix;
    }
}

/// <summary>What <see cref="LookupQueue.Ready"/> found.</summary>
/// <param name="Nodes">Leaders with a batch ready to send.</param>
/// <param name="NextCheck">When to look again if nothing changes (a batch timeout or retry back-off expiring).</param>
/// <param name="UnknownLeaders">Tables with queued lookups whose bucket has no known leader: refresh them.</param>
internal readonly record struct LookupReady(IReadOnlySet<int> Nodes, TimeSpan NextCheck, IReadOnlySet<TablePath> UnknownLeaders);

/// <summary>
/// Queued lookups of a connection, per bucket (Fluss's LookupQueue, batched per bucket). Queued lookups are sent
/// as soon as their leader can take a request (at most <c>client.lookup.max-inflight-requests</c> at a time); a
/// leader gets one request per table and kind carrying every queued lookup of its buckets, at most
/// <c>client.lookup.max-batch-size</c> per bucket, so lookups that queue up while requests are in flight travel
/// together.
/// Callers only append to a lock-free intake; the send loop moves the intake into the per-bucket queues (under a
/// lock it shares only with retries and expiry) whenever it looks at them. Thread-safe; time from the injected clock.
/// </summary>
internal sealed class LookupQueue
{
    private readonly ConcurrentQueue<LookupQuery> _incoming = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<LookupTarget, BucketQueue> _pending = [];
    private readonly int _maxBatchSize;
    private readonly TimeProvider _time;
    private int _closed;

    /// <summary>1 while the send loop has been asked to look at the intake and has not done so yet.</summary>
    private int _wakeRequested;

    public LookupQueue(int maxBatchSize, TimeProvider time)
    {
        _maxBatchSize = maxBatchSize;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                TakeIncoming();
                return _pending.Values.Sum(q => q.Count);
            }
        }
    }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>
    /// Queues a lookup without taking a lock; true when the sender must be woken: the first lookup since the
    /// sender last looked at the queue (later ones find it already asked to look).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The queue is closed.</exception>
    public bool Add(LookupQuery query)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        query.QueuedAt = _time.GetTimestamp();
        _incoming.Enqueue(query);
        // After the enqueue: a sender that cleared the flag before it drains the intake either sees this lookup,
        // or its clearing comes after this exchange, which then returns 0 and wakes it again.
        return Interlocked.Exchange(ref _wakeRequested, 1) == 0;
    }

    /// <summary>
    /// Queues a lookup again after a retriable failure, ahead of the lookups not yet sent, to be sent after
    /// <paramref name="backoff"/>. Retried lookups keep the order in which they are retried.
    /// </summary>
    public void Retry(LookupQuery query, TimeSpan backoff)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            query.QueuedAt = now;
            query.RetryAt = now + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
            Queue(query.Target).Retries.Add(query);
        }
    }

    /// <summary>The leaders with a ready batch, and when to look again.</summary>
    /// <param name="leaderOf">Leader of a bucket of a table (by path and table id), or null when unknown.</param>
    public LookupReady Ready(Func<LookupTarget, int?> leaderOf)
    {
        lock (_lock)
        {
            TakeIncoming();
            var now = _time.GetTimestamp();
            var nodes = new HashSet<int>();
            var unknown = new HashSet<TablePath>();
            var next = Timeout.InfiniteTimeSpan;
            foreach (var (target, queue) in _pending)
            {
                if (queue.Count == 0) continue;
                if (leaderOf(target) is not { } leader)
                {
                    unknown.Add(target.Path);
                    continue;
                }
                if (nodes.Contains(leader)) continue;
                var sendable = queue.Fresh.Count > 0;
                foreach (var q in queue.Retries)
                {
                    if (q.RetryAt > now) next = Min(next, _time.GetElapsedTime(now, q.RetryAt));
                    else sendable = true;
                }
                // As Fluss's lookup sender: whatever is queued goes out as soon as the leader can take a request;
                // batches form from the lookups that arrive while earlier requests are in flight. Waiting for a
                // batch to fill would add the batch timeout to every lookup under light load.
                if (sendable) nodes.Add(leader);
            }
            return new LookupReady(nodes, next, unknown);
        }
    }

    /// <summary>
    /// Takes the sendable lookups of every bucket led by <paramref name="node"/> (at most a batch per bucket: due
    /// retries first, then the others in queue order), grouped into one request per table and kind. Lookups done
    /// meanwhile (cancelled by their callers) are dropped.
    /// </summary>
    public List<LookupRequestGroup> Drain(int node, Func<LookupTarget, int?> leaderOf)
    {
        var groups = new Dictionary<(TablePath, long, LookupKind), Dictionary<int, List<LookupQuery>>>();
        lock (_lock)
        {
            TakeIncoming();
            var now = _time.GetTimestamp();
            foreach (var (target, queue) in _pending)
            {
                if (queue.Count == 0 || leaderOf(target) != node) continue;
                List<LookupQuery>? taken = null;
                var retries = queue.Retries;
                if (retries.Count > 0)
                {
                    var kept = 0;
                    for (var i = 0; i < retries.Count; i++)
                    {
                        var q = retries[i];
                        if (q.RetryAt <= now && (taken?.Count ?? 0) < _maxBatchSize)
                        {
                            if (!q.IsDone) (taken ??= []).Add(q);
                        }
                        else
                        {
                            retries[kept++] = q;
                        }
                    }
                    retries.RemoveRange(kept, retries.Count - kept);
                }
                var fresh = queue.Fresh;
                while ((taken?.Count ?? 0) < _maxBatchSize && fresh.TryDequeue(out var q))
                {
                    if (!q.IsDone) (taken ??= new List<LookupQuery>(Math.Min(_maxBatchSize, fresh.Count + 1))).Add(q);
                }
                if (taken is null) continue;
                var key = (target.Path, target.TableId, target.Kind);
                if (!groups.TryGetValue(key, out var buckets)) groups[key] = buckets = [];
                buckets[target.Bucket] = taken;
            }
        }
        var result = new List<LookupRequestGroup>(groups.Count);
        foreach (var (key, buckets) in groups) result.Add(new LookupRequestGroup(key.Item1, key.Item2, key.Item3, buckets));
        return result;
    }

    /// <summary>
    /// Removes and returns the lookups that match <paramref name="predicate"/> (expired, or of a dropped table);
    /// lookups done meanwhile (cancelled by their callers) are removed too.
    /// </summary>
    public List<LookupQuery> RemoveWhere(Func<LookupQuery, long, bool> predicate)
    {
        var removed = new List<LookupQuery>();
        lock (_lock)
        {
            TakeIncoming();
            var now = _time.GetTimestamp();
            List<LookupTarget>? empty = null;
            foreach (var (target, queue) in _pending)
            {
                queue.Retries.RemoveAll(q =>
                {
                    if (!q.IsDone && !predicate(q, now)) return false;
                    removed.Add(q);
                    return true;
                });
                var fresh = queue.Fresh;
                var any = false;
                foreach (var q in fresh)
                {
                    if (q.IsDone || predicate(q, now))
                    {
                        any = true;
                        break;
                    }
                }
                if (any)
                {
                    // Rotate once through the queue, keeping the order of the lookups that stay.
                    for (var n = fresh.Count; n > 0; n--)
                    {
                        var q = fresh.Dequeue();
                        if (q.IsDone || predicate(q, now)) removed.Add(q);
                        else fresh.Enqueue(q);
                    }
                }
                if (queue.Count == 0 && removed.Count > 0) (empty ??= []).Add(target);
            }
            if (empty is not null)
            {
                foreach (var target in empty) _pending.Remove(target);
            }
        }
        return removed;
    }

    /// <summary>Refuses new lookups. Lookups queued by a racing <see cref="Add"/> are still found by <see cref="RemoveWhere"/>.</summary>
    public void Close() => Interlocked.Exchange(ref _closed, 1);

    /// <summary>Moves the intake into the per-bucket queues. Under the lock.</summary>
    private void TakeIncoming()
    {
        // Cleared before draining: a lookup added after the drain started wakes the sender again.
        Interlocked.Exchange(ref _wakeRequested, 0);
        while (_incoming.TryDequeue(out var query)) Queue(query.Target).Fresh.Enqueue(query);
    }

    private BucketQueue Queue(LookupTarget target)
    {
        if (!_pending.TryGetValue(target, out var queue)) _pending[target] = queue = new BucketQueue();
        return queue;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;

    /// <summary>The lookups of one bucket: retries waiting for their back-off (sent first), then new ones in order.</summary>
    private sealed class BucketQueue
    {
        public List<LookupQuery> Retries { get; } = [];

        public Queue<LookupQuery> Fresh { get; } = new();

        public int Count => Retries.Count + Fresh.Count;
    }
}

/// <summary>
/// Bounds the lookups not yet answered (<c>client.lookup.queue-size</c>). Taking a place is one compare-and-swap
/// while there is room; only callers that find it full take a lock and wait to be woken by a release.
/// </summary>
internal sealed class LookupRoom
{
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private int _used;
    private int _waiting;

    public LookupRoom(int capacity) => _capacity = capacity;

    /// <summary>Places taken.</summary>
    public int Used => Volatile.Read(ref _used);

    /// <summary>Takes a place, waiting for one while the room is full.</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken) =>
        TryTake() ? ValueTask.CompletedTask : new ValueTask(WaitAsync(cancellationToken));

    /// <summary>Gives a place back.</summary>
    public void Release()
    {
        Interlocked.Decrement(ref _used);
        // The decrement is a full fence: a waiter that registered before it is seen here; one that registers after
        // it finds the place free when it tries again.
        if (Volatile.Read(ref _waiting) == 0) return;
        TaskCompletionSource[] woken;
        lock (_lock)
        {
            woken = [.. _waiters];
            _waiters.Clear();
            Volatile.Write(ref _waiting, 0);
        }
        // Every waiter tries again (a woken one that was cancelled meanwhile must not swallow the wake-up).
        foreach (var waiter in woken) waiter.TrySetResult();
    }

    private bool TryTake()
    {
        var used = Volatile.Read(ref _used);
        while (used < _capacity)
        {
            var seen = Interlocked.CompareExchange(ref _used, used + 1, used);
            if (seen == used) return true;
            used = seen;
        }
        return false;
    }

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _waiters.Add(waiter);
                Interlocked.Exchange(ref _waiting, 1);
            }
            // Registered before trying: a release after this attempt wakes the waiter.
            if (TryTake()) return;
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
