using Apache.Arrow;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;
using Fluss.UnionRead;
using static Fluss.Tests.UnionRead.UnionFixture;

namespace Fluss.Tests.UnionRead;

/// <summary>Union reads of log and primary-key tables against an in-process cluster and its Paimon lake.</summary>
[Collection(UnionCollection.Name)]
public sealed class UnionReaderTests(UnionFixture fx)
{
    private static GenericRow User(int id, string? name, long? score) => GenericRow.Of(id, name, score);

    [Fact]
    public async Task ReadAsync_LogTableLakePlusTail_EveryRowExactlyOnce()
    {
        var table = await fx.CreateTableAsync("ulog", LogSchema(), lake: true);
        await AppendAsync(table, Enumerable.Range(0, 30).Select(LogRow));
        var (snapshotId, tiered) = await fx.TierAsync(table.Path);
        await AppendAsync(table, Enumerable.Range(30, 20).Select(LogRow));

        var (rows, plan) = await fx.ReadAsync(table.Path);

        Assert.Equal(snapshotId, plan.LakeSnapshotId);
        Assert.Equal(Canonical(Enumerable.Range(0, 50).Select(LogRow)), Canonical(rows));
        Assert.All(plan.Tail, r => Assert.Equal(tiered[r.Bucket], r.StartOffset));
        Assert.All(plan.Tail, r => Assert.True(r.StartsAtLakeOffset));
        Assert.Equal(20, plan.Tail.Sum(r => r.OffsetCount));
        // The lake part and the tail part are disjoint and together make the read.
        var lake = RowsOf(await ToListAsync(fx.Reader.ReadLakeAsync(plan)), plan.RowType);
        Assert.Equal(Canonical(Enumerable.Range(0, 30).Select(LogRow)), Canonical(lake));
        var tail = await ToListAsync(fx.Reader.ReadTailAsync(plan));
        Assert.Equal(Canonical(Enumerable.Range(30, 20).Select(LogRow)), Canonical(RowsOf(tail.Select(b => b.Batch), plan.TailRowType)));
        Assert.All(tail, b => Assert.True(b.BaseOffset >= tiered[b.Bucket] && !b.FromLake));
        // A log table without bucket keys has a bucket-unaware lake table.
        Assert.False(plan.LakeFiles!.Layout.BucketAware);
        Assert.All(plan.LakeFiles.Files, f => Assert.Equal(-1, f.Bucket));
    }

    [Fact]
    public async Task ReadAsync_PrimaryKeyTableChangedAfterTiering_ChangelogWinsDeletesRemove()
    {
        var table = await fx.CreateTableAsync("upk", PkSchema(), lake: true);
        var model = new Dictionary<int, GenericRow>();
        var first = Enumerable.Range(1, 20).Select(i => (i, (GenericRow?)User(i, "v1-" + i, i))).ToList();
        first.Add((3, null));
        await ApplyAsync(table, first);
        foreach (var (k, r) in first) Set(model, k, r);
        await fx.TierAsync(table.Path);

        // After tiering: updates of lake keys, deletes of lake keys, a key inserted then deleted in the tail,
        // a key deleted in the lake and inserted again, and a new key.
        var second = new List<(int, GenericRow?)>();
        second.AddRange(Enumerable.Range(1, 5).Select(i => (i, (GenericRow?)User(i, "v2-" + i, i * 100L))));
        second.Add((6, null));
        second.Add((7, null));
        second.Add((21, User(21, "new", null)));
        second.Add((22, User(22, "gone", 1)));
        second.Add((22, null));
        second.Add((3, User(3, "back", 3)));
        second.Add((1, User(1, "v3-1", -1)));
        await ApplyAsync(table, second);
        foreach (var (k, r) in second) Set(model, k, r);

        var (rows, plan) = await fx.ReadAsync(table.Path);

        Assert.NotNull(plan.LakeSnapshotId);
        Assert.True(plan.Tail.Sum(r => r.OffsetCount) > 0);
        Assert.Equal(Canonical(model.Values), Canonical(rows));
        Assert.Equal(rows.Count, rows.Select(r => r.GetInt(0)).Distinct().Count());
        // The lake alone still has the state at tiering: key 1 with its first value, key 6 present, key 3 absent.
        var lake = RowsOf(await ToListAsync(fx.Reader.ReadLakeAsync(plan)), plan.RowType);
        Assert.Contains(User(1, "v1-1", 1), lake);
        Assert.Contains(lake, r => r.GetInt(0) == 6);
        Assert.DoesNotContain(lake, r => r.GetInt(0) == 3);
        Assert.True(plan.LakeFiles!.Layout.BucketAware);
    }

