using System.Collections.Concurrent;
using System.Net;
using Fluss.Rpc.Messages;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Fluss.Tests.Coordinator.Support;

/// <summary>
/// A stand-in tablet server for coordinator tests: a real gRPC TabletService endpoint on a free loopback port that
/// records every NotifyLeaderAndIsr, UpdateMetadata and StopReplica it receives and answers them with success (or
/// with a per-bucket error when told to), plus the registration and heartbeat calls a tablet server makes.
/// </summary>
internal sealed class FakeTabletServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private GrpcChannel _coordinatorChannel;
    private CoordinatorService.CoordinatorServiceClient _coordinator;

    private FakeTabletServer(int id, string? rack, WebApplication app, RecordingTabletService service, int port, Uri coordinator)
    {
        Id = id;
        Rack = rack;
        _app = app;
        Service = service;
        Port = port;
        _coordinatorChannel = GrpcChannel.ForAddress(coordinator);
        _coordinator = new CoordinatorService.CoordinatorServiceClient(_coordinatorChannel);
    }

    public int Id { get; }

    public string? Rack { get; }

    public int Port { get; }

    public RecordingTabletService Service { get; }

    public int? CoordinatorEpoch { get; private set; }

    public int SessionTimeoutMs { get; private set; }

    public static async Task<FakeTabletServer> StartAsync(int id, Uri coordinator, string? rack = null)
    {
        var service = new RecordingTabletService();
        ListenOptions? bound = null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, lo =>
        {
            lo.Protocols = HttpProtocols.Http2;
            bound = lo;
        }));
        builder.Services.AddLogging();
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<RecordingTabletService>();
        await app.StartAsync();
        return new FakeTabletServer(id, rack, app, service, bound!.IPEndPoint!.Port, coordinator);
    }

    /// <summary>Points the server at another coordinator address (after a coordinator restart on a new port).</summary>
    public void ConnectTo(Uri coordinator)
    {
        _coordinatorChannel.Dispose();
        _coordinatorChannel = GrpcChannel.ForAddress(coordinator);
        _coordinator = new CoordinatorService.CoordinatorServiceClient(_coordinatorChannel);
    }

    public async Task RegisterAsync(int? port = null)
    {
        var request = new RegisterTabletServerRequest { ServerId = Id, Host = "127.0.0.1", Port = port ?? Port, RegisterTimestamp = 1_700_000_000_000 + Id };
        if (Rack is not null) request.Rack = Rack;
        var response = await _coordinator.RegisterTabletServerAsync(request);
        CoordinatorEpoch = response.CoordinatorEpoch;
        SessionTimeoutMs = response.SessionTimeoutMs;
    }

    /// <summary>One heartbeat; registers again when the coordinator answers registered=false. Returns the answer.</summary>
    public async Task<bool> HeartbeatAsync(bool reregister = true)
    {
        var response = await _coordinator.TabletServerHeartbeatAsync(new TabletServerHeartbeatRequest { ServerId = Id });
        CoordinatorEpoch = response.CoordinatorEpoch;
        if (!response.Registered && reregister)
            await RegisterAsync();
        return response.Registered;
    }

    public async ValueTask DisposeAsync()
    {
        _coordinatorChannel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The TabletService of a <see cref="FakeTabletServer"/>: records what the coordinator sends.</summary>
internal sealed class RecordingTabletService : TabletService.TabletServiceBase
{
    public ConcurrentQueue<NotifyLeaderAndIsrRequest> Notifications { get; } = new();

    public ConcurrentQueue<UpdateMetadataRequest> MetadataUpdates { get; } = new();

    public ConcurrentQueue<StopReplicaRequest> StopReplicas { get; } = new();

    /// <summary>When set, StopReplica answers every bucket with this error code.</summary>
    public int? StopReplicaErrorCode { get; set; }

    /// <summary>Every bucket notification received, in order.</summary>
    public IReadOnlyList<PbNotifyLeaderAndIsrReqForBucket> BucketNotifications =>
        Notifications.SelectMany(n => n.NotifyBucketsLeaderReq).ToList();

    /// <summary>The last notification received for a bucket, or null.</summary>
    public PbNotifyLeaderAndIsrReqForBucket? LastNotification(long tableId, int bucket) =>
        BucketNotifications.LastOrDefault(n => n.TableBucket.TableId == tableId && n.TableBucket.BucketId == bucket);

    public void Clear()
    {
        Notifications.Clear();
        MetadataUpdates.Clear();
        StopReplicas.Clear();
    }

    public override Task<NotifyLeaderAndIsrResponse> NotifyLeaderAndIsr(NotifyLeaderAndIsrRequest request, ServerCallContext context)
    {
        Notifications.Enqueue(request);
        var response = new NotifyLeaderAndIsrResponse();
        response.NotifyBucketsLeaderResp.AddRange(request.NotifyBucketsLeaderReq.Select(b => new PbNotifyLeaderAndIsrRespForBucket { TableBucket = b.TableBucket }));
        return Task.FromResult(response);
    }

    public override Task<UpdateMetadataResponse> UpdateMetadata(UpdateMetadataRequest request, ServerCallContext context)
    {
        MetadataUpdates.Enqueue(request);
        return Task.FromResult(new UpdateMetadataResponse());
    }

    public override Task<StopReplicaResponse> StopReplica(StopReplicaRequest request, ServerCallContext context)
    {
        StopReplicas.Enqueue(request);
        var response = new StopReplicaResponse();
        foreach (var b in request.StopReplicasReq)
        {
            var r = new PbStopReplicaRespForBucket { TableBucket = b.TableBucket };
            if (StopReplicaErrorCode is { } code)
            {
                r.ErrorCode = code;
                r.ErrorMessage = "injected failure";
            }
            response.StopReplicasResp.Add(r);
        }
        return Task.FromResult(response);
    }
}
