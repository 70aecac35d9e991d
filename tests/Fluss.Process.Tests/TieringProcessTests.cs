using System.Globalization;
using Fluss.Client;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;

namespace Fluss.Process.Tests;

/// <summary>The real <c>fluss-tiering</c> executable: arguments, clean stop, crashes at its commit points, several processes sharing PostgreSQL.</summary>
public sealed class TieringProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    internal static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "fluss-tier-" + Guid.NewGuid().ToString("N")[..10]);

    private string Warehouse => Path.Combine(_dataDir, "lake");

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    private Task<(FlussProcess Process, string Bootstrap)> StartClusterAsync() => StartClusterAsync(_dataDir, Warehouse);

    /// <summary>A local cluster with a Paimon lake and no embedded tiering: the tiering runs in separate processes.</summary>
    internal static async Task<(FlussProcess Process, string Bootstrap)> StartClusterAsync(string dataDir, string warehouse, int tabletServers = 1)
    {
        var port = FlussProcess.FreePort();
        var process = FlussProcess.Start(FlussProcess.FlussCli, "local", "start", "--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--tablet-servers", tabletServers.ToString(CultureInfo.InvariantCulture),
            "-D", "datalake.format=paimon", "-D", "datalake.paimon.warehouse=" + warehouse,
            "-D", "lake.tiering.embedded=false", "-D", "lake.tiering.service-timeout=3 s");
        await process.WaitForOutputAsync("ready", StartTimeout);
        return (process, $"127.0.0.1:{port}");
    }

    private FlussProcess StartTiering(string bootstrap, IReadOnlyDictionary<string, string>? environment = null, params string[] extra) =>
        StartTiering(bootstrap, Warehouse, environment, extra);

    internal static FlussProcess StartTiering(string bootstrap, string warehouse, IReadOnlyDictionary<string, string>? environment, params string[] extra) =>
        FlussProcess.Start(FlussProcess.FlussTiering, environment,
            ["--fluss.bootstrap.servers", bootstrap, "--datalake.format", "paimon", "--datalake.paimon.warehouse", warehouse, "--lake.tiering.heartbeat.interval", "1 s", .. extra]);

    [Theory]
    [InlineData("--bogus 1", "--bogus")]
    [InlineData("--datalake.format paimon", "datalake.paimon.warehouse")]
    [InlineData("--datalake.format paimon --datalake.paimon.warehouse /w --hangfire.storage postgresql", "hangfire.postgresql.connection-string")]
    [InlineData("--datalake.format paimon --datalake.paimon.warehouse /w --workers 0", "lake.tiering.workers")]
    [InlineData("--datalake.format paimon --datalake.paimon.warehouse /w --lake.tiering.poll.table.interval", "needs a value")]
    public async Task FlussTiering_BadArguments_ExitsWithTwoAndSaysWhatIsWrong(string arguments, string named)
    {
        var (exit, _, stderr) = await FlussProcess.RunAsync(FlussProcess.FlussTiering, null, TimeSpan.FromSeconds(60),
            ["--fluss.bootstrap.servers", "127.0.0.1:1", .. arguments.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlussTiering_Sigterm_StopsCleanly()
    {
        var (cluster, bootstrap) = await StartClusterAsync();
        await using (cluster)
        {
            await using var tiering = StartTiering(bootstrap, extra: ["--hangfire.dashboard.port", "0"]);
            await tiering.WaitForOutputAsync("fluss-tiering ready", StartTimeout);
            Assert.Contains("dashboard http://127.0.0.1:", tiering.Output, StringComparison.Ordinal);

            Assert.Equal(0, await tiering.TerminateAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("stopped", tiering.Output, StringComparison.Ordinal);
            output.WriteLine(tiering.Output);
        }
    }

    [Theory]
    [InlineData("before-lake-commit")]
    [InlineData("before-coordinator-commit")]
    public async Task SigKill_TieringProcessPausedAtACommitPoint_NextProcessLeavesEveryAcknowledgedRowInTheLakeOnce(string point)
    {
        var (cluster, bootstrap) = await StartClusterAsync();
        await using (cluster)
        {
            await using var conn = await ConnectAsync(bootstrap);
            var table = await CreateLakeTableAsync(conn, new TablePath("lake", "events"), buckets: 2);
            await AppendAsync(table, 0, 2000);

            await using (var doomed = StartTiering(bootstrap, new Dictionary<string, string> { ["FLUSS_TIERING_TEST_PAUSE_AT"] = point }))
            {
                await doomed.WaitForOutputAsync($"tiering paused at {point}", StartTimeout);
                doomed.Kill();
                output.WriteLine(doomed.Output);
            }
            await AppendAsync(table, 2000, 2500);

            await using var next = StartTiering(bootstrap);
            await WaitForLakeAsync(conn, table);
            Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long)i), (await LakeRowsAsync(table.Path)).Select(r => (long)r[0]!).Order());
            if (point == "before-coordinator-commit")
                Assert.Contains("Registered lake snapshot", next.Output, StringComparison.Ordinal);
            Assert.Equal(0, await next.TerminateAsync(TimeSpan.FromSeconds(60)));
        }
    }

    internal static async Task<FlussConnection> ConnectAsync(string bootstrap) =>
        await FlussConnection.ConnectAsync(new FlussClientOptions { BootstrapServers = bootstrap, RequestTimeout = TimeSpan.FromSeconds(10) });

    internal static async Task<FlussTable> CreateLakeTableAsync(FlussConnection conn, TablePath path, int buckets, bool primaryKey = false)
    {
        await conn.Admin.CreateDatabaseAsync(path.DatabaseName, ignoreIfExists: true);
        var schema = primaryKey
            ? Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING").PrimaryKey("id").Build()
            : Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING").Build();
        await conn.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets)
            .Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 s").Build());
        return await conn.GetTableAsync(path);
    }

    /// <summary>Appends rows with ids [from, to) and waits until all are acknowledged.</summary>
    internal static async Task AppendAsync(FlussTable table, int from, int to)
    {
        await using var writer = table.NewAppendWriter();
        var acks = new List<Task>();
        for (var i = from; i < to; i++) acks.Add(writer.AppendAsync(GenericRow.Of((long)i, "r" + i)));
        await writer.FlushAsync();
        await Task.WhenAll(acks);
    }

    /// <summary>Waits until the coordinator's lake snapshot has every bucket at its current high watermark.</summary>
    internal static async Task WaitForLakeAsync(FlussConnection conn, FlussTable table)
    {
        var buckets = Enumerable.Range(0, table.Info.NumBuckets).ToArray();
        var hw = await conn.Admin.ListOffsetsAsync(table.Path, buckets, OffsetSpec.Latest);
        await Wait.UntilAsync(async () =>
        {
            var snapshot = await conn.Admin.GetLakeSnapshotAsync(table.Path);
            return buckets.All(b => hw[b] == 0 || snapshot.BucketOffsets.GetValueOrDefault(b, -1) == hw[b]);
        }, TimeSpan.FromSeconds(120), $"the lake of {table.Path} to reach the high watermarks");
    }

    private Task<List<GenericRow>> LakeRowsAsync(TablePath path) => LakeRowsAsync(Warehouse, path);

    internal static async Task<List<GenericRow>> LakeRowsAsync(string warehouse, TablePath path)
    {
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, new PaimonLakeStorage(warehouse).TableLocation(path));
        var rows = new List<GenericRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        return rows;
    }
}

