using System.Globalization;
using Fluss.MetadataStore.Embedded;
using Microsoft.Extensions.Logging;

namespace Fluss.MetadataStore;

/// <summary>
/// The metadata store embedded in the coordinator process: an in-memory tree with ZooKeeper's semantics, made
/// durable by a write-ahead log (one fsynced, checksummed record per committed transaction) compacted into
/// snapshots. Open it once per directory (a lock file keeps a second opener out), then open one session per
/// component with <see cref="OpenSessionAsync"/>. All operations are serialized under one lock, so they are
/// linearizable. After a restart, persistent nodes, versions and sequence counters are back; ephemeral nodes are
/// not (their sessions ended with the process), exactly as after ZooKeeper expires every session.
/// </summary>
public sealed class EmbeddedMetadataStore : IAsyncDisposable
{
    internal const string LogFileName = "metadata.log";
    internal const string SnapshotFileName = "metadata.snapshot";
    internal const string LockFileName = "LOCK";

    private readonly object _sync = new();
    private readonly EmbeddedMetadataStoreOptions _options;
    private readonly string? _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DataTree _tree;
    private readonly WriteAheadLog? _wal;
    private readonly FileStream? _lockFile;
    private readonly Dictionary<long, EmbeddedSession> _handles = [];
    private readonly Dictionary<string, Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>> _dataWatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>> _childWatches = new(StringComparer.Ordinal);
    private ITimer? _expiryTimer;
    private bool _closed;

    private EmbeddedMetadataStore(EmbeddedMetadataStoreOptions options, DataTree tree, WriteAheadLog? wal, FileStream? lockFile, WriteAheadLog.RecoveryResult? recovery)
    {
        _options = options;
        _directory = options.Directory is null ? null : Path.GetFullPath(options.Directory);
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger<EmbeddedMetadataStore>();
        _tree = tree;
        _wal = wal;
        _lockFile = lockFile;
        LastRecovery = recovery;
    }

    /// <summary>The full path of the directory holding the log and snapshot, or null for an in-memory store.</summary>
    public string? Directory => _directory;

    /// <summary>The zxid of the last committed transaction.</summary>
    public long LastZxid
    {
        get
        {
            lock (_sync) return _tree.LastZxid;
        }
    }

    /// <summary>What the log recovery found when the store was opened (null for in-memory stores).</summary>
    internal WriteAheadLog.RecoveryResult? LastRecovery { get; }

    /// <summary>Opens (creating if needed) the store in <see cref="EmbeddedMetadataStoreOptions.Directory"/>, or an in-memory store when it is null.</summary>
    /// <exception cref="IOException">The directory is already open by another store, in this or another process.</exception>
    /// <exception cref="InvalidDataException">The snapshot or the log is damaged beyond a torn last record.</exception>
    public static Task<EmbeddedMetadataStore> OpenAsync(EmbeddedMetadataStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new EmbeddedMetadataStoreOptions();
        if (options.SnapshotAfterRecords < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "SnapshotAfterRecords must be at least 1");
        if (options.SessionCheckInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "SessionCheckInterval must be positive");
        try
        {
            var store = options.Directory is null ? new EmbeddedMetadataStore(options, new DataTree(), null, null, null) : OpenDurable(options);
            store.Start();
            return Task.FromResult(store);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Task.FromException<EmbeddedMetadataStore>(e);
        }
    }

