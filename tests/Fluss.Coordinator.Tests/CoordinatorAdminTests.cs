using System.Text;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Tests.Coordinator.Support;
using Google.Protobuf;

namespace Fluss.Tests.Coordinator;

/// <summary>Admin requests through real gRPC clients against a running coordinator, and every error they can end with.</summary>
public class CoordinatorAdminTests
{
    private static readonly TablePath Orders = new("shop", "orders");

    private static PbTablePath Pb(TablePath p) => new() { DatabaseName = p.DatabaseName, TableName = p.TableName };

    private static async Task<CoordinatorHarness> WithShopAsync(int tabletServers = 1)
    {
        var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(Enumerable.Range(1, tabletServers).ToArray());
        await h.CreateDatabaseAsync("shop");
        return h;
    }

    private static CreateTableRequest CreateRequest(TablePath path, string json) =>
        new() { TablePath = Pb(path), TableJson = ByteString.CopyFromUtf8(json) };

    [Fact]
    public async Task Start_EmptyStore_DefaultDatabaseExistsAndPortIsBound()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        Assert.NotEqual(0, h.Server.Port);
        Assert.Equal(h.Server.Port, h.Server.Endpoint.Port);
        Assert.Equal(0, h.Server.CoordinatorEpoch);
        var dbs = await h.Admin.ListDatabasesAsync(new ListDatabasesRequest());
        Assert.Equal(["fluss"], dbs.DatabaseName);
        Assert.True((await h.Admin.DatabaseExistsAsync(new DatabaseExistsRequest { DatabaseName = "fluss" })).Exists);
    }

    [Fact]
    public async Task CreateDatabase_WithDescriptor_ListedWithInfo()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        var descriptor = DatabaseDescriptor.NewBuilder().Comment("sales data").CustomProperty("owner", "ops").Build();
        await h.Coordinator.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = "shop", DatabaseJson = ByteString.CopyFrom(descriptor.ToJsonBytes()) });

        var dbs = await h.Admin.ListDatabasesAsync(new ListDatabasesRequest());
        Assert.Equal(["fluss", "shop"], dbs.DatabaseName);
        Assert.Equal(0, dbs.DatabaseSummary.Single(s => s.DatabaseName == "shop").TableCount);
        var info = await h.Admin.GetDatabaseInfoAsync(new GetDatabaseInfoRequest { DatabaseName = "shop" });
        Assert.Equal(descriptor, DatabaseDescriptor.FromJson(info.DatabaseJson.Span));
        Assert.Equal(h.Clock!.GetUtcNow().ToUnixTimeMilliseconds(), info.CreatedTime);
        Assert.Equal(info.CreatedTime, info.ModifiedTime);
    }

    [Fact]
    public async Task CreateDatabase_Duplicate_DatabaseAlreadyExistUnlessIgnored()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.CreateDatabaseAsync("shop");
        var e = await h.FailsAsync(() => h.Coordinator.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = "shop" }).ResponseAsync);
        Assert.Equal(FlussErrorCode.DatabaseAlreadyExist, e.ErrorCode);
        Assert.IsType<DatabaseAlreadyExistException>(e);
        Assert.Contains("shop already exists", e.Message);
        await h.Coordinator.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = "shop", IgnoreIfExists = true });
    }

    [Theory]
    [InlineData("bad.name", "characters other than")]
    [InlineData("__internal", "reserved")]
    [InlineData("", "empty")]
    public async Task CreateDatabase_InvalidName_InvalidDatabase(string name, string expected)
    {
        await using var h = await CoordinatorHarness.StartAsync();
        var e = await h.FailsAsync(() => h.Coordinator.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = name }).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidDatabase, e.ErrorCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task DropDatabase_UnknownNotEmptyAndDefault_TypedErrors()
    {
        await using var h = await WithShopAsync();
        await h.CreateTableAsync(Orders, Tables.Log());

        var unknown = await h.FailsAsync(() => h.Coordinator.DropDatabaseAsync(new DropDatabaseRequest { DatabaseName = "nope" }).ResponseAsync);
        Assert.Equal(FlussErrorCode.DatabaseNotExist, unknown.ErrorCode);
        Assert.Contains("nope does not exist", unknown.Message);
        await h.Coordinator.DropDatabaseAsync(new DropDatabaseRequest { DatabaseName = "nope", IgnoreIfNotExists = true });

        var notEmpty = await h.FailsAsync(() => h.Coordinator.DropDatabaseAsync(new DropDatabaseRequest { DatabaseName = "shop" }).ResponseAsync);
        Assert.Equal(FlussErrorCode.DatabaseNotEmpty, notEmpty.ErrorCode);
        Assert.Contains("orders", notEmpty.Message);

        var defaultDb = await h.FailsAsync(() => h.Coordinator.DropDatabaseAsync(new DropDatabaseRequest { DatabaseName = "fluss" }).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidDatabase, defaultDb.ErrorCode);
    }

    [Fact]
    public async Task DropDatabase_Cascade_DropsItsTables()
    {
        await using var h = await WithShopAsync();
        await h.CreateTableAsync(Orders, Tables.Log());
        await h.CreateTableAsync(new TablePath("shop", "items"), Tables.PrimaryKey());

        await h.Coordinator.DropDatabaseAsync(new DropDatabaseRequest { DatabaseName = "shop", Cascade = true });

        Assert.False((await h.Admin.DatabaseExistsAsync(new DatabaseExistsRequest { DatabaseName = "shop" })).Exists);
        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = Pb(Orders) })).Exists);
        var e = await h.FailsAsync(() => h.Admin.ListTablesAsync(new ListTablesRequest { DatabaseName = "shop" }).ResponseAsync);
        Assert.Equal(FlussErrorCode.DatabaseNotExist, e.ErrorCode);
        // the database node and its tables left the store with it
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
        {
            Assert.Null(await session.ExistsAsync("/fluss/metadata/databases/shop"));
        }
    }

    [Fact]
    public async Task CreateTable_LogTable_InfoSchemaAndListingRoundTrip()
    {
        await using var h = await WithShopAsync();
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 3));

        var info = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(Orders) });
        Assert.Equal(0, info.TableId);
        Assert.Equal(1, info.SchemaId);
        var descriptor = TableDescriptor.FromJson(info.TableJson.Span);
        Assert.Equal(Tables.LogSchema().ColumnNames, descriptor.Schema.ColumnNames);
        Assert.Equal(3, descriptor.BucketCount);
        Assert.Equal("1", descriptor.Properties["table.replication.factor"]);
        Assert.Equal("orders log", descriptor.Comment);

        var schema = await h.Admin.GetTableSchemaAsync(new GetTableSchemaRequest { TablePath = Pb(Orders) });
        Assert.Equal(1, schema.SchemaId);
        Assert.Equal(Tables.LogSchema(), Schema.FromJson(schema.SchemaJson.Span));
        var byId = await h.Admin.GetTableSchemaAsync(new GetTableSchemaRequest { TablePath = Pb(Orders), SchemaId = 1 });
        Assert.Equal(schema.SchemaJson, byId.SchemaJson);
        var missing = await h.FailsAsync(() => h.Admin.GetTableSchemaAsync(new GetTableSchemaRequest { TablePath = Pb(Orders), SchemaId = 2 }).ResponseAsync);
        Assert.Equal(FlussErrorCode.SchemaNotExist, missing.ErrorCode);

        Assert.Equal(["orders"], (await h.Admin.ListTablesAsync(new ListTablesRequest { DatabaseName = "shop" })).TableName);
        Assert.True((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = Pb(Orders) })).Exists);
        var summary = (await h.Admin.ListDatabasesAsync(new ListDatabasesRequest())).DatabaseSummary.Single(s => s.DatabaseName == "shop");
        Assert.Equal(1, summary.TableCount);

        await h.CreateTableAsync(new TablePath("shop", "second"), Tables.Log());
        var second = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(new TablePath("shop", "second")) });
        Assert.Equal(1, second.TableId);
    }

    [Fact]
    public async Task CreateTable_PrimaryKeyTable_DefaultsApplied()
    {
        await using var h = await WithShopAsync();
        await h.CreateTableAsync(Orders, Tables.PrimaryKey());
        var info = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(Orders) });
        var d = TableDescriptor.FromJson(info.TableJson.Span);
        Assert.Equal(1, d.BucketCount);
        Assert.Equal(["id"], d.BucketKeys);
        Assert.Equal("2", d.Properties["table.kv.format-version"]);
        Assert.Equal("true", d.Properties["table.kv.standby-replica.enabled"]);
    }

    [Fact]
    public async Task CreateTable_Twice_TableAlreadyExistUnlessIgnored()
    {
        await using var h = await WithShopAsync();
        await h.CreateTableAsync(Orders, Tables.Log());
        var e = await h.FailsAsync(() => h.CreateTableAsync(Orders, Tables.Log()));
        Assert.Equal(FlussErrorCode.TableAlreadyExist, e.ErrorCode);
        Assert.Contains("shop.orders already exists", e.Message);
        await h.CreateTableAsync(Orders, Tables.Log(), ignoreIfExists: true);
        Assert.Equal(0, (await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(Orders) })).TableId);
    }

    [Fact]
    public async Task CreateTable_UnknownDatabase_DatabaseNotExist()
    {
        await using var h = await WithShopAsync();
        var e = await h.FailsAsync(() => h.CreateTableAsync(new TablePath("nowhere", "t"), Tables.Log()));
        Assert.Equal(FlussErrorCode.DatabaseNotExist, e.ErrorCode);
        Assert.Contains("nowhere does not exist", e.Message);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("__hidden")]
    public async Task CreateTable_InvalidTableName_InvalidTable(string name)
    {
        await using var h = await WithShopAsync();
        var e = await h.FailsAsync(() => h.CreateTableAsync(new TablePath("shop", name), Tables.Log()));
        Assert.Equal(FlussErrorCode.InvalidTable, e.ErrorCode);
        Assert.Contains($"Table name {name} is invalid", e.Message);
    }

    [Fact]
    public async Task CreateTable_MalformedJson_InvalidTable()
    {
        await using var h = await WithShopAsync();
        var e = await h.FailsAsync(() => h.Coordinator.CreateTableAsync(CreateRequest(Orders, "{\"version\":1,\"schema\":")).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidTable, e.ErrorCode);
        Assert.Contains("shop.orders", e.Message);
        var empty = await h.FailsAsync(() => h.Coordinator.CreateTableAsync(CreateRequest(Orders, "")).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidTable, empty.ErrorCode);
        Assert.Contains("table_json is empty", empty.Message);
    }

    [Fact]
    public async Task CreateTable_DuplicateColumn_InvalidTable()
    {
        await using var h = await WithShopAsync();
        var json = Tables.Log().ToJson().Replace("\"name\":\"amount\"", "\"name\":\"id\"", StringComparison.Ordinal);
        var e = await h.FailsAsync(() => h.Coordinator.CreateTableAsync(CreateRequest(Orders, json)).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidTable, e.ErrorCode);
        Assert.Contains("'id' is defined more than once", e.Message);
    }

    [Fact]
    public async Task CreateTable_PrimaryKeyOnUnknownColumn_InvalidTable()
    {
        await using var h = await WithShopAsync();
        var json = Tables.PrimaryKey().ToJson().Replace("\"primary_key\":[\"id\"]", "\"primary_key\":[\"nope\"]", StringComparison.Ordinal);
        Assert.Contains("\"primary_key\":[\"nope\"]", json);
        var e = await h.FailsAsync(() => h.Coordinator.CreateTableAsync(CreateRequest(Orders, json)).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidTable, e.ErrorCode);
        Assert.Contains("'nope' does not exist", e.Message);
    }

    [Fact]
    public async Task CreateTable_PartitionKeys_NotSupportedYet()
    {
        await using var h = await WithShopAsync();
        var json = Tables.Log().ToJson().Replace("\"partition_key\":[]", "\"partition_key\":[\"name\"]", StringComparison.Ordinal);
        var e = await h.FailsAsync(() => h.Coordinator.CreateTableAsync(CreateRequest(Orders, json)).ResponseAsync);
        Assert.Equal(FlussErrorCode.InvalidTable, e.ErrorCode);
        Assert.Contains("partitioned tables are not supported yet", e.Message);
        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = Pb(Orders) })).Exists);
    }

    [Fact]
    public async Task CreateTable_BucketCountAboveMax_BucketMaxNum()
    {
        await using var h = await WithShopAsync();
        var e = await h.FailsAsync(() => h.CreateTableAsync(Orders, Tables.Log(buckets: 5000)));
        Assert.Equal(FlussErrorCode.BucketMaxNum, e.ErrorCode);
        Assert.Contains("4096", e.Message);
    }

    [Fact]
    public async Task CreateTable_ReplicationFactorAboveLiveServers_InvalidReplicationFactor()
    {
        await using var h = await WithShopAsync(tabletServers: 2);
        var e = await h.FailsAsync(() => h.CreateTableAsync(Orders, Tables.Log(replicationFactor: 3)));
        Assert.Equal(FlussErrorCode.InvalidReplicationFactor, e.ErrorCode);
        Assert.Contains("larger than available tablet servers: 2", e.Message);
    }

    [Fact]
    public async Task GetTableInfo_UnknownTable_TableNotExistNamingIt()
    {
        await using var h = await WithShopAsync();
        var e = await h.FailsAsync(() => h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = Pb(Orders) }).ResponseAsync);
        Assert.Equal(FlussErrorCode.TableNotExist, e.ErrorCode);
        Assert.IsType<TableNotExistException>(e);
        Assert.Contains("shop.orders does not exist", e.Message);
        var schema = await h.FailsAsync(() => h.Admin.GetTableSchemaAsync(new GetTableSchemaRequest { TablePath = Pb(Orders) }).ResponseAsync);
        Assert.Equal(FlussErrorCode.TableNotExist, schema.ErrorCode);
        var info = await h.FailsAsync(() => h.Admin.GetDatabaseInfoAsync(new GetDatabaseInfoRequest { DatabaseName = "nope" }).ResponseAsync);
        Assert.Equal(FlussErrorCode.DatabaseNotExist, info.ErrorCode);
    }

    [Fact]
    public async Task GetMetadata_Table_ServersBucketsLeadersAndEpochs()
    {
        await using var h = await WithShopAsync(tabletServers: 3);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 4, replicationFactor: 2));

        var request = new MetadataRequest();
        request.TablePath.Add(Pb(Orders));
        var response = await h.Admin.GetMetadataAsync(request);
        Assert.Equal(0, response.CoordinatorServer.NodeId);
        Assert.Equal(h.Server.Port, response.CoordinatorServer.Port);
        Assert.Equal([1, 2, 3], response.TabletServers.Select(s => s.NodeId));
        Assert.Equal(h.TabletServers.Select(s => s.Port), response.TabletServers.Select(s => s.Port));
        var table = response.TableMetadata.Single();
        Assert.Equal(Orders, new TablePath(table.TablePath.DatabaseName, table.TablePath.TableName));
        Assert.Equal(1, table.SchemaId);
        Assert.Equal(4, table.BucketMetadata.Count);
        foreach (var b in table.BucketMetadata)
        {
            Assert.Equal(2, b.ReplicaId.Distinct().Count());
            Assert.Equal(b.ReplicaId[0], b.LeaderId); // the first replica leads a new bucket
            Assert.Equal(0, b.LeaderEpoch);
        }

        var unknown = new MetadataRequest();
        unknown.TablePath.Add(Pb(new TablePath("shop", "nope")));
        var e = await h.FailsAsync(() => h.Admin.GetMetadataAsync(unknown).ResponseAsync);
        Assert.Equal(FlussErrorCode.TableNotExist, e.ErrorCode);
        Assert.Contains("shop.nope does not exist", e.Message);

        var serversOnly = await h.Admin.GetMetadataAsync(new MetadataRequest());
        Assert.Empty(serversOnly.TableMetadata);
        Assert.Equal(3, serversOnly.TabletServers.Count);
    }

    [Fact]
    public async Task DropTable_UnknownTable_TableNotExistUnlessIgnored()
    {
        await using var h = await WithShopAsync();
        var e = await h.FailsAsync(() => h.Coordinator.DropTableAsync(new DropTableRequest { TablePath = Pb(Orders) }).ResponseAsync);
        Assert.Equal(FlussErrorCode.TableNotExist, e.ErrorCode);
        Assert.Contains("shop.orders does not exist", e.Message);
        await h.Coordinator.DropTableAsync(new DropTableRequest { TablePath = Pb(Orders), IgnoreIfNotExists = true });
    }

    [Fact]
    public async Task InitWriter_Calls_IncreasingIds()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        var first = await h.Coordinator.InitWriterAsync(new InitWriterRequest());
        var second = await h.Coordinator.InitWriterAsync(new InitWriterRequest());
        Assert.Equal(0, first.WriterId);
        Assert.Equal(1, second.WriterId);
    }

    [Fact]
    public async Task CreateTable_RequestLargerThanLimit_RecordTooLargeAndServerStaysUp()
    {
        await using var h = await CoordinatorHarness.StartAsync(c => c.SetString("netty.server.max-request-size", "64kb"));
        await h.AddTabletServersAsync(1);
        var huge = CreateRequest(Orders, "{\"comment\":\"" + new string('x', 200_000) + "\"}");
        var e = await h.FailsAsync(() => h.Coordinator.CreateTableAsync(huge).ResponseAsync);
        Assert.Equal(FlussErrorCode.RecordTooLarge, e.ErrorCode);
        Assert.Contains("65536 bytes", e.Message);
        Assert.Contains("netty.server.max-request-size", e.Message);

        await h.CreateDatabaseAsync("shop");
        await h.CreateTableAsync(Orders, Tables.Log());
        Assert.True((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = Pb(Orders) })).Exists);
    }

    [Fact]
    public async Task CreateTable_StoreHoldsFlussLayoutWrittenAtomically()
    {
        await using var h = await WithShopAsync(tabletServers: 2);
        await h.CreateTableAsync(Orders, Tables.Log(buckets: 2, replicationFactor: 2));
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
        {
            var reg = Encoding.UTF8.GetString((await session.GetAsync("/fluss/metadata/databases/shop/tables/orders")).Data);
            Assert.StartsWith("{\"version\":1,\"table_id\":0,\"comment\":\"orders log\",\"bucket_count\":2,", reg);
            var schema = await session.GetAsync("/fluss/metadata/databases/shop/tables/orders/schemas/1");
            Assert.Equal(Tables.LogSchema(), Schema.FromJson(schema.Data));
            var assignment = Encoding.UTF8.GetString((await session.GetAsync("/fluss/tabletservers/tables/0")).Data);
            Assert.StartsWith("{\"version\":1,\"buckets\":{\"0\":[", assignment);
            var lai = Encoding.UTF8.GetString((await session.GetAsync("/fluss/tabletservers/tables/0/buckets/1/leader_isr")).Data);
            Assert.Matches("^\\{\"version\":2,\"leader\":[12],\"leader_epoch\":0,\"isr\":\\[[12],[12]\\],\"coordinator_epoch\":0,\"bucket_epoch\":0,\"standby_replicas\":\\[\\]\\}$", lai);
            var all = await session.GetChildrenAsync("/fluss/tabletservers/tables/0/buckets");
            Assert.Equal(["0", "1"], all);
            // a second create that fails changes nothing: the table id counter moved, no other node appeared
            await Assert.ThrowsAnyAsync<Exception>(() => h.CreateTableAsync(Orders, Tables.Log()));
            Assert.Equal(["0"], await session.GetChildrenAsync("/fluss/tabletservers/tables"));
        }
    }
}
