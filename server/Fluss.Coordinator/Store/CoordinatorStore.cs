using Fluss.Errors;
using Fluss.Metadata;
using Fluss.MetadataStore;

namespace Fluss.Coordinator.Store;

/// <summary>What the store holds about one table: registration, schemas by id.</summary>
internal sealed record StoredTable(TablePath Path, TableRegistration Registration, IReadOnlyDictionary<int, Schema> Schemas);

/// <summary>What the store holds about one table's replicas: assignment and leader/ISR per bucket (buckets without a node are absent).</summary>
internal sealed record StoredAssignment(long TableId, TableAssignment Assignment, IReadOnlyDictionary<int, LeaderAndIsr> LeaderAndIsr);

/// <summary>Everything the coordinator loads at start-up.</summary>
internal sealed record StoredState(
    IReadOnlyDictionary<string, DatabaseRegistration> Databases,
    IReadOnlyList<StoredTable> Tables,
    IReadOnlyDictionary<long, StoredAssignment> Assignments);

/// <summary>
/// The coordinator's reads and writes of the metadata store, in Fluss's node layout. Every write is one atomic multi
/// that first checks the coordinator epoch node's version, so a coordinator fenced by a newer one changes nothing.
/// </summary>
internal sealed class CoordinatorStore
{
    /// <summary>Fluss's id of a table's first schema.</summary>
    public const int FirstSchemaId = 1;

    private readonly FlussZkPaths _paths;
    private IMetadataStore _session;
    private int _epochVersion = -1;

    public CoordinatorStore(IMetadataStore session, FlussZkPaths paths)
    {
        _session = session;
        _paths = paths;
    }

    public FlussZkPaths Paths => _paths;

    public IMetadataStore Session => _session;

    /// <summary>Switches to a new session (after the previous one expired).</summary>
    public void ReplaceSession(IMetadataStore session) => _session = session;

