using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Google.Protobuf;

namespace Fluss.Client;

/// <summary>
/// Databases, tables and offsets. Calls go to the coordinator (offsets to the bucket leaders) and fail with the typed
/// <see cref="FlussException"/> the server reported, or NETWORK when the coordinator cannot be reached within the
/// request timeout. Read-only calls are retried after network errors; writes only when they were never sent.
/// </summary>
public sealed class FlussAdmin
{
    private readonly ClientContext _context;

    internal FlussAdmin(ClientContext context) => _context = context;

    /// <exception cref="DatabaseAlreadyExistException">The database exists and <paramref name="ignoreIfExists"/> is false.</exception>
    public async Task CreateDatabaseAsync(string name, DatabaseDescriptor? descriptor = null, bool ignoreIfExists = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var request = new CreateDatabaseRequest { DatabaseName = name, IgnoreIfExists = ignoreIfExists };
        if (descriptor is not null) request.DatabaseJson = ByteString.CopyFrom(descriptor.ToJsonBytes());
        await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).CreateDatabaseAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="DatabaseNotExistException">The database does not exist and <paramref name="ignoreIfNotExists"/> is false.</exception>
    /// <exception cref="DatabaseNotEmptyException">The database has tables and <paramref name="cascade"/> is false.</exception>
    public async Task DropDatabaseAsync(string name, bool ignoreIfNotExists = false, bool cascade = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var request = new DropDatabaseRequest { DatabaseName = name, IgnoreIfNotExists = ignoreIfNotExists, Cascade = cascade };
        await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).DropDatabaseAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
        foreach (var path in _context.Metadata.Cluster.Tables.Keys.Where(p => p.DatabaseName == name).ToList())
            _context.Metadata.RemoveTable(path);
    }

    public async Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).ListDatabasesAsync(new ListDatabasesRequest(), o), idempotent: true, cancellationToken).ConfigureAwait(false);
        return response.DatabaseName.ToArray();
    }

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).DatabaseExistsAsync(new DatabaseExistsRequest { DatabaseName = name }, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        return response.Exists;
    }

    /// <exception cref="DatabaseNotExistException">The database does not exist.</exception>
    public async Task<DatabaseInfo> GetDatabaseInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).GetDatabaseInfoAsync(new GetDatabaseInfoRequest { DatabaseName = name }, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        var descriptor = response.DatabaseJson.IsEmpty ? DatabaseDescriptor.Empty : DatabaseDescriptor.FromJson(response.DatabaseJson.Span);
        return new DatabaseInfo(name, descriptor, response.CreatedTime, response.ModifiedTime);
    }

    /// <exception cref="TableAlreadyExistException">The table exists and <paramref name="ignoreIfExists"/> is false.</exception>
    /// <exception cref="DatabaseNotExistException">The database does not exist.</exception>
    /// <exception cref="InvalidTableException">The descriptor is invalid (the message says why).</exception>
    public async Task CreateTableAsync(TablePath path, TableDescriptor descriptor, bool ignoreIfExists = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(descriptor);
        var request = new CreateTableRequest { TablePath = ToProto(path), TableJson = ByteString.CopyFrom(descriptor.ToJsonBytes()), IgnoreIfExists = ignoreIfExists };
        await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).CreateTableAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
        _context.Metadata.RemoveTable(path);
    }

    /// <exception cref="TableNotExistException">The table does not exist and <paramref name="ignoreIfNotExists"/> is false.</exception>
    public async Task DropTableAsync(TablePath path, bool ignoreIfNotExists = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var request = new DropTableRequest { TablePath = ToProto(path), IgnoreIfNotExists = ignoreIfNotExists };
        await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).DropTableAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
        _context.Metadata.RemoveTable(path);
    }

    /// <exception cref="DatabaseNotExistException">The database does not exist.</exception>
    public async Task<IReadOnlyList<string>> ListTablesAsync(string database, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).ListTablesAsync(new ListTablesRequest { DatabaseName = database }, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        return response.TableName.ToArray();
    }

    public async Task<bool> TableExistsAsync(TablePath path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).TableExistsAsync(new TableExistsRequest { TablePath = ToProto(path) }, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        return response.Exists;
    }

    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    public async Task<TableInfo> GetTableInfoAsync(TablePath path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).GetTableInfoAsync(new GetTableInfoRequest { TablePath = ToProto(path) }, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        var descriptor = TableDescriptor.FromJson(response.TableJson.Span);
        return TableInfo.Of(path, response.TableId, response.SchemaId, descriptor, response.HasRemoteDataDir ? response.RemoteDataDir : null, response.CreatedTime, response.ModifiedTime);
    }

    /// <summary>The latest schema of the table, or the version <paramref name="schemaId"/>.</summary>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    /// <exception cref="FlussException">SCHEMA_NOT_EXIST for an unknown schema id.</exception>
    public async Task<SchemaInfo> GetTableSchemaAsync(TablePath path, int? schemaId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var request = new GetTableSchemaRequest { TablePath = ToProto(path) };
        if (schemaId is { } id) request.SchemaId = id;
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.ReadOnly(s).GetTableSchemaAsync(request, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        return new SchemaInfo(response.SchemaId, Schema.FromJson(response.SchemaJson.Span));
    }

    /// <summary>An offset of each of <paramref name="buckets"/>, asked from the bucket leaders.</summary>
    /// <returns>Bucket id to offset.</returns>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bucket id is not a bucket of the table.</exception>
    public async Task<IReadOnlyDictionary<int, long>> ListOffsetsAsync(
        TablePath path, IReadOnlyCollection<int> buckets, OffsetSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(spec);
        return await _context.ListOffsetsAsync(path, buckets, spec.OffsetType, spec.StartTimestamp, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes table options (the alterable ones: <c>table.datalake.enabled</c>, <c>table.datalake.freshness</c>,
    /// <c>table.log.ttl</c>, ...). Enabling the datalake creates the table's lake table and schedules it for tiering.
    /// </summary>
    /// <exception cref="TableNotExistException">The table does not exist and <paramref name="ignoreIfNotExists"/> is false.</exception>
    /// <exception cref="InvalidAlterTableException">An option may not be altered (the message names it).</exception>
    /// <exception cref="InvalidConfigException">A value is invalid (the message names the key).</exception>
    /// <exception cref="LakeStorageNotConfiguredException">The datalake is enabled on a cluster without lake storage.</exception>
    public async Task AlterTableAsync(TablePath path, IReadOnlyList<TableChange> changes, bool ignoreIfNotExists = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(changes);
        var request = new AlterTableRequest { TablePath = ToProto(path), IgnoreIfNotExists = ignoreIfNotExists };
        foreach (var change in changes)
        {
            request.ConfigChanges.Add(change switch
            {
                TableChange.SetOption set => new PbAlterConfig { ConfigKey = set.Key, ConfigValue = set.Value, OpType = 0 },
                TableChange.ResetOption reset => new PbAlterConfig { ConfigKey = reset.Key, OpType = 1 },
                null => throw new ArgumentException("A table change is null.", nameof(changes)),
                _ => throw new ArgumentException($"Unknown table change {change.GetType().Name}.", nameof(changes)),
            });
        }
        await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).AlterTableAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
        _context.Metadata.RemoveTable(path);
    }

    /// <summary>The latest lake snapshot the tiering service committed for the table.</summary>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    /// <exception cref="LakeTableSnapshotNotExistException">The table has no lake snapshot yet (or is not a lake table).</exception>
    public async Task<LakeSnapshot> GetLakeSnapshotAsync(TablePath path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var request = new GetLakeSnapshotRequest { TablePath = ToProto(path) };
        var response = await _context.CallCoordinatorAsync(
            (s, o) => _context.Channels.Coordinator(s).GetLakeSnapshotAsync(request, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        var offsets = new Dictionary<int, long>();
        foreach (var bucket in response.BucketSnapshots)
        {
            if (!bucket.HasPartitionId && bucket.HasLogOffset) offsets[bucket.BucketId] = bucket.LogOffset;
        }
        return new LakeSnapshot(response.TableId, response.SnapshotId, offsets,
            response.HasCommitTimestamp ? DateTimeOffset.FromUnixTimeMilliseconds(response.CommitTimestamp) : null);
    }

    /// <summary>The coordinator and the live tablet servers, as the coordinator reports them now.</summary>
    public async Task<IReadOnlyList<ServerInfo>> GetServerNodesAsync(CancellationToken cancellationToken = default)
    {
        await _context.Metadata.RefreshServersAsync(null, cancellationToken).ConfigureAwait(false);
        var cluster = _context.Metadata.Cluster;
        var nodes = new List<ServerInfo>();
        if (cluster.Coordinator is { } c) nodes.Add(new ServerInfo(c.Id, c.Host, c.Port, IsCoordinator: true));
        nodes.AddRange(cluster.TabletServers.Values.OrderBy(n => n.Id).Select(n => new ServerInfo(n.Id, n.Host, n.Port, IsCoordinator: false)));
        return nodes;
    }

    internal static PbTablePath ToProto(TablePath path) => new() { DatabaseName = path.DatabaseName, TableName = path.TableName };
}
