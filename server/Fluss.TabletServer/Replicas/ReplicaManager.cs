using System.Collections.Concurrent;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rpc.Messages;
using Fluss.Storage.Log;
using Fluss.TabletServer.Metadata;
using Microsoft.Extensions.Logging;

namespace Fluss.TabletServer.Replicas;

/// <summary>
/// The replicas this tablet server hosts and the coordinator's control of them: leadership decisions
/// (NotifyLeaderAndIsr), stops (StopReplica) and metadata (UpdateMetadata), each fenced by the coordinator epoch and
/// the bucket's leader epoch; plus the data plane over them (produce, fetch, list offsets, in the partial files).
/// </summary>
internal sealed partial class ReplicaManager : IDisposable
{
    /// <summary>The coordinator epoch before any coordinator spoke (Fluss's initial epoch).</summary>
    public const int InitialCoordinatorEpoch = 0;

    private readonly ConcurrentDictionary<TableBucket, Replica> _replicas = new();
    private readonly Lock _stateChangeLock = new();
    private readonly TabletServerSettings _settings;
    private readonly LogManager _logManager;
    private readonly TabletServerMetadataCache _metadataCache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogProjectionCache _projections = new();
    private readonly CancellationTokenSource _shutdown = new();
    private int _coordinatorEpoch = InitialCoordinatorEpoch;

    public ReplicaManager(TabletServerSettings settings, LogManager logManager, TabletServerMetadataCache metadataCache, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _logManager = logManager;
        _metadataCache = metadataCache;
        _time = time;
        _logger = logger;
        StartKvSnapshots();
    }

    public int ServerId => _settings.ServerId;

    public int CoordinatorEpoch => Volatile.Read(ref _coordinatorEpoch);

    public TabletServerMetadataCache MetadataCache => _metadataCache;

    /// <summary>The hosted replica of a bucket, if any.</summary>
    public bool TryGetReplica(TableBucket bucket, out Replica replica) => _replicas.TryGetValue(bucket, out replica!);

    // -------------------------------------------------------------------------------------------------------------
    // Coordinator requests
    // -------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Applies leadership decisions: a bucket's replica is created (its log tablet opened or created with the table
    /// metadata the request carries) and becomes leader or follower. A decision with a leader epoch below the
    /// current one is refused with FENCED_LEADER_EPOCH for that bucket; a request from an older coordinator is
    /// refused as a whole with INVALID_COORDINATOR.
    /// </summary>
    public NotifyLeaderAndIsrResponse BecomeLeaderOrFollower(NotifyLeaderAndIsrRequest request)
    {
        var response = new NotifyLeaderAndIsrResponse();
        lock (_stateChangeLock)
        {
            ValidateAndApplyCoordinatorEpoch(request.CoordinatorEpoch, "NotifyLeaderAndIsr");
            var tables = new RequestTables(request);
            foreach (var data in request.NotifyBucketsLeaderReq)
            {
                var result = new PbNotifyLeaderAndIsrRespForBucket { TableBucket = data.TableBucket ?? new PbTableBucket() };
                try
                {
                    ApplyLeaderAndIsr(data, tables);
                }
                catch (FlussException e)
                {
                    result.ErrorCode = (int)e.ErrorCode;
                    result.ErrorMessage = e.Message;
                    _logger.LeaderAndIsrRefused(data.TableBucket?.ToString() ?? "?", e.ErrorCode, e.Message);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    result.ErrorCode = (int)FlussErrorCode.LogStorage;
                    result.ErrorMessage = $"Cannot open the log of bucket {data.TableBucket}: {e.Message}";
                    _logger.ReplicaOpenFailed(data.TableBucket?.ToString() ?? "?", e);
                }
                response.NotifyBucketsLeaderResp.Add(result);
            }
        }
        return response;
    }

    /// <summary>
    /// The table descriptions a NotifyLeaderAndIsr request carries: the first entry of each table holds its metadata
    /// and schema, and the table's other entries share it. Each is parsed once.
    /// </summary>
    private sealed class RequestTables
    {
        private readonly Dictionary<long, PbNotifyLeaderAndIsrReqForBucket> _carriers = [];
        private readonly Dictionary<long, TableInfo> _parsed = [];

        public RequestTables(NotifyLeaderAndIsrRequest request)
        {
            foreach (var entry in request.NotifyBucketsLeaderReq)
                if (entry.TableMetadata is { } metadata) _carriers.TryAdd(metadata.TableId, entry);
        }

