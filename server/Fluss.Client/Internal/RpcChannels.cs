using System.Collections.Concurrent;
using Fluss.Rpc.Messages;
using Grpc.Net.Client;

namespace Fluss.Client.Internal;

/// <summary>One gRPC channel (HTTP/2 connection pool) per server address, created on first use and reused.</summary>
internal sealed class RpcChannels : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.Ordinal);
    private readonly TimeSpan _connectTimeout;
    private volatile bool _disposed;

    public RpcChannels(TimeSpan connectTimeout) => _connectTimeout = connectTimeout;

    public GrpcChannel Channel(ServerNode server)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _channels.GetOrAdd(server.Endpoint, endpoint => new Lazy<GrpcChannel>(() => Create(endpoint))).Value;
    }

    public AdminReadOnlyService.AdminReadOnlyServiceClient ReadOnly(ServerNode server) => new(Channel(server));

    public CoordinatorService.CoordinatorServiceClient Coordinator(ServerNode server) => new(Channel(server));

    public TabletService.TabletServiceClient Tablet(ServerNode server) => new(Channel(server));

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var channel in _channels.Values)
        {
            if (channel.IsValueCreated) channel.Value.Dispose();
        }
        _channels.Clear();
    }

    private GrpcChannel Create(string endpoint) => GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = _connectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        },
        DisposeHttpClient = true,
        // Fetch responses and produce requests carry whole record batches; their sizes are bounded by the
        // client's fetch and request options, not by gRPC's 4 MB default.
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    });
}
