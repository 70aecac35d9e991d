using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Testing;
using Fluss.Types;
using Grpc.Net.Client;

namespace Fluss.Cluster.Tests;

/// <summary>Lake tables and ALTER TABLE through the real client against the in-process cluster (Paimon lake by default).</summary>
public sealed class LakeTableTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private FlussConnection Conn => fixture.Connection;

    private async Task<TablePath> CreateTableAsync(bool lake, bool primaryKey = false)
    {
        var db = ClusterFixture.NewDatabaseName("lakedb");
        await Conn.Admin.CreateDatabaseAsync(db);
        var path = new TablePath(db, "events");
        var schema = Schema.NewBuilder().Column("id", new IntType(false)).Column("name", new StringType());
        if (primaryKey) schema.PrimaryKey("id");
        var builder = TableDescriptor.NewBuilder().Schema(schema.Build()).DistributedBy(2);
        if (lake) builder.Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 h");
        await Conn.Admin.CreateTableAsync(path, builder.Build());
        return path;
    }

    [Fact]
    public async Task AlterTableAsync_AlterableOptions_VisibleFromTheCoordinatorAndFromEveryTabletServer()
    {
        var path = await CreateTableAsync(lake: false);
        var before = await Conn.Admin.GetTableInfoAsync(path);

        await Conn.Admin.AlterTableAsync(path, [TableChange.Set("table.log.ttl", "3 d"), TableChange.Set("table.datalake.freshness", "2 min")]);

        var after = await Conn.Admin.GetTableInfoAsync(path);
        Assert.Equal(TimeSpan.FromDays(3), after.TableConfig.LogTtl);
        Assert.Equal(TimeSpan.FromMinutes(2), after.TableConfig.DataLakeFreshness);
        Assert.True(after.ModifiedTime >= before.ModifiedTime);
        foreach (var server in fixture.Cluster.Cluster.TabletServers.Values)
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");
            var client = new AdminReadOnlyService.AdminReadOnlyServiceClient(channel);
            await Wait.UntilAsync(async () =>
            {
                var info = await client.GetTableInfoAsync(new GetTableInfoRequest { TablePath = new PbTablePath { DatabaseName = path.DatabaseName, TableName = path.TableName } });
                var descriptor = TableDescriptor.FromJson(info.TableJson.Span);
                return info.TableId == after.TableId && descriptor.Properties.GetValueOrDefault("table.log.ttl") == "3 d"
                    && info.ModifiedTime == after.ModifiedTime;
            }, TimeSpan.FromSeconds(20), $"tablet server {server.ServerId} sees the altered table");
        }
    }

    [Fact]
    public async Task AlterTableAsync_NotAlterable_InvalidAlterTableException()
    {
        var path = await CreateTableAsync(lake: false);
        var e = await Assert.ThrowsAsync<InvalidAlterTableException>(() => Conn.Admin.AlterTableAsync(path, [TableChange.Set("table.log.arrow.compression.type", "NONE")]));
        Assert.Contains("'table.log.arrow.compression.type'", e.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<InvalidConfigException>(() => Conn.Admin.AlterTableAsync(path, [TableChange.Set("table.datalake.freshness", "-")]));
        Assert.Contains("table.datalake.freshness", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LakeTable_Created_PaimonTableInTheClusterWarehouse_NoSnapshotYet()
    {
        var path = await CreateTableAsync(lake: true, primaryKey: true);
        var lake = (PaimonLakeStorage)fixture.Cluster.Cluster.LakeStorage!;
        Assert.StartsWith(Path.Combine(fixture.Cluster.DataDir, "lake"), lake.Warehouse, StringComparison.Ordinal);
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, lake.TableLocation(path));
        Assert.Equal(["id"], reader.PrimaryKeys);
        Assert.Equal("2", reader.Options["bucket"]);
        Assert.Equal("input", reader.Options["changelog-producer"]);

        var none = await Assert.ThrowsAsync<LakeTableSnapshotNotExistException>(() => Conn.Admin.GetLakeSnapshotAsync(path));
        Assert.Contains(path.ToString(), none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlterTableAsync_EnableDatalakeOnPrimaryKeyTable_LakeTableCreated()
    {
        var path = await CreateTableAsync(lake: false, primaryKey: true);
        var lake = (PaimonLakeStorage)fixture.Cluster.Cluster.LakeStorage!;
        Assert.False(Directory.Exists(lake.TableLocation(path)));
        await Conn.Admin.AlterTableAsync(path, [TableChange.Set("table.datalake.enabled", "true")]);
        Assert.True((await Conn.Admin.GetTableInfoAsync(path)).TableConfig.IsDataLakeEnabled);
        Assert.True(File.Exists(Path.Combine(lake.TableLocation(path), "schema", "schema-0")));
    }
}
