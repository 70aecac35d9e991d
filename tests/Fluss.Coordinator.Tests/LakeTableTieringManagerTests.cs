using Fluss.Coordinator.Lake;
using Fluss.Errors;
using Fluss.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.Coordinator;

/// <summary>The tiering state machine of lake tables, driven by a fake clock.</summary>
public class LakeTableTieringManagerTests
{
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ServiceTimeout = TimeSpan.FromMinutes(2);

    private static TablePath T(string name) => new("lake", name);

    private static (LakeTableTieringManager Manager, FakeTimeProvider Clock) Create(int coordinatorEpoch = 0)
    {
        var clock = new FakeTimeProvider();
        return (new LakeTableTieringManager(clock, ServiceTimeout, coordinatorEpoch, NullLogger.Instance), clock);
    }

    [Fact]
    public void AddNewLakeTable_BeforeFreshness_ScheduledAndNotHandedOut()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
        clock.Advance(Freshness - TimeSpan.FromSeconds(1));
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
        Assert.Null(m.RequestTable());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TieringState.Pending, m.StateOf(1));
        var assignment = m.RequestTable();
        Assert.NotNull(assignment);
        Assert.Equal(1, assignment.TableId);
        Assert.Equal(T("a"), assignment.Path);
        Assert.Equal(TieringState.Tiering, m.StateOf(1));
        Assert.Equal(1, m.RunningTablesCount);
        Assert.Null(m.RequestTable());
    }

    [Fact]
    public void RequestTable_SeveralDue_HandedOutInTheOrderTheyBecameDue()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(3, T("c"), TimeSpan.FromSeconds(30));
        m.AddNewLakeTable(1, T("a"), TimeSpan.FromSeconds(10));
        m.AddNewLakeTable(2, T("b"), TimeSpan.FromSeconds(20));
        clock.Advance(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L, 3L], m.PendingTables());
        Assert.Equal(3, m.PendingTablesCount);
        Assert.Equal([1L, 2L, 3L], new[] { m.RequestTable()!.TableId, m.RequestTable()!.TableId, m.RequestTable()!.TableId });
        Assert.Null(m.RequestTable());
    }

    [Fact]
    public void FinishTiering_NextRound_HasAGreaterEpochAndWaitsForFreshnessFromTheFinish()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        clock.Advance(Freshness);
        var first = m.RequestTable()!;
        clock.Advance(TimeSpan.FromSeconds(40));
        m.FinishTiering(1, first.TieringEpoch, forceFinished: false, new TieringStats(1024, 10));
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), m.LastTieredTimeOf(1));
        clock.Advance(Freshness - TimeSpan.FromSeconds(1));
        Assert.Null(m.RequestTable());
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = m.RequestTable()!;
        Assert.True(second.TieringEpoch > first.TieringEpoch, $"{second.TieringEpoch} > {first.TieringEpoch}");
    }

    [Fact]
    public void Heartbeat_RenewedWithinTimeout_StaysTiering_SilentForTimeout_PendingWithNewEpoch()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        clock.Advance(Freshness);
        var round = m.RequestTable()!;
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(ServiceTimeout / 2);
            m.RenewHeartbeat(1, round.TieringEpoch);
        }
        Assert.Equal(TieringState.Tiering, m.StateOf(1));

        clock.Advance(ServiceTimeout);
        Assert.Equal(TieringState.Pending, m.StateOf(1));
        Assert.Equal(1, m.FailuresOf(1));
        Assert.Equal(round.TieringEpoch + 1, m.EpochOf(1));
        var next = m.RequestTable()!;
        Assert.Equal(round.TieringEpoch + 1, next.TieringEpoch);
    }

    [Fact]
    public void StaleEpoch_HeartbeatFinishFailAndValidate_FencedAndNothingChanges()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        clock.Advance(Freshness);
        var old = m.RequestTable()!;
        m.ReportFailure(1, old.TieringEpoch);
        var current = m.RequestTable()!;
        Assert.NotEqual(old.TieringEpoch, current.TieringEpoch);

        var fenced = new Action[]
        {
            () => m.RenewHeartbeat(1, old.TieringEpoch),
            () => m.FinishTiering(1, old.TieringEpoch, false, null),
            () => m.ReportFailure(1, old.TieringEpoch),
            () => m.ValidateRound(1, old.TieringEpoch),
        };
        foreach (var call in fenced)
        {
            var e = Assert.Throws<FencedTieringEpochException>(call);
            Assert.Equal(FlussErrorCode.FencedTieringEpoch, e.ErrorCode);
            Assert.Contains(old.TieringEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.Equal(TieringState.Tiering, m.StateOf(1));
            Assert.Equal(current.TieringEpoch, m.EpochOf(1));
        }
        m.ValidateRound(1, current.TieringEpoch);
    }

    [Fact]
    public void FinishedRound_SameEpochAfterwards_FencedBecauseTheRoundIsOver()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        clock.Advance(Freshness);
        var round = m.RequestTable()!;
        m.FinishTiering(1, round.TieringEpoch, false, null);
        Assert.Throws<FencedTieringEpochException>(() => m.ValidateRound(1, round.TieringEpoch));
        Assert.Throws<FencedTieringEpochException>(() => m.FinishTiering(1, round.TieringEpoch, false, null));
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
    }

    [Fact]
    public void ReportFailure_TablePendingAgainAtOnce_AfterOtherPendingTables()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        m.AddNewLakeTable(2, T("b"), Freshness + TimeSpan.FromSeconds(1));
        clock.Advance(Freshness);
        var round = m.RequestTable()!;
        clock.Advance(TimeSpan.FromSeconds(1));
        m.ReportFailure(1, round.TieringEpoch);
        Assert.Equal(TieringState.Pending, m.StateOf(1));
        Assert.Equal(1, m.FailuresOf(1));
        Assert.Equal([2L, 1L], m.PendingTables());
    }

    [Fact]
    public void FinishTiering_ForceFinished_PendingAgainWithoutWaitingForFreshness()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        clock.Advance(Freshness);
        var round = m.RequestTable()!;
        m.FinishTiering(1, round.TieringEpoch, forceFinished: true, null);
        Assert.Equal(TieringState.Pending, m.StateOf(1));
        Assert.Equal(round.TieringEpoch + 1, m.RequestTable()!.TieringEpoch);
    }

    [Fact]
    public void InitWithLakeTables_Restart_ScheduledFromTheLastTieredTime()
    {
        var (m, clock) = Create(coordinatorEpoch: 3);
        using var _ = m;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        m.InitWithLakeTables(
        [
            (1, T("overdue"), Freshness, now - (long)(Freshness.TotalMilliseconds * 2)),
            (2, T("recent"), Freshness, now - 60_000),
        ]);
        Assert.Equal(TieringState.Pending, m.StateOf(1));
        Assert.Equal(TieringState.Scheduled, m.StateOf(2));
        var first = m.RequestTable()!;
        Assert.Equal(1, first.TableId);
        Assert.True(first.TieringEpoch > 3L << 32, $"epochs of coordinator epoch 3 start above 3 << 32, got {first.TieringEpoch}");
        clock.Advance(Freshness - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));
        Assert.Null(m.RequestTable());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, m.RequestTable()!.TableId);
    }

    [Fact]
    public void Epochs_NewCoordinator_GreaterThanAnyEpochOfThePreviousOne()
    {
        var (old, oldClock) = Create(coordinatorEpoch: 0);
        using var _ = old;
        old.AddNewLakeTable(1, T("a"), TimeSpan.FromSeconds(1));
        long oldEpoch = 0;
        for (var i = 0; i < 50; i++)
        {
            oldClock.Advance(TimeSpan.FromSeconds(1));
            var round = old.RequestTable()!;
            oldEpoch = round.TieringEpoch;
            old.ReportFailure(1, round.TieringEpoch);
        }
        var (restarted, clock) = Create(coordinatorEpoch: 1);
        using var __ = restarted;
        restarted.InitWithLakeTables([(1, T("a"), Freshness, 0)]);
        Assert.True(restarted.RequestTable()!.TieringEpoch > oldEpoch);
        Assert.Throws<FencedTieringEpochException>(() => restarted.ValidateRound(1, oldEpoch));
    }

    [Fact]
    public void RemoveLakeTable_PendingOrTiering_NoLongerHandedOutAndRequestsRefused()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        m.AddNewLakeTable(2, T("b"), Freshness);
        clock.Advance(Freshness);
        var round = m.RequestTable()!;
        m.RemoveLakeTable(round.TableId);
        var other = round.TableId == 1 ? 2 : 1;
        m.RemoveLakeTable(other);
        Assert.Null(m.RequestTable());
        Assert.Null(m.StateOf(1));
        Assert.Equal(0, m.PendingTablesCount);
        var e = Assert.Throws<TableNotExistException>(() => m.RenewHeartbeat(round.TableId, round.TieringEpoch));
        Assert.Contains("not a lake table", e.Message);
    }

    [Fact]
    public void RemoveThenAdd_WhilePending_TableQueuedOnceWithFreshSchedule()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), Freshness);
        clock.Advance(Freshness);
        m.RemoveLakeTable(1);
        m.AddNewLakeTable(1, T("a"), Freshness);
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
        Assert.Null(m.RequestTable());
        clock.Advance(Freshness);
        Assert.Equal([1L], m.PendingTables());
    }

    [Fact]
    public void UpdateFreshness_Scheduled_RescheduledWithTheNewInterval()
    {
        var (m, clock) = Create();
        using var _ = m;
        m.AddNewLakeTable(1, T("a"), TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromMinutes(1));
        m.UpdateFreshness(1, TimeSpan.FromMinutes(2));
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TieringState.Pending, m.StateOf(1));

        m.AddNewLakeTable(2, T("b"), TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromMinutes(5));
        m.UpdateFreshness(2, TimeSpan.FromMinutes(1));
        Assert.Equal(TieringState.Pending, m.StateOf(2));
    }

    [Fact]
    public void Dispose_TimersStop_NoMoreStateChanges()
    {
        var (m, clock) = Create();
        m.AddNewLakeTable(1, T("a"), Freshness);
        m.Dispose();
        clock.Advance(Freshness * 2);
        Assert.Equal(TieringState.Scheduled, m.StateOf(1));
    }
}
