using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rpc.Messages;
using Fluss.Storage.Log;
using Google.Protobuf;

namespace Fluss.TabletServer.Replicas;

internal sealed partial class ReplicaManager
{
    /// <summary>A fetch offset meaning "from the log start offset" (Fluss's constant).</summary>
    public const long FetchFromEarliestOffset = -2L;

    /// <summary>Fluss's max wait when a fetch sets min_bytes but no max_wait_ms.</summary>
    public static readonly TimeSpan DefaultMaxWaitWithMinBytes = TimeSpan.FromMilliseconds(100);

    private sealed record BucketFetch(int TableIndex, TableBucket Bucket, PbFetchLogReqForBucket Request, LogProjection? Projection, FlussException? Error);

    /// <summary>
    /// Reads each requested bucket from its leader replica: clients up to the high watermark, followers up to the log
    /// end offset; at most <c>max_fetch_bytes</c> per bucket and <c>max_bytes</c> in all (the first non-empty bucket
    /// always returns at least one whole batch). With projection pushdown the batches are projected on the server.
    /// When <c>min_bytes</c> is set and fewer bytes are readable, the fetch waits up to <c>max_wait_ms</c> and
    /// completes early as soon as an append or high-watermark move on a requested bucket makes enough readable.
    /// With <paramref name="holdUntilSent"/>, the response's records point into the pooled read buffers instead of
    /// copies, and the caller gets the buffers to release once the response has been sent.
    /// </summary>
    public async Task<FetchLogResponse> FetchAsync(FetchLogRequest request, CancellationToken cancellationToken, Action<IDisposable>? holdUntilSent = null)
    {
        var outcome = await FetchCoreAsync(request, holdUntilSent is not null, cancellationToken).ConfigureAwait(false);
        if (outcome.Held is { Count: > 0 } held) holdUntilSent!(new HeldBuffers(held));
        return outcome.Response;
    }

