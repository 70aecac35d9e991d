using Fluss.Coordinator.Lake;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Tests.Coordinator.Support;
using static Fluss.Tests.Coordinator.Support.LakeSupport;

namespace Fluss.Tests.Coordinator;

/// <summary>ALTER TABLE of table options through real gRPC.</summary>
public class CoordinatorAlterTableTests
{
    private static readonly TablePath Orders = new("shop", "orders");

    private static PbAlterConfig Set(string key, string value) => new() { ConfigKey = key, ConfigValue = value, OpType = 0 };

    private static PbAlterConfig Reset(string key) => new() { ConfigKey = key, OpType = 1 };

    private static Task AlterAsync(CoordinatorHarness h, TablePath path, params PbAlterConfig[] changes) => AlterAsync(h, path, false, changes);

    private static async Task AlterAsync(CoordinatorHarness h, TablePath path, bool ignoreIfNotExists, params PbAlterConfig[] changes)
    {
        var request = new AlterTableRequest { TablePath = PbPath(path), IgnoreIfNotExists = ignoreIfNotExists };
        request.ConfigChanges.AddRange(changes);
        await h.Coordinator.AlterTableAsync(request);
    }

    private static async Task<(TableDescriptor Descriptor, GetTableInfoResponse Info)> InfoAsync(CoordinatorHarness h, TablePath path)
    {
        var info = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = PbPath(path) });
        return (TableDescriptor.FromJson(info.TableJson.Span), info);
    }

    private static async Task<CoordinatorHarness> WithTableAsync(bool lake = false)
    {
        var h = lake ? await StartAsync() : await CoordinatorHarness.StartAsync();
        if (!lake)
        {
            await h.AddTabletServersAsync(1);
            await h.CreateDatabaseAsync("shop");
        }
        await h.CreateTableAsync(Orders, LakeLog(buckets: 2, lake: false));
        return h;
    }

    [Fact]
    public async Task AlterTable_AlterableOptions_PersistedWithNewModifiedTimeAndSentToTabletServers()
    {
        await using var h = await WithTableAsync();
        var (_, before) = await InfoAsync(h, Orders);
        h.Clock!.Advance(TimeSpan.FromSeconds(5));
        h.TabletServers[0].Service.Clear();

        await AlterAsync(h, Orders, Set("table.log.ttl", "2 d"), Set("table.log.tiered.local-segments", "3"));

        var (descriptor, after) = await InfoAsync(h, Orders);
        Assert.Equal("2 d", descriptor.Properties["table.log.ttl"]);
        Assert.Equal(TimeSpan.FromDays(2), descriptor.TableConfig.LogTtl);
        Assert.Equal(3, descriptor.TableConfig.TieredLogLocalSegments);
        Assert.Equal(before.CreatedTime, after.CreatedTime);
        Assert.Equal(before.ModifiedTime + 5000, after.ModifiedTime);
        Assert.Equal(before.TableId, after.TableId);

        await Eventually.TrueAsync(() => h.TabletServers[0].Service.MetadataUpdates.Any(u =>
            u.TableMetadata.Any(t => t.TableId == after.TableId && TableDescriptor.FromJson(t.TableJson.Span).Properties.GetValueOrDefault("table.log.ttl") == "2 d")),
            "UpdateMetadata with the altered table");
        var sent = h.TabletServers[0].Service.MetadataUpdates.SelectMany(u => u.TableMetadata).Last(t => t.TableId == after.TableId);
        Assert.Equal(2, sent.BucketMetadata.Count);
        Assert.Equal(after.ModifiedTime, sent.ModifiedTime);

        await h.RestartAsync();
        Assert.Equal("2 d", (await InfoAsync(h, Orders)).Descriptor.Properties["table.log.ttl"]);
    }

    [Fact]
    public async Task AlterTable_Delete_OptionBackToItsDefault()
    {
        await using var h = await WithTableAsync();
        await AlterAsync(h, Orders, Set("table.log.ttl", "1 h"));
        await AlterAsync(h, Orders, Reset("table.log.ttl"));
        var (descriptor, _) = await InfoAsync(h, Orders);
        Assert.False(descriptor.Properties.ContainsKey("table.log.ttl"));
        Assert.Equal(TimeSpan.FromDays(7), descriptor.TableConfig.LogTtl);
    }

    [Theory]
    [InlineData("table.log.format")]
    [InlineData("table.replication.factor")]
    [InlineData("owner")]
    public async Task AlterTable_OptionNotAlterable_RefusedByNameAndNothingChanges(string key)
    {
        await using var h = await WithTableAsync();
        var (_, before) = await InfoAsync(h, Orders);
        var e = await h.FailsAsync(() => AlterAsync(h, Orders, Set("table.log.ttl", "1 h"), Set(key, "x")));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, e.ErrorCode);
        Assert.IsType<InvalidAlterTableException>(e);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("table.datalake.enabled", e.Message);
        Assert.Contains("table.log.ttl", e.Message);
        var (descriptor, after) = await InfoAsync(h, Orders);
        Assert.False(descriptor.Properties.ContainsKey("table.log.ttl"));
        Assert.Equal(before.ModifiedTime, after.ModifiedTime);
    }

    [Fact]
    public async Task AlterTable_InvalidValue_InvalidConfigNamingTheKey()
    {
        await using var h = await WithTableAsync();
        var e = await h.FailsAsync(() => AlterAsync(h, Orders, Set("table.log.ttl", "soon")));
        Assert.Equal(FlussErrorCode.InvalidConfig, e.ErrorCode);
        Assert.Contains("table.log.ttl", e.Message);
    }

    [Fact]
    public async Task AlterTable_UnsupportedOpOrMissingValue_InvalidAlterTable()
    {
        await using var h = await WithTableAsync();
        var append = await h.FailsAsync(() => AlterAsync(h, Orders, new PbAlterConfig { ConfigKey = "table.log.ttl", ConfigValue = "1 h", OpType = 2 }));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, append.ErrorCode);
        Assert.Contains("op_type 2", append.Message);
        var noValue = await h.FailsAsync(() => AlterAsync(h, Orders, new PbAlterConfig { ConfigKey = "table.log.ttl", OpType = 0 }));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, noValue.ErrorCode);
    }

    [Fact]
    public async Task AlterTable_StandbyOnLogTable_Refused()
    {
        await using var h = await WithTableAsync();
        var e = await h.FailsAsync(() => AlterAsync(h, Orders, Set("table.kv.standby-replica.enabled", "true")));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, e.ErrorCode);
        Assert.Contains("primary key tables", e.Message);
    }

    [Fact]
    public async Task AlterTable_UnknownTable_TableNotExistUnlessIgnored()
    {
        await using var h = await WithTableAsync();
        var missing = new TablePath("shop", "missing");
        var e = await h.FailsAsync(() => AlterAsync(h, missing, Set("table.log.ttl", "1 h")));
        Assert.Equal(FlussErrorCode.TableNotExist, e.ErrorCode);
        await AlterAsync(h, missing, true, Set("table.log.ttl", "1 h"));
    }

    [Fact]
    public async Task AlterTable_EnableDatalake_CreatesThePaimonTableAndSchedulesIt_DisableStopsScheduling()
    {
        await using var h = await WithTableAsync(lake: true);
        var tableId = await TableIdAsync(h, Orders);
        var location = ((PaimonLakeStorage)h.Lake!).TableLocation(Orders);
        Assert.False(Directory.Exists(location));
        Assert.Null(h.Server.Processor.Tiering.StateOf(tableId));

        await AlterAsync(h, Orders, Set("table.datalake.enabled", "true"), Set("table.datalake.freshness", "30 s"));
        Assert.True(File.Exists(Path.Combine(location, "schema", "schema-0")));
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, location);
        Assert.Equal(["id", "name", "amount"], reader.ColumnNames);
        Assert.Equal(TieringState.Scheduled, h.Server.Processor.Tiering.StateOf(tableId));
        var claimed = await ClaimAsync(h);
        Assert.Equal(tableId, claimed.TableId);

        await AlterAsync(h, Orders, Set("table.datalake.enabled", "false"));
        Assert.Null(h.Server.Processor.Tiering.StateOf(tableId));
        Assert.True(Directory.Exists(location));
        h.Advance(TimeSpan.FromMinutes(5));
        Assert.Null((await h.Coordinator.LakeTieringHeartbeatAsync(new LakeTieringHeartbeatRequest { RequestTable = true })).TieringTable);
    }

    [Fact]
    public async Task AlterTable_Freshness_RescheduledWithTheNewInterval()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, TableDescriptor.NewBuilder().Schema(Tables.LogSchema()).DistributedBy(1)
            .Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 h").Build());
        var tableId = await TableIdAsync(h, Orders);
        h.Advance(TimeSpan.FromSeconds(10));
        await AlterAsync(h, Orders, Set("table.datalake.freshness", "20 s"));
        h.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TieringState.Scheduled, h.Server.Processor.Tiering.StateOf(tableId));
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TieringState.Pending, h.Server.Processor.Tiering.StateOf(tableId));
    }

    [Fact]
    public async Task AlterTable_EnableDatalakeWithoutLakeStorage_LakeStorageNotConfigured()
    {
        await using var h = await WithTableAsync();
        var e = await h.FailsAsync(() => AlterAsync(h, Orders, Set("table.datalake.enabled", "true")));
        Assert.Equal(FlussErrorCode.LakeStorageNotConfigured, e.ErrorCode);
        Assert.Contains("datalake.paimon.warehouse", e.Message);
        Assert.False((await InfoAsync(h, Orders)).Descriptor.TableConfig.IsDataLakeEnabled);
    }

    [Fact]
    public async Task AlterTable_DatalakeOptionOnTableCreatedWithoutLakeFormat_RefusedUnlessLogTableWithoutBucketKey()
    {
        await using var h = await WithTableAsync();
        var e = await h.FailsAsync(() => AlterAsync(h, Orders, Set("table.datalake.freshness", "1 min")));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, e.ErrorCode);
        Assert.Contains("'table.datalake.freshness'", e.Message);

        var keyed = new TablePath("shop", "keyed");
        await h.CreateTableAsync(keyed, Tables.PrimaryKey(buckets: 2));
        var pk = await h.FailsAsync(() => AlterAsync(h, keyed, Set("table.datalake.enabled", "true")));
        Assert.Equal(FlussErrorCode.InvalidAlterTable, pk.ErrorCode);
        Assert.Contains("bucketing", pk.Message);
    }
}
