using Fluss.Rpc.Messages;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Fluss.TabletServer.Registration;

/// <summary>
/// Keeps the tablet server registered with the coordinator: registers (retrying with exponential backoff until the
/// coordinator answers), then heartbeats every third of the session timeout. It registers again when a heartbeat
/// answers <c>registered=false</c> (the session expired, or the coordinator restarted and lost it) or reports a
/// higher coordinator epoch. Data keeps flowing meanwhile: registration never blocks requests.
/// </summary>
internal sealed class CoordinatorRegistration : IAsyncDisposable
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly HostPort _coordinator;
    private readonly Func<RegisterTabletServerRequest> _registration;
    private readonly int _serverId;
    private readonly TimeSpan _configuredSessionTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GrpcChannel _channel;
    private readonly CoordinatorService.CoordinatorServiceClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _registrations;

    public CoordinatorRegistration(HostPort coordinator, int serverId, Func<RegisterTabletServerRequest> registration, TimeSpan sessionTimeout, TimeProvider time, ILogger logger)
    {
        _coordinator = coordinator;
        _serverId = serverId;
        _registration = registration;
        _configuredSessionTimeout = sessionTimeout;
        _time = time;
        _logger = logger;
        _channel = GrpcChannel.ForAddress($"http://{coordinator}");
        _client = new CoordinatorService.CoordinatorServiceClient(_channel);
    }

    /// <summary>The coordinator epoch of the last successful registration (-1 before).</summary>
    public int CoordinatorEpoch { get; private set; } = -1;

    /// <summary>How many times the server has registered successfully.</summary>
    public int Registrations => Volatile.Read(ref _registrations);

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan sessionTimeout;
            try
            {
                using var timeout = CallTimeout(_configuredSessionTimeout, cancellationToken);
                var response = await _client.RegisterTabletServerAsync(_registration(), cancellationToken: timeout.Token).ConfigureAwait(false);
                CoordinatorEpoch = response.CoordinatorEpoch;
                sessionTimeout = response.SessionTimeoutMs > 0 ? TimeSpan.FromMilliseconds(response.SessionTimeoutMs) : _configuredSessionTimeout;
                Interlocked.Increment(ref _registrations);
                _logger.Registered(_coordinator.ToString(), response.CoordinatorEpoch, (int)sessionTimeout.TotalMilliseconds);
                backoff = InitialBackoff;
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                _logger.RegistrationFailed(_coordinator.ToString(), (long)backoff.TotalMilliseconds, Reason(e));
                if (!await DelayAsync(backoff, cancellationToken).ConfigureAwait(false)) return;
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
                continue;
            }

            await HeartbeatUntilReregisterAsync(sessionTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Heartbeats until the coordinator asks for a new registration (or the server stops).</summary>
    private async Task HeartbeatUntilReregisterAsync(TimeSpan sessionTimeout, CancellationToken cancellationToken)
    {
        var interval = sessionTimeout / 3;
        while (await DelayAsync(interval, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                using var timeout = CallTimeout(interval, cancellationToken);
                var response = await _client.TabletServerHeartbeatAsync(new TabletServerHeartbeatRequest { ServerId = _serverId }, cancellationToken: timeout.Token).ConfigureAwait(false);
                if (!response.Registered)
                {
                    _logger.NotRegistered(_serverId);
                    return;
                }
                if (response.CoordinatorEpoch > CoordinatorEpoch)
                {
                    _logger.CoordinatorRestarted(CoordinatorEpoch, response.CoordinatorEpoch);
                    return;
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // The coordinator may be restarting; keep heartbeating, it will ask us to register again.
                _logger.HeartbeatFailed(_coordinator.ToString(), Reason(e));
            }
        }
    }

    private static CancellationTokenSource CallTimeout(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = timeout < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : timeout;
        // Timeouts of calls use the real clock: the network does not follow a test clock.
        cts.CancelAfter(delay);
        return cts;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Reason(Exception e) => e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : e.Message;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // a heartbeat or registration call cut short by the stop
            }
        }
        _channel.Dispose();
        _stop.Dispose();
    }
}
