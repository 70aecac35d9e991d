using System.Globalization;
using Fluss.Errors;
using Fluss.Metadata;
using Microsoft.Extensions.Logging;

namespace Fluss.Coordinator.Lake;

/// <summary>Where a lake table is in its tiering cycle (Fluss's LakeTableTieringManager states).</summary>
internal enum TieringState
{
    /// <summary>Just created (or just enabled for the lake).</summary>
    New,

    /// <summary>Loaded at coordinator start-up.</summary>
    Initialized,

    /// <summary>Waiting for <c>table.datalake.freshness</c> to pass since the last tiering.</summary>
    Scheduled,

    /// <summary>Due, queued (FIFO) until a tiering service asks for a table.</summary>
    Pending,

    /// <summary>Handed out to a tiering service; its heartbeats keep it here.</summary>
    Tiering,

    /// <summary>The round finished (passes on to Scheduled, or Pending when force-finished).</summary>
    Tiered,

    /// <summary>The round failed or its service went silent (passes on to Pending).</summary>
    Failed,
}

/// <summary>A table handed out to a tiering service: the round is identified by <see cref="TieringEpoch"/>.</summary>
internal sealed record LakeTieringAssignment(long TableId, TablePath Path, long TieringEpoch);

/// <summary>What a tiering service reported about a finished round; null values are unknown.</summary>
internal sealed record TieringStats(long? FileSize, long? RecordCount);

