using System.Globalization;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Microsoft.Extensions.Logging;

namespace Fluss.Client.Internal;

/// <summary>
/// The client's metadata cache: servers and, per table, its info and bucket leaders. GetMetadata goes to the
/// coordinator first, then to any tablet server, then to the bootstrap addresses, until one answers or the request
/// timeout passes. Refreshes are serialized; readers use the current <see cref="Cluster"/> snapshot lock-free.
/// </summary>
internal sealed class MetadataUpdater : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly RpcChannels _channels;
    private readonly FlussClientOptions _options;
    private readonly IReadOnlyList<ServerNode> _bootstrap;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly Lock _applyLock = new();
    private volatile Cluster _cluster = Cluster.Empty;

    public MetadataUpdater(RpcChannels channels, FlussClientOptions options)
    {
        _channels = channels;
        _options = options;
        _bootstrap = options.BootstrapAddresses().Select(a => new ServerNode(-1, a.Host, a.Port, ServerRole.Bootstrap)).ToArray();
        _log = options.LoggerFactory.CreateLogger("Fluss.Client.Metadata");
    }

    public Cluster Cluster => _cluster;

    public void Dispose() => _refreshLock.Dispose();

    /// <summary>Learns the servers from the first bootstrap server that answers.</summary>
    /// <exception cref="FlussException">NETWORK naming the bootstrap servers when none answers within the request timeout.</exception>
    public async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var response = await SendAsync(new MetadataRequest(), _bootstrap, bootstrap: true, cancellationToken).ConfigureAwait(false);
        Apply(response, []);
    }

    /// <summary>Fetches the servers again (for example after the coordinator stopped answering).</summary>
    /// <param name="budget">Time allowed; the request timeout when null.</param>
    public async Task RefreshServersAsync(TimeSpan? budget, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await SendAsync(new MetadataRequest(), Candidates(), bootstrap: false, cancellationToken, budget).ConfigureAwait(false);
            Apply(response, []);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>The cached metadata of a table, fetched when absent.</summary>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    public async Task<TableMetadata> GetTableAsync(TablePath path, CancellationToken cancellationToken) =>
        _cluster.Tables.TryGetValue(path, out var table) ? table : await RefreshTableAsync(path, cancellationToken).ConfigureAwait(false);

    /// <summary>Fetches a table's metadata from the cluster.</summary>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    public async Task<TableMetadata> RefreshTableAsync(TablePath path, CancellationToken cancellationToken)
    {
        await RefreshTablesAsync([path], cancellationToken).ConfigureAwait(false);
        return _cluster.Tables.TryGetValue(path, out var table)
            ? table
            : throw new TableNotExistException($"Table {path} does not exist.");
    }

    /// <summary>Fetches the metadata of several tables; tables the cluster no longer has leave the cache.</summary>
    public async Task RefreshTablesAsync(IReadOnlyCollection<TablePath> paths, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = new MetadataRequest();
            foreach (var p in paths)
                request.TablePath.Add(new PbTablePath { DatabaseName = p.DatabaseName, TableName = p.TableName });
            MetadataResponse response;
            try
            {
                response = await SendAsync(request, Candidates(), bootstrap: false, cancellationToken).ConfigureAwait(false);
            }
            catch (TableNotExistException)
            {
                lock (_applyLock) _cluster = _cluster.WithTables([], paths);
                throw;
            }
            Apply(response, paths);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Forgets a table's leaders so that the next user of the table refreshes them.</summary>
    public void InvalidateTable(TablePath path)
    {
        lock (_applyLock)
        {
            if (_cluster.Tables.TryGetValue(path, out var table))
                _cluster = _cluster.WithTables([table.WithoutLeaders()], []);
        }
    }

    /// <summary>Forgets a table entirely (it was dropped or re-created).</summary>
    public void RemoveTable(TablePath path)
    {
        lock (_applyLock) _cluster = _cluster.WithTables([], [path]);
    }

    private void Apply(MetadataResponse response, IReadOnlyCollection<TablePath> requested)
    {
        var coordinator = response.CoordinatorServer is { } c ? new ServerNode(c.NodeId, c.Host, c.Port, ServerRole.Coordinator) : null;
        var servers = response.TabletServers.ToDictionary(s => s.NodeId, s => new ServerNode(s.NodeId, s.Host, s.Port, ServerRole.TabletServer));
        var tables = response.TableMetadata.Select(TableMetadata.FromProto).ToList();
        var missing = requested.Where(p => tables.All(t => t.Path != p)).ToList();
        lock (_applyLock)
        {
            _cluster = _cluster.WithServers(coordinator, servers).WithTables(tables, missing);
        }
    }

    /// <summary>Coordinator, then tablet servers in random order, then bootstrap addresses; each address once.</summary>
    private List<ServerNode> Candidates()
    {
        var cluster = _cluster;
        var list = new List<ServerNode>();
        if (cluster.Coordinator is { } coordinator) list.Add(coordinator);
        var tablets = cluster.TabletServers.Values.ToArray();
        Random.Shared.Shuffle(tablets);
        list.AddRange(tablets);
        list.AddRange(_bootstrap);
        return list.DistinctBy(s => s.Address, StringComparer.Ordinal).ToList();
    }

    private async Task<MetadataResponse> SendAsync(
        MetadataRequest request, IReadOnlyList<ServerNode> candidates, bool bootstrap, CancellationToken cancellationToken, TimeSpan? budget = null)
    {
        var timeout = budget ?? _options.RequestTimeout;
        var started = TimeProvider.System.GetTimestamp();
        var backoff = _options.RetryBackoff;
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            foreach (var server in candidates)
            {
                var remaining = timeout - TimeProvider.System.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero) break;
                try
                {
                    var response = await RpcCall.InvokeAsync(
                        o => _channels.ReadOnly(server).GetMetadataAsync(request, o), server, remaining, cancellationToken).ConfigureAwait(false);
                    ClientLog.MetadataRefreshed(_log, server.ToString(), response.CoordinatorServer is { } c ? $"{c.Host}:{c.Port}" : "unknown",
                        response.TabletServers.Count, response.TableMetadata.Count);
                    return response;
                }
                catch (FlussException e) when (e.IsRetriable)
                {
                    errors[server.Address] = e.Message;
                    ClientLog.MetadataRequestFailed(_log, server.ToString(), e.Message);
                }
            }
            var left = timeout - TimeProvider.System.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) break;
            await Task.Delay(Min(backoff, left), cancellationToken).ConfigureAwait(false);
            backoff = Min(backoff * 2, MaxBackoff);
        }

        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var detail = string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}"));
        var message = bootstrap
            ? $"Could not connect to the Fluss cluster: none of the bootstrap servers {string.Join(", ", candidates.Select(s => s.Address))} answered within {seconds} s (client.request-timeout). {detail}"
            : $"Could not get metadata from any Fluss server ({string.Join(", ", candidates.Select(s => s.Address))}) within {seconds} s (client.request-timeout). {detail}";
        throw new FlussException(FlussErrorCode.Network, message.TrimEnd());
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
