namespace Fluss.MetadataStore.Embedded;

/// <summary>A node of the embedded tree. Mutated only under the store's lock.</summary>
internal sealed class Node
{
    public required byte[] Data;
    public long Czxid;
    public long Mzxid;
    public long Pzxid;
    public long Ctime;
    public long Mtime;
    public int Version;
    public int CVersion;
    public long EphemeralOwner;
    public readonly SortedSet<string> Children = new(StringComparer.Ordinal);

    public Stat ToStat() => new(Czxid, Mzxid, Pzxid, Ctime, Mtime, Version, CVersion, EphemeralOwner, Data.Length, Children.Count);
}

/// <summary>A session as the tree records it (durable part: id, timeout and owned ephemeral paths).</summary>
internal sealed class SessionEntry(long id, int timeoutMs)
{
    public long Id { get; } = id;
    public int TimeoutMs { get; } = timeoutMs;
    public SortedSet<string> Ephemerals { get; } = new(StringComparer.Ordinal);
}

internal enum LogOpKind : byte
{
    Create = 1,
    Delete = 2,
    SetData = 3,
    CreateSession = 4,
    CloseSession = 5,
}

/// <summary>One resolved change as it is logged: sequential names are already assigned, versions already checked.</summary>
internal readonly record struct LogOp(LogOpKind Kind, string Path, byte[] Data, long SessionId, int TimeoutMs)
{
    public static LogOp Create(string path, byte[] data, long ephemeralOwner) => new(LogOpKind.Create, path, data, ephemeralOwner, 0);
    public static LogOp Delete(string path) => new(LogOpKind.Delete, path, [], 0, 0);
    public static LogOp SetData(string path, byte[] data) => new(LogOpKind.SetData, path, data, 0, 0);
    public static LogOp CreateSession(long sessionId, int timeoutMs) => new(LogOpKind.CreateSession, "", [], sessionId, timeoutMs);
    public static LogOp CloseSession(long sessionId) => new(LogOpKind.CloseSession, "", [], sessionId, 0);
}

/// <summary>One committed transaction as it is logged: every op of it shares the zxid and time.</summary>
internal sealed record LogRecord(long Zxid, long TimeMs, IReadOnlyList<LogOp> Ops);

internal enum TriggerKind : byte
{
    Created,
    Deleted,
    DataChanged,
}

/// <summary>A transaction being applied: undo actions (to roll back on failure), watch triggers and logged ops.</summary>
internal sealed class Txn(long zxid, long timeMs)
{
    public long Zxid { get; } = zxid;
    public long TimeMs { get; } = timeMs;
    public List<Action> Undo { get; } = [];
    public List<(TriggerKind Kind, string Path)> Triggers { get; } = [];
    public List<LogOp> Ops { get; } = [];

    public void Rollback()
    {
        for (var i = Undo.Count - 1; i >= 0; i--)
            Undo[i]();
        Undo.Clear();
        Triggers.Clear();
        Ops.Clear();
    }
}

