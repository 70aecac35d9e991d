using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Rpc.Messages;
using Fluss.Tests.Client.Support;
using Fluss.Types;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.Client;

/// <summary>Lookups and prefix lookups against an in-process fake cluster.</summary>
public class LookuperTests
{
    private static GenericRow User(int id) => GenericRow.Of(id, "user-" + id, id * 10L);

    private static Task<FakeSession> StartAsync(TablePath path, TableDescriptor descriptor, Func<FlussClientOptions, FlussClientOptions>? configure = null) =>
        FakeSession.StartAsync(path, descriptor, o => (configure ?? (x => x))(o with { LookupBatchTimeout = TimeSpan.FromMilliseconds(5) }));

    private static async Task WriteAsync(FlussTable table, IEnumerable<GenericRow> rows)
    {
        await using var writer = table.NewUpsertWriter();
        foreach (var row in rows) _ = writer.UpsertAsync(row);
        await writer.FlushAsync();
    }

    private static List<LookupRequest> Lookups(FakeState state)
    {
        lock (state.Lock) return state.LookupRequests.OfType<LookupRequest>().ToList();
    }

    [Fact]
    public async Task LookupAsync_StoredAndAbsentKeys_RowOrNull()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 3));
        var table = session.Table;
        await WriteAsync(table, Enumerable.Range(0, 20).Select(User));
        var lookuper = table.NewLookuper();

        var found = await lookuper.LookupAsync(GenericRow.Of(7));
        var absent = await lookuper.LookupAsync(GenericRow.Of(700));

        Assert.Equal(User(7), found);
        Assert.Null(absent);
        Assert.Equal(["id"], lookuper.KeyType.FieldNames);
    }

    [Fact]
    public async Task LookupAsync_ConcurrentKeysOfSeveralBuckets_SentAtOnceBatchedPerBucket()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 3));
        var cluster = session.Cluster;
        var table = session.Table;
        await WriteAsync(table, Enumerable.Range(0, 12).Select(User));
        var lookuper = table.NewLookuper();

        // No clock is advanced: lookups must not wait for a batch to fill or for the batch timeout.
        var lookups = Enumerable.Range(0, 12).Select(i => lookuper.LookupAsync(GenericRow.Of(i))).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var rows = await Task.WhenAll(lookups).WaitAsync(timeout.Token);

        Assert.Equal(Enumerable.Range(0, 12).Select(User), rows);
        var requests = Lookups(cluster.State).ToList();
        Assert.InRange(requests.Count, 1, 12);
        Assert.All(requests, r => Assert.Equal(table.Info.TableId, r.TableId));
        Assert.All(requests, r => Assert.Equal(r.BucketsReq.Count, r.BucketsReq.Select(b => b.BucketId).Distinct().Count()));
        Assert.Equal(12, requests.Sum(r => r.BucketsReq.Sum(b => b.Keys.Count)));
    }

    [Fact]
    public async Task LookupAsync_MoreKeysThanTheBatchSize_NoBucketSendsMoreThanABatch()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1),
            o => o with { LookupMaxBatchSize = 4 });
        var cluster = session.Cluster;
        var table = session.Table;
        await WriteAsync(table, Enumerable.Range(0, 10).Select(User));
        var lookuper = table.NewLookuper();

        var rows = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => lookuper.LookupAsync(GenericRow.Of(i))));

        Assert.Equal(Enumerable.Range(0, 10).Select(User), rows);
        var requests = Lookups(cluster.State);
        Assert.True(requests.Count >= 3, $"10 keys in batches of at most 4 need at least 3 requests, got {requests.Count}");
        Assert.All(requests, r => Assert.All(r.BucketsReq, b => Assert.InRange(b.Keys.Count, 1, 4)));
        Assert.Equal(10, requests.Sum(r => r.BucketsReq.Sum(b => b.Keys.Count)));
    }

    [Fact]
    public async Task LookupAsync_LookupsWhileTwoRequestsAreInFlight_WaitAndShareTheNextRequest()
    {
        // Two lookups go out at once, one request each; the server holds both answers.
        await using var held = await HoldTwoLookupsAsync(30);

        // Lookups made meanwhile queue up instead of each opening a request of its own.
        var queued = Enumerable.Range(2, 20).Select(i => held.Lookuper.LookupAsync(GenericRow.Of(i))).ToList();
        await Task.Delay(200, held.Timeout.Token);
        Assert.Equal(2, Lookups(held.State).Count);

        held.Gate.SetResult();
        var rows = await Task.WhenAll([held.First, held.Second, .. queued]).WaitAsync(held.Timeout.Token);

        Assert.Equal(Enumerable.Range(0, 22).Select(User), rows);
        var requests = Lookups(held.State);
        Assert.Equal(3, requests.Count);
        Assert.Equal(20, requests[2].BucketsReq.Sum(b => b.Keys.Count));
    }

    [Fact]
    public async Task LookupAsync_ManyConcurrentCallersAcrossBuckets_EachGetsItsOwnRow()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 4));
        var table = session.Table;
        await WriteAsync(table, Enumerable.Range(0, 200).Select(User));
        var lookuper = table.NewLookuper();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var mismatches = 0;
        var lookups = 0;
        await Task.WhenAll(Enumerable.Range(0, 48).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                // Keys 200..249 are absent.
                var id = (caller * 37 + i * 13) % 250;
                var row = await lookuper.LookupAsync(GenericRow.Of(id), timeout.Token);
                var expected = id < 200 ? User(id) : null;
                if (!Equals(expected, row)) Interlocked.Increment(ref mismatches);
                Interlocked.Increment(ref lookups);
            }
        }, timeout.Token)));

        Assert.Equal(48 * 40, lookups);
        Assert.Equal(0, mismatches);
        Assert.Equal(48 * 40, Lookups(session.State).Sum(r => r.BucketsReq.Sum(b => b.Keys.Count)));
    }

    [Fact]
    public async Task LookupAsync_CancelledWhileQueued_FailsAtOnceAndIsNotSent()
    {
        await using var held = await HoldTwoLookupsAsync(10);

        using var cancel = new CancellationTokenSource();
        var queued = new[] { 2, 3, 4 }.Select(i => held.Lookuper.LookupAsync(GenericRow.Of(i))).ToList();
        var cancelled = held.Lookuper.LookupAsync(GenericRow.Of(5), cancel.Token);
        await cancel.CancelAsync();

        // The server still holds both requests: the cancelled lookup fails without waiting for them.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(held.Timeout.Token));
        held.Gate.SetResult();
        var rows = await Task.WhenAll([held.First, held.Second, .. queued]).WaitAsync(held.Timeout.Token);

        Assert.Equal(Enumerable.Range(0, 5).Select(User), rows);
        var requests = Lookups(held.State);
        Assert.Equal(3, requests.Count);
        Assert.Equal(3, requests[2].BucketsReq.Sum(b => b.Keys.Count));
    }

    [Fact]
    public async Task DisposeAsync_LookupsInFlightAndQueued_FailWithObjectDisposed()
    {
        await using var held = await HoldTwoLookupsAsync(10);
        var queued = Enumerable.Range(2, 6).Select(i => held.Lookuper.LookupAsync(GenericRow.Of(i))).ToList();

        await held.Session.Connection.DisposeAsync().AsTask().WaitAsync(held.Timeout.Token);

        foreach (var lookup in (Task<IRow?>[])[held.First, held.Second, .. queued])
            await Assert.ThrowsAsync<ObjectDisposedException>(() => lookup.WaitAsync(held.Timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => held.Lookuper.LookupAsync(GenericRow.Of(9)));
    }

    /// <summary>
    /// A one-bucket users table holding users 0 to <paramref name="users"/> - 1, whose server holds every lookup
    /// answer until <see cref="HeldLookups.Gate"/> is set, with the lookups of keys 0 and 1 in flight, one request each.
    /// </summary>
    private static async Task<HeldLookups> HoldTwoLookupsAsync(int users)
    {
        var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var state = session.Cluster.State;
        await WriteAsync(session.Table, Enumerable.Range(0, users).Select(User));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (state.Lock) state.LookupGate = gate.Task;
        var lookuper = session.Table.NewLookuper();
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = lookuper.LookupAsync(GenericRow.Of(0));
        await WaitForLookupRequestsAsync(state, 1, timeout.Token);
        var second = lookuper.LookupAsync(GenericRow.Of(1));
        await WaitForLookupRequestsAsync(state, 2, timeout.Token);
        return new HeldLookups(session, gate, lookuper, timeout, first, second);
    }

    private sealed record HeldLookups(
        FakeSession Session, TaskCompletionSource Gate, Lookuper Lookuper, CancellationTokenSource Timeout, Task<IRow?> First, Task<IRow?> Second)
        : IAsyncDisposable
    {
        public FakeState State => Session.Cluster.State;

        public async ValueTask DisposeAsync()
        {
            Gate.TrySetResult();
            Timeout.Dispose();
            await Session.DisposeAsync();
        }
    }

    private static async Task WaitForLookupRequestsAsync(FakeState state, int count, CancellationToken cancellationToken)
    {
        while (Lookups(state).Count < count) await Task.Delay(5, cancellationToken);
    }

    [Fact]
    public async Task LookupAsync_NotLeaderOnce_RefreshesMetadataAndRetries()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var cluster = session.Cluster;
        var table = session.Table;
        await WriteAsync(table, [User(5)]);
        cluster.State.LookupFault = (_, attempt) => attempt == 1 ? FlussErrorCode.NotLeaderOrFollower : null;
        var metadataBefore = cluster.State.MetadataRequests;

        var row = await table.NewLookuper().LookupAsync(GenericRow.Of(5));

        Assert.Equal(User(5), row);
        Assert.Equal(2, cluster.State.LookupAttempts[0]);
        Assert.True(cluster.State.MetadataRequests > metadataBefore);
    }

    [Fact]
    public async Task LookupAsync_NonRetriableBucketError_FailsTypedWithoutRetry()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var cluster = session.Cluster;
        var table = session.Table;
        cluster.State.LookupFault = (_, _) => FlussErrorCode.KvStorage;

        var error = await Assert.ThrowsAnyAsync<FlussException>(() => table.NewLookuper().LookupAsync(GenericRow.Of(5)));

        Assert.Equal(FlussErrorCode.KvStorage, error.ErrorCode);
        Assert.Equal(1, cluster.State.LookupAttempts[0]);
    }

    [Fact]
    public async Task LookupAsync_InvalidKeyRows_ThrowNamingTheColumnBeforeAnyRequest()
    {
        await using var session = await StartAsync(TestTables.Visits, TestTables.VisitsDescriptor());
        var cluster = session.Cluster;
        var table = session.Table;
        var lookuper = table.NewLookuper();

        var missing = await Assert.ThrowsAsync<ArgumentException>(() => lookuper.LookupAsync(GenericRow.Of(1)));
        Assert.Contains("missing seq", missing.Message, StringComparison.Ordinal);
        var nullValue = await Assert.ThrowsAsync<ArgumentException>(() => lookuper.LookupAsync(GenericRow.Of(1, null)));
        Assert.Contains("'seq'", nullValue.Message, StringComparison.Ordinal);
        var wrongType = await Assert.ThrowsAsync<ArgumentException>(() => lookuper.LookupAsync(GenericRow.Of("1", 2)));
        Assert.Contains("'user'", wrongType.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.State.LookupRequests);
    }

    [Fact]
    public async Task NewLookuper_LogTable_ThrowsNonPrimaryKeyTable()
    {
        await using var session = await StartAsync(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        var cluster = session.Cluster;
        var table = session.Table;

        var point = Assert.Throws<FlussException>(() => table.NewLookuper());
        var prefix = Assert.Throws<FlussException>(() => table.NewPrefixLookuper(["id"]));

        Assert.Equal(FlussErrorCode.NonPrimaryKeyTable, point.ErrorCode);
        Assert.Equal(FlussErrorCode.NonPrimaryKeyTable, prefix.ErrorCode);
        Assert.Empty(cluster.State.LookupRequests);
    }

    [Fact]
    public async Task PrefixLookupAsync_BucketKeyValues_AllRowsWithThemAndTheEncodedPrefixSent()
    {
        await using var session = await StartAsync(TestTables.Visits, TestTables.VisitsDescriptor());
        var cluster = session.Cluster;
        var table = session.Table;
        var rows = Enumerable.Range(0, 40).Select(i => GenericRow.Of(i % 4, i, "/p/" + i)).ToList();
        await WriteAsync(table, rows);
        var lookuper = table.NewPrefixLookuper(["user"]);

        var user1 = await lookuper.LookupAsync(GenericRow.Of(1));
        var none = await lookuper.LookupAsync(GenericRow.Of(9));

        Assert.Equal(rows.Where(r => (int)r[0]! == 1).OrderBy(r => (int)r[1]!), user1.Cast<GenericRow>().OrderBy(r => (int)r[1]!));
        Assert.Empty(none);
        var sent = cluster.State.LookupRequests.OfType<PrefixLookupRequest>().First();
        Assert.Equal(new CompactedKeyEncoder(table.Info.RowType, ["user"]).EncodeKey(rows[1]), sent.BucketsReq[0].Keys[0].ToByteArray());
    }

    [Fact]
    public async Task NewPrefixLookuper_ColumnsOtherThanTheBucketKey_Throws()
    {
        await using var session = await StartAsync(TestTables.Visits, TestTables.VisitsDescriptor());
        var table = session.Table;

        var notBucketKey = Assert.Throws<ArgumentException>(() => table.NewPrefixLookuper(["seq"]));
        Assert.Contains("bucket key (user)", notBucketKey.Message, StringComparison.Ordinal);
        var wholeKey = Assert.Throws<ArgumentException>(() => table.NewPrefixLookuper(["user", "seq"]));
        Assert.Contains("bucket key", wholeKey.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => table.NewPrefixLookuper(["nope"]));
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewPrefixLookuper_BucketKeyNotAPrefixOfThePrimaryKey_Throws()
    {
        var descriptor = TestTables.Descriptor(
            Schema.NewBuilder()
                .Column("seq", new IntType(isNullable: false))
                .Column("user", new IntType(isNullable: false))
                .Column("page", new StringType())
                .PrimaryKey("seq", "user")
                .Build(),
            2, ["user"], [new("table.kv.format-version", "2")]);
        await using var session = await StartAsync(TestTables.Visits, descriptor);
        var table = session.Table;

        var error = Assert.Throws<ArgumentException>(() => table.NewPrefixLookuper(["user"]));

        Assert.Contains("not a prefix of its primary key (seq, user)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewPrefixLookuper_BucketKeyIsThePrimaryKey_Throws()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 2));
        var table = session.Table;

        var error = Assert.Throws<ArgumentException>(() => table.NewPrefixLookuper(["id"]));

        Assert.Contains("whole primary key", error.Message, StringComparison.Ordinal);
    }
}
