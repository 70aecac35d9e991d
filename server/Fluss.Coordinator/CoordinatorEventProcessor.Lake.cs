using System.Globalization;
using Fluss.Config;
using Fluss.Coordinator.Lake;
using Fluss.Coordinator.Store;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;

namespace Fluss.Coordinator;

/// <summary>
/// Lake tables: creating them in the lake, ALTER TABLE, the tiering services' heartbeats and the two-phase lake
/// snapshot commit (PrepareLakeTableSnapshot writes the offsets file, CommitLakeTableSnapshot records the snapshot).
/// Lake and remote-storage I/O runs off the loop; the loop checks and applies the changes.
/// </summary>
internal sealed partial class CoordinatorEventProcessor
{
    /// <summary>The cluster option naming the Paimon warehouse, quoted in messages.</summary>
    private const string PaimonWarehouseKey = "datalake.paimon.warehouse";

    // ------------------------------------------------------------------------------------------------------------
    // Creating and altering tables
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Creates a table; a lake table (<c>table.datalake.enabled</c>) gets its table in the lake first, off the loop,
    /// so a lake failure leaves no Fluss table behind.
    /// </summary>
    public async Task CreateTableRequestAsync(TablePath path, TableDescriptor descriptor, bool ignoreIfExists, CancellationToken ct)
    {
        if (!descriptor.TableConfig.IsDataLakeEnabled)
        {
            await InvokeAsync(new CreateTableEvent(path, descriptor, ignoreIfExists), ct).ConfigureAwait(false);
            return;
        }
        var prepared = await InvokeAsync(new PrepareCreateTableEvent(path, descriptor, ignoreIfExists), ct).ConfigureAwait(false);
        if (prepared is null) return;
        await CreateLakeTableAsync(path, prepared, ct).ConfigureAwait(false);
        await InvokeAsync(new CreateTableEvent(path, descriptor, ignoreIfExists, lakeTableReady: true), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// ALTER TABLE of options: checked on the loop, the lake table created off the loop when the datalake is being
    /// enabled, then applied on the loop (planned again if the table changed meanwhile).
    /// </summary>
    public async Task AlterTableRequestAsync(TablePath path, IReadOnlyList<TableOptionChange> changes, bool ignoreIfNotExists, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var plan = await InvokeAsync(new PlanAlterTableEvent(path, changes, ignoreIfNotExists), ct).ConfigureAwait(false);
            if (plan is null) return;
            if (plan.EnablesLake)
                await CreateLakeTableAsync(path, plan.NewDescriptor, ct).ConfigureAwait(false);
            if (await InvokeAsync(new AlterTableEvent(plan), ct).ConfigureAwait(false)) return;
            if (attempt == 5)
                throw new InvalidAlterTableException($"Table {path} was changed by other requests while it was being altered; retry the alteration.");
        }
    }

    private async Task CreateLakeTableAsync(TablePath path, TableDescriptor descriptor, CancellationToken ct)
    {
        var lake = _lake ?? throw LakeNotConfigured($"Cannot create the lake table of {path}");
        try
        {
            await lake.CreateTableAsync(path, descriptor, ct).ConfigureAwait(false);
        }
        catch (FlussException)
        {
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LakeStorageNotConfiguredException(
                $"Cannot create the lake table of {path} in the {lake.Format} warehouse '{lake.Warehouse}': {e.Message} Check that the warehouse is writable.");
        }
        catch (Exception e)
        {
            throw new FlussException(FlussErrorCode.UnknownServerError,
                $"Cannot create the lake table of {path} in the {lake.Format} warehouse '{lake.Warehouse}': {e.GetType().Name}: {e.Message}", e);
        }
    }

    private static LakeStorageNotConfiguredException LakeNotConfigured(string what) =>
        new($"{what}: the cluster has no lake storage. Start the coordinator with '{ConfigOptions.DataLakeFormatOption.Key}' = paimon and "
            + $"'{PaimonWarehouseKey}' = the warehouse directory, or leave '{ConfigOptions.TableDataLakeEnabled.Key}' unset.");

    /// <summary>Checks an ALTER TABLE against the current table (Fluss's rules); null when nothing changes.</summary>
    private AlterTablePlan? PlanAlterTable(PlanAlterTableEvent e)
    {
        if (!_context.Tables.TryGetValue(e.Path, out var table))
        {
            if (e.IgnoreIfNotExists) return null;
            throw new TableNotExistException($"Table {e.Path} does not exist.");
        }
        if (e.Changes.Count == 0) return null;
        var alterable = ConfigOptions.AlterableTableOptions;
        foreach (var change in e.Changes)
        {
            if (!alterable.Contains(change.Key))
                throw new InvalidAlterTableException(
                    $"'{change.Key}' cannot be altered on table {e.Path}; the alterable table options are: {string.Join(", ", alterable)}.");
        }
        var keys = e.Changes.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var info = table.Info;
        if (keys.Contains(ConfigOptions.TableKvStandbyReplicaEnabled.Key) && !info.HasPrimaryKey)
            throw new InvalidAlterTableException($"'{ConfigOptions.TableKvStandbyReplicaEnabled.Key}' can only be altered on primary key tables; {e.Path} is a log table.");
        var current = info.TableConfig;
        if (current.DataLakeFormat is null)
        {
            var lakeKeys = keys.Where(k => k.StartsWith("table.datalake.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            // A log table without bucket keys distributes rows the same way whatever the lake format: it may join the lake.
            var logTableWithoutBucketKey = !info.HasPrimaryKey && !info.HasBucketKey && lakeKeys.All(k => k == ConfigOptions.TableDataLakeEnabled.Key);
            if (lakeKeys.Count > 0 && !logTableWithoutBucketKey)
                throw new InvalidAlterTableException(
                    $"The options {string.Join(", ", lakeKeys.Select(k => "'" + k + "'"))} cannot be altered on table {e.Path}: it was created before the cluster "
                    + $"had a lake format ('{ConfigOptions.TableDataLakeFormat.Key}' is not set), so its buckets do not follow the lake's bucketing.");
        }

        var properties = new OrderedDictionary<string, string>(table.Registration.Properties, StringComparer.Ordinal);
        foreach (var change in e.Changes)
        {
            if (change.Value is null) properties.Remove(change.Key);
            else properties[change.Key] = change.Value;
        }
        if (properties.Count == table.Registration.Properties.Count
            && properties.All(kv => table.Registration.Properties.TryGetValue(kv.Key, out var v) && v == kv.Value))
            return null;

        var newConfig = TableConfig.FromProperties(properties);
        newConfig.Validate();
        var wasLake = current.IsDataLakeEnabled;
        var isLake = newConfig.IsDataLakeEnabled;
        var enables = !wasLake && isLake;
        if (enables)
        {
            if (_lake is null) throw LakeNotConfigured($"Cannot enable '{ConfigOptions.TableDataLakeEnabled.Key}' on table {e.Path}");
            if (!_settings.DataLakeEnabled || _settings.DataLakeFormat is not { } clusterFormat)
                throw new InvalidAlterTableException(
                    $"Cannot enable '{ConfigOptions.TableDataLakeEnabled.Key}' on table {e.Path}: the cluster does not enable datalake tables ('{ConfigOptions.DataLakeEnabled.Key}').");
            if (newConfig.DataLakeFormat is null)
                properties[ConfigOptions.TableDataLakeFormat.Key] = FlussEnums.Name(clusterFormat);
        }
        var descriptor = info.ToTableDescriptor().WithProperties(properties);
        TableDescriptorValidation.Validate(descriptor, _settings.MaxBucketNum, _settings.DataLakeFormat);
        var summary = string.Join(", ", e.Changes.Select(c => c.Value is null ? $"reset {c.Key}" : $"{c.Key}={c.Value}"));
        return new AlterTablePlan(table, descriptor, enables, wasLake && !isLake, summary);
    }

    /// <summary>
    /// Applies a planned ALTER TABLE: the registration is rewritten (new properties, modified time), the tablet servers
    /// get the new table info through UpdateMetadata, and the table joins, leaves or is rescheduled in lake tiering.
    /// </summary>
    private async Task<bool> AlterTableAsync(AlterTablePlan plan, CancellationToken ct)
    {
        if (!_context.Tables.TryGetValue(plan.Table.Path, out var current) || !ReferenceEquals(current, plan.Table))
            return false;
        var registration = current.Registration with
        {
            Properties = new OrderedDictionary<string, string>(plan.NewDescriptor.Properties, StringComparer.Ordinal),
            ModifiedTime = NowMs(),
        };
        await _store.UpdateTableRegistrationAsync(current.Path, registration, ct).ConfigureAwait(false);
        var updated = new TableState(current.Path, registration, current.Schemas, current.Assignment);
        foreach (var (bucket, lai) in current.Leaders)
            updated.Leaders[bucket] = lai;
        _context.AddTable(updated);
        Log.TableAltered(_logger, updated.Path, updated.TableId, plan.Summary);
        foreach (var server in _context.LiveServers.Keys)
            SendUpdateMetadata(server, [updated]);

        var config = updated.Info.TableConfig;
        if (plan.EnablesLake)
            _tiering.AddNewLakeTable(updated.TableId, updated.Path, config.DataLakeFreshness);
        else if (plan.DisablesLake)
            _tiering.RemoveLakeTable(updated.TableId);
        else if (config.IsDataLakeEnabled)
            _tiering.UpdateFreshness(updated.TableId, config.DataLakeFreshness);
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Tiering service heartbeats
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// A tiering service reports failed, running and finished tables (each refused on its own with an error when
    /// its coordinator epoch or tiering epoch is stale) and may ask for the next table to tier.
    /// </summary>
    public LakeTieringHeartbeatResponse LakeTieringHeartbeat(LakeTieringHeartbeatRequest request)
    {
        var epoch = CoordinatorEpoch;
        var response = new LakeTieringHeartbeatResponse { CoordinatorEpoch = epoch };
        foreach (var failed in request.FailedTables)
            response.FailedTableResp.Add(HeartbeatEntry(failed, epoch, t => _tiering.ReportFailure(t.TableId, t.TieringEpoch)));
        foreach (var tiering in request.TieringTables)
            response.TieringTableResp.Add(HeartbeatEntry(tiering, epoch, t => _tiering.RenewHeartbeat(t.TableId, t.TieringEpoch)));
        var forced = request.ForceFinishedTables.ToHashSet();
        foreach (var finished in request.FinishedTables)
        {
            response.FinishedTableResp.Add(HeartbeatEntry(finished, epoch, t =>
            {
                var stats = t.LakeTieringStats is { } s
                    ? new TieringStats(s.HasFileSize ? s.FileSize : null, s.HasRecordCount ? s.RecordCount : null)
                    : null;
                _tiering.FinishTiering(t.TableId, t.TieringEpoch, forced.Contains(t.TableId), stats);
            }));
        }
        if (request.HasRequestTable && request.RequestTable && _tiering.RequestTable() is { } assignment)
        {
            response.TieringTable = new PbLakeTieringTableInfo
            {
                TableId = assignment.TableId,
                TablePath = RpcMessages.ToPb(assignment.Path),
                TieringEpoch = assignment.TieringEpoch,
            };
        }
        return response;
    }

    private static PbHeartbeatRespForTable HeartbeatEntry(PbHeartbeatReqForTable table, int coordinatorEpoch, Action<PbHeartbeatReqForTable> apply)
    {
        var response = new PbHeartbeatRespForTable { TableId = table.TableId };
        try
        {
            if (table.CoordinatorEpoch != coordinatorEpoch)
                throw new FlussException(FlussErrorCode.InvalidCoordinator,
                    $"The coordinator epoch {table.CoordinatorEpoch} of the heartbeat of table {table.TableId} is not the current coordinator epoch {coordinatorEpoch}; "
                    + "the table was handed out by an earlier coordinator: abandon the round.");
            apply(table);
        }
        catch (FlussException e)
        {
            response.Error = ToErrorResponse(e);
        }
        return response;
    }

    private static ErrorResponse ToErrorResponse(FlussException e) => new() { ErrorCode = (int)e.ErrorCode, ErrorMessage = e.Message };

    // ------------------------------------------------------------------------------------------------------------
    // Lake snapshots
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Phase 1 of a tiering commit, per table: checks the round, merges the tiered offsets with the committed ones
    /// (unless told to replace them), writes them as an offsets file under <c>remote.data.dir</c> and returns its path.
    /// </summary>
    public async Task<PrepareLakeTableSnapshotResponse> PrepareLakeTableSnapshotAsync(PrepareLakeTableSnapshotRequest request, CancellationToken ct)
    {
        var ignorePrevious = request.HasIgnorePreviousTableOffsets && request.IgnorePreviousTableOffsets;
        var response = new PrepareLakeTableSnapshotResponse();
        foreach (var table in request.BucketOffsets)
        {
            var entry = new PbPrepareLakeTableRespForTable { TableId = table.TableId };
            try
            {
                entry.LakeTableOffsetsPath = await PrepareTableAsync(table, ignorePrevious, ct).ConfigureAwait(false);
            }
            catch (FlussException e)
            {
                entry.ErrorCode = (int)e.ErrorCode;
                entry.ErrorMessage = e.Message;
            }
            response.PrepareLakeTableResp.Add(entry);
        }
        return response;
    }

    private async Task<string> PrepareTableAsync(PbTableOffsets request, bool ignorePrevious, CancellationToken ct)
    {
        var (table, previous) = await QueryAsync(
            ctx => (ctx.TablesById.GetValueOrDefault(request.TableId), ctx.LakeSnapshots.GetValueOrDefault(request.TableId)), ct).ConfigureAwait(false);
        var state = LakeTableOf(table, request.TableId, request.TablePath);
        if (request.HasTieringEpoch) _tiering.ValidateRound(request.TableId, request.TieringEpoch);
        var offsets = new Dictionary<int, long>();
        foreach (var bucket in request.BucketOffsets)
        {
            if (bucket.HasPartitionId)
                throw new InvalidTableException($"Table {state.Path} is not partitioned, but the offsets name partition {bucket.PartitionId}.");
            if (bucket.BucketId < 0 || bucket.BucketId >= state.Info.NumBuckets)
                throw new InvalidTableException($"Table {state.Path} has buckets 0 to {state.Info.NumBuckets - 1}; the offsets name bucket {bucket.BucketId}.");
            if (!bucket.HasLogEndOffset || bucket.LogEndOffset < 0)
                throw new InvalidTableException($"The offsets of bucket {bucket.BucketId} of table {state.Path} have no log end offset (it must be 0 or more).");
            if (!offsets.TryAdd(bucket.BucketId, bucket.LogEndOffset))
                throw new InvalidTableException($"The offsets of table {state.Path} name bucket {bucket.BucketId} twice.");
        }
        var tiered = TableBucketOffsets.Of(state.TableId, offsets);
        if (!ignorePrevious && previous is not null)
            tiered = (await LatestOffsetsAsync(previous, state.TableId, ct).ConfigureAwait(false)).MergedWith(tiered);
        var path = OffsetsFilePath(state);
        try
        {
            var stream = await _remoteFs.CreateAsync(path, overwrite: true, ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
                await stream.WriteAsync(tiered.ToJson(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlussException(FlussErrorCode.Storage, $"Cannot write the lake offsets file {path} of table {state.Path}: {e.Message}", e);
        }
        return path;
    }

    /// <summary>Fluss's offsets file path: <c>{remote.data.dir}/lake/{db}/{table}-{tableId}/metadata/{uuid}.offsets</c>.</summary>
    private string OffsetsFilePath(TableState table)
    {
        var remote = _settings.RemoteDataDir
            ?? throw new LakeStorageNotConfiguredException(
                $"Cannot write the lake offsets file of table {table.Path}: the coordinator has no '{ConfigOptions.RemoteDataDir.Key}'; configure it.");
        return string.Create(CultureInfo.InvariantCulture,
            $"{remote.TrimEnd('/')}/lake/{table.Path.DatabaseName}/{table.Path.TableName}-{table.TableId}/metadata/{Guid.NewGuid():D}.offsets");
    }

    /// <summary>
    /// Phase 2, per table: after the lake commit, records the lake snapshot (its offsets file is read and checked
    /// first) in <c>/tabletservers/tables/{id}/laketable</c> and forgets offsets files of snapshots no longer retained.
    /// </summary>
    public async Task<CommitLakeTableSnapshotResponse> CommitLakeTableSnapshotAsync(CommitLakeTableSnapshotRequest request, CancellationToken ct)
    {
        var response = new CommitLakeTableSnapshotResponse();
        foreach (var snapshot in request.LakeTableSnapshotMetadata)
        {
            var entry = new PbCommitLakeTableSnapshotRespForTable { TableId = snapshot.TableId };
            try
            {
                await CommitTableAsync(snapshot, ct).ConfigureAwait(false);
            }
            catch (FlussException e)
            {
                entry.ErrorCode = (int)e.ErrorCode;
                entry.ErrorMessage = e.Message;
            }
            response.TableResp.Add(entry);
        }
        return response;
    }

    private async Task CommitTableAsync(PbLakeTableSnapshotMetadata snapshot, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(snapshot.TieredBucketOffsetsFilePath))
            throw new InvalidTableException($"The lake snapshot {snapshot.SnapshotId} of table {snapshot.TableId} has no tiered_bucket_offsets_file_path.");
        // the table is checked again on the loop; checking it first gives the clearer error for an unknown table
        LakeTableOf(await QueryAsync(ctx => ctx.TablesById.GetValueOrDefault(snapshot.TableId), ct).ConfigureAwait(false), snapshot.TableId, null);
        var offsets = await ReadOffsetsFileAsync(snapshot.TieredBucketOffsetsFilePath, snapshot.TableId, ct).ConfigureAwait(false);
        string? readable = null;
        if (snapshot.HasReadableBucketOffsetsFilePath && snapshot.ReadableBucketOffsetsFilePath.Length > 0)
        {
            readable = snapshot.ReadableBucketOffsetsFilePath;
            await ReadOffsetsFileAsync(readable, snapshot.TableId, ct).ConfigureAwait(false);
        }
        var entry = new LakeSnapshotEntry(snapshot.SnapshotId, snapshot.TieredBucketOffsetsFilePath, readable);
        var discarded = await InvokeAsync(new CommitLakeSnapshotEvent(snapshot.TableId, entry, offsets,
            snapshot.HasTieringEpoch ? snapshot.TieringEpoch : null,
            snapshot.HasEarliestSnapshotIdToKeep ? snapshot.EarliestSnapshotIdToKeep : null), ct).ConfigureAwait(false);
        foreach (var file in discarded)
        {
            try
            {
                await _remoteFs.DeleteAsync(file, recursive: false, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.OffsetsFileDeleteFailed(_logger, file, e.Message);
            }
        }
    }

    private async Task<IReadOnlyList<string>> CommitLakeSnapshotAsync(CommitLakeSnapshotEvent e, CancellationToken ct)
    {
        var table = LakeTableOf(_context.TablesById.GetValueOrDefault(e.TableId), e.TableId, null);
        _context.LakeSnapshots.TryGetValue(e.TableId, out var state);
        var latest = state?.Node.Latest;
        if (e.TieringEpoch is { } epoch)
        {
            _tiering.ValidateRound(e.TableId, epoch);
            if (latest is not null && latest.SnapshotId == e.Entry.SnapshotId && latest.TieredOffsetsPath == e.Entry.TieredOffsetsPath)
                return []; // the same commit again (a retry after a lost response)
            if (latest is not null && e.Entry.SnapshotId <= latest.SnapshotId)
                throw new FlussException(FlussErrorCode.InvalidUpdateVersion,
                    $"Lake snapshot {e.Entry.SnapshotId} of table {table.Path} is not newer than the committed lake snapshot {latest.SnapshotId}; nothing was changed.");
        }
        else if (latest is not null && e.Entry.SnapshotId <= latest.SnapshotId)
        {
            throw new FlussException(FlussErrorCode.InvalidUpdateVersion,
                $"Cannot register lake snapshot {e.Entry.SnapshotId} of table {table.Path} without a tiering epoch: the coordinator already has lake snapshot "
                + $"{latest.SnapshotId}, and a repair is accepted only for a newer snapshot; nothing was changed.");
        }

        var node = state?.Node ?? new LakeTableNode([]);
        var (kept, discarded) = node.Add(e.Entry, e.EarliestToKeep);
        await _store.WriteLakeTableAsync(e.TableId, kept, ct).ConfigureAwait(false);
        var times = new Dictionary<long, long>();
        foreach (var s in kept.Snapshots)
        {
            if (state is not null && state.CommitTimes.TryGetValue(s.SnapshotId, out var t)) times[s.SnapshotId] = t;
        }
        times[e.Entry.SnapshotId] = NowMs();
        _context.LakeSnapshots[e.TableId] = new LakeTableSnapshots(kept, e.Offsets, times);
        Log.LakeSnapshotCommitted(_logger, table.Path, e.TableId, e.Entry.SnapshotId, e.TieringEpoch is null ? " (registered by a repair)" : "");
        return kept.UnreferencedFiles(discarded);
    }

    /// <summary>The committed lake snapshot of a table: the latest, or the retained one with <paramref name="snapshotId"/>.</summary>
    public async Task<GetLakeSnapshotResponse> GetLakeSnapshotAsync(TablePath path, long? snapshotId, CancellationToken ct)
    {
        var (table, state) = await QueryAsync(ctx =>
        {
            var t = ctx.Tables.GetValueOrDefault(path);
            return (t, t is null ? null : ctx.LakeSnapshots.GetValueOrDefault(t.TableId));
        }, ct).ConfigureAwait(false);
        if (table is null) throw new TableNotExistException($"Table {path} does not exist.");
        if (state is null)
            throw new LakeTableSnapshotNotExistException(table.Info.TableConfig.IsDataLakeEnabled
                ? $"Table {path} has no lake snapshot yet: the tiering service has not committed one."
                : $"Table {path} has no lake snapshot: it is not a lake table ('{ConfigOptions.TableDataLakeEnabled.Key}' is false).");
        var entry = snapshotId is { } id
            ? state.Node.Find(id) ?? throw new LakeTableSnapshotNotExistException(
                $"Lake snapshot {id} of table {path} does not exist; the retained lake snapshots are [{string.Join(", ", state.Node.Snapshots.Select(s => s.SnapshotId))}].")
            : state.Latest;
        var offsets = ReferenceEquals(entry, state.Latest)
            ? await LatestOffsetsAsync(state, table.TableId, ct).ConfigureAwait(false)
            : await ReadOffsetsFileAsync(entry.TieredOffsetsPath, table.TableId, ct).ConfigureAwait(false);
        var response = new GetLakeSnapshotResponse { TableId = table.TableId, SnapshotId = entry.SnapshotId };
        foreach (var (bucket, offset) in offsets.Offsets.OrderBy(kv => kv.Key.PartitionId ?? -1).ThenBy(kv => kv.Key.Bucket))
        {
            var pb = new PbLakeSnapshotForBucket { BucketId = bucket.Bucket, LogOffset = offset };
            if (bucket.PartitionId is { } p) pb.PartitionId = p;
            response.BucketSnapshots.Add(pb);
        }
        if (state.CommitTimes.TryGetValue(entry.SnapshotId, out var time)) response.CommitTimestamp = time;
        return response;
    }

    private async Task<TableBucketOffsets> LatestOffsetsAsync(LakeTableSnapshots state, long tableId, CancellationToken ct) =>
        state.LatestOffsets ?? await ReadOffsetsFileAsync(state.Latest.TieredOffsetsPath, tableId, ct).ConfigureAwait(false);

    /// <summary>Reads and checks an offsets file: it must exist and hold the offsets of <paramref name="tableId"/>.</summary>
    private async Task<TableBucketOffsets> ReadOffsetsFileAsync(string path, long tableId, CancellationToken ct)
    {
        byte[] bytes;
        try
        {
            var stream = await _remoteFs.OpenReadAsync(path, ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
                bytes = buffer.ToArray();
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidTableException($"The lake offsets file {path} of table {tableId} does not exist; write it with PrepareLakeTableSnapshot first.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlussException(FlussErrorCode.Storage, $"Cannot read the lake offsets file {path} of table {tableId}: {e.Message}", e);
        }
        TableBucketOffsets offsets;
        try
        {
            offsets = TableBucketOffsets.FromJson(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidTableException($"The file {path} is not a lake offsets file of table {tableId}: {e.Message}");
        }
        if (offsets.TableId != tableId)
            throw new InvalidTableException($"The lake offsets file {path} holds the offsets of table {offsets.TableId}, not of table {tableId}.");
        return offsets;
    }

    /// <summary>The table of a tiering request; it must exist (under the path the request names, if any) and be a lake table.</summary>
    private static TableState LakeTableOf(TableState? table, long tableId, PbTablePath? requestPath)
    {
        if (table is null)
            throw new TableNotExistException($"Table {tableId} does not exist; it may have been dropped.");
        if (requestPath is not null && (requestPath.DatabaseName.Length > 0 || requestPath.TableName.Length > 0)
            && new TablePath(requestPath.DatabaseName, requestPath.TableName) != table.Path)
            throw new TableNotExistException(
                $"Table {requestPath.DatabaseName}.{requestPath.TableName} with id {tableId} does not exist: id {tableId} is table {table.Path} (the table was dropped and re-created?).");
        if (!table.Info.TableConfig.IsDataLakeEnabled)
            throw new InvalidTableException($"Table {table.Path} ({tableId}) is not a lake table: '{ConfigOptions.TableDataLakeEnabled.Key}' is false.");
        return table;
    }

    /// <summary>Start-up: the committed lake snapshots of every table, and every lake table scheduled for tiering.</summary>
    private async Task LoadLakeTablesAsync(CancellationToken ct)
    {
        foreach (var table in _context.Tables.Values)
        {
            var node = await _store.TryGetLakeTableAsync(table.TableId, ct).ConfigureAwait(false);
            if (node is null) continue;
            LakeTableNode lakeTable;
            try
            {
                lakeTable = LakeTableNode.FromJson(node.Data);
            }
            catch (InvalidDataException e)
            {
                Log.LakeTableLoadFailed(_logger, table.TableId, _store.Paths.LakeTable(table.TableId), e.Message);
                continue;
            }
            if (lakeTable.Latest is not { } latest) continue;
            TableBucketOffsets? offsets = null;
            try
            {
                offsets = await ReadOffsetsFileAsync(latest.TieredOffsetsPath, table.TableId, ct).ConfigureAwait(false);
            }
            catch (FlussException e)
            {
                Log.LakeTableLoadFailed(_logger, table.TableId, latest.TieredOffsetsPath, e.Message);
            }
            _context.LakeSnapshots[table.TableId] = new LakeTableSnapshots(lakeTable, offsets, new Dictionary<long, long> { [latest.SnapshotId] = node.Stat.Mtime });
        }
        var now = NowMs();
        _tiering.InitWithLakeTables(_context.Tables.Values
            .Where(t => t.Info.TableConfig.IsDataLakeEnabled)
            .Select(t => (t.TableId, t.Path, t.Info.TableConfig.DataLakeFreshness,
                _context.LakeSnapshots.TryGetValue(t.TableId, out var s) && s.LatestCommitTime is { } committed ? committed : now))
            .ToList());
    }
}