/// <summary>
/// The state machine of the embedded store: nodes, sessions and the last zxid. <see cref="Apply"/> applies one
/// resolved op (from a request that was validated, or from the log on recovery); it never validates requests.
/// Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class DataTree
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SessionEntry> _sessions = [];

    public DataTree()
    {
        _nodes[MetadataPath.Root] = new Node { Data = [] };
    }

    public long LastZxid { get; set; }

    public long NextSessionId { get; set; } = 1;

    public int NodeCount => _nodes.Count;

    public IReadOnlyDictionary<long, SessionEntry> Sessions => _sessions;

    public Node? Find(string path) => _nodes.GetValueOrDefault(path);

    public bool HasSession(long id) => _sessions.ContainsKey(id);

    /// <summary>All nodes in ordinal path order (parents before children), for snapshots.</summary>
    public IEnumerable<KeyValuePair<string, Node>> NodesInPathOrder() => _nodes.OrderBy(kv => kv.Key, StringComparer.Ordinal);

    /// <summary>Adds a node read from a snapshot; its parent must already be there.</summary>
    public void LoadNode(string path, Node node)
    {
        if (path == MetadataPath.Root)
        {
            _nodes[path] = node;
            return;
        }
        var parent = Find(MetadataPath.Parent(path)) ?? throw new InvalidDataException($"snapshot lists {path} before its parent");
        if (!_nodes.TryAdd(path, node))
            throw new InvalidDataException($"snapshot lists {path} twice");
        parent.Children.Add(MetadataPath.Name(path));
    }

    /// <summary>Adds a session read from a snapshot, with the ephemerals already loaded that it owns.</summary>
    public void LoadSession(SessionEntry session) => _sessions[session.Id] = session;

    /// <summary>Links every loaded ephemeral node to its session; a node whose session is unknown is corrupt state.</summary>
    public void LinkEphemerals()
    {
        foreach (var (path, node) in _nodes)
        {
            if (node.EphemeralOwner == 0) continue;
            if (!_sessions.TryGetValue(node.EphemeralOwner, out var s))
                throw new InvalidDataException($"ephemeral node {path} belongs to unknown session 0x{node.EphemeralOwner:x}");
            s.Ephemerals.Add(path);
        }
    }

    public void Apply(Txn txn, LogOp op)
    {
        if ((op.Kind is LogOpKind.Create or LogOpKind.Delete or LogOpKind.SetData)
            && (!MetadataPath.IsValid(op.Path) || (op.Kind != LogOpKind.SetData && op.Path == MetadataPath.Root)))
            throw new InvalidDataException($"cannot apply {op.Kind} of '{op.Path}': not a valid path for it");
        switch (op.Kind)
        {
            case LogOpKind.Create: CreateNode(txn, op.Path, op.Data, op.SessionId); break;
            case LogOpKind.Delete: DeleteNode(txn, op.Path); break;
            case LogOpKind.SetData: SetData(txn, op.Path, op.Data); break;
            case LogOpKind.CreateSession: CreateSession(txn, op.SessionId, op.TimeoutMs); break;
            case LogOpKind.CloseSession: CloseSession(txn, op.SessionId); break;
            default: throw new InvalidDataException($"unknown log op kind {(byte)op.Kind}");
        }
        txn.Ops.Add(op);
    }

    private void CreateNode(Txn txn, string path, byte[] data, long owner)
    {
        var parentPath = MetadataPath.Parent(path);
        var parent = Find(parentPath) ?? throw new InvalidDataException($"cannot apply create of {path}: parent missing");
        if (_nodes.ContainsKey(path))
            throw new InvalidDataException($"cannot apply create of {path}: node exists");
        SessionEntry? session = null;
        if (owner != 0 && !_sessions.TryGetValue(owner, out session))
            throw new InvalidDataException($"cannot apply create of ephemeral {path}: session 0x{owner:x} unknown");

        var name = MetadataPath.Name(path);
        var node = new Node
        {
            Data = data,
            Czxid = txn.Zxid,
            Mzxid = txn.Zxid,
            Pzxid = txn.Zxid,
            Ctime = txn.TimeMs,
            Mtime = txn.TimeMs,
            EphemeralOwner = owner,
        };
        var (oldCVersion, oldPzxid) = (parent.CVersion, parent.Pzxid);
        _nodes.Add(path, node);
        parent.Children.Add(name);
        parent.CVersion++;
        parent.Pzxid = txn.Zxid;
        session?.Ephemerals.Add(path);
        txn.Undo.Add(() =>
        {
            session?.Ephemerals.Remove(path);
            parent.CVersion = oldCVersion;
            parent.Pzxid = oldPzxid;
            parent.Children.Remove(name);
            _nodes.Remove(path);
        });
        txn.Triggers.Add((TriggerKind.Created, path));
    }

    private void DeleteNode(Txn txn, string path)
    {
        var node = Find(path) ?? throw new InvalidDataException($"cannot apply delete of {path}: node missing");
        if (node.Children.Count > 0)
            throw new InvalidDataException($"cannot apply delete of {path}: node has children");
        var parent = Find(MetadataPath.Parent(path))!;
        var name = MetadataPath.Name(path);
        var oldPzxid = parent.Pzxid;
        _nodes.Remove(path);
        parent.Children.Remove(name);
        if (txn.Zxid > parent.Pzxid) parent.Pzxid = txn.Zxid;
        SessionEntry? session = null;
        if (node.EphemeralOwner != 0 && _sessions.TryGetValue(node.EphemeralOwner, out session))
            session.Ephemerals.Remove(path);
        txn.Undo.Add(() =>
        {
            session?.Ephemerals.Add(path);
            parent.Pzxid = oldPzxid;
            parent.Children.Add(name);
            _nodes.Add(path, node);
        });
        txn.Triggers.Add((TriggerKind.Deleted, path));
    }

    private void SetData(Txn txn, string path, byte[] data)
    {
        var node = Find(path) ?? throw new InvalidDataException($"cannot apply set of {path}: node missing");
        var (oldData, oldVersion, oldMzxid, oldMtime) = (node.Data, node.Version, node.Mzxid, node.Mtime);
        node.Data = data;
        node.Version = unchecked(node.Version + 1);
        node.Mzxid = txn.Zxid;
        node.Mtime = txn.TimeMs;
        txn.Undo.Add(() =>
        {
            node.Data = oldData;
            node.Version = oldVersion;
            node.Mzxid = oldMzxid;
            node.Mtime = oldMtime;
        });
        txn.Triggers.Add((TriggerKind.DataChanged, path));
    }

    private void CreateSession(Txn txn, long id, int timeoutMs)
    {
        if (!_sessions.TryAdd(id, new SessionEntry(id, timeoutMs)))
            throw new InvalidDataException($"cannot apply create of session 0x{id:x}: it exists");
        var oldNext = NextSessionId;
        if (id >= NextSessionId) NextSessionId = id + 1;
        txn.Undo.Add(() =>
        {
            _sessions.Remove(id);
            NextSessionId = oldNext;
        });
    }

    private void CloseSession(Txn txn, long id)
    {
        if (!_sessions.TryGetValue(id, out var session))
            throw new InvalidDataException($"cannot apply close of session 0x{id:x}: it does not exist");
        foreach (var path in session.Ephemerals.ToArray())
            DeleteNode(txn, path);
        _sessions.Remove(id);
        txn.Undo.Add(() => _sessions.Add(id, session));
    }
}
