using System.Diagnostics;
using Fluss.Client;
using Fluss.Data;
using Fluss.DuckDB;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;
using Fluss.Types;

namespace Fluss.Tests.Data;

/// <summary>Bad input: each error names what is wrong (and where), and nothing returns fewer rows silently.</summary>
[Collection(SqlCollection.Name)]
public sealed class SqlErrorTests(SqlFixture fx)
{
    private static Schema LogSchema() => Schema.NewBuilder().Column("id", new IntType(false)).Column("name", new StringType()).Build();

    private async Task<(string Db, FlussTable Table)> TableAsync(string prefix, bool lake)
    {
        var db = await fx.NewDatabaseAsync(prefix);
        var table = await fx.CreateTableAsync(new TablePath(db, "events"), LogSchema(), lake);
        await SqlFixture.AppendAsync(table, Enumerable.Range(1, 9).Select(i => GenericRow.Of(i, "n" + i)));
        return (db, table);
    }

    private async Task<FlussSqlException> FailAsync(string sql)
    {
        await using var connection = await fx.OpenDbAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await Assert.ThrowsAsync<FlussSqlException>(() => command.ExecuteReaderAsync());
    }

    [Fact]
    public async Task UnknownTable_InAFlussDatabase_CatalogErrorListingItsTablesAtThePosition()
    {
        var (db, _) = await TableAsync("errtable", lake: false);
        var sql = $"SELECT * FROM {db}.nope";
        var e = await FailAsync(sql);
        Assert.Equal("Catalog", e.ErrorType);
        Assert.Equal(sql.IndexOf(db, StringComparison.Ordinal), e.Position);
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
        Assert.Contains($"Table {db}.nope does not exist; the tables of Fluss database {db} are: events.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownDatabase_CatalogErrorListingTheDatabases()
    {
        var (db, _) = await TableAsync("errdb", lake: false);
        var e = await FailAsync("SELECT * FROM nodb_at_all.events");
        Assert.Equal("Catalog", e.ErrorType);
        Assert.Contains("nodb_at_all", e.Message, StringComparison.Ordinal);
        Assert.Contains(db, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownColumn_BinderErrorAtTheColumn()
    {
        var (db, _) = await TableAsync("errcol", lake: true);
        var sql = $"SELECT id, colour FROM {db}.events";
        var e = await FailAsync(sql);
        Assert.Equal("Binder", e.ErrorType);
        Assert.Equal(sql.IndexOf("colour", StringComparison.Ordinal), e.Position);
        Assert.Contains("\"colour\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyntaxError_ParserErrorWithPosition()
    {
        var (db, _) = await TableAsync("errsyntax", lake: false);
        var sql = $"SELECT * FORM {db}.events";
        var e = await FailAsync(sql);
        Assert.Equal("Parser", e.ErrorType);
        Assert.Equal(sql.IndexOf(db, StringComparison.Ordinal), e.Position);
        Assert.Contains("syntax error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LakeView_OfATableWithoutLake_RefusedNamingTheTableAndHowToEnableIt()
    {
        var (db, _) = await TableAsync("errnolake", lake: false);
        var sql = $"SELECT count(*) FROM {db}.\"events$lake\"";
        var e = await FailAsync(sql);
        Assert.Equal(sql.IndexOf(db, StringComparison.Ordinal), e.Position);
        Assert.Contains($"{db}.events is not a lake table", e.Message, StringComparison.Ordinal);
        Assert.Contains("table.datalake.enabled=true", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LakeFileDeleted_QueryFailsNamingTheFile_NeverFewerRows()
    {
        var (db, table) = await TableAsync("errlost", lake: true);
        var path = table.Path;
        await fx.TierAsync(path);
        await SqlFixture.AppendAsync(table, Enumerable.Range(10, 3).Select(i => GenericRow.Of(i, "n" + i)));
        await using var connection = await fx.OpenDbAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {db}.events";
        Assert.Equal(12L, await command.ExecuteScalarAsync());

        var plan = await new Fluss.UnionRead.UnionReader(fx.Connection, fx.Lake).PlanAsync(path);
        var victim = plan.LakeFiles!.Files[0].Path;
        File.Delete(victim);
        foreach (var text in new[] { $"SELECT count(*) FROM {db}.events", $"SELECT count(*) FROM {db}.events$lake" })
        {
            command.CommandText = text;
            var e = await Assert.ThrowsAsync<LakeFileNotFoundException>(() => command.ExecuteScalarAsync());
            Assert.Equal(victim, e.Path);
            Assert.Contains(victim, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CoordinatorDown_QueryFailsWithAConnectionErrorWithinTheRequestTimeout()
    {
        await using var cluster = await TestCluster.StartAsync(tabletServers: 1);
        await using (var conn = await cluster.ConnectAsync())
        {
            await conn.Admin.CreateDatabaseAsync("down");
            await conn.Admin.CreateTableAsync(new TablePath("down", "events"), TableDescriptor.NewBuilder().Schema(LogSchema()).DistributedBy(1).Build());
        }
        await using var connection = new FlussDbConnection($"Bootstrap Servers={cluster.BootstrapServers};Request Timeout=2");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM down.events";
        Assert.Equal(0L, await command.ExecuteScalarAsync());

        await cluster.Cluster.Coordinator.StopAsync();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<FlussException>(() => command.ExecuteScalarAsync());
        clock.Stop();
        Assert.Equal(FlussErrorCode.Network, e.ErrorCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the failure took {clock.Elapsed}");
        Assert.Contains(cluster.BootstrapServers.Split(':')[1], e.Message, StringComparison.Ordinal);
    }
}
