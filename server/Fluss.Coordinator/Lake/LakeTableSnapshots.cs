using Fluss.Coordinator.Store;

namespace Fluss.Coordinator.Lake;

/// <summary>
/// What the coordinator knows about a table's committed lake snapshots: the stored node (retained snapshots), the
/// tiered offsets of the latest one (null when its offsets file could not be read at start-up) and when the
/// snapshots were committed (the latest one's time survives restarts through the node's modification time).
/// </summary>
internal sealed class LakeTableSnapshots(LakeTableNode node, TableBucketOffsets? latestOffsets, IReadOnlyDictionary<long, long> commitTimes)
{
    public LakeTableNode Node { get; } = node;

    /// <summary>The tiered offsets of <see cref="LakeTableNode.Latest"/>.</summary>
    public TableBucketOffsets? LatestOffsets { get; } = latestOffsets;

    /// <summary>Commit time (epoch milliseconds) by snapshot id, for the snapshots whose time is known.</summary>
    public IReadOnlyDictionary<long, long> CommitTimes { get; } = commitTimes;

    public LakeSnapshotEntry Latest => Node.Latest ?? throw new InvalidOperationException("A lake table without snapshots has no state.");

    /// <summary>When the latest snapshot was committed (epoch milliseconds), if known.</summary>
    public long? LatestCommitTime => CommitTimes.TryGetValue(Latest.SnapshotId, out var t) ? t : null;
}