    private async Task<ReadOutcome> FetchCoreAsync(FetchLogRequest request, bool zeroCopy, CancellationToken cancellationToken)
    {
        var fetches = PlanFetches(request);
        var minBytes = request.HasMinBytes ? request.MinBytes : -1;
        var maxWait = request.HasMinBytes
            ? (request.HasMaxWaitMs ? TimeSpan.FromMilliseconds(Math.Max(0, request.MaxWaitMs)) : DefaultMaxWaitWithMinBytes)
            : TimeSpan.Zero;

        var first = ReadAll(request, fetches, zeroCopy);
        if (maxWait <= TimeSpan.Zero || minBytes <= 0 || first.Bytes >= minBytes || first.SevereError || first.Failed.All(f => f))
            return first;
        first.Release();

        // Delayed fetch: wake on any requested bucket's change, re-read, answer when enough is readable, when a
        // bucket that could be read fails (its leadership moved), or when time is up.
        var watched = fetches.Where((_, i) => !first.Failed[i]).Select(f => f.Bucket).ToArray();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        IReadOnlyList<Task> Signals()
        {
            var tasks = new List<Task>(watched.Length);
            foreach (var bucket in watched)
                if (_replicas.TryGetValue(bucket, out var replica)) tasks.Add(replica.Changed.WaitTask);
            return tasks;
        }
        var start = _time.GetTimestamp();
        while (true)
        {
            var signals = Signals();
            var remaining = maxWait - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero || linked.IsCancellationRequested) break;
            if (!await SignalWait.WaitAnyAsync(signals, remaining, _time, linked.Token).ConfigureAwait(false)) break;
            var next = ReadAll(request, fetches, zeroCopy);
            if (next.Bytes >= minBytes || next.SevereError || next.Failed.Where((f, i) => f && !first.Failed[i]).Any()) return next;
            next.Release();
        }
        return ReadAll(request, fetches, zeroCopy);
    }

    /// <summary>Resolves tables, buckets and projections once; errors found here hold for the whole fetch.</summary>
    private List<BucketFetch> PlanFetches(FetchLogRequest request)
    {
        var plan = new List<BucketFetch>();
        for (var t = 0; t < request.TablesReq.Count; t++)
        {
            var tableReq = request.TablesReq[t];
            LogProjection? projection = null;
            FlussException? tableError = null;
            if (tableReq.ProjectionPushdownEnabled)
            {
                try
                {
                    projection = ResolveProjection(tableReq);
                }
                catch (FlussException e)
                {
                    tableError = e;
                }
            }
            foreach (var bucketReq in tableReq.BucketsReq)
            {
                var bucket = new TableBucket(tableReq.TableId, bucketReq.HasPartitionId ? bucketReq.PartitionId : null, bucketReq.BucketId);
                plan.Add(new BucketFetch(t, bucket, bucketReq, projection, tableError));
            }
        }
        return plan;
    }

    /// <summary>The projection of a table's current schema to the requested fields.</summary>
    /// <exception cref="FlussException">INVALID_COLUMN_PROJECTION for fields out of range, unsorted or duplicated, or a log format without projection.</exception>
    private LogProjection? ResolveProjection(PbFetchLogReqForTable tableReq)
    {
        TableInfo? table = null;
        foreach (var replica in _replicas.Values)
        {
            if (replica.Bucket.TableId == tableReq.TableId)
            {
                table = replica.Table;
                break;
            }
        }
        if (table is null && _metadataCache.TryGetTable(tableReq.TableId, out var cached)) table = cached.Info;
        if (table is null) return null; // every bucket answers UNKNOWN_TABLE_OR_BUCKET
        if (table.TableConfig.LogFormat != LogFormat.Arrow)
            throw new FlussException(FlussErrorCode.InvalidColumnProjection,
                $"Column projection is only supported for the ARROW log format, but table {table.TablePath} uses {table.TableConfig.LogFormat}.");
        return _projections.GetOrCreate(table.TableId, checked((short)table.SchemaId), table.RowType, tableReq.ProjectedFields);
    }

    /// <summary>A read of every requested bucket; <see cref="Held"/> are the pooled buffers its records point into (zero-copy reads).</summary>
    private readonly record struct ReadOutcome(FetchLogResponse Response, long Bytes, bool SevereError, bool[] Failed, List<FetchDataInfo>? Held)
    {
        /// <summary>Returns the buffers of a read that is not answered.</summary>
        public void Release()
        {
            if (Held is null) return;
            foreach (var data in Held) data.Dispose();
            Held.Clear();
        }
    }

    /// <summary>The read buffers a sent response pointed into, released together.</summary>
    private sealed class HeldBuffers(List<FetchDataInfo> buffers) : IDisposable
    {
        public void Dispose()
        {
            foreach (var data in buffers) data.Dispose();
            buffers.Clear();
        }
    }

    private ReadOutcome ReadAll(FetchLogRequest request, List<BucketFetch> fetches, bool zeroCopy)
    {
        var held = zeroCopy ? new List<FetchDataInfo>() : null;
        var response = new FetchLogResponse();
        var tables = new PbFetchLogRespForTable[request.TablesReq.Count];
        for (var t = 0; t < tables.Length; t++)
        {
            tables[t] = new PbFetchLogRespForTable { TableId = request.TablesReq[t].TableId };
            response.TablesResp.Add(tables[t]);
        }

        var limitBytes = request.MaxBytes > 0 ? request.MaxBytes : int.MaxValue;
        var minOneMessage = true;
        long total = 0;
        var severe = false;
        var failed = new bool[fetches.Count];
        for (var i = 0; i < fetches.Count; i++)
        {
            var fetch = fetches[i];
            var result = new PbFetchLogRespForBucket { BucketId = fetch.Bucket.Bucket };
            if (fetch.Bucket.PartitionId is { } pid) result.PartitionId = pid;
            tables[fetch.TableIndex].BucketsResp.Add(result);
            if (fetch.Error is not null)
            {
                SetError(result, fetch.Error.ErrorCode, fetch.Error.Message);
                failed[i] = true;
                severe |= IsCriticalFetchError(fetch.Error.ErrorCode);
                continue;
            }
            try
            {
                var replica = GetReplicaOrThrow(fetch.Bucket);
                var offset = fetch.Request.FetchOffset == FetchFromEarliestOffset ? replica.Log.LogStartOffset : fetch.Request.FetchOffset;
                var bucketMax = fetch.Request.MaxFetchBytes > 0 ? Math.Min(limitBytes, fetch.Request.MaxFetchBytes) : limitBytes;
                var data = replica.Read(offset, bucketMax, request.FollowerServerId, minOneMessage, fetch.Projection);
                var size = data.Records.Length;
                if (size > 0) minOneMessage = false;
                limitBytes = Math.Max(0, limitBytes - size);
                total += size;
                result.HighWatermark = data.Offsets.HighWatermark;
                result.LogStartOffset = data.Offsets.LogStartOffset;
                if (size > 0 && held is not null)
                {
                    // The response is serialized from the pooled buffer itself; the buffer is returned once sent.
                    result.Records = UnsafeByteOperations.UnsafeWrap(data.Records);
                    held.Add(data);
                }
                else
                {
                    result.Records = size > 0 ? ByteString.CopyFrom(data.Records.Span) : ByteString.Empty;
                    data.Dispose();
                }
            }
            catch (FlussException e)
            {
                SetError(result, e.ErrorCode, e.Message);
                failed[i] = true;
                severe |= IsCriticalFetchError(e.ErrorCode);
                if (IsUnexpected(e.ErrorCode)) _logger.FetchFailed(fetch.Bucket.ToString(), e.ErrorCode, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                SetError(result, FlussErrorCode.LogStorage, $"Error while reading the log of {fetch.Bucket}: {e.Message}");
                failed[i] = true;
                severe = true;
                _logger.ReadIoFailed(fetch.Bucket.ToString(), e);
            }
        }
        return new ReadOutcome(response, total, severe, failed, held);
    }

    /// <summary>Errors that answer a fetch at once instead of letting it wait (as Fluss: all but a moved or unknown bucket).</summary>
    private static bool IsCriticalFetchError(FlussErrorCode code) =>
        code is not (FlussErrorCode.NotLeaderOrFollower or FlussErrorCode.UnknownTableOrBucket);

    private static void SetError(PbFetchLogRespForBucket result, FlussErrorCode code, string message)
    {
        result.ErrorCode = (int)code;
        result.ErrorMessage = message;
    }
}
