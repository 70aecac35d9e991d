using System.Globalization;

namespace Fluss.Process.Tests;

/// <summary>The real <c>fluss-tiering</c> executable: arguments, clean stop, crashes at its commit points, several processes sharing PostgreSQL.</summary>
public sealed class TieringProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "fluss-tier-" + Guid.NewGuid().ToString("N")[..10]);

    private string Warehouse => Path.Combine(_dataDir, "lake");

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>A local cluster with a Paimon lake and no embedded tiering: the tiering runs in separate processes.</summary>
    private async Task<(FlussProcess Process, string Bootstrap)> StartClusterAsync()
    {
        var port = FlussProcess.FreePort();
        var process = FlussProcess.Start(FlussProcess.FlussCli, "local", "start", "--data-dir", _dataDir, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--tablet-servers", "1",
            "-D", "datalake.format=paimon", "-D", "datalake.paimon.warehouse=" + Warehouse,
            "-D", "lake.tiering.embedded=false", "-D", "lake.tiering.service-timeout=3 s");
        await process.WaitForOutputAsync("ready", StartTimeout);
        return (process, $"127.0.0.1:{port}");
    }

    private FlussProcess StartTiering(string bootstrap, IReadOnlyDictionary<string, string>? environment = null, params string[] extra) =>
        FlussProcess.Start(FlussProcess.FlussTiering, environment,
            ["--fluss.bootstrap.servers", bootstrap, "--datalake.format", "paimon", "--datalake.paimon.warehouse", Warehouse, "--lake.tiering.heartbeat.interval", "1 s", .. extra]);

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
}