    /// <summary>Creates the persistent parents every later multi relies on.</summary>
    public async Task EnsureLayoutAsync(CancellationToken cancellationToken)
    {
        await _session.EnsurePathAsync(_paths.Databases(), cancellationToken).ConfigureAwait(false);
        await _session.EnsurePathAsync(_paths.ServerIds(), cancellationToken).ConfigureAwait(false);
        await _session.EnsurePathAsync(_paths.TableIds(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Becomes the coordinator: adds one to the epoch at <c>/coordinators/epoch</c> (created as -1 when missing, so
    /// the first coordinator has epoch 0) with a version check, and fences later writes on the new version.
    /// </summary>
    public async Task<int> BumpCoordinatorEpochAsync(CancellationToken cancellationToken)
    {
        var path = _paths.CoordinatorEpoch();
        for (var attempt = 0; ; attempt++)
        {
            var current = await _session.TryGetAsync(path, null, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                try
                {
                    await _session.CreateRecursiveAsync(path, CoordinatorEpochNode.Encode(-1), CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
                }
                catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NodeExists)
                {
                    // created concurrently
                }
                continue;
            }
            var epoch = CoordinatorEpochNode.Decode(path, current.Data) + 1;
            try
            {
                var stat = await _session.SetAsync(path, CoordinatorEpochNode.Encode(epoch), current.Stat.Version, cancellationToken).ConfigureAwait(false);
                _epochVersion = stat.Version;
                return epoch;
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.BadVersion && attempt < 3)
            {
                // another coordinator moved the epoch at the same time; read again
            }
        }
    }

    public async Task<StoredState> LoadAsync(CancellationToken cancellationToken)
    {
        var databases = new Dictionary<string, DatabaseRegistration>(StringComparer.Ordinal);
        var tables = new List<StoredTable>();
        foreach (var db in await ChildrenAsync(_paths.Databases(), cancellationToken).ConfigureAwait(false))
        {
            var dbNode = await _session.TryGetAsync(_paths.Database(db), null, cancellationToken).ConfigureAwait(false);
            if (dbNode is null) continue;
            databases[db] = dbNode.Data.Length == 0
                ? new DatabaseRegistration(null, new Dictionary<string, string>(), dbNode.Stat.Ctime, dbNode.Stat.Mtime)
                : Decode(_paths.Database(db), dbNode.Data, d => DatabaseRegistration.FromJson(d));
            foreach (var table in await ChildrenAsync(_paths.Tables(db), cancellationToken).ConfigureAwait(false))
            {
                var tablePath = _paths.Table(db, table);
                var tableNode = await _session.TryGetAsync(tablePath, null, cancellationToken).ConfigureAwait(false);
                if (tableNode is null || tableNode.Data.Length == 0) continue; // a schema without a registration: not a table
                var registration = Decode(tablePath, tableNode.Data, d => TableRegistration.FromJson(d));
                var schemas = new Dictionary<int, Schema>();
                foreach (var id in await ChildrenAsync(_paths.Schemas(db, table), cancellationToken).ConfigureAwait(false))
                {
                    if (!int.TryParse(id, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var schemaId)) continue;
                    var schemaPath = _paths.Schema(db, table, schemaId);
                    var schemaNode = await _session.TryGetAsync(schemaPath, null, cancellationToken).ConfigureAwait(false);
                    if (schemaNode is not null)
                        schemas[schemaId] = Decode(schemaPath, schemaNode.Data, d => Schema.FromJson(d));
                }
                if (schemas.Count == 0)
                    throw new InvalidDataException($"Table {db}.{table} at {tablePath} has no schema under {_paths.Schemas(db, table)}.");
                tables.Add(new StoredTable(new TablePath(db, table), registration, schemas));
            }
        }

        var assignments = new Dictionary<long, StoredAssignment>();
        foreach (var id in await ChildrenAsync(_paths.TableIds(), cancellationToken).ConfigureAwait(false))
        {
            if (!long.TryParse(id, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var tableId)) continue;
            var node = await _session.TryGetAsync(_paths.TableId(tableId), null, cancellationToken).ConfigureAwait(false);
            if (node is null || node.Data.Length == 0) continue;
            var assignment = Decode(_paths.TableId(tableId), node.Data, d => TableAssignment.FromJson(d));
            var leaders = new Dictionary<int, LeaderAndIsr>();
            foreach (var bucket in assignment.Buckets.Keys)
            {
                var lai = _paths.LeaderAndIsr(tableId, null, bucket);
                var laiNode = await _session.TryGetAsync(lai, null, cancellationToken).ConfigureAwait(false);
                if (laiNode is not null)
                    leaders[bucket] = Decode(lai, laiNode.Data, d => LeaderAndIsr.FromJson(d));
            }
            assignments[tableId] = new StoredAssignment(tableId, assignment, leaders);
        }
        return new StoredState(databases, tables, assignments);
    }

    public Task CreateDatabaseAsync(string name, DatabaseRegistration registration, CancellationToken cancellationToken) =>
        MultiAsync(
        [
            MetadataOp.Create(_paths.Database(name), registration.ToJson()),
            MetadataOp.Create(_paths.Tables(name), ReadOnlyMemory<byte>.Empty),
        ], cancellationToken);

    /// <summary>Deletes a database and everything below it (its tables' registrations and schemas) in one multi.</summary>
    public async Task DeleteDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var ops = new List<MetadataOp>();
        await AddDeletesAsync(_paths.Database(name), ops, cancellationToken).ConfigureAwait(false);
        await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a table in one multi: registration, first schema, assignment and each bucket's leader/ISR, so a crash
    /// leaves either the whole table or none of it.
    /// </summary>
    public async Task CreateTableAsync(TablePath path, TableRegistration registration, Schema schema, TableAssignment assignment,
        IReadOnlyDictionary<int, LeaderAndIsr> leaderAndIsr, CancellationToken cancellationToken)
    {
        // A database created by an older layout may lack its "tables" parent; creating it is harmless on its own.
        await _session.EnsurePathAsync(_paths.Tables(path.DatabaseName), cancellationToken).ConfigureAwait(false);
        var tableId = registration.TableId;
        var ops = new List<MetadataOp>
        {
            MetadataOp.Create(_paths.Table(path.DatabaseName, path.TableName), registration.ToJson()),
            MetadataOp.Create(_paths.Schemas(path.DatabaseName, path.TableName), ReadOnlyMemory<byte>.Empty),
            MetadataOp.Create(_paths.Schema(path.DatabaseName, path.TableName, FirstSchemaId), schema.ToJsonBytes()),
            MetadataOp.Create(_paths.TableId(tableId), assignment.ToJson()),
            MetadataOp.Create(_paths.Buckets(tableId), ReadOnlyMemory<byte>.Empty),
        };
        foreach (var bucket in assignment.Buckets.Keys)
        {
            ops.Add(MetadataOp.Create(_paths.Bucket(tableId, null, bucket), ReadOnlyMemory<byte>.Empty));
            if (leaderAndIsr.TryGetValue(bucket, out var lai))
                ops.Add(MetadataOp.Create(_paths.LeaderAndIsr(tableId, null, bucket), lai.ToJson()));
        }
        await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a table from the namespace (registration and schemas); its assignment stays until its replicas are deleted.</summary>
    public async Task DeleteTableRegistrationAsync(TablePath path, CancellationToken cancellationToken)
    {
        var ops = new List<MetadataOp>();
        await AddDeletesAsync(_paths.Table(path.DatabaseName, path.TableName), ops, cancellationToken).ConfigureAwait(false);
        if (ops.Count > 0)
            await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a table's assignment subtree (the last step of dropping a table).</summary>
    public async Task DeleteTableAssignmentAsync(long tableId, CancellationToken cancellationToken)
    {
        var ops = new List<MetadataOp>();
        await AddDeletesAsync(_paths.TableId(tableId), ops, cancellationToken).ConfigureAwait(false);
        if (ops.Count > 0)
            await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes new leader/ISR of buckets (creating nodes that do not exist yet) in one multi.</summary>
    public async Task WriteLeaderAndIsrAsync(IReadOnlyCollection<(TableBucket Bucket, LeaderAndIsr Value, bool Exists)> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0) return;
        var ops = new List<MetadataOp>(changes.Count);
        foreach (var (bucket, value, exists) in changes)
        {
            var path = _paths.LeaderAndIsr(bucket.TableId, bucket.PartitionId, bucket.Bucket);
            ops.Add(exists ? MetadataOp.Set(path, value.ToJson()) : MetadataOp.Create(path, value.ToJson()));
        }
        await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a table's registration (ALTER TABLE: new properties and modified time).</summary>
    public Task UpdateTableRegistrationAsync(TablePath path, TableRegistration registration, CancellationToken cancellationToken) =>
        MultiAsync([MetadataOp.Set(_paths.Table(path.DatabaseName, path.TableName), registration.ToJson())], cancellationToken);

    /// <summary>The lake table node of a table (<c>/tabletservers/tables/{id}/laketable</c>) with its stat, or null.</summary>
    public Task<NodeData?> TryGetLakeTableAsync(long tableId, CancellationToken cancellationToken) =>
        _session.TryGetAsync(_paths.LakeTable(tableId), null, cancellationToken);

    /// <summary>Writes a table's lake table node (created on the first lake snapshot).</summary>
    public async Task WriteLakeTableAsync(long tableId, LakeTableNode node, CancellationToken cancellationToken)
    {
        var path = _paths.LakeTable(tableId);
        var data = node.ToJson();
        var exists = await _session.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false) is not null;
        await MultiAsync([exists ? MetadataOp.Set(path, data) : MetadataOp.Create(path, data)], cancellationToken).ConfigureAwait(false);
    }

    public Task<long> NextTableIdAsync(CancellationToken cancellationToken) =>
        new SequenceIdCounter(_session, _paths.TableSequenceId()).GetAndIncrementAsync(cancellationToken);

    public Task<long> NextWriterIdAsync(CancellationToken cancellationToken) =>
        new SequenceIdCounter(_session, _paths.WriterId()).GetAndIncrementAsync(cancellationToken);

    private async Task MultiAsync(List<MetadataOp> ops, CancellationToken cancellationToken)
    {
        ops.Insert(0, MetadataOp.Check(_paths.CoordinatorEpoch(), _epochVersion));
        try
        {
            await _session.MultiAsync(ops, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataStoreException e) when (e.FailedOpIndex == 0 && e.Code is MetadataStoreErrorCode.BadVersion or MetadataStoreErrorCode.NoNode)
        {
            throw new FlussException(FlussErrorCode.NotCoordinatorLeader,
                "This coordinator was fenced: a newer coordinator has taken over (the coordinator epoch moved on); the change was not applied.", e);
        }
    }

    private async Task AddDeletesAsync(string path, List<MetadataOp> ops, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            children = await _session.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
        {
            return;
        }
        foreach (var child in children)
            await AddDeletesAsync(MetadataPath.Combine(path, child), ops, cancellationToken).ConfigureAwait(false);
        ops.Add(MetadataOp.Delete(path));
    }

    private async Task<IReadOnlyList<string>> ChildrenAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _session.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
        {
            return [];
        }
    }

    private static T Decode<T>(string path, byte[] data, Func<byte[], T> decode)
    {
        try
        {
            return decode(data);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or FlussException or ArgumentException)
        {
            throw new InvalidDataException($"The metadata node {path} cannot be read: {e.Message}", e);
        }
    }
}
