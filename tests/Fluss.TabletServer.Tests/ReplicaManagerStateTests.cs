using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Grpc.Core;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class ReplicaManagerStateTests
{
    [Fact]
    public async Task NotifyLeaderAndIsr_StaleLeaderEpoch_FencedAndLeadershipKept()
    {
        await using var h = await StartAsync();
        var current = await h.NotifyAsync(LeaderAndIsr(0, leaderEpoch: 3));
        ErrorAssert.NoError(current.HasErrorCode, current.ErrorCode, current.ErrorMessage);

        var stale = await h.NotifyAsync(LeaderAndIsr(0, leader: 2, leaderEpoch: 2, replicas: [2, ServerId]));

        ErrorAssert.Code(FlussErrorCode.FencedLeaderEpoch, stale.ErrorCode, stale.ErrorMessage);
        Assert.Equal(0, (await h.ProduceAsync(0, Batch(MakeRows(0, 1)))).BaseOffset);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_SameEpochAgain_AcceptedAndDataKept()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 2)));

        var again = await h.NotifyAsync(LeaderAndIsr(0));

        ErrorAssert.NoError(again.HasErrorCode, again.ErrorCode, again.ErrorMessage);
        Assert.Equal(2, (await h.ListOffsetAsync(0, 1)).Offset);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_NewerEpochMakesFollower_ProduceRefused()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 2)));

        var follower = await h.NotifyAsync(LeaderAndIsr(0, leader: 2, leaderEpoch: 1, replicas: [ServerId, 2]));
        var produce = await h.ProduceAsync(0, Batch(MakeRows(2, 1)));

        ErrorAssert.NoError(follower.HasErrorCode, follower.ErrorCode, follower.ErrorMessage);
        ErrorAssert.Code(FlussErrorCode.NotLeaderOrFollower, produce.ErrorCode, produce.ErrorMessage);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_OlderCoordinatorEpoch_InvalidCoordinator()
    {
        await using var h = await StartAsync();
        await h.NotifyAsync(LeaderAndIsr(0), coordinatorEpoch: 5);

        var e = await Assert.ThrowsAsync<RpcException>(() => h.NotifyAsync(LeaderAndIsr(1), coordinatorEpoch: 4));

        Assert.Equal(FlussErrorCode.InvalidCoordinator, CodeOf(e));
        Assert.Equal(5, h.Server.ReplicaManager.CoordinatorEpoch);
        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, (await h.ProduceAsync(1, Batch(MakeRows(0, 1)))).ErrorCode, null);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_ServerNotAmongReplicas_UnknownTableOrBucket()
    {
        await using var h = await StartAsync();

        var result = await h.NotifyAsync(LeaderAndIsr(0, leader: 2, replicas: [2, 3]));

        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, result.ErrorCode, result.ErrorMessage);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_WithoutTableMetadata_UsesMetadataCacheOrRefuses()
    {
        await using var h = await StartAsync();
        var entry = LeaderAndIsr(0);
        entry.TableMetadata = null;

        var refused = await h.NotifyAsync(entry);
        var update = new UpdateMetadataRequest { CoordinatorEpoch = 1 };
        update.TableMetadata.Add(TableMetadata());
        await h.Tablet.UpdateMetadataAsync(update);
        var accepted = await h.NotifyAsync(entry);

        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, refused.ErrorCode, refused.ErrorMessage);
        ErrorAssert.NoError(accepted.HasErrorCode, accepted.ErrorCode, accepted.ErrorMessage);
        Assert.Equal(0, (await h.ProduceAsync(0, Batch(MakeRows(0, 1)))).BaseOffset);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_OnlyFirstEntryOfTableCarriesMetadata_AllBucketsCreated()
    {
        await using var h = await StartAsync();
        var request = new NotifyLeaderAndIsrRequest { CoordinatorEpoch = 1 };
        request.NotifyBucketsLeaderReq.Add(LeaderAndIsr(0));
        var second = LeaderAndIsr(1);
        second.TableMetadata = null;
        request.NotifyBucketsLeaderReq.Add(second);

        var response = await h.Tablet.NotifyLeaderAndIsrAsync(request);

        Assert.All(response.NotifyBucketsLeaderResp, r => ErrorAssert.NoError(r.HasErrorCode, r.ErrorCode, r.ErrorMessage));
        Assert.Equal(0, (await h.ProduceAsync(1, Batch(MakeRows(0, 1)))).BaseOffset);
    }

    [Fact]
    public async Task NotifyLeaderAndIsr_TableTtl_ReachesTheLogTablet()
    {
        await using var h = await StartAsync();
        var descriptor = Descriptor(properties: new Dictionary<string, string> { ["table.log.ttl"] = "2h" });

        await h.NotifyAsync(LeaderAndIsr(0, descriptor: descriptor));

        Assert.True(h.Server.LogManager.TryGetTablet(new TableBucket(TableId, 0), out var tablet));
        Assert.Equal(TimeSpan.FromHours(2), tablet.LogTtl);
    }

    [Fact]
    public async Task StopReplica_WithDelete_DataRemovedAndBucketUnknown()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));
        Assert.True(h.Server.LogManager.TryGetTablet(new TableBucket(TableId, 0), out var tablet));
        var directory = tablet.Directory;
        Assert.True(Directory.Exists(directory));

        var response = await h.Tablet.StopReplicaAsync(Stop(0, leaderEpoch: 0, delete: true));

        var result = Assert.Single(response.StopReplicasResp);
        ErrorAssert.NoError(result.HasErrorCode, result.ErrorCode, result.ErrorMessage);
        Assert.False(Directory.Exists(directory));
        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, (await h.FetchAsync(0, 0)).ErrorCode, null);
    }

    [Fact]
    public async Task StopReplica_WithoutDelete_DataKeptForTheNextLeadership()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));

        await h.Tablet.StopReplicaAsync(Stop(0, leaderEpoch: 0, delete: false));
        var stopped = await h.ProduceAsync(0, Batch(MakeRows(3, 1)));
        await h.NotifyAsync(LeaderAndIsr(0, leaderEpoch: 1));

        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, stopped.ErrorCode, stopped.ErrorMessage);
        Assert.Equal(3, Decode((await h.FetchAsync(0, 0)).Records).Count);
    }

    [Fact]
    public async Task StopReplica_StaleLeaderEpoch_FencedAndReplicaKept()
    {
        await using var h = await StartAsync();
        await h.NotifyAsync(LeaderAndIsr(0, leaderEpoch: 4));

        var response = await h.Tablet.StopReplicaAsync(Stop(0, leaderEpoch: 3, delete: true));

        ErrorAssert.Code(FlussErrorCode.FencedLeaderEpoch, Assert.Single(response.StopReplicasResp).ErrorCode, null);
        Assert.Equal(0, (await h.ProduceAsync(0, Batch(MakeRows(0, 1)))).BaseOffset);
    }

    [Fact]
    public async Task GetMetadata_AfterUpdateMetadata_AnswersFromCache()
    {
        await using var h = await StartAsync();
        var update = new UpdateMetadataRequest
        {
            CoordinatorEpoch = 1,
            CoordinatorServer = new PbServerNode { NodeId = 0, Host = "127.0.0.1", Port = 9123 },
        };
        update.TabletServers.Add(new PbServerNode { NodeId = 1, Host = "127.0.0.1", Port = h.Server.Port });
        update.TabletServers.Add(new PbServerNode { NodeId = 2, Host = "127.0.0.1", Port = 9999 });
        var table = TableMetadata();
        table.BucketMetadata.Add(new PbBucketMetadata { BucketId = 0, LeaderId = 1, LeaderEpoch = 0, ReplicaId = { 1 } });
        table.BucketMetadata.Add(new PbBucketMetadata { BucketId = 1, LeaderId = 2, LeaderEpoch = 0, ReplicaId = { 2 } });
        update.TableMetadata.Add(table);
        await h.Tablet.UpdateMetadataAsync(update);

        var request = new MetadataRequest();
        request.TablePath.Add(new PbTablePath { DatabaseName = OrdersPath.DatabaseName, TableName = OrdersPath.TableName });
        var response = await h.Admin.GetMetadataAsync(request);

        Assert.Equal(9123, response.CoordinatorServer.Port);
        Assert.Equal([1, 2], response.TabletServers.Select(s => s.NodeId));
        var meta = Assert.Single(response.TableMetadata);
        Assert.Equal(TableId, meta.TableId);
        Assert.Equal([1, 2], meta.BucketMetadata.Select(b => b.LeaderId));
        Assert.Equal(TableSchema, TableDescriptor.FromJson(meta.TableJson.Span).Schema);
    }

    [Fact]
    public async Task GetMetadata_UnknownOrDeletedTable_TableNotExist()
    {
        await using var h = await StartAsync();
        var update = new UpdateMetadataRequest { CoordinatorEpoch = 1 };
        update.TableMetadata.Add(TableMetadata());
        await h.Tablet.UpdateMetadataAsync(update);
        var delete = new UpdateMetadataRequest { CoordinatorEpoch = 1 };
        delete.DeletedTableIds.Add(TableId);
        await h.Tablet.UpdateMetadataAsync(delete);
        var request = new MetadataRequest();
        request.TablePath.Add(new PbTablePath { DatabaseName = OrdersPath.DatabaseName, TableName = OrdersPath.TableName });

        var e = await Assert.ThrowsAsync<RpcException>(() => h.Admin.GetMetadataAsync(request).ResponseAsync);

        Assert.Equal(FlussErrorCode.TableNotExist, CodeOf(e));
    }

    private static StopReplicaRequest Stop(int bucket, int leaderEpoch, bool delete)
    {
        var request = new StopReplicaRequest { CoordinatorEpoch = 1 };
        request.StopReplicasReq.Add(new PbStopReplicaReqForBucket
        {
            TableBucket = new PbTableBucket { TableId = TableId, BucketId = bucket },
            LeaderEpoch = leaderEpoch,
            Delete = delete,
        });
        return request;
    }
}
