using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Storage.Kv;
using Fluss.Storage.Log;

namespace Fluss.TabletServer.Replicas;

/// <summary>A leadership decision of the coordinator for one bucket.</summary>
/// <param name="Leader">The leader's server id.</param>
/// <param name="LeaderEpoch">Increases with every leader change.</param>
/// <param name="Replicas">The assigned replicas (server ids).</param>
/// <param name="Isr">The in-sync replicas.</param>
/// <param name="BucketEpoch">Increases with every leader or ISR change.</param>
internal sealed record LeaderAndIsr(int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, int BucketEpoch);

/// <summary>ListOffsets offset types (Fluss's numbers).</summary>
internal static class OffsetType
{
    public const int Earliest = 0;
    public const int Latest = 1;
    public const int Timestamp = 2;
}

/// <summary>
/// One bucket replica hosted by this server: its log tablet plus the replication state the leader keeps (leader
/// epoch, ISR, each follower's log end offset) from which the high watermark follows: the smallest log end offset
/// over the ISR, never advancing while the ISR is smaller than the minimum in-sync replica count. With one replica
/// the ISR is the leader alone, so the high watermark follows each append at once. <see cref="Changed"/> pulses
/// whenever the log end offset, the high watermark or the leadership changes, so waiting requests re-check.
/// </summary>
internal sealed class Replica
{
    private readonly Lock _leaderIsrLock = new();
    private readonly int _localServerId;
    private readonly Func<int> _minInSyncReplicas;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, FollowerState> _followers = [];
    private volatile TableInfo _table;
    private volatile LeaderAndIsr? _state;
    private volatile KvTablet? _kv;

    /// <summary>What the leader knows of a follower.</summary>
    private sealed class FollowerState
    {
        public long LogEndOffset = -1;
        public long LastFetchTimeMs = -1;
    }

    public Replica(int localServerId, PhysicalTablePath path, TableBucket bucket, TableInfo table, LogTablet log, Func<int> minInSyncReplicas, TimeProvider time)
    {
        _localServerId = localServerId;
        PhysicalPath = path;
        Bucket = bucket;
        _table = table;
        Log = log;
        _minInSyncReplicas = minInSyncReplicas;
        _time = time;
        Log.LogTtl = table.TableConfig.LogTtl;
    }

    public TableBucket Bucket { get; }

    public PhysicalTablePath PhysicalPath { get; }

    public TableInfo Table => _table;

    public LogTablet Log { get; }

    /// <summary>The KV tablet while this server leads a primary-key bucket, else null.</summary>
    public KvTablet? Kv => _kv;

    /// <summary>The changelog offset of the last KV snapshot taken by this leader (-1 before the first).</summary>
    public long LastKvSnapshotOffset { get; set; } = -1;

    /// <summary>Pulses when the log end offset, the high watermark or the leadership changes.</summary>
    public AsyncSignal Changed { get; } = new();

    /// <summary>The current leadership, or null before the first decision.</summary>
    public LeaderAndIsr? State => _state;

    /// <summary>The leader epoch of the last accepted decision (-1 before the first).</summary>
    public int LeaderEpoch => _state?.LeaderEpoch ?? -1;

    public bool IsLeader => _state is { } s && s.Leader == _localServerId;

    /// <summary>Takes a newer table description (for example changed options).</summary>
    public void UpdateTable(TableInfo table)
    {
        _table = table;
        Log.LogTtl = table.TableConfig.LogTtl;
    }

    /// <summary>
    /// Becomes the leader under <paramref name="state"/>; returns true when this server was not the leader before.
    /// A primary-key bucket opens its KV tablet with <paramref name="kvFactory"/> before the high watermark moves.
    /// </summary>
    public bool MakeLeader(LeaderAndIsr state, Func<Replica, KvTablet>? kvFactory = null)
    {
        bool wasLeader;
        lock (_leaderIsrLock)
        {
            wasLeader = IsLeader;
            if (_kv is null && kvFactory is not null && _table.HasPrimaryKey)
            {
                _kv = kvFactory(this);
                LastKvSnapshotOffset = -1;
            }
            if (!wasLeader || state.LeaderEpoch > LeaderEpoch)
            {
                // A new leadership term: what followers reported to a previous leader does not count.
                _followers.Clear();
            }
            foreach (var id in state.Replicas)
                if (id != _localServerId && !_followers.ContainsKey(id)) _followers[id] = new FollowerState();
            foreach (var id in _followers.Keys.Where(id => !state.Replicas.Contains(id)).ToList()) _followers.Remove(id);
            _state = state;
            MaybeIncrementHighWatermarkLocked();
        }
        Changed.Pulse();
        return !wasLeader;
    }