    [Fact]
    public async Task ReadAsync_Projection_ExactlyTheRequestedColumnsInOrderOnBothSides()
    {
        var pk = await fx.CreateTableAsync("uproj", PkSchema(), lake: true);
        await ApplyAsync(pk, Enumerable.Range(1, 10).Select(i => (i, (GenericRow?)User(i, "a" + i, i))));
        await fx.TierAsync(pk.Path);
        await ApplyAsync(pk, [(2, User(2, "b2", 20)), (4, null), (11, User(11, "a11", 11))]);

        // Without the key column: the merge still works by key, the output has only the asked columns.
        var (names, plan) = await fx.ReadAsync(pk.Path, ["score", "name"]);
        Assert.Equal(["score", "name"], plan.RowType.FieldNames);
        Assert.Equal(["score", "name", "id"], plan.TailColumns);
        var expected = Enumerable.Range(1, 11).Where(i => i != 4).Select(i => i == 2 ? GenericRow.Of(20L, "b2") : GenericRow.Of((long)i, "a" + i));
        Assert.Equal(Canonical(expected), Canonical(names));

        var log = await fx.CreateTableAsync("uproj", LogSchema(), lake: true);
        await AppendAsync(log, Enumerable.Range(0, 12).Select(LogRow));
        await fx.TierAsync(log.Path);
        await AppendAsync(log, Enumerable.Range(12, 5).Select(LogRow));
        var (projected, logPlan) = await fx.ReadAsync(log.Path, ["amount", "id"]);
        Assert.Equal(["amount", "id"], logPlan.TailColumns);
        Assert.Equal(Canonical(Enumerable.Range(0, 17).Select(i => GenericRow.Of(i * 10L, i))), Canonical(projected));

        await Assert.ThrowsAsync<ArgumentException>(() => fx.Reader.PlanAsync(log.Path, new UnionReadOptions { Columns = ["nope"] }));
        await Assert.ThrowsAsync<ArgumentException>(() => fx.Reader.PlanAsync(log.Path, new UnionReadOptions { Columns = ["id", "id"] }));
    }

    [Fact]
    public async Task ReadAsync_TablesWithoutLake_LogReadWholeAndKeysFoldedFromTheEarliestOffset()
    {
        var log = await fx.CreateTableAsync("unolake", LogSchema(), lake: false);
        await AppendAsync(log, Enumerable.Range(0, 25).Select(LogRow));
        var (logRows, logPlan) = await fx.ReadAsync(log.Path);
        Assert.Null(logPlan.LakeSnapshotId);
        Assert.Null(logPlan.LakeFiles);
        Assert.All(logPlan.Tail, r => Assert.Equal((0L, false), (r.StartOffset, r.StartsAtLakeOffset)));
        Assert.Equal(Canonical(Enumerable.Range(0, 25).Select(LogRow)), Canonical(logRows));

        var pk = await fx.CreateTableAsync("unolake", PkSchema(), lake: false);
        var changes = new List<(int, GenericRow?)>();
        for (var i = 0; i < 15; i++) changes.Add((i, User(i, "x" + i, i)));
        for (var i = 0; i < 15; i += 2) changes.Add((i, User(i, "y" + i, -i)));
        for (var i = 0; i < 15; i += 5) changes.Add((i, null));
        await ApplyAsync(pk, changes);
        var model = new Dictionary<int, GenericRow>();
        foreach (var (k, r) in changes) Set(model, k, r);
        var (pkRows, pkPlan) = await fx.ReadAsync(pk.Path);
        Assert.Null(pkPlan.LakeSnapshotId);
        Assert.Equal(Canonical(model.Values), Canonical(pkRows));

        // A lake table that was never tiered reads like a table without lake.
        var untiered = await fx.CreateTableAsync("unolake", LogSchema(), lake: true);
        await AppendAsync(untiered, Enumerable.Range(0, 5).Select(LogRow));
        var (untieredRows, untieredPlan) = await fx.ReadAsync(untiered.Path);
        Assert.Null(untieredPlan.LakeSnapshotId);
        Assert.Equal(Canonical(Enumerable.Range(0, 5).Select(LogRow)), Canonical(untieredRows));
        Assert.Empty(await ToListAsync(fx.Reader.ReadLakeAsync(untiered.Path)));
        await Assert.ThrowsAsync<InvalidTableException>(() => ToListAsync(fx.Reader.ReadLakeAsync(log.Path)));
    }

