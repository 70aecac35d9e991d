using System.Text.Json;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Testing;
using Fluss.Rpc.Messages;
using Grpc.Net.Client;

namespace Fluss.Cli.Tests;

/// <summary><c>fluss sql</c> against the in-process cluster and its lake (found through the cluster, no option needed).</summary>
[Collection(CliCollection.Name)]
public sealed class CliSqlTests(CliFixture cli)
{
    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement.Clone();

    /// <summary>A lake table shop.orders with rows 1..4 in the lake and 5..6 only in the log.</summary>
    private async Task<string> OrdersAsync(string prefix)
    {
        var db = await cli.NewDatabaseAsync(prefix);
        await cli.RunOkAsync("table", "create", $"{db}.orders", "--schema", "id INT NOT NULL, customer STRING, amount DECIMAL(10, 2), placed TIMESTAMP(3)",
            "--buckets", "2", "--property", "table.datalake.enabled=true", "--property", "table.datalake.freshness=1 h");
        string Line(int i) => $"{{\"id\": {i}, \"customer\": \"c{i % 2}, inc\", \"amount\": \"{i}.50\", \"placed\": \"2026-11-28T10:00:0{i}.250\"}}";
        await cli.RunWithInputAsync(string.Join('\n', Enumerable.Range(1, 4).Select(Line)), "write", $"{db}.orders");
        await TierAsync(new TablePath(db, "orders"));
        await cli.RunWithInputAsync(string.Join('\n', Enumerable.Range(5, 2).Select(Line)), "write", $"{db}.orders");
        return db;
    }

