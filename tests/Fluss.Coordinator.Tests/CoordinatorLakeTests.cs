using System.Globalization;
using System.Text.RegularExpressions;
using Fluss.Coordinator.Lake;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.MetadataStore;
using Fluss.Rpc.Messages;
using Fluss.Tests.Coordinator.Support;
using static Fluss.Tests.Coordinator.Support.LakeSupport;

namespace Fluss.Tests.Coordinator;

/// <summary>Lake tables through real gRPC: creation in a Paimon warehouse, tiering heartbeats, the two-phase snapshot commit.</summary>
public class CoordinatorLakeTests
{
    private static readonly TablePath Orders = new("shop", "orders");

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task CreateTable_LakeEnabledWithoutLakeStorage_LakeStorageNotConfiguredAndNoTable()
    {
        await using var h = await CoordinatorHarness.StartAsync();
        await h.AddTabletServersAsync(1);
        await h.CreateDatabaseAsync("shop");
        var e = await h.FailsAsync(() => h.CreateTableAsync(Orders, LakeLog()));
        Assert.Equal(FlussErrorCode.LakeStorageNotConfigured, e.ErrorCode);
        Assert.IsType<LakeStorageNotConfiguredException>(e);
        Assert.Contains("datalake.format", e.Message);
        Assert.Contains("datalake.paimon.warehouse", e.Message);
        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = PbPath(Orders) })).Exists);
    }

    [Fact]
    public async Task CreateTable_WarehouseIsAFile_ClearErrorNoTableAndServerKeepsServing()
    {
        string? warehouse = null;
        await using var h = await StartAsync(dir =>
        {
            warehouse = Path.Combine(dir, "warehouse");
            File.WriteAllText(warehouse, "not a directory");
            return new PaimonLakeStorage(warehouse);
        });
        var e = await h.FailsAsync(() => h.CreateTableAsync(Orders, LakeLog()));
        Assert.Equal(FlussErrorCode.LakeStorageNotConfigured, e.ErrorCode);
        Assert.Contains(warehouse!, e.Message);
        Assert.Contains("shop.orders", e.Message);
        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = PbPath(Orders) })).Exists);

        await h.CreateTableAsync(Orders, LakeLog(lake: false));
        Assert.True((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = PbPath(Orders) })).Exists);
    }

    [Fact]
    public async Task CreateTable_LakeEnabled_PaimonTableCreatedWithFlussLayoutAndScheduled()
    {
        await using var h = await StartAsync();
        var pk = TableDescriptor.NewBuilder().Schema(Tables.PkSchema()).DistributedBy(4)
            .Property("table.datalake.enabled", "true").Build();
        await h.CreateTableAsync(Orders, pk);

        var tableId = await TableIdAsync(h, Orders);
        var info = await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = PbPath(Orders) });
        Assert.Equal("paimon", TableDescriptor.FromJson(info.TableJson.Span).Properties["table.datalake.format"]);
        var location = ((PaimonLakeStorage)h.Lake!).TableLocation(Orders);
        Assert.Equal(Path.Combine(h.Dir.Path, "warehouse", "shop.db", "orders"), location);
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, location);
        Assert.Equal(["id", "name"], reader.ColumnNames);
        Assert.Equal(["id"], reader.PrimaryKeys);
        Assert.Equal("4", reader.Options["bucket"]);
        Assert.Equal(TieringState.Scheduled, h.Server.Processor.Tiering.StateOf(tableId));
    }

    [Fact]
    public async Task CreateTable_LakeTableOfADifferentLayoutInTheWay_LakeTableAlreadyExistAndNoTable()
    {
        await using var h = await StartAsync();
        await h.Lake!.CreateTableAsync(Orders, TableDescriptor.NewBuilder().Schema(Tables.PkSchema()).DistributedBy(2).Build());
        var e = await h.FailsAsync(() => h.CreateTableAsync(Orders, LakeLog()));
        Assert.Equal(FlussErrorCode.LakeTableAlreadyExist, e.ErrorCode);
        Assert.False((await h.Admin.TableExistsAsync(new TableExistsRequest { TablePath = PbPath(Orders) })).Exists);
    }

    [Fact]
    public async Task Heartbeat_RequestTable_HandedOutOnlyAfterFreshnessWithPathAndEpoch()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog());
        var tableId = await TableIdAsync(h, Orders);
        var early = await h.Coordinator.LakeTieringHeartbeatAsync(new LakeTieringHeartbeatRequest { RequestTable = true });
        Assert.Null(early.TieringTable);
        Assert.Equal(h.Server.CoordinatorEpoch, early.CoordinatorEpoch);

        var claimed = await ClaimAsync(h);
        Assert.Equal(tableId, claimed.TableId);
        Assert.Equal(PbPath(Orders), claimed.TablePath);
        Assert.Equal(h.Server.Processor.Tiering.EpochOf(tableId), claimed.TieringEpoch);
        Assert.Equal(TieringState.Tiering, h.Server.Processor.Tiering.StateOf(tableId));

        var again = await h.Coordinator.LakeTieringHeartbeatAsync(new LakeTieringHeartbeatRequest { RequestTable = true });
        Assert.Null(again.TieringTable);
    }

    [Fact]
    public async Task Heartbeat_TieringTablesRenewed_SilentRoundTimesOutAndIsHandedOutAgainWithNewEpoch()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog());
        var round = await ClaimAsync(h);
        for (var i = 0; i < 3; i++)
        {
            h.Advance(ServiceTimeout / 2);
            var beat = new LakeTieringHeartbeatRequest();
            beat.TieringTables.Add(Round(h, round.TableId, round.TieringEpoch));
            var response = await h.Coordinator.LakeTieringHeartbeatAsync(beat);
            Assert.Null(response.TieringTableResp.Single().Error);
        }
        h.Advance(ServiceTimeout);
        var next = await h.Coordinator.LakeTieringHeartbeatAsync(new LakeTieringHeartbeatRequest { RequestTable = true });
        Assert.NotNull(next.TieringTable);
        Assert.True(next.TieringTable.TieringEpoch > round.TieringEpoch);

        var stale = new LakeTieringHeartbeatRequest();
        stale.TieringTables.Add(Round(h, round.TableId, round.TieringEpoch));
        stale.FinishedTables.Add(Round(h, round.TableId, round.TieringEpoch));
        var refused = await h.Coordinator.LakeTieringHeartbeatAsync(stale);
        Assert.Equal((int)FlussErrorCode.FencedTieringEpoch, refused.TieringTableResp.Single().Error.ErrorCode);
        Assert.Equal((int)FlussErrorCode.FencedTieringEpoch, refused.FinishedTableResp.Single().Error.ErrorCode);
        Assert.Equal(TieringState.Tiering, h.Server.Processor.Tiering.StateOf(round.TableId));
    }

    [Fact]
    public async Task Heartbeat_StaleCoordinatorEpoch_InvalidCoordinatorAndNothingChanges()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog());
        var round = await ClaimAsync(h);
        var beat = new LakeTieringHeartbeatRequest();
        var entry = Round(h, round.TableId, round.TieringEpoch);
        entry.CoordinatorEpoch = h.Server.CoordinatorEpoch + 1;
        beat.FailedTables.Add(entry);
        var response = await h.Coordinator.LakeTieringHeartbeatAsync(beat);
        Assert.Equal((int)FlussErrorCode.InvalidCoordinator, response.FailedTableResp.Single().Error.ErrorCode);
        Assert.Equal(TieringState.Tiering, h.Server.Processor.Tiering.StateOf(round.TableId));
    }

    [Fact]
    public async Task PrepareCommitGet_RoundTrip_OffsetsFileInFlussFormatAndSnapshotServed()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 3));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);

        var prepared = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 100, [2] = 300 });
        Assert.False(prepared.HasErrorCode && prepared.ErrorCode != 0, prepared.ErrorMessage);
        Assert.Equal(tableId, prepared.TableId);
        var remote = Path.Combine(h.Dir.Path, "remote");
        Assert.Matches(new Regex("^" + Regex.Escape($"{remote}/lake/shop/orders-{Num(tableId)}/metadata/") + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.offsets$"),
            prepared.LakeTableOffsetsPath);
        Assert.Equal($"{{\"version\":1,\"table_id\":{Num(tableId)},\"bucket_offsets\":[100,-1,300]}}", ReadText(prepared.LakeTableOffsetsPath));

        var snapshotId = await LakeCommitAsync(h.Lake!, Orders, prepared.LakeTableOffsetsPath, (1, "a", 10), (2, "b", 20));
        Assert.Equal(1, snapshotId);
        h.Clock!.Advance(TimeSpan.FromSeconds(2));
        var committed = await CommitAsync(h, tableId, snapshotId, prepared.LakeTableOffsetsPath, round.TieringEpoch);
        Assert.False(committed.HasErrorCode && committed.ErrorCode != 0, committed.ErrorMessage);
        var commitTime = h.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        var session = await h.Store!.OpenSessionAsync();
        NodeData node;
        await using (session)
            node = await session.GetAsync(new FlussZkPaths().LakeTable(tableId));
        Assert.Equal($"{{\"version\":2,\"lake_snapshots\":[{{\"snapshot_id\":1,\"tiered_offsets\":\"{prepared.LakeTableOffsetsPath}\"}}]}}",
            System.Text.Encoding.UTF8.GetString(node.Data));

        var snapshot = await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) });
        Assert.Equal(tableId, snapshot.TableId);
        Assert.Equal(1, snapshot.SnapshotId);
        Assert.Equal([(0, 100L), (2, 300L)], snapshot.BucketSnapshots.Select(b => (b.BucketId, b.LogOffset)));
        Assert.Equal(commitTime, snapshot.CommitTimestamp);
    }

    [Fact]
    public async Task Prepare_SecondRound_MergesWithCommittedOffsets_IgnorePreviousReplacesThem()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 3));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var first = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 100, [2] = 300 });
        await CommitAsync(h, tableId, 1, first.LakeTableOffsetsPath, round.TieringEpoch);

        var merged = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [1] = 50, [2] = 400 });
        Assert.Equal($"{{\"version\":1,\"table_id\":{Num(tableId)},\"bucket_offsets\":[100,50,400]}}", ReadText(merged.LakeTableOffsetsPath));
        Assert.NotEqual(first.LakeTableOffsetsPath, merged.LakeTableOffsetsPath);

        var replaced = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [1] = 50 }, ignorePrevious: true);
        Assert.Equal($"{{\"version\":1,\"table_id\":{Num(tableId)},\"bucket_offsets\":[-1,50]}}", ReadText(replaced.LakeTableOffsetsPath));
    }

    [Fact]
    public async Task Commit_NextSnapshotWithDefaultRetention_OnlyLatestKeptAndOldOffsetsFileDeleted()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 2));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var first = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 1 });
        await CommitAsync(h, tableId, 1, first.LakeTableOffsetsPath, round.TieringEpoch);
        var second = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [1] = 2 });
        var response = await CommitAsync(h, tableId, 2, second.LakeTableOffsetsPath, round.TieringEpoch);
        Assert.False(response.HasErrorCode && response.ErrorCode != 0, response.ErrorMessage);

        Assert.False(File.Exists(first.LakeTableOffsetsPath));
        Assert.True(File.Exists(second.LakeTableOffsetsPath));
        var e = await h.FailsAsync(() => h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders), SnapshotId = 1 }).ResponseAsync);
        Assert.Equal(FlussErrorCode.LakeSnapshotNotExist, e.ErrorCode);
        Assert.Contains("[2]", e.Message);
        var latest = await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) });
        Assert.Equal([(0, 1L), (1, 2L)], latest.BucketSnapshots.Select(b => (b.BucketId, b.LogOffset)));
    }

    [Fact]
    public async Task Commit_EarliestSnapshotToKeep_RetainsFromThatSnapshotOn()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 1));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var paths = new List<string>();
        for (var id = 1; id <= 3; id++)
        {
            var p = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = id * 10 });
            paths.Add(p.LakeTableOffsetsPath);
            await CommitAsync(h, tableId, id, p.LakeTableOffsetsPath, round.TieringEpoch, earliestToKeep: id == 3 ? 2 : 1);
        }
        var old = await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders), SnapshotId = 2 });
        Assert.Equal(20, old.BucketSnapshots.Single().LogOffset);
        Assert.False(File.Exists(paths[0]));
        Assert.True(File.Exists(paths[1]));
        var e = await h.FailsAsync(() => h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders), SnapshotId = 1 }).ResponseAsync);
        Assert.Equal(FlussErrorCode.LakeSnapshotNotExist, e.ErrorCode);
        Assert.Equal(3, (await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) })).SnapshotId);
    }

    [Fact]
    public async Task PrepareAndCommit_StaleTieringEpoch_FencedAndNothingChanges()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 2));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var prepared = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 5 });

        var failed = new LakeTieringHeartbeatRequest();
        failed.FailedTables.Add(Round(h, tableId, round.TieringEpoch));
        Assert.Null((await h.Coordinator.LakeTieringHeartbeatAsync(failed)).FailedTableResp.Single().Error);

        var stalePrepare = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 6 });
        Assert.Equal((int)FlussErrorCode.FencedTieringEpoch, stalePrepare.ErrorCode);
        Assert.False(stalePrepare.HasLakeTableOffsetsPath);
        var staleCommit = await CommitAsync(h, tableId, 1, prepared.LakeTableOffsetsPath, round.TieringEpoch);
        Assert.Equal((int)FlussErrorCode.FencedTieringEpoch, staleCommit.ErrorCode);
        Assert.Contains(Num(round.TieringEpoch), staleCommit.ErrorMessage);

        var e = await h.FailsAsync(() => h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) }).ResponseAsync);
        Assert.Equal(FlussErrorCode.LakeSnapshotNotExist, e.ErrorCode);
        var session = await h.Store!.OpenSessionAsync();
        await using (session)
            Assert.Null(await session.ExistsAsync(new FlussZkPaths().LakeTable(tableId)));
    }

    [Fact]
    public async Task Commit_RetriedWithTheSameSnapshot_AcceptedOnce_OlderSnapshotRefused()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 1));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var p = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 7 });
        Assert.False((await CommitAsync(h, tableId, 3, p.LakeTableOffsetsPath, round.TieringEpoch)).HasErrorCode);
        Assert.False((await CommitAsync(h, tableId, 3, p.LakeTableOffsetsPath, round.TieringEpoch)).HasErrorCode);
        var older = await CommitAsync(h, tableId, 2, p.LakeTableOffsetsPath, round.TieringEpoch);
        Assert.Equal((int)FlussErrorCode.InvalidUpdateVersion, older.ErrorCode);
        Assert.Equal(3, (await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) })).SnapshotId);
    }

    [Fact]
    public async Task Commit_RepairWithoutEpoch_AcceptedOnlyWhenNewerThanTheCommittedSnapshot()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 1));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var p5 = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 50 });
        Assert.False((await CommitAsync(h, tableId, 5, p5.LakeTableOffsetsPath, round.TieringEpoch)).HasErrorCode);
        var p6 = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 60 });

        foreach (var stale in new long[] { 5, 4 })
        {
            var refused = await CommitAsync(h, tableId, stale, p6.LakeTableOffsetsPath, epoch: null);
            Assert.Equal((int)FlussErrorCode.InvalidUpdateVersion, refused.ErrorCode);
            Assert.Contains("repair", refused.ErrorMessage);
            var current = await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) });
            Assert.Equal((5L, 50L), (current.SnapshotId, current.BucketSnapshots.Single().LogOffset));
        }

        // a repair needs no running round: the round may have been abandoned
        var failed = new LakeTieringHeartbeatRequest();
        failed.FailedTables.Add(Round(h, tableId, round.TieringEpoch));
        await h.Coordinator.LakeTieringHeartbeatAsync(failed);
        var accepted = await CommitAsync(h, tableId, 6, p6.LakeTableOffsetsPath, epoch: null);
        Assert.False(accepted.HasErrorCode && accepted.ErrorCode != 0, accepted.ErrorMessage);
        var repaired = await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) });
        Assert.Equal((6L, 60L), (repaired.SnapshotId, repaired.BucketSnapshots.Single().LogOffset));
    }

    [Fact]
    public async Task BadRequests_TypedErrorsPerTable_ServerKeepsServing()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 2));
        var plain = new TablePath("shop", "plain");
        await h.CreateTableAsync(plain, LakeLog(lake: false));
        var tableId = await TableIdAsync(h, Orders);
        var plainId = await TableIdAsync(h, plain);

        Assert.Equal((int)FlussErrorCode.TableNotExist, (await PrepareAsync(h, Orders, 999, null, new Dictionary<int, long> { [0] = 1 })).ErrorCode);
        Assert.Equal((int)FlussErrorCode.TableNotExist, (await PrepareAsync(h, plain, tableId, null, new Dictionary<int, long> { [0] = 1 })).ErrorCode);
        var notLake = await PrepareAsync(h, plain, plainId, null, new Dictionary<int, long> { [0] = 1 });
        Assert.Equal((int)FlussErrorCode.InvalidTable, notLake.ErrorCode);
        Assert.Contains("not a lake table", notLake.ErrorMessage);
        var badBucket = await PrepareAsync(h, Orders, tableId, null, new Dictionary<int, long> { [7] = 1 });
        Assert.Equal((int)FlussErrorCode.InvalidTable, badBucket.ErrorCode);
        Assert.Contains("bucket 7", badBucket.ErrorMessage);

        var missing = await CommitAsync(h, tableId, 1, Path.Combine(h.Dir.Path, "nope.offsets"), null);
        Assert.Equal((int)FlussErrorCode.InvalidTable, missing.ErrorCode);
        Assert.Contains("does not exist", missing.ErrorMessage);
        var garbage = Path.Combine(h.Dir.Path, "garbage.offsets");
        await File.WriteAllTextAsync(garbage, "{\"version\":7}");
        Assert.Equal((int)FlussErrorCode.InvalidTable, (await CommitAsync(h, tableId, 1, garbage, null)).ErrorCode);
        var good = await PrepareAsync(h, Orders, tableId, null, new Dictionary<int, long> { [0] = 1 });
        var otherTable = await CommitAsync(h, plainId, 1, good.LakeTableOffsetsPath, null);
        Assert.Equal((int)FlussErrorCode.InvalidTable, otherTable.ErrorCode);
        Assert.Equal((int)FlussErrorCode.TableNotExist, (await CommitAsync(h, 999, 1, good.LakeTableOffsetsPath, null)).ErrorCode);

        var none = await h.FailsAsync(() => h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) }).ResponseAsync);
        Assert.IsType<LakeTableSnapshotNotExistException>(none);
        Assert.Contains("no lake snapshot yet", none.Message);
        var unknown = await h.FailsAsync(() => h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(new TablePath("shop", "nope")) }).ResponseAsync);
        Assert.Equal(FlussErrorCode.TableNotExist, unknown.ErrorCode);

        Assert.False((await CommitAsync(h, tableId, 1, good.LakeTableOffsetsPath, null)).HasErrorCode);
        Assert.Equal(1, (await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) })).SnapshotId);
    }

    [Fact]
    public async Task Restart_LakeSnapshotReloadedAndTableScheduledFromItsLastCommit()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog(buckets: 2));
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        var p = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 11, [1] = 22 });
        await CommitAsync(h, tableId, 1, p.LakeTableOffsetsPath, round.TieringEpoch);
        var commitTime = h.Clock!.GetUtcNow().ToUnixTimeMilliseconds();
        h.Advance(TimeSpan.FromSeconds(10));

        await h.RestartAsync();
        var snapshot = await h.Coordinator.GetLakeSnapshotAsync(new GetLakeSnapshotRequest { TablePath = PbPath(Orders) });
        Assert.Equal(1, snapshot.SnapshotId);
        Assert.Equal([(0, 11L), (1, 22L)], snapshot.BucketSnapshots.Select(b => (b.BucketId, b.LogOffset)));
        Assert.Equal(commitTime, snapshot.CommitTimestamp);

        var tiering = h.Server.Processor.Tiering;
        Assert.Equal(TieringState.Scheduled, tiering.StateOf(tableId));
        Assert.Equal(commitTime, tiering.LastTieredTimeOf(tableId));
        h.Advance(Freshness - TimeSpan.FromSeconds(11));
        Assert.Equal(TieringState.Scheduled, tiering.StateOf(tableId));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TieringState.Pending, tiering.StateOf(tableId));

        var next = await h.Coordinator.LakeTieringHeartbeatAsync(new LakeTieringHeartbeatRequest { RequestTable = true });
        Assert.True(next.TieringTable.TieringEpoch > round.TieringEpoch);
        var stale = await PrepareAsync(h, Orders, tableId, round.TieringEpoch, new Dictionary<int, long> { [0] = 12 });
        Assert.Equal((int)FlussErrorCode.FencedTieringEpoch, stale.ErrorCode);
    }

    [Fact]
    public async Task DropTable_LakeTable_NoLongerTieredLakeTableStays()
    {
        await using var h = await StartAsync();
        await h.CreateTableAsync(Orders, LakeLog());
        var tableId = await TableIdAsync(h, Orders);
        var round = await ClaimAsync(h);
        await h.Coordinator.DropTableAsync(new DropTableRequest { TablePath = PbPath(Orders) });

        Assert.Null(h.Server.Processor.Tiering.StateOf(tableId));
        var beat = new LakeTieringHeartbeatRequest { RequestTable = true };
        beat.TieringTables.Add(Round(h, tableId, round.TieringEpoch));
        var response = await h.Coordinator.LakeTieringHeartbeatAsync(beat);
        Assert.Equal((int)FlussErrorCode.TableNotExist, response.TieringTableResp.Single().Error.ErrorCode);
        Assert.Null(response.TieringTable);
        Assert.True(Directory.Exists(((PaimonLakeStorage)h.Lake!).TableLocation(Orders)));
    }
}
