using Fluss.Coordinator.Store;
using Fluss.Errors;

namespace Fluss.Coordinator;

/// <summary>A live tablet server as replica assignment sees it: id and rack (null when unknown).</summary>
internal readonly record struct ServerRack(int Id, string? Rack);

/// <summary>
/// Places the replicas of a new table's buckets on tablet servers, as Fluss does (Kafka's scheme): the first replica
/// of each bucket goes round robin over the servers from a start index; the other replicas follow it at a shift that
/// grows by one after every full round, so replicas of one server's buckets spread over the others. When every
/// server has a rack, the server list is first arranged to alternate racks and a replica skips racks (and servers)
/// that already hold one while others do not; when any server lacks a rack, the placement ignores racks.
/// </summary>
internal static class ReplicaAssignment
{
    /// <summary>Assigns with a random start index and shift.</summary>
    public static TableAssignment Generate(int buckets, int replicationFactor, IReadOnlyList<ServerRack> servers, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(servers);
        var n = servers.Count;
        return Generate(buckets, replicationFactor, servers, n == 0 ? 0 : random.Next(n), n == 0 ? 0 : random.Next(n));
    }

    /// <summary>Assigns from a fixed start index and replica shift (deterministic; used by tests and by the random overload).</summary>
    public static TableAssignment Generate(int buckets, int replicationFactor, IReadOnlyList<ServerRack> servers, int startIndex, int nextReplicaShift)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (buckets <= 0)
            throw new InvalidTableException($"Number of buckets must be larger than 0, got {buckets}.");
        if (replicationFactor <= 0)
            throw FlussException.Create(FlussErrorCode.InvalidReplicationFactor, $"Replication factor must be larger than 0, got {replicationFactor}.");
        if (replicationFactor > servers.Count)
            throw FlussException.Create(FlussErrorCode.InvalidReplicationFactor,
                $"Replication factor: {replicationFactor} larger than available tablet servers: {servers.Count}.");
        return servers.Any(s => s.Rack is null)
            ? RackUnaware(buckets, replicationFactor, servers.Select(s => s.Id).ToArray(), startIndex, nextReplicaShift)
            : RackAware(buckets, replicationFactor, servers, startIndex, nextReplicaShift);
    }

    private static TableAssignment RackUnaware(int buckets, int replicationFactor, int[] ids, int startIndex, int shift)
    {
        var result = new Dictionary<int, IReadOnlyList<int>>(buckets);
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            if (bucket > 0 && bucket % ids.Length == 0)
                shift++;
            var first = (bucket + startIndex) % ids.Length;
            var replicas = new List<int>(replicationFactor) { ids[first] };
            for (var j = 0; j < replicationFactor - 1; j++)
                replicas.Add(ids[ReplicaIndex(first, shift, j, ids.Length)]);
            result[bucket] = replicas;
        }
        return new TableAssignment(result);
    }

    private static TableAssignment RackAware(int buckets, int replicationFactor, IReadOnlyList<ServerRack> servers, int startIndex, int shift)
    {
        var rackOf = servers.ToDictionary(s => s.Id, s => s.Rack!);
        var numRacks = rackOf.Values.Distinct(StringComparer.Ordinal).Count();
        var arranged = RackAlternatedServers(rackOf);
        var n = arranged.Count;
        var result = new Dictionary<int, IReadOnlyList<int>>(buckets);
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            if (bucket > 0 && bucket % n == 0)
                shift++;
            var first = (bucket + startIndex) % n;
            var leader = arranged[first];
            var replicas = new List<int>(replicationFactor) { leader };
            var racksWithReplicas = new HashSet<string>(StringComparer.Ordinal) { rackOf[leader] };
            var serversWithReplicas = new HashSet<int> { leader };
            var k = 0;
            for (var j = 0; j < replicationFactor - 1; j++)
            {
                while (true)
                {
                    var server = arranged[ReplicaIndex(first, shift * numRacks, k, n)];
                    var rack = rackOf[server];
                    k++;
                    // Skip a server whose rack already has a replica while some rack has none, and a server that
                    // already has a replica while some server has none.
                    if ((!racksWithReplicas.Contains(rack) || racksWithReplicas.Count == numRacks)
                        && (!serversWithReplicas.Contains(server) || serversWithReplicas.Count == n))
                    {
                        replicas.Add(server);
                        racksWithReplicas.Add(rack);
                        serversWithReplicas.Add(server);
                        break;
                    }
                }
            }
            result[bucket] = replicas;
        }
        return new TableAssignment(result);
    }

    /// <summary>
    /// The servers ordered so that consecutive servers are on different racks: racks in name order, servers of a rack
    /// in id order, taking one server of each rack in turn (rack1: 0,1 and rack2: 3 give 0, 3, 1).
    /// </summary>
    public static IReadOnlyList<int> RackAlternatedServers(IReadOnlyDictionary<int, string> rackOf)
    {
        ArgumentNullException.ThrowIfNull(rackOf);
        var byRack = rackOf.GroupBy(kv => kv.Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<int>(g.Select(kv => kv.Key).Order()))
            .ToArray();
        var result = new List<int>(rackOf.Count);
        for (var rack = 0; result.Count < rackOf.Count; rack = (rack + 1) % byRack.Length)
        {
            if (byRack[rack].Count > 0)
                result.Add(byRack[rack].Dequeue());
        }
        return result;
    }

    private static int ReplicaIndex(int firstReplicaIndex, int secondReplicaShift, int replicaIndex, int servers)
    {
        var shift = 1 + (secondReplicaShift + replicaIndex) % (servers - 1);
        return (firstReplicaIndex + shift) % servers;
    }
}
