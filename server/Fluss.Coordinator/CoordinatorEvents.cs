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

/// <summary>Creates a table from a parsed (not yet defaulted or validated) descriptor.</summary>
internal sealed class CreateTableEvent(TablePath path, TableDescriptor descriptor, bool ignoreIfExists) : CoordinatorEvent<bool>
{
    public TablePath Path { get; } = path;

    public TableDescriptor Descriptor { get; } = descriptor;

    public bool IgnoreIfExists { get; } = ignoreIfExists;
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
