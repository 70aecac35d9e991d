using Fluss.Client.Lookup;
using Fluss.Metadata;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.Client.Lookup;

public class LookupQueueTests
{
    private static readonly TablePath Users = new("shop", "users");
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    private LookupQueue Queue(int maxBatch = 4) => new(maxBatch, _time);

    private PointLookupQuery Query(int bucket, byte key, LookupKind kind = LookupKind.PrimaryKey, long tableId = 7) =>
        new(new LookupTarget(Users, tableId, bucket, kind), [key], _time.GetTimestamp());

    private PrefixLookupQuery Prefix(int bucket, byte key) =>
        new(new LookupTarget(Users, 7, bucket, LookupKind.Prefix), [key], _time.GetTimestamp());

    /// <summary>Buckets 0 and 1 are led by server 1, bucket 2 by server 2, bucket 3 has no known leader.</summary>
    private static int? Leaders(LookupTarget target) => target.Bucket switch
    {
        0 or 1 => 1,
        2 => 2,
        _ => null,
    };

    [Fact]
    public void Ready_QueuedLookup_IsReadyAtOnce()
    {
        var queue = Queue();
        Assert.True(queue.Add(Query(0, 1)), "the first lookup of a bucket wakes the sender");
        Assert.False(queue.Add(Query(0, 2)));

        var ready = queue.Ready(Leaders);
        Assert.Equal([1], ready.Nodes);
        Assert.Equal([1, 2], Assert.Single(queue.Drain(1, Leaders)).Buckets[0].Select(q => q.Key[0]));
    }

    [Fact]
    public void Add_AfterTheSenderLooked_WakesItAgainOnce()
    {
        var queue = Queue(maxBatch: 3);
        Assert.True(queue.Add(Query(2, 1)));
        Assert.False(queue.Add(Query(2, 2)));
        Assert.False(queue.Add(Query(2, 3)), "the sender was asked to look already");

        Assert.Equal([2], queue.Ready(Leaders).Nodes);

        Assert.True(queue.Add(Query(2, 4)), "the sender looked since: the next lookup wakes it");
        Assert.False(queue.Add(Query(2, 5)));
        Assert.Equal(5, queue.Count);
    }

    [Fact]
    public void Drain_LeaderWithAReadyBucket_TakesAllItsBucketsGroupedByKind()
    {
        var queue = Queue();
        queue.Add(Query(0, 1));
        queue.Add(Query(0, 2));
        queue.Add(Query(1, 3));
        queue.Add(Prefix(1, 4));
        queue.Add(Query(2, 5));

        var ready = queue.Ready(Leaders);
        Assert.Contains(1, ready.Nodes);
        var groups = queue.Drain(1, Leaders);

        var point = Assert.Single(groups, g => g.Kind == LookupKind.PrimaryKey);
        Assert.Equal([0, 1], point.Buckets.Keys.Order());
        Assert.Equal([1, 2], point.Buckets[0].Select(q => q.Key[0]));
        Assert.Equal([3], point.Buckets[1].Select(q => q.Key[0]));
        var prefix = Assert.Single(groups, g => g.Kind == LookupKind.Prefix);
        Assert.Equal([4], prefix.Buckets[1].Select(q => q.Key[0]));
        Assert.Equal(4, groups.Sum(g => g.KeyCount));

        // Bucket 2 (another leader) stays queued, ready for its own leader.
        Assert.Equal(1, queue.Count);
        Assert.DoesNotContain(1, queue.Ready(Leaders).Nodes);
        Assert.Single(queue.Ready(Leaders).Nodes);
    }

