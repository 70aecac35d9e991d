using System.Globalization;

namespace Fluss.MetadataStore;

/// <summary>
/// Fluss's node layout (its <c>ZkData</c>), as absolute paths under a root (<c>zookeeper.path.root</c>, default
/// <c>/fluss</c>): database, table, schema and partition registrations under <c>/metadata</c>, the id counters,
/// coordinator and tablet-server registrations, bucket assignments and leader/ISR, KV snapshots, remote logs, lake
/// tables, ACLs, dynamic configuration, rebalance, producers and leases.
/// </summary>
public sealed class FlussZkPaths
{
    /// <summary>The configuration key of the root.</summary>
    public const string RootConfigKey = "zookeeper.path.root";

    /// <summary>The default root.</summary>
    public const string DefaultRoot = "/fluss";

    private readonly string _prefix;

    /// <param name="root">Absolute root path; "/" puts the layout at the top of the tree.</param>
    public FlussZkPaths(string root = DefaultRoot)
    {
        if (root.Length > 1 && root.EndsWith('/')) root = root.TrimEnd('/');
        if (root.Length == 0) root = MetadataPath.Root;
        if (!root.StartsWith('/')) root = "/" + root; // Fluss accepts the namespace with or without its leading '/'
        MetadataPath.Validate(root);
        Root = root;
        _prefix = root == MetadataPath.Root ? "" : root;
    }

    /// <summary>The root all paths are under.</summary>
    public string Root { get; }

    /// <summary>Prefixes a layout path (<c>/metadata/...</c>) with the root.</summary>
    public string Under(string layoutPath) => _prefix + layoutPath;

    /// <summary>The layout path of an absolute path under the root (the root removed), or null when it is not under the root.</summary>
    public string? Relative(string path)
    {
        if (_prefix.Length == 0) return path;
        if (path.Length > _prefix.Length && path.StartsWith(_prefix, StringComparison.Ordinal) && path[_prefix.Length] == '/')
            return path[_prefix.Length..];
        return null;
    }

    // ---- /metadata: databases, tables, schemas, partitions, id counters ----

    public string Databases() => Under("/metadata/databases");

    public string Database(string database) => Databases() + "/" + database;

    public string Tables(string database) => Database(database) + "/tables";

    public string Table(string database, string table) => Tables(database) + "/" + table;

    public string Schemas(string database, string table) => Table(database, table) + "/schemas";

    public string Schema(string database, string table, int schemaId) => Schemas(database, table) + "/" + Num(schemaId);

    public string Partitions(string database, string table) => Table(database, table) + "/partitions";

    public string Partition(string database, string table, string partitionName) => Partitions(database, table) + "/" + partitionName;

    public string AutoIncrementColumns(string database, string table) => Table(database, table) + "/auto_inc";

    /// <summary>Counter of an auto-increment column: <c>.../auto_inc/col_{columnId}</c>.</summary>
    public string AutoIncrementColumn(string database, string table, int columnId) => AutoIncrementColumns(database, table) + "/col_" + Num(columnId);

    /// <summary>Table id counter (<see cref="SequenceIdCounter"/>).</summary>
    public string TableSequenceId() => Under("/metadata/table_seqid");

    /// <summary>Partition id counter.</summary>
    public string PartitionSequenceId() => Under("/metadata/partition_seqid");

    /// <summary>Idempotent writer id counter.</summary>
    public string WriterId() => Under("/metadata/writer_id");

    // ---- /coordinators ----

    public string CoordinatorIds() => Under("/coordinators/ids");

    /// <summary>Ephemeral registration of a coordinator server.</summary>
    public string CoordinatorId(string serverId) => CoordinatorIds() + "/" + serverId;

    public string CoordinatorElection() => Under("/coordinators/election");

    /// <summary>Ephemeral address of the active (leader) coordinator.</summary>
    public string CoordinatorLeader() => Under("/coordinators/active");

    /// <summary>The coordinator epoch, as a decimal string; its node version fences stale leaders.</summary>
    public string CoordinatorEpoch() => Under("/coordinators/epoch");

    // ---- /tabletservers ----

    public string ServerSequenceId() => Under("/tabletservers/seqid");

    public string ServerIds() => Under("/tabletservers/ids");

    /// <summary>Ephemeral registration of a tablet server.</summary>
    public string ServerId(int serverId) => ServerIds() + "/" + Num(serverId);

    public string ServerTags() => Under("/tabletservers/server_tags");

    public string TableIds() => Under("/tabletservers/tables");

    /// <summary>Bucket assignment of a table.</summary>
    public string TableId(long tableId) => TableIds() + "/" + Num(tableId);

    public string PartitionIds() => Under("/tabletservers/partitions");

    /// <summary>Bucket assignment of a partition.</summary>
    public string PartitionId(long partitionId) => PartitionIds() + "/" + Num(partitionId);

    /// <summary>The buckets of a table, or of a partition when <paramref name="partitionId"/> is given.</summary>
    public string Buckets(long tableId, long? partitionId = null) =>
        (partitionId is long p ? PartitionId(p) : TableId(tableId)) + "/buckets";

