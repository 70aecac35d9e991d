using Fluss.Config;
using Fluss.Coordinator;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.TabletServer;
using Google.Protobuf;
using Grpc.Net.Client;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

/// <summary>A real coordinator and a real tablet server: registration, table creation, data, drop.</summary>
public sealed class TabletServerWithCoordinatorTests
{
    private static readonly TablePath Shop = new("shop", "orders");

    [Fact]
    public async Task CreateTable_CoordinatorAssignsLeadership_ProduceFetchAndMetadataWork()
    {
        var coordinatorDir = NewTempDir();
        await using var coordinator = await CoordinatorServer.StartAsync(new CoordinatorServerOptions
        {
            Configuration = new Configuration()
                .SetString("bind.listeners", "FLUSS://127.0.0.1:0")
                .SetString("data.dir", coordinatorDir)
                .SetString("zookeeper.client.session-timeout", "3s"),
        });
        await using var h = await StartAsync(c => c
            .SetString("coordinator.address", $"127.0.0.1:{coordinator.Port}")
            .SetString("zookeeper.client.session-timeout", "3s"));
        using var channel = GrpcChannel.ForAddress(coordinator.Endpoint);
        var admin = new CoordinatorService.CoordinatorServiceClient(channel);
        var coordinatorRead = new AdminReadOnlyService.AdminReadOnlyServiceClient(channel);
        await Eventually(() => Task.FromResult(h.Server.Registration!.Registrations >= 1));

        await admin.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = Shop.DatabaseName });
        await admin.CreateTableAsync(new CreateTableRequest
        {
            TablePath = new PbTablePath { DatabaseName = Shop.DatabaseName, TableName = Shop.TableName },
            TableJson = ByteString.CopyFrom(Descriptor(buckets: 2).ToJsonBytes()),
        });
        var info = await coordinatorRead.GetTableInfoAsync(new GetTableInfoRequest { TablePath = new PbTablePath { DatabaseName = Shop.DatabaseName, TableName = Shop.TableName } });
        var tableId = info.TableId;

        PbProduceLogRespForBucket? produced = null;
        await Eventually(async () =>
        {
            produced = await h.ProduceAsync(1, Batch(MakeRows(0, 3)), tableId: tableId);
            return !produced.HasErrorCode || produced.ErrorCode == 0;
        });
        Assert.Equal(0, produced!.BaseOffset);

        var fetch = FetchRequest(1, 0, tableId: tableId);
        var fetched = (await h.Tablet.FetchLogAsync(fetch)).TablesResp[0].BucketsResp[0];
        Assert.Equal(MakeRows(0, 3), Decode(fetched.Records).Select(r => r.Row));

        var request = new MetadataRequest();
        request.TablePath.Add(new PbTablePath { DatabaseName = Shop.DatabaseName, TableName = Shop.TableName });
        MetadataResponse? metadata = null;
        await Eventually(async () =>
        {
            try
            {
                metadata = await h.Admin.GetMetadataAsync(request);
                return metadata.TableMetadata[0].BucketMetadata.Count == 2;
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        });
        Assert.Contains(metadata!.TabletServers, s => s.NodeId == ServerId && s.Port == h.Server.Port);
        Assert.All(metadata.TableMetadata[0].BucketMetadata, b => Assert.Equal(ServerId, b.LeaderId));
        Assert.Equal(coordinator.Port, metadata.CoordinatorServer.Port);

        // Dropping the table deletes the replicas' data.
        Assert.True(h.Server.LogManager.TryGetTablet(new TableBucket(tableId, 1), out var tablet));
        await admin.DropTableAsync(new DropTableRequest { TablePath = new PbTablePath { DatabaseName = Shop.DatabaseName, TableName = Shop.TableName } });
        await Eventually(() => Task.FromResult(!Directory.Exists(tablet.Directory)));
        var gone = await h.ProduceAsync(1, Batch(MakeRows(3, 1)), tableId: tableId);
        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, gone.ErrorCode, gone.ErrorMessage);

        await coordinator.StopAsync();
        Directory.Delete(coordinatorDir, recursive: true);
    }

    [Fact]
    public async Task CoordinatorRestart_TabletServerRegistersAgainAndKeepsItsData()
    {
        var coordinatorDir = NewTempDir();
        var port = FreePort();
        var coordinatorConfig = new Configuration()
            .SetString("bind.listeners", $"FLUSS://127.0.0.1:{port}")
            .SetString("data.dir", coordinatorDir)
            .SetString("zookeeper.client.session-timeout", "3s");
        var coordinator = await CoordinatorServer.StartAsync(new CoordinatorServerOptions { Configuration = coordinatorConfig });
        await using var h = await StartAsync(c => c
            .SetString("coordinator.address", $"127.0.0.1:{port}")
            .SetString("zookeeper.client.session-timeout", "3s"));
        try
        {
            var tableId = await CreateTableAsync(coordinator);
            await Eventually(async () => (await h.ProduceAsync(0, Batch(MakeRows(0, 3)), tableId: tableId)).ErrorCode == 0);
            var registrationsBefore = h.Server.Registration!.Registrations;

            await coordinator.StopAsync();
            coordinator = await CoordinatorServer.StartAsync(new CoordinatorServerOptions { Configuration = coordinatorConfig });

            await Eventually(() => Task.FromResult(h.Server.Registration.Registrations > registrationsBefore
                && h.Server.Registration.CoordinatorEpoch == coordinator.CoordinatorEpoch));
            await Eventually(() => Task.FromResult(h.Server.ReplicaManager.CoordinatorEpoch == coordinator.CoordinatorEpoch));
            PbProduceLogRespForBucket? next = null;
            await Eventually(async () => (next = await h.ProduceAsync(0, Batch(MakeRows(3, 1)), tableId: tableId)).ErrorCode == 0);
            Assert.Equal(3, next!.BaseOffset);
            var fetched = (await h.Tablet.FetchLogAsync(FetchRequest(0, 0, tableId: tableId))).TablesResp[0].BucketsResp[0];
            Assert.Equal(MakeRows(0, 4), Decode(fetched.Records).Select(r => r.Row));
        }
        finally
        {
            await coordinator.StopAsync();
        }
        Directory.Delete(coordinatorDir, recursive: true);
    }

    private static async Task<long> CreateTableAsync(CoordinatorServer coordinator)
    {
        using var channel = GrpcChannel.ForAddress(coordinator.Endpoint);
        var admin = new CoordinatorService.CoordinatorServiceClient(channel);
        await admin.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = Shop.DatabaseName });
        var path = new PbTablePath { DatabaseName = Shop.DatabaseName, TableName = Shop.TableName };
        await admin.CreateTableAsync(new CreateTableRequest { TablePath = path, TableJson = ByteString.CopyFrom(Descriptor(buckets: 1).ToJsonBytes()) });
        var info = await new AdminReadOnlyService.AdminReadOnlyServiceClient(channel).GetTableInfoAsync(new GetTableInfoRequest { TablePath = path });
        return info.TableId;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task Eventually(Func<Task<bool>> condition, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold before the deadline.");
            await Task.Delay(25);
        }
    }
}
