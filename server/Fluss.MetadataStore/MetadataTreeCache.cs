using System.Threading.Channels;

namespace Fluss.MetadataStore;

/// <summary>Kinds of <see cref="TreeCacheEvent"/>.</summary>
public enum TreeCacheEventType
{
    /// <summary>A node appeared (also reported for every node found by the initial load).</summary>
    NodeCreated,

    /// <summary>A node's data changed (or it was deleted and re-created between two looks).</summary>
    NodeChanged,

    /// <summary>A node disappeared; <see cref="TreeCacheEvent.OldData"/> holds its last known data.</summary>
    NodeDeleted,

    /// <summary>The initial load is complete: every node that existed at start has been reported.</summary>
    Initialized,
}

/// <summary>One change seen by a <see cref="MetadataTreeCache"/>.</summary>
public sealed record TreeCacheEvent(TreeCacheEventType Type, string Path, NodeData? OldData, NodeData? NewData);

/// <summary>
/// A local copy of a subtree, kept current with one-shot watches that re-arm themselves on every read (like
/// Curator's <c>CuratorCache</c>), reporting each change on <see cref="Events"/>. Changes that happen between a watch
/// firing and the re-read are coalesced, as with any ZooKeeper cache: the cache converges to the store's state and
/// reports the difference, not every intermediate value. Runs on any <see cref="IMetadataStore"/>. When the session
/// ends, <see cref="Events"/> completes with the session's error.
/// </summary>
public sealed class MetadataTreeCache : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly int _maxDepth;
    private readonly int _rootDepth;
    private readonly Action<WatchEvent> _watcher;
    private readonly Action<SessionState> _onState;
    private readonly Channel<string> _signals = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<TreeCacheEvent> _events = Channel.CreateUnbounded<TreeCacheEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly object _sync = new();
    private readonly Dictionary<string, NodeData> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _children = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;

    private MetadataTreeCache(IMetadataStore store, string path, int? maxDepth)
    {
        _store = store;
        RootPath = path;
        _maxDepth = maxDepth ?? int.MaxValue;
        _rootDepth = MetadataPath.Depth(path);
        _watcher = e => _signals.Writer.TryWrite(e.Path);
        _onState = state =>
        {
            if (state is SessionState.Expired or SessionState.Closed)
                _signals.Writer.TryComplete(new MetadataStoreException(
                    state == SessionState.Expired ? MetadataStoreErrorCode.SessionExpired : MetadataStoreErrorCode.ConnectionLoss,
                    RootPath, $"the session of the cache of {RootPath} ended ({state})"));
        };
    }

    /// <summary>The root of the cached subtree.</summary>
    public string RootPath { get; }

    /// <summary>The changes, in the order the cache saw them. Completes when the cache is disposed or its session ends (then with an error).</summary>
    public ChannelReader<TreeCacheEvent> Events => _events.Reader;

    /// <summary>The cached data of a node, or null when the cache does not hold it.</summary>
    public NodeData? Get(string path)
    {
        lock (_sync) return _nodes.GetValueOrDefault(path);
    }

    /// <summary>A copy of every cached node.</summary>
    public IReadOnlyDictionary<string, NodeData> Snapshot()
    {
        lock (_sync) return new Dictionary<string, NodeData>(_nodes, StringComparer.Ordinal);
    }

    internal static async Task<MetadataTreeCache> StartAsync(IMetadataStore store, string path, int? maxDepth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        MetadataPath.Validate(path);
        if (maxDepth < 0) throw new ArgumentOutOfRangeException(nameof(maxDepth), "maxDepth must be 0 (the node only) or more");
        var cache = new MetadataTreeCache(store, path, maxDepth);
        store.StateChanged += cache._onState;
        try
        {
            await cache.SyncAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            store.StateChanged -= cache._onState;
            throw;
        }
        cache._events.Writer.TryWrite(new TreeCacheEvent(TreeCacheEventType.Initialized, path, null, null));
        cache._loop = Task.Run(cache.RunAsync, CancellationToken.None);
        return cache;
    }

    private async Task RunAsync()
    {
        Exception? failure = null;
        try
        {
            await foreach (var path in _signals.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                await SyncAsync(path, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }
        _store.StateChanged -= _onState;
        _events.Writer.TryComplete(failure);
    }

    /// <summary>Re-reads one node (re-arming its watches) and reconciles it and its children with the cache.</summary>
    private async Task SyncAsync(string path, CancellationToken cancellationToken)
    {
        var depth = MetadataPath.Depth(path) - _rootDepth;
        if (depth < 0 || depth > _maxDepth || !MetadataPath.IsSameOrBelow(path, RootPath)) return;

        while (true)
        {
            NodeData? data;
            try
            {
                data = await _store.GetAsync(path, _watcher, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
            {
                data = null;
            }

            if (data is null)
            {
                RemoveSubtree(path);
                // For the root, watch for its creation; if it came back meanwhile, look again.
                if (path == RootPath && await _store.ExistsAsync(path, _watcher, cancellationToken).ConfigureAwait(false) is not null)
                    continue;
                return;
            }

            Upsert(path, data);
            if (depth == _maxDepth) return;

            IReadOnlyList<string> children;
            try
            {
                children = await _store.GetChildrenAsync(path, _watcher, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
            {
                continue; // deleted between the two reads: look again
            }

            string[] known;
            lock (_sync) known = _children.TryGetValue(path, out var set) ? [.. set] : [];
            var current = new HashSet<string>(children, StringComparer.Ordinal);
            foreach (var name in known)
            {
                if (!current.Contains(name))
                    RemoveSubtree(MetadataPath.Combine(path, name));
            }
            var knownSet = new HashSet<string>(known, StringComparer.Ordinal);
            foreach (var name in children)
            {
                if (!knownSet.Contains(name))
                    await SyncAsync(MetadataPath.Combine(path, name), cancellationToken).ConfigureAwait(false);
            }
            return;
        }
    }

    private void Upsert(string path, NodeData data)
    {
        TreeCacheEvent? e = null;
        lock (_sync)
        {
            if (!_nodes.TryGetValue(path, out var old))
            {
                _nodes[path] = data;
                if (path != RootPath)
                {
                    var parent = MetadataPath.Parent(path);
                    if (!_children.TryGetValue(parent, out var set))
                        _children[parent] = set = new SortedSet<string>(StringComparer.Ordinal);
                    set.Add(MetadataPath.Name(path));
                }
                e = new TreeCacheEvent(TreeCacheEventType.NodeCreated, path, null, data);
            }
            else
            {
                _nodes[path] = data;
                if (old.Stat.Mzxid != data.Stat.Mzxid || old.Stat.Czxid != data.Stat.Czxid)
                    e = new TreeCacheEvent(TreeCacheEventType.NodeChanged, path, old, data);
            }
        }
        if (e is not null) _events.Writer.TryWrite(e);
    }

    private void RemoveSubtree(string path)
    {
        string[] names;
        lock (_sync) names = _children.TryGetValue(path, out var set) ? [.. set] : [];
        foreach (var name in names)
            RemoveSubtree(MetadataPath.Combine(path, name));
        NodeData? old;
        lock (_sync)
        {
            if (!_nodes.Remove(path, out old)) return;
            _children.Remove(path);
            if (path != RootPath && _children.TryGetValue(MetadataPath.Parent(path), out var siblings))
                siblings.Remove(MetadataPath.Name(path));
        }
        _events.Writer.TryWrite(new TreeCacheEvent(TreeCacheEventType.NodeDeleted, path, old, null));
    }

    /// <summary>Stops the cache: no more watches are re-armed and <see cref="Events"/> completes.</summary>
    public async ValueTask DisposeAsync()
    {
        _store.StateChanged -= _onState;
        await _stop.CancelAsync().ConfigureAwait(false);
        _signals.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _events.Writer.TryComplete();
        _stop.Dispose();
    }
}
