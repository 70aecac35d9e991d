using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Fluss.MetadataStore.Embedded;

/// <summary>A session handle on an <see cref="EmbeddedMetadataStore"/>: forwards calls and dispatches its watch events in order.</summary>
internal sealed class EmbeddedSession : IMetadataStore
{
    private readonly EmbeddedMetadataStore _store;
    private readonly ILogger _logger;
    private readonly Channel<Delivery> _events = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private int _state = (int)SessionState.Connected;

    private readonly record struct Delivery(WatchEvent Event, Action<WatchEvent>[]? Watchers, SessionState? State);

    internal EmbeddedSession(EmbeddedMetadataStore store, long sessionId, TimeSpan timeout, ILogger logger)
    {
        _store = store;
        _logger = logger;
        SessionId = sessionId;
        SessionTimeout = timeout;
        _ = Task.Run(DispatchAsync);
    }

    public long SessionId { get; }

    public TimeSpan SessionTimeout { get; }

    public SessionState State => (SessionState)Volatile.Read(ref _state);

    public event Action<SessionState>? StateChanged;

    /// <summary>Timestamp (of the store's clock) when the store last heard from this session; guarded by the store's lock.</summary>
    internal long LastHeard { get; set; }

    /// <summary>The heartbeat timer, when automatic heartbeats are on.</summary>
    internal ITimer? Heartbeat { get; set; }

    internal bool IsLive => State == SessionState.Connected;

    public Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, CancellationToken cancellationToken = default) =>
        Run(() => _store.Create(this, path, data, mode), cancellationToken);

    public Task<NodeData> GetAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        Run(() => _store.Get(this, path, watcher), cancellationToken);

    public Task<Stat?> ExistsAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        Run(() => _store.Exists(this, path, watcher), cancellationToken);

    public Task<IReadOnlyList<string>> GetChildrenAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        Run(() => _store.GetChildren(this, path, watcher), cancellationToken);

    public Task<Stat> SetAsync(string path, ReadOnlyMemory<byte> data, int expectedVersion = -1, CancellationToken cancellationToken = default) =>
        Run(() => _store.Set(this, path, data, expectedVersion), cancellationToken);

    public Task DeleteAsync(string path, int expectedVersion = -1, CancellationToken cancellationToken = default) =>
        Run(() =>
        {
            _store.Delete(this, path, expectedVersion);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<MetadataOp> ops, CancellationToken cancellationToken = default) =>
        Run(() => _store.Multi(this, ops), cancellationToken);

    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            _store.CloseSession(this);
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>Throws unless the session can serve a request. Called under the store's lock.</summary>
    internal void ThrowIfNotLive()
    {
        switch (State)
        {
            case SessionState.Connected:
                return;
            case SessionState.Expired:
                throw new MetadataStoreException(MetadataStoreErrorCode.SessionExpired, null,
                    $"session 0x{SessionId:x} has expired; its ephemeral nodes were deleted; open a new session");
            default:
                throw new ObjectDisposedException(nameof(IMetadataStore), $"session 0x{SessionId:x} is closed");
        }
    }

    /// <summary>Queues one event for the given watchers. Called under the store's lock, so queue order is commit order.</summary>
    internal void Enqueue(WatchEvent e, Action<WatchEvent>[] watchers) => _events.Writer.TryWrite(new Delivery(e, watchers, null));

    /// <summary>Ends the session (state Expired or Closed): queues the state change after pending events and stops the dispatcher after them.</summary>
    internal void End(SessionState state)
    {
        if (Interlocked.CompareExchange(ref _state, (int)state, (int)SessionState.Connected) != (int)SessionState.Connected)
            return;
        Heartbeat?.Dispose();
        Heartbeat = null;
        _events.Writer.TryWrite(new Delivery(default, null, state));
        _events.Writer.TryComplete();
    }

    private async Task DispatchAsync()
    {
        await foreach (var d in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (d.Watchers is { } watchers)
            {
                foreach (var w in watchers)
                {
                    try
                    {
                        w(d.Event);
                    }
                    catch (Exception e)
                    {
                        Log.WatcherFailed(_logger, e, SessionId, d.Event.Type.ToString(), d.Event.Path);
                    }
                }
            }
            else if (d.State is { } state)
            {
                try
                {
                    StateChanged?.Invoke(state);
                }
                catch (Exception e)
                {
                    Log.WatcherFailed(_logger, e, SessionId, state.ToString(), "(session state)");
                }
            }
        }
    }

    private static Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        try
        {
            return Task.FromResult(call());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }
}
