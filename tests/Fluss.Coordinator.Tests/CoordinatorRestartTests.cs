using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Tests.Coordinator.Support;

namespace Fluss.Tests.Coordinator;

/// <summary>A coordinator restarted on the same data directory or store finds everything it had and bumps its epoch.</summary>
public class CoordinatorRestartTests
{
    private static readonly TablePath Orders = new("shop", "orders");
    private static readonly TablePath Items = new("shop", "items");

    private static PbTablePath Pb(TablePath p) => new() { DatabaseName = p.DatabaseName, TableName = p.TableName };

    [Fact]
    public async Task Restart_SameDataDir_TablesIdsAssignmentsAndEpochsSurvive()
    {
        await using var h = await CoordinatorHarness.StartDurableAsync();
        await h.AddTabletServersAsync(1, 2, 3);
        await h.CreateDatabaseAsync("shop");
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 4, replicationFactor: 2));
        await h.CreateTableAsync(Items, Tables.PrimaryKey(buckets: 2, replicationFactor: 3));
        var ordersBefore = await h.MetadataAsync(Orders);
        var itemsBefore = await h.MetadataAsync(Items);
        var infoBefore = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(Items) });
        var writer = await h.Coordinator.InitWriterAsync(new InitWriterRequest());
        Assert.Equal(0, h.Server.CoordinatorEpoch);

        await h.RestartAsync();

        Assert.Equal(1, h.Server.CoordinatorEpoch);
        Assert.Equal(["fluss", "shop"], (await h.Admin.ListDatabasesAsync(new ListDatabasesRequest())).DatabaseName);
        Assert.Equal(["items", "orders"], (await h.Admin.ListTablesAsync(new ListTablesRequest { DatabaseName = "shop" })).TableName);
        var infoAfter = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(Items) });
        Assert.Equal(infoBefore, infoAfter);

        // the tablet servers' sessions ended with the old coordinator: none is live until it registers again
        var bare = await h.MetadataAsync(Orders);
        Assert.Empty((await h.Admin.GetMetadataAsync(new MetadataRequest())).TabletServers);
        Assert.Equal(ordersBefore.BucketMetadata.Select(b => b.ReplicaId.ToList()), bare.BucketMetadata.Select(b => b.ReplicaId.ToList()));
        Assert.All(bare.BucketMetadata, b => Assert.False(b.HasLeaderId));

        foreach (var s in h.TabletServers)
        {
            s.Service.Clear();
            Assert.False(await s.HeartbeatAsync());
            Assert.Equal(1, s.CoordinatorEpoch);
        }
        var ordersAfter = await Eventually.ValueAsync(() => h.MetadataAsync(Orders), m => m.BucketMetadata.All(b => b.HasLeaderId), "leaders after re-registration");
        Assert.Equal(ordersBefore, ordersAfter);
        Assert.Equal(itemsBefore, await h.MetadataAsync(Items));

        // every server hears its buckets again, with the same leader epochs and the new coordinator epoch
        await h.SettledAsync(Orders);
        await h.SettledAsync(Items);
        Assert.All(h.TabletServers.SelectMany(s => s.Service.Notifications), n => Assert.Equal(1, n.CoordinatorEpoch));
        Assert.All(h.TabletServers.SelectMany(s => s.Service.MetadataUpdates), u => Assert.Equal(1, u.CoordinatorEpoch));

        // the id counters survived too
        Assert.Equal(writer.WriterId + 1, (await h.Coordinator.InitWriterAsync(new InitWriterRequest())).WriterId);
        await h.CreateTableAsync(new TablePath("shop", "third"), Tables.Log());
        Assert.Equal(2, (await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(new TablePath("shop", "third")) })).TableId);
    }

    [Fact]
    public async Task Restart_AfterLeaderChanges_StoredEpochsAreKept()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(1, 2);
        await h.CreateDatabaseAsync("shop");
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 4, replicationFactor: 2));
        await h.SettledAsync(Orders);
        var victim = h.TabletServers[0];
        await h.ExpireAsync(victim);
        var moved = await Eventually.ValueAsync(() => h.MetadataAsync(Orders), m => m.BucketMetadata.All(b => b.LeaderId == 2), "all leaders on server 2");
        Assert.Contains(moved.BucketMetadata, b => b.LeaderEpoch == 1);

        await h.RestartAsync();
        foreach (var s in h.TabletServers)
            await s.HeartbeatAsync();

        var after = await Eventually.ValueAsync(() => h.MetadataAsync(Orders), m => m.BucketMetadata.All(b => b.HasLeaderId), "leaders after restart");
        Assert.Equal(moved.BucketMetadata.Select(b => (b.LeaderId, b.LeaderEpoch)), after.BucketMetadata.Select(b => (b.LeaderId, b.LeaderEpoch)));
    }

    [Fact]
    public async Task Restart_StoredLeaderDoesNotReturn_OtherReplicaLeadsOnlyAfterTheGracePeriod()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(1, 2);
        await h.CreateDatabaseAsync("shop");
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 4, replicationFactor: 2));
        await h.SettledAsync(Orders);
        var before = await h.MetadataAsync(Orders);
        var ledBy1 = before.BucketMetadata.Where(b => b.LeaderId == 1).Select(b => b.BucketId).ToList();
        Assert.NotEmpty(ledBy1);

        await h.RestartAsync();
        var (gone, back) = (h.TabletServers[0], h.TabletServers[1]);
        Assert.False(await back.HeartbeatAsync());
        await h.SettledAsync(Orders);
        var during = await h.MetadataAsync(Orders);
        Assert.All(ledBy1, b => Assert.False(during.BucketMetadata[b].HasLeaderId)); // waiting for server 1 to come back
        Assert.All(ledBy1, b => Assert.Equal(0, during.BucketMetadata[b].LeaderEpoch));

        await h.ExpireAsync(gone); // one session timeout passes without server 1

        var after = await Eventually.ValueAsync(() => h.MetadataAsync(Orders), m => ledBy1.All(b => m.BucketMetadata[b].LeaderId == 2), "server 2 leads");
        Assert.All(ledBy1, b => Assert.Equal(1, after.BucketMetadata[b].LeaderEpoch));
        await Eventually.TrueAsync(() => ledBy1.All(b => back.Service.LastNotification(after.TableId, b) is { Leader: 2, LeaderEpoch: 1 }), "server 2 told it leads");
    }

    [Fact]
    public async Task Restart_DroppedTableWithUndeletedReplicas_DeletionResumes()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(1);
        await h.CreateDatabaseAsync("shop");
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 2));
        await h.SettledAsync(Orders);
        var server = h.TabletServers[0];
        server.Service.StopReplicaErrorCode = (int)FlussErrorCode.KvStorage; // the replica cannot be deleted right now

        await h.Coordinator.DropTableAsync(new DropTableRequest { TablePath = Pb(Orders) });
        await Eventually.TrueAsync(() => server.Service.StopReplicas.Count == 1, "first StopReplica");

        await h.RestartAsync();
        server.Service.StopReplicaErrorCode = null;
        server.Service.Clear();
        Assert.False(await server.HeartbeatAsync());

        await Eventually.TrueAsync(() => server.Service.StopReplicas.Count == 1, "StopReplica resent after the restart");
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
            await Eventually.TrueAsync(async () => await session.ExistsAsync("/fluss/tabletservers/tables/0") is null, "assignment removed");
        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = Pb(Orders) })).Exists);
    }

    [Fact]
    public async Task Start_MetadataDirectoryInUse_FailsWithClearMessage()
    {
        await using var h = await CoordinatorHarness.StartDurableAsync();
        var e = await Assert.ThrowsAsync<IOException>(() => Fluss.Coordinator.CoordinatorServer.StartAsync(new Fluss.Coordinator.CoordinatorServerOptions { Configuration = h.Configuration }));
        Assert.Contains("already open", e.Message);
    }
}
