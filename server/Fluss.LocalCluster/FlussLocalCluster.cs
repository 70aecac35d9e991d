using System.Globalization;
using Fluss.Config;
using Fluss.Coordinator;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.Tiering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.LocalCluster;

/// <summary>Options of a local cluster.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>
    /// Root data directory: the coordinator keeps <c>coordinator/</c>, tablet server N keeps <c>tablet-N/</c>, remote
    /// storage defaults to <c>remote/</c> and the Paimon lake warehouse to <c>lake/</c>.
    /// </summary>
    public required string DataDir { get; init; }

    /// <summary>Coordinator port clients bootstrap from; 0 picks a free port.</summary>
    public int CoordinatorPort { get; init; } = 9123;

    /// <summary>Tablet server ports; 0 (default) picks free ports.</summary>
    public int TabletServerBasePort { get; init; }

    public int TabletServers { get; init; } = 3;

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Extra configuration (Fluss key names) applied to every server.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Run the tiering service in this process (in-memory job storage) when the cluster has a lake; default true.
    /// The setting <c>lake.tiering.embedded=false</c> turns it off too (for separate <c>fluss-tiering</c> processes).
    /// </summary>
    public bool Tiering { get; init; } = true;
}

/// <summary>
/// A coordinator (embedded metadata store) and N tablet servers in this process, on loopback. What
/// <c>fluss local start</c> and the in-process test cluster run; a second start on the same data directory
/// recovers everything written before.
/// </summary>
public sealed class FlussLocalCluster : IAsyncDisposable
{
    private readonly LocalClusterOptions _options;
    private readonly Dictionary<int, Fluss.TabletServer.TabletServer> _tabletServers = [];
    private int _stopped;

    private FlussLocalCluster(LocalClusterOptions options, CoordinatorServer coordinator, ILakeStorage? lakeStorage)
    {
        _options = options;
        Coordinator = coordinator;
        LakeStorage = lakeStorage;
    }

    /// <summary>
    /// The cluster's lake: Paimon in <c>{DataDir}/lake</c> unless <c>datalake.format</c> / <c>datalake.paimon.warehouse</c>
    /// say otherwise.
    /// </summary>
    public ILakeStorage? LakeStorage { get; }

    public CoordinatorServer Coordinator { get; private set; }

    /// <summary>The running tablet servers by id.</summary>
    public IReadOnlyDictionary<int, Fluss.TabletServer.TabletServer> TabletServers => _tabletServers;

    /// <summary><c>host:port</c> of the coordinator, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => $"{_options.Host}:{Coordinator.Port}";

    public string DataDir => _options.DataDir;

    /// <summary>The in-process tiering service, or null when the cluster has no lake or tiering is turned off.</summary>
    public TieringService? TieringService { get; private set; }

    public static async Task<FlussLocalCluster> StartAsync(LocalClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TabletServers < 1) throw new ArgumentOutOfRangeException(nameof(options), "A local cluster needs at least one tablet server.");
        Directory.CreateDirectory(options.DataDir);
        var lake = PaimonLakeStorage.FromConfiguration(BaseConfiguration(options));
        var coordinator = await StartCoordinatorAsync(options, options.CoordinatorPort, lake, cancellationToken).ConfigureAwait(false);
        var cluster = new FlussLocalCluster(options, coordinator, lake);
        try
        {
            for (var id = 0; id < options.TabletServers; id++)
                await cluster.StartTabletServerAsync(id, cancellationToken).ConfigureAwait(false);
            await cluster.StartTieringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return cluster;
    }

    /// <summary>Starts (or restarts) tablet server <paramref name="id"/> on its data directory.</summary>
    public async Task<Fluss.TabletServer.TabletServer> StartTabletServerAsync(int id, CancellationToken cancellationToken = default)
    {
        if (_tabletServers.ContainsKey(id)) throw new InvalidOperationException($"Tablet server {id} is already running.");
        var port = _options.TabletServerBasePort == 0 ? 0 : _options.TabletServerBasePort + id;
        var conf = BaseConfiguration(_options);
        conf.SetString(ConfigOptions.TabletServerId.Key, id.ToString(CultureInfo.InvariantCulture));
        conf.SetString(ConfigOptions.BindListeners.Key, $"FLUSS://{_options.Host}:{port}");
        conf.SetString(ConfigOptions.DataDir.Key, Path.Combine(_options.DataDir, $"tablet-{id}"));
        conf.SetString(Fluss.TabletServer.TabletServerOptions.CoordinatorAddress.Key, $"{_options.Host}:{Coordinator.Port}");
        var server = await Fluss.TabletServer.TabletServer.StartAsync(new Fluss.TabletServer.TabletServerOptions(conf)
        {
            TimeProvider = _options.TimeProvider,
            LoggerFactory = _options.LoggerFactory,
        }, cancellationToken).ConfigureAwait(false);
        _tabletServers[id] = server;
        return server;
    }

    /// <summary>Stops tablet server <paramref name="id"/> cleanly (it can be started again).</summary>
    public async Task StopTabletServerAsync(int id, CancellationToken cancellationToken = default)
    {
        if (_tabletServers.Remove(id, out var server))
            await server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the coordinator and starts it again on the same data directory and port.</summary>
    public async Task RestartCoordinatorAsync(CancellationToken cancellationToken = default)
    {
        var port = Coordinator.Port;
        await Coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
        Coordinator = await StartCoordinatorAsync(_options, port, LakeStorage, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        if (TieringService is { } tiering)
        {
            TieringService = null;
            await tiering.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var id in _tabletServers.Keys.ToList())
            await StopTabletServerAsync(id, cancellationToken).ConfigureAwait(false);
        await Coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Starts the tiering service against this cluster when it has a lake storage and tiering is on.</summary>
    private async Task StartTieringAsync(CancellationToken cancellationToken)
    {
        var conf = BaseConfiguration(_options);
        if (!_options.Tiering || !conf.Get(TieringOptions.Embedded) || LakeStorage is not { } lake) return;
        conf.SetString(ConfigOptions.BootstrapServers.Key, BootstrapServers);
        TieringService = await TieringService.StartAsync(TieringServiceOptions.FromConfiguration(conf, lake) with { LoggerFactory = _options.LoggerFactory },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<CoordinatorServer> StartCoordinatorAsync(LocalClusterOptions options, int port, ILakeStorage? lake, CancellationToken ct)
    {
        var conf = BaseConfiguration(options);
        conf.SetString(ConfigOptions.BindListeners.Key, $"FLUSS://{options.Host}:{port}");
        conf.SetString(ConfigOptions.DataDir.Key, options.DataDir);
        return await CoordinatorServer.StartAsync(new CoordinatorServerOptions
        {
            Configuration = conf,
            TimeProvider = options.TimeProvider,
            LoggerFactory = options.LoggerFactory,
            LakeStorage = lake,
        }, ct).ConfigureAwait(false);
    }

    private static Configuration BaseConfiguration(LocalClusterOptions options)
    {
        var conf = new Configuration();
        // Remote storage (KV snapshots, later remote log segments and the lake) lives under the data directory
        // unless configured: the embedded default needs no external storage.
        conf.SetString(ConfigOptions.RemoteDataDir.Key, Path.Combine(options.DataDir, "remote"));
        // A lake out of the box: Paimon in {data dir}/lake unless configured otherwise.
        conf.SetString(ConfigOptions.DataLakeFormatOption.Key, "paimon");
        conf.SetString(PaimonLakeStorage.WarehouseKey, Path.Combine(options.DataDir, "lake"));
        foreach (var (k, v) in options.Settings) conf.SetString(k, v);
        return conf;
    }
}
