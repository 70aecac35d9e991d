using Fluss.DuckDB;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Data;

[Collection(SqlCollection.Name)]
public sealed class FlussDuckDBConnectionTests(SqlFixture fx)
{
    private static Schema LogSchema() => Schema.NewBuilder()
        .Column("id", new IntType(false)).Column("name", new StringType()).Column("amount", new BigIntType()).Build();

    private static Schema PkSchema() => Schema.NewBuilder()
        .Column("id", new IntType(false)).Column("name", new StringType()).Column("score", new BigIntType()).PrimaryKey("id").Build();

    private static GenericRow LogRow(int id) => GenericRow.Of(id, "n" + id, id * 10L);

    private static async Task<List<object?[]>> QueryAsync(FlussDuckDBConnection sql, string text)
    {
        await using var reader = await sql.ExecuteReaderAsync(text);
        return SqlFixture.ReadAll(reader);
    }

    [Fact]
    public async Task Union_LogTableWithLakeAndTail_EveryRowOnceAndCountsOfEachSide()
    {
        var db = await fx.NewDatabaseAsync("sqllog");
        var path = new TablePath(db, "events");
        var table = await fx.CreateTableAsync(path, LogSchema(), lake: true);
        await SqlFixture.AppendAsync(table, Enumerable.Range(1, 10).Select(LogRow));
        var (snapshot, _) = await fx.TierAsync(path);
        await SqlFixture.AppendAsync(table, Enumerable.Range(11, 5).Select(LogRow));

        await using var sql = await fx.OpenSqlAsync();
        var rows = await QueryAsync(sql, $"SELECT id, name, amount FROM {db}.events ORDER BY id");
        Assert.Equal(Enumerable.Range(1, 15).Select(i => new object?[] { i, "n" + i, i * 10L }), rows);
        var bound = Assert.Single(sql.LastBinding);
        Assert.Equal((path, FlussTableView.Union, (long?)snapshot, 10L, 5L), (bound.Path, bound.View, bound.LakeSnapshotId, bound.LakeRows, bound.TailRows));
        Assert.True(bound.LakeFiles > 0);

        var lake = await QueryAsync(sql, $"SELECT count(*), sum(amount) FROM {db}.\"events$lake\"");
        Assert.Equal([10L, (decimal)Enumerable.Range(1, 10).Sum(i => i * 10L)], lake.Single().Select(v => v is System.Numerics.BigInteger b ? (object)(decimal)b : v));
        Assert.Equal(FlussTableView.Lake, Assert.Single(sql.LastBinding).View);
    }

    [Fact]
    public async Task Union_PrimaryKeyTable_TailChangesOverrideTheLakeAndDeletesRemoveRows()
    {
        var db = await fx.NewDatabaseAsync("sqlpk");
        var path = new TablePath(db, "users");
        var table = await fx.CreateTableAsync(path, PkSchema(), lake: true);
        await SqlFixture.ApplyAsync(table, Enumerable.Range(1, 6).Select(i => (false, GenericRow.Of(i, "v1", (long)i))));
        await fx.TierAsync(path);
        // Second lake round: key 2 updated, key 3 deleted (the lake now has two files per touched bucket).
        await SqlFixture.ApplyAsync(table, [(false, GenericRow.Of(2, "v2", 20L)), (true, GenericRow.Of(3, null, null))]);
        await fx.TierAsync(path);
        // Tail: key 4 updated, key 5 deleted, key 7 inserted, key 1 updated then deleted, key 3 inserted again.
        await SqlFixture.ApplyAsync(table,
        [
            (false, GenericRow.Of(4, "v3", 40L)), (true, GenericRow.Of(5, null, null)), (false, GenericRow.Of(7, "v3", 70L)),
            (false, GenericRow.Of(1, "v3", 10L)), (true, GenericRow.Of(1, null, null)), (false, GenericRow.Of(3, "back", 33L)),
        ]);

        await using var sql = await fx.OpenSqlAsync();
        var rows = await QueryAsync(sql, $"SELECT id, name, score FROM {db}.users ORDER BY id");
        Assert.Equal(
        [
            [2, "v2", 20L], [3, "back", 33L], [4, "v3", 40L], [6, "v1", 6L], [7, "v3", 70L],
        ], rows);

        var lake = await QueryAsync(sql, $"SELECT id, name FROM {db}.\"USERS$LAKE\" ORDER BY id");
        Assert.Equal([[1, "v1"], [2, "v2"], [4, "v1"], [5, "v1"], [6, "v1"]], lake);
    }

