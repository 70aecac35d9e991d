using System.Collections.Frozen;
using Fluss.Metadata;
using Fluss.Rpc.Messages;

namespace Fluss.TabletServer.Metadata;

/// <summary>A table as the metadata cache knows it: the parsed info, the wire form and its buckets' leaders.</summary>
internal sealed record CachedTable(TableInfo Info, PbTableMetadata Proto, FrozenDictionary<int, PbBucketMetadata> Buckets);

/// <summary>
/// The tablet server's view of the cluster, filled by the coordinator's UpdateMetadata requests: the coordinator's
/// address, the live tablet servers (replaced wholesale by every update), and tables with their bucket leaders
/// (updated per table and per bucket; dropped tables are evicted). Readers see one consistent snapshot.
/// </summary>
internal sealed class TabletServerMetadataCache
{
    private readonly Lock _updateLock = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    private sealed record Snapshot(
        PbServerNode? Coordinator,
        FrozenDictionary<int, PbServerNode> TabletServers,
        FrozenDictionary<long, CachedTable> TablesById,
        FrozenDictionary<TablePath, long> TableIdsByPath)
    {
        public static readonly Snapshot Empty = new(null, FrozenDictionary<int, PbServerNode>.Empty,
            FrozenDictionary<long, CachedTable>.Empty, FrozenDictionary<TablePath, long>.Empty);
    }

    public PbServerNode? Coordinator => _snapshot.Coordinator;

    public IReadOnlyCollection<PbServerNode> TabletServers => _snapshot.TabletServers.Values;

    public bool TryGetTable(long tableId, out CachedTable table) =>
        _snapshot.TablesById.TryGetValue(tableId, out table!);

    public bool TryGetTable(TablePath path, out CachedTable table)
    {
        var snapshot = _snapshot;
        table = null!;
        return snapshot.TableIdsByPath.TryGetValue(path, out var id) && snapshot.TablesById.TryGetValue(id, out table!);
    }

    /// <summary>Applies an UpdateMetadata request; returns the ids of tables it evicted.</summary>
    /// <exception cref="Fluss.Errors.FlussException">A table's JSON is invalid (the cache is left unchanged).</exception>
    public IReadOnlyList<long> Update(UpdateMetadataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Parse everything first so a bad table leaves the cache as it was.
        var parsed = request.TableMetadata.Select(t => (Proto: t, Info: ProtoConversions.ToTableInfo(t, null))).ToList();
        lock (_updateLock)
        {
            var current = _snapshot;
            var coordinator = request.CoordinatorServer ?? current.Coordinator;
            var servers = request.TabletServers.GroupBy(s => s.NodeId).ToFrozenDictionary(g => g.Key, g => g.Last());
            var tables = new Dictionary<long, CachedTable>(current.TablesById);
            var ids = new Dictionary<TablePath, long>(current.TableIdsByPath);
            var evicted = new List<long>();

            foreach (var deleted in request.DeletedTableIds)
            {
                if (tables.Remove(deleted, out var old))
                {
                    ids.Remove(old.Info.TablePath);
                    evicted.Add(deleted);
                }
            }

            foreach (var (proto, info) in parsed)
            {
                var buckets = tables.TryGetValue(info.TableId, out var existing)
                    ? new Dictionary<int, PbBucketMetadata>(existing.Buckets)
                    : new Dictionary<int, PbBucketMetadata>();
                foreach (var b in proto.BucketMetadata) buckets[b.BucketId] = b;
                // A table re-created under the same path has a new id: the old one is gone.
                if (ids.TryGetValue(info.TablePath, out var previousId) && previousId != info.TableId && tables.Remove(previousId))
                    evicted.Add(previousId);
                var stored = proto.Clone();
                stored.BucketMetadata.Clear();
                tables[info.TableId] = new CachedTable(info, stored, buckets.ToFrozenDictionary());
                ids[info.TablePath] = info.TableId;
            }

            _snapshot = new Snapshot(coordinator, servers, tables.ToFrozenDictionary(), ids.ToFrozenDictionary());
            return evicted;
        }
    }

    /// <summary>Builds a GetMetadata answer from the cache.</summary>
    /// <exception cref="Fluss.Errors.TableNotExistException">A requested table is not in the cache.</exception>
    public MetadataResponse BuildMetadataResponse(MetadataRequest request, int localServerId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshot = _snapshot;
        var response = new MetadataResponse();
        if (snapshot.Coordinator is not null) response.CoordinatorServer = snapshot.Coordinator;
        response.TabletServers.AddRange(snapshot.TabletServers.Values.OrderBy(s => s.NodeId));
        foreach (var pbPath in request.TablePath)
        {
            var path = new TablePath(pbPath.DatabaseName, pbPath.TableName);
            if (!snapshot.TableIdsByPath.TryGetValue(path, out var id) || !snapshot.TablesById.TryGetValue(id, out var table))
                throw new Fluss.Errors.TableNotExistException(
                    $"Table {path} is not known to tablet server {localServerId}: it does not exist, or the coordinator has not announced it yet. Ask the coordinator, or retry shortly.");
            var entry = table.Proto.Clone();
            entry.BucketMetadata.AddRange(table.Buckets.Values.OrderBy(b => b.BucketId));
            response.TableMetadata.Add(entry);
        }
        return response;
    }
}
