using CsCheck;
using Fluss.Coordinator;
using Fluss.Coordinator.Store;
using Fluss.Errors;

namespace Fluss.Tests.Coordinator;

/// <summary>Replica placement against the expected assignments of Fluss's own assignment tests (fixed start index and shift).</summary>
public class ReplicaAssignmentTests
{
    private static ServerRack[] NoRack(params int[] ids) => ids.Select(id => new ServerRack(id, null)).ToArray();

    private static ServerRack[] Racks(params (int Id, string Rack)[] servers) =>
        servers.OrderBy(s => s.Id).Select(s => new ServerRack(s.Id, s.Rack)).ToArray();

    private static TableAssignment Expected(params int[][] buckets) =>
        new(buckets.Select((r, i) => (i, r)).ToDictionary(x => x.i, x => (IReadOnlyList<int>)x.r));

    private static readonly (int, string)[] SixServersThreeRacks =
        [(0, "rack1"), (1, "rack3"), (2, "rack3"), (3, "rack2"), (4, "rack2"), (5, "rack1")];

    private static readonly (int, string)[] SixServersEvenRacks =
        [(0, "rack1"), (1, "rack2"), (2, "rack2"), (3, "rack3"), (4, "rack3"), (5, "rack1")];

    [Fact]
    public void Generate_ReplicationFactorOne_MatchesFlussVector()
    {
        var a = ReplicaAssignment.Generate(3, 1, NoRack(0, 1, 2, 3), 0, 0);
        Assert.Equal(Expected([0], [1], [2]), a);
    }

    [Fact]
    public void Generate_ReplicationFactorThreeStartIndexOne_MatchesFlussVector()
    {
        var a = ReplicaAssignment.Generate(3, 3, NoRack(0, 1, 2, 3), 1, 0);
        Assert.Equal(Expected([1, 2, 3], [2, 3, 0], [3, 0, 1]), a);
    }

    [Fact]
    public void Generate_TenBucketsFiveServers_ShiftGrowsAfterEachRound()
    {
        var a = ReplicaAssignment.Generate(10, 3, NoRack(0, 1, 2, 3, 4), 0, 0);
        Assert.Equal(Expected(
            [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
            [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2]), a);
    }

    [Fact]
    public void RackAlternatedServers_SixServersThreeRacks_MatchesFlussVector()
    {
        var rackOf = SixServersThreeRacks.ToDictionary(s => s.Item1, s => s.Item2);
        Assert.Equal([0, 3, 1, 5, 4, 2], ReplicaAssignment.RackAlternatedServers(rackOf));
        rackOf.Remove(5);
        Assert.Equal([0, 3, 1, 4, 2], ReplicaAssignment.RackAlternatedServers(rackOf));
    }

    [Fact]
    public void Generate_RackAwareSevenBuckets_MatchesFlussVector()
    {
        var a = ReplicaAssignment.Generate(7, 3, Racks(SixServersThreeRacks), 0, 0);
        Assert.Equal(Expected([0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3], [0, 4, 2]), a);
    }

    [Theory]
    [InlineData(6, 3, 2, 0)]
    [InlineData(12, 2, 0, 0)]
    [InlineData(12, 2, 0, 12)]
    [InlineData(6, 2, 3, 1)]
    public void Generate_RackAwareEvenRacks_EveryBucketOnDistinctRacksAndLoadEven(int buckets, int rf, int start, int shift)
    {
        var servers = Racks(SixServersEvenRacks);
        var rackOf = servers.ToDictionary(s => s.Id, s => s.Rack!);
        var a = ReplicaAssignment.Generate(buckets, rf, servers, start, shift);
        foreach (var replicas in a.Buckets.Values)
        {
            Assert.Equal(rf, replicas.Distinct().Count());
            Assert.Equal(rf, replicas.Select(r => rackOf[r]).Distinct().Count());
        }
        var leaders = a.Buckets.Values.GroupBy(r => r[0]).Select(g => g.Count()).ToList();
        Assert.All(leaders, c => Assert.Equal(buckets / servers.Length, c));
        var replicasPerServer = a.Buckets.Values.SelectMany(r => r).GroupBy(r => r).Select(g => g.Count()).ToList();
        Assert.All(replicasPerServer, c => Assert.Equal(buckets * rf / servers.Length, c));
    }

    [Fact]
    public void Generate_MoreReplicasThanRacks_EveryRackGetsOne()
    {
        var a = ReplicaAssignment.Generate(6, 5, Racks(SixServersEvenRacks), new Random(7));
        var rackOf = SixServersEvenRacks.ToDictionary(s => s.Item1, s => s.Item2);
        Assert.All(a.Buckets.Values, r => Assert.Equal(3, r.Select(s => rackOf[s]).Distinct().Count()));
    }

    [Fact]
    public void Generate_SomeServersWithoutRack_PlacesIgnoringRacks()
    {
        ServerRack[] servers = [new(0, "rack1"), new(1, null), new(2, "rack2"), new(3, null), new(4, "rack3")];
        var a = ReplicaAssignment.Generate(6, 3, servers, 0, 0);
        Assert.Equal(ReplicaAssignment.Generate(6, 3, NoRack(0, 1, 2, 3, 4), 0, 0), a);
    }

    [Fact]
    public void Generate_ReplicationFactorAboveServers_InvalidReplicationFactor()
    {
        var e = Assert.ThrowsAny<FlussException>(() => ReplicaAssignment.Generate(5, 3, NoRack(0, 1), 0, 0));
        Assert.Equal(FlussErrorCode.InvalidReplicationFactor, e.ErrorCode);
        Assert.Contains("Replication factor: 3 larger than available tablet servers: 2", e.Message);
        var none = Assert.ThrowsAny<FlussException>(() => ReplicaAssignment.Generate(5, 1, NoRack(), new Random(1)));
        Assert.Equal(FlussErrorCode.InvalidReplicationFactor, none.ErrorCode);
    }

    [Fact]
    public void Generate_NonPositiveBucketsOrFactor_Refused()
    {
        Assert.Equal(FlussErrorCode.InvalidTable, Assert.ThrowsAny<FlussException>(() => ReplicaAssignment.Generate(0, 1, NoRack(0), 0, 0)).ErrorCode);
        Assert.Equal(FlussErrorCode.InvalidReplicationFactor, Assert.ThrowsAny<FlussException>(() => ReplicaAssignment.Generate(3, 0, NoRack(0), 0, 0)).ErrorCode);
    }

    [Fact]
    public void Generate_RandomShapes_ReplicasDistinctAndLeadersBalanced()
    {
        var gen = Gen.Select(Gen.Int[1, 9], Gen.Int[1, 40], Gen.Int[0, 1000], Gen.Int[0, 1000]);
        gen.Sample((servers, buckets, start, shift) =>
        {
            var rf = 1 + (start % servers);
            var ids = Enumerable.Range(0, servers).Select(i => i * 3 + 1).ToArray();
            var a = ReplicaAssignment.Generate(buckets, rf, NoRack(ids), start % servers, shift % servers);
            Assert.Equal(Enumerable.Range(0, buckets), a.Buckets.Keys);
            foreach (var r in a.Buckets.Values)
            {
                Assert.Equal(rf, r.Count);
                Assert.Equal(rf, r.Distinct().Count());
                Assert.All(r, id => Assert.Contains(id, ids));
            }
            var leaderCounts = ids.Select(id => a.Buckets.Values.Count(r => r[0] == id)).ToList();
            Assert.True(leaderCounts.Max() - leaderCounts.Min() <= 1, $"leaders unbalanced: {string.Join(",", leaderCounts)}");
        }, iter: 300);
    }
}
