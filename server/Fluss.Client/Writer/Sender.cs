using Fluss.Client.Internal;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Microsoft.Extensions.Logging;

namespace Fluss.Client.Writer;

/// <summary>
/// The send loop of one writer (Fluss's Sender): gets a writer id when idempotent, refreshes metadata when leaders
/// are unknown or stale, drains ready batches per leader into one request (ProduceLog or PutKv, by the writer's
/// <see cref="WriteRpc"/>), and handles each bucket's result:
/// acknowledge, retry the same bytes after a back-off (metadata refreshed first when the error says it is stale),
/// or fail the rows with the typed error.
/// </summary>
internal sealed class Sender : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly TablePath _path;
    private readonly string _pathText;
    private readonly long _tableId;
    private readonly RecordAccumulator _accumulator;
    private readonly WriteRpc _rpc;
    private readonly FlussClientOptions _options;
    private readonly ILogger _log;
    private readonly SendLoop _loop = new();
    private volatile bool _metadataStale;
    private long _lastRefresh;

    public Sender(ClientContext context, TableInfo table, RecordAccumulator accumulator, WriteRpc rpc)
    {
        _context = context;
        _options = context.Options;
        _path = table.TablePath;
        _pathText = _path.ToString();
        _tableId = table.TableId;
        _accumulator = accumulator;
        _rpc = rpc;
        _log = context.CreateLogger("Fluss.Client.Writer");
        accumulator.Wakeup = _loop.Wake.Set;
    }

    public void Start() => _loop.Start(async token =>
    {
        if (_accumulator.IsClosed && !_accumulator.HasIncomplete) return false;
        await RunOnceAsync(token).ConfigureAwait(false);
        return true;
    }, _options.RetryBackoff, e => ClientLog.SenderLoopFailed(_log, e, _path.ToString()));

    public void Wakeup() => _loop.Wake.Set();

    /// <summary>Waits until every batch is acknowledged or failed, at most <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForDrainAsync(TimeSpan timeout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (_accumulator.HasIncomplete)
        {
            var left = timeout - TimeProvider.System.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return false;
            var pending = _accumulator.Incomplete().Select(b => b.Completion).ToArray();
            if (pending.All(t => t.IsCompleted))
            {
                // Acknowledged batches whose bookkeeping is under way: let it finish.
                await Task.Yield();
                continue;
            }
            try
            {
                await Task.WhenAll(pending).WaitAsync(left).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync().ConfigureAwait(false);
        _rpc.Dispose();
    }

    private async Task RunOnceAsync(CancellationToken token)
    {
        _accumulator.ExpireBatches();

        if (_accumulator.NeedsWriterId && !await InitWriterIdAsync(token).ConfigureAwait(false))
        {
            await _loop.Wake.WaitAsync(_options.RetryBackoff, _context.Time, token).ConfigureAwait(false);
            return;
        }

        var cluster = _context.Metadata.Cluster;
        cluster.Tables.TryGetValue(_path, out var table);
        if (table is not null && table.TableId != _tableId)
        {
            _accumulator.AbortAll(new TableNotExistException(
                $"Table {_path} was dropped and re-created (table id {_tableId} is now {table.TableId}); create a new writer for the new table."));
            return;
        }
        int? LeaderOf(int bucket) => table?.LeaderOf(bucket) is { } leader && cluster.TabletServer(leader) is not null ? leader : null;

        var ready = _accumulator.Ready(LeaderOf);
        if (ready.UnknownLeaders || _metadataStale)
        {
            if (await RefreshMetadataAsync(token).ConfigureAwait(false)) return;
        }

        var sent = false;
        foreach (var node in ready.Nodes)
        {
            var batches = _accumulator.Drain(node, LeaderOf, _options.WriterRequestMaxSize);
            if (batches.Count == 0) continue;
            try
            {
                foreach (var batch in batches) _rpc.EnsurePayload(batch);
            }
            catch
            {
                _accumulator.EndSend(batches);
                throw;
            }
            var request = SendAsync(node, batches, token);
            _loop.Track(request);
            sent = true;
        }

        if (!sent)
        {
            var wait = ready.NextCheck;
            if (ready.UnknownLeaders && (wait == Timeout.InfiniteTimeSpan || wait > _options.RetryBackoff)) wait = _options.RetryBackoff;
            await _loop.Wake.WaitAsync(wait, _context.Time, token).ConfigureAwait(false);
        }
    }

    /// <summary>Refreshes the table's metadata at most once per back-off; true when the loop should start over.</summary>
    private async Task<bool> RefreshMetadataAsync(CancellationToken token)
    {
        var now = _context.Time.GetTimestamp();
        if (_lastRefresh != 0 && _context.Time.GetElapsedTime(_lastRefresh, now) < _options.RetryBackoff) return false;
        _lastRefresh = now;
        _metadataStale = false;
        try
        {
            await _context.Metadata.RefreshTableAsync(_path, token).ConfigureAwait(false);
            return true;
        }
        catch (TableNotExistException e)
        {
            _accumulator.AbortAll(e);
            return true;
        }
        catch (FlussException e) when (e.IsRetriable)
        {
            ClientLog.MetadataRequestFailed(_log, "cluster", e.Message);
            return false;
        }
    }

    private async Task<bool> InitWriterIdAsync(CancellationToken token)
    {
        var request = new InitWriterRequest();
        request.TablePath.Add(FlussAdmin.ToProto(_path));
        try
        {
            var response = await _context.CallCoordinatorAsync(
                (s, o) => _context.Channels.Coordinator(s).InitWriterAsync(request, o), idempotent: true, token).ConfigureAwait(false);
            ClientLog.WriterIdAssigned(_log, _path.ToString(), response.WriterId);
            _accumulator.SetWriterId(response.WriterId);
            return true;
        }
        catch (FlussException e) when (e.IsRetriable)
        {
            ClientLog.WriterIdFailed(_log, _path.ToString(), e.Message);
            return false;
        }
        catch (FlussException e)
        {
            ClientLog.WriterIdFailed(_log, _path.ToString(), e.Message);
            _accumulator.AbortAll(FlussException.Create(e.ErrorCode, $"Getting a writer id for idempotent writes to {_path} failed: {e.Message}"));
            return false;
        }
    }

    /// <summary>Sends the drained <paramref name="batches"/>, handles the answer, then lets go of their payloads.</summary>
    private async Task SendAsync(int node, List<WriteBatch> batches, CancellationToken token)
    {
        try
        {
            await SendDrainedAsync(node, batches, token).ConfigureAwait(false);
        }
        finally
        {
            _accumulator.EndSend(batches);
        }
    }

    private async Task SendDrainedAsync(int node, List<WriteBatch> batches, CancellationToken token)
    {
        var live = new List<WriteBatch>(batches.Count);
        foreach (var batch in batches)
        {
            if (batch.IsDone) continue;
            if (batch.Payload.Length > _options.WriterRequestMaxSize)
            {
                Handle(batch, new RecordTooLargeException(
                    $"A batch of {batch.RecordCount} rows for bucket {batch.Bucket} of {_path} is {batch.Payload.Length} bytes, more than client.writer.request-max-size ({_options.WriterRequestMaxSize}); append smaller rows or raise the limit."));
                continue;
            }
            live.Add(batch);
        }
        if (live.Count == 0) return;

        var server = _context.Metadata.Cluster.TabletServer(node);
        if (server is null)
        {
            foreach (var batch in live)
                Handle(batch, new FlussException(FlussErrorCode.LeaderNotAvailable, $"Tablet server {node} is not in the client's metadata."));
            return;
        }

        IReadOnlyDictionary<int, BucketWriteResult> results;
        var sentAt = TimeProvider.System.GetTimestamp();
        try
        {
            results = await _rpc.SendAsync(_context.Channels.Tablet(server), server, _tableId, live, token).ConfigureAwait(false);
        }
        catch (FlussException e)
        {
            foreach (var batch in live) Handle(batch, e);
            return;
        }
        catch (OperationCanceledException)
        {
            foreach (var batch in live)
                _accumulator.Fail(batch, new FlussException(FlussErrorCode.Network, $"The writer for {_path} was closed before bucket {batch.Bucket} acknowledged the rows."), adjustSequences: false);
            return;
        }

        var latencyMs = TimeProvider.System.GetElapsedTime(sentAt).TotalMilliseconds;
        List<(WriteBatch, long)>? acknowledged = null;
        foreach (var batch in live)
        {
            if (!results.TryGetValue(batch.Bucket, out var r))
                Handle(batch, new FlussException(FlussErrorCode.UnknownServerError, $"{server} answered the write request without a result for bucket {batch.Bucket}."));
            else if (r.Error is { } error)
                Handle(batch, error);
            else
            {
                ClientMetrics.BatchAcknowledged(_pathText, latencyMs, batch.RecordCount, batch.Payload.Length);
                (acknowledged ??= new List<(WriteBatch, long)>(live.Count)).Add((batch, _options.WriterAcks == 0 ? -1 : r.Offset));
            }
        }
        if (acknowledged is not null) _accumulator.Complete(acknowledged);
    }

    private void Handle(WriteBatch batch, FlussException error)
    {
        if (error.ErrorCode == FlussErrorCode.DuplicateSequence
            || (error.ErrorCode == FlussErrorCode.OutOfOrderSequence && _accumulator.IsAlreadyCommitted(batch)))
        {
            // The server already has this batch: an earlier attempt was appended but its answer was lost.
            _accumulator.Complete(batch, -1);
            return;
        }

        var age = _context.Time.GetElapsedTime(batch.CreatedAt);
        var retriable = error.IsRetriable
            || (_options.EnableIdempotence && error.ErrorCode == FlussErrorCode.OutOfOrderSequence && !batch.SentAsNextSequence);
        var attemptsLeft = batch.Attempts <= _options.WriterRetries;
        if (retriable && attemptsLeft && age < _options.WriterDeliveryTimeout)
        {
            ClientLog.RetryingBatch(_log, batch.RecordCount, batch.Bucket, _path.ToString(), $"{error.ErrorCode}: {error.Message}", batch.Attempts + 1);
            if (RpcCall.InvalidatesMetadata(error.ErrorCode))
            {
                _context.Metadata.InvalidateTable(_path);
                _metadataStale = true;
            }
            _accumulator.Retry(batch, error);
            return;
        }

        var failure = retriable
            ? FlussException.Create(error.ErrorCode, $"{error.Message} (bucket {batch.Bucket} of {_path}: gave up after {batch.Attempts} attempts in {age.TotalSeconds:0.###} s)")
            : error;
        ClientLog.BatchFailed(_log, batch.RecordCount, batch.Bucket, _path.ToString(), $"{failure.ErrorCode}: {failure.Message}");
        // The server did not take a batch rejected with a non-retriable error, so later sequences can move down;
        // after exhausted retries that is unknown, and the writer id is renewed instead.
        _accumulator.Fail(batch, failure, adjustSequences: !retriable);
    }
}