    [Fact]
    public async Task ReadAsync_PlannedBeforeANewerLakeSnapshot_StillTheCutOfThePlan()
    {
        var log = await fx.CreateTableAsync("ucut", LogSchema(), lake: true);
        await AppendAsync(log, Enumerable.Range(0, 20).Select(LogRow));
        var (first, _) = await fx.TierAsync(log.Path);
        await AppendAsync(log, Enumerable.Range(20, 10).Select(LogRow));
        var plan = await fx.Reader.PlanAsync(log.Path);

        // Tiering commits a newer snapshot (holding rows 20..39) and more rows arrive, after planning.
        await AppendAsync(log, Enumerable.Range(30, 10).Select(LogRow));
        var (second, _) = await fx.TierAsync(log.Path);
        await AppendAsync(log, Enumerable.Range(40, 5).Select(LogRow));
        Assert.True(second > first);
        Assert.Equal(second, (await fx.Connection.Admin.GetLakeSnapshotAsync(log.Path)).SnapshotId);

        var cut = RowsOf(await ToListAsync(fx.Reader.ReadAsync(plan)), plan.RowType);
        Assert.Equal(first, plan.LakeSnapshotId);
        Assert.Equal(Canonical(Enumerable.Range(0, 30).Select(LogRow)), Canonical(cut));
        // A new plan sees the newer snapshot and everything.
        var (now, nowPlan) = await fx.ReadAsync(log.Path);
        Assert.Equal(second, nowPlan.LakeSnapshotId);
        Assert.Equal(Canonical(Enumerable.Range(0, 45).Select(LogRow)), Canonical(now));

        // Primary keys: updates tiered after planning do not leak into the planned read.
        var pk = await fx.CreateTableAsync("ucut", PkSchema(), lake: true);
        await ApplyAsync(pk, Enumerable.Range(1, 8).Select(i => (i, (GenericRow?)User(i, "old", i))));
        await fx.TierAsync(pk.Path);
        await ApplyAsync(pk, [(1, User(1, "mid", 1))]);
        var pkPlan = await fx.Reader.PlanAsync(pk.Path);
        await ApplyAsync(pk, [(1, User(1, "new", 1)), (2, null), (9, User(9, "new", 9))]);
        await fx.TierAsync(pk.Path);
        var pkCut = RowsOf(await ToListAsync(fx.Reader.ReadAsync(pkPlan)), pkPlan.RowType);
        Assert.Equal(Canonical(Enumerable.Range(1, 8).Select(i => User(i, i == 1 ? "mid" : "old", i))), Canonical(pkCut));
    }

    [Fact]
    public async Task ReadStreamingAsync_LakeThenLogFromTheLakeOffsets_NoGapNoDuplicate()
    {
        var table = await fx.CreateTableAsync("ustream", LogSchema(), lake: true);
        await AppendAsync(table, Enumerable.Range(0, 30).Select(LogRow));
        var (_, tiered) = await fx.TierAsync(table.Path);
        await AppendAsync(table, Enumerable.Range(30, 10).Select(LogRow));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<GenericRow>();
        var sources = new List<bool>();
        var offsets = new HashSet<(int, long)>();
        var wroteMore = false;
        var rowType = table.Info.RowType;
        await foreach (var batch in fx.Reader.ReadStreamingAsync(table.Path, cancellationToken: timeout.Token))
        {
            sources.Add(batch.FromLake);
            var rows = RowsOf([batch.Batch], rowType);
            seen.AddRange(rows);
            for (var i = 0; i < batch.RowCount; i++)
            {
                if (batch.FromLake) continue;
                Assert.True(batch.OffsetAt(i) >= tiered[batch.Bucket]);
                Assert.True(offsets.Add((batch.Bucket, batch.OffsetAt(i))));
            }
            if (!wroteMore && seen.Count >= 40)
            {
                // Rows written while the stream runs arrive too.
                wroteMore = true;
                await AppendAsync(table, Enumerable.Range(40, 10).Select(LogRow));
            }
            if (seen.Count >= 50) break;
        }

        Assert.Equal(Canonical(Enumerable.Range(0, 50).Select(LogRow)), Canonical(seen));
        Assert.True(sources[0]);
        Assert.Equal(sources.OrderByDescending(s => s), sources);
    }