        /// <summary>The table's description in this request, or null when no entry carries it.</summary>
        /// <exception cref="InvalidTableException">The carried metadata is invalid.</exception>
        public TableInfo? Find(long tableId)
        {
            if (_parsed.TryGetValue(tableId, out var info)) return info;
            if (!_carriers.TryGetValue(tableId, out var carrier)) return null;
            info = ProtoConversions.ToTableInfo(carrier.TableMetadata, carrier.HasSchemaJson ? carrier.SchemaJson : null);
            _parsed[tableId] = info;
            return info;
        }
    }

    private void ApplyLeaderAndIsr(PbNotifyLeaderAndIsrReqForBucket data, RequestTables tables)
    {
        if (data.TableBucket is null)
            throw new FlussException(FlussErrorCode.UnknownTableOrBucket, "A NotifyLeaderAndIsr entry has no table bucket.");
        var bucket = ProtoConversions.ToTableBucket(data.TableBucket);
        var state = new LeaderAndIsr(data.Leader, data.LeaderEpoch, [.. data.Replicas], [.. data.Isr], data.BucketEpoch);

        if (_replicas.TryGetValue(bucket, out var existing) && state.LeaderEpoch < existing.LeaderEpoch)
            throw new FlussException(FlussErrorCode.FencedLeaderEpoch,
                $"The leader epoch {state.LeaderEpoch} in the request is smaller than the current leader epoch {existing.LeaderEpoch} of bucket {bucket}; the request is ignored.");
        if (!state.Replicas.Contains(ServerId))
            throw new FlussException(FlussErrorCode.UnknownTableOrBucket,
                $"Tablet server {ServerId} is not among the assigned replicas [{string.Join(", ", state.Replicas)}] of bucket {bucket}; the request is ignored.");

        var table = tables.Find(bucket.TableId);
        var replica = existing ?? CreateReplica(bucket, data.PhysicalTablePath, table);
        if (existing is not null && table is not null) replica.UpdateTable(table);

        if (state.Leader == ServerId)
        {
            replica.MakeLeader(state, CreateKvTablet);
            _logger.BecameLeader(bucket.ToString(), state.LeaderEpoch, replica.Log.HighWatermark, replica.Log.LogEndOffset);
        }
        else
        {
            replica.MakeFollower(state);
            _logger.BecameFollower(bucket.ToString(), state.Leader, state.LeaderEpoch);
        }
    }

    private Replica CreateReplica(TableBucket bucket, PbPhysicalTablePath? physicalPath, TableInfo? fromRequest)
    {
        TableInfo table;
        if (fromRequest is not null)
            table = fromRequest;
        else if (_metadataCache.TryGetTable(bucket.TableId, out var cached))
            table = cached.Info;
        else
            throw new FlussException(FlussErrorCode.UnknownTableOrBucket,
                $"Cannot create the replica of bucket {bucket}: the request carries no table metadata and table id {bucket.TableId} is not in the metadata cache.");
        if (table.TableId != bucket.TableId)
            throw new FlussException(FlussErrorCode.UnknownTableOrBucket,
                $"The table metadata for bucket {bucket} describes table id {table.TableId}.");
        if (bucket.Bucket < 0 || bucket.Bucket >= table.NumBuckets)
            throw new FlussException(FlussErrorCode.UnknownTableOrBucket,
                $"Bucket {bucket.Bucket} does not exist: table {table.TablePath} has {table.NumBuckets} buckets.");

        var path = physicalPath is not null ? ProtoConversions.ToPhysicalTablePath(physicalPath) : PhysicalTablePath.Of(table.TablePath);
        var log = _logManager.GetOrCreateTablet(path, bucket, table.TableConfig.LogTtl);
        var replica = new Replica(ServerId, path, bucket, table, log, () => _settings.MinInSyncReplicas, _time);
        _replicas[bucket] = replica;
        _logger.ReplicaCreated(bucket.ToString(), path.ToString(), log.LogStartOffset, log.HighWatermark, log.LogEndOffset);
        return replica;
    }