/// <summary>Several <c>fluss-tiering</c> processes sharing one PostgreSQL job storage.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class TieringPostgresProcessTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "fluss-tierpg-" + Guid.NewGuid().ToString("N")[..10]);

    private string Warehouse => Path.Combine(_dataDir, "lake");

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task TwoTieringProcesses_SharedPostgreSqlStorage_TierEveryTableWithoutAnyRowTwice()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("tiering_" + Guid.NewGuid().ToString("N")[..8]);
        var (cluster, bootstrap) = await TieringProcessTests.StartClusterAsync(_dataDir, Warehouse);
        await using (cluster)
        {
            await using var conn = await TieringProcessTests.ConnectAsync(bootstrap);
            var tables = new List<FlussTable>();
            for (var t = 0; t < 4; t++)
            {
                var table = await TieringProcessTests.CreateLakeTableAsync(conn, new TablePath("lake", "t" + t), buckets: 2);
                await TieringProcessTests.AppendAsync(table, 0, 1000);
                tables.Add(table);
            }

            string[] shared = ["--hangfire.storage", "postgresql", "--hangfire.postgresql.connection-string", connectionString, "--workers", "2"];
            await using var a = TieringProcessTests.StartTiering(bootstrap, Warehouse, null, shared);
            await using var b = TieringProcessTests.StartTiering(bootstrap, Warehouse, null, shared);
            await a.WaitForOutputAsync("fluss-tiering ready", TieringProcessTests.StartTimeout);
            await b.WaitForOutputAsync("fluss-tiering ready", TieringProcessTests.StartTimeout);

            // More rows while both tier: later rounds continue where earlier ones (of either process) stopped.
            foreach (var table in tables) await TieringProcessTests.AppendAsync(table, 1000, 1600);
            foreach (var table in tables)
            {
                await TieringProcessTests.WaitForLakeAsync(conn, table);
                Assert.Equal(Enumerable.Range(0, 1600).Select(i => (long)i), (await TieringProcessTests.LakeRowsAsync(Warehouse, table.Path)).Select(r => (long)r[0]!).Order());
            }

            Assert.Equal(0, await a.TerminateAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, await b.TerminateAsync(TimeSpan.FromSeconds(60)));
            output.WriteLine($"rounds committed by process a: {Count(a.Output, "Tiered ")}, by process b: {Count(b.Output, "Tiered ")}");
        }
    }

    private static int Count(string text, string what) => text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
}
