using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Records.Log;
using Fluss.Rpc.Messages;
using Fluss.Storage.Kv;
using Fluss.Storage.Log;
using Fluss.Storage.Remote;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Fluss.TabletServer.Replicas;

internal sealed partial class ReplicaManager
{
    private int _snapshotRunning;
    private ITimer? _snapshotTimer;

    /// <summary>
    /// Applies each bucket's KV record batch on its leader (merge, changelog, pre-write buffer). acks 0 and 1
    /// answer after the changelog append; acks -1 once the high watermark (which waits for the KV flush) has passed
    /// the changelog, or REQUEST_TIME_OUT after <c>timeout_ms</c>. Errors are per bucket and leave that bucket's
    /// state unchanged.
    /// </summary>
    /// <exception cref="FlussException">INVALID_REQUIRED_ACKS when acks is not -1, 0 or 1.</exception>
    public async Task<PutKvResponse> PutKvAsync(PutKvRequest request, CancellationToken cancellationToken)
    {
        if (request.Acks is not (-1 or 0 or 1))
            throw new FlussException(FlussErrorCode.InvalidRequiredAcks, $"Invalid required acks {request.Acks}: use 0 (none), 1 (leader) or -1 (all in-sync replicas).");
        int[]? targetColumns = request.TargetColumns.Count == 0 ? null : [.. request.TargetColumns];
        var results = new PbPutKvRespForBucket[request.BucketsReq.Count];
        var pending = new List<(int Index, Replica Replica, long RequiredOffset)>();
        for (var i = 0; i < request.BucketsReq.Count; i++)
        {
            var bucketReq = request.BucketsReq[i];
            var result = new PbPutKvRespForBucket { BucketId = bucketReq.BucketId };
            if (bucketReq.HasPartitionId) result.PartitionId = bucketReq.PartitionId;
            results[i] = result;
            var bucket = new TableBucket(request.TableId, bucketReq.HasPartitionId ? bucketReq.PartitionId : null, bucketReq.BucketId);
            try
            {
                var replica = GetReplicaOrThrow(bucket);
                var info = replica.PutKvAsLeader(bucketReq.Records.Memory, targetColumns, request.Acks);
                result.LogEndOffset = info.LastOffset + 1;
                if (info.IsDuplicate) _logger.DuplicateBatch(bucket.ToString(), info.FirstOffset);
                if (request.Acks == -1) pending.Add((i, replica, info.LastOffset + 1));
            }
            catch (FlussException e)
            {
                SetError(result, e.ErrorCode, e.Message);
                if (IsUnexpected(e.ErrorCode)) _logger.PutKvFailed(bucket.ToString(), e.ErrorCode, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or RocksDbSharp.RocksDbException or ObjectDisposedException)
            {
                SetError(result, FlussErrorCode.KvStorage, $"Error while putting records to {bucket}: {e.Message}");
                _logger.KvIoFailed(bucket.ToString(), e);
            }
        }

        if (pending.Count > 0)
        {
            var timeout = TimeSpan.FromMilliseconds(Math.Max(0, request.TimeoutMs));
            var outcome = await WaitForCommitAsync(pending, timeout, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < pending.Count; i++)
            {
                var result = results[pending[i].Index];
                var error = outcome[i] ?? FlussErrorCode.RequestTimeOut;
                if (error == FlussErrorCode.None) continue;
                result.ClearLogEndOffset();
                SetError(result, error, error switch
                {
                    FlussErrorCode.RequestTimeOut => $"The changes to {pending[i].Replica.Bucket} were applied by the leader but not committed within {timeout.TotalMilliseconds} ms.",
                    FlussErrorCode.NotLeaderOrFollower => $"The leadership of {pending[i].Replica.Bucket} moved before the changes were committed.",
                    _ => $"The changes to {pending[i].Replica.Bucket} were committed with fewer in-sync replicas than required.",
                });
            }
        }

        var response = new PutKvResponse();
        response.BucketsResp.AddRange(results);
        return response;
    }

    /// <summary>Point lookups of encoded primary keys: one value per key in key order, absent when not found.</summary>
    public LookupResponse Lookup(LookupRequest request)
    {
        var response = new LookupResponse();
        foreach (var bucketReq in request.BucketsReq)
        {
            var result = new PbLookupRespForBucket { BucketId = bucketReq.BucketId };
            if (bucketReq.HasPartitionId) result.PartitionId = bucketReq.PartitionId;
            response.BucketsResp.Add(result);
            var bucket = new TableBucket(request.TableId, bucketReq.HasPartitionId ? bucketReq.PartitionId : null, bucketReq.BucketId);
            try
            {
                var kv = GetReplicaOrThrow(bucket).KvForRead("look up keys");
                // The keys are read where the request holds them; each value is wrapped without another copy.
                var keys = new ReadOnlyMemory<byte>[bucketReq.Keys.Count];
                for (var i = 0; i < keys.Length; i++) keys[i] = bucketReq.Keys[i].Memory;
                var values = kv.MultiGet(keys);
                result.Values.Capacity = values.Length;
                foreach (var value in values)
                    result.Values.Add(value is null ? new PbValue() : new PbValue { Values = UnsafeByteOperations.UnsafeWrap(value) });
            }
            catch (Exception e) when (ToError(e, bucket, "lookup") is { } error)
            {
                result.Values.Clear();
                result.ErrorCode = (int)error.Code;
                result.ErrorMessage = error.Message;
            }
        }
        return response;
    }

    /// <summary>Prefix lookups by encoded bucket keys: every stored value whose key starts with each prefix.</summary>
    public PrefixLookupResponse PrefixLookup(PrefixLookupRequest request)
    {
        var response = new PrefixLookupResponse();
        foreach (var bucketReq in request.BucketsReq)
        {
            var result = new PbPrefixLookupRespForBucket { BucketId = bucketReq.BucketId };
            if (bucketReq.HasPartitionId) result.PartitionId = bucketReq.PartitionId;
            response.BucketsResp.Add(result);
            var bucket = new TableBucket(request.TableId, bucketReq.HasPartitionId ? bucketReq.PartitionId : null, bucketReq.BucketId);
            try
            {
                var replica = GetReplicaOrThrow(bucket);
                var kv = replica.KvForRead("run a prefix lookup");
                CheckPrefixLookup(replica.Table);
                foreach (var prefix in bucketReq.Keys)
                {
                    var list = new PbValueList();
                    foreach (var value in kv.PrefixLookup(prefix.ToByteArray())) list.Values.Add(UnsafeByteOperations.UnsafeWrap(value));
                    result.ValueLists.Add(list);
                }
            }
            catch (Exception e) when (ToError(e, bucket, "prefix lookup") is { } error)
            {
                result.ValueLists.Clear();
                result.ErrorCode = (int)error.Code;
                result.ErrorMessage = error.Message;
            }
        }
        return response;
    }

    /// <summary>A prefix lookup needs the bucket key to be a leading part of the primary key (so its bytes prefix the key bytes).</summary>
    private static void CheckPrefixLookup(TableInfo table)
    {
        var pk = table.PhysicalPrimaryKeys;
        var bucketKeys = table.BucketKeys;
        var isPrefix = bucketKeys.Count > 0 && bucketKeys.Count <= pk.Count && bucketKeys.Select((k, i) => pk[i] == k).All(x => x);
        if (!isPrefix)
            throw new FlussException(FlussErrorCode.InvalidTable,
                $"Prefix lookup on table {table.TablePath} needs its bucket key [{string.Join(", ", bucketKeys)}] to be a leading part of its primary key [{string.Join(", ", pk)}]; use a point lookup instead.");
        if (bucketKeys.Count < pk.Count && table.TableConfig.DataLakeFormat is not null && (table.TableConfig.KvFormatVersion ?? 2) == 1)
            throw new FlussException(FlussErrorCode.InvalidTable,
                $"Prefix lookup on table {table.TablePath} is not possible: its primary keys use the lake key encoding (kv format version 1), whose bytes the bucket key does not prefix.");
    }

    /// <summary>The first <c>limit</c> rows of a bucket: stored values (a value record batch) for primary-key tables, committed log batches for log tables.</summary>
    public LimitScanResponse LimitScan(LimitScanRequest request)
    {
        var response = new LimitScanResponse();
        var bucket = new TableBucket(request.TableId, request.HasPartitionId ? request.PartitionId : null, request.BucketId);
        try
        {
            var replica = GetReplicaOrThrow(bucket);
            if (request.Limit <= 0)
                throw new FlussException(FlussErrorCode.InvalidTable, $"Invalid limit {request.Limit} for a limit scan of {bucket}: it must be positive.");
            if (replica.Table.HasPrimaryKey)
            {
                var kv = replica.KvForRead("scan");
                using var builder = new ValueRecordBatchBuilder();
                foreach (var value in kv.LimitScan(request.Limit)) builder.AppendValue(value);
                response.IsLogTable = false;
                response.Records = ByteString.CopyFrom(builder.Build().Span);
            }
            else
            {
                response.IsLogTable = true;
                response.Records = ByteString.CopyFrom(ReadLogPrefix(replica, request.Limit));
            }
        }
        catch (Exception e) when (ToError(e, bucket, "limit scan") is { } error)
        {
            response.ClearRecords();
            response.ErrorCode = (int)error.Code;
            response.ErrorMessage = error.Message;
        }
        return response;
    }

    /// <summary>Whole committed log batches from the log start until they hold at least <paramref name="limit"/> records.</summary>
    private static byte[] ReadLogPrefix(Replica replica, int limit)
    {
        using var output = new MemoryStream();
        var offset = replica.Log.LogStartOffset;
        var records = 0;
        while (records < limit)
        {
            using var data = replica.Read(offset, 1 << 20, followerId: -1, minOneMessage: true, projection: null);
            if (data.IsEmpty) break;
            var before = offset;
            foreach (var batch in new LogRecords(data.Records))
            {
                if (records >= limit) break;
                output.Write(batch.Memory.Span);
                records += batch.RecordCount;
                offset = batch.NextOffset;
            }
            if (offset == before) break;
        }
        return output.ToArray();
    }

    private (FlussErrorCode Code, string Message)? ToError(Exception e, TableBucket bucket, string operation)
    {
        switch (e)
        {
            case FlussException f:
                if (IsUnexpected(f.ErrorCode) && f.ErrorCode != FlussErrorCode.NonPrimaryKeyTable) _logger.LookupFailed(operation, bucket.ToString(), f.ErrorCode, f.Message);
                return (f.ErrorCode, f.Message);
            case IOException or RocksDbSharp.RocksDbException or ObjectDisposedException or UnauthorizedAccessException:
                _logger.KvIoFailed(bucket.ToString(), e);
                return (FlussErrorCode.KvStorage, $"Failed to {operation} in the KV store of {bucket}: {e.Message}");
            default:
                return null;
        }
    }

    private static void SetError(PbPutKvRespForBucket result, FlussErrorCode code, string message)
    {
        result.ErrorCode = (int)code;
        result.ErrorMessage = message;
    }

    // -------------------------------------------------------------------------------------------------------------
    // KV tablets: creation on leadership, snapshots
    // -------------------------------------------------------------------------------------------------------------

    private KvSnapshotStore? SnapshotStoreFor(TableInfo table)
    {
        var root = table.RemoteDataDir ?? _settings.RemoteDataDir;
        return root is null ? null : new KvSnapshotStore(LocalFileSystem.Instance, root, _settings.KvSnapshotNumRetained);
    }

    /// <summary>
    /// Opens the KV tablet of a bucket this server starts to lead: always from an empty local directory, restored
    /// from the newest usable KV snapshot (if any), then the changelog replayed from the snapshot's offset.
    /// </summary>
    private KvTablet CreateKvTablet(Replica replica)
    {
        var store = SnapshotStoreFor(replica.Table);
        CompletedKvSnapshot? snapshot = null;
        string? local = null;
        try
        {
            if (store is not null)
            {
                var log = replica.Log;
                foreach (var candidate in store.ListCompletedAsync(replica.PhysicalPath, replica.Bucket).GetAwaiter().GetResult())
                {
                    if (candidate.LogOffset <= log.LogEndOffset && candidate.LogOffset >= log.LogStartOffset)
                    {
                        snapshot = candidate;
                        break;
                    }
                }
                if (snapshot is not null)
                {
                    local = Path.Combine(_settings.DataDir, ".kv-restore-" + Guid.NewGuid().ToString("N"));
                    store.DownloadAsync(snapshot, local).GetAwaiter().GetResult();
                }
            }
            var tablet = KvTablet.Create(KvTablet.TabletDirectoryOf(replica.Log), replica.Log, replica.Table, local, snapshot?.LogOffset ?? 0);
            replica.Log.MinRetainOffset = snapshot?.LogOffset ?? 0;
            replica.LastKvSnapshotOffset = snapshot?.LogOffset ?? -1;
            _logger.KvTabletOpened(replica.Bucket.ToString(), snapshot?.SnapshotId ?? -1, snapshot?.LogOffset ?? 0, tablet.FlushedLogOffset, replica.Log.LogEndOffset);
            return tablet;
        }
        catch (Exception e) when (e is RocksDbSharp.RocksDbException or InvalidDataException)
        {
            throw new FlussException(FlussErrorCode.KvStorage, $"Cannot open the KV tablet of {replica.Bucket}: {e.Message}", e);
        }
        finally
        {
            if (local is not null && Directory.Exists(local)) Directory.Delete(local, recursive: true);
        }
    }

    private void StartKvSnapshots()
    {
        if (_settings.KvSnapshotInterval <= TimeSpan.Zero) return;
        _snapshotTimer = _time.CreateTimer(_ => _ = SnapshotKvTabletsAsync(), null, _settings.KvSnapshotInterval, _settings.KvSnapshotInterval);
    }

    /// <summary>
    /// Snapshots every KV tablet this server leads whose state moved since its last snapshot; the log keeps the
    /// changelog from the oldest retained snapshot on. Returns the number of snapshots taken. Runs do not overlap.
    /// </summary>
    public async Task<int> SnapshotKvTabletsAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _snapshotRunning, 1) == 1) return 0;
        var taken = 0;
        try
        {
            foreach (var replica in _replicas.Values)
            {
                if (replica.Kv is not { } kv || !replica.IsLeader || SnapshotStoreFor(replica.Table) is not { } store) continue;
                try
                {
                    var snapshot = await store.SnapshotAsync(kv, replica.PhysicalPath, replica.LastKvSnapshotOffset, cancellationToken).ConfigureAwait(false);
                    if (snapshot is null) continue;
                    replica.LastKvSnapshotOffset = snapshot.LogOffset;
                    var retained = await store.ListCompletedAsync(replica.PhysicalPath, replica.Bucket, cancellationToken).ConfigureAwait(false);
                    replica.Log.MinRetainOffset = retained.Count == 0 ? snapshot.LogOffset : retained.Min(s => s.LogOffset);
                    taken++;
                    _logger.KvSnapshotTaken(replica.Bucket.ToString(), snapshot.SnapshotId, snapshot.LogOffset);
                }
                catch (Exception e) when (e is FlussException or IOException or UnauthorizedAccessException or RocksDbSharp.RocksDbException or ObjectDisposedException)
                {
                    _logger.KvSnapshotFailed(replica.Bucket.ToString(), e);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _snapshotRunning, 0);
        }
        return taken;
    }
}
