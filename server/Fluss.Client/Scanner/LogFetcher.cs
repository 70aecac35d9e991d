using System.Threading.Channels;
using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Microsoft.Extensions.Logging;

namespace Fluss.Client.Scanner;

/// <summary>A decoded batch for the reader, or the error that ended the scan.</summary>
internal readonly record struct FetchItem(ScanBatch? Batch, Exception? Error);

/// <summary>
/// Fetches a table's subscribed buckets from their leaders (Fluss's LogFetcher): one FetchLog request in flight per
/// server, long-polling (max wait, min bytes), with projection pushdown. Decoded batches go into a bounded channel;
/// when the reader falls behind, fetching pauses. Leader changes and similar retriable errors refresh the metadata
/// and retry after a back-off; an offset out of range and other non-retriable errors end the scan with a typed error.
/// </summary>
internal sealed class LogFetcher
{
    private readonly ClientContext _context;
    private readonly FlussClientOptions _options;
    private readonly TablePath _path;
    private readonly long _tableId;
    private readonly ReadContext _read;
    private readonly Dictionary<int, BucketFetch> _buckets;
    private readonly ChannelWriter<FetchItem> _output;
    private readonly ILogger _log;

    public LogFetcher(
        ClientContext context, TableInfo table, ReadContext read, IReadOnlyDictionary<int, long> positions,
        IReadOnlyDictionary<int, long>? endOffsets, ChannelWriter<FetchItem> output)
    {
        _context = context;
        _options = context.Options;
        _path = table.TablePath;
        _tableId = table.TableId;
        _read = read;
        _output = output;
        _log = context.CreateLogger("Fluss.Client.Scanner");
        _buckets = positions.ToDictionary(p => p.Key, p =>
        {
            long? end = endOffsets is not null && endOffsets.TryGetValue(p.Key, out var e) ? e : null;
            return new BucketFetch(p.Key, p.Value, end);
        });
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var inflight = new Dictionary<int, Task<FetchOutcome>>();
        var refresh = false;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_buckets.Values.All(b => b.Done)) return;

                if (refresh)
                {
                    refresh = false;
                    try
                    {
                        await _context.Metadata.RefreshTableAsync(_path, cancellationToken).ConfigureAwait(false);
                    }
                    catch (FlussException e) when (e.IsRetriable)
                    {
                        ClientLog.FetchFailed(_log, _path.ToString(), "cluster", e.Message);
                    }
                }

                var cluster = _context.Metadata.Cluster;
                if (!cluster.Tables.TryGetValue(_path, out var table))
                {
                    table = await _context.Metadata.RefreshTableAsync(_path, cancellationToken).ConfigureAwait(false);
                    cluster = _context.Metadata.Cluster;
                }
                if (table.TableId != _tableId)
                    throw new TableNotExistException($"Table {_path} was dropped and re-created (table id {_tableId} is now {table.TableId}); scan the new table with a new scanner.");

                var now = TimeProvider.System.GetTimestamp();
                var waiting = false;
                var requests = new Dictionary<ServerNode, List<BucketFetch>>();
                foreach (var b in _buckets.Values)
                {
                    if (b.Done || b.InFlight) continue;
                    if (b.NotBefore > now)
                    {
                        waiting = true;
                        continue;
                    }
                    if (table.LeaderOf(b.Bucket) is not { } leader || cluster.TabletServer(leader) is not { } server)
                    {
                        refresh = true;
                        waiting = true;
                        b.NotBefore = now + Ticks(_options.RetryBackoff);
                        continue;
                    }
                    if (inflight.ContainsKey(server.Id)) continue;
                    (requests.TryGetValue(server, out var list) ? list : requests[server] = []).Add(b);
                }
                foreach (var (server, list) in requests)
                {
                    foreach (var b in list) b.InFlight = true;
                    inflight[server.Id] = FetchAsync(server, list, cancellationToken);
                }