    public string Bucket(long tableId, long? partitionId, int bucket) => Buckets(tableId, partitionId) + "/" + Num(bucket);

    public string LeaderAndIsr(long tableId, long? partitionId, int bucket) => Bucket(tableId, partitionId, bucket) + "/leader_isr";

    public string BucketSnapshots(long tableId, long? partitionId, int bucket) => Bucket(tableId, partitionId, bucket) + "/snapshots";

    public string BucketSnapshot(long tableId, long? partitionId, int bucket, long snapshotId) =>
        BucketSnapshots(tableId, partitionId, bucket) + "/" + Num(snapshotId);

    /// <summary>KV snapshot id counter of a bucket.</summary>
    public string BucketSnapshotSequenceId(long tableId, long? partitionId, int bucket) => Bucket(tableId, partitionId, bucket) + "/snapshot_seqid";

    public string BucketRemoteLogs(long tableId, long? partitionId, int bucket) => Bucket(tableId, partitionId, bucket) + "/remote_logs";

    /// <summary>Lake snapshots of a table.</summary>
    public string LakeTable(long tableId) => TableId(tableId) + "/laketable";

    // ---- ACLs, configuration, rebalance, producers, leases ----

    public string AclRoot() => Under("/fluss-acls");

    /// <summary>ACLs of a resource type (<c>CLUSTER</c>, <c>DATABASE</c>, <c>TABLE</c>).</summary>
    public string ResourceAcls(string resourceType) => AclRoot() + "/" + resourceType;

    public string ResourceAcl(string resourceType, string resourceName) => ResourceAcls(resourceType) + "/" + resourceName;

    public string AclChanges() => Under("/fluss-acl-changes");

    /// <summary>Prefix of the persistent-sequential ACL change notifications (<c>acl_changes_0000000000</c>, ...).</summary>
    public string AclChangeNotificationPrefix() => AclChanges() + "/acl_changes_";

    public string Config() => Under("/config");

    /// <summary>The dynamic cluster configuration.</summary>
    public string ConfigEntity() => Config() + "/server/global";

    public string ConfigChanges() => Config() + "/changes";

    /// <summary>Prefix of the persistent-sequential configuration change notifications.</summary>
    public string ConfigChangeNotificationPrefix() => ConfigChanges() + "/config_change_";

    public string Rebalance() => Under("/cluster/rebalance");

    public string Producers() => Under("/producers");

    public string Producer(string producerId) => Producers() + "/" + producerId;

    public string Leases() => Under("/leases");

    public string KvSnapshotLeases() => Leases() + "/kv_snapshot";

    public string KvSnapshotLease(string leaseId) => KvSnapshotLeases() + "/" + leaseId;

    // ---- parsing (for tree-cache events) ----

    /// <summary>Database and table of a table node path (<c>{root}/metadata/databases/{db}/tables/{table}</c>), as Fluss's <c>TableZNode.parsePath</c>.</summary>
    public bool TryParseTable(string path, out string database, out string table)
    {
        database = table = "";
        const string prefix = "/metadata/databases/";
        var rel = Relative(path);
        if (rel is null || !rel.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var parts = SplitJava(rel[prefix.Length..], "/tables/");
        if (parts.Length != 2 || !IsValidName(parts[0]) || !IsValidName(parts[1])) return false;
        (database, table) = (parts[0], parts[1]);
        return true;
    }

    /// <summary>Table and schema id of a schema node path (<c>.../tables/{table}/schemas/{id}</c>).</summary>
    public bool TryParseSchema(string path, out string database, out string table, out int schemaId)
    {
        database = table = "";
        schemaId = 0;
        var parts = SplitJava(path, "/schemas/");
        return parts.Length == 2
               && TryParseTable(parts[0], out database, out table)
               && int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out schemaId);
    }

    /// <summary>Table and partition name of a partition node path (<c>.../tables/{table}/partitions/{name}</c>).</summary>
    public bool TryParsePartition(string path, out string database, out string table, out string partitionName)
    {
        database = table = partitionName = "";
        var parts = SplitJava(path, "/partitions/");
        if (parts.Length != 2 || !TryParseTable(parts[0], out database, out table)) return false;
        foreach (var value in SplitJava(parts[1], "$"))
            if (!IsValidName(value)) return false;
        partitionName = parts[1];
        return true;
    }

    /// <summary>Fluss's name rule for databases, tables and partition values: 1 to 200 ASCII letters, digits, '_' or '-', not "." or "..".</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 200) return false;
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-'))
                return false;
        }
        return true;
    }

    /// <summary>Splits like Java's String.split with a literal separator: trailing empty parts are dropped.</summary>
    private static string[] SplitJava(string s, string separator)
    {
        var parts = s.Split(separator);
        var n = parts.Length;
        while (n > 0 && parts[n - 1].Length == 0) n--;
        return n == parts.Length ? parts : parts[..n];
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
