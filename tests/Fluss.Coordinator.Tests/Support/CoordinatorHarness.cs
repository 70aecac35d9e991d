using System.Globalization;
using Fluss.Config;
using Fluss.Coordinator;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.MetadataStore;
using Fluss.Rpc;
using Fluss.Rpc.Messages;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.Coordinator.Support;

/// <summary>
/// A coordinator on a free loopback port with real gRPC clients and optional fake tablet servers. By default the
/// metadata store is an in-memory embedded store on a fake clock (tests advance it to expire liveness sessions);
/// <see cref="StartDurableAsync"/> uses the coordinator's own durable store under a temp data dir instead.
/// </summary>
internal sealed class CoordinatorHarness : IAsyncDisposable
{
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);

    private readonly List<FakeTabletServer> _servers = [];
    private GrpcChannel _channel = null!;

    private CoordinatorHarness(TempDirectory dir, Configuration conf, FakeTimeProvider? clock, EmbeddedMetadataStore? store, ILakeStorage? lake)
    {
        Dir = dir;
        Configuration = conf;
        Clock = clock;
        Store = store;
        Lake = lake;
    }

    /// <summary>The lake storage the coordinator was given, if any.</summary>
    public ILakeStorage? Lake { get; }

    public TempDirectory Dir { get; }

    public Configuration Configuration { get; }

    public FakeTimeProvider? Clock { get; }

    /// <summary>The store the test passed in (null when the coordinator owns a durable one).</summary>
    public EmbeddedMetadataStore? Store { get; }

    public CoordinatorServer Server { get; private set; } = null!;

    public AdminReadOnlyService.AdminReadOnlyServiceClient Admin { get; private set; } = null!;

    public CoordinatorService.CoordinatorServiceClient Coordinator { get; private set; } = null!;

    public IReadOnlyList<FakeTabletServer> TabletServers => _servers;

    /// <summary>A coordinator over an in-memory store on a fake clock.</summary>
    /// <param name="configure">Changes to the configuration.</param>
    /// <param name="lake">Makes the lake storage from the test's temp directory (null: no lake).</param>
    public static async Task<CoordinatorHarness> StartAsync(Action<Configuration>? configure = null, Func<string, ILakeStorage?>? lake = null)
    {
        var dir = new TempDirectory();
        var clock = new FakeTimeProvider();
        var store = await EmbeddedMetadataStore.OpenAsync(new EmbeddedMetadataStoreOptions { TimeProvider = clock });
        var harness = new CoordinatorHarness(dir, BaseConfiguration(dir, configure), clock, store, lake?.Invoke(dir.Path));
        await harness.StartServerAsync();
        return harness;
    }

    /// <summary>A coordinator that opens its own durable store under the data dir (system clock).</summary>
    public static async Task<CoordinatorHarness> StartDurableAsync(Action<Configuration>? configure = null)
    {
        var dir = new TempDirectory();
        var harness = new CoordinatorHarness(dir, BaseConfiguration(dir, configure), null, null, null);
        await harness.StartServerAsync();
        return harness;
    }

    private static Configuration BaseConfiguration(TempDirectory dir, Action<Configuration>? configure)
    {
        var conf = new Configuration()
            .SetString(ConfigOptions.BindListeners.Key, "FLUSS://127.0.0.1:0")
            .SetString(ConfigOptions.DataDir.Key, dir.Path)
            .SetString(ConfigOptions.ZooKeeperSessionTimeout.Key, ((int)SessionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms");
        configure?.Invoke(conf);
        return conf;
    }

    private async Task StartServerAsync()
    {
        Server = await CoordinatorServer.StartAsync(new CoordinatorServerOptions
        {
            Configuration = Configuration,
            MetadataStore = Store,
            TimeProvider = Clock ?? TimeProvider.System,
            LakeStorage = Lake,
        });
        _channel = GrpcChannel.ForAddress(Server.Endpoint);
        Admin = new AdminReadOnlyService.AdminReadOnlyServiceClient(_channel);
        Coordinator = new CoordinatorService.CoordinatorServiceClient(_channel);
    }

    /// <summary>Stops the coordinator and starts a new one on the same store or data dir; tablet servers are pointed at it.</summary>
    public async Task RestartAsync()
    {
        _channel.Dispose();
        await Server.StopAsync();
        await StartServerAsync();
        foreach (var s in _servers)
            s.ConnectTo(Server.Endpoint);
    }

    /// <summary>Starts and registers fake tablet servers with the given ids.</summary>
    public async Task<FakeTabletServer[]> AddTabletServersAsync(params int[] ids)
    {
        var started = new List<FakeTabletServer>();
        foreach (var id in ids)
        {
            var server = await FakeTabletServer.StartAsync(id, Server.Endpoint);
            await server.RegisterAsync();
            _servers.Add(server);
            started.Add(server);
        }
        return [.. started];
    }

    public async Task<FakeTabletServer> AddTabletServerAsync(int id, string? rack)
    {
        var server = await FakeTabletServer.StartAsync(id, Server.Endpoint, rack);
        await server.RegisterAsync();
        _servers.Add(server);
        return server;
    }

    /// <summary>
    /// Moves the fake clock forward by <paramref name="span"/> in steps of a quarter of the session timeout, so the
    /// sessions' heartbeat timers fire on the way and no session expires (a single jump of a session timeout or more
    /// would expire the coordinator's own session before its heartbeat runs).
    /// </summary>
    public void Advance(TimeSpan span)
    {
        var clock = Clock ?? throw new InvalidOperationException("Advancing time needs the fake clock.");
        var step = SessionTimeout / 4;
        while (span > TimeSpan.Zero)
        {
            var next = span < step ? span : step;
            clock.Advance(next);
            span -= next;
        }
    }

    /// <summary>
    /// Moves the fake clock past the session timeout in two steps, heartbeating every server except the silent ones
    /// in between, so only the silent servers' sessions expire.
    /// </summary>
    public async Task ExpireAsync(params FakeTabletServer[] silent)
    {
        var clock = Clock ?? throw new InvalidOperationException("Expiry needs the fake clock.");
        for (var step = 0; step < 2; step++)
        {
            foreach (var s in _servers.Except(silent))
                await s.HeartbeatAsync();
            clock.Advance(SessionTimeout * 0.6);
        }
        foreach (var s in _servers.Except(silent))
            await s.HeartbeatAsync();
    }

    public async Task CreateDatabaseAsync(string name)
    {
        await Coordinator.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseName = name });
    }

    public async Task CreateTableAsync(TablePath path, TableDescriptor descriptor, bool ignoreIfExists = false)
    {
        await Coordinator.CreateTableAsync(new CreateTableRequest
        {
            TablePath = new PbTablePath { DatabaseName = path.DatabaseName, TableName = path.TableName },
            TableJson = ByteString.CopyFrom(descriptor.ToJsonBytes()),
            IgnoreIfExists = ignoreIfExists,
        });
    }

    /// <summary>Waits until every live replica of the table heard the current leadership of each bucket it hosts.</summary>
    public async Task SettledAsync(TablePath path)
    {
        var metadata = await MetadataAsync(path);
        foreach (var server in _servers)
        {
            var hosted = metadata.BucketMetadata.Where(b => b.ReplicaId.Contains(server.Id)).ToList();
            await Eventually.TrueAsync(
                () => hosted.All(b => server.Service.LastNotification(metadata.TableId, b.BucketId)?.LeaderEpoch == b.LeaderEpoch),
                $"leadership of {path} at server {server.Id}");
        }
    }

    public async Task<PbTableMetadata> MetadataAsync(TablePath path)
    {
        var request = new MetadataRequest();
        request.TablePath.Add(new PbTablePath { DatabaseName = path.DatabaseName, TableName = path.TableName });
        var response = await Admin.GetMetadataAsync(request);
        return response.TableMetadata.Single();
    }

    /// <summary>Runs a call that must fail and returns the Fluss error the client sees.</summary>
    public async Task<FlussException> FailsAsync(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        return RpcErrors.FromRpcException(e, Server.Endpoint.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _servers)
            await s.DisposeAsync();
        _channel.Dispose();
        await Server.DisposeAsync();
        if (Store is not null) await Store.DisposeAsync();
        Dir.Dispose();
    }
}
