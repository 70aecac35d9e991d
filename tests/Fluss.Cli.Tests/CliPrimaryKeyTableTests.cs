using System.Text.Json;

namespace Fluss.Cli.Tests;

/// <summary><c>fluss write</c>, <c>lookup</c> and <c>scan</c> on primary-key tables through <see cref="CliApp.RunAsync"/>.</summary>
[Collection(CliCollection.Name)]
public sealed class CliPrimaryKeyTableTests(CliFixture cli)
{
    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement.Clone();

    private async Task<string> CreateUsersAsync(int buckets = 2, params string[] extra)
    {
        var db = await cli.NewDatabaseAsync("clipk");
        var table = $"{db}.users";
        await cli.RunOkAsync(["table", "create", table, "--schema", "id INT NOT NULL, name STRING, score BIGINT", "--primary-key", "id",
            "--buckets", buckets.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);
        return table;
    }

    private async Task<CliResult> WriteAsync(string table, params string[] lines) =>
        await cli.RunWithInputAsync(string.Join('\n', lines) + "\n", "write", table);

    [Fact]
    public async Task Write_UpsertsAndDeletes_LookupPrintsTheLastRowOrNothingWithExitCode1()
    {
        var table = await CreateUsersAsync();

        var write = await WriteAsync(table,
            "{\"id\": 1, \"name\": \"alice\", \"score\": 10}",
            "{\"id\": 2, \"name\": \"bob\", \"score\": 20}",
            "{\"id\": 1, \"name\": \"alice\", \"score\": 11, \"_op\": \"upsert\"}",
            "{\"_op\": \"delete\", \"id\": 2}");

        Assert.True(write.ExitCode == 0, write.ToString());
        Assert.Equal("4 rows acknowledged", write.Out.Trim());
        var found = await cli.RunOkAsync("lookup", table, "--key", "{\"id\": 1}", "--json");
        var row = Json(Assert.Single(found.Lines));
        Assert.Equal(1, row.GetProperty("id").GetInt32());
        Assert.Equal("alice", row.GetProperty("name").GetString());
        Assert.Equal(11, row.GetProperty("score").GetInt64());
        Assert.Equal(["id", "name", "score"], row.EnumerateObject().Select(p => p.Name));

        var deleted = await cli.RunAsync("lookup", table, "--key", "{\"id\": 2}", "--json");
        Assert.Equal(1, deleted.ExitCode);
        Assert.Empty(deleted.Out);
        Assert.Empty(deleted.Error);

        var text = await cli.RunOkAsync("lookup", table, "--key", "{\"id\": 1}");
        Assert.Contains("alice", text.Out, StringComparison.Ordinal);
        Assert.Contains("score", text.Out, StringComparison.Ordinal);
        Assert.Contains("11", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanJson_PrimaryKeyTable_ChangeTypesOfTheChangelog()
    {
        var table = await CreateUsersAsync(buckets: 1);
        await WriteAsync(table, "{\"id\": 1, \"name\": \"a\", \"score\": 1}");
        await WriteAsync(table, "{\"id\": 1, \"name\": \"b\", \"score\": 2}");
        await WriteAsync(table, "{\"id\": 1, \"_op\": \"delete\"}");

        var scan = await cli.RunOkAsync("scan", table, "--json");

        var rows = scan.Lines.Select(Json).ToList();
        Assert.Equal(["+I", "-U", "+U", "-D"], rows.Select(r => r.GetProperty("_change_type").GetString()));
        Assert.Equal(["a", "a", "b", "b"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal([0L, 1, 2, 3], rows.Select(r => r.GetProperty("_offset").GetInt64()));
        Assert.All(rows, r => Assert.Equal(0, r.GetProperty("_bucket").GetInt32()));
    }

    [Fact]
    public async Task WriteWithColumns_PartialUpdate_KeepsTheOtherColumns()
    {
        var table = await CreateUsersAsync();
        await WriteAsync(table, "{\"id\": 7, \"name\": \"carol\", \"score\": 70}");

        var partial = await cli.RunWithInputAsync("{\"id\": 7, \"score\": 71}\n{\"id\": 8, \"score\": 80}\n{\"id\": 9, \"name\": \"x\"}\n",
            "write", table, "--columns", "id,score");

        Assert.Equal(1, partial.ExitCode);
        Assert.Equal("2 rows acknowledged", partial.Out.Trim());
        Assert.Contains("rejected line 3: column 'name' is not among --columns", partial.Error, StringComparison.Ordinal);
        var seven = Json((await cli.RunOkAsync("lookup", table, "--key", "{\"id\": 7}", "--json")).Out);
        Assert.Equal(("carol", 71L), (seven.GetProperty("name").GetString(), seven.GetProperty("score").GetInt64()));
        var eight = Json((await cli.RunOkAsync("lookup", table, "--key", "{\"id\": 8}", "--json")).Out);
        Assert.Equal(JsonValueKind.Null, eight.GetProperty("name").ValueKind);
        Assert.Equal(80, eight.GetProperty("score").GetInt64());

        var withoutKey = await cli.RunWithInputAsync("{\"id\": 7, \"score\": 1}\n", "write", table, "--columns", "score");
        Assert.Equal(1, withoutKey.ExitCode);
        Assert.Contains("primary-key columns (id)", withoutKey.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_BadLines_RejectedNamingLineAndReason()
    {
        var table = await CreateUsersAsync();

        var write = await WriteAsync(table,
            "{\"id\": 1, \"name\": \"ok\"}",
            "{\"id\": 2, \"_op\": \"merge\"}",
            "{\"name\": \"no key\"}",
            "{\"id\": null, \"name\": \"null key\"}",
            "{\"_op\": \"delete\", \"name\": \"no key\"}",
            "{\"_op\": 1, \"id\": 3}");

        Assert.Equal(1, write.ExitCode);
        Assert.Equal("1 rows acknowledged", write.Out.Trim());
        var rejected = write.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, rejected.Length);
        Assert.Contains("rejected line 2: unknown _op \"merge\"", rejected[0], StringComparison.Ordinal);
        Assert.Contains("rejected line 3: missing value for column 'id'", rejected[1], StringComparison.Ordinal);
        Assert.Contains("rejected line 4: column 'id'", rejected[2], StringComparison.Ordinal);
        Assert.Contains("rejected line 5: missing value for column 'id'", rejected[3], StringComparison.Ordinal);
        Assert.Contains("rejected line 6: unknown _op 1", rejected[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_DeleteOnFirstRowTableWithDeletesDisabled_RejectedWithTheServersReason()
    {
        var table = await CreateUsersAsync(1, "--property", "table.merge-engine=first_row", "--property", "table.delete.behavior=disable");
        await WriteAsync(table, "{\"id\": 1, \"name\": \"kept\"}");

        var delete = await WriteAsync(table, "{\"_op\": \"delete\", \"id\": 1}");

        Assert.Equal(1, delete.ExitCode);
        Assert.Equal("0 rows acknowledged", delete.Out.Trim());
        Assert.Contains("rejected line 1:", delete.Error, StringComparison.Ordinal);
        Assert.Contains("disable", delete.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("kept", Json((await cli.RunOkAsync("lookup", table, "--key", "{\"id\": 1}", "--json")).Out).GetProperty("name").GetString());
    }

    [Fact]
    public async Task LookupPrefix_BucketKeyValues_PrintsEveryRowWithThem()
    {
        var db = await cli.NewDatabaseAsync("cliprefix");
        var table = $"{db}.visits";
        await cli.RunOkAsync("table", "create", table, "--schema", "user INT NOT NULL, seq INT NOT NULL, page STRING",
            "--primary-key", "user,seq", "--bucket-key", "user", "--buckets", "3");
        await WriteAsync(table, Enumerable.Range(0, 12).Select(i => $"{{\"user\": {i % 3}, \"seq\": {i}, \"page\": \"/p/{i}\"}}").ToArray());

        var json = await cli.RunOkAsync("lookup", table, "--prefix", "{\"user\": 1}", "--json");
        var rows = json.Lines.Select(Json).ToList();
        Assert.Equal([1, 4, 7, 10], rows.Select(r => r.GetProperty("seq").GetInt32()).Order());
        Assert.All(rows, r => Assert.Equal(1, r.GetProperty("user").GetInt32()));

        var text = await cli.RunOkAsync("lookup", table, "--prefix", "{\"user\": 2}");
        Assert.Contains("/p/11", text.Out, StringComparison.Ordinal);
        Assert.Contains("/p/2", text.Out, StringComparison.Ordinal);

        var none = await cli.RunAsync("lookup", table, "--prefix", "{\"user\": 9}");
        Assert.Equal(1, none.ExitCode);
        Assert.Empty(none.Out);

        var wrongColumn = await cli.RunAsync("lookup", table, "--prefix", "{\"seq\": 1}");
        Assert.Equal(1, wrongColumn.ExitCode);
        Assert.Contains("'seq'", wrongColumn.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_BadKeys_FailNamingTheColumn()
    {
        var table = await CreateUsersAsync();

        var missing = await cli.RunAsync("lookup", table, "--key", "{}");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("missing primary key column 'id'", missing.Error, StringComparison.Ordinal);
        var unknown = await cli.RunAsync("lookup", table, "--key", "{\"id\": 1, \"name\": \"x\"}");
        Assert.Contains("'name'", unknown.Error, StringComparison.Ordinal);
        var nullKey = await cli.RunAsync("lookup", table, "--key", "{\"id\": null}");
        Assert.Contains("'id' cannot be null", nullKey.Error, StringComparison.Ordinal);
        var notJson = await cli.RunAsync("lookup", table, "--key", "{id");
        Assert.Contains("--key is not valid JSON", notJson.Error, StringComparison.Ordinal);
        var wrongType = await cli.RunAsync("lookup", table, "--key", "{\"id\": \"one\"}");
        Assert.Contains("column 'id'", wrongType.Error, StringComparison.Ordinal);
        var prefixOnPk = await cli.RunAsync("lookup", table, "--prefix", "{\"id\": 1}");
        Assert.Equal(1, prefixOnPk.ExitCode);
        Assert.Contains("whole primary key", prefixOnPk.Error, StringComparison.Ordinal);
    }
}
