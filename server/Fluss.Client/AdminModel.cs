using Fluss.Metadata;

namespace Fluss.Client;

/// <summary>A database as the cluster knows it.</summary>
public sealed record DatabaseInfo(string DatabaseName, DatabaseDescriptor Descriptor, long CreatedTime, long ModifiedTime);

/// <summary>One version of a table's schema.</summary>
public sealed record SchemaInfo(int SchemaId, Schema Schema);

/// <summary>Which offset <see cref="FlussAdmin.ListOffsetsAsync"/> lists for each bucket.</summary>
public abstract record OffsetSpec
{
    private protected OffsetSpec() { }

    /// <summary>The first offset still in the log (the log start offset).</summary>
    public static OffsetSpec Earliest { get; } = new EarliestSpec();

    /// <summary>The high watermark: the offset the next committed record will get.</summary>
    public static OffsetSpec Latest { get; } = new LatestSpec();

    /// <summary>The first offset whose commit timestamp is at or after <paramref name="timestampMs"/> (epoch milliseconds).</summary>
    public static OffsetSpec Timestamp(long timestampMs) => new TimestampSpec(timestampMs);

    /// <summary>Fluss's ListOffsets offset type: 0 earliest, 1 latest, 2 timestamp.</summary>
    internal abstract int OffsetType { get; }

    internal virtual long? StartTimestamp => null;

    public sealed record EarliestSpec : OffsetSpec
    {
        internal override int OffsetType => 0;
    }

    public sealed record LatestSpec : OffsetSpec
    {
        internal override int OffsetType => 1;
    }

    public sealed record TimestampSpec(long TimestampMs) : OffsetSpec
    {
        internal override int OffsetType => 2;

        internal override long? StartTimestamp => TimestampMs;
    }
}

/// <summary>A server of the cluster: the coordinator or a tablet server.</summary>
public sealed record ServerInfo(int Id, string Host, int Port, bool IsCoordinator);

/// <summary>
/// A committed lake snapshot of a table: the lake holds, per bucket, the log up to (not including)
/// <see cref="BucketOffsets"/>[bucket]; buckets absent have nothing in the lake yet.
/// </summary>
/// <param name="TableId">The table's id.</param>
/// <param name="SnapshotId">The lake snapshot id (the Paimon snapshot).</param>
/// <param name="BucketOffsets">Bucket id to the next log offset not in the lake.</param>
/// <param name="CommitTime">When the coordinator recorded the snapshot, if known.</param>
public sealed record LakeSnapshot(long TableId, long SnapshotId, IReadOnlyDictionary<int, long> BucketOffsets, DateTimeOffset? CommitTime);
