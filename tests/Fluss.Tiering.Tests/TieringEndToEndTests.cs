using System.Collections.Concurrent;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;
using Fluss.Tiering.Internal;
using Fluss.Tiering.Tests.Support;

namespace Fluss.Tiering.Tests;

/// <summary>
/// The tiering service against a real in-process cluster and Paimon lake: tables with table.datalake.freshness=1s
/// reach the lake, the lake holds exactly the acknowledged rows (log tables) or the latest row per key (primary-key
/// tables), and stale or crashed workers never make the lake hold a row twice.
/// </summary>
public sealed class TieringEndToEndTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);
    private static readonly Schema LogSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING").Build();
    private static readonly Schema PkSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, v BIGINT, note STRING").PrimaryKey("id").Build();

    [Fact]
    public async Task EmbeddedTiering_LogTable_LakeCatchesUpAndHoldsEveryRowOnce()
    {
        await using var cluster = await LakeCluster.StartAsync(embeddedTiering: true, tabletServers: 2);
        Assert.NotNull(cluster.Cluster.TieringService);
        var table = await cluster.CreateLakeTableAsync(new TablePath("lake", "events"), LogSchema, buckets: 3);
        await using var writer = table.NewAppendWriter();

        for (var i = 0; i < 3000; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, "e" + i));
        await writer.FlushAsync();
        await cluster.WaitForLakeToCatchUpAsync(table, CatchUp);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), await IdsAsync(cluster, table.Path));

        for (var i = 3000; i < 4500; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, "e" + i));
        await writer.FlushAsync();
        await cluster.WaitForLakeToCatchUpAsync(table, CatchUp);
        var rows = await cluster.LakeRowsAsync(table.Path);
        Assert.Equal(Enumerable.Range(0, 4500).Select(i => (long)i), rows.Select(r => (long)r[0]!).Order());
        Assert.All(rows, r => Assert.Equal("e" + r[0], r[1]));
    }

    [Fact]
    public async Task EmbeddedTiering_PrimaryKeyTableWithUpdatesAndDeletes_LakeHoldsTheLatestRowOfEachKey()
    {
        await using var cluster = await LakeCluster.StartAsync(embeddedTiering: true);
        var table = await cluster.CreateLakeTableAsync(new TablePath("lake", "state"), PkSchema, buckets: 2);
        await using var writer = table.NewUpsertWriter();
        var model = new Dictionary<long, (long V, string Note)>();
        var random = new Random(7);

        for (var phase = 0; phase < 2; phase++)
        {
            for (var op = 0; op < 1500; op++)
            {
                var key = (long)random.Next(200);
                if (random.Next(6) == 0)
                {
                    _ = writer.DeleteAsync(GenericRow.Of(key, null, null));
                    model.Remove(key);
                }
                else
                {
                    var v = (long)(phase * 10_000 + op);
                    _ = writer.UpsertAsync(GenericRow.Of(key, v, "n" + v));
                    model[key] = (v, "n" + v);
                }
            }
            await writer.FlushAsync();
            await cluster.WaitForLakeToCatchUpAsync(table, CatchUp);

            var lake = (await cluster.LakeRowsAsync(table.Path)).ToDictionary(r => (long)r[0]!, r => ((long)r[1]!, (string)r[2]!));
            Assert.Equal(model.OrderBy(p => p.Key), lake.OrderBy(p => p.Key));
        }
    }

    [Fact]
    public async Task StaleWorker_ResumesAfterTheTableWasTieredByAnother_LakeHoldsEveryRowOnce()
    {
        await using var cluster = await LakeCluster.StartAsync(embeddedTiering: false);
        var table = await cluster.CreateLakeTableAsync(new TablePath("lake", "stale"), LogSchema, buckets: 2);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < 500; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, "s" + i));
            await writer.FlushAsync();
        }

        // Worker A stops at its lake commit and goes silent (no heartbeats): the coordinator hands the table to B.
        var paused = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        var once = 0;
        var staleResults = new ConcurrentQueue<TieringRoundResult>();
        await using var a = await cluster.StartTieringAsync(o => o with
        {
            HeartbeatInterval = TimeSpan.FromHours(1),
            FaultHook = async (point, ct) =>
            {
                if (point != FaultInjection.BeforeLakeCommit || Interlocked.Exchange(ref once, 1) != 0) return;
                paused.SetResult();
                await resume.Task.WaitAsync(ct);
            },
        });
        a.Worker.RoundCompleted += staleResults.Enqueue;
        await paused.Task.WaitAsync(CatchUp);

        await using var b = await cluster.StartTieringAsync();
        await cluster.WaitForLakeToCatchUpAsync(table, CatchUp);
        resume.SetResult();
        await Wait.UntilAsync(() => !staleResults.IsEmpty && staleResults.Any(r => r.Outcome is RoundOutcome.Conflict or RoundOutcome.Fenced), CatchUp, "the stale round to end");

        var stale = staleResults.First(r => r.Outcome is RoundOutcome.Conflict or RoundOutcome.Fenced);
        Assert.Null(stale.LakeSnapshotId);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), await IdsAsync(cluster, table.Path));
    }

    [Fact]
    public async Task CrashAfterLakeCommit_NextRoundRegistersTheLakeSnapshot_LakeHoldsEveryRowOnce()
    {
        await using var cluster = await LakeCluster.StartAsync(embeddedTiering: false);
        var table = await cluster.CreateLakeTableAsync(new TablePath("lake", "crash"), LogSchema, buckets: 2);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < 400; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, "c" + i));
            await writer.FlushAsync();
        }
        var crashed = 0;
        var results = new ConcurrentQueue<TieringRoundResult>();
        await using var service = await cluster.StartTieringAsync(o => o with
        {
            FaultHook = (point, _) => point == FaultInjection.BeforeCoordinatorCommit && Interlocked.Exchange(ref crashed, 1) == 0
                ? throw new SimulatedCrashException(point)
                : Task.CompletedTask,
        });
        service.Worker.RoundCompleted += results.Enqueue;

        // The round crashed after its lake commit; more rows arrive before the coordinator hands the table out again.
        await Wait.UntilAsync(() => !results.IsEmpty, CatchUp, "the crashed round");
        var crash = Assert.Single(results);
        Assert.Equal(RoundOutcome.Crashed, crash.Outcome);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 400; i < 500; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, "c" + i));
            await writer.FlushAsync();
        }
        await cluster.WaitForLakeToCatchUpAsync(table, CatchUp);
        await Wait.UntilAsync(() => results.Count >= 2, CatchUp, "the round after the crash");

        Assert.Equal(crash.LakeSnapshotId, results.ElementAt(1).RepairedSnapshotId);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), await IdsAsync(cluster, table.Path));
    }

    private static async Task<List<long>> IdsAsync(LakeCluster cluster, TablePath path) =>
        (await cluster.LakeRowsAsync(path)).Select(r => (long)r[0]!).Order().ToList();
}
