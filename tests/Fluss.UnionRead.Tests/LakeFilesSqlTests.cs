using System.Globalization;
using DuckDB.NET.Data;
using Fluss.Rows;
using Fluss.UnionRead;
using static Fluss.Tests.UnionRead.UnionFixture;

namespace Fluss.Tests.UnionRead;

/// <summary>
/// A SQL engine (DuckDB) scanning the plan's lake files itself, following <c>LakeFileLayout</c>, and merging the raw
/// tail of <c>ReadTailAsync</c>: it must get the same rows as the union reader.
/// </summary>
[Collection(UnionCollection.Name)]
public sealed class LakeFilesSqlTests(UnionFixture fx)
{
    private static DuckDBConnection OpenDuckDb()
    {
        var con = new DuckDBConnection("Data Source=:memory:");
        con.Open();
        Execute(con, "SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;");
        return con;
    }

    private static void Execute(DuckDBConnection con, string sql)
    {
        using var cmd = con.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static List<string> Query(DuckDBConnection con, string sql)
    {
        using var cmd = con.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var values = new string[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
            rows.Add(string.Join("|", values));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static List<string> Text(IEnumerable<GenericRow> rows) =>
        rows.Select(r => string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r[i] is null ? "null" : Convert.ToString(r[i], CultureInfo.InvariantCulture))))
            .Order(StringComparer.Ordinal).ToList();

    private static string FileList(UnionReadPlan plan) => "[" + string.Join(", ", plan.LakeFiles!.Files.Select(f => "'" + f.Path.Replace("'", "''", StringComparison.Ordinal) + "'")) + "]";

    [Fact]
    public async Task PlanFiles_PrimaryKeyTable_SqlDeduplicationAsTheLayoutSays_EqualsTheMergedRead()
    {
        var table = await fx.CreateTableAsync("usql", PkSchema(), lake: true, buckets: 2);
        await ApplyAsync(table, Enumerable.Range(1, 20).Select(i => (i, (GenericRow?)GenericRow.Of(i, "a" + i, (long)i))));
        await fx.TierAsync(table.Path);
        await ApplyAsync(table, [(1, GenericRow.Of(1, "b1", 100L)), (2, null), (3, null), (21, GenericRow.Of(21, "a21", 21L))]);
        await fx.TierAsync(table.Path);
        await ApplyAsync(table, [(4, GenericRow.Of(4, "c4", 4L)), (5, null), (22, GenericRow.Of(22, "a22", 22L)), (1, null)]);

        var plan = await fx.Reader.PlanAsync(table.Path);
        var layout = plan.LakeFiles!.Layout;
        Assert.True(layout.IsPrimaryKeyTable);
        Assert.Equal(("_SEQUENCE_NUMBER", "_VALUE_KIND", "deduplicate"), (layout.SequenceNumberColumn, layout.ValueKindColumn, layout.MergeEngine));
        Assert.Equal(["_KEY_id"], layout.KeyColumns);
        Assert.Equal(["id"], layout.PrimaryKeys);
        Assert.Equal([1, 3], layout.RetractValueKinds.Order());
        Assert.All(plan.LakeFiles.Files, f => Assert.True(f.HasPrimaryKeySystemColumns && f.Format == "parquet" && File.Exists(f.Path)));
        Assert.True(plan.LakeFiles.Files.Count >= 3, "two rounds over two buckets");

        using var con = OpenDuckDb();
        var kinds = string.Join(", ", layout.RetractValueKinds);
        var lakeSql = $"""
            SELECT id, name, score FROM (
              SELECT *, row_number() OVER (PARTITION BY id ORDER BY {layout.SequenceNumberColumn} DESC) AS rn
              FROM read_parquet({FileList(plan)}))
            WHERE rn = 1 AND {layout.ValueKindColumn} NOT IN ({kinds})
            """;
        var lake = RowsOf(await ToListAsync(fx.Reader.ReadLakeAsync(plan)), plan.RowType);
        Assert.Equal(Text(lake), Query(con, lakeSql));

        // The tail, loaded as a changelog table; per key its last change (largest offset) wins over the lake.
        Execute(con, "CREATE TABLE tail (_change_type VARCHAR, _log_offset BIGINT, id INTEGER, name VARCHAR, score BIGINT)");
        foreach (var batch in await ToListAsync(fx.Reader.ReadTailAsync(plan)))
        {
            var changelog = batch.ToChangelogBatch();
            var changelogType = UnionReader.ChangelogRowType(batch.RowType);
            foreach (var r in RowsOf([changelog], changelogType))
            {
                using var insert = con.CreateCommand();
                insert.CommandText = "INSERT INTO tail VALUES ($1, $2, $3, $4, $5)";
                insert.Parameters.Add(new DuckDBParameter(r.GetString(0)));
                insert.Parameters.Add(new DuckDBParameter(r.GetLong(1)));
                insert.Parameters.Add(new DuckDBParameter(r.GetInt(3)));
                insert.Parameters.Add(new DuckDBParameter(r.IsNullAt(4) ? DBNull.Value : r.GetString(4)));
                insert.Parameters.Add(new DuckDBParameter(r.IsNullAt(5) ? DBNull.Value : r.GetLong(5)));
                insert.ExecuteNonQuery();
            }
        }
        var mergedSql = $"""
            WITH lake AS ({lakeSql}),
            last AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY _log_offset DESC) AS rn FROM tail) WHERE rn = 1)
            SELECT id, name, score FROM lake WHERE id NOT IN (SELECT id FROM last)
            UNION ALL
            SELECT id, name, score FROM last WHERE _change_type NOT IN ('update_before', 'delete')
            """;
        var (union, _) = await fx.ReadAsync(table.Path);
        Assert.Equal(Text(union), Query(con, mergedSql));
        Assert.Contains("4|c4|4", Query(con, mergedSql));
        Assert.DoesNotContain(Query(con, mergedSql), r => r.StartsWith("1|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlanFiles_LogTable_FilesHoldExactlyTheLakeRows()
    {
        var table = await fx.CreateTableAsync("usql", LogSchema(), lake: true, buckets: 2, bucketKeys: ["id"]);
        await AppendAsync(table, Enumerable.Range(0, 15).Select(LogRow));
        await fx.TierAsync(table.Path);
        await AppendAsync(table, Enumerable.Range(15, 5).Select(LogRow));
        await fx.TierAsync(table.Path);

        var plan = await fx.Reader.PlanAsync(table.Path);

        var layout = plan.LakeFiles!.Layout;
        Assert.False(layout.IsPrimaryKeyTable);
        Assert.True(layout.BucketAware);
        Assert.Null(layout.SequenceNumberColumn);
        Assert.All(plan.LakeFiles.Files, f => Assert.False(f.HasPrimaryKeySystemColumns));
        Assert.Equal(20, plan.LakeFiles.Files.Sum(f => f.RowCount));
        using var con = OpenDuckDb();
        Assert.Equal(Text(Enumerable.Range(0, 20).Select(LogRow)), Query(con, $"SELECT id, name, amount FROM read_parquet({FileList(plan)})"));
        // Each file's rows are of its bucket: reading one bucket's files gives that bucket's lake rows.
        foreach (var bucket in plan.LakeFiles.Files.Select(f => f.Bucket).Distinct())
        {
            var one = await fx.Reader.PlanAsync(table.Path, new UnionReadOptions { Buckets = [bucket] });
            var lakeRows = RowsOf(await ToListAsync(fx.Reader.ReadLakeAsync(one)), one.RowType);
            Assert.Equal(Text(lakeRows), Query(con, $"SELECT id, name, amount FROM read_parquet({FileList(one)})"));
        }
    }
}
