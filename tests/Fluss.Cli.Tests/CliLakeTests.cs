using System.Text.Json;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Client;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rpc.Messages;
using Fluss.Testing;
using Fluss.Types;
using Grpc.Net.Client;

namespace Fluss.Cli.Tests;

/// <summary><c>fluss lake status</c>, <c>fluss lake read</c> and <c>fluss table alter</c> against the in-process cluster.</summary>
[Collection(CliCollection.Name)]
public sealed class CliLakeTests(CliFixture cli)
{
    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement.Clone();

    private static string JavaFixture(string name) =>
        Path.Combine(RepoRoot.Find(), "tests", "Fluss.Lake.Paimon.Tests", "TestData", name + ".db", name);

    private PaimonLakeStorage Lake => (PaimonLakeStorage)cli.Cluster.Cluster.LakeStorage!;

    [Fact]
    public async Task TableAlter_AlterableOption_AppliedAndShownByDescribe()
    {
        var db = await cli.NewDatabaseAsync("clialter");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL, name STRING", "--buckets", "2");

        var altered = await cli.RunOkAsync("table", "alter", $"{db}.events", "--property", "table.log.ttl=2 d", "--property", "table.datalake.freshness=5 min");
        Assert.Equal($"altered table {db}.events", altered.Out.Trim());
        var properties = Json((await cli.RunOkAsync("table", "describe", $"{db}.events", "--json")).Out).GetProperty("properties");
        Assert.Equal("2 d", properties.GetProperty("table.log.ttl").GetString());
        Assert.Equal("5 min", properties.GetProperty("table.datalake.freshness").GetString());

        await cli.RunOkAsync("table", "alter", $"{db}.events", "--reset", "table.log.ttl");
        properties = Json((await cli.RunOkAsync("table", "describe", $"{db}.events", "--json")).Out).GetProperty("properties");
        Assert.False(properties.TryGetProperty("table.log.ttl", out _));
    }

