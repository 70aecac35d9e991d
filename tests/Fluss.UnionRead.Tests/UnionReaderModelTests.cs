using Fluss.Rows;
using Fluss.UnionRead;
using static Fluss.Tests.UnionRead.UnionFixture;

namespace Fluss.Tests.UnionRead;

/// <summary>
/// Seeded random interleavings of appends, upserts, deletes, tiering rounds and reads (some plans read only after
/// later writes and tiering) against an in-memory model of both tables.
/// </summary>
[Collection(UnionCollection.Name)]
public sealed class UnionReaderModelTests(UnionFixture fx)
{
    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(37)]
    public async Task ReadAsync_RandomInterleaving_EqualsTheModel(int seed)
    {
        var random = new Random(seed);
        var pk = await fx.CreateTableAsync("umodel", PkSchema(), lake: true, buckets: 2);
        var log = await fx.CreateTableAsync("umodel", LogSchema(), lake: true, buckets: 2);
        var pkModel = new Dictionary<int, GenericRow>();
        var logModel = new List<GenericRow>();
        var nextLogId = 0;
        (UnionReadPlan Pk, UnionReadPlan Log, List<string> PkRows, List<string> LogRows)? deferred = null;
        var tierings = 0;
        var reads = 0;

        for (var step = 0; step < 24; step++)
        {
            var op = random.Next(100);
            if (op < 35)
            {
                var changes = Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
                {
                    var key = random.Next(30);
                    return (key, (GenericRow?)GenericRow.Of(key, random.Next(4) == 0 ? null : $"s{step}-{key}", (long)random.Next(1000)));
                }).ToList();
                await ApplyAsync(pk, changes);
                foreach (var (k, r) in changes) UnionReaderTests.Set(pkModel, k, r);
            }
            else if (op < 50)
            {
                var keys = Enumerable.Range(0, random.Next(1, 4)).Select(_ => (random.Next(30), (GenericRow?)null)).ToList();
                await ApplyAsync(pk, keys);
                foreach (var (k, r) in keys) UnionReaderTests.Set(pkModel, k, r);
            }
            else if (op < 65)
            {
                var rows = Enumerable.Range(0, random.Next(1, 8)).Select(_ => LogRow(nextLogId++)).ToList();
                await AppendAsync(log, rows);
                logModel.AddRange(rows);
            }
            else if (op < 82)
            {
                await fx.TierAsync(pk.Path);
                await fx.TierAsync(log.Path);
                tierings++;
            }
            else
            {
                reads++;
                if (deferred is { } d)
                {
                    // Plans made earlier still read their own cut.
                    Assert.Equal(d.PkRows, Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(d.Pk)), d.Pk.RowType)));
                    Assert.Equal(d.LogRows, Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(d.Log)), d.Log.RowType)));
                    deferred = null;
                }
                var pkPlan = await fx.Reader.PlanAsync(pk.Path);
                var logPlan = await fx.Reader.PlanAsync(log.Path);
                if (random.Next(2) == 0)
                {
                    deferred = (pkPlan, logPlan, Canonical(pkModel.Values), Canonical(logModel));
                }
                else
                {
                    Assert.Equal(Canonical(pkModel.Values), Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(pkPlan)), pkPlan.RowType)));
                    Assert.Equal(Canonical(logModel), Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(logPlan)), logPlan.RowType)));
                }
            }
        }

        if (deferred is { } last)
        {
            Assert.Equal(last.PkRows, Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(last.Pk)), last.Pk.RowType)));
            Assert.Equal(last.LogRows, Canonical(RowsOf(await ToListAsync(fx.Reader.ReadAsync(last.Log)), last.Log.RowType)));
        }
        // Finally: tier once more, change a little, and compare whole and projected reads.
        await fx.TierAsync(pk.Path);
        await ApplyAsync(pk, [(0, GenericRow.Of(0, "final", 0L)), (1, null)]);
        UnionReaderTests.Set(pkModel, 0, GenericRow.Of(0, "final", 0L));
        UnionReaderTests.Set(pkModel, 1, null);
        var (pkRows, finalPlan) = await fx.ReadAsync(pk.Path);
        Assert.NotNull(finalPlan.LakeSnapshotId);
        Assert.Equal(Canonical(pkModel.Values), Canonical(pkRows));
        var (names, _) = await fx.ReadAsync(pk.Path, ["name"]);
        Assert.Equal(Canonical(pkModel.Values.Select(r => GenericRow.Of(r[1]))), Canonical(names));
        var (logRows, _) = await fx.ReadAsync(log.Path, ["amount"]);
        Assert.Equal(Canonical(logModel.Select(r => GenericRow.Of(r[2]))), Canonical(logRows));
        Assert.True(tierings + reads > 0);
    }
}
