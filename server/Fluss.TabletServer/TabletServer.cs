using System.Net;
using Fluss.Errors;
using Fluss.Rpc;
using Fluss.Rpc.Messages;
using Fluss.Storage.Log;
using Fluss.TabletServer.Metadata;
using Fluss.TabletServer.Registration;
using Fluss.TabletServer.Replicas;
using Fluss.TabletServer.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fluss.TabletServer;

/// <summary>
/// A Fluss tablet server: hosts the log tablets of its data directory behind a gRPC endpoint (produce, fetch, list
/// offsets, metadata), takes leadership decisions from the coordinator, and registers and heartbeats with it.
/// Start with <see cref="StartAsync"/>; stop with <see cref="StopAsync"/> (or dispose), which stops serving, then
/// flushes and checkpoints the logs and closes their files.
/// </summary>
public sealed class TabletServer : IAsyncDisposable
{
    private readonly TabletServerSettings _settings;
    private readonly ILogger _logger;
    private readonly LogManager _logManager;
    private readonly ReplicaManager _replicaManager;
    private readonly BackgroundTasks _background;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _stopLock = new(1, 1);
    private WebApplication? _app;
    private CoordinatorRegistration? _registration;
    private bool _stopped;

    private TabletServer(TabletServerSettings settings, TabletServerOptions options, LogManager logManager)
    {
        _settings = settings;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger<TabletServer>();
        _logManager = logManager;
        _replicaManager = new ReplicaManager(settings, logManager, new TabletServerMetadataCache(), options.TimeProvider,
            options.LoggerFactory.CreateLogger<ReplicaManager>());
        _background = new BackgroundTasks(settings, logManager, options.TimeProvider, options.LoggerFactory.CreateLogger<BackgroundTasks>());
    }

    /// <summary>The server id (<c>tablet-server.id</c>).</summary>
    public int ServerId => _settings.ServerId;

    /// <summary>The host the server is reachable at (the advertised host, else the bind host).</summary>
    public string Host => _settings.AdvertisedHost;

    /// <summary>The port the server listens on (the free port picked when 0 was configured).</summary>
    public int Port { get; private set; }

    /// <summary>The data directory (<c>data.dir</c>).</summary>
    public string DataDirectory => _settings.DataDir;

    internal ReplicaManager ReplicaManager => _replicaManager;

    internal LogManager LogManager => _logManager;

    internal CoordinatorRegistration? Registration => _registration;

    /// <summary>
    /// Validates the configuration, opens the data directory (recovering its logs), starts serving and, when
    /// <c>coordinator.address</c> is set, starts registering with the coordinator in the background.
    /// </summary>
    /// <exception cref="InvalidConfigException">A configuration value is missing or invalid; the message names the key.</exception>
    /// <exception cref="FlussException">LOG_STORAGE when the data directory is locked by another server or cannot be loaded.</exception>
    public static async Task<TabletServer> StartAsync(TabletServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = TabletServerSettings.FromConfiguration(options.Configuration);
        var logManager = LogManager.Open(settings.DataDir, new LogManagerOptions
        {
            Tablet = settings.LogOptions,
            HighWatermarkCheckpointInterval = settings.HighWatermarkCheckpointInterval,
            RecoveryPointCheckpointInterval = settings.RecoveryPointCheckpointInterval,
            RetentionCheckInterval = settings.RetentionCheckInterval,
            WriterIdExpirationCheckInterval = settings.WriterIdExpirationCheckInterval,
        }, options.TimeProvider);
        var server = new TabletServer(settings, options, logManager);
        try
        {
            server._logger.LogsLoaded(logManager.Tablets.Count, settings.DataDir, logManager.WasCleanShutdown);
            await server.StartServingAsync(options, cancellationToken).ConfigureAwait(false);
            server._background.Start();
            if (settings.CoordinatorAddress is { } coordinator)
            {
                server._registration = new CoordinatorRegistration(coordinator, settings.ServerId, server.BuildRegistration,
                    settings.SessionTimeout, options.TimeProvider, options.LoggerFactory.CreateLogger<CoordinatorRegistration>());
                server._registration.Start();
            }
            server._logger.Started(settings.ServerId, settings.AdvertisedHost, server.Port, settings.DataDir);
            return server;
        }
        catch
        {
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private RegisterTabletServerRequest BuildRegistration()
    {
        var request = new RegisterTabletServerRequest
        {
            ServerId = _settings.ServerId,
            Host = _settings.AdvertisedHost,
            Port = _settings.AdvertisedPort ?? Port,
            RegisterTimestamp = _time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        if (_settings.Rack is { } rack) request.Rack = rack;
        return request;
    }

    private async Task StartServingAsync(TabletServerOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(options.LoggerFactory);
        builder.Services.AddSingleton(_replicaManager);
        builder.Services.AddSingleton<FlussErrorInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<FlussErrorInterceptor>();
            grpc.MaxReceiveMessageSize = _settings.MaxRequestSize;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
        });
        var address = ResolveBindAddress(_settings.Bind.Host);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC checks each message against MaxReceiveMessageSize from its length prefix, before buffering it.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(address, _settings.Bind.Port, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGrpcService<TabletServiceImpl>();
        app.MapGrpcService<TabletAdminReadOnlyServiceImpl>();
        _app = app;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel did not report its bound address.");
        Port = new Uri(addresses.First()).Port;
    }

    private static IPAddress ResolveBindAddress(string host)
    {
        if (host is "localhost") return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var ip)) return ip;
        var resolved = Dns.GetHostAddresses(host);
        return resolved.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? resolved.FirstOrDefault()
            ?? throw new InvalidConfigException($"The bind host '{host}' (bind.listeners / tablet-server.host) does not resolve to an address.");
    }

    /// <summary>
    /// Stops gracefully: stops registering, lets waiting requests answer, stops serving, then flushes the logs,
    /// writes the high-watermark and recovery-point checkpoints and closes the files. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped) return;
            _stopped = true;
            if (_registration is not null) await _registration.DisposeAsync().ConfigureAwait(false);
            _replicaManager.BeginShutdown();
            if (_app is not null)
            {
                try
                {
                    await _app.StopAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await _app.DisposeAsync().ConfigureAwait(false);
                }
            }
            await _background.DisposeAsync().ConfigureAwait(false);
            _replicaManager.Dispose();
            _logManager.Dispose();
            _logger.Stopped(_settings.ServerId);
        }
        finally
        {
            _stopLock.Release();
        }
    }

    /// <summary>
    /// Simulates a crash for in-process clusters: stops at once (open calls are aborted, nothing drains, heartbeats
    /// just stop), closes the files and removes the clean-shutdown marker, so the next start on this data directory
    /// runs full log recovery as after a killed process.
    /// </summary>
    internal async Task KillAsync()
    {
        await _stopLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stopped) return;
            _stopped = true;
            if (_registration is not null) await _registration.DisposeAsync().ConfigureAwait(false);
            _replicaManager.BeginShutdown();
            if (_app is not null)
            {
                using var now = new CancellationTokenSource();
                await now.CancelAsync().ConfigureAwait(false);
                try
                {
                    await _app.StopAsync(now.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                await _app.DisposeAsync().ConfigureAwait(false);
            }
            await _background.DisposeAsync().ConfigureAwait(false);
            _replicaManager.Dispose();
            _logManager.Dispose();
            File.Delete(Path.Combine(_settings.DataDir, LogManager.CleanShutdownFileName));
            _logger.Stopped(_settings.ServerId);
        }
        finally
        {
            _stopLock.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
