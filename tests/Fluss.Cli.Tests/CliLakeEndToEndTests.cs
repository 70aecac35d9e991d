using System.Text.Json;
using Fluss.Testing;

namespace Fluss.Cli.Tests;

/// <summary>
/// The lake end to end through the CLI only: tables with <c>table.datalake.freshness=1s</c> on the local cluster's
/// embedded tiering service, writes (appends; upserts, updates and deletes), <c>fluss lake status</c> until the lake
/// caught up, and <c>fluss lake read</c> equal to the model.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CliLakeEndToEndTests(CliFixture cli)
{
    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement.Clone();

    [Fact]
    public async Task LakeStatusAndRead_FreshnessOneSecond_LakeEqualsTheModelForLogAndPrimaryKeyTables()
    {
        var db = await cli.NewDatabaseAsync("clie2e");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL, name STRING, amount DOUBLE", "--buckets", "3",
            "--property", "table.datalake.enabled=true", "--property", "table.datalake.freshness=1s");
        await cli.RunOkAsync("table", "create", $"{db}.users", "--schema", "id INT NOT NULL, name STRING, score BIGINT",
            "--primary-key", "id", "--buckets", "2", "--property", "table.datalake.enabled=true", "--property", "table.datalake.freshness=1s");

        var random = new Random(20261128);
        var events = new List<(int Id, string Name, double Amount)>();
        var users = new Dictionary<int, (string Name, long Score)>();
        for (var round = 0; round < 3; round++)
        {
            // log table: appends
            var appended = Enumerable.Range(events.Count, 200).Select(i => (i, "e" + i, Math.Round(random.NextDouble() * 1000, 3))).ToList();
            events.AddRange(appended);
            await cli.RunWithInputAsync(string.Join('\n', appended.Select(e => JsonSerializer.Serialize(new { id = e.Item1, name = e.Item2, amount = e.Item3 }))),
                "write", $"{db}.events");

            // primary-key table: inserts, updates of existing keys, deletes
            var lines = new List<string>();
            for (var i = 0; i < 150; i++)
            {
                var id = random.Next(0, 120);
                if (users.ContainsKey(id) && random.Next(4) == 0)
                {
                    users.Remove(id);
                    lines.Add(JsonSerializer.Serialize(new { id, _op = "delete" }));
                }
                else
                {
                    var value = ($"u{id}-r{round}-{i}", (long)random.Next());
                    users[id] = value;
                    lines.Add(JsonSerializer.Serialize(new { id, name = value.Item1, score = value.Item2 }));
                }
            }
            var wrote = await cli.RunWithInputAsync(string.Join('\n', lines), "write", $"{db}.users");
            Assert.True(wrote.ExitCode == 0, wrote.ToString());

            await WaitCaughtUpAsync($"{db}.events");
            await WaitCaughtUpAsync($"{db}.users");

            var lakeEvents = (await cli.RunOkAsync("lake", "read", LakeDir(db, "events"), "--json")).Lines.Select(Json)
                .Select(r => (r.GetProperty("id").GetInt32(), r.GetProperty("name").GetString()!, r.GetProperty("amount").GetDouble()))
                .OrderBy(r => r.Item1).ToList();
            Assert.Equal(events, lakeEvents);

            var lakeUsers = (await cli.RunOkAsync("lake", "read", LakeDir(db, "users"), "--json")).Lines.Select(Json)
                .Select(r => (r.GetProperty("id").GetInt32(), r.GetProperty("name").GetString()!, r.GetProperty("score").GetInt64()))
                .OrderBy(r => r.Item1).ToList();
            Assert.Equal(users.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Name, kv.Value.Score)), lakeUsers);
        }
    }

    private string LakeDir(string db, string table) =>
        Path.Combine(cli.Cluster.Cluster.LakeStorage!.Warehouse, db + ".db", table);

    /// <summary>Polls <c>fluss lake status --json</c> until every bucket's tiered offset reached its high watermark.</summary>
    private async Task WaitCaughtUpAsync(string table)
    {
        JsonElement last = default;
        await Wait.UntilAsync(async () =>
        {
            last = Json((await cli.RunOkAsync("lake", "status", table, "--json")).Out);
            if (last.GetProperty("snapshot_id").ValueKind == JsonValueKind.Null) return false;
            var buckets = last.GetProperty("buckets").EnumerateArray().ToList();
            return buckets.Sum(b => b.GetProperty("high_watermark").GetInt64()) > 0
                && buckets.All(b => b.GetProperty("tiered_offset").GetInt64() == b.GetProperty("high_watermark").GetInt64());
        }, TimeSpan.FromSeconds(60), $"the lake of {table} to catch up with its log");
    }
}
