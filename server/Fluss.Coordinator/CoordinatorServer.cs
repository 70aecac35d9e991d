using System.Globalization;
using System.Net;
using Fluss.Config;
using Fluss.Coordinator.Rpc;
using Fluss.Coordinator.Store;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.MetadataStore;
using Fluss.Rpc;
using Fluss.Storage.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fluss.Coordinator;

/// <summary>
/// The Fluss coordinator: a gRPC server (Kestrel, h2c) for admin and metadata requests and for tablet-server
/// registration and heartbeats, over a single-threaded event loop that owns the cluster view, the metadata store
/// (embedded and durable by default) and the outbound channels to tablet servers.
/// </summary>
/// <example>
/// <code>
/// var conf = new Configuration().SetString("bind.listeners", "FLUSS://127.0.0.1:0").SetString("data.dir", dir);
/// await using var coordinator = await CoordinatorServer.StartAsync(new CoordinatorServerOptions { Configuration = conf });
/// Console.WriteLine(coordinator.Endpoint); // http://127.0.0.1:41234
/// </code>
/// </example>
public sealed class CoordinatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CoordinatorEventProcessor _processor;
    private readonly EmbeddedMetadataStore? _ownedStore;
    private readonly ILogger _logger;
    private int _stopped;

    private CoordinatorServer(WebApplication app, CoordinatorEventProcessor processor, EmbeddedMetadataStore? ownedStore, ServerNode node, ILogger logger)
    {
        _app = app;
        _processor = processor;
        _ownedStore = ownedStore;
        ServerNode = node;
        _logger = logger;
    }

    /// <summary>The address clients and tablet servers use: <c>http://host:port</c>.</summary>
    public Uri Endpoint => ServerNode.Address;

    /// <summary>The bound port (the actual one when port 0 was configured).</summary>
    public int Port => ServerNode.Port;

    /// <summary>The coordinator as a server node (id 0, advertised host, bound port).</summary>
    public ServerNode ServerNode { get; }

    /// <summary>This coordinator's epoch: one more than the previous coordinator's on the same metadata store.</summary>
    public int CoordinatorEpoch => _processor.CoordinatorEpoch;

    internal CoordinatorEventProcessor Processor => _processor;

    /// <summary>
    /// Starts a coordinator: validates the configuration (errors name the key), opens the metadata store, takes the
    /// next coordinator epoch, loads databases, tables, assignments and leaders, and starts serving.
    /// </summary>
    /// <exception cref="InvalidConfigException">A configuration value is invalid.</exception>
    /// <exception cref="IOException">The port is taken, or the metadata directory is in use by another coordinator.</exception>
    public static async Task<CoordinatorServer> StartAsync(CoordinatorServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = WithLakeFormat(CoordinatorSettings.From(options.Configuration), options.Configuration, options.LakeStorage);
        var loggerFactory = options.LoggerFactory;
        var logger = loggerFactory.CreateLogger<CoordinatorServer>();

        var ownedStore = options.MetadataStore is null
            ? await EmbeddedMetadataStore.OpenAsync(new EmbeddedMetadataStoreOptions
            {
                Directory = settings.MetadataDirectory,
                TimeProvider = options.TimeProvider,
                LoggerFactory = loggerFactory,
            }, cancellationToken).ConfigureAwait(false)
            : null;
        var store = options.MetadataStore ?? ownedStore!;
        CoordinatorEventProcessor? processor = null;
        WebApplication? app = null;
        try
        {
            processor = await CoordinatorEventProcessor.CreateAsync(settings, store, options.TimeProvider, loggerFactory,
                options.AssignmentRandom ?? new Random(), options.LakeStorage, options.RemoteFileSystem ?? LocalFileSystem.Instance,
                cancellationToken).ConfigureAwait(false);
            var bound = new List<(Listener Listener, ListenOptions Options)>();
            app = BuildApp(settings, processor, loggerFactory, bound);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                throw new IOException(
                    $"The coordinator cannot listen on {Listener.FormatList(settings.BindListeners)} ('{ConfigOptions.BindListeners.Key}'): {e.Message}", e);
            }
            var node = AdvertisedNode(settings, app, bound);
            await processor.StartAsync(node, cancellationToken).ConfigureAwait(false);
            return new CoordinatorServer(app, processor, ownedStore, node, logger);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync().ConfigureAwait(false);
            if (processor is not null) await processor.DisposeAsync().ConfigureAwait(false);
            if (ownedStore is not null) await ownedStore.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops serving: the RPC server stops, the event loop ends (queued requests fail with a retriable error), the
    /// tablet servers' liveness sessions close and, when the coordinator opened the metadata store, the store closes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _processor.DisposeAsync().ConfigureAwait(false);
            if (_ownedStore is not null) await _ownedStore.DisposeAsync().ConfigureAwait(false);
            Log.Stopped(_logger);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// A cluster with a lake storage but no <c>datalake.format</c> takes the lake's format; a configured format must
    /// be the lake's.
    /// </summary>
    private static CoordinatorSettings WithLakeFormat(CoordinatorSettings settings, Configuration conf, ILakeStorage? lake)
    {
        if (lake is null) return settings;
        if (!FlussEnums.TryParse<DataLakeFormat>(lake.Format, out var format))
            throw new InvalidConfigException($"The lake storage has the format '{lake.Format}', which is not a lake format ({FlussEnums.AllowedValues<DataLakeFormat>()}).");
        if (settings.DataLakeFormat is { } configured)
        {
            if (configured != format)
                throw new InvalidConfigException(
                    $"'{ConfigOptions.DataLakeFormatOption.Key}' is {FlussEnums.Name(configured)}, but the coordinator's lake storage is {lake.Format}.");
            return settings;
        }
        return settings with
        {
            DataLakeFormat = format,
            DataLakeEnabled = conf.Get(ConfigOptions.DataLakeEnabled) ?? true,
        };
    }

    private static WebApplication BuildApp(CoordinatorSettings settings, CoordinatorEventProcessor processor, ILoggerFactory loggerFactory,
        List<(Listener, ListenOptions)> bound)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(CoordinatorServer).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null; // gRPC enforces the message size limit itself
            foreach (var listener in settings.BindListeners)
            {
                foreach (var address in BindAddresses(listener.Host))
                {
                    k.Listen(address, listener.Port, lo =>
                    {
                        lo.Protocols = HttpProtocols.Http2;
                        bound.Add((listener, lo));
                    });
                }
            }
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<FlussErrorInterceptor>();
            o.MaxReceiveMessageSize = settings.MaxRequestSize;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(processor);
        builder.Services.AddSingleton<CoordinatorGrpcService>();
        builder.Services.AddSingleton<AdminReadOnlyGrpcService>();

        var app = builder.Build();
        app.Use(RefuseTooLargeRequests(settings.MaxRequestSize));
        app.MapGrpcService<CoordinatorGrpcService>();
        app.MapGrpcService<AdminReadOnlyGrpcService>();
        return app;
    }

    /// <summary>
    /// Refuses a gRPC request whose message is over <c>netty.server.max-request-size</c> before gRPC reads it: the
    /// 5-byte message prefix carries the length, so the request ends at once with RESOURCE_EXHAUSTED, the Fluss code
    /// RECORD_TOO_LARGE and a message naming the limit. The server keeps serving; the body is never buffered.
    /// </summary>
    private static Func<HttpContext, RequestDelegate, Task> RefuseTooLargeRequests(int maxRequestSize) => async (http, next) =>
    {
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            var reader = http.Request.BodyReader;
            var read = await reader.ReadAtLeastAsync(5, http.RequestAborted).ConfigureAwait(false);
            var length = -1L;
            if (read.Buffer.Length >= 5)
            {
                Span<byte> prefix = stackalloc byte[5];
                System.Buffers.BuffersExtensions.CopyTo(read.Buffer.Slice(0, 5), prefix);
                length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.Start);
            if (length > maxRequestSize && !http.Response.HasStarted)
            {
                var message = $"The request of {length.ToString(CultureInfo.InvariantCulture)} bytes is larger than the coordinator's limit of "
                    + $"{maxRequestSize.ToString(CultureInfo.InvariantCulture)} bytes ('{ConfigOptions.NettyServerMaxRequestSize.Key}'); send a smaller request or raise the limit.";
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "application/grpc";
                http.Response.Headers["grpc-status"] = "8"; // RESOURCE_EXHAUSTED, as a trailers-only response
                http.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                http.Response.Headers[RpcErrors.ErrorCodeTrailer] = ((int)FlussErrorCode.RecordTooLarge).ToString(CultureInfo.InvariantCulture);
                return;
            }
        }
        await next(http).ConfigureAwait(false);
    };

    private static IEnumerable<IPAddress> BindAddresses(string host)
    {
        if (host is "" or "0.0.0.0" or "*") return [IPAddress.Any];
        if (host is "::" or "[::]") return [IPAddress.IPv6Any];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return [IPAddress.Loopback];
        if (IPAddress.TryParse(host, out var ip)) return [ip];
        var resolved = Dns.GetHostAddresses(host);
        var first = resolved.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? resolved.FirstOrDefault();
        return first is null
            ? throw new InvalidConfigException($"The host '{host}' of '{ConfigOptions.BindListeners.Key}' does not resolve to an address.")
            : [first];
    }

    private static ServerNode AdvertisedNode(CoordinatorSettings settings, WebApplication app, List<(Listener Listener, ListenOptions Options)> bound)
    {
        var internalBound = bound.First(b => b.Listener.Name == settings.InternalListenerName);
        var port = internalBound.Options.IPEndPoint?.Port ?? 0;
        if (port == 0)
        {
            // fall back to the addresses Kestrel reports (same order as the listen calls)
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            var index = bound.IndexOf(internalBound);
            if (index < addresses.Count && Uri.TryCreate(addresses[index], UriKind.Absolute, out var uri))
                port = uri.Port;
        }
        if (settings.AdvertisedListeners.TryGetValue(settings.InternalListenerName, out var advertised))
            return new ServerNode(CoordinatorSettings.CoordinatorNodeId, advertised.Host, advertised.Port == 0 ? port : advertised.Port);
        var host = internalBound.Listener.Host;
        if (host is "" or "0.0.0.0" or "*" or "::" or "[::]")
            host = Dns.GetHostName();
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            host = IPAddress.Loopback.ToString();
        return new ServerNode(CoordinatorSettings.CoordinatorNodeId, host, port);
    }
}
