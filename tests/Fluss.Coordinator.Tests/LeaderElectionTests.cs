using Fluss.Coordinator;
using Fluss.Coordinator.Store;

namespace Fluss.Tests.Coordinator;

public class LeaderElectionTests
{
    private static Func<int, bool> Live(params int[] ids) => ids.Contains;

    [Fact]
    public void Initial_AllReplicasLive_FirstReplicaLeadsAtEpochZero()
    {
        var lai = LeaderElection.Initial([2, 0, 1], Live(0, 1, 2), standbyEnabled: false, coordinatorEpoch: 3)!;
        Assert.Equal(new LeaderAndIsr(2, 0, [2, 0, 1], [], 3, 0), lai);
    }

    [Fact]
    public void Initial_PrimaryKeyTableWithStandby_SecondLiveReplicaIsStandby()
    {
        var lai = LeaderElection.Initial([2, 0, 1], Live(0, 1), standbyEnabled: true, coordinatorEpoch: 0)!;
        Assert.Equal(new LeaderAndIsr(0, 0, [0, 1], [1], 0, 0), lai);
    }

    [Fact]
    public void Initial_NoLiveReplica_NoLeader()
    {
        Assert.Null(LeaderElection.Initial([4, 5], Live(0, 1), false, 0));
    }

    [Fact]
    public void OnServerDead_LeaderDies_FirstLiveIsrReplicaLeadsWithNextEpochs()
    {
        var current = new LeaderAndIsr(1, 4, [1, 2, 3], [], 0, 7);
        var next = LeaderElection.OnServerDead(current, 1, [1, 2, 3], Live(2, 3), false, 2)!;
        Assert.Equal(new LeaderAndIsr(2, 5, [2, 3], [], 2, 8), next);
    }

    [Fact]
    public void OnServerDead_LeaderDiesAndLiveReplicaNotInIsr_NoLeaderAndEpochsMoveOn()
    {
        var current = new LeaderAndIsr(1, 4, [1], [], 0, 7);
        var next = LeaderElection.OnServerDead(current, 1, [1, 2], Live(2), false, 0)!;
        Assert.Equal(LeaderAndIsr.NoLeader, next.Leader);
        Assert.Equal(5, next.LeaderEpoch);
        Assert.Equal(8, next.BucketEpoch);
        Assert.Equal([1], next.Isr); // the last ISR member stays, or no leader could ever be elected again
    }

    [Fact]
    public void OnServerDead_FollowerDies_LeavesIsrLeaderEpochUnchanged()
    {
        var current = new LeaderAndIsr(1, 4, [1, 2, 3], [], 0, 7);
        var next = LeaderElection.OnServerDead(current, 3, [1, 2, 3], Live(1, 2), false, 1)!;
        Assert.Equal(new LeaderAndIsr(1, 4, [1, 2], [], 1, 8), next);
    }

    [Fact]
    public void OnServerDead_ServerNotInBucket_NoChange()
    {
        var current = new LeaderAndIsr(1, 4, [1, 2], [], 0, 7);
        Assert.Null(LeaderElection.OnServerDead(current, 9, [1, 2], Live(1, 2), false, 0));
    }

    [Fact]
    public void OnServerDead_PrimaryKeyLeaderDies_StandbyPromotedAndNewStandbyPicked()
    {
        var current = new LeaderAndIsr(1, 0, [1, 2, 3], [3], 0, 0);
        var next = LeaderElection.OnServerDead(current, 1, [1, 2, 3], Live(2, 3), true, 0)!;
        Assert.Equal(3, next.Leader);
        Assert.Equal([2], next.StandbyReplicas);
        Assert.Equal(1, next.LeaderEpoch);
    }

    [Fact]
    public void OnReplicaBack_OfflineBucketReplicaReturns_LeadsAgainWithNextEpoch()
    {
        var offline = new LeaderAndIsr(LeaderAndIsr.NoLeader, 1, [4], [], 0, 1);
        var next = LeaderElection.OnReplicaBack(offline, [4], Live(4), false, 1)!;
        Assert.Equal(new LeaderAndIsr(4, 2, [4], [], 1, 2), next);
    }

    [Fact]
    public void OnReplicaBack_LeaderStillLive_NoChange()
    {
        var current = new LeaderAndIsr(1, 3, [1, 2], [], 0, 3);
        Assert.Null(LeaderElection.OnReplicaBack(current, [1, 2], Live(1, 2), false, 0));
    }

    [Fact]
    public void OnReplicaBack_ReturningReplicaNotInIsr_StaysOffline()
    {
        var offline = new LeaderAndIsr(LeaderAndIsr.NoLeader, 1, [1], [], 0, 1);
        Assert.Null(LeaderElection.OnReplicaBack(offline, [1, 2], Live(2), false, 0));
    }
}