    [Fact]
    public async Task Changelog_PrimaryKeyTable_EveryChangeWithTypeOffsetAndCommitTime()
    {
        var db = await fx.NewDatabaseAsync("sqlcl");
        var path = new TablePath(db, "users");
        var table = await fx.CreateTableAsync(path, PkSchema(), lake: true, buckets: 1);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await SqlFixture.ApplyAsync(table, [(false, GenericRow.Of(1, "a", 1L))]);
        await SqlFixture.ApplyAsync(table, [(false, GenericRow.Of(1, "b", 2L))]);
        await fx.TierAsync(path);
        await SqlFixture.ApplyAsync(table, [(true, GenericRow.Of(1, null, null))]);

        await using var sql = await fx.OpenSqlAsync();
        await using var reader = await sql.ExecuteReaderAsync($"SELECT * FROM {db}.\"users$changelog\" ORDER BY _log_offset");
        Assert.Equal(["_change_type", "_log_offset", "_commit_timestamp", "id", "name", "score"], Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        var rows = SqlFixture.ReadAll(reader);
        Assert.Equal(["insert", "update_before", "update_after", "delete"], rows.Select(r => (string)r[0]!));
        Assert.Equal([0L, 1L, 2L, 3L], rows.Select(r => (long)r[1]!));
        Assert.Equal(["a", "a", "b", "b"], rows.Select(r => (string)r[4]!));
        Assert.All(rows, r => Assert.InRange(new DateTimeOffset(DateTime.SpecifyKind((DateTime)r[2]!, DateTimeKind.Utc)), before, DateTimeOffset.UtcNow.AddSeconds(5)));

        // The union of the same table in the same statement: one cut, nothing left after the delete.
        var both = await QueryAsync(sql, $"SELECT (SELECT count(*) FROM {db}.users), (SELECT count(*) FROM {db}.users$changelog)");
        Assert.Equal([0L, 4L], both.Single());
        Assert.Equal([FlussTableView.Union, FlussTableView.Changelog], sql.LastBinding.Select(b => b.View).Order());
    }

    [Fact]
    public async Task Union_RepeatedQueriesWhileWritingAndTiering_TailFetchedIncrementallyAndAlwaysComplete()
    {
        var db = await fx.NewDatabaseAsync("sqlinc");
        var path = new TablePath(db, "events");
        var table = await fx.CreateTableAsync(path, LogSchema(), lake: true, buckets: 2);
        await using var sql = await fx.OpenSqlAsync();
        var written = 0;
        // Enough rounds for the cached tail to be trimmed after tiering rounds, started over when the change log
        // needs older offsets, and merged when it has many segments.
        for (var round = 0; round < 14; round++)
        {
            await SqlFixture.AppendAsync(table, Enumerable.Range(written + 1, 7).Select(LogRow));
            written += 7;
            var rows = await QueryAsync(sql, $"SELECT count(*), sum(id), count(DISTINCT id) FROM {db}.events");
            Assert.Equal([(long)written, (decimal)(written * (written + 1) / 2), (long)written], rows.Single().Select(v => v is System.Numerics.BigInteger b ? (object)(decimal)b : v));
            var bound = sql.LastBinding.Single();
            Assert.Equal(written, bound.LakeRows + bound.TailRows);
            if (round % 3 == 1) await fx.TierAsync(path);
            if (round % 4 == 3)
            {
                var changes = await QueryAsync(sql, $"SELECT count(*), count(DISTINCT _log_offset || '/' || id), min(id) FROM {db}.events$changelog");
                Assert.Equal([(long)written, (long)written, 1], changes.Single());
            }
        }
    }

    [Fact]
    public async Task Union_TableWithoutLake_ReadsTheWholeLog()
    {
        var db = await fx.NewDatabaseAsync("sqlnolake");
        var path = new TablePath(db, "plain");
        var table = await fx.CreateTableAsync(path, LogSchema(), lake: false);
        await SqlFixture.AppendAsync(table, Enumerable.Range(1, 4).Select(LogRow));
        await using var sql = await fx.OpenSqlAsync();
        Assert.Equal([[4L]], await QueryAsync(sql, $"SELECT count(*) FROM {db}.plain"));
        var bound = sql.LastBinding.Single();
        Assert.Equal((null, 0, 4L), (bound.LakeSnapshotId, bound.LakeFiles, bound.TailRows));
    }

    [Fact]
    public async Task Statement_FlussTablesNextToDuckDBTables_JoinAndCreateTableAs()
    {
        var db = await fx.NewDatabaseAsync("sqljoin");
        var path = new TablePath(db, "events");
        var table = await fx.CreateTableAsync(path, LogSchema(), lake: true);
        await SqlFixture.AppendAsync(table, Enumerable.Range(1, 6).Select(LogRow));
        await fx.TierAsync(path);
        await using var sql = await fx.OpenSqlAsync();
        await (await sql.ExecuteReaderAsync("CREATE TABLE labels AS SELECT * FROM (VALUES (2, 'two'), (4, 'four')) v(id, label)")).DisposeAsync();
        var rows = await QueryAsync(sql, $"SELECT e.id, l.label FROM {db}.events e JOIN labels l USING (id) ORDER BY e.id");
        Assert.Equal([[2, "two"], [4, "four"]], rows);
        await (await sql.ExecuteReaderAsync($"CREATE TABLE copy AS SELECT * FROM {db}.events")).DisposeAsync();
        Assert.Equal([[6L]], await QueryAsync(sql, "SELECT count(*) FROM copy"));
    }
}
