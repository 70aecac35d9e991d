using System.Threading.Channels;
using Fluss.Rpc.Messages;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Fluss.Coordinator;

/// <summary>
/// Outbound RPC from the coordinator to tablet servers (Fluss's CoordinatorChannelManager): one reused
/// <see cref="GrpcChannel"/> per server and one ordered send queue, so a server receives requests in the order the
/// event loop issued them (UpdateMetadata before the NotifyLeaderAndIsr that follows it) and a slow or dead server
/// never blocks the loop. A failed send is retried a few times while the server stays registered, then logged and
/// dropped: the next relevant event (a re-registration, a leader change) sends the current state again.
/// </summary>
internal sealed class TabletServerChannels : IAsyncDisposable
{
    private const int MaxAttempts = 3;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly object _sync = new();
    private readonly Dictionary<int, Peer> _peers = [];
    private readonly ILogger _logger;
    private bool _closed;

    public TabletServerChannels(ILogger logger) => _logger = logger;

    /// <summary>A call to one tablet server; it throws on failure (the channel retries transport failures).</summary>
    public delegate Task Call(TabletService.TabletServiceClient client, CallOptions options);

    /// <summary>Starts (or keeps, when the address is unchanged) the channel to a server.</summary>
    public void Add(ServerNode node)
    {
        Peer? replaced = null;
        lock (_sync)
        {
            if (_closed) return;
            if (_peers.TryGetValue(node.Id, out var existing))
            {
                if (existing.Node.Host == node.Host && existing.Node.Port == node.Port) return;
                replaced = existing;
            }
            _peers[node.Id] = new Peer(node, this);
        }
        replaced?.Stop();
    }

    /// <summary>Stops sending to a server; queued requests are dropped.</summary>
    public void Remove(int serverId)
    {
        Peer? peer;
        lock (_sync)
        {
            if (!_peers.Remove(serverId, out peer)) return;
        }
        peer.Stop();
    }

    /// <summary>Queues a request for a server; false when the server has no channel (not registered).</summary>
    public bool Send(int serverId, string what, Call call)
    {
        lock (_sync)
        {
            return _peers.TryGetValue(serverId, out var peer) && peer.Queue.Writer.TryWrite(new Outbound(what, call));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Peer[] peers;
        lock (_sync)
        {
            _closed = true;
            peers = [.. _peers.Values];
            _peers.Clear();
        }
        foreach (var p in peers)
            p.Stop();
        foreach (var p in peers)
            await p.Worker.ConfigureAwait(false);
    }

    private readonly record struct Outbound(string What, Call Call);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The worker disposes the token source and the channel when it ends; Stop only signals it.")]
    private sealed class Peer
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly GrpcChannel _channel;
        private readonly TabletServerChannels _owner;

        public Peer(ServerNode node, TabletServerChannels owner)
        {
            Node = node;
            _owner = owner;
            _channel = GrpcChannel.ForAddress(node.Address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), EnableMultipleHttp2Connections = true },
                MaxReceiveMessageSize = null,
                MaxSendMessageSize = null,
            });
            Client = new TabletService.TabletServiceClient(_channel);
            Worker = Task.Run(RunAsync);
        }

        public ServerNode Node { get; }

        public TabletService.TabletServiceClient Client { get; }

        public Channel<Outbound> Queue { get; } = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });

        public Task Worker { get; }

        private int _stopped;

        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the worker already ended
            }
            Queue.Writer.TryComplete();
        }

        private async Task RunAsync()
        {
            try
            {
                await foreach (var item in Queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                    await SendAsync(item).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // stopped
            }
            finally
            {
                _channel.Dispose();
                _stop.Dispose();
            }
        }

        private async Task SendAsync(Outbound item)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var options = new CallOptions(deadline: DateTime.UtcNow + CallTimeout, cancellationToken: _stop.Token);
                    await item.Call(Client, options).ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    throw;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && _stop.IsCancellationRequested)
                {
                    throw new OperationCanceledException("stopped", e, _stop.Token);
                }
                catch (RpcException e) when (attempt < MaxAttempts && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    Log.SendRetrying(_owner._logger, item.What, Node.Id, attempt, e.Status.Detail);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Log.SendFailed(_owner._logger, e, item.What, Node.Id, attempt);
                    return;
                }
            }
        }
    }
}