                if (inflight.Count == 0)
                {
                    await Task.Delay(_options.RetryBackoff, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var candidates = inflight.Values.Cast<Task>().ToList();
                if (waiting) candidates.Add(Task.Delay(_options.RetryBackoff, cancellationToken));
                var finished = await Task.WhenAny(candidates).ConfigureAwait(false);
                if (finished is not Task<FetchOutcome> fetch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }
                var outcome = await fetch.ConfigureAwait(false);
                inflight.Remove(outcome.Server.Id);
                refresh |= await ProcessAsync(outcome, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            try
            {
                await _output.WriteAsync(new FetchItem(null, e), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception write) when (write is OperationCanceledException or ChannelClosedException)
            {
            }
        }
        finally
        {
            _output.TryComplete();
        }
    }

    /// <summary>Handles one fetch response; true when the metadata should be refreshed.</summary>
    private async Task<bool> ProcessAsync(FetchOutcome outcome, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetTimestamp();
        foreach (var b in outcome.Buckets) b.InFlight = false;
        if (outcome.Error is { } error)
        {
            if (!error.IsRetriable) throw error;
            ClientLog.FetchFailed(_log, _path.ToString(), outcome.Server.ToString(), error.Message);
            foreach (var b in outcome.Buckets) b.NotBefore = now + Ticks(_options.RetryBackoff);
            return RpcCall.InvalidatesMetadata(error.ErrorCode);
        }

        var refresh = false;
        var gotRecords = false;
        var results = outcome.Response!.TablesResp.Where(t => t.TableId == _tableId).SelectMany(t => t.BucketsResp).ToDictionary(r => r.BucketId);
        foreach (var b in outcome.Buckets)
        {
            if (!results.TryGetValue(b.Bucket, out var r)) continue;
            if (r.HasErrorCode && r.ErrorCode != 0)
            {
                var code = FlussErrors.FromCode(r.ErrorCode);
                var message = r.HasErrorMessage && r.ErrorMessage.Length > 0 ? r.ErrorMessage : FlussErrors.DefaultMessage(code);
                if (code == FlussErrorCode.LogOffsetOutOfRange)
                    throw new LogOffsetOutOfRangeException(
                        $"Offset {b.Offset} of bucket {b.Bucket} of {_path} is out of range: {message} The records may have been removed by retention; start the scan from StartPosition.Earliest or a valid offset.");
                var e = FlussException.Create(code, $"Fetching bucket {b.Bucket} of {_path} from {outcome.Server} failed: {message}");
                if (!e.IsRetriable) throw e;
                ClientLog.FetchFailed(_log, _path.ToString(), outcome.Server.ToString(), e.Message);
                b.NotBefore = now + Ticks(_options.RetryBackoff);
                refresh |= RpcCall.InvalidatesMetadata(code);
                continue;
            }
            if (r.HasHighWatermark) b.HighWatermark = r.HighWatermark;
            if (r.HasRecords && !r.Records.IsEmpty)
            {
                var batches = new List<ScanBatch>();
                try
                {
                    b.Offset = ScanDecoder.Decode(r.Records.Memory, b.Bucket, b.Offset, b.End, b.HighWatermark, _read, batches);
                }
                catch
                {
                    foreach (var batch in batches) batch.Dispose();
                    throw;
                }
                gotRecords |= batches.Count > 0;
                for (var i = 0; i < batches.Count; i++)
                {
                    try
                    {
                        await _output.WriteAsync(new FetchItem(batches[i], null), cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        for (var j = i; j < batches.Count; j++) batches[j].Dispose();
                        throw;
                    }
                }
            }
            if (b.End is { } end && b.Offset >= end) b.Done = true;
        }

        // A server that answers at once without data (no long poll) must not be asked again in a tight loop.
        if (!gotRecords && outcome.Elapsed < _options.FetchMaxWait)
        {
            var pause = Ticks(_options.FetchMaxWait - outcome.Elapsed < _options.RetryBackoff ? _options.FetchMaxWait - outcome.Elapsed : _options.RetryBackoff);
            foreach (var b in outcome.Buckets)
            {
                if (!b.Done && b.NotBefore < now + pause) b.NotBefore = now + pause;
            }
        }
        return refresh;
    }

    private async Task<FetchOutcome> FetchAsync(ServerNode server, List<BucketFetch> buckets, CancellationToken cancellationToken)
    {
        var request = new FetchLogRequest
        {
            FollowerServerId = -1,
            MaxBytes = _options.FetchMaxBytes,
            MaxWaitMs = (int)Math.Min(int.MaxValue, _options.FetchMaxWait.TotalMilliseconds),
            MinBytes = _options.FetchMinBytes,
        };
        var forTable = new PbFetchLogReqForTable { TableId = _tableId, ProjectionPushdownEnabled = _read.Projection is not null };
        if (_read.Projection is { } projection) forTable.ProjectedFields.AddRange(projection.PushedDown);
        foreach (var b in buckets)
            forTable.BucketsReq.Add(new PbFetchLogReqForBucket { BucketId = b.Bucket, FetchOffset = b.Offset, MaxFetchBytes = _options.FetchMaxBytesForBucket });
        request.TablesReq.Add(forTable);

        var started = TimeProvider.System.GetTimestamp();
        try
        {
            var response = await RpcCall.InvokeAsync(
                o => _context.Channels.Tablet(server).FetchLogAsync(request, o), server, _options.RequestTimeout + _options.FetchMaxWait, cancellationToken).ConfigureAwait(false);
            return new FetchOutcome(server, buckets, response, null, TimeProvider.System.GetElapsedTime(started));
        }
        catch (FlussException e)
        {
            return new FetchOutcome(server, buckets, null, e, TimeProvider.System.GetElapsedTime(started));
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * TimeProvider.System.TimestampFrequency);

    private sealed record FetchOutcome(ServerNode Server, List<BucketFetch> Buckets, FetchLogResponse? Response, FlussException? Error, TimeSpan Elapsed);

    private sealed class BucketFetch(int bucket, long offset, long? end)
    {
        public int Bucket { get; } = bucket;

        public long Offset { get; set; } = offset;

        public long? End { get; } = end;

        public long HighWatermark { get; set; } = -1;

        public long NotBefore { get; set; }

        public bool InFlight { get; set; }

        public bool Done { get; set; } = end is { } e && offset >= e;
    }
}
