namespace Fluss.MetadataStore;

/// <summary>
/// The metadata of a node, as ZooKeeper's <c>Stat</c>. Times are milliseconds since the Unix epoch; zxids are the
/// store's transaction ids (every committed change gets the next one; the changes of one multi share one).
/// </summary>
/// <param name="Czxid">Transaction that created the node.</param>
/// <param name="Mzxid">Transaction that last changed the node's data (the creating one until the first set).</param>
/// <param name="Pzxid">Transaction that last added or removed a child (the creating one until then).</param>
/// <param name="Ctime">Creation time, Unix milliseconds.</param>
/// <param name="Mtime">Time of the last data change, Unix milliseconds.</param>
/// <param name="Version">Data version: 0 at creation, +1 per set.</param>
/// <param name="CVersion">Child version: +1 per child created (ZooKeeper does not count deletions); the sequence of sequential children.</param>
/// <param name="EphemeralOwner">Session id owning an ephemeral node; 0 for persistent nodes.</param>
/// <param name="DataLength">Length of the data in bytes.</param>
/// <param name="NumChildren">Number of children.</param>
public readonly record struct Stat(
    long Czxid,
    long Mzxid,
    long Pzxid,
    long Ctime,
    long Mtime,
    int Version,
    int CVersion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren)
{
    /// <summary>True when the node is ephemeral (owned by a session).</summary>
    public bool IsEphemeral => EphemeralOwner != 0;
}

/// <summary>The data of a node with its <see cref="Stat"/>. <see cref="Data"/> is the caller's own copy.</summary>
public sealed record NodeData(byte[] Data, Stat Stat);