    [Fact]
    public async Task TableAlter_NotAlterableOrNothingGiven_RefusedByName()
    {
        var db = await cli.NewDatabaseAsync("clialter");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL", "--buckets", "1");

        var refused = await cli.RunAsync("table", "alter", $"{db}.events", "--property", "table.log.format=INDEXED");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("'table.log.format'", refused.Error, StringComparison.Ordinal);
        Assert.Contains("table.datalake.enabled", refused.Error, StringComparison.Ordinal);

        var bad = await cli.RunAsync("table", "alter", $"{db}.events", "--property", "table.log.ttl");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("key=value", bad.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await cli.RunAsync("table", "alter", $"{db}.events")).ExitCode);
    }

    [Fact]
    public async Task TableAlter_EnableDatalake_CreatesThePaimonTable()
    {
        var db = await cli.NewDatabaseAsync("clialter");
        await cli.RunOkAsync("table", "create", $"{db}.users", "--schema", "id INT NOT NULL, name STRING", "--primary-key", "id", "--buckets", "2");
        var location = Lake.TableLocation(new TablePath(db, "users"));
        Assert.False(Directory.Exists(location));

        await cli.RunOkAsync("table", "alter", $"{db}.users", "--property", "table.datalake.enabled=true", "--property", "table.datalake.freshness=1 h");
        Assert.True(File.Exists(Path.Combine(location, "schema", "schema-0")));
        var read = await cli.RunOkAsync("lake", "read", location, "--json");
        Assert.Empty(read.Lines);
    }

    [Fact]
    public async Task LakeStatus_BeforeAndAfterATieringRound_JsonShapeAndOffsets()
    {
        var db = await cli.NewDatabaseAsync("clilake");
        var path = new TablePath(db, "events");
        await cli.RunOkAsync("table", "create", $"{db}.events", "--schema", "id INT NOT NULL, name STRING", "--buckets", "2",
            "--property", "table.datalake.enabled=true", "--property", "table.datalake.freshness=1 h");

        var empty = Json((await cli.RunOkAsync("lake", "status", $"{db}.events", "--json")).Out);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("snapshot_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("last_tiering_time").ValueKind);
        var emptyBuckets = empty.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal([0, 1], emptyBuckets.Select(b => b.GetProperty("bucket").GetInt32()));
        Assert.All(emptyBuckets, b => Assert.Equal((0L, 0L), (b.GetProperty("tiered_offset").GetInt64(), b.GetProperty("high_watermark").GetInt64())));

        var rows = string.Join('\n', Enumerable.Range(1, 6).Select(i => $"{{\"id\": {i}, \"name\": \"n{i}\"}}"));
        await cli.RunWithInputAsync(rows, "write", $"{db}.events");
        var written = Json((await cli.RunOkAsync("lake", "status", $"{db}.events", "--json")).Out);
        Assert.Equal(JsonValueKind.Null, written.GetProperty("snapshot_id").ValueKind);
        Assert.Equal(6, written.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("high_watermark").GetInt64()));
        Assert.Equal(6, written.GetProperty("lag").GetInt64());

        var (snapshotId, offsets) = await TierOnceAsync(path);

        var tiered = Json((await cli.RunOkAsync("lake", "status", $"{db}.events", "--json")).Out);
        Assert.Equal(snapshotId, tiered.GetProperty("snapshot_id").GetInt64());
        Assert.Equal(JsonValueKind.String, tiered.GetProperty("last_tiering_time").ValueKind);
        Assert.Equal(0, tiered.GetProperty("lag").GetInt64());
        foreach (var b in tiered.GetProperty("buckets").EnumerateArray())
        {
            var bucket = b.GetProperty("bucket").GetInt32();
            Assert.Equal(offsets.GetValueOrDefault(bucket), b.GetProperty("tiered_offset").GetInt64());
            Assert.Equal(b.GetProperty("high_watermark").GetInt64(), b.GetProperty("tiered_offset").GetInt64());
        }

        var text = await cli.RunOkAsync("lake", "status", $"{db}.events");
        Assert.Contains($"lake snapshot: {snapshotId}", text.Out, StringComparison.Ordinal);
        Assert.Contains("total lag: 0 records", text.Out, StringComparison.Ordinal);

        var read = await cli.RunOkAsync("lake", "read", Lake.TableLocation(path), "--json");
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (i, "n" + i)),
            read.Lines.Select(Json).Select(r => (r.GetProperty("id").GetInt32(), r.GetProperty("name").GetString()!)).OrderBy(r => r.Item1));
    }

    [Fact]
    public async Task LakeStatus_UnknownTable_ErrorNamingIt()
    {
        var missing = await cli.RunAsync("lake", "status", "nodb.nothing", "--json");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nodb.nothing", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LakeRead_JavaWrittenTable_RowsOfTheLatestAndOfAnEarlierSnapshot()
    {
        var dir = JavaFixture("pk_table_scan_and_read_mor");
        var latest = await cli.RunOkAsync("lake", "read", dir, "--json");
        var rows = latest.Lines.Select(Json).ToList();
        Assert.Equal(11, rows.Count);
        Assert.All(rows, r => Assert.Equal(["f0", "f1", "f2", "f3"], r.EnumerateObject().Select(p => p.Name)));
        var bob = rows.Single(r => r.GetProperty("f0").GetString() == "Bob");
        Assert.Equal((10, 0, 12.1), (bob.GetProperty("f1").GetInt32(), bob.GetProperty("f2").GetInt32(), bob.GetProperty("f3").GetDouble()));
        Assert.DoesNotContain(rows, r => r.GetProperty("f0").GetString() == "Tony");

        var earlier = await cli.RunOkAsync("lake", "read", dir, "--snapshot", "1", "--columns", "f3,f0", "--json");
        var first = earlier.Lines.Select(Json).ToList();
        Assert.Equal(9, first.Count);
        Assert.All(first, r => Assert.Equal(["f3", "f0"], r.EnumerateObject().Select(p => p.Name)));
        Assert.Contains(first, r => r.GetProperty("f0").GetString() == "Tony" && r.GetProperty("f3").GetDouble() == 14.1);

        var table = await cli.RunOkAsync("lake", "read", dir);
        Assert.Contains("Marco2", table.Out, StringComparison.Ordinal);
        Assert.Contains("f3", table.Out, StringComparison.Ordinal);
        Assert.Equal("11 rows", table.Error.Trim());
    }

    [Fact]
    public async Task LakeRead_TableWrittenByPaimonTableWriter_SameJsonPerTypeAsScan()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fluss-cli-lake-" + Guid.NewGuid().ToString("N")[..12], "db.db", "typed");
        try
        {
            var type = new RowType([
                new DataField("id", new IntType(false)), new DataField("price", new DecimalType(10, 2)), new DataField("day", new DateType()),
                new DataField("at", new TimestampType(3)), new DataField("tag", new StringType()), new DataField("raw", new BytesType()),
            ]);
            var writer = await PaimonTableWriter.CreateTableAsync(LocalPaimonFileIO.Instance, dir, new PaimonTableDefinition { Columns = type });
            using var builder = new ArrowBatchBuilder(type);
            builder.Append(GenericRow.Of(1, FlussDecimal.Parse("12.50", 10, 2), 20_000, new TimestampNtz(1_700_000_000_123, 0), "a", new byte[] { 1, 2 }));
            builder.Append(GenericRow.Of(2, null, null, null, null, null));
            var file = await writer.WriteAsync(0, [new PaimonWriteBatch(builder.Build())]);
            await writer.CommitAsync([file], "test", 1);

            var read = await cli.RunOkAsync("lake", "read", dir, "--json");
            Assert.Equal(
            [
                "{\"id\":1,\"price\":\"12.50\",\"day\":\"2024-10-04\",\"at\":\"2023-11-14T22:13:20.123\",\"tag\":\"a\",\"raw\":\"AQI=\"}",
                "{\"id\":2,\"price\":null,\"day\":null,\"at\":null,\"tag\":null,\"raw\":null}",
            ], read.Lines.Order(StringComparer.Ordinal));

            var missingColumn = await cli.RunAsync("lake", "read", dir, "--columns", "nope");
            Assert.Equal(1, missingColumn.ExitCode);
            Assert.Contains("'nope'", missingColumn.Error, StringComparison.Ordinal);
            var notATable = await cli.RunAsync("lake", "read", Path.GetDirectoryName(dir)!);
            Assert.Equal(1, notATable.ExitCode);
            Assert.Contains("Paimon table", notATable.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(dir)!)!, recursive: true);
        }
    }

    /// <summary>
    /// One tiering round done by hand, as a tiering service does it: read each bucket's log up to its high watermark,
    /// write it into the lake table, PrepareLakeTableSnapshot (the offsets file), commit to the lake with the file's path
    /// as <c>fluss-offsets</c>, CommitLakeTableSnapshot. The round registers itself without a tiering epoch, as a repair does.
    /// </summary>
    private async Task<(long SnapshotId, IReadOnlyDictionary<int, long> Offsets)> TierOnceAsync(TablePath path)
    {
        await using var conn = await cli.Cluster.ConnectAsync();
        return await ManualTiering.TierOnceAsync(conn, cli.Cluster.Cluster.LakeStorage!, cli.Cluster.BootstrapServers, path);
    }
}
