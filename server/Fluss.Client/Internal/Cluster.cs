using System.Collections.Frozen;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;

namespace Fluss.Client.Internal;

/// <summary>Where one bucket lives: its leader (null when unknown or offline), leader epoch and replicas.</summary>
internal readonly record struct BucketLocation(int Bucket, int? Leader, int LeaderEpoch, IReadOnlyList<int> Replicas);

/// <summary>A table's info and the location of each of its buckets.</summary>
internal sealed class TableMetadata
{
    public TableMetadata(TableInfo info, IReadOnlyList<BucketLocation> buckets)
    {
        Info = info;
        Buckets = buckets;
    }

    public TableInfo Info { get; }

    public TablePath Path => Info.TablePath;

    public long TableId => Info.TableId;

    /// <summary>One entry per bucket id, in bucket order.</summary>
    public IReadOnlyList<BucketLocation> Buckets { get; }

    public int? LeaderOf(int bucket) => (uint)bucket < (uint)Buckets.Count ? Buckets[bucket].Leader : null;

    /// <summary>The same table with every leader unknown, so that the next use refreshes it.</summary>
    public TableMetadata WithoutLeaders() =>
        new(Info, Buckets.Select(b => b with { Leader = null }).ToArray());

    /// <summary>Builds the table metadata a server sent.</summary>
    /// <exception cref="FlussException">The table's descriptor cannot be read.</exception>
    public static TableMetadata FromProto(PbTableMetadata pb)
    {
        var path = new TablePath(pb.TablePath.DatabaseName, pb.TablePath.TableName);
        TableInfo info;
        try
        {
            var descriptor = TableDescriptor.FromJson(pb.TableJson.Span);
            info = TableInfo.Of(path, pb.TableId, pb.SchemaId, descriptor, pb.HasRemoteDataDir ? pb.RemoteDataDir : null, pb.CreatedTime, pb.ModifiedTime);
        }
        catch (Exception e) when (e is not FlussException)
        {
            throw new FlussException(FlussErrorCode.InvalidTable, $"The server sent unreadable metadata for table {path}: {e.Message}", e);
        }
        var buckets = new BucketLocation[info.NumBuckets];
        for (var b = 0; b < buckets.Length; b++) buckets[b] = new BucketLocation(b, null, -1, []);
        foreach (var bm in pb.BucketMetadata)
        {
            if ((uint)bm.BucketId >= (uint)buckets.Length) continue;
            int? leader = bm.HasLeaderId && bm.LeaderId >= 0 ? bm.LeaderId : null;
            buckets[bm.BucketId] = new BucketLocation(bm.BucketId, leader, bm.HasLeaderEpoch ? bm.LeaderEpoch : -1, bm.ReplicaId.ToArray());
        }
        return new TableMetadata(info, buckets);
    }
}

/// <summary>An immutable snapshot of what the client knows about the cluster.</summary>
internal sealed class Cluster
{
    public static readonly Cluster Empty = new(null, FrozenDictionary<int, ServerNode>.Empty, FrozenDictionary<TablePath, TableMetadata>.Empty);

    public Cluster(ServerNode? coordinator, IReadOnlyDictionary<int, ServerNode> tabletServers, IReadOnlyDictionary<TablePath, TableMetadata> tables)
    {
        Coordinator = coordinator;
        TabletServers = tabletServers;
        Tables = tables;
    }

    public ServerNode? Coordinator { get; }

    public IReadOnlyDictionary<int, ServerNode> TabletServers { get; }

    public IReadOnlyDictionary<TablePath, TableMetadata> Tables { get; }

    public ServerNode? TabletServer(int id) => TabletServers.GetValueOrDefault(id);

    public Cluster WithServers(ServerNode? coordinator, IReadOnlyDictionary<int, ServerNode> tabletServers) =>
        new(coordinator ?? Coordinator, tabletServers, Tables);

    public Cluster WithTables(IEnumerable<TableMetadata> updated, IEnumerable<TablePath> removed)
    {
        var tables = new Dictionary<TablePath, TableMetadata>(Tables);
        foreach (var path in removed) tables.Remove(path);
        foreach (var table in updated) tables[table.Path] = table;
        return new Cluster(Coordinator, TabletServers, tables);
    }
}
