using System.Data.Common;
using System.Globalization;
using Fluss.Data;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Data;

/// <summary>
/// Model tests: random interleavings (seeded) of appends, upserts, deletes, tiering rounds and queries on a log table
/// and a primary-key table, where every query through the ADO.NET provider must equal an in-memory model.
/// </summary>
[Collection(SqlCollection.Name)]
public sealed class SqlModelTests(SqlFixture fx)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Log rows: (id, k, v, amt).</summary>
    private sealed record LogRow(long Id, int K, string V, decimal Amt);

    /// <summary>Primary-key rows: (k, v, n).</summary>
    private sealed record PkRow(int K, string? V, long N);

    private sealed class Model
    {
        public List<LogRow> Log { get; } = [];
        public SortedDictionary<int, PkRow> Pk { get; } = [];
        public List<LogRow> LogAtLastTier { get; set; } = [];
        public SortedDictionary<int, PkRow> PkAtLastTier { get; set; } = [];
    }

    [Theory]
    [InlineData(20261128)]
    [InlineData(7)]
    [InlineData(424242)]
    public async Task Queries_RandomWritesTieringAndQueries_EqualTheModelAfterEveryStep(int seed)
    {
        var random = new Random(seed);
        var db = await fx.NewDatabaseAsync("model");
        var logPath = new TablePath(db, "log");
        var pkPath = new TablePath(db, "pk");
        var log = await fx.CreateTableAsync(logPath, Schema.NewBuilder()
            .Column("id", new BigIntType(false)).Column("k", new IntType()).Column("v", new StringType()).Column("amt", new DecimalType(10, 2)).Build(), lake: true);
        var pk = await fx.CreateTableAsync(pkPath, Schema.NewBuilder()
            .Column("k", new IntType(false)).Column("v", new StringType()).Column("n", new BigIntType(false)).PrimaryKey("k").Build(), lake: true);
        var model = new Model();
        long nextId = 0;
        await using var warm = await fx.OpenDbAsync();
        var queries = 0;

        for (var step = 0; step < 60; step++)
        {
            var what = random.Next(100);
            var context = $"seed {seed}, step {step}";
            if (what < 20)
            {
                var rows = Enumerable.Range(0, random.Next(1, 25))
                    .Select(_ => new LogRow(nextId++, random.Next(5), "v" + random.Next(1000), random.Next(100_000) / 100m)).ToList();
                await SqlFixture.AppendAsync(log, rows.Select(r => GenericRow.Of(r.Id, r.K, r.V, FlussDecimal.FromDecimal(r.Amt, 10, 2))));
                model.Log.AddRange(rows);
            }
            else if (what < 45)
            {
                var changes = new List<(bool, GenericRow)>();
                for (var i = random.Next(1, 12); i > 0; i--)
                {
                    var k = random.Next(30);
                    if (random.Next(4) == 0)
                    {
                        changes.Add((true, GenericRow.Of(k, null, 0L)));
                        model.Pk.Remove(k);
                    }
                    else
                    {
                        var row = new PkRow(k, random.Next(5) == 0 ? null : $"s{step}-{i}", random.NextInt64(-1_000_000, 1_000_000));
                        changes.Add((false, GenericRow.Of(row.K, row.V, row.N)));
                        model.Pk[k] = row;
                    }
                }
                await SqlFixture.ApplyAsync(pk, changes);
            }
            else if (what < 55)
            {
                if (random.Next(2) == 0)
                {
                    await fx.TierAsync(logPath);
                    model.LogAtLastTier = [.. model.Log];
                }
                else
                {
                    await fx.TierAsync(pkPath);
                    model.PkAtLastTier = new SortedDictionary<int, PkRow>(model.Pk);
                }
            }
            else
            {
                // A long-lived connection (tails cached between queries) or a fresh one.
                DbConnection connection = warm;
                await using var fresh = random.Next(4) == 0 ? await fx.OpenDbAsync() : null;
                if (fresh is not null) connection = fresh;
                await CheckAsync(connection, db, model, random.Next(6), context);
                queries++;
            }
        }
        for (var q = 0; q < 6; q++) await CheckAsync(warm, db, model, q, $"seed {seed}, final query {q}");
        Assert.True(queries > 5, $"only {queries} random queries ran");
    }

    private static async Task CheckAsync(DbConnection connection, string db, Model model, int query, string context)
    {
        var pkRows = model.Pk.Values.Select(r => new object?[] { r.K, r.V, r.N });
        switch (query)
        {
            case 0:
                Same(model.Log.OrderBy(r => r.Id).Select(r => new object?[] { r.Id, r.K, r.V, r.Amt }),
                    await QueryAsync(connection, $"SELECT id, k, v, amt FROM {db}.log ORDER BY id"), context + ": log rows");
                break;
            case 1:
                Same(model.Log.GroupBy(r => r.K).OrderBy(g => g.Key).Select(g => new object?[] { g.Key, (long)g.Count(), g.Sum(r => r.Amt), g.Max(r => r.Id) }),
                    await QueryAsync(connection, $"SELECT k, count(*), sum(amt), max(id) FROM {db}.log GROUP BY k ORDER BY k"), context + ": log aggregate");
                break;
            case 2:
                Same(pkRows, await QueryAsync(connection, $"SELECT k, v, n FROM {db}.pk ORDER BY k"), context + ": primary-key rows");
                break;
            case 3:
                Same(model.PkAtLastTier.Values.Select(r => new object?[] { r.K, r.V, r.N }),
                    await QueryAsync(connection, $"SELECT k, v, n FROM {db}.\"pk$lake\" ORDER BY k"), context + ": primary-key lake rows");
                Same([[(long)model.LogAtLastTier.Count]], await QueryAsync(connection, $"SELECT count(*) FROM {db}.log$lake"), context + ": log lake count");
                break;
            case 4:
                // The change log folded by key is the table's state; the log table's change log is its rows.
                Same(pkRows, await QueryAsync(connection,
                    $"SELECT k, v, n FROM (SELECT *, row_number() OVER (PARTITION BY k ORDER BY _log_offset DESC) AS rn FROM {db}.\"pk$changelog\") "
                    + "WHERE rn = 1 AND _change_type IN ('insert', 'update_after') ORDER BY k"), context + ": primary-key change log folded");
                Same([[(long)model.Log.Count, (long)model.Log.Count]],
                    await QueryAsync(connection, $"SELECT count(*), count(*) FILTER (WHERE _change_type = 'insert') FROM {db}.log$changelog"), context + ": log change log");
                break;
            default:
                // Both tables in one statement, joined.
                Same(model.Log.Where(r => model.Pk.ContainsKey(r.K)).GroupBy(r => r.K).OrderBy(g => g.Key)
                        .Select(g => new object?[] { g.Key, (long)g.Count(), model.Pk[g.Key].N }),
                    await QueryAsync(connection, $"SELECT l.k, count(*), any_value(p.n) FROM {db}.log l JOIN {db}.pk p ON l.k = p.k GROUP BY l.k ORDER BY l.k"),
                    context + ": join");
                break;
        }
    }

    private static void Same(IEnumerable<object?[]> expected, IEnumerable<object?[]> actual, string context)
    {
        var e = Rows(expected);
        var a = Rows(actual);
        if (e.SequenceEqual(a)) return;
        var first = Enumerable.Range(0, Math.Max(e.Count, a.Count)).First(i => i >= e.Count || i >= a.Count || e[i] != a[i]);
        Assert.Fail($"{context}: {a.Count} rows where the model has {e.Count}; first difference at row {first}: "
            + $"expected [{(first < e.Count ? e[first] : "none")}], got [{(first < a.Count ? a[first] : "none")}]");
    }

    private static async Task<List<object?[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        return SqlFixture.ReadAll(reader);
    }

    /// <summary>Rows as comparable text (numbers in invariant form; decimals by value).</summary>
    private static List<string> Rows(IEnumerable<object?[]> rows) =>
        rows.Select(r => string.Join(" | ", r.Select(v => v switch
        {
            null => "null",
            decimal d => d.ToString("0.00######", Inv),
            IFormattable f => f.ToString(null, Inv),
            _ => v.ToString(),
        }))).ToList();
}
