using System.Globalization;
using Fluss.Client;
using Fluss.Config;
using Fluss.LocalCluster;

namespace Fluss.Testing;

/// <summary>
/// An in-process cluster for tests: a coordinator and N tablet servers on free loopback ports under a fresh temp
/// directory (deleted on dispose), with short liveness timeouts so failure tests run in seconds. Tablet servers can
/// be stopped and started again on their data, and the whole cluster restarted on the same directory.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly int _tabletServers;
    private readonly bool _ownsDirectory;

    private TestCluster(FlussLocalCluster cluster, string dataDir, IReadOnlyDictionary<string, string> settings, int tabletServers, bool ownsDirectory)
    {
        Cluster = cluster;
        DataDir = dataDir;
        _settings = settings;
        _tabletServers = tabletServers;
        _ownsDirectory = ownsDirectory;
    }

    public FlussLocalCluster Cluster { get; private set; }

    public string DataDir { get; }

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>Liveness session timeout of the test cluster: a stopped tablet server is declared dead after this.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(2);

    public static async Task<TestCluster> StartAsync(int tabletServers = 3, IReadOnlyDictionary<string, string>? settings = null,
        string? dataDir = null, CancellationToken cancellationToken = default)
    {
        var ownsDirectory = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "fluss-test-" + Guid.NewGuid().ToString("N")[..12]);
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ConfigOptions.ZooKeeperSessionTimeout.Key] = ((int)SessionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms",
        };
        if (settings is not null)
            foreach (var (k, v) in settings) merged[k] = v;
        var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions
        {
            DataDir = dataDir,
            CoordinatorPort = 0,
            TabletServers = tabletServers,
            Settings = merged,
        }, cancellationToken).ConfigureAwait(false);
        var testCluster = new TestCluster(cluster, dataDir, merged, tabletServers, ownsDirectory);
        await testCluster.WaitForTabletServersAsync(tabletServers, cancellationToken).ConfigureAwait(false);
        return testCluster;
    }

    /// <summary>A client connection to this cluster.</summary>
    public Task<FlussConnection> ConnectAsync(Func<FlussClientOptions, FlussClientOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new FlussClientOptions { BootstrapServers = BootstrapServers, RequestTimeout = TimeSpan.FromSeconds(20) };
        if (configure is not null) options = configure(options);
        return FlussConnection.ConnectAsync(options, cancellationToken);
    }

    /// <summary>Stops the whole cluster cleanly and starts it again on the same data directory and coordinator port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await Cluster.StopAsync(cancellationToken).ConfigureAwait(false);
        Cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions
        {
            DataDir = DataDir,
            CoordinatorPort = 0,
            TabletServers = _tabletServers,
            Settings = _settings,
        }, cancellationToken).ConfigureAwait(false);
        await WaitForTabletServersAsync(_tabletServers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the coordinator's metadata lists <paramref name="count"/> live tablet servers.</summary>
    public async Task WaitForTabletServersAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var conn = await ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Wait.UntilAsync(async () => (await conn.Admin.GetServerNodesAsync(cancellationToken).ConfigureAwait(false)).Count(n => !n.IsCoordinator) == count,
            TimeSpan.FromSeconds(30), $"{count} live tablet servers").ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync().ConfigureAwait(false);
        if (_ownsDirectory)
        {
            try { Directory.Delete(DataDir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>Polling with a deadline, for conditions that have no signal to wait on.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition().ConfigureAwait(false)) return;
            }
            catch (Exception e)
            {
                last = e;
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}." + (last is null ? "" : $" Last error: {last.Message}"), last);
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);
}
