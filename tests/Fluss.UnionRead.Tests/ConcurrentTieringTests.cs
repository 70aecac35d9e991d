using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.UnionRead;
using static Fluss.Tests.UnionRead.UnionFixture;

namespace Fluss.Tests.UnionRead;

/// <summary>
/// Plans and reads while a writer and tiering rounds run concurrently: every plan reads exactly its cut, i.e. the
/// rows (log table) or the key state (primary-key table) of the log below each bucket's planned end offset, taken
/// independently from a full scan of the log afterwards.
/// </summary>
[Collection(UnionCollection.Name)]
public sealed class ConcurrentTieringTests(UnionFixture fx)
{
    [Fact]
    public async Task ReadAsync_WhileWritesAndTieringCommitConcurrently_EachPlanReadsItsCut()
    {
        var log = await fx.CreateTableAsync("uconc", LogSchema(), lake: true, buckets: 2);
        var pk = await fx.CreateTableAsync("uconc", PkSchema(), lake: true, buckets: 2);
        using var done = new CancellationTokenSource();
        var background = Task.Run(async () =>
        {
            var random = new Random(5);
            var nextId = 0;
            for (var round = 0; round < 8; round++)
            {
                await AppendAsync(log, Enumerable.Range(0, 10).Select(_ => LogRow(nextId++)));
                await ApplyAsync(pk, Enumerable.Range(0, 6).Select(_ =>
                {
                    var key = random.Next(15);
                    return (key, random.Next(4) == 0 ? null : (GenericRow?)GenericRow.Of(key, $"r{round}", (long)random.Next(100)));
                }).ToList());
                await fx.TierAsync(log.Path);
                await fx.TierAsync(pk.Path);
            }
        });

        var reads = await ReadWhileAsync(background, log, pk);
        await VerifyCutsAsync(reads, log, pk);
    }

    [Fact]
    public async Task ReadAsync_WhileTheTieringServiceRuns_EachPlanReadsItsCut()
    {
        // The cluster's embedded tiering service tiers these tables a second after each change.
        var log = await fx.CreateTableAsync("uservice", LogSchema(), lake: true, buckets: 2, freshness: "1 s");
        var pk = await fx.CreateTableAsync("uservice", PkSchema(), lake: true, buckets: 2, freshness: "1 s");
        var background = Task.Run(async () =>
        {
            var random = new Random(9);
            var nextId = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var committed = new HashSet<(TablePath, long)>();
            for (var round = 0; committed.Count < 6 && DateTime.UtcNow < deadline; round++)
            {
                foreach (var path in new[] { log.Path, pk.Path })
                {
                    try
                    {
                        committed.Add((path, (await fx.Connection.Admin.GetLakeSnapshotAsync(path)).SnapshotId));
                    }
                    catch (LakeTableSnapshotNotExistException)
                    {
                    }
                }
                await AppendAsync(log, Enumerable.Range(0, 10).Select(_ => LogRow(nextId++)));
                await ApplyAsync(pk, Enumerable.Range(0, 6).Select(_ =>
                {
                    var key = random.Next(15);
                    return (key, random.Next(4) == 0 ? null : (GenericRow?)GenericRow.Of(key, $"r{round}", (long)random.Next(100)));
                }).ToList());
                await Task.Delay(300);
            }
        });

        var reads = await ReadWhileAsync(background, log, pk);
        var snapshots = new HashSet<(TablePath, long)>();
        foreach (var (plan, _) in reads)
        {
            if (plan.LakeSnapshotId is { } id) snapshots.Add((plan.TablePath, id));
        }
        Assert.True(snapshots.Count(s => s.Item1 == log.Path) >= 2, "the service committed several lake snapshots of the log table during the reads");
        Assert.True(snapshots.Count(s => s.Item1 == pk.Path) >= 2, "the service committed several lake snapshots of the primary-key table during the reads");
        await VerifyCutsAsync(reads, log, pk);
    }

    /// <summary>Plans and reads both tables over and over until <paramref name="background"/> is done (at least twice).</summary>
    private async Task<List<(UnionReadPlan Plan, List<string> Rows)>> ReadWhileAsync(Task background, params FlussTable[] tables)
    {
        var reads = new List<(UnionReadPlan Plan, List<string> Rows)>();
        while (!background.IsCompleted || reads.Count < 2 * tables.Length)
        {
            foreach (var table in tables)
            {
                var plan = await fx.Reader.PlanAsync(table.Path);
                reads.Add((plan, Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(plan)), plan.RowType))));
            }
        }
        await background;
        return reads;
    }

    /// <summary>Each read equals its plan's cut of the whole log, and reading the plan again now gives it again.</summary>
    private async Task VerifyCutsAsync(List<(UnionReadPlan Plan, List<string> Rows)> reads, FlussTable log, FlussTable pk)
    {
        var logChanges = await ChangelogAsync(log);
        var pkChanges = await ChangelogAsync(pk);
        Assert.Contains(reads, r => r.Plan.LakeSnapshotId is not null && r.Plan.Tail.Any(t => t.OffsetCount > 0));
        foreach (var (plan, rows) in reads)
        {
            var cut = (plan.IsPrimaryKeyTable ? pkChanges : logChanges).Where(c => c.Offset < plan.Tail.Single(t => t.Bucket == c.Bucket).EndOffset);
            Assert.Equal(Expected(cut, plan.IsPrimaryKeyTable), rows);
            // Read again after everything was tiered: still the same cut.
            Assert.Equal(rows, Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(plan)), plan.RowType)));
        }
    }

    private static async Task<List<ScanRecord>> ChangelogAsync(FlussTable table)
    {
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });
        return await ToListAsync(scanner.ReadRecordsAsync());
    }

    /// <summary>The rows of a cut: all rows of a log table, or the changelog folded by key (in offset order per bucket).</summary>
    private static List<string> Expected(IEnumerable<ScanRecord> cut, bool primaryKey)
    {
        if (!primaryKey) return Canonical(cut.Select(c => (GenericRow)c.Row));
        var state = new Dictionary<int, GenericRow>();
        foreach (var c in cut.OrderBy(c => c.Bucket).ThenBy(c => c.Offset))
        {
            if (c.ChangeType is ChangeType.UpdateBefore or ChangeType.Delete) state.Remove(c.Row.GetInt(0));
            else state[c.Row.GetInt(0)] = (GenericRow)c.Row;
        }
        return Canonical(state.Values);
    }
}
