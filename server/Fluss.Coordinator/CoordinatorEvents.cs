using Fluss.Coordinator.Lake;
using Fluss.Coordinator.Store;
using Fluss.Metadata;

namespace Fluss.Coordinator;

/// <summary>An event for the coordinator's event loop (Fluss's CoordinatorEvent); events are processed one at a time, in order.</summary>
internal abstract class CoordinatorEvent
{
    /// <summary>Ends the event with an error (the caller awaiting it sees the exception).</summary>
    public abstract void Fail(Exception error);
}

/// <summary>An event whose caller awaits a result.</summary>
internal abstract class CoordinatorEvent<TResult> : CoordinatorEvent
{
    public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception error) => Result.TrySetException(error);
}

/// <summary>A read of the cluster view, run on the loop (Fluss's AccessContextEvent).</summary>
internal interface IContextQuery
{
    void Run(CoordinatorContext context);
}

internal sealed class AccessContextEvent<T>(Func<CoordinatorContext, T> query) : CoordinatorEvent<T>, IContextQuery
{
    public void Run(CoordinatorContext context) => Result.TrySetResult(query(context));
}

internal sealed class CreateDatabaseEvent(string name, DatabaseDescriptor descriptor, bool ignoreIfExists) : CoordinatorEvent<bool>
{
    public string Name { get; } = name;

    public DatabaseDescriptor Descriptor { get; } = descriptor;

    public bool IgnoreIfExists { get; } = ignoreIfExists;
}

internal sealed class DropDatabaseEvent(string name, bool ignoreIfNotExists, bool cascade) : CoordinatorEvent<bool>
{
    public string Name { get; } = name;

    public bool IgnoreIfNotExists { get; } = ignoreIfNotExists;

    public bool Cascade { get; } = cascade;
}

/// <summary>
/// Creates a table from a parsed (not yet defaulted or validated) descriptor. A lake table must have been created
/// before (<paramref name="lakeTableReady"/>), off the loop, from the descriptor <see cref="PrepareCreateTableEvent"/> returned.
/// </summary>
internal sealed class CreateTableEvent(TablePath path, TableDescriptor descriptor, bool ignoreIfExists, bool lakeTableReady = false) : CoordinatorEvent<bool>
{
    public TablePath Path { get; } = path;

    public TableDescriptor Descriptor { get; } = descriptor;

    public bool IgnoreIfExists { get; } = ignoreIfExists;

    public bool LakeTableReady { get; } = lakeTableReady;
}

/// <summary>
/// Checks a table creation without changing anything: the descriptor with the cluster's defaults, or null when the
/// table exists and <see cref="IgnoreIfExists"/> is set (nothing to create).
/// </summary>
internal sealed class PrepareCreateTableEvent(TablePath path, TableDescriptor descriptor, bool ignoreIfExists) : CoordinatorEvent<TableDescriptor?>
{
    public TablePath Path { get; } = path;

    public TableDescriptor Descriptor { get; } = descriptor;

    public bool IgnoreIfExists { get; } = ignoreIfExists;
}

/// <summary>One option change of ALTER TABLE: set to <see cref="Value"/>, or reset to its default when null.</summary>
internal sealed record TableOptionChange(string Key, string? Value);

/// <summary>An ALTER TABLE checked against the table as it was (<see cref="Table"/>): its new properties and what they switch.</summary>
internal sealed record AlterTablePlan(TableState Table, TableDescriptor NewDescriptor, bool EnablesLake, bool DisablesLake, string Summary);

/// <summary>Checks an ALTER TABLE without changing anything; null when there is nothing to change.</summary>
internal sealed class PlanAlterTableEvent(TablePath path, IReadOnlyList<TableOptionChange> changes, bool ignoreIfNotExists) : CoordinatorEvent<AlterTablePlan?>
{
    public TablePath Path { get; } = path;

    public IReadOnlyList<TableOptionChange> Changes { get; } = changes;

    public bool IgnoreIfNotExists { get; } = ignoreIfNotExists;
}

/// <summary>Applies a plan; false (nothing changed) when the table changed since it was planned.</summary>
internal sealed class AlterTableEvent(AlterTablePlan plan) : CoordinatorEvent<bool>
{
    public AlterTablePlan Plan { get; } = plan;
}

/// <summary>
/// Records a committed lake snapshot of a table whose offsets file was read off the loop. With a tiering epoch the
/// round must be the table's running one; without (a repair), the snapshot must be newer than the committed one.
/// The result is the offsets files no retained snapshot refers to any more.
/// </summary>
internal sealed class CommitLakeSnapshotEvent(long tableId, LakeSnapshotEntry entry, TableBucketOffsets offsets, long? tieringEpoch, long? earliestToKeep)
    : CoordinatorEvent<IReadOnlyList<string>>
{
    public long TableId { get; } = tableId;

    public LakeSnapshotEntry Entry { get; } = entry;

    public TableBucketOffsets Offsets { get; } = offsets;

    public long? TieringEpoch { get; } = tieringEpoch;

    public long? EarliestToKeep { get; } = earliestToKeep;
}

internal sealed class DropTableEvent(TablePath path, bool ignoreIfNotExists) : CoordinatorEvent<bool>
{
    public TablePath Path { get; } = path;

    public bool IgnoreIfNotExists { get; } = ignoreIfNotExists;
}

/// <summary>A tablet server announced itself (RegisterTabletServer); becomes Fluss's NewTabletServer handling.</summary>
internal sealed class RegisterTabletServerEvent(int serverId, string host, int port, string? rack, long registerTimestamp) : CoordinatorEvent<bool>
{
    public int ServerId { get; } = serverId;

    public string Host { get; } = host;

    public int Port { get; } = port;

    public string? Rack { get; } = rack;

    public long RegisterTimestamp { get; } = registerTimestamp;
}

/// <summary>The children of <c>/tabletservers/ids</c> changed: servers whose node disappeared are dead (Fluss's DeadTabletServer).</summary>
internal sealed class TabletServersChangedEvent : CoordinatorEvent<bool>;

/// <summary>Tablet servers confirmed deleting replicas of a dropped table.</summary>
internal sealed class ReplicasDeletedEvent(long tableId, IReadOnlyList<(int Bucket, int Server)> replicas) : CoordinatorEvent<bool>
{
    public long TableId { get; } = tableId;

    public IReadOnlyList<(int Bucket, int Server)> Replicas { get; } = replicas;
}

/// <summary>The coordinator's own store session expired: open a new one and look at the tablet servers again.</summary>
internal sealed class CoordinatorSessionExpiredEvent : CoordinatorEvent<bool>;

/// <summary>
/// The start-up grace period ended: buckets whose leader has not registered again since this coordinator started
/// get a new leader from their live ISR now (Fluss's RetryOfflineLeader after a coordinator change).
/// </summary>
internal sealed class ElectLeadersEvent : CoordinatorEvent<bool>;
