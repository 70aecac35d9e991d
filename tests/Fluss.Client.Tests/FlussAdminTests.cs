using System.Diagnostics;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Tests.Client.Support;
using static Fluss.Tests.Client.FlussConnectionTests;

namespace Fluss.Tests.Client;

/// <summary>Admin calls against an in-process fake coordinator.</summary>
public class FlussAdminTests
{
    [Fact]
    public async Task DatabaseAndTableCalls_RoundTripThroughTheCoordinator()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var admin = connection.Admin;

        await admin.CreateDatabaseAsync("shop", DatabaseDescriptor.NewBuilder().Comment("the shop").Build());
        await admin.CreateDatabaseAsync("shop", ignoreIfExists: true);
        await Assert.ThrowsAsync<DatabaseAlreadyExistException>(() => admin.CreateDatabaseAsync("shop"));
        Assert.True(await admin.DatabaseExistsAsync("shop"));
        Assert.Equal("the shop", (await admin.GetDatabaseInfoAsync("shop")).Descriptor.Comment);

        var descriptor = TestTables.Descriptor(TestTables.OrdersSchema(), 4, ["id"]);
        await admin.CreateTableAsync(TestTables.Orders, descriptor);
        Assert.True(await admin.TableExistsAsync(TestTables.Orders));
        Assert.Equal(["orders"], await admin.ListTablesAsync("shop"));
        var info = await admin.GetTableInfoAsync(TestTables.Orders);
        Assert.Equal(4, info.NumBuckets);
        Assert.Equal(["id"], info.BucketKeys);
        Assert.Equal(10, info.CreatedTime);
        var schema = await admin.GetTableSchemaAsync(TestTables.Orders);
        Assert.Equal(1, schema.SchemaId);
        Assert.Equal(TestTables.OrdersSchema().ColumnNames, schema.Schema.ColumnNames);
        var missingSchema = await Assert.ThrowsAsync<FlussException>(() => admin.GetTableSchemaAsync(TestTables.Orders, 9));
        Assert.Equal(FlussErrorCode.SchemaNotExist, missingSchema.ErrorCode);

        await admin.DropTableAsync(TestTables.Orders);
        await Assert.ThrowsAsync<TableNotExistException>(() => admin.GetTableInfoAsync(TestTables.Orders));
        await admin.DropTableAsync(TestTables.Orders, ignoreIfNotExists: true);
        await admin.DropDatabaseAsync("shop");
        Assert.Empty(await admin.ListDatabasesAsync());
        await Assert.ThrowsAsync<DatabaseNotExistException>(() => admin.ListTablesAsync("shop"));
    }

    [Fact]
    public async Task ListOffsetsAsync_EarliestLatestTimestamp_FromTheLeaders()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 2, ["id"]));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using (var writer = table.NewAppendWriter())
        {
            // id 1000 hashes to bucket 1 of 2 buckets... whichever it is, all five rows share it.
            for (var i = 0; i < 5; i++) _ = writer.AppendAsync(GenericRow.Of(1000, "x", (long)i));
            await writer.FlushAsync();
        }
        var bucket = cluster.State.Tables[TestTables.Orders].Logs[0].RowCount == 5 ? 0 : 1;

        var earliest = await connection.Admin.ListOffsetsAsync(TestTables.Orders, [0, 1], OffsetSpec.Earliest);
        var latest = await connection.Admin.ListOffsetsAsync(TestTables.Orders, [0, 1], OffsetSpec.Latest);
        var future = await connection.Admin.ListOffsetsAsync(TestTables.Orders, [bucket], OffsetSpec.Timestamp(long.MaxValue));

        Assert.Equal(0, earliest[0]);
        Assert.Equal(0, earliest[1]);
        Assert.Equal(5, latest[bucket]);
        Assert.Equal(0, latest[1 - bucket]);
        Assert.Equal(5, future[bucket]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => connection.Admin.ListOffsetsAsync(TestTables.Orders, [2], OffsetSpec.Latest));
    }

    [Fact]
    public async Task AdminCall_CoordinatorDown_FailsWithinTimeoutNamingIt()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var down = FakeCluster.ClosedPort();
        cluster.State.CoordinatorPort = down;
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { RequestTimeout = TimeSpan.FromSeconds(2) });
        var watch = Stopwatch.StartNew();

        var read = await Assert.ThrowsAsync<FlussException>(() => connection.Admin.ListDatabasesAsync());
        var write = await Assert.ThrowsAsync<FlussException>(() => connection.Admin.CreateDatabaseAsync("x"));

        Assert.Equal(FlussErrorCode.Network, read.ErrorCode);
        Assert.Equal(FlussErrorCode.Network, write.ErrorCode);
        Assert.Contains($"127.0.0.1:{down}", read.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task AlterTableAsync_SetAndReset_SentAsSetAndDeleteOps_RefusalTyped()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));

        await connection.Admin.AlterTableAsync(TestTables.Orders,
            [TableChange.Set("table.datalake.freshness", "1 min"), TableChange.Reset("table.log.ttl")], ignoreIfNotExists: true);

        var request = Assert.Single(cluster.State.AlterRequests);
        Assert.Equal(("shop", "orders"), (request.TablePath.DatabaseName, request.TablePath.TableName));
        Assert.True(request.IgnoreIfNotExists);
        Assert.Equal(2, request.ConfigChanges.Count);
        Assert.Equal(("table.datalake.freshness", "1 min", 0), (request.ConfigChanges[0].ConfigKey, request.ConfigChanges[0].ConfigValue, request.ConfigChanges[0].OpType));
        Assert.Equal(("table.log.ttl", false, 1), (request.ConfigChanges[1].ConfigKey, request.ConfigChanges[1].HasConfigValue, request.ConfigChanges[1].OpType));

        var refused = await Assert.ThrowsAsync<InvalidAlterTableException>(() => connection.Admin.AlterTableAsync(TestTables.Orders, [TableChange.Set("bad", "x")]));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, refused.ErrorCode);
        Assert.Contains("'bad'", refused.Message);
        Assert.Throws<ArgumentException>(() => TableChange.Set(" ", "x"));
    }

    [Fact]
    public async Task GetLakeSnapshotAsync_Snapshot_BucketOffsetsAndCommitTime_NoneTyped()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));

        var none = await Assert.ThrowsAsync<LakeTableSnapshotNotExistException>(() => connection.Admin.GetLakeSnapshotAsync(TestTables.Orders));
        Assert.Equal(FlussErrorCode.LakeSnapshotNotExist, none.ErrorCode);
        Assert.Contains("shop.orders", none.Message);

        var response = new Rpc.Messages.GetLakeSnapshotResponse { TableId = 7, SnapshotId = 3, CommitTimestamp = 1_700_000_000_123 };
        response.BucketSnapshots.Add(new Rpc.Messages.PbLakeSnapshotForBucket { BucketId = 0, LogOffset = 10 });
        response.BucketSnapshots.Add(new Rpc.Messages.PbLakeSnapshotForBucket { BucketId = 2, LogOffset = 30 });
        cluster.State.LakeSnapshot = response;

        var snapshot = await connection.Admin.GetLakeSnapshotAsync(TestTables.Orders);
        Assert.Equal(7, snapshot.TableId);
        Assert.Equal(3, snapshot.SnapshotId);
        Assert.Equal(new Dictionary<int, long> { [0] = 10, [2] = 30 }, snapshot.BucketOffsets);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), snapshot.CommitTime);

        response.ClearCommitTimestamp();
        Assert.Null((await connection.Admin.GetLakeSnapshotAsync(TestTables.Orders)).CommitTime);
    }
}
