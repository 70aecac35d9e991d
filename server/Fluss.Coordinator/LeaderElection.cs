using Fluss.Coordinator.Store;

namespace Fluss.Coordinator;

/// <summary>
/// Fluss's leader election rules for one bucket, as pure functions of the bucket's assignment, its current
/// leader/ISR and the set of live servers:
/// <list type="bullet">
/// <item>A new bucket: the live replicas (in assignment order) form the ISR, the first is the leader, leader and bucket
/// epoch are 0; primary-key tables with standby replicas take the second live replica as standby.</item>
/// <item>A leader is elected only from replicas that are live and in the ISR, in assignment order; a primary-key
/// table promotes its standby when that one is available, and then picks the first other available replica as the
/// new standby. Every leader change, including to "no leader", adds one to the leader epoch and the bucket epoch.</item>
/// <item>A dead replica leaves the ISR unless it is the last one (an empty ISR could never elect a leader again); a
/// change of the ISR alone adds one to the bucket epoch.</item>
/// </list>
/// </summary>
internal static class LeaderElection
{
    /// <summary>The first leader/ISR of a new bucket, or null when none of its replicas is live.</summary>
    public static LeaderAndIsr? Initial(IReadOnlyList<int> assignment, Func<int, bool> isLive, bool standbyEnabled, int coordinatorEpoch)
    {
        var available = assignment.Where(isLive).ToArray();
        if (available.Length == 0) return null;
        int[] standby = standbyEnabled && available.Length > 1 ? [available[1]] : [];
        return new LeaderAndIsr(available[0], 0, available, standby, coordinatorEpoch, 0);
    }

    /// <summary>The leader (and standby) chosen among the live ISR members, or null when there is none.</summary>
    public static (int Leader, int[] Standby)? Elect(IReadOnlyList<int> assignment, Func<int, bool> isLive, LeaderAndIsr current, bool standbyEnabled)
    {
        var available = assignment.Where(r => isLive(r) && current.Isr.Contains(r)).ToArray();
        if (available.Length == 0) return null;
        if (!standbyEnabled) return (available[0], []);
        var currentStandby = current.StandbyReplicas.Count > 0 ? current.StandbyReplicas[0] : LeaderAndIsr.NoLeader;
        var leader = currentStandby != LeaderAndIsr.NoLeader && available.Contains(currentStandby) ? currentStandby : available[0];
        var next = available.FirstOrDefault(r => r != leader, LeaderAndIsr.NoLeader);
        return (leader, next == LeaderAndIsr.NoLeader ? [] : [next]);
    }

    /// <summary>
    /// The bucket's leader/ISR after <paramref name="deadServer"/> died (<paramref name="isLive"/> no longer counts
    /// it), or null when the bucket does not change: a dead leader is replaced by a live ISR member, or by "no leader"
    /// when there is none; a dead follower leaves the ISR.
    /// </summary>
    public static LeaderAndIsr? OnServerDead(LeaderAndIsr current, int deadServer, IReadOnlyList<int> assignment, Func<int, bool> isLive, bool standbyEnabled, int coordinatorEpoch)
    {
        var inIsr = current.Isr.Contains(deadServer);
        if (current.Leader != deadServer && !inIsr) return null;
        IReadOnlyList<int> isr = inIsr && current.Isr.Count > 1 ? current.Isr.Where(r => r != deadServer).ToArray() : current.Isr;
        if (current.Leader != deadServer)
            return current.WithIsr(isr, coordinatorEpoch);
        var elected = Elect(assignment, isLive, current, standbyEnabled);
        return elected is { } e
            ? current.WithNewLeader(e.Leader, isr, e.Standby, coordinatorEpoch)
            : current.WithNewLeader(LeaderAndIsr.NoLeader, isr, current.StandbyReplicas.Where(r => r != deadServer).ToArray(), coordinatorEpoch);
    }

    /// <summary>The bucket's leader/ISR once its replicas' liveness changed for the better, or null when it keeps its leader or still has no electable replica.</summary>
    public static LeaderAndIsr? OnReplicaBack(LeaderAndIsr current, IReadOnlyList<int> assignment, Func<int, bool> isLive, bool standbyEnabled, int coordinatorEpoch)
    {
        if (current.HasLeader && isLive(current.Leader)) return null;
        var elected = Elect(assignment, isLive, current, standbyEnabled);
        return elected is { } e ? current.WithNewLeader(e.Leader, current.Isr, e.Standby, coordinatorEpoch) : null;
    }
}
