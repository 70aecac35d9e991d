namespace Fluss.MetadataStore;

/// <summary>Kinds of node events; the numeric values are ZooKeeper's <c>Watcher.Event.EventType</c>.</summary>
public enum WatchEventType
{
    /// <summary>A node was created; delivered to watches set by <c>ExistsAsync</c> on a node that did not exist.</summary>
    NodeCreated = 1,

    /// <summary>A node was deleted; delivered to watches set by <c>GetAsync</c>, <c>ExistsAsync</c> (node existed) and <c>GetChildrenAsync</c> on it.</summary>
    NodeDeleted = 2,

    /// <summary>A node's data was set; delivered to watches set by <c>GetAsync</c> and <c>ExistsAsync</c> (node existed).</summary>
    NodeDataChanged = 3,

    /// <summary>A child was created or deleted; delivered to watches set by <c>GetChildrenAsync</c> on the parent.</summary>
    NodeChildrenChanged = 4,
}

/// <summary>One firing of a one-shot watch.</summary>
public readonly record struct WatchEvent(WatchEventType Type, string Path);

/// <summary>State of a session handle; the store sends <c>Expired</c> and <c>Closed</c> through <see cref="IMetadataStore.StateChanged"/>.</summary>
public enum SessionState
{
    /// <summary>The session is live and the handle can be used.</summary>
    Connected,

    /// <summary>The connection is lost for now; the session may still come back (ZooKeeper only).</summary>
    Disconnected,

    /// <summary>The session expired: its ephemeral nodes and watches are gone; open a new handle.</summary>
    Expired,

    /// <summary>The handle was closed by its owner, or the store itself was closed.</summary>
    Closed,
}