/// <summary>
/// Schedules lake tables for the tiering services (Fluss's LakeTableTieringManager). Each lake table moves
/// New/Initialized -> Scheduled (a timer of <c>table.datalake.freshness</c> since it was last tiered) -> Pending (a
/// FIFO queue) -> Tiering (handed out by a heartbeat that requests a table) -> Tiered -> Scheduled, or Failed ->
/// Pending. Entering Pending starts a new round with the next tiering epoch, so a service working on an older round
/// is fenced (FENCED_TIERING_EPOCH) and changes nothing. A Tiering table whose service sends no heartbeat within the
/// service timeout fails and becomes Pending again.
/// </summary>
/// <remarks>
/// Thread-safe: RPC handlers, the event loop and the timers of <see cref="TimeProvider"/> call it concurrently.
/// Tiering epochs start at <c>coordinatorEpoch &lt;&lt; 32</c>, so the epochs a restarted coordinator hands out are
/// greater than every epoch of its predecessors and a service still working on a round of the old coordinator is
/// fenced too.
/// </remarks>
internal sealed class LakeTableTieringManager : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _serviceTimeout;
    private readonly long _initialEpoch;
    private readonly ILogger _logger;
    private readonly Dictionary<long, TableEntry> _tables = [];
    private readonly LinkedList<long> _pending = new();
    private readonly ITimer _timeoutChecker;
    private bool _disposed;

    public LakeTableTieringManager(TimeProvider time, TimeSpan serviceTimeout, int coordinatorEpoch, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(serviceTimeout, TimeSpan.Zero);
        _time = time;
        _serviceTimeout = serviceTimeout;
        _initialEpoch = (long)Math.Max(coordinatorEpoch, 0) << 32;
        _logger = logger;
        var period = TimeSpan.FromTicks(Math.Clamp(serviceTimeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(15).Ticks));
        _timeoutChecker = time.CreateTimer(_ => CheckTieringServiceTimeout(), null, period, period);
    }

    /// <summary>How long a tiering service may stay silent about a table it tiers.</summary>
    public TimeSpan ServiceTimeout => _serviceTimeout;

    /// <summary>Tables waiting for a tiering service.</summary>
    public int PendingTablesCount
    {
        get
        {
            lock (_lock) return _pending.Count;
        }
    }

    /// <summary>Tables being tiered now.</summary>
    public int RunningTablesCount
    {
        get
        {
            lock (_lock) return _tables.Values.Count(t => t.State == TieringState.Tiering);
        }
    }

    /// <summary>The table's state, or null when it is not a lake table here.</summary>
    public TieringState? StateOf(long tableId)
    {
        lock (_lock) return _tables.TryGetValue(tableId, out var t) ? t.State : null;
    }

    /// <summary>The table's current tiering epoch, or null when it is not a lake table here.</summary>
    public long? EpochOf(long tableId)
    {
        lock (_lock) return _tables.TryGetValue(tableId, out var t) ? t.Epoch : null;
    }

    /// <summary>When the table was last tiered (epoch milliseconds), or null when it is not a lake table here.</summary>
    public long? LastTieredTimeOf(long tableId)
    {
        lock (_lock) return _tables.TryGetValue(tableId, out var t) ? t.LastTieredMs : null;
    }

    /// <summary>Failed or timed-out rounds of the table since it became a lake table here.</summary>
    public long FailuresOf(long tableId)
    {
        lock (_lock) return _tables.TryGetValue(tableId, out var t) ? t.Failures : 0;
    }

    /// <summary>The tables Pending, in the order they will be handed out.</summary>
    public IReadOnlyList<long> PendingTables()
    {
        lock (_lock) return [.. _pending];
    }

    /// <summary>Coordinator start-up: every lake table is Scheduled from the time it was last tiered.</summary>
    public void InitWithLakeTables(IEnumerable<(long TableId, TablePath Path, TimeSpan Freshness, long LastTieredMs)> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        lock (_lock)
        {
            foreach (var (tableId, path, freshness, lastTiered) in tables)
            {
                if (!Register(tableId, path, freshness, lastTiered, TieringState.Initialized)) continue;
                ChangeState(tableId, TieringState.Scheduled);
            }
        }
    }

    /// <summary>A table became a lake table (created, or its datalake enabled): Scheduled from now.</summary>
    public void AddNewLakeTable(long tableId, TablePath path, TimeSpan freshness)
    {
        lock (_lock)
        {
            if (!Register(tableId, path, freshness, NowMs(), TieringState.New)) return;
            ChangeState(tableId, TieringState.Scheduled);
        }
    }

    /// <summary>The table was dropped or its datalake disabled: it is no longer scheduled (the lake table stays).</summary>
    public void RemoveLakeTable(long tableId)
    {
        lock (_lock)
        {
            if (!_tables.Remove(tableId, out var entry)) return;
            CancelDelayed(entry);
            if (entry.PendingNode is { } node) _pending.Remove(node);
            Log.LakeTableRemoved(_logger, entry.Path, tableId);
        }
    }

    /// <summary>ALTER TABLE changed <c>table.datalake.freshness</c>: a Scheduled table is rescheduled with it.</summary>
    public void UpdateFreshness(long tableId, TimeSpan freshness)
    {
        lock (_lock)
        {
            if (!_tables.TryGetValue(tableId, out var entry) || entry.Freshness == freshness) return;
            entry.Freshness = freshness;
            if (entry.State == TieringState.Scheduled) Schedule(tableId, entry);
        }
    }

    /// <summary>Hands out the table that has waited longest in Pending (now Tiering), or null when none is due.</summary>
    public LakeTieringAssignment? RequestTable()
    {
        lock (_lock)
        {
            while (_pending.First is { } first)
            {
                _pending.RemoveFirst();
                if (!_tables.TryGetValue(first.Value, out var entry)) continue;
                entry.PendingNode = null;
                if (entry.State != TieringState.Pending) continue;
                ChangeState(first.Value, TieringState.Tiering);
                Log.TableAssigned(_logger, entry.Path, first.Value, entry.Epoch);
                return new LakeTieringAssignment(first.Value, entry.Path, entry.Epoch);
            }
            return null;
        }
    }

    /// <summary>A tiering service is still working on the round: its liveness is renewed.</summary>
    /// <exception cref="FencedTieringEpochException">The epoch is not the table's running round.</exception>
    /// <exception cref="TableNotExistException">The table is not a lake table here.</exception>
    public void RenewHeartbeat(long tableId, long tieringEpoch)
    {
        lock (_lock)
        {
            var entry = ValidateRoundLocked(tableId, tieringEpoch);
            entry.LastHeartbeatMs = NowMs();
        }
    }

    /// <summary>The round finished: Tiered, then Scheduled (or Pending again at once when it was force-finished).</summary>
    /// <exception cref="FencedTieringEpochException">The epoch is not the table's running round; nothing changes.</exception>
    /// <exception cref="TableNotExistException">The table is not a lake table here.</exception>
    public void FinishTiering(long tableId, long tieringEpoch, bool forceFinished, TieringStats? stats)
    {
        lock (_lock)
        {
            var entry = ValidateRoundLocked(tableId, tieringEpoch);
            var now = NowMs();
            entry.LastTieredMs = now;
            Log.TableTiered(_logger, entry.Path, tableId, tieringEpoch, entry.RoundStartMs is { } start ? now - start : -1,
                stats?.FileSize ?? -1, stats?.RecordCount ?? -1, forceFinished);
            ChangeState(tableId, TieringState.Tiered);
            ChangeState(tableId, forceFinished ? TieringState.Pending : TieringState.Scheduled);
        }
    }

    /// <summary>The round failed: the table is Pending again (a new round with the next epoch).</summary>
    /// <exception cref="FencedTieringEpochException">The epoch is not the table's running round; nothing changes.</exception>
    /// <exception cref="TableNotExistException">The table is not a lake table here.</exception>
    public void ReportFailure(long tableId, long tieringEpoch)
    {
        lock (_lock)
        {
            ValidateRoundLocked(tableId, tieringEpoch);
            ChangeState(tableId, TieringState.Failed);
            ChangeState(tableId, TieringState.Pending);
        }
    }

    /// <summary>Checks that <paramref name="tieringEpoch"/> is the table's running round (for prepare and commit).</summary>
    /// <exception cref="FencedTieringEpochException">It is not; the caller must change nothing.</exception>
    /// <exception cref="TableNotExistException">The table is not a lake table here.</exception>
    public void ValidateRound(long tableId, long tieringEpoch)
    {
        lock (_lock) ValidateRoundLocked(tableId, tieringEpoch);
    }

    /// <summary>Tables whose tiering service has been silent for the service timeout fail and become Pending.</summary>
    internal void CheckTieringServiceTimeout()
    {
        lock (_lock)
        {
            if (_disposed) return;
            var now = NowMs();
            var limit = (long)_serviceTimeout.TotalMilliseconds;
            var expired = _tables.Where(kv => kv.Value.State == TieringState.Tiering && now - (kv.Value.LastHeartbeatMs ?? now) >= limit)
                .Select(kv => kv.Key).ToList();
            foreach (var tableId in expired)
            {
                var entry = _tables[tableId];
                Log.TieringServiceTimedOut(_logger, entry.Path, tableId, entry.Epoch, _serviceTimeout.TotalMilliseconds);
                ChangeState(tableId, TieringState.Failed);
                ChangeState(tableId, TieringState.Pending);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _timeoutChecker.Dispose();
            foreach (var entry in _tables.Values) CancelDelayed(entry);
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private bool Register(long tableId, TablePath path, TimeSpan freshness, long lastTieredMs, TieringState initial)
    {
        if (_disposed || _tables.ContainsKey(tableId)) return false;
        _tables[tableId] = new TableEntry(path, freshness, lastTieredMs, initial, _initialEpoch);
        return true;
    }

    private TableEntry ValidateRoundLocked(long tableId, long tieringEpoch)
    {
        if (!_tables.TryGetValue(tableId, out var entry))
            throw new TableNotExistException(
                $"Table {tableId.ToString(CultureInfo.InvariantCulture)} is not a lake table being tiered: it was dropped, or its datalake was disabled.");
        if (tieringEpoch != entry.Epoch)
            throw new FencedTieringEpochException(
                $"The tiering epoch {tieringEpoch.ToString(CultureInfo.InvariantCulture)} of table {entry.Path} ({tableId.ToString(CultureInfo.InvariantCulture)}) "
                + $"is not the current epoch {entry.Epoch.ToString(CultureInfo.InvariantCulture)}: the round was taken over or restarted; abandon it.");
        if (entry.State != TieringState.Tiering)
            throw new FencedTieringEpochException(
                $"The tiering round {tieringEpoch.ToString(CultureInfo.InvariantCulture)} of table {entry.Path} ({tableId.ToString(CultureInfo.InvariantCulture)}) "
                + $"is not running (the table is {entry.State}); abandon it.");
        return entry;
    }

    /// <summary>Moves a table to <paramref name="target"/> when that is a valid transition (else logs and does nothing).</summary>
    private void ChangeState(long tableId, TieringState target)
    {
        if (!_tables.TryGetValue(tableId, out var entry)) return;
        if (!IsValidTransition(entry.State, target))
        {
            Log.InvalidTieringTransition(_logger, tableId, entry.State, target);
            return;
        }
        var now = NowMs();
        switch (target)
        {
            case TieringState.Scheduled:
                entry.State = target;
                Schedule(tableId, entry);
                return;
            case TieringState.Pending:
                entry.Epoch++;
                entry.PendingNode ??= _pending.AddLast(tableId);
                break;
            case TieringState.Tiering:
                entry.LastHeartbeatMs = now;
                entry.RoundStartMs = now;
                break;
            case TieringState.Tiered:
                entry.LastHeartbeatMs = null;
                entry.RoundStartMs = null;
                break;
            case TieringState.Failed:
                entry.Failures++;
                entry.LastHeartbeatMs = null;
                entry.RoundStartMs = null;
                break;
        }
        entry.State = target;
    }

    private static bool IsValidTransition(TieringState current, TieringState target) => target switch
    {
        TieringState.Scheduled => current is TieringState.New or TieringState.Initialized or TieringState.Tiered,
        TieringState.Pending => current is TieringState.Scheduled or TieringState.Failed or TieringState.Tiered,
        TieringState.Tiering => current is TieringState.Pending,
        TieringState.Tiered or TieringState.Failed => current is TieringState.Tiering,
        _ => false,
    };

    /// <summary>Arms the freshness timer: due <c>freshness - (now - lastTiered)</c> from now; due already means Pending now.</summary>
    private void Schedule(long tableId, TableEntry entry)
    {
        CancelDelayed(entry);
        if (_disposed) return;
        var delay = entry.Freshness - TimeSpan.FromMilliseconds(NowMs() - entry.LastTieredMs);
        if (delay <= TimeSpan.Zero)
        {
            ChangeState(tableId, TieringState.Pending);
            return;
        }
        var token = new object();
        entry.DelayedToken = token;
        entry.Delayed = _time.CreateTimer(_ => OnFreshnessDue(tableId, token), null, delay, Timeout.InfiniteTimeSpan);
    }

    private void OnFreshnessDue(long tableId, object token)
    {
        lock (_lock)
        {
            if (_disposed || !_tables.TryGetValue(tableId, out var entry) || !ReferenceEquals(entry.DelayedToken, token)) return;
            CancelDelayed(entry);
            ChangeState(tableId, TieringState.Pending);
        }
    }

    private static void CancelDelayed(TableEntry entry)
    {
        entry.Delayed?.Dispose();
        entry.Delayed = null;
        entry.DelayedToken = null;
    }

    private sealed class TableEntry(TablePath path, TimeSpan freshness, long lastTieredMs, TieringState state, long epoch)
    {
        public TablePath Path { get; } = path;

        public TimeSpan Freshness { get; set; } = freshness;

        public long LastTieredMs { get; set; } = lastTieredMs;

        public TieringState State { get; set; } = state;

        public long Epoch { get; set; } = epoch;

        public long? LastHeartbeatMs { get; set; }

        public long? RoundStartMs { get; set; }

        public long Failures { get; set; }

        public LinkedListNode<long>? PendingNode { get; set; }

        public ITimer? Delayed { get; set; }

        public object? DelayedToken { get; set; }
    }
}
