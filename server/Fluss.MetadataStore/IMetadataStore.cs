namespace Fluss.MetadataStore;

/// <summary>
/// A session on a hierarchical metadata store with ZooKeeper's semantics: nodes addressed by absolute paths, each with
/// data, a <see cref="Stat"/> and children; persistent, ephemeral and sequential nodes; versioned conditional
/// updates; one-shot watches; atomic multi-ops. One handle is one session: its ephemeral nodes live while the session
/// does, and disposing the handle closes the session (deleting them). Operations of one store are linearizable.
/// </summary>
/// <remarks>
/// Watches are one-shot, as in ZooKeeper. A watcher passed to a read is registered only when the read succeeds
/// (<see cref="ExistsAsync"/> also registers on a missing node) and fires at most once for the next matching change,
/// then is gone; read again to re-arm. Per session a watcher delegate is registered at most once per path and kind,
/// and one change delivers at most one event to one delegate. Events:
/// <list type="bullet">
/// <item><see cref="WatchEventType.NodeCreated"/> for <c>path</c>: watches of <see cref="ExistsAsync"/> on the missing node.</item>
/// <item><see cref="WatchEventType.NodeDataChanged"/> for <c>path</c>: watches of <see cref="GetAsync"/> and of <see cref="ExistsAsync"/> on the existing node.</item>
/// <item><see cref="WatchEventType.NodeDeleted"/> for <c>path</c>: watches of <see cref="GetAsync"/>, <see cref="ExistsAsync"/> and <see cref="GetChildrenAsync"/> on the node.</item>
/// <item><see cref="WatchEventType.NodeChildrenChanged"/> for the parent: watches of <see cref="GetChildrenAsync"/> on the parent, when a child is created or deleted (not when a child's data changes).</item>
/// </list>
/// Events of a session are delivered one at a time, in commit order, on a background thread; a callback must not block.
/// Watches die with their session.
/// </remarks>
public interface IMetadataStore : IAsyncDisposable
{
    /// <summary>The session id; ephemeral nodes of this session carry it as <see cref="Stat.EphemeralOwner"/>.</summary>
    long SessionId { get; }

    /// <summary>The session timeout: the store expires the session when it hears nothing from it for this long.</summary>
    TimeSpan SessionTimeout { get; }

    /// <summary>The current state of the session.</summary>
    SessionState State { get; }

    /// <summary>Raised (on the event thread, after the session's pending watch events) when the session state changes.</summary>
    event Action<SessionState>? StateChanged;

    /// <summary>
    /// Creates a node and returns its actual path (sequential modes append the parent's cversion as 10 digits, so
    /// <c>/q/item-</c> becomes <c>/q/item-0000000007</c>). Errors: <see cref="MetadataStoreErrorCode.NoNode"/> when
    /// the parent is missing, <see cref="MetadataStoreErrorCode.NodeExists"/>,
    /// <see cref="MetadataStoreErrorCode.NoChildrenForEphemerals"/> when the parent is ephemeral.
    /// </summary>
    Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, CancellationToken cancellationToken = default);

    /// <summary>Reads a node's data and stat; <see cref="MetadataStoreErrorCode.NoNode"/> when it does not exist (and no watch is set).</summary>
    Task<NodeData> GetAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default);

    /// <summary>The node's stat, or null when it does not exist; the watcher is set in both cases.</summary>
    Task<Stat?> ExistsAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default);

    /// <summary>The names (not paths) of the node's children, sorted ordinally; <see cref="MetadataStoreErrorCode.NoNode"/> when it does not exist.</summary>
    Task<IReadOnlyList<string>> GetChildrenAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a node's data when its version is <paramref name="expectedVersion"/> (-1: any version) and returns the
    /// new stat (version + 1). Errors: <see cref="MetadataStoreErrorCode.NoNode"/>, <see cref="MetadataStoreErrorCode.BadVersion"/>.
    /// </summary>
    Task<Stat> SetAsync(string path, ReadOnlyMemory<byte> data, int expectedVersion = -1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a node when its version is <paramref name="expectedVersion"/> (-1: any version). Errors:
    /// <see cref="MetadataStoreErrorCode.NoNode"/>, <see cref="MetadataStoreErrorCode.BadVersion"/>,
    /// <see cref="MetadataStoreErrorCode.NotEmpty"/> when it has children.
    /// </summary>
    Task DeleteAsync(string path, int expectedVersion = -1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the ops atomically, in order, each seeing the effects of the ones before it: all of them or none.
    /// Returns one result per op. On failure throws <see cref="MetadataStoreException"/> with the failing op's code,
    /// its index in <see cref="MetadataStoreException.FailedOpIndex"/> and per-op results, and changes nothing.
    /// </summary>
    Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<MetadataOp> ops, CancellationToken cancellationToken = default);

    /// <summary>Closes the session: its ephemeral nodes are deleted (firing watches of other sessions) and its watches dropped. Idempotent.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);
}
