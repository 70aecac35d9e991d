using System.Text;
using Fluss.Coordinator.Store;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Tests.Coordinator.Support;

namespace Fluss.Tests.Coordinator;

/// <summary>
/// Registration, heartbeats and session expiry with stand-in tablet servers that record what the coordinator sends
/// them; the store's clock is fake, so a server that stops heartbeating expires exactly when the test says.
/// </summary>
public class TabletServerLivenessTests
{
    private static readonly TablePath Orders = new("shop", "orders");

    private static async Task<CoordinatorHarness> ClusterAsync(params int[] servers)
    {
        var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(servers);
        await h.CreateDatabaseAsync("shop");
        return h;
    }

    private static async Task<LeaderAndIsr> StoredLeaderAsync(CoordinatorHarness h, long tableId, int bucket)
    {
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
            return LeaderAndIsr.FromJson((await session.GetAsync($"/fluss/tabletservers/tables/{tableId}/buckets/{bucket}/leader_isr")).Data);
    }

    [Fact]
    public async Task Register_NewServer_SessionTimeoutAndEpochReturnedAndNodeCreated()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        var server = await FakeTabletServer.StartAsync(7, h.Server.Endpoint, rack: "r1");
        await using (server)
        {
            await server.RegisterAsync();
            Assert.Equal(0, server.CoordinatorEpoch);
            Assert.Equal((int)CoordinatorHarness.SessionTimeout.TotalMilliseconds, server.SessionTimeoutMs);
            var session = await h.Store!.OpenSessionAsync();
            await using (session)
            {
                var node = await session.GetAsync("/fluss/tabletservers/ids/7");
                Assert.True(node.Stat.IsEphemeral);
                Assert.Equal($"{{\"version\":4,\"listeners\":\"FLUSS://127.0.0.1:{server.Port}\",\"register_timestamp\":1700000000007,\"rack\":\"r1\"}}",
                    Encoding.UTF8.GetString(node.Data));
            }
            var servers = (await h.Admin.GetMetadataAsync(new MetadataRequest())).TabletServers.Single();
            Assert.Equal((7, "127.0.0.1", server.Port, "r1"), (servers.NodeId, servers.Host, servers.Port, servers.Rack));
            Assert.True(await server.HeartbeatAsync(reregister: false));
        }
    }

    [Fact]
    public async Task Heartbeat_UnknownServer_RegisteredFalse()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        var response = await h.Coordinator.TabletServerHeartbeatAsync(new TabletServerHeartbeatRequest { ServerId = 42 });
        Assert.False(response.Registered);
        Assert.Equal(0, response.CoordinatorEpoch);
    }

    [Theory]
    [InlineData(-1, "127.0.0.1", 9000, "must be 0 or more")]
    [InlineData(1, "", 9000, "without a host")]
    [InlineData(1, "127.0.0.1", 0, "port 0")]
    public async Task Register_InvalidRequest_InvalidConfig(int id, string host, int port, string expected)
    {
        await using var h = await CoordinatorHarness.StartAsync();
        var e = await h.FailsAsync(() => h.Coordinator.RegisterTabletServerAsync(new RegisterTabletServerRequest { ServerId = id, Host = host, Port = port }).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidConfig, e.ErrorCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task CreateTable_Replicas_GetLeaderAndIsrWithTableAndEveryServerGetsMetadata()
    {
        await using var h = await ClusterAsync(1, 2, 3);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 3, replicationFactor: 2));
        var metadata = await h.MetadataAsync(Orders);

        foreach (var server in h.TabletServers)
        {
            var hosted = metadata.BucketMetadata.Where(b => b.ReplicaId.Contains(server.Id)).ToList();
            await Eventually.TrueAsync(() => hosted.All(b => server.Service.LastNotification(metadata.TableId, b.BucketId) is not null),
                $"notifications of server {server.Id}");
            foreach (var b in hosted)
            {
                var n = server.Service.LastNotification(metadata.TableId, b.BucketId)!;
                Assert.Equal(b.ReplicaId[0], n.Leader);
                Assert.Equal(0, n.LeaderEpoch);
                Assert.Equal(0, n.BucketEpoch);
                Assert.Equal(b.ReplicaId, n.Replicas);
                Assert.Equal(b.ReplicaId, n.Isr);
                Assert.Equal("orders", n.PhysicalTablePath.TableName);
            }
            var request = server.Service.Notifications.Single();
            Assert.Equal(0, request.CoordinatorEpoch);
            var withTable = request.NotifyBucketsLeaderReq[0];
            Assert.Equal(metadata.TableJson, withTable.TableMetadata.TableJson);
            Assert.Equal(Tables.LogSchema(), Schema.FromJson(withTable.SchemaJson.Span));
            Assert.All(request.NotifyBucketsLeaderReq.Skip(1), n => Assert.Null(n.TableMetadata));
            await Eventually.TrueAsync(() => server.Service.MetadataUpdates.Any(u => u.TableMetadata.Any(t => t.TableId == metadata.TableId)),
                $"UpdateMetadata with the table at server {server.Id}");
        }
    }

    [Fact]
    public async Task SessionExpires_ReplicatedTable_LeadershipMovesWithNextEpochs()
    {
        await using var h = await ClusterAsync(1, 2, 3);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 6, replicationFactor: 3));
        await h.SettledAsync(Orders);
        var before = await h.MetadataAsync(Orders);
        var victim = h.TabletServers.Single(s => s.Id == before.BucketMetadata[0].LeaderId);
        var survivors = h.TabletServers.Where(s => s != victim).ToList();
        foreach (var s in h.TabletServers) s.Service.Clear();

        await h.ExpireAsync(victim);

        var after = await Eventually.ValueAsync(() => h.MetadataAsync(Orders),
            m => m.BucketMetadata.All(b => b.LeaderId != victim.Id), "leaders away from the dead server");
        var servers = (await h.Admin.GetMetadataAsync(new MetadataRequest())).TabletServers.Select(s => s.NodeId);
        Assert.DoesNotContain(victim.Id, servers);
        foreach (var (b, old) in after.BucketMetadata.Zip(before.BucketMetadata))
        {
            var stored = await StoredLeaderAsync(h, after.TableId, b.BucketId);
            Assert.DoesNotContain(victim.Id, stored.Isr);
            if (old.LeaderId == victim.Id)
            {
                Assert.Equal(old.ReplicaId.First(r => r != victim.Id), b.LeaderId); // first live ISR member, in assignment order
                Assert.Equal(1, b.LeaderEpoch);
                Assert.Equal(new LeaderAndIsr(b.LeaderId, 1, old.ReplicaId.Where(r => r != victim.Id).ToArray(), [], 0, 1), stored);
            }
            else
            {
                Assert.Equal(old.LeaderId, b.LeaderId);
                Assert.Equal(0, b.LeaderEpoch);
                Assert.Equal(1, stored.BucketEpoch); // only the ISR shrank
            }
        }

        var moved = after.BucketMetadata.Where(b => before.BucketMetadata[b.BucketId].LeaderId == victim.Id).ToList();
        foreach (var s in survivors)
        {
            await Eventually.TrueAsync(() => moved.All(b => s.Service.LastNotification(after.TableId, b.BucketId)?.LeaderEpoch == 1),
                $"new leadership at server {s.Id}");
            foreach (var b in moved)
            {
                var n = s.Service.LastNotification(after.TableId, b.BucketId)!;
                Assert.Equal(b.LeaderId, n.Leader);
                Assert.DoesNotContain(victim.Id, n.Isr);
            }
            Assert.All(s.Service.Notifications, n => Assert.Equal(0, n.CoordinatorEpoch));
            Assert.Contains(s.Service.MetadataUpdates, u => u.TabletServers.Count == 2 && u.TabletServers.All(t => t.NodeId != victim.Id));
        }
        Assert.Empty(victim.Service.Notifications);
    }

    [Fact]
    public async Task SessionExpires_SingleReplicaBucket_OfflineUntilItsReplicaReturns()
    {
        await using var h = await ClusterAsync(1, 2);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 4, replicationFactor: 1));
        await h.SettledAsync(Orders);
        var before = await h.MetadataAsync(Orders);
        var victim = h.TabletServers.Single(s => s.Id == before.BucketMetadata[0].ReplicaId[0]);
        var victimBuckets = before.BucketMetadata.Where(b => b.ReplicaId[0] == victim.Id).Select(b => b.BucketId).ToList();

        await h.ExpireAsync(victim);

        var offline = await Eventually.ValueAsync(() => h.MetadataAsync(Orders),
            m => victimBuckets.All(b => !m.BucketMetadata[b].HasLeaderId), "buckets of the dead server offline");
        foreach (var b in victimBuckets)
        {
            Assert.Equal(1, offline.BucketMetadata[b].LeaderEpoch);
            var stored = await StoredLeaderAsync(h, offline.TableId, b);
            Assert.Equal(new LeaderAndIsr(LeaderAndIsr.NoLeader, 1, [victim.Id], [], 0, 1), stored);
        }
        Assert.All(offline.BucketMetadata.Where(b => !victimBuckets.Contains(b.BucketId)), b => Assert.Equal(0, b.LeaderEpoch));

        victim.Service.Clear();
        Assert.False(await victim.HeartbeatAsync()); // registered=false: the server registers again
        var back = await Eventually.ValueAsync(() => h.MetadataAsync(Orders),
            m => victimBuckets.All(b => m.BucketMetadata[b].LeaderId == victim.Id), "the returning server leads its buckets again");
        foreach (var b in victimBuckets)
        {
            Assert.Equal(2, back.BucketMetadata[b].LeaderEpoch);
            Assert.Equal(2, (await StoredLeaderAsync(h, back.TableId, b)).LeaderEpoch);
        }
        await Eventually.TrueAsync(() => victimBuckets.All(b => victim.Service.LastNotification(back.TableId, b) is { Leader: var l, LeaderEpoch: 2 } && l == victim.Id),
            "NotifyLeaderAndIsr for every bucket the server hosts");
        Assert.Contains(victim.Service.MetadataUpdates, u => u.TabletServers.Count == 2 && u.TableMetadata.Any(t => t.TableId == back.TableId));
        Assert.Equal(victimBuckets.Count, victim.Service.BucketNotifications.Count);
    }

    [Fact]
    public async Task Register_SameIdAtAnotherAddressWhileLive_RefusedUntilTheOldSessionExpires()
    {
        await using var h = await ClusterAsync(1, 2);
        var impostor = await FakeTabletServer.StartAsync(1, h.Server.Endpoint);
        await using (impostor)
        {
            var e = await h.FailsAsync(() => impostor.RegisterAsync());
            Assert.Equal(FlussErrorCode.InvalidConfig, e.ErrorCode);
            Assert.Contains($"already registered by a live tablet server at 127.0.0.1:{h.TabletServers[0].Port}", e.Message);
            Assert.Contains("tablet-server.id", e.Message);

            await h.ExpireAsync(h.TabletServers[0]);
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await impostor.RegisterAsync();
                    return true;
                }
                catch (Grpc.Core.RpcException)
                {
                    return false;
                }
            }, "registration after the old session expired");
            var servers = (await h.Admin.GetMetadataAsync(new MetadataRequest())).TabletServers;
            Assert.Equal(impostor.Port, servers.Single(s => s.NodeId == 1).Port);
        }
    }

    [Fact]
    public async Task Register_SameIdSameAddressAgain_HandledAsRestartAndLeadershipResent()
    {
        await using var h = await ClusterAsync(1);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 1));
        var server = h.TabletServers[0];
        await Eventually.TrueAsync(() => server.Service.Notifications.Count == 1, "first notification");

        await server.RegisterAsync();

        var m = await Eventually.ValueAsync(() => h.MetadataAsync(Orders), x => x.BucketMetadata[0].LeaderEpoch == 2, "leader epoch after the restart");
        Assert.Equal(1, m.BucketMetadata[0].LeaderId);
        await Eventually.TrueAsync(() => server.Service.LastNotification(m.TableId, 0)?.LeaderEpoch == 2, "leadership resent to the restarted server");
    }

    [Fact]
    public async Task DropTable_Replicas_StopReplicaDeleteThenAssignmentRemoved()
    {
        await using var h = await ClusterAsync(1, 2);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 2, replicationFactor: 2));
        var tableId = (await h.MetadataAsync(Orders)).TableId;

        await h.Coordinator.DropTableAsync(new DropTableRequest { TablePath = new PbTablePath { DatabaseName = "shop", TableName = "orders" } });

        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = new PbTablePath { DatabaseName = "shop", TableName = "orders" } })).Exists);
        foreach (var s in h.TabletServers)
        {
            await Eventually.TrueAsync(() => s.Service.StopReplicas.Count == 1, $"StopReplica at server {s.Id}");
            var stop = s.Service.StopReplicas.Single();
            Assert.Equal(0, stop.CoordinatorEpoch);
            Assert.Equal([0, 1], stop.StopReplicasReq.Select(r => r.TableBucket.BucketId));
            Assert.All(stop.StopReplicasReq, r => Assert.True(r.Delete));
            Assert.All(stop.StopReplicasReq, r => Assert.Equal(tableId, r.TableBucket.TableId));
            Assert.Contains(s.Service.MetadataUpdates, u => u.DeletedTableIds.Contains(tableId));
        }
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
        {
            await Eventually.TrueAsync(async () => await session.ExistsAsync($"/fluss/tabletservers/tables/{tableId}") is null, "assignment removed");
            Assert.Null(await session.ExistsAsync("/fluss/metadata/databases/shop/tables/orders"));
        }
    }

    [Fact]
    public async Task DropTable_ReplicaServerDown_DeletionFinishesWhenItReturns()
    {
        await using var h = await ClusterAsync(1, 2);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 2, replicationFactor: 2));
        await h.SettledAsync(Orders);
        var tableId = (await h.MetadataAsync(Orders)).TableId;
        var down = h.TabletServers[1];
        await h.ExpireAsync(down);
        await Eventually.ValueAsync(() => h.Admin.GetMetadataAsync(new MetadataRequest()).ResponseAsync, m => m.TabletServers.Count == 1, "server 2 dead");

        await h.Coordinator.DropTableAsync(new DropTableRequest { TablePath = new PbTablePath { DatabaseName = "shop", TableName = "orders" } });
        await Eventually.TrueAsync(() => h.TabletServers[0].Service.StopReplicas.Count == 1, "StopReplica at the live server");
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
        {
            Assert.NotNull(await session.ExistsAsync($"/fluss/tabletservers/tables/{tableId}")); // replicas on server 2 are not deleted yet

            down.Service.Clear();
            Assert.False(await down.HeartbeatAsync());
            await Eventually.TrueAsync(() => down.Service.StopReplicas.Count == 1, "StopReplica when the server returns");
            Assert.Empty(down.Service.Notifications); // nothing to lead: the table is gone
            await Eventually.TrueAsync(async () => await session.ExistsAsync($"/fluss/tabletservers/tables/{tableId}") is null, "assignment removed");
        }
    }
}