    [Fact]
    public void Drain_MoreThanABatch_TakesOneBatchPerBucketInQueueOrder()
    {
        var queue = Queue(maxBatch: 3);
        for (byte k = 0; k < 7; k++) queue.Add(Query(0, k));

        var first = Assert.Single(queue.Drain(1, Leaders));
        Assert.Equal([0, 1, 2], first.Buckets[0].Select(q => q.Key[0]));
        Assert.Equal([1], queue.Ready(Leaders).Nodes);
        var second = Assert.Single(queue.Drain(1, Leaders));
        Assert.Equal([3, 4, 5], second.Buckets[0].Select(q => q.Key[0]));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Drain_TablesWithDifferentIds_SeparateRequests()
    {
        var queue = Queue();
        queue.Add(Query(0, 1, tableId: 7));
        queue.Add(Query(0, 2, tableId: 8));

        var groups = queue.Drain(1, Leaders);

        Assert.Equal([7L, 8L], groups.Select(g => g.TableId).Order());
        var request = Assert.IsType<Fluss.Rpc.Messages.LookupRequest>(groups[0].ToRequest());
        Assert.Single(request.BucketsReq);
    }

    [Fact]
    public void Retry_WaitsForTheBackoffAheadOfNewerLookups()
    {
        var queue = Queue();
        var query = Query(0, 1);
        queue.Add(query);
        Assert.Single(queue.Drain(1, Leaders));

        queue.Retry(query, TimeSpan.FromMilliseconds(20));
        queue.Add(Query(0, 2));
        Assert.Equal([1], queue.Ready(Leaders).Nodes);
        Assert.Equal(TimeSpan.FromMilliseconds(20), queue.Ready(Leaders).NextCheck);
        Assert.Equal([2], Assert.Single(queue.Drain(1, Leaders)).Buckets[0].Select(q => q.Key[0]));

        _time.Advance(Timeout);
        Assert.Equal([1], queue.Ready(Leaders).Nodes);
        Assert.Same(query, Assert.Single(Assert.Single(queue.Drain(1, Leaders)).Buckets[0]));
    }

    [Fact]
    public void Ready_UnknownLeader_ReportsTheTableToRefresh()
    {
        var queue = Queue();
        queue.Add(Query(3, 1));
        _time.Advance(Timeout);

        var ready = queue.Ready(Leaders);

        Assert.Empty(ready.Nodes);
        Assert.Equal([Users], ready.UnknownLeaders);
        Assert.Empty(queue.Drain(1, Leaders));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void RemoveWhere_ExpiredLookups_RemovedAndReturned()
    {
        var queue = Queue();
        var old = Query(0, 1);
        queue.Add(old);
        _time.Advance(TimeSpan.FromSeconds(5));
        queue.Add(Query(0, 2));

        var removed = queue.RemoveWhere((q, now) => _time.GetElapsedTime(q.CreatedAt, now) >= TimeSpan.FromSeconds(5));

        Assert.Same(old, Assert.Single(removed));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Add_AfterClose_Throws()
    {
        var queue = Queue();
        queue.Close();

        Assert.Throws<ObjectDisposedException>(() => queue.Add(Query(0, 1)));
    }

    [Fact]
    public void Retry_SeveralLookups_KeepTheirOrderAheadOfNewOnes()
    {
        var queue = Queue(maxBatch: 8);
        var failed = Enumerable.Range(1, 3).Select(k => Query(0, (byte)k)).ToList();
        foreach (var q in failed) queue.Add(q);
        Assert.Single(queue.Drain(1, Leaders));

        queue.Add(Query(0, 9));
        foreach (var q in failed) queue.Retry(q, TimeSpan.FromMilliseconds(10));
        Assert.Equal([9], Assert.Single(queue.Drain(1, Leaders)).Buckets[0].Select(q => q.Key[0]));
        queue.Add(Query(0, 10));
        _time.Advance(Timeout);

        Assert.Equal([1, 2, 3, 10], Assert.Single(queue.Drain(1, Leaders)).Buckets[0].Select(q => q.Key[0]));
    }

    [Fact]
    public void Drain_LookupCancelledByItsCaller_DroppedAndItsPlaceFreed()
    {
        var queue = Queue();
        var room = new LookupRoom(10);
        using var cancel = new CancellationTokenSource();
        var queries = Enumerable.Range(1, 3).Select(k => Query(0, (byte)k)).ToList();
        foreach (var q in queries)
        {
            Assert.True(room.EnterAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
            q.Occupy(room);
            q.CancelWith(q.Key[0] == 2 ? cancel.Token : CancellationToken.None);
            queue.Add(q);
        }

        cancel.Cancel();

        Assert.True(queries[1].Result.IsCanceled);
        Assert.Equal(2, room.Used);
        Assert.Equal([1, 3], Assert.Single(queue.Drain(1, Leaders)).Buckets[0].Select(q => q.Key[0]));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Fail_AfterCancellation_KeepsTheCancellationAndFreesThePlaceOnce()
    {
        var room = new LookupRoom(1);
        using var cancel = new CancellationTokenSource();
        Assert.True(room.EnterAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        var query = Query(0, 1);
        query.Occupy(room);
        query.CancelWith(cancel.Token);

        cancel.Cancel();
        query.Fail(new InvalidOperationException("late"));
        Assert.True(query.TryComplete(new BucketReply(null, [new Fluss.Rpc.Messages.PbValue()], null), 0));

        Assert.True(query.Result.IsCanceled);
        Assert.Equal(0, room.Used);
    }

    [Fact]
    public async Task CancelWith_LookupAnsweredFirst_LaterCancellationChangesNothing()
    {
        var room = new LookupRoom(1);
        using var cancel = new CancellationTokenSource();
        Assert.True(room.EnterAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        var query = Query(0, 1);
        query.Occupy(room);
        query.CancelWith(cancel.Token);
        var value = new Fluss.Rpc.Messages.PbValue { Values = Google.Protobuf.ByteString.CopyFrom(4, 2) };

        Assert.True(query.TryComplete(new BucketReply(null, [value], null), 0));
        await cancel.CancelAsync();

        Assert.Equal([4, 2], (await query.Result)!.Value.ToArray());
        Assert.Equal(0, room.Used);
    }

    [Fact]
    public async Task Add_ConcurrentCallersWhileDraining_EveryLookupTakenOnceInCallerOrder()
    {
        const int Callers = 8;
        const int PerCaller = 2000;
        var queue = Queue(maxBatch: 16);
        var taken = new List<LookupQuery>();
        var done = 0;
        var drainer = Task.Run(() =>
        {
            while (true)
            {
                var finished = Volatile.Read(ref done) == Callers;
                foreach (var group in queue.Drain(1, Leaders)) taken.AddRange(group.Buckets.Values.SelectMany(b => b));
                if (finished && queue.Count == 0) return;
            }
        });
        var callers = Enumerable.Range(0, Callers).Select(c => Task.Run(() =>
        {
            for (var i = 0; i < PerCaller; i++)
            {
                queue.Add(new PointLookupQuery(new LookupTarget(Users, 7, c % 2, LookupKind.PrimaryKey), [(byte)c, (byte)(i >> 8), (byte)i], 0));
            }
            Interlocked.Increment(ref done);
        })).ToList();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
        await drainer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Callers * PerCaller, taken.Count);
        foreach (var byCaller in taken.GroupBy(q => q.Key[0]))
        {
            var sequence = byCaller.Select(q => (q.Key[1] << 8) | q.Key[2]).ToList();
            Assert.Equal(Enumerable.Range(0, PerCaller), sequence);
        }
    }
}
