using Fluss.Config;
using Fluss.Coordinator.Lake;
using Fluss.Coordinator.Store;
using Fluss.Metadata;
using Fluss.MetadataStore;

namespace Fluss.Coordinator;

/// <summary>A table the coordinator serves: its info, all its schemas, its replica assignment and each bucket's leader/ISR.</summary>
internal sealed class TableState
{
    public TableState(TablePath path, TableRegistration registration, IReadOnlyDictionary<int, Schema> schemas, TableAssignment assignment)
    {
        Path = path;
        Registration = registration;
        Schemas = new SortedDictionary<int, Schema>(schemas.ToDictionary(kv => kv.Key, kv => kv.Value));
        Assignment = assignment;
        Info = registration.ToTableInfo(path, LatestSchemaId, Schemas[LatestSchemaId]);
        StandbyEnabled = Info.HasPrimaryKey && Info.TableConfig.IsStandbyReplicaEnabled;
        TableJson = Info.ToTableDescriptor().ToJsonBytes();
    }

    public TablePath Path { get; }

    public long TableId => Registration.TableId;

    public TableRegistration Registration { get; }

    public SortedDictionary<int, Schema> Schemas { get; }

    public int LatestSchemaId => Schemas.Keys.Max();

    public TableInfo Info { get; }

    public bool StandbyEnabled { get; }

    public TableAssignment Assignment { get; }

    /// <summary>Leader/ISR per bucket; a bucket without an entry has never had a live replica.</summary>
    public Dictionary<int, LeaderAndIsr> Leaders { get; } = [];

    /// <summary>The descriptor JSON clients and tablet servers receive as <c>table_json</c>.</summary>
    public byte[] TableJson { get; }

    public TableBucket Bucket(int bucket) => new(TableId, bucket);
}

/// <summary>A dropped table whose replicas are still being deleted: the assignment stays in the store until every replica confirmed.</summary>
internal sealed class DeletingTable(long tableId, TableAssignment assignment, IReadOnlyDictionary<int, LeaderAndIsr> leaders)
{
    public long TableId { get; } = tableId;

    public TableAssignment Assignment { get; } = assignment;

    public IReadOnlyDictionary<int, LeaderAndIsr> Leaders { get; } = leaders;

    /// <summary>(bucket, replica server) pairs not yet confirmed deleted.</summary>
    public HashSet<(int Bucket, int Server)> Pending { get; } =
        assignment.Buckets.SelectMany(kv => kv.Value.Select(server => (kv.Key, server))).ToHashSet();
}

/// <summary>A registered, live tablet server with its liveness session.</summary>
internal sealed class LiveServer(int id, string host, int port, string? rack, long registerTimestamp, IMetadataStore session)
{
    public int Id { get; } = id;

    public string Host { get; } = host;

    public int Port { get; } = port;

    public string? Rack { get; } = rack;

    public long RegisterTimestamp { get; } = registerTimestamp;

    public IMetadataStore Session { get; } = session;

    public ServerNode Node => new(Id, Host, Port, Rack);

    public string Listeners => new Listener(ConfigOptions.DefaultListenerName, Host, Port).ToString();
}

/// <summary>
/// The coordinator's in-memory view of the cluster (Fluss's CoordinatorContext): databases, tables and their
/// buckets' leaders, tables being deleted, live tablet servers, the coordinator epoch. Owned by the event loop:
/// only code running on it reads or changes this object.
/// </summary>
internal sealed class CoordinatorContext
{
    public required int CoordinatorEpoch { get; init; }

    public ServerNode CoordinatorNode { get; set; } = new(CoordinatorSettings.CoordinatorNodeId, "", 0);

    public Dictionary<string, DatabaseRegistration> Databases { get; } = new(StringComparer.Ordinal);

    public Dictionary<TablePath, TableState> Tables { get; } = [];

    public Dictionary<long, TableState> TablesById { get; } = [];

    public Dictionary<long, DeletingTable> TablesBeingDeleted { get; } = [];

    /// <summary>Committed lake snapshots by table id (tables without any are absent).</summary>
    public Dictionary<long, LakeTableSnapshots> LakeSnapshots { get; } = [];

    public SortedDictionary<int, LiveServer> LiveServers { get; } = [];

    public bool IsLive(int serverId) => LiveServers.ContainsKey(serverId);

    public void AddTable(TableState table)
    {
        Tables[table.Path] = table;
        TablesById[table.TableId] = table;
    }

    public void RemoveTable(TableState table)
    {
        Tables.Remove(table.Path);
        TablesById.Remove(table.TableId);
    }

    public IEnumerable<TableState> TablesOf(string database) => Tables.Values.Where(t => t.Path.DatabaseName == database);
}