    [Fact]
    public async Task ReadStreamingAsync_PrimaryKeyTable_ApplyingTheChangesGivesTheState()
    {
        var table = await fx.CreateTableAsync("ustream", PkSchema(), lake: true);
        var model = new Dictionary<int, GenericRow>();
        var before = Enumerable.Range(1, 10).Select(i => (i, (GenericRow?)User(i, "a", i))).ToList();
        await ApplyAsync(table, before);
        await fx.TierAsync(table.Path);
        var after = new List<(int, GenericRow?)> { (1, User(1, "b", 1)), (2, null), (11, User(11, "c", 11)) };
        await ApplyAsync(table, after);
        foreach (var (k, r) in before.Concat(after)) Set(model, k, r);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var state = new Dictionary<int, GenericRow>();
        var lakeRows = 0;
        await foreach (var batch in fx.Reader.ReadStreamingAsync(table.Path, cancellationToken: timeout.Token))
        {
            var rows = RowsOf([batch.Batch], batch.RowType);
            for (var i = 0; i < rows.Count; i++)
            {
                var kind = batch.ChangeTypeAt(i);
                if (batch.FromLake)
                {
                    lakeRows++;
                    Assert.Equal(ChangeType.Insert, kind);
                }
                if (kind is ChangeType.UpdateBefore or ChangeType.Delete) state.Remove(rows[i].GetInt(0));
                else state[rows[i].GetInt(0)] = rows[i];
            }
            if (Canonical(state.Values).SequenceEqual(Canonical(model.Values))) break;
        }

        Assert.Equal(10, lakeRows);
        Assert.Equal(Canonical(model.Values), Canonical(state.Values));
    }

