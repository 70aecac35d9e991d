using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Tiering.Internal;
using Fluss.Tiering.Tests.Support;

namespace Fluss.Tiering.Tests;

/// <summary>
/// One tiering round against a fake coordinator (Fluss's epoch fencing, offsets files, repair registration), a fake
/// log and a real Paimon lake: what is tiered, what is committed where, and what survives crashes at each point.
/// </summary>
public class TieringRoundTests
{
    private static readonly Schema LogSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING").Build();
    private static readonly Schema PkSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, v STRING").PrimaryKey("id").Build();

    private static TableDescriptor LogTable(int buckets = 3) => TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(buckets).Build();

    private static TableDescriptor PkTable(int buckets = 2) => TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(buckets).Build();

    private static GenericRow[] Rows(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => GenericRow.Of((long)i, "n" + i)).ToArray();

    [Fact]
    public async Task RunAsync_LogTable_TiersEachBucketUpToTheHighWatermarkOnce()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Log.Append(Rows(1, 20));

        var first = await h.RunAsync();

        Expect(RoundOutcome.Committed, first);
        Assert.Equal(20, first.Rows);
        Assert.Equal(3, first.Files);
        Assert.Equal(h.Log.HighWatermarks(), h.Coordinator.Snapshot(h.Info.TableId)!.BucketOffsets);
        Assert.Equal(first.LakeSnapshotId, h.Coordinator.Snapshot(h.Info.TableId)!.SnapshotId);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), await h.LakeIdsAsync());
        var report = Assert.Single(h.Coordinator.Reports);
        Assert.Equal(RoundReport.Finished, report.Report);
        Assert.Equal(20, report.Stats.RecordCount);
        Assert.True(report.Stats.FileSize > 0);

        h.Log.Append(Rows(21, 25));
        var second = await h.RunAsync();
        Expect(RoundOutcome.Committed, second);
        Assert.Equal(5, second.Rows);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), await h.LakeIdsAsync());
        Assert.Equal(h.Log.HighWatermarks(), h.Coordinator.Snapshot(h.Info.TableId)!.BucketOffsets);
        var lakeSnapshot = await (await h.Lake.OpenWriterAsync(h.Info.TablePath)).LatestSnapshotOfUserAsync(RoundSettings.CommitUser);
        Assert.Equal(2, lakeSnapshot!.CommitIdentifier);

        var third = await h.RunAsync();
        Expect(RoundOutcome.NothingNew, third);
        Assert.Equal(second.LakeSnapshotId, h.Coordinator.Snapshot(h.Info.TableId)!.SnapshotId);
        Assert.Equal(3, h.Coordinator.Reports.Count);
        Assert.Equal(0, h.Log.Outstanding);
    }

    [Fact]
    public async Task RunAsync_PrimaryKeyChangelog_LakeHoldsTheLatestRowOfEachLiveKey()
    {
        using var h = await RoundHarness.CreateAsync(PkTable());
        var model = new Dictionary<long, string>();
        void Upsert(long id, string v)
        {
            if (model.TryGetValue(id, out var old))
            {
                h.Log.Append(ChangeType.UpdateBefore, GenericRow.Of(id, old));
                h.Log.Append(ChangeType.UpdateAfter, GenericRow.Of(id, v));
            }
            else
            {
                h.Log.Append(ChangeType.Insert, GenericRow.Of(id, v));
            }
            model[id] = v;
        }
        void Delete(long id)
        {
            h.Log.Append(ChangeType.Delete, GenericRow.Of(id, model[id]));
            model.Remove(id);
        }

        for (var i = 1; i <= 10; i++) Upsert(i, "a" + i);
        Upsert(3, "b3");
        Delete(4);
        Expect(RoundOutcome.Committed, (await h.RunAsync()));
        Assert.Equal(Model(), Lake(await h.LakeRowsAsync()));

        Upsert(3, "c3");
        Delete(5);
        Upsert(4, "again4");
        Upsert(11, "a11");
        Expect(RoundOutcome.Committed, (await h.RunAsync()));
        Assert.Equal(Model(), Lake(await h.LakeRowsAsync()));
        Assert.Equal(h.Log.HighWatermarks(), h.Coordinator.Snapshot(h.Info.TableId)!.BucketOffsets);

        List<string> Model() => model.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}").ToList();
        static List<string> Lake(List<GenericRow> rows) => rows.OrderBy(r => (long)r[0]!).Select(r => $"{r[0]}={r[1]}").ToList();
    }

    [Fact]
    public async Task RunAsync_CrashAfterLakeCommit_NextRoundRegistersTheSnapshotAndDoesNotTierItsRowsAgain()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Log.Append(Rows(1, 12));

        var crashed = await h.RunAsync(fault: CrashAt(FaultInjection.BeforeCoordinatorCommit));
        Expect(RoundOutcome.Crashed, crashed);
        Assert.Null(h.Coordinator.Snapshot(h.Info.TableId));
        Assert.Equal(12, (await h.LakeIdsAsync()).Count);
        Assert.Empty(h.Coordinator.Reports);

        h.Log.Append(Rows(13, 15));
        var next = await h.RunAsync();

        Expect(RoundOutcome.Committed, next);
        Assert.Equal(crashed.LakeSnapshotId, next.RepairedSnapshotId);
        Assert.Equal(3, next.Rows);
        Assert.Contains(h.Coordinator.Commits, c => c.SnapshotId == crashed.LakeSnapshotId && c.Epoch is null);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), await h.LakeIdsAsync());
        Assert.Equal(h.Log.HighWatermarks(), h.Coordinator.Snapshot(h.Info.TableId)!.BucketOffsets);
    }

    [Fact]
    public async Task RunAsync_CrashBeforeLakeCommit_NextRoundTiersTheRowsOnce()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Log.Append(Rows(1, 9));

        var crashed = await h.RunAsync(fault: CrashAt(FaultInjection.BeforeLakeCommit));
        Expect(RoundOutcome.Crashed, crashed);
        Assert.Null(await (await h.Lake.OpenWriterAsync(h.Info.TablePath)).LatestSnapshotAsync());

        var next = await h.RunAsync();

        Expect(RoundOutcome.Committed, next);
        Assert.Null(next.RepairedSnapshotId);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), await h.LakeIdsAsync());
    }

    [Fact]
    public async Task RunAsync_StaleRoundResumesAfterANewerRoundCommitted_LosesTheLakeCommitAndRemovesItsFiles()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Log.Append(Rows(1, 10));
        var stale = h.Coordinator.Assign(h.Info.TableId);
        var paused = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        var staleRun = h.RunAsync(stale, async (point, ct) =>
        {
            if (point != FaultInjection.BeforeLakeCommit) return;
            paused.SetResult();
            await resume.Task.WaitAsync(ct);
        });
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The coordinator gave up on the stale worker and handed the table out again.
        var fresh = await h.RunAsync(h.Coordinator.Assign(h.Info.TableId));
        Expect(RoundOutcome.Committed, fresh);
        resume.SetResult();
        var result = await staleRun;

        Expect(RoundOutcome.Conflict, result);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), await h.LakeIdsAsync());
        Assert.Equal(fresh.Files, h.ParquetFiles());
        Assert.Equal(fresh.LakeSnapshotId, h.Coordinator.Snapshot(h.Info.TableId)!.SnapshotId);
        Assert.DoesNotContain(h.Coordinator.Reports, r => r.Epoch == stale.TieringEpoch);
    }

    [Fact]
    public async Task RunAsync_HeartbeatFenced_StopsTheRoundAndRemovesItsFiles()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Settings = h.Settings with { HeartbeatInterval = TimeSpan.FromMilliseconds(20) };
        h.Log.Append(Rows(1, 10));
        var stale = h.Coordinator.Assign(h.Info.TableId);
        var paused = new TaskCompletionSource();
        var run = h.RunAsync(stale, async (point, ct) =>
        {
            if (point != FaultInjection.BeforeLakeCommit) return;
            paused.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(h.ParquetFiles() > 0);

        h.Coordinator.Assign(h.Info.TableId);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Expect(RoundOutcome.Fenced, result);
        Assert.Equal(FlussErrorCode.FencedTieringEpoch, Assert.IsType<FlussException>(result.Error).ErrorCode);
        Assert.Equal(0, h.ParquetFiles());
        Assert.Empty(h.Coordinator.Reports);
        Assert.Null(h.Coordinator.Snapshot(h.Info.TableId));
    }

    [Fact]
    public async Task RunAsync_AssignmentAlreadyStale_EndsBeforeReadingAnything()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Log.Append(Rows(1, 5));
        var stale = h.Coordinator.Assign(h.Info.TableId);
        h.Coordinator.Assign(h.Info.TableId);

        var result = await h.RunAsync(stale);

        Expect(RoundOutcome.Fenced, result);
        Assert.Equal(0, result.Rows);
        Assert.False(Directory.EnumerateDirectories(h.TableDirectory, "bucket-*").Any());
    }

    [Fact]
    public async Task RunAsync_BucketOverTheSizeLimit_CommitsWhatItReadAndReportsForceFinished()
    {
        using var h = await RoundHarness.CreateAsync(LogTable(buckets: 2));
        h.Settings = h.Settings with { MaxBytesPerBucket = 1 };
        h.Log.BatchRows = 2;
        h.Log.Append(Rows(1, 11));

        var rounds = 0;
        while (h.Coordinator.Snapshot(h.Info.TableId)?.BucketOffsets is not { } o || !o.OrderBy(p => p.Key).SequenceEqual(h.Log.HighWatermarks().OrderBy(p => p.Key)))
        {
            var r = await h.RunAsync();
            Expect(RoundOutcome.Committed, r);
            Assert.True(r.Rows <= 4, $"a round read {r.Rows} rows past the size limit");
            Assert.True(++rounds < 10);
        }

        Assert.True(rounds >= 3);
        Assert.Equal(RoundReport.ForceFinished, h.Coordinator.Reports[0].Report);
        Assert.Equal(RoundReport.Finished, h.Coordinator.Reports[^1].Report);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), await h.LakeIdsAsync());
    }

    [Fact]
    public async Task RunAsync_ServiceStopsMidRound_RemovesFilesAndReportsTheTableFailed()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        h.Log.Append(Rows(1, 6));
        using var stop = new CancellationTokenSource();
        var paused = new TaskCompletionSource();
        var run = h.RunAsync(fault: async (point, ct) =>
        {
            if (point != FaultInjection.BeforeLakeCommit) return;
            paused.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, cancellationToken: stop.Token);
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Expect(RoundOutcome.Cancelled, result);
        Assert.Equal(0, h.ParquetFiles());
        Assert.Equal(RoundReport.Failed, Assert.Single(h.Coordinator.Reports).Report);
    }

    [Fact]
    public async Task RunAsync_LakeTableMissing_ReportsFailed()
    {
        using var h = await RoundHarness.CreateAsync(LogTable());
        Directory.Delete(h.TableDirectory, recursive: true);
        h.Log.Append(Rows(1, 3));

        var result = await h.RunAsync();

        Expect(RoundOutcome.Failed, result);
        Assert.Equal(FlussErrorCode.LakeStorageNotConfigured, Assert.IsType<FlussException>(result.Error).ErrorCode);
        Assert.Equal(RoundReport.Failed, Assert.Single(h.Coordinator.Reports).Report);
    }

    private static void Expect(RoundOutcome expected, TieringRoundResult result) =>
        Assert.True(result.Outcome == expected, $"expected {expected} but the round ended {result.Outcome}: {result.Error}");

    private static Func<string, CancellationToken, Task> CrashAt(string point) =>
        (p, _) => p == point ? throw new SimulatedCrashException(p) : Task.CompletedTask;
}
