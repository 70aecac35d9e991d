using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Fluss.Client.Internal;

/// <summary>What a connection shares with its admin, writers and scanners: options, channels, metadata.</summary>
internal sealed class ClientContext : IDisposable
{
    private readonly ILogger _log;

    public ClientContext(FlussClientOptions options)
    {
        Options = options;
        Channels = new RpcChannels(options.RequestTimeout);
        Metadata = new MetadataUpdater(Channels, options);
        _log = options.LoggerFactory.CreateLogger("Fluss.Client.Admin");
    }

    public FlussClientOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    public RpcChannels Channels { get; }

    public MetadataUpdater Metadata { get; }

    public ILogger CreateLogger(string category) => Options.LoggerFactory.CreateLogger(category);

    public void Dispose()
    {
        Channels.Dispose();
        Metadata.Dispose();
    }

    /// <summary>
    /// Calls the coordinator within the request timeout. When the coordinator cannot be reached the client looks it up
    /// again and retries: always when the request was never sent (connection refused), and for any network error when
    /// <paramref name="idempotent"/> (read-only calls).
    /// </summary>
    /// <exception cref="FlussException">The coordinator's error, or NETWORK when no coordinator answers within the timeout.</exception>
    public async Task<T> CallCoordinatorAsync<T>(Func<ServerNode, CallOptions, AsyncUnaryCall<T>> call, bool idempotent, CancellationToken cancellationToken)
    {
        var timeout = Options.RequestTimeout;
        var started = TimeProvider.System.GetTimestamp();
        var backoff = Options.RetryBackoff;
        while (true)
        {
            var coordinator = Metadata.Cluster.Coordinator;
            if (coordinator is null)
            {
                await Metadata.RefreshServersAsync(Remaining(), cancellationToken).ConfigureAwait(false);
                coordinator = Metadata.Cluster.Coordinator ?? throw new FlussException(FlussErrorCode.Network,
                    "No coordinator is known to the cluster's servers; check that the coordinator server is running.");
            }
            try
            {
                return await RpcCall.InvokeAsync(o => call(coordinator, o), coordinator, Remaining(), cancellationToken).ConfigureAwait(false);
            }
            catch (FlussException e) when (e.ErrorCode == FlussErrorCode.Network && (idempotent || RpcCall.IsConnectFailure(e)))
            {
                ClientLog.AdminRetry(_log, coordinator.ToString(), e.Message);
                if (Remaining() <= backoff) throw;
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = backoff * 2 < TimeSpan.FromSeconds(1) ? backoff * 2 : TimeSpan.FromSeconds(1);
                try
                {
                    await Metadata.RefreshServersAsync(Remaining(), cancellationToken).ConfigureAwait(false);
                }
                catch (FlussException refresh) when (refresh.IsRetriable)
                {
                    throw e;
                }
            }
        }

        TimeSpan Remaining()
        {
            var left = timeout - TimeProvider.System.GetElapsedTime(started);
            return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
        }
    }

    /// <summary>
    /// Lists an offset of each bucket from its leader (ListOffsets: 0 earliest, 1 latest = high watermark, 2 by
    /// timestamp), following leader changes within the request timeout.
    /// </summary>
    /// <exception cref="FlussException">A bucket's non-retriable error, or the last retriable one at the timeout.</exception>
    public async Task<Dictionary<int, long>> ListOffsetsAsync(
        TablePath path, IReadOnlyCollection<int> buckets, int offsetType, long? timestamp, CancellationToken cancellationToken)
    {
        var table = await Metadata.GetTableAsync(path, cancellationToken).ConfigureAwait(false);
        foreach (var b in buckets)
        {
            if ((uint)b >= (uint)table.Info.NumBuckets)
                throw new ArgumentOutOfRangeException(nameof(buckets), b, $"Table {path} has buckets 0 to {table.Info.NumBuckets - 1}.");
        }

        var started = TimeProvider.System.GetTimestamp();
        var result = new Dictionary<int, long>();
        var pending = new HashSet<int>(buckets);
        FlussException? last = null;
        var refresh = false;
        while (pending.Count > 0)
        {
            var left = Options.RequestTimeout - TimeProvider.System.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
                throw last ?? new FlussException(FlussErrorCode.LeaderNotAvailable, $"No leader of buckets {string.Join(", ", pending)} of {path} is available.");
            if (refresh)
            {
                await Task.Delay(Options.RetryBackoff, cancellationToken).ConfigureAwait(false);
                table = await Metadata.RefreshTableAsync(path, cancellationToken).ConfigureAwait(false);
                refresh = false;
            }

            var cluster = Metadata.Cluster;
            var byLeader = new Dictionary<int, List<int>>();
            foreach (var b in pending)
            {
                if (table.LeaderOf(b) is { } leader && cluster.TabletServer(leader) is not null)
                    (byLeader.TryGetValue(leader, out var list) ? list : byLeader[leader] = []).Add(b);
                else
                    refresh = true;
            }
            if (refresh && last is null)
                last = new FlussException(FlussErrorCode.LeaderNotAvailable, $"No leader of some buckets of {path} is available.");

            var calls = byLeader.Select(async entry =>
            {
                var server = cluster.TabletServer(entry.Key)!;
                var request = new ListOffsetsRequest { FollowerServerId = -1, OffsetType = offsetType, TableId = table.TableId };
                request.BucketId.AddRange(entry.Value);
                if (timestamp is { } ts) request.StartTimestamp = ts;
                try
                {
                    var response = await RpcCall.InvokeAsync(o => Channels.Tablet(server).ListOffsetsAsync(request, o), server, left, cancellationToken).ConfigureAwait(false);
                    return (entry.Value, Response: response, Error: (FlussException?)null);
                }
                catch (FlussException e)
                {
                    return (entry.Value, Response: (ListOffsetsResponse?)null, Error: e);
                }
            }).ToList();

            foreach (var (requested, response, error) in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                if (error is not null)
                {
                    if (!error.IsRetriable) throw error;
                    last = error;
                    refresh = true;
                    continue;
                }
                foreach (var r in response!.BucketsResp)
                {
                    if (!pending.Contains(r.BucketId)) continue;
                    if (r.HasErrorCode && r.ErrorCode != 0)
                    {
                        var code = FlussErrors.FromCode(r.ErrorCode);
                        var e = FlussException.Create(code, $"Listing offsets of bucket {r.BucketId} of {path} failed: {(r.HasErrorMessage ? r.ErrorMessage : FlussErrors.DefaultMessage(code))}");
                        if (!e.IsRetriable) throw e;
                        last = e;
                        refresh = true;
                    }
                    else if (r.HasOffset)
                    {
                        result[r.BucketId] = r.Offset;
                        pending.Remove(r.BucketId);
                    }
                }
                if (requested.Any(pending.Contains) && !refresh)
                {
                    last = new FlussException(FlussErrorCode.UnknownServerError, $"The server answered no offset for some buckets of {path}.");
                    refresh = true;
                }
            }
        }
        return result;
    }
}
