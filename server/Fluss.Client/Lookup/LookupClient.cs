using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Microsoft.Extensions.Logging;

namespace Fluss.Client.Lookup;

/// <summary>
/// The lookups of one connection (Fluss's LookupClient and LookupSender): lookers queue encoded keys per bucket, and
/// one send loop turns ready batches into one Lookup or PrefixLookup request per leader, at most
/// <c>client.lookup.max-inflight-requests</c> at a time and at most two per tablet server (lookups that queue up
/// meanwhile travel together in the next request). Retriable errors refresh the metadata and resend after
/// the back-off, up to <c>client.lookup.max-retries</c> times and within the lookup timeout.
/// </summary>
internal sealed class LookupClient : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly FlussClientOptions _options;
    private readonly LookupQueue _queue;
    private readonly SendLoop _loop = new();
    private readonly SemaphoreSlim _inflight;
    private readonly LookupRoom _room;
    private readonly Dictionary<TablePath, long> _lastRefresh = [];
    private readonly ConcurrentDictionary<int, StrongBox<int>> _inflightByServer = new();
    private readonly ILogger _log;
    private int _disposed;

    public LookupClient(ClientContext context)
    {
        _context = context;
        _options = context.Options;
        _queue = new LookupQueue(_options.LookupMaxBatchSize, context.Time);
        _inflight = new SemaphoreSlim(_options.LookupMaxInflightRequests, _options.LookupMaxInflightRequests);
        _room = new LookupRoom(_options.LookupQueueSize);
        _log = context.CreateLogger("Fluss.Client.Lookup");
        _loop.Start(async token =>
        {
            await RunOnceAsync(token).ConfigureAwait(false);
            return true;
        }, _options.RetryBackoff, e => ClientLog.LookupLoopFailed(_log, e));
    }

    /// <summary>Looks up an encoded primary key in its bucket: the stored value, or null when absent.</summary>
    /// <exception cref="FlussException">The bucket's non-retriable error, or the last retriable one after the retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the answer came.</exception>
    public Task<ReadOnlyMemory<byte>?> LookupAsync(TablePath path, long tableId, int bucket, byte[] key, CancellationToken cancellationToken)
    {
        var query = new PointLookupQuery(new LookupTarget(path, tableId, bucket, LookupKind.PrimaryKey), key, _context.Time.GetTimestamp());
        var queued = EnqueueAsync(query, cancellationToken);
        return queued.IsCompletedSuccessfully ? query.Result : AfterQueuedAsync(queued, query.Result);
    }

    /// <summary>Looks up an encoded bucket-key prefix in its bucket: every stored value whose key starts with it.</summary>
    /// <exception cref="FlussException">The bucket's non-retriable error, or the last retriable one after the retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the answer came.</exception>
    public Task<IReadOnlyList<ReadOnlyMemory<byte>>> PrefixLookupAsync(TablePath path, long tableId, int bucket, byte[] prefix, CancellationToken cancellationToken)
    {
        var query = new PrefixLookupQuery(new LookupTarget(path, tableId, bucket, LookupKind.Prefix), prefix, _context.Time.GetTimestamp());
        var queued = EnqueueAsync(query, cancellationToken);
        return queued.IsCompletedSuccessfully ? query.Result : AfterQueuedAsync(queued, query.Result);
    }

    private static async Task<T> AfterQueuedAsync<T>(ValueTask queued, Task<T> result)
    {
        await queued.ConfigureAwait(false);
        return await result.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues the lookup once the queue has room (<c>client.lookup.queue-size</c> bounds the lookups not yet
    /// answered; more wait for room). Completes at once, without a lock, while there is room.
    /// </summary>
    private ValueTask EnqueueAsync(LookupQuery query, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0) return ValueTask.FromException(new ObjectDisposedException(nameof(LookupClient)));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        var room = _room.EnterAsync(cancellationToken);
        if (!room.IsCompletedSuccessfully) return EnqueueAfterRoomAsync(room, query, cancellationToken);
        Enqueue(query, cancellationToken);
        return ValueTask.CompletedTask;
    }

    private async ValueTask EnqueueAfterRoomAsync(ValueTask room, LookupQuery query, CancellationToken cancellationToken)
    {
        await room.ConfigureAwait(false);
        Enqueue(query, cancellationToken);
    }

    /// <summary>Queues a lookup that holds a place of the room; the place is given back when the lookup completes.</summary>
    private void Enqueue(LookupQuery query, CancellationToken cancellationToken)
    {
        query.Occupy(_room);
        query.CancelWith(cancellationToken);
        try
        {
            // Only the first lookup since the send loop last looked wakes it.
            if (_queue.Add(query)) _loop.Wake.Set();
        }
        catch (ObjectDisposedException e)
        {
            query.Fail(e);
            return;
        }
        // Closed while queueing: disposal may have swept the queue before this lookup arrived.
        if (_queue.IsClosed) query.Fail(Closed());
    }

    private static ObjectDisposedException Closed() =>
        new(nameof(FlussConnection), "The connection was closed before the lookup was answered.");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Close();
        await _loop.DisposeAsync().ConfigureAwait(false);
        var closed = Closed();
        foreach (var query in _queue.RemoveWhere(static (_, _) => true)) query.Fail(closed);
    }

    private async Task RunOnceAsync(CancellationToken token)
    {
        ExpireLookups();
        var cluster = _context.Metadata.Cluster;
        int? LeaderOf(LookupTarget t) =>
            cluster.Tables.TryGetValue(t.Path, out var table) && table.TableId == t.TableId
            && table.LeaderOf(t.Bucket) is { } leader && cluster.TabletServer(leader) is not null ? leader : null;

        var ready = _queue.Ready(LeaderOf);
        if (ready.UnknownLeaders.Count > 0 && await RefreshAsync(ready.UnknownLeaders, token).ConfigureAwait(false)) return;

        var sent = false;
        foreach (var node in ready.Nodes)
        {
            // Lookups that arrive while a server has requests in flight wait for one of them to come back and then
            // travel together: at most a few requests per server, so that concurrent lookups share requests
            // instead of each paying a round trip of its own.
            if (InflightTo(node, 0) >= MaxInflightPerServer) continue;
            foreach (var group in _queue.Drain(node, LeaderOf))
            {
                await _inflight.WaitAsync(token).ConfigureAwait(false);
                InflightTo(node, +1);
                var request = SendAsync(node, group, token);
                _loop.Track(request);
                sent = true;
            }
        }
        if (sent) return;
        var wait = ready.NextCheck;
        if (ready.UnknownLeaders.Count > 0 && (wait == Timeout.InfiniteTimeSpan || wait > _options.RetryBackoff)) wait = _options.RetryBackoff;
        await _loop.Wake.WaitAsync(wait, _context.Time, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Requests a lookup client keeps in flight to one tablet server; lookups queued meanwhile share the next one.
    /// Two keep the server busy while an answer travels back; more would let every lookup under moderate
    /// concurrency travel alone and pay a whole request (measured: 2.3x the throughput and a fifth of the
    /// allocations of one request per lookup at 64 concurrent lookups).
    /// </summary>
    internal const int MaxInflightPerServer = 2;

    /// <summary>Adds <paramref name="delta"/> to the requests in flight to <paramref name="node"/> and returns the new count (without a lock).</summary>
    private int InflightTo(int node, int delta)
    {
        var count = _inflightByServer.GetOrAdd(node, static _ => new StrongBox<int>());
        return Math.Max(0, delta == 0 ? Volatile.Read(ref count.Value) : Interlocked.Add(ref count.Value, delta));
    }

    /// <summary>Fails lookups that waited longer than the lookup timeout (no leader, or failing retries).</summary>
    private void ExpireLookups()
    {
        var time = _context.Time;
        var timeout = _options.LookupTimeout;
        foreach (var query in _queue.RemoveWhere((q, now) => time.GetElapsedTime(q.CreatedAt, now) >= timeout))
        {
            var target = query.Target;
            query.Fail(query.LastError is { } last
                ? FlussException.Create(last.ErrorCode, $"{last.Message} (bucket {target.Bucket} of {target.Path}: no answer within the lookup timeout of {timeout.TotalSeconds:0.###} s)")
                : new FlussException(FlussErrorCode.RequestTimeOut,
                    $"The lookup in bucket {target.Bucket} of {target.Path} got no answer within {timeout.TotalSeconds:0.###} s (no leader was available)."));
        }
    }

    /// <summary>
    /// Refreshes the tables with unknown leaders (each at most once per back-off); lookups of tables that no longer
    /// exist or were re-created fail. True when the loop should start over.
    /// </summary>
    private async Task<bool> RefreshAsync(IReadOnlySet<TablePath> paths, CancellationToken token)
    {
        var now = _context.Time.GetTimestamp();
        var due = paths.Where(p => !_lastRefresh.TryGetValue(p, out var last) || _context.Time.GetElapsedTime(last, now) >= _options.RetryBackoff).ToList();
        if (due.Count == 0) return false;
        foreach (var p in due) _lastRefresh[p] = now;
        foreach (var path in due)
        {
            try
            {
                var table = await _context.Metadata.RefreshTableAsync(path, token).ConfigureAwait(false);
                FailWhere(q => q.Target.Path == path && q.Target.TableId != table.TableId, () => new TableNotExistException(
                    $"Table {path} was dropped and re-created (table id is now {table.TableId}); get the table again to look up its rows."));
            }
            catch (TableNotExistException e)
            {
                FailWhere(q => q.Target.Path == path, () => e);
            }
            catch (FlussException e) when (e.IsRetriable)
            {
                ClientLog.MetadataRequestFailed(_log, "cluster", e.Message);
            }
        }
        return true;
    }

    private void FailWhere(Func<LookupQuery, bool> predicate, Func<Exception> error)
    {
        foreach (var query in _queue.RemoveWhere((q, _) => predicate(q))) query.Fail(error());
    }

    private async Task SendAsync(int node, LookupRequestGroup group, CancellationToken token)
    {
        try
        {
            IReadOnlyDictionary<int, BucketReply> replies;
            try
            {
                var server = _context.Metadata.Cluster.TabletServer(node)
                    ?? throw new FlussException(FlussErrorCode.LeaderNotAvailable, $"Tablet server {node} is not in the client's metadata.");
                replies = await CallAsync(server, group, token).ConfigureAwait(false);
            }
            catch (FlussException e)
            {
                foreach (var queries in group.Buckets.Values) HandleError(queries, e);
                return;
            }
            catch (OperationCanceledException)
            {
                var closed = Closed();
                foreach (var query in group.Buckets.Values.SelectMany(q => q)) query.Fail(closed);
                return;
            }

            foreach (var (bucket, queries) in group.Buckets)
            {
                if (!replies.TryGetValue(bucket, out var reply))
                {
                    HandleError(queries, new FlussException(FlussErrorCode.UnknownServerError, $"Tablet server {node} answered the lookup without a result for bucket {bucket} of {group.Path}."));
                    continue;
                }
                if (reply.Error is { } error)
                {
                    HandleError(queries, error);
                    continue;
                }
                for (var i = 0; i < queries.Count; i++)
                {
                    if (!queries[i].TryComplete(reply, i))
                        queries[i].Fail(new FlussException(FlussErrorCode.UnknownServerError,
                            $"Tablet server {node} answered fewer results than the {queries.Count} keys looked up in bucket {bucket} of {group.Path}."));
                }
            }
        }
        finally
        {
            InflightTo(node, -1);
            _inflight.Release();
            _loop.Wake.Set();
        }
    }

    private async Task<IReadOnlyDictionary<int, BucketReply>> CallAsync(ServerNode server, LookupRequestGroup group, CancellationToken token)
    {
        var client = _context.Channels.Tablet(server);
        var timeout = _options.RequestTimeout;
        var replies = new Dictionary<int, BucketReply>(group.Buckets.Count);
        if (group.Kind == LookupKind.PrimaryKey)
        {
            var request = (LookupRequest)group.ToRequest();
            var response = await RpcCall.InvokeAsync(o => client.LookupAsync(request, o), server, timeout, token).ConfigureAwait(false);
            foreach (var r in response.BucketsResp)
                replies[r.BucketId] = new BucketReply(RpcCall.BucketError(r.HasErrorCode, r.ErrorCode, r.HasErrorMessage, r.ErrorMessage), r.Values, null);
        }
        else
        {
            var request = (PrefixLookupRequest)group.ToRequest();
            var response = await RpcCall.InvokeAsync(o => client.PrefixLookupAsync(request, o), server, timeout, token).ConfigureAwait(false);
            foreach (var r in response.BucketsResp)
                replies[r.BucketId] = new BucketReply(RpcCall.BucketError(r.HasErrorCode, r.ErrorCode, r.HasErrorMessage, r.ErrorMessage), null, r.ValueLists);
        }
        return replies;
    }

    /// <summary>Resends the lookups after the back-off when the error is retriable and they have retries left; fails them otherwise.</summary>
    private void HandleError(List<LookupQuery> queries, FlussException error)
    {
        if (queries.Count == 0) return;
        var target = queries[0].Target;
        if (error.IsRetriable && RpcCall.InvalidatesMetadata(error.ErrorCode)) _context.Metadata.InvalidateTable(target.Path);
        var retried = 0;
        foreach (var query in queries)
        {
            // Cancelled by its caller meanwhile: nothing to retry or fail.
            if (query.IsDone) continue;
            var age = _context.Time.GetElapsedTime(query.CreatedAt);
            if (error.IsRetriable && query.Retries < _options.LookupMaxRetries && age < _options.LookupTimeout)
            {
                query.Retries++;
                query.LastError = error;
                _queue.Retry(query, _options.RetryBackoff);
                retried++;
            }
            else
            {
                query.Fail(error.IsRetriable
                    ? FlussException.Create(error.ErrorCode, $"{error.Message} (bucket {target.Bucket} of {target.Path}: gave up after {query.Retries + 1} attempts)")
                    : error);
            }
        }
        if (retried > 0) ClientLog.LookupRetry(_log, retried, target.Bucket, target.Path.ToString(), $"{error.ErrorCode}: {error.Message}");
    }
}