    private static EmbeddedMetadataStore OpenDurable(EmbeddedMetadataStoreOptions options)
    {
        var dir = Path.GetFullPath(options.Directory!);
        System.IO.Directory.CreateDirectory(dir);
        var lockFile = AcquireLock(dir);
        WriteAheadLog? wal = null;
        try
        {
            var snapshotPath = Path.Combine(dir, SnapshotFileName);
            File.Delete(snapshotPath + ".tmp");
            var tree = File.Exists(snapshotPath) ? SnapshotFile.Read(snapshotPath) : new DataTree();
            wal = WriteAheadLog.Open(Path.Combine(dir, LogFileName), options.SyncOnCommit, out var recovery);
            var replayed = 0;
            foreach (var record in recovery.Records)
            {
                if (record.Zxid <= tree.LastZxid) continue; // already in the snapshot
                if (record.Zxid != tree.LastZxid + 1)
                    throw new InvalidDataException($"{wal.FilePath}: record with zxid {record.Zxid} follows zxid {tree.LastZxid}; a transaction is missing");
                var txn = new Txn(record.Zxid, record.TimeMs);
                try
                {
                    foreach (var op in record.Ops)
                        tree.Apply(txn, op);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{wal.FilePath}: transaction {record.Zxid} does not apply: {e.Message}", e);
                }
                tree.LastZxid = record.Zxid;
                replayed++;
            }

            var store = new EmbeddedMetadataStore(options, tree, wal, lockFile, recovery);
            if (recovery.TruncatedAt is long cut)
                Log.TailTruncated(store._logger, wal.FilePath, recovery.TruncationReason ?? "damaged record", cut);
            Log.Opened(store._logger, dir, tree.LastZxid, tree.NodeCount, replayed);
            store.CloseSessionsOfPreviousRun();
            return store;
        }
        catch
        {
            wal?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    private static FileStream AcquireLock(string dir)
    {
        var path = Path.Combine(dir, LockFileName);
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix, held while the stream is open.
            var lockFile = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            lockFile.SetLength(0);
            lockFile.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            lockFile.Flush();
            return lockFile;
        }
        catch (IOException e)
        {
            throw new IOException(
                $"the metadata directory {dir} is already open by another embedded metadata store (in this or another process); "
                + "only one may open a directory at a time: stop the other coordinator or use another data directory", e);
        }
    }

    private void Start()
    {
        _expiryTimer = _time.CreateTimer(_ => OnExpiryTick(), null, _options.SessionCheckInterval, _options.SessionCheckInterval);
    }

    private void CloseSessionsOfPreviousRun()
    {
        var ids = _tree.Sessions.Keys.Order().ToArray();
        foreach (var id in ids)
        {
            var txn = Begin();
            _tree.Apply(txn, LogOp.CloseSession(id));
            Commit(txn);
        }
        if (ids.Length > 0)
            Log.RecoveredSessionsClosed(_logger, ids.Length);
    }

    /// <summary>Opens a new session (handle). Dispose the handle to close the session and delete its ephemeral nodes.</summary>
    public Task<IMetadataStore> OpenSessionAsync(MetadataSessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new MetadataSessionOptions();
        var timeoutMs = options.SessionTimeout.TotalMilliseconds;
        if (timeoutMs < 1 || timeoutMs > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options), $"session timeout {options.SessionTimeout} must be between 1 ms and {int.MaxValue} ms");
        EmbeddedSession session;
        lock (_sync)
        {
            ThrowIfClosed();
            ExpireDueSessions();
            var id = _tree.NextSessionId;
            var txn = Begin();
            _tree.Apply(txn, LogOp.CreateSession(id, (int)timeoutMs));
            Commit(txn);
            session = new EmbeddedSession(this, id, TimeSpan.FromMilliseconds((int)timeoutMs), _logger) { LastHeard = _time.GetTimestamp() };
            _handles.Add(id, session);
            if (options.AutoHeartbeat)
            {
                var period = session.SessionTimeout / 3;
                session.Heartbeat = _time.CreateTimer(_ => OnHeartbeat(id), null, period, period);
            }
        }
        return Task.FromResult<IMetadataStore>(session);
    }

    /// <summary>Records a heartbeat of a session (what a ZooKeeper client's ping does). A session already past its timeout expires instead.</summary>
    public void TouchSession(long sessionId)
    {
        lock (_sync)
        {
            if (_closed) return;
            ExpireDueSessions();
            if (_handles.TryGetValue(sessionId, out var s))
                s.LastHeard = _time.GetTimestamp();
        }
    }

