using System.Diagnostics;
using System.Net;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fluss.Cli.Bench;

/// <summary>
/// The latency limit of the cluster's transport: a unary gRPC echo of a few bytes between a client and a Kestrel
/// server in this process over loopback HTTP/2 (h2c), the same stack the Fluss servers and client use.
/// </summary>
internal static class LoopbackRpc
{
    private static readonly Method<byte[], byte[]> s_echo = new(
        MethodType.Unary, "fluss.bench.Loopback", "Echo", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    /// <summary>Round-trip times in ms of <paramref name="calls"/> sequential echoes of <paramref name="payloadBytes"/> bytes, after a warm-up.</summary>
    public static async Task<double[]> MeasureAsync(int calls, int payloadBytes, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<EchoService>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<EchoService>, EchoMethods>());
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync(ct).ConfigureAwait(false);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var channel = GrpcChannel.ForAddress(address);
            var invoker = channel.CreateCallInvoker();
            var payload = new byte[payloadBytes];
            for (var i = 0; i < Math.Min(500, calls); i++) await invoker.AsyncUnaryCall(s_echo, null, new CallOptions(cancellationToken: ct), payload).ConfigureAwait(false);
            var times = new double[calls];
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await invoker.AsyncUnaryCall(s_echo, null, new CallOptions(cancellationToken: ct), payload).ConfigureAwait(false);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            Array.Sort(times);
            return times;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class EchoService;

    private sealed class EchoMethods : IServiceMethodProvider<EchoService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<EchoService> context) =>
            context.AddUnaryMethod(s_echo, [], (_, request, _) => Task.FromResult(request));
    }
}