    [Fact]
    public async Task ReadAsync_LakeDataFileDeleted_ErrorNamesTheFile()
    {
        var table = await fx.CreateTableAsync("umissing", PkSchema(), lake: true);
        await ApplyAsync(table, Enumerable.Range(1, 12).Select(i => (i, (GenericRow?)User(i, "x", i))));
        await fx.TierAsync(table.Path);
        var plan = await fx.Reader.PlanAsync(table.Path);
        var victim = plan.LakeFiles!.Files[0];
        File.Delete(victim.Path);

        var error = await Assert.ThrowsAsync<LakeFileNotFoundException>(() => ToListAsync(fx.Reader.ReadAsync(plan)));
        Assert.Equal(victim.Path, error.Path);
        Assert.Contains(victim.Path, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LakeFileNotFoundException>(() => ToListAsync(fx.Reader.ReadLakeAsync(plan)));
    }

    [Fact]
    public async Task ReadChangelogAsync_MetadataColumnsThenColumns_EveryChange()
    {
        var table = await fx.CreateTableAsync("uchangelog", PkSchema(), lake: false, buckets: 1);
        await ApplyAsync(table, [(1, User(1, "a", 1))]);
        await ApplyAsync(table, [(1, User(1, "b", 2))]);
        await ApplyAsync(table, [(1, null)]);

        var batches = await ToListAsync(fx.Reader.ReadChangelogAsync(table.Path, ["name", "id"]));

        var type = UnionReader.ChangelogRowType(UnionReadPlan.Project(table.Info.RowType, ["name", "id"]));
        Assert.Equal(["_change_type", "_log_offset", "_commit_timestamp", "name", "id"], type.FieldNames);
        Assert.Equal(new StringType(false), type.Fields[0].Type);
        Assert.Equal(new BigIntType(false), type.Fields[1].Type);
        Assert.Equal(new LocalZonedTimestampType(3, false), type.Fields[2].Type);
        Assert.All(batches, b => Assert.Equal(type.FieldNames, b.Schema.FieldsList.Select(f => f.Name)));
        var rows = RowsOf(batches, type);
        var changes = rows.Select(r => (r.GetString(0), r.GetLong(1), r.IsNullAt(3) ? null : r.GetString(3), r.GetInt(4))).ToList();
        // The server writes updates either as -U/+U (full changelog) or as +U alone; both are valid changelogs.
        var kinds = changes.Select(c => c.Item1).ToList();
        Assert.Equal("insert", kinds[0]);
        Assert.Equal("delete", kinds[^1]);
        Assert.Contains("update_after", kinds);
        Assert.All(kinds, k => Assert.Contains(k, new[] { "insert", "update_before", "update_after", "delete" }));
        Assert.Equal(Enumerable.Range(0, changes.Count).Select(i => changes[0].Item2 + i), changes.Select(c => c.Item2));
        Assert.Equal("a", changes[0].Item3);
        Assert.Equal("b", changes.Single(c => c.Item1 == "update_after").Item3);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.All(rows, r => Assert.InRange(r.GetTimestampLtz(2, 3).EpochMillisecond, now - 600_000, now + 60_000));

        var log = await fx.CreateTableAsync("uchangelog", LogSchema(), lake: false, buckets: 1);
        await AppendAsync(log, Enumerable.Range(0, 3).Select(LogRow));
        var logRows = RowsOf(await ToListAsync(fx.Reader.ReadChangelogAsync(log.Path)), UnionReader.ChangelogRowType(log.Info.RowType));
        Assert.Equal([("insert", 0L, 0), ("insert", 1L, 1), ("insert", 2L, 2)], logRows.Select(r => (r.GetString(0), r.GetLong(1), r.GetInt(3))));
    }

    [Fact]
    public async Task PlanAsync_SomeBuckets_OnlyTheirLakeFilesAndTail()
    {
        var table = await fx.CreateTableAsync("ubuckets", PkSchema(), lake: true, buckets: 3);
        await ApplyAsync(table, Enumerable.Range(1, 30).Select(i => (i, (GenericRow?)User(i, "x", i))));
        await fx.TierAsync(table.Path);
        await ApplyAsync(table, Enumerable.Range(25, 10).Select(i => (i, (GenericRow?)User(i, "y", i))));
        var (all, _) = await fx.ReadAsync(table.Path);

        var parts = new List<GenericRow>();
        for (var b = 0; b < 3; b++)
        {
            var plan = await fx.Reader.PlanAsync(table.Path, new UnionReadOptions { Buckets = [b] });
            Assert.All(plan.LakeFiles!.Files, f => Assert.Equal(b, f.Bucket));
            Assert.Equal([b], plan.Tail.Select(t => t.Bucket));
            parts.AddRange(RowsOf(await ToListAsync(fx.Reader.ReadAsync(plan)), plan.RowType));
        }

        Assert.Equal(34, all.Count);
        Assert.Equal(Canonical(all), Canonical(parts));
        // A bucket-unaware lake (log table without bucket keys) cannot be read bucket by bucket.
        var log = await fx.CreateTableAsync("ubuckets", LogSchema(), lake: true);
        await AppendAsync(log, Enumerable.Range(0, 3).Select(LogRow));
        await fx.TierAsync(log.Path);
        Assert.Contains("bucket-unaware", (await Assert.ThrowsAsync<ArgumentException>(() => fx.Reader.PlanAsync(log.Path, new UnionReadOptions { Buckets = [0] }))).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_LakeSnapshotButNoLakeStorage_ClearError()
    {
        var table = await fx.CreateTableAsync("unostorage", LogSchema(), lake: true);
        await AppendAsync(table, [LogRow(1)]);
        var (snapshotId, _) = await fx.TierAsync(table.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new UnionReader(fx.Connection).PlanAsync(table.Path));
        Assert.Contains($"lake snapshot {snapshotId}", error.Message, StringComparison.Ordinal);
    }

    internal static void Set(Dictionary<int, GenericRow> model, int key, GenericRow? row)
    {
        if (row is null) model.Remove(key);
        else model[key] = row;
    }
}
