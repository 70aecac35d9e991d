using System.Text.Json;

namespace Fluss.Cli.Tests;

/// <summary>The admin commands, and write/scan/lookup on log tables, through <see cref="CliApp.RunAsync"/>.</summary>
[Collection(CliCollection.Name)]
public sealed class CliAdminAndLogTableTests(CliFixture cli)
{
    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement.Clone();

    [Fact]
    public async Task Database_CreateListDrop_ReflectedInList()
    {
        var created = await cli.RunOkAsync("database", "create", "clidb_lifecycle");
        Assert.Equal("created database clidb_lifecycle", created.Out.Trim());

        var list = await cli.RunOkAsync("database", "list", "--json");
        Assert.Contains("clidb_lifecycle", JsonSerializer.Deserialize<string[]>(list.Out)!);
        var table = await cli.RunOkAsync("database", "list");
        Assert.Contains("clidb_lifecycle", table.Out, StringComparison.Ordinal);

        var again = await cli.RunAsync("database", "create", "clidb_lifecycle");
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: ", again.Error, StringComparison.Ordinal);

        Assert.Equal("dropped database clidb_lifecycle", (await cli.RunOkAsync("database", "drop", "clidb_lifecycle")).Out.Trim());
        Assert.DoesNotContain("clidb_lifecycle", JsonSerializer.Deserialize<string[]>((await cli.RunOkAsync("database", "list", "--json")).Out)!);
    }

    [Fact]
    public async Task Table_CreateDescribeListDrop_ShowsSchemaKeysAndBuckets()
    {
        var db = await cli.NewDatabaseAsync("clitable");
        var created = await cli.RunOkAsync("table", "create", $"{db}.users", "--schema", "id INT NOT NULL, name STRING, score BIGINT",
            "--primary-key", "id", "--buckets", "3");
        Assert.Equal($"created table {db}.users", created.Out.Trim());

        var describe = Json((await cli.RunOkAsync("table", "describe", $"{db}.users", "--json")).Out);
        Assert.Equal(["id", "name", "score"], describe.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["id"], describe.GetProperty("primary_key").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, describe.GetProperty("buckets").GetInt32());
        var text = await cli.RunOkAsync("table", "describe", $"{db}.users");
        Assert.Contains("primary-key table", text.Out, StringComparison.Ordinal);

        Assert.Equal(["users"], JsonSerializer.Deserialize<string[]>((await cli.RunOkAsync("table", "list", db, "--json")).Out)!);
        Assert.Equal($"dropped table {db}.users", (await cli.RunOkAsync("table", "drop", $"{db}.users")).Out.Trim());
        Assert.Empty(JsonSerializer.Deserialize<string[]>((await cli.RunOkAsync("table", "list", db, "--json")).Out)!);

        var missing = await cli.RunAsync("table", "describe", $"{db}.users");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"{db}.users", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAndScan_LogTable_AppendsAndScanJsonHasMetadataKeys()
    {
        var db = await cli.NewDatabaseAsync("clilog");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL, name STRING", "--buckets", "2");

        var write = await cli.RunWithInputAsync("{\"id\": 1, \"name\": \"a\"}\n\n{\"id\": 2, \"name\": null}\n{\"id\": 3}\n", "write", $"{db}.events");
        Assert.True(write.ExitCode == 0, write.ToString());
        Assert.Equal("3 rows acknowledged", write.Out.Trim());

        var scan = await cli.RunOkAsync("scan", $"{db}.events", "--json");
        var rows = scan.Lines.Select(Json).ToList();
        Assert.Equal([1, 2, 3], rows.Select(r => r.GetProperty("id").GetInt32()).Order());
        Assert.All(rows, r =>
        {
            Assert.Equal("+A", r.GetProperty("_change_type").GetString());
            Assert.InRange(r.GetProperty("_bucket").GetInt32(), 0, 1);
            Assert.True(r.GetProperty("_offset").GetInt64() >= 0);
        });
        Assert.Equal("a", rows.Single(r => r.GetProperty("id").GetInt32() == 1).GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rows.Single(r => r.GetProperty("id").GetInt32() == 2).GetProperty("name").ValueKind);

        var text = await cli.RunOkAsync("scan", $"{db}.events");
        Assert.Contains("_change_type", text.Out, StringComparison.Ordinal);
        Assert.Contains("3 rows", text.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_BadLines_RejectedNamingLineAndReasonWithExitCode1()
    {
        var db = await cli.NewDatabaseAsync("clibad");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL, name STRING", "--buckets", "1");
        var input = string.Join('\n',
            "{\"id\": 1, \"name\": \"ok\"}",
            "{not json",
            "{\"id\": 2, \"color\": \"red\"}",
            "{\"name\": \"no id\"}",
            "{\"id\": \"three\"}",
            "{\"id\": 4, \"_op\": \"delete\"}",
            "[1, 2]");

        var write = await cli.RunWithInputAsync(input, "write", $"{db}.events");

        Assert.Equal(1, write.ExitCode);
        Assert.Equal("1 rows acknowledged", write.Out.Trim());
        var rejected = write.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, rejected.Length);
        Assert.StartsWith("rejected line 2: ", rejected[0], StringComparison.Ordinal);
        Assert.Contains("rejected line 3: unknown column 'color'", rejected[1], StringComparison.Ordinal);
        Assert.Contains("rejected line 4: missing value for column 'id'", rejected[2], StringComparison.Ordinal);
        Assert.Contains("rejected line 5: column 'id'", rejected[3], StringComparison.Ordinal);
        Assert.Contains("rejected line 6: \"_op\"", rejected[4], StringComparison.Ordinal);
        Assert.Contains("log table", rejected[4], StringComparison.Ordinal);
        Assert.StartsWith("rejected line 7: expected a JSON object", rejected[5], StringComparison.Ordinal);
        var scan = await cli.RunOkAsync("scan", $"{db}.events", "--json");
        Assert.Single(scan.Lines);
    }

    [Fact]
    public async Task WriteWithColumnsAndLookup_LogTable_FailWithExitCode1()
    {
        var db = await cli.NewDatabaseAsync("clilogpk");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL, name STRING");

        var partial = await cli.RunWithInputAsync("{\"id\": 1}\n", "write", $"{db}.events", "--columns", "id");
        Assert.Equal(1, partial.ExitCode);
        Assert.Contains("log table", partial.Error, StringComparison.Ordinal);

        var lookup = await cli.RunAsync("lookup", $"{db}.events", "--key", "{\"id\": 1}");
        Assert.Equal(1, lookup.ExitCode);
        Assert.Empty(lookup.Out);
        Assert.Contains("primary-key tables only", lookup.Error, StringComparison.Ordinal);

        var prefix = await cli.RunAsync("lookup", $"{db}.events", "--prefix", "{\"id\": 1}");
        Assert.Equal(1, prefix.ExitCode);
        Assert.Contains("primary-key tables only", prefix.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_NeitherOrBothKeyAndPrefix_UsageErrorExitCode2()
    {
        var neither = await cli.RunAsync("lookup", "db.t");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--key", neither.Error, StringComparison.Ordinal);

        var both = await cli.RunAsync("lookup", "db.t", "--key", "{}", "--prefix", "{}");
        Assert.Equal(2, both.ExitCode);
    }
}
