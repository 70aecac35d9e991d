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

/// <summary>One key waiting for its answer. State other than the result is guarded by the queue's lock.</summary>
internal abstract class LookupQuery
{
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

    /// <summary>Completes when the lookup has its answer or failed.</summary>
    public abstract Task Completion { get; }

    /// <summary>Completes with the answer at <paramref name="index"/> of the bucket's reply; false when the reply lacks it.</summary>
    public abstract bool TryComplete(BucketReply reply, int index);

    public abstract void Fail(Exception error);
}

/// <summary>A primary-key lookup: the stored value, or null when the key is absent.</summary>
internal sealed class PointLookupQuery(LookupTarget target, byte[] key, long createdAt) : LookupQuery(target, key, createdAt)
{
    private readonly TaskCompletionSource<byte[]?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<byte[]?> Result => _result.Task;

    public override Task Completion => _result.Task;

    public override bool TryComplete(BucketReply reply, int index)
    {
        if (reply.Values is not { } values || index >= values.Count) return false;
        var value = values[index];
        _result.TrySetResult(value.HasValues ? value.Values.ToByteArray() : null);
        return true;
    }

    public override void Fail(Exception error) => _result.TrySetException(error);
}

/// <summary>A prefix lookup: every stored value whose key starts with the prefix.</summary>
internal sealed class PrefixLookupQuery(LookupTarget target, byte[] prefix, long createdAt) : LookupQuery(target, prefix, createdAt)
{
    private readonly TaskCompletionSource<IReadOnlyList<byte[]>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IReadOnlyList<byte[]>> Result => _result.Task;

    public override Task Completion => _result.Task;

    public override bool TryComplete(BucketReply reply, int index)
    {
        if (reply.Lists is not { } lists || index >= lists.Count) return false;
        var values = lists[index].Values;
        var result = new byte[values.Count][];
        for (var i = 0; i < result.Length; i++) result[i] = values[i].ToByteArray();
        _result.TrySetResult(result);
        return true;
    }

    public override void Fail(Exception error) => _result.TrySetException(error);
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
/// Thread-safe; time from the injected clock.
/// </summary>
internal sealed class LookupQueue
{
    private readonly Lock _lock = new();
    private readonly Dictionary<LookupTarget, LinkedList<LookupQuery>> _pending = [];
    private readonly int _maxBatchSize;
    private readonly TimeProvider _time;
    private bool _closed;

    public LookupQueue(int maxBatchSize, TimeProvider time)
    {
        _maxBatchSize = maxBatchSize;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock) return _pending.Values.Sum(q => q.Count);
        }
    }

    /// <summary>
    /// Queues a lookup; true when the sender should look again at once: the lookup starts a batch (its timeout is
    /// new) or fills one.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The queue is closed.</exception>
    public bool Add(LookupQuery query)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            query.QueuedAt = _time.GetTimestamp();
            var queue = Queue(query.Target);
            queue.AddLast(query);
            return queue.Count == 1 || queue.Count >= _maxBatchSize;
        }
    }

    /// <summary>Queues a lookup again after a retriable failure, ahead of newer ones, to be sent after <paramref name="backoff"/>.</summary>
    public void Retry(LookupQuery query, TimeSpan backoff)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            query.QueuedAt = now;
            query.RetryAt = now + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
            Queue(query.Target).AddFirst(query);
        }
    }

    /// <summary>The leaders with a ready batch, and when to look again.</summary>
    /// <param name="leaderOf">Leader of a bucket of a table (by path and table id), or null when unknown.</param>
    public LookupReady Ready(Func<LookupTarget, int?> leaderOf)
    {
        lock (_lock)
        {
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
                var sendable = 0;
                foreach (var q in queue)
                {
                    if (q.RetryAt > now)
                    {
                        next = Min(next, _time.GetElapsedTime(now, q.RetryAt));
                        continue;
                    }
                    sendable++;
                }
                if (sendable == 0) continue;
                // As Fluss's lookup sender: whatever is queued goes out as soon as the leader can take a request;
                // batches form from the lookups that arrive while earlier requests are in flight. Waiting for a
                // batch to fill would add the batch timeout to every lookup under light load.
                nodes.Add(leader);
            }
            return new LookupReady(nodes, next, unknown);
        }
    }

    /// <summary>
    /// Takes the sendable lookups of every bucket led by <paramref name="node"/> (at most a batch per bucket), grouped
    /// into one request per table and kind.
    /// </summary>
    public List<LookupRequestGroup> Drain(int node, Func<LookupTarget, int?> leaderOf)
    {
        var groups = new Dictionary<(TablePath, long, LookupKind), Dictionary<int, List<LookupQuery>>>();
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var (target, queue) in _pending)
            {
                if (queue.Count == 0 || leaderOf(target) != node) continue;
                List<LookupQuery>? taken = null;
                for (var n = queue.First; n is not null && (taken?.Count ?? 0) < _maxBatchSize;)
                {
                    var nextNode = n.Next;
                    if (n.Value.RetryAt <= now)
                    {
                        queue.Remove(n);
                        if (!n.Value.IsDone) (taken ??= []).Add(n.Value);
                    }
                    n = nextNode;
                }
                if (taken is null) continue;
                var key = (target.Path, target.TableId, target.Kind);
                if (!groups.TryGetValue(key, out var buckets)) groups[key] = buckets = [];
                buckets[target.Bucket] = taken;
            }
            foreach (var target in _pending.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList()) _pending.Remove(target);
        }
        return groups.Select(g => new LookupRequestGroup(g.Key.Item1, g.Key.Item2, g.Key.Item3, g.Value)).ToList();
    }

    /// <summary>Removes and returns the lookups that match <paramref name="predicate"/> (expired, or of a dropped table).</summary>
    public List<LookupQuery> RemoveWhere(Func<LookupQuery, long, bool> predicate)
    {
        var removed = new List<LookupQuery>();
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var queue in _pending.Values)
            {
                for (var n = queue.First; n is not null;)
                {
                    var nextNode = n.Next;
                    if (n.Value.IsDone || predicate(n.Value, now))
                    {
                        queue.Remove(n);
                        removed.Add(n.Value);
                    }
                    n = nextNode;
                }
            }
        }
        return removed;
    }

    /// <summary>Refuses new lookups and makes every queued one ready.</summary>
    public void Close()
    {
        lock (_lock) _closed = true;
    }

    private LinkedList<LookupQuery> Queue(LookupTarget target)
    {
        if (!_pending.TryGetValue(target, out var queue)) _pending[target] = queue = new LinkedList<LookupQuery>();
        return queue;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;
}
