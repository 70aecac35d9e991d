using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Tests.Coordinator.Support;

namespace Fluss.Tests.Coordinator;

/// <summary>The coordinator survives trouble of its own: its store session expiring, many requests at once, racks.</summary>
public class CoordinatorRobustnessTests
{
    private static readonly TablePath Orders = new("shop", "orders");

    [Fact]
    public async Task CoordinatorSessionExpires_SessionRenewedAndDeadServersStillDetected()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(1, 2);
        await h.CreateDatabaseAsync("shop");
        var oldSession = h.Server.Processor.CoordinatorSessionId;

        await h.Store!.ExpireSessionAsync(oldSession);
        await Eventually.TrueAsync(() => h.Server.Processor.CoordinatorSessionId != oldSession, "a new coordinator session");

        await h.CreateTableAsync(Orders, Tables.Log(buckets: 2, replicationFactor: 2));
        await h.SettledAsync(Orders);
        await h.ExpireAsync(h.TabletServers[0]);
        var m = await Eventually.ValueAsync(() => h.MetadataAsync(Orders), x => x.BucketMetadata.All(b => b.LeaderId == 2), "leaders moved to server 2");
        Assert.Equal(2, m.BucketMetadata.Count);
    }

    [Fact]
    public async Task CreateTable_ManyConcurrentRequests_EachGetsItsOwnId()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(1);
        await h.CreateDatabaseAsync("shop");
        var names = Enumerable.Range(0, 20).Select(i => "t" + i).ToList();
        await Task.WhenAll(names.Select(n => h.CreateTableAsync(new TablePath("shop", n), Tables.Log())));
        var ids = new List<long>();
        foreach (var n in names)
            ids.Add((await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = new PbTablePath { DatabaseName = "shop", TableName = n } })).TableId);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public async Task CreateTable_EveryServerHasARack_ReplicasOnDistinctRacks()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        foreach (var (id, rack) in new[] { (1, "a"), (2, "a"), (3, "b"), (4, "b"), (5, "c"), (6, "c") })
            await h.AddTabletServerAsync(id, rack);
        await h.CreateDatabaseAsync("shop");
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 6, replicationFactor: 3));
        var m = await h.MetadataAsync(Orders);
        var rackOf = new Dictionary<int, string> { [1] = "a", [2] = "a", [3] = "b", [4] = "b", [5] = "c", [6] = "c" };
        Assert.All(m.BucketMetadata, b => Assert.Equal(3, b.ReplicaId.Select(r => rackOf[r]).Distinct().Count()));
    }
}