    /// <summary>
    /// Stops replicas: the bucket is no longer served here; with <c>delete</c> its local data is removed. A stop
    /// with a leader epoch below the current one is refused with FENCED_LEADER_EPOCH for that bucket.
    /// </summary>
    public StopReplicaResponse StopReplicas(StopReplicaRequest request)
    {
        var response = new StopReplicaResponse();
        lock (_stateChangeLock)
        {
            ValidateAndApplyCoordinatorEpoch(request.CoordinatorEpoch, "StopReplica");
            foreach (var data in request.StopReplicasReq)
            {
                var result = new PbStopReplicaRespForBucket { TableBucket = data.TableBucket ?? new PbTableBucket() };
                try
                {
                    if (data.TableBucket is null)
                        throw new FlussException(FlussErrorCode.UnknownTableOrBucket, "A StopReplica entry has no table bucket.");
                    StopReplica(ProtoConversions.ToTableBucket(data.TableBucket), data.LeaderEpoch, data.Delete);
                }
                catch (FlussException e)
                {
                    result.ErrorCode = (int)e.ErrorCode;
                    result.ErrorMessage = e.Message;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    result.ErrorCode = (int)FlussErrorCode.LogStorage;
                    result.ErrorMessage = $"Cannot delete the log of bucket {data.TableBucket}: {e.Message}";
                }
                response.StopReplicasResp.Add(result);
            }
        }
        return response;
    }

    private void StopReplica(TableBucket bucket, int leaderEpoch, bool delete)
    {
        if (_replicas.TryGetValue(bucket, out var replica))
        {
            if (leaderEpoch < replica.LeaderEpoch)
                throw new FlussException(FlussErrorCode.FencedLeaderEpoch,
                    $"The leader epoch {leaderEpoch} in the stop replica request is smaller than the current leader epoch {replica.LeaderEpoch} of bucket {bucket}; the request is ignored.");
            _replicas.TryRemove(bucket, out _);
            replica.Stop();
        }
        if (delete && _logManager.TryGetTablet(bucket, out var log))
        {
            var kvDirectory = Fluss.Storage.Kv.KvTablet.TabletDirectoryOf(log);
            if (Directory.Exists(kvDirectory)) Directory.Delete(kvDirectory, recursive: true);
            _logManager.DropTablet(bucket);
        }
        _logger.ReplicaStopped(bucket.ToString(), delete);
    }

    /// <summary>Applies an UpdateMetadata request to the cache and to the hosted replicas' table descriptions.</summary>
    public void UpdateMetadata(UpdateMetadataRequest request)
    {
        lock (_stateChangeLock)
        {
            if (request.HasCoordinatorEpoch) ValidateAndApplyCoordinatorEpoch(request.CoordinatorEpoch, "UpdateMetadata");
            var evicted = _metadataCache.Update(request);
            foreach (var table in request.TableMetadata)
            {
                if (!_metadataCache.TryGetTable(table.TableId, out var cached)) continue;
                foreach (var replica in _replicas.Values)
                    if (replica.Bucket.TableId == table.TableId) replica.UpdateTable(cached.Info);
            }
            _logger.MetadataUpdated(request.TabletServers.Count, request.TableMetadata.Count, evicted.Count);
        }
    }

    private void ValidateAndApplyCoordinatorEpoch(int requestEpoch, string requestName)
    {
        var current = CoordinatorEpoch;
        if (requestEpoch < current)
            throw new FlussException(FlussErrorCode.InvalidCoordinator,
                $"Invalid coordinator epoch {requestEpoch} in the {requestName} request: the latest known coordinator epoch is {current}; the request is ignored.");
        if (requestEpoch > current)
        {
            _logger.CoordinatorEpochChanged(current, requestEpoch);
            Volatile.Write(ref _coordinatorEpoch, requestEpoch);
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Lookups shared by the data plane
    // -------------------------------------------------------------------------------------------------------------

    /// <summary>The hosted replica of a bucket.</summary>
    /// <exception cref="FlussException">UNKNOWN_TABLE_OR_BUCKET when this server hosts no replica of it.</exception>
    private Replica GetReplicaOrThrow(TableBucket bucket) =>
        _replicas.TryGetValue(bucket, out var replica)
            ? replica
            : throw new FlussException(FlussErrorCode.UnknownTableOrBucket,
                $"Tablet server {ServerId} hosts no replica of table bucket {bucket}: the table or bucket does not exist here.");

    /// <summary>Cancels waiting requests so that they answer at once.</summary>
    public void BeginShutdown() => _shutdown.Cancel();

    /// <summary>Releases the replicas (their logs belong to the log manager, which closes them).</summary>
    public void Dispose()
    {
        if (!_shutdown.IsCancellationRequested) _shutdown.Cancel();
        _snapshotTimer?.Dispose();
        foreach (var replica in _replicas.Values) replica.Stop();
        _replicas.Clear();
        _shutdown.Dispose();
    }
}