    /// <summary>Becomes a follower under <paramref name="state"/>; returns true when the leader changed.</summary>
    public bool MakeFollower(LeaderAndIsr state)
    {
        bool leaderChanged;
        lock (_leaderIsrLock)
        {
            leaderChanged = _state?.Leader != state.Leader;
            _followers.Clear();
            _state = state;
            CloseKvLocked();
        }
        Changed.Pulse();
        return leaderChanged;
    }

    /// <summary>
    /// Appends client batches as the leader and moves the high watermark as far as the ISR allows.
    /// </summary>
    /// <exception cref="NotLeaderOrFollowerException">This server is not the bucket's leader.</exception>
    /// <exception cref="FlussException">NOT_ENOUGH_REPLICAS for acks=-1 when the ISR is below the minimum; storage errors of the append.</exception>
    public LogAppendInfo AppendAsLeader(ReadOnlyMemory<byte> records, int requiredAcks)
    {
        LogAppendInfo info;
        lock (_leaderIsrLock)
        {
            var state = _state;
            if (state is null || state.Leader != _localServerId)
                throw NotLeader();
            var minIsr = _minInSyncReplicas();
            if (requiredAcks == -1 && state.Isr.Count < minIsr)
                throw new FlussException(FlussErrorCode.NotEnoughReplicas,
                    $"The in-sync replicas {Format(state.Isr)} of bucket {Bucket} are fewer than the minimum {minIsr} required for acks=-1.");
            info = Log.AppendAsLeader(records, state.LeaderEpoch);
            MaybeIncrementHighWatermarkLocked();
        }
        Changed.Pulse();
        return info;
    }

    /// <summary>
    /// Whether the high watermark has reached <paramref name="requiredOffset"/> (an acks=-1 write is then
    /// committed); not done while it has not, and NOT_LEADER_OR_FOLLOWER when the leadership moved away.
    /// </summary>
    public (bool Done, FlussErrorCode Error) CheckEnoughReplicasReachOffset(long requiredOffset)
    {
        var state = _state;
        if (state is null || state.Leader != _localServerId) return (true, FlussErrorCode.NotLeaderOrFollower);
        if (Log.HighWatermark < requiredOffset) return (false, FlussErrorCode.None);
        return state.Isr.Count >= _minInSyncReplicas() ? (true, FlussErrorCode.None) : (true, FlussErrorCode.NotEnoughReplicasAfterAppend);
    }

    /// <summary>
    /// Reads from the leader: clients up to the high watermark, followers (<paramref name="followerId"/> >= 0) up to
    /// the log end offset, recording the follower's fetch offset as its log end offset.
    /// </summary>
    /// <exception cref="NotLeaderOrFollowerException">This server is not the leader, or the follower is not a replica.</exception>
    /// <exception cref="LogOffsetOutOfRangeException">The offset lies outside the log; the message gives the valid range.</exception>
    public FetchDataInfo Read(long fetchOffset, int maxBytes, int followerId, bool minOneMessage, LogProjection? projection)
    {
        var state = _state;
        if (state is null || state.Leader != _localServerId) throw NotLeader();
        var fromFollower = followerId >= 0;
        if (fromFollower && !state.Replicas.Contains(followerId))
            throw new NotLeaderOrFollowerException($"Server {followerId} is not a replica of bucket {Bucket} (replicas {Format(state.Replicas)}).");
        FetchDataInfo data;
        try
        {
            data = Log.Read(fetchOffset, maxBytes, fromFollower ? FetchIsolation.LogEnd : FetchIsolation.HighWatermark, minOneMessage, projection);
        }
        catch (LogOffsetOutOfRangeException)
        {
            var offsets = Log.Offsets;
            var upper = fromFollower ? offsets.LogEndOffset : offsets.HighWatermark;
            throw new LogOffsetOutOfRangeException(
                $"The fetch offset {fetchOffset} is out of range for table bucket {Bucket}: valid offsets are from {offsets.LogStartOffset} (log start) to {upper} ({(fromFollower ? "log end" : "high watermark")}).");
        }
        if (fromFollower) UpdateFollowerFetchState(followerId, fetchOffset);
        return data;
    }

    /// <summary>Records a follower's fetch position and advances the high watermark when it allows.</summary>
    public void UpdateFollowerFetchState(int followerId, long fetchOffset)
    {
        var advanced = false;
        lock (_leaderIsrLock)
        {
            if (!_followers.TryGetValue(followerId, out var follower)) return;
            follower.LogEndOffset = Math.Max(follower.LogEndOffset, fetchOffset);
            follower.LastFetchTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            advanced = MaybeIncrementHighWatermarkLocked();
        }
        if (advanced) Changed.Pulse();
    }