    private void OnHeartbeat(long sessionId)
    {
        try
        {
            TouchSession(sessionId);
        }
        catch (Exception e)
        {
            Log.ExpiryCheckFailed(_logger, e);
        }
    }

    /// <summary>Expires a session now, as if it had missed its heartbeats: its ephemerals are deleted and its handle fails with SessionExpired.</summary>
    public Task ExpireSessionAsync(long sessionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            ThrowIfClosed();
            if (!_handles.TryGetValue(sessionId, out var s))
                throw new MetadataStoreException(MetadataStoreErrorCode.UnknownSession, null, $"session 0x{sessionId:x} is not open");
            EndSession(s, SessionState.Expired);
        }
        return Task.CompletedTask;
    }

    /// <summary>Writes a snapshot now and empties the log (normally done automatically by size).</summary>
    public Task CompactAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            ThrowIfClosed();
            if (_wal is not null)
                WriteSnapshot();
        }
        return Task.CompletedTask;
    }

    /// <summary>Closes the store: every session handle ends (state Closed; calls fail with ConnectionLoss), the files are closed and the lock released. Sessions are not closed in the log: the next open closes them.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            if (_closed) return ValueTask.CompletedTask;
            _closed = true;
            _expiryTimer?.Dispose();
            foreach (var s in _handles.Values)
                s.End(SessionState.Closed);
            _handles.Clear();
            _dataWatches.Clear();
            _childWatches.Clear();
            _wal?.Dispose();
            _lockFile?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Operations of sessions (called by EmbeddedSession)
    // ------------------------------------------------------------------------------------------------------------

    internal string Create(EmbeddedSession session, string path, ReadOnlyMemory<byte> data, CreateMode mode)
    {
        MetadataPath.Validate(path, mode.IsSequential());
        lock (_sync)
        {
            Enter(session);
            var txn = Begin();
            try
            {
                var (actual, _) = DoCreate(session, txn, path, data, mode);
                Commit(txn);
                return actual;
            }
            catch
            {
                txn.Rollback();
                throw;
            }
        }
    }

    internal NodeData Get(EmbeddedSession session, string path, Action<WatchEvent>? watcher)
    {
        MetadataPath.Validate(path);
        lock (_sync)
        {
            Enter(session);
            var node = _tree.Find(path) ?? throw MetadataStoreException.For(MetadataStoreErrorCode.NoNode, path);
            if (watcher is not null) AddWatch(_dataWatches, path, session, watcher);
            return new NodeData((byte[])node.Data.Clone(), node.ToStat());
        }
    }

    internal Stat? Exists(EmbeddedSession session, string path, Action<WatchEvent>? watcher)
    {
        MetadataPath.Validate(path);
        lock (_sync)
        {
            Enter(session);
            if (watcher is not null) AddWatch(_dataWatches, path, session, watcher);
            return _tree.Find(path)?.ToStat();
        }
    }

    internal IReadOnlyList<string> GetChildren(EmbeddedSession session, string path, Action<WatchEvent>? watcher)
    {
        MetadataPath.Validate(path);
        lock (_sync)
        {
            Enter(session);
            var node = _tree.Find(path) ?? throw MetadataStoreException.For(MetadataStoreErrorCode.NoNode, path);
            if (watcher is not null) AddWatch(_childWatches, path, session, watcher);
            return node.Children.ToArray();
        }
    }

    internal Stat Set(EmbeddedSession session, string path, ReadOnlyMemory<byte> data, int expectedVersion)
    {
        MetadataPath.Validate(path);
        lock (_sync)
        {
            Enter(session);
            var txn = Begin();
            try
            {
                var stat = DoSet(txn, path, data, expectedVersion);
                Commit(txn);
                return stat;
            }
            catch
            {
                txn.Rollback();
                throw;
            }
        }
    }

    internal void Delete(EmbeddedSession session, string path, int expectedVersion)
    {
        MetadataPath.Validate(path);
        lock (_sync)
        {
            Enter(session);
            var txn = Begin();
            try
            {
                DoDelete(txn, path, expectedVersion);
                Commit(txn);
            }
            catch
            {
                txn.Rollback();
                throw;
            }
        }
    }

    internal IReadOnlyList<OpResult> Multi(EmbeddedSession session, IReadOnlyList<MetadataOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i] ?? throw new ArgumentException($"op {i} of the multi is null", nameof(ops));
            try
            {
                MetadataPath.Validate(op.Path, op is CreateOp { Mode: var mode } && mode.IsSequential());
            }
            catch (MetadataStoreException e)
            {
                throw MultiFailure(ops.Count, i, e);
            }
        }

        lock (_sync)
        {
            Enter(session);
            var txn = Begin();
            var results = new List<OpResult>(ops.Count);
            for (var i = 0; i < ops.Count; i++)
            {
                try
                {
                    results.Add(ops[i] switch
                    {
                        CheckOp check => DoCheck(check.Path, check.Version),
                        CreateOp create => ToResult(DoCreate(session, txn, create.Path, create.Data, create.Mode)),
                        SetOp set => new SetResult(DoSet(txn, set.Path, set.Data, set.ExpectedVersion)),
                        DeleteOp delete => DoDelete(txn, delete.Path, delete.ExpectedVersion),
                        _ => throw new ArgumentException($"unknown op type {ops[i].GetType().Name}", nameof(ops)),
                    });
                }
                catch (MetadataStoreException e)
                {
                    txn.Rollback();
                    throw MultiFailure(ops.Count, i, e);
                }
                catch
                {
                    txn.Rollback();
                    throw;
                }
            }
            try
            {
                Commit(txn);
            }
            catch
            {
                txn.Rollback();
                throw;
            }
            return results;
        }
    }

    internal void CloseSession(EmbeddedSession session)
    {
        lock (_sync)
        {
            if (_closed || !session.IsLive) return;
            EndSession(session, SessionState.Closed);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Request processing (under _sync)
    // ------------------------------------------------------------------------------------------------------------

    private void Enter(EmbeddedSession session)
    {
        ThrowIfClosed();
        ExpireDueSessions();
        session.ThrowIfNotLive();
        session.LastHeard = _time.GetTimestamp(); // every request counts as a heartbeat, as in ZooKeeper
    }

    private void ThrowIfClosed()
    {
        if (_closed)
            throw new MetadataStoreException(MetadataStoreErrorCode.ConnectionLoss, null, "the embedded metadata store is closed");
    }

    private Txn Begin() => new(_tree.LastZxid + 1, _time.GetUtcNow().ToUnixTimeMilliseconds());

    private (string Path, Stat Stat) DoCreate(EmbeddedSession session, Txn txn, string path, ReadOnlyMemory<byte> data, CreateMode mode)
    {
        CheckDataSize(path, data);
        if (path == MetadataPath.Root)
            throw MetadataStoreException.For(MetadataStoreErrorCode.NodeExists, path);
        var parentPath = MetadataPath.Parent(path);
        var parent = _tree.Find(parentPath)
            ?? throw new MetadataStoreException(MetadataStoreErrorCode.NoNode, path, $"cannot create {path}: its parent {parentPath} does not exist");
        var actual = mode.IsSequential() ? path + parent.CVersion.ToString("D10", CultureInfo.InvariantCulture) : path;
        if (_tree.Find(actual) is not null)
            throw MetadataStoreException.For(MetadataStoreErrorCode.NodeExists, actual);
        if (parent.EphemeralOwner != 0)
            throw MetadataStoreException.For(MetadataStoreErrorCode.NoChildrenForEphemerals, actual);
        _tree.Apply(txn, LogOp.Create(actual, data.ToArray(), mode.IsEphemeral() ? session.SessionId : 0));
        return (actual, _tree.Find(actual)!.ToStat());
    }

    private static CreateResult ToResult((string Path, Stat Stat) created) => new(created.Path, created.Stat);

    private Stat DoSet(Txn txn, string path, ReadOnlyMemory<byte> data, int expectedVersion)
    {
        CheckDataSize(path, data);
        var node = _tree.Find(path) ?? throw MetadataStoreException.For(MetadataStoreErrorCode.NoNode, path);
        CheckVersion(path, node, expectedVersion);
        _tree.Apply(txn, LogOp.SetData(path, data.ToArray()));
        return node.ToStat();
    }

    private DeleteResult DoDelete(Txn txn, string path, int expectedVersion)
    {
        if (path == MetadataPath.Root)
            throw MetadataStoreException.For(MetadataStoreErrorCode.BadArguments, path, "the root node cannot be deleted");
        var node = _tree.Find(path) ?? throw MetadataStoreException.For(MetadataStoreErrorCode.NoNode, path);
        CheckVersion(path, node, expectedVersion);
        if (node.Children.Count > 0)
            throw MetadataStoreException.For(MetadataStoreErrorCode.NotEmpty, path, $"{node.Children.Count} children");
        _tree.Apply(txn, LogOp.Delete(path));
        return new DeleteResult();
    }

    private CheckResult DoCheck(string path, int version)
    {
        var node = _tree.Find(path) ?? throw MetadataStoreException.For(MetadataStoreErrorCode.NoNode, path);
        CheckVersion(path, node, version);
        return new CheckResult();
    }

    private static void CheckVersion(string path, Node node, int expectedVersion)
    {
        if (expectedVersion != -1 && expectedVersion != node.Version)
            throw MetadataStoreException.For(MetadataStoreErrorCode.BadVersion, path, $"expected version {expectedVersion}, actual {node.Version}");
    }

    private void CheckDataSize(string path, ReadOnlyMemory<byte> data)
    {
        if (data.Length > _options.MaxDataSize)
            throw MetadataStoreException.For(MetadataStoreErrorCode.BadArguments, path,
                $"data of {data.Length} bytes exceeds the limit of {_options.MaxDataSize} bytes");
    }

    private static MetadataStoreException MultiFailure(int count, int failedIndex, MetadataStoreException cause)
    {
        var results = new OpResult[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = new ErrorResult(i < failedIndex ? MetadataStoreErrorCode.Ok
                : i == failedIndex ? cause.Code
                : MetadataStoreErrorCode.RuntimeInconsistency);
        }
        return new MetadataStoreException(cause.Code, cause.Path, $"multi op {failedIndex} failed: {cause.Message}", cause)
        {
            FailedOpIndex = failedIndex,
            Results = results,
        };
    }

    /// <summary>Makes a transaction durable and visible: log append (fsync), zxid advance, watch events, maybe a snapshot.</summary>
    private void Commit(Txn txn)
    {
        if (txn.Ops.Count == 0) return; // only checks: nothing changed
        if (_wal is not null)
        {
            try
            {
                _wal.Append(new LogRecord(txn.Zxid, txn.TimeMs, txn.Ops.ToArray()));
            }
            catch (IOException e)
            {
                txn.Rollback();
                throw new MetadataStoreException(MetadataStoreErrorCode.SystemError, null,
                    $"writing the metadata log {_wal.FilePath} failed; the change was not applied: {e.Message}", e);
            }
        }
        _tree.LastZxid = txn.Zxid;
        FireTriggers(txn);
        if (_wal is not null && (_wal.RecordCount >= _options.SnapshotAfterRecords || _wal.Length >= _options.SnapshotAfterLogBytes))
            WriteSnapshot();
    }

    private void WriteSnapshot()
    {
        try
        {
            SnapshotFile.Write(Path.Combine(_directory!, SnapshotFileName), _tree);
            _wal!.Reset();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The transaction that triggered this is committed; a failed snapshot only delays compaction
            // (and a failed log reset marks the log broken, failing later writes rather than risking them).
            Log.SnapshotFailed(_logger, e);
            return;
        }
        Log.SnapshotWritten(_logger, _tree.LastZxid, _tree.NodeCount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sessions and watches (under _sync)
    // ------------------------------------------------------------------------------------------------------------

    private void OnExpiryTick()
    {
        lock (_sync)
        {
            if (_closed) return;
            try
            {
                ExpireDueSessions();
            }
            catch (Exception e)
            {
                Log.ExpiryCheckFailed(_logger, e);
            }
        }
    }

    private void ExpireDueSessions()
    {
        if (_handles.Count == 0) return;
        var now = _time.GetTimestamp();
        List<EmbeddedSession>? due = null;
        foreach (var s in _handles.Values)
        {
            if (_time.GetElapsedTime(s.LastHeard, now) >= s.SessionTimeout)
                (due ??= []).Add(s);
        }
        if (due is null) return;
        foreach (var s in due.OrderBy(s => s.SessionId))
        {
            Log.SessionExpired(_logger, s.SessionId, (int)s.SessionTimeout.TotalMilliseconds,
                _tree.Sessions.TryGetValue(s.SessionId, out var entry) ? entry.Ephemerals.Count : 0);
            EndSession(s, SessionState.Expired);
        }
    }

    /// <summary>Closes a session in the log (deleting its ephemerals, with events to other sessions) and ends its handle.</summary>
    private void EndSession(EmbeddedSession session, SessionState state)
    {
        RemoveWatches(session);
        _handles.Remove(session.SessionId);
        try
        {
            if (_tree.HasSession(session.SessionId))
            {
                var txn = Begin();
                _tree.Apply(txn, LogOp.CloseSession(session.SessionId));
                Commit(txn);
            }
        }
        finally
        {
            session.End(state);
        }
    }

    private static void AddWatch(Dictionary<string, Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>> map, string path, EmbeddedSession session, Action<WatchEvent> watcher)
    {
        if (!map.TryGetValue(path, out var bySession))
            map[path] = bySession = [];
        if (!bySession.TryGetValue(session, out var watchers))
            bySession[session] = watchers = [];
        watchers.Add(watcher);
    }

    private void RemoveWatches(EmbeddedSession session)
    {
        foreach (var map in new[] { _dataWatches, _childWatches })
        {
            List<string>? empty = null;
            foreach (var (path, bySession) in map)
            {
                if (bySession.Remove(session) && bySession.Count == 0)
                    (empty ??= []).Add(path);
            }
            if (empty is not null)
                foreach (var p in empty) map.Remove(p);
        }
    }

    private void FireTriggers(Txn txn)
    {
        foreach (var (kind, path) in txn.Triggers)
        {
            switch (kind)
            {
                case TriggerKind.Created:
                    Deliver(WatchEventType.NodeCreated, path, Take(_dataWatches, path));
                    Deliver(WatchEventType.NodeChildrenChanged, MetadataPath.Parent(path), Take(_childWatches, MetadataPath.Parent(path)));
                    break;
                case TriggerKind.Deleted:
                    Deliver(WatchEventType.NodeDeleted, path, Merge(Take(_dataWatches, path), Take(_childWatches, path)));
                    Deliver(WatchEventType.NodeChildrenChanged, MetadataPath.Parent(path), Take(_childWatches, MetadataPath.Parent(path)));
                    break;
                case TriggerKind.DataChanged:
                    Deliver(WatchEventType.NodeDataChanged, path, Take(_dataWatches, path));
                    break;
            }
        }
    }

    private static Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>? Take(Dictionary<string, Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>> map, string path) =>
        map.Remove(path, out var bySession) ? bySession : null;

    private static Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>? Merge(
        Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>? a, Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>? b)
    {
        if (a is null) return b;
        if (b is null) return a;
        foreach (var (session, watchers) in b)
        {
            if (a.TryGetValue(session, out var existing)) existing.UnionWith(watchers);
            else a[session] = watchers;
        }
        return a;
    }

    private static void Deliver(WatchEventType type, string path, Dictionary<EmbeddedSession, HashSet<Action<WatchEvent>>>? bySession)
    {
        if (bySession is null) return;
        var e = new WatchEvent(type, path);
        foreach (var (session, watchers) in bySession)
            session.Enqueue(e, watchers.ToArray());
    }
}
