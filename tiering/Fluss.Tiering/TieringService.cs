using System.Net;
using Fluss.Client;
using Fluss.Tiering.Internal;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fluss.Tiering;

/// <summary>
/// The lake tiering service (Fluss's tiering job): a Hangfire server whose recurring job asks the coordinator for
/// lake tables due for tiering and runs one round per table: read each bucket's log from the last tiered offset to
/// the high watermark, write one lake file per bucket, and commit in two phases (coordinator offsets file, lake
/// snapshot, coordinator commit) so that every acknowledged row reaches the lake exactly once. The service keeps no
/// state of its own; several processes on one PostgreSQL job storage share the tables, each round running once.
/// </summary>
public sealed class TieringService : IAsyncDisposable
{
    private readonly TieringServiceOptions _options;
    private readonly FlussConnection? _connection;
    private readonly JobStorage _storage;
    private readonly ILogger _log;
    private readonly string _name;
    private BackgroundJobServer? _rounds;
    private BackgroundJobServer? _poll;
    private WebApplication? _dashboard;
    private int _stopped;

    private TieringService(TieringServiceOptions options, FlussConnection? connection, ITieringCoordinator coordinator, ITieringLogSource logs, JobStorage storage, string name)
    {
        _options = options;
        _connection = connection;
        _storage = storage;
        _name = name;
        _log = options.LoggerFactory.CreateLogger("Fluss.Tiering");
        Worker = new TieringWorker(
            coordinator,
            logs,
            options.LakeStorage,
            new RoundSettings
            {
                HeartbeatInterval = options.HeartbeatInterval,
                MaxBytesPerBucket = options.MaxBytesPerBucketRound,
                BucketParallelism = options.BucketParallelism,
                Time = options.TimeProvider,
                Fault = FaultInjection.Hook(options.FaultHook),
            },
            _log,
            () => _storage);
    }

    /// <summary>The Hangfire server name prefix of this service (unique per process and start).</summary>
    public string Name => _name;

    /// <summary>The dashboard's address, or null when no dashboard was asked for.</summary>
    public Uri? DashboardUrl { get; private set; }

    internal TieringWorker Worker { get; }

    /// <summary>Connects to the cluster, opens the job storage, schedules the poll and starts the workers.</summary>
    /// <exception cref="Errors.InvalidConfigException">The options are invalid.</exception>
    /// <exception cref="Errors.FlussException">NETWORK when no server of the cluster answers.</exception>
    public static async Task<TieringService> StartAsync(TieringServiceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var connection = await FlussConnection.ConnectAsync(options.ClientOptions(), cancellationToken).ConfigureAwait(false);
        return await StartAsync(options, connection, new FlussTieringCoordinator(connection), new FlussTieringLogSource(connection), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a service on the given coordinator and log (tests pass fakes and no connection).</summary>
    internal static async Task<TieringService> StartAsync(TieringServiceOptions options, FlussConnection? connection, ITieringCoordinator coordinator,
        ITieringLogSource logs, CancellationToken cancellationToken)
    {
        JobStorage? storage = null;
        TieringService? service = null;
        try
        {
            storage = HangfireSetup.CreateStorage(options);
            var name = $"fluss-tiering:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
            service = new TieringService(options, connection, coordinator, logs, storage, name);
            await service.StartServersAsync(cancellationToken).ConfigureAwait(false);
            TieringLog.Started(service._log, name, options.BootstrapServers, options.LakeStorage.Format, options.LakeStorage.Warehouse, options.JobStorage, options.Workers, options.PollInterval);
            return service;
        }
        catch
        {
            if (service is not null) await service.DisposeAsync().ConfigureAwait(false);
            else
            {
                (storage as IDisposable)?.Dispose();
                if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    private async Task StartServersAsync(CancellationToken cancellationToken)
    {
        var activator = new TieringJobActivator(new TieringJobs(Worker));
        // Schema creation and the first queries of a PostgreSQL storage block; keep them off the caller's thread.
        await Task.Run(() =>
        {
            HangfireSetup.SchedulePoll(_storage, _options.PollInterval);
            _rounds = new BackgroundJobServer(HangfireSetup.RoundServer(_name + ":rounds", _options.Workers, activator), _storage);
            _poll = new BackgroundJobServer(HangfireSetup.PollServer(_name + ":poll", activator), _storage);
        }, cancellationToken).ConfigureAwait(false);
        if (_options.DashboardPort is { } port) await StartDashboardAsync(port, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartDashboardAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var dashboard = new DashboardOptions
        {
            Authorization = [new LocalRequestsOnlyAuthorizationFilter()],
            DashboardTitle = "Fluss tiering",
            DisplayStorageConnectionString = false,
        };
        // The dashboard middleware on this service's storage. Not UseHangfireDashboard: it needs AddHangfire, which
        // points Hangfire's process-wide log provider at this web host's logger factory, disposed with the host.
        app.Map("/hangfire", branch => branch.UseMiddleware<AspNetCoreDashboardMiddleware>(_storage, dashboard, DashboardRoutes.Routes));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _dashboard = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        DashboardUrl = address is null ? null : new Uri(address.TrimEnd('/') + "/hangfire");
        if (DashboardUrl is not null) TieringLog.Dashboard(_log, DashboardUrl);
    }

    /// <summary>
    /// Stops the workers (running rounds are cancelled: uncommitted files removed, tables reported failed so the
    /// coordinator hands them out again), the dashboard and the connection.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _poll?.SendStop();
        _rounds?.SendStop();
        foreach (var server in new[] { _poll, _rounds })
        {
            if (server is null) continue;
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            server.Dispose();
        }
        if (_dashboard is not null)
        {
            await _dashboard.StopAsync(cancellationToken).ConfigureAwait(false);
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }
        (_storage as IDisposable)?.Dispose();
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        TieringLog.Stopped(_log, _name);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