    [Fact]
    public async Task Sql_Default_SpectreTableOfLakeAndLiveRowsAndRowCount()
    {
        var db = await OrdersAsync("clisql");
        var result = await cli.RunOkAsync("sql", $"SELECT id, customer FROM {db}.orders ORDER BY id");
        Assert.Contains("customer", result.Out, StringComparison.Ordinal);
        var rows = result.Out.Split('\n').Where(l => l.Contains(", inc", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, rows.Count);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"c{i % 2}, inc"), rows.Select(r => r.Split('│')[2].Trim()));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r.Split('│')[1].Trim()));
        Assert.Equal("6 rows", result.Error.Trim());

        var counts = await cli.RunOkAsync("sql", $"SELECT (SELECT count(*) FROM {db}.orders) AS total, (SELECT count(*) FROM {db}.\"orders$lake\") AS lake", "--json");
        var row = Json(counts.Lines.Single());
        Assert.Equal((6, 4), (row.GetProperty("total").GetInt32(), row.GetProperty("lake").GetInt32()));
    }

    [Fact]
    public async Task Sql_Json_OneObjectPerRowWithExactDecimalsAndIsoTimestamps()
    {
        var db = await OrdersAsync("clisqljson");
        var result = await cli.RunOkAsync("sql", $"SELECT id, amount, placed, placed::DATE AS day, customer IS NULL AS missing FROM {db}.orders WHERE id IN (2, 5) ORDER BY id", "--json");
        Assert.Equal(
        [
            "{\"id\":2,\"amount\":\"2.50\",\"placed\":\"2026-11-28T10:00:02.25\",\"day\":\"2026-11-28\",\"missing\":false}",
            "{\"id\":5,\"amount\":\"5.50\",\"placed\":\"2026-11-28T10:00:05.25\",\"day\":\"2026-11-28\",\"missing\":false}",
        ], result.Lines);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Sql_Csv_HeaderAndQuotedFields()
    {
        var db = await OrdersAsync("clisqlcsv");
        var result = await cli.RunOkAsync("sql", $"SELECT id, customer, NULL AS nothing, 'say \"hi\"' AS quote FROM {db}.orders WHERE id <= 2 ORDER BY id", "--csv");
        Assert.Equal(["id,customer,nothing,quote", "1,\"c1, inc\",,\"say \"\"hi\"\"\"", "2,\"c0, inc\",,\"say \"\"hi\"\"\""], result.Lines);
    }

    [Fact]
    public async Task Sql_SyntaxErrorOrUnknownColumn_UsersMistakeWithCaretAndExitCode1()
    {
        var db = await OrdersAsync("clisqlerr");
        var syntax = await cli.RunAsync("sql", $"SELECT id FORM {db}.orders");
        Assert.Equal(1, syntax.ExitCode);
        var lines = syntax.Error.Split('\n');
        Assert.StartsWith("error: Parser Error: syntax error at or near", lines[0], StringComparison.Ordinal);
        Assert.Equal($"  SELECT id FORM {db}.orders", lines[1]);
        Assert.Equal("  " + new string(' ', "SELECT id FORM ".Length) + "^", lines[2]);
        Assert.Equal("", syntax.Out);

        var column = await cli.RunAsync("sql", $"SELECT id, colour FROM {db}.orders");
        Assert.Equal(1, column.ExitCode);
        Assert.Contains("Binder Error", column.Error, StringComparison.Ordinal);
        Assert.Contains("\"colour\"", column.Error, StringComparison.Ordinal);
        Assert.Contains("\n  " + new string(' ', "SELECT id, ".Length) + "^", column.Error, StringComparison.Ordinal);

        var table = await cli.RunAsync("sql", $"SELECT * FROM {db}.ordres");
        Assert.Equal(1, table.ExitCode);
        Assert.Contains($"Table {db}.ordres does not exist; the tables of Fluss database {db} are: orders.", table.Error, StringComparison.Ordinal);

        var both = await cli.RunAsync("sql", "SELECT 1", "--json", "--csv");
        Assert.Equal(1, both.ExitCode);
    }

    [Fact]
    public async Task Sql_Stdin_OneStatementPerLineUntilTheFirstError()
    {
        var db = await OrdersAsync("clisqlstdin");
        var script = string.Join('\n',
            $"SELECT count(*) AS n FROM {db}.orders;",
            "",
            "-- a comment line",
            $"SELECT max(id) AS top FROM {db}.\"orders$lake\"",
            $"SELECT count(*) AS changes FROM {db}.orders$changelog",
            "SELECT nope",
            "SELECT 'never' AS reached");
        var result = await cli.RunWithInputAsync(script, "sql", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["{\"n\":6}", "{\"top\":4}", "{\"changes\":6}"], result.Lines);
        Assert.StartsWith("error (input line 6): Binder Error", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("never", result.Out, StringComparison.Ordinal);

        var ok = await cli.RunWithInputAsync($"SELECT 1 AS one\nSELECT 2 AS two\n", "sql", "--csv");
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(["one", "1", "two", "2"], ok.Lines);
    }

    [Fact]
    public async Task Sql_LakeViewOfAPlainTable_ErrorNamingTheTable()
    {
        var db = await cli.NewDatabaseAsync("clisqlplain");
        await cli.RunOkAsync("table", "create", $"{db}.plain", "--schema", "id INT NOT NULL", "--buckets", "1");
        var result = await cli.RunAsync("sql", $"SELECT * FROM {db}.plain$lake");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{db}.plain is not a lake table", result.Error, StringComparison.Ordinal);
        Assert.Contains("^", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Caret_MultiLineStatement_PointsAtTheLineAndColumn()
    {
        Assert.Equal("  FROM t WHERE x\n         ^\n", SqlCommands.Caret("SELECT a\nFROM t WHERE x", 16));
        Assert.Equal("  SELECT\n  ^\n", SqlCommands.Caret("SELECT", 0));
    }

    /// <summary>One tiering round by hand (a log table): each bucket's log up to its high watermark into the lake, then the two-phase commit.</summary>
    private async Task TierAsync(TablePath path)
    {
        await using var conn = await cli.Cluster.ConnectAsync();
        await ManualTiering.TierOnceAsync(conn, cli.Cluster.Cluster.LakeStorage!, cli.Cluster.BootstrapServers, path);
    }
}
