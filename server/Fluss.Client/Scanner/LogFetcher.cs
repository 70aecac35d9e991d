using System.Diagnostics;
using System.Runtime.ExceptionServices;
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
/// server, long-polling (max wait, min bytes), with projection pushdown. Fetching and decoding overlap: each response
/// advances its buckets' offsets from the batch headers alone, so the next fetch goes out at once, while a decode
/// stage decompresses and decodes the records in arrival order and writes the batches into a bounded output channel.
/// The queue between the stages holds <see cref="DecodeQueueCapacity"/> responses, so when decoding or the reader
/// falls behind, fetching pauses. Leader changes and similar retriable errors refresh the metadata and retry after a
/// back-off; an offset out of range, a corrupt batch and other non-retriable errors end the scan with a typed error,
/// delivered after every batch of the responses received before it.
/// </summary>
internal sealed class LogFetcher
{
    /// <summary>Fetched responses waiting for the decode stage.</summary>
    internal const int DecodeQueueCapacity = 2;

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

    /// <summary>Runs both stages until every bucket reached its end, the scan failed, or it is cancelled; then completes the output.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<DecodeWork>(new BoundedChannelOptions(DecodeQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // Fetching also stops when decoding fails: nothing it fetches afterwards would be delivered.
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var decoding = DecodeLoopAsync(queue.Reader, fetching, cancellationToken);
            try
            {
                await FetchLoopAsync(queue.Writer, fetching.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (fetching.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // Behind the responses already queued, so the reader gets their batches first.
                try
                {
                    await queue.Writer.WriteAsync(new DecodeWork([], e), fetching.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                queue.Writer.TryComplete();
            }
            await decoding.ConfigureAwait(false);
        }
        finally
        {
            _output.TryComplete();
        }
    }

    /// <summary>
    /// The fetch stage: sends the fetches, walks each response's batch headers to move its buckets on, and queues the
    /// records for decoding. Returns when every bucket is done; throws what ends the scan.
    /// </summary>
    private async Task FetchLoopAsync(ChannelWriter<DecodeWork> queue, CancellationToken cancellationToken)
    {
        var inflight = new Dictionary<int, Task<FetchOutcome>>();
        var refresh = false;
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

            var segments = new List<DecodeSegment>();
            ExceptionDispatchInfo? failure = null;
            try
            {
                refresh |= Process(outcome, segments);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            // The buckets this response answered before a failing one still deliver their batches, as they are queued first.
            if (segments.Count > 0) await queue.WriteAsync(new DecodeWork(segments, null), cancellationToken).ConfigureAwait(false);
            failure?.Throw();
        }
    }

    /// <summary>
    /// Handles one fetch response without decoding it: moves each bucket's offset past the batches it returned (from
    /// their headers) and adds the records to decode to <paramref name="segments"/>. True when the metadata should be
    /// refreshed.
    /// </summary>
    private bool Process(FetchOutcome outcome, List<DecodeSegment> segments)
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
                var records = r.Records.Memory;
                var next = ScanDecoder.NextOffset(records, b.Bucket, b.Offset, b.End, out var hasRows);
                // Queued even without rows in range: the decoder still checks the CRC of the batches it steps over.
                segments.Add(new DecodeSegment(b.Bucket, records, b.Offset, b.End, b.HighWatermark, next));
                gotRecords |= hasRows;
                b.Offset = next;
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

    /// <summary>
    /// The decode stage: decodes the queued records in arrival order and writes their batches, then the error that
    /// ended the scan if any, to the output. A decode error stops the fetch stage too. Never throws; batches it could
    /// not hand over are disposed.
    /// </summary>
    private async Task DecodeLoopAsync(ChannelReader<DecodeWork> queue, CancellationTokenSource fetching, CancellationToken cancellationToken)
    {
        var batches = new List<ScanBatch>();
        try
        {
            while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (queue.TryRead(out var work))
                {
                    foreach (var segment in work.Segments)
                    {
                        batches.Clear();
                        try
                        {
                            var next = ScanDecoder.Decode(segment.Records, segment.Bucket, segment.FetchOffset, segment.End, segment.HighWatermark, _read, batches);
                            Debug.Assert(next == segment.NextOffset, "The decoder and the header walk must agree on the next offset.");
                        }
                        catch
                        {
                            foreach (var batch in batches) batch.Dispose();
                            throw;
                        }
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
                    if (work.Error is { } error)
                    {
                        await _output.WriteAsync(new FetchItem(null, error), cancellationToken).ConfigureAwait(false);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            await fetching.CancelAsync().ConfigureAwait(false);
            try
            {
                await _output.WriteAsync(new FetchItem(null, e), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception write) when (write is OperationCanceledException or ChannelClosedException)
            {
            }
        }
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

    /// <summary>One bucket's records of a response, with what decoding them needs.</summary>
    private readonly record struct DecodeSegment(int Bucket, ReadOnlyMemory<byte> Records, long FetchOffset, long? End, long HighWatermark, long NextOffset);

    /// <summary>What one response gives the decode stage: its buckets' records in request order, or the error that ended the scan.</summary>
    private sealed record DecodeWork(List<DecodeSegment> Segments, Exception? Error);

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