    /// <summary>The ListOffsets answer for this bucket.</summary>
    /// <exception cref="NotLeaderOrFollowerException">A client asked a server that is not the leader.</exception>
    public long GetOffset(int offsetType, long? timestamp, int followerId)
    {
        if (followerId < 0 && !IsLeader) throw NotLeader();
        return offsetType switch
        {
            OffsetType.Earliest => Log.LogStartOffset,
            OffsetType.Latest => followerId < 0 ? Log.HighWatermark : Log.LogEndOffset,
            OffsetType.Timestamp => timestamp is { } ts
                ? Log.LookupOffsetForTimestamp(ts)
                : throw new FlussException(FlussErrorCode.InvalidTimestamp, $"ListOffsets by timestamp for bucket {Bucket} needs startTimestamp."),
            _ => throw new FlussException(FlussErrorCode.UnknownServerError,
                $"Unknown offset type {offsetType} for bucket {Bucket}: use 0 (EARLIEST), 1 (LATEST) or 2 (TIMESTAMP)."),
        };
    }

    /// <summary>Stops serving: the replica is neither leader nor follower any more; waiting requests re-check.</summary>
    public void Stop()
    {
        lock (_leaderIsrLock)
        {
            _state = null;
            CloseKvLocked();
        }
        Changed.Pulse();
    }

    private void CloseKvLocked()
    {
        var kv = _kv;
        _kv = null;
        kv?.Dispose();
    }

    /// <summary>
    /// Applies a KV record batch as the leader (its changelog goes to the log) and moves the high watermark as far
    /// as the ISR and the KV flush allow.
    /// </summary>
    /// <exception cref="NotLeaderOrFollowerException">This server is not the bucket's leader.</exception>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE for a log table; NOT_ENOUGH_REPLICAS; the KV tablet's errors.</exception>
    public LogAppendInfo PutKvAsLeader(ReadOnlyMemory<byte> batch, int[]? targetColumns, int requiredAcks)
    {
        LogAppendInfo info;
        lock (_leaderIsrLock)
        {
            if (!_table.HasPrimaryKey) throw NonPrimaryKey("put");
            var state = _state;
            if (state is null || state.Leader != _localServerId)
                throw NotLeader();
            var minIsr = _minInSyncReplicas();
            if (requiredAcks == -1 && state.Isr.Count < minIsr)
                throw new FlussException(FlussErrorCode.NotEnoughReplicas,
                    $"The in-sync replicas {Format(state.Isr)} of bucket {Bucket} are fewer than the minimum {minIsr} required for acks=-1.");
            var kv = _kv ?? throw NotLeader();
            info = kv.PutAsLeader(batch, targetColumns, state.LeaderEpoch);
            MaybeIncrementHighWatermarkLocked();
        }
        Changed.Pulse();
        return info;
    }

    /// <summary>The KV tablet to read committed state from, checking that this is the leader of a primary-key bucket.</summary>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE for a log table; NOT_LEADER_OR_FOLLOWER when not leading.</exception>
    public KvTablet KvForRead(string operation)
    {
        if (!_table.HasPrimaryKey) throw NonPrimaryKey(operation);
        var state = _state;
        if (state is null || state.Leader != _localServerId) throw NotLeader();
        return _kv ?? throw NotLeader();
    }

    private FlussException NonPrimaryKey(string operation) =>
        new(FlussErrorCode.NonPrimaryKeyTable,
            $"Cannot {operation} on table {_table.TablePath} (bucket {Bucket}): it is a log table without a primary key; use ProduceLog/FetchLog for log tables.");

    private bool MaybeIncrementHighWatermarkLocked()
    {
        var state = _state;
        if (state is null || state.Leader != _localServerId) return false;
        if (state.Isr.Count < _minInSyncReplicas()) return false;
        var newHighWatermark = Log.LogEndOffset;
        foreach (var id in state.Isr)
        {
            if (id == _localServerId) continue;
            var followerEnd = _followers.TryGetValue(id, out var f) ? f.LogEndOffset : -1;
            if (followerEnd < 0) return false;
            newHighWatermark = Math.Min(newHighWatermark, followerEnd);
        }
        var before = Log.HighWatermark;
        var after = _kv is { } kv ? kv.AdvanceHighWatermark(newHighWatermark) : Log.UpdateHighWatermark(newHighWatermark);
        return after > before;
    }

    private NotLeaderOrFollowerException NotLeader()
    {
        var leader = _state is { } state ? $"the leader is server {state.Leader}" : "it does not serve the bucket now";
        return new NotLeaderOrFollowerException($"Tablet server {_localServerId} is not the leader of bucket {Bucket} ({leader}).");
    }

    private static string Format(IReadOnlyList<int> ids) => "[" + string.Join(", ", ids) + "]";
}
