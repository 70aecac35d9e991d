using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fluss.Rpc.Messages;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class CoordinatorRegistrationTests
{
    [Fact]
    public async Task Registration_CoordinatorStartsLater_RetriesRegistersAndHeartbeats()
    {
        var port = FreePort();
        await using var h = await StartAsync(c => c
            .SetString("coordinator.address", $"127.0.0.1:{port}")
            .SetString("zookeeper.client.session-timeout", "600ms"));

        // No coordinator yet: the server still serves data.
        await h.LeadAsync(0);
        Assert.Equal(0, (await h.ProduceAsync(0, Batch(MakeRows(0, 2)))).BaseOffset);
        Assert.Equal(0, h.Server.Registration!.Registrations);

        await using var coordinator = await FakeCoordinator.StartAsync(port, epoch: 1, sessionTimeoutMs: 600);
        await WaitUntil(() => !coordinator.Registrations.IsEmpty && coordinator.Heartbeats >= 2);

        var registration = coordinator.Registrations.First();
        Assert.Equal(ServerId, registration.ServerId);
        Assert.Equal("127.0.0.1", registration.Host);
        Assert.Equal(h.Server.Port, registration.Port);
        Assert.Equal(1, h.Server.Registration.CoordinatorEpoch);
    }

    [Fact]
    public async Task Registration_HeartbeatAnswersNotRegistered_RegistersAgain()
    {
        var port = FreePort();
        await using var coordinator = await FakeCoordinator.StartAsync(port, epoch: 1, sessionTimeoutMs: 600);
        await using var h = await StartAsync(c => c.SetString("coordinator.address", $"127.0.0.1:{port}"));
        await WaitUntil(() => coordinator.Registrations.Count == 1 && coordinator.Heartbeats >= 1);

        coordinator.Registered = false;
        await WaitUntil(() => coordinator.Registrations.Count >= 2);
        coordinator.Registered = true;
        var heartbeatsBefore = coordinator.Heartbeats;
        await WaitUntil(() => coordinator.Heartbeats >= heartbeatsBefore + 2);

        Assert.Equal(2, coordinator.Registrations.Count);
    }

    [Fact]
    public async Task Registration_CoordinatorRestartsWithNewEpoch_RegistersWithTheNewOne()
    {
        var port = FreePort();
        var first = await FakeCoordinator.StartAsync(port, epoch: 1, sessionTimeoutMs: 600);
        await using var h = await StartAsync(c => c.SetString("coordinator.address", $"127.0.0.1:{port}"));
        await WaitUntil(() => first.Registrations.Count == 1);
        await first.DisposeAsync();

        // A restarted coordinator knows nobody yet and runs under a higher epoch.
        await using var second = await FakeCoordinator.StartAsync(port, epoch: 2, sessionTimeoutMs: 600, knowsEveryone: false);
        await WaitUntil(() => !second.Registrations.IsEmpty && h.Server.Registration!.CoordinatorEpoch == 2);

        Assert.Equal(h.Server.Port, second.Registrations.First().Port);
    }

    private static async Task WaitUntil(Func<bool> condition, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold before the deadline.");
            await Task.Delay(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A coordinator endpoint that records registrations and heartbeats.</summary>
    private sealed class FakeCoordinator : CoordinatorService.CoordinatorServiceBase, IAsyncDisposable
    {
        private readonly int _epoch;
        private readonly int _sessionTimeoutMs;
        private readonly ConcurrentDictionary<int, bool> _known = new();
        private readonly bool _knowsEveryone;
        private WebApplication _app = null!;
        private int _heartbeats;

        private FakeCoordinator(int epoch, int sessionTimeoutMs, bool knowsEveryone)
        {
            _epoch = epoch;
            _sessionTimeoutMs = sessionTimeoutMs;
            _knowsEveryone = knowsEveryone;
        }

        public ConcurrentQueue<RegisterTabletServerRequest> Registrations { get; } = new();

        public int Heartbeats => Volatile.Read(ref _heartbeats);

        public volatile bool Registered = true;

        public static async Task<FakeCoordinator> StartAsync(int port, int epoch, int sessionTimeoutMs, bool knowsEveryone = true)
        {
            var fake = new FakeCoordinator(epoch, sessionTimeoutMs, knowsEveryone);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(fake);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
            fake._app = builder.Build();
            fake._app.MapGrpcService<FakeCoordinator>();
            await fake._app.StartAsync();
            return fake;
        }

        public override Task<RegisterTabletServerResponse> RegisterTabletServer(RegisterTabletServerRequest request, ServerCallContext context)
        {
            Registrations.Enqueue(request);
            _known[request.ServerId] = true;
            return Task.FromResult(new RegisterTabletServerResponse { CoordinatorEpoch = _epoch, SessionTimeoutMs = _sessionTimeoutMs });
        }

        public override Task<TabletServerHeartbeatResponse> TabletServerHeartbeat(TabletServerHeartbeatRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref _heartbeats);
            var known = (_knowsEveryone || _known.ContainsKey(request.ServerId)) && Registered;
            return Task.FromResult(new TabletServerHeartbeatResponse { CoordinatorEpoch = _epoch, Registered = known });
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
