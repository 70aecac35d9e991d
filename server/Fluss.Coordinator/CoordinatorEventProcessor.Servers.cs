using System.Globalization;
using Fluss.Config;
using Fluss.Coordinator.Store;
using Fluss.Errors;
using Fluss.MetadataStore;
using Fluss.Rpc.Messages;

namespace Fluss.Coordinator;

/// <summary>Tablet-server registration, liveness, leader changes and the requests that tell tablet servers about them.</summary>
internal sealed partial class CoordinatorEventProcessor
{
    private readonly record struct LeaderChange(TableState Table, int Bucket, LeaderAndIsr Value, bool Exists);

    // ------------------------------------------------------------------------------------------------------------
    // Registration and liveness
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Registers a tablet server: a new store session for it holds the ephemeral <c>/tabletservers/ids/{id}</c> node
    /// (Fluss's registration JSON); heartbeats keep the session alive. A server id that is live at another address is
    /// refused (ids must be unique; a restarted server at a new address is accepted once the old session expired). The
    /// same id at the same address is a restart: it is handled as the server dying and coming back.
    /// </summary>
    private async Task RegisterTabletServerAsync(RegisterTabletServerEvent e, CancellationToken ct)
    {
        if (_context.LiveServers.TryGetValue(e.ServerId, out var existing))
        {
            var sameAddress = existing.Host == e.Host && existing.Port == e.Port;
            var stillLive = existing.Session.State == SessionState.Connected;
            if (stillLive && !sameAddress)
                throw new InvalidConfigException(
                    $"Tablet server id {e.ServerId} is already registered by a live tablet server at {existing.Host}:{existing.Port}; "
                    + $"'{ConfigOptions.TabletServerId.Key}' must be unique in the cluster. If that server was restarted at a new address, "
                    + $"registration succeeds once its previous session expires ('{ConfigOptions.ZooKeeperSessionTimeout.Key}' = {_settings.SessionTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms); retry until then.");
            await ServerDeadAsync(existing, stillLive ? "registered again (restarted)" : "liveness session expired", ct).ConfigureAwait(false);
        }

        var session = await _embedded.OpenSessionAsync(new MetadataSessionOptions { SessionTimeout = _settings.SessionTimeout, AutoHeartbeat = false }, ct)
            .ConfigureAwait(false);
        var registration = new TabletServerRegistration([new Listener(ConfigOptions.DefaultListenerName, e.Host, e.Port)], e.RegisterTimestamp, e.Rack);
        try
        {
            await session.CreateAsync(_store.Paths.ServerId(e.ServerId), registration.ToJson(), CreateMode.Ephemeral, ct).ConfigureAwait(false);
        }
        catch (MetadataStoreException ex) when (ex.Code == MetadataStoreErrorCode.NodeExists)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new InvalidConfigException(
                $"Tablet server id {e.ServerId} is still registered by a previous session in the metadata store; "
                + $"retry after the session timeout ('{ConfigOptions.ZooKeeperSessionTimeout.Key}').");
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var server = new LiveServer(e.ServerId, e.Host, e.Port, e.Rack, e.RegisterTimestamp, session);
        _context.LiveServers[server.Id] = server;
        _registeredThisRun.Add(server.Id);
        _serverSessions[server.Id] = session;
        Log.ServerRegistered(_logger, server.Id, server.Host, server.Port, server.Rack);
        await ServerLiveAsync(server, ct).ConfigureAwait(false);
    }

    /// <summary>Re-arms the watch on <c>/tabletservers/ids</c> and declares dead every server whose node or session is gone.</summary>
    private async Task CheckTabletServersAsync(CancellationToken ct)
    {
        var session = _store.Session;
        HashSet<int> present;
        try
        {
            var children = await session.GetChildrenAsync(_store.Paths.ServerIds(), _serversWatcher, ct).ConfigureAwait(false);
            present = children.Select(c => int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : -1).ToHashSet();
        }
        catch (MetadataStoreException) when (session.State != SessionState.Connected)
        {
            return; // the session-expired event renews the session and checks again
        }

        foreach (var server in _context.LiveServers.Values.ToList())
        {
            string? reason = null;
            if (server.Session.State != SessionState.Connected)
                reason = "liveness session expired";
            else if (!present.Contains(server.Id))
                reason = "registration node disappeared";
            else if (await session.ExistsAsync(_store.Paths.ServerId(server.Id), null, ct).ConfigureAwait(false) is not { } stat
                     || stat.EphemeralOwner != server.Session.SessionId)
                reason = "registration node replaced";
            if (reason is not null)
                await ServerDeadAsync(server, reason, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Fluss's DeadTabletServer: the server leaves the live set, buckets it led get a new leader from their live ISR
    /// (or none), it leaves the ISR of the others; the changes are written to the store, every live server gets
    /// UpdateMetadata and the replicas of changed buckets get NotifyLeaderAndIsr.
    /// </summary>
    private async Task ServerDeadAsync(LiveServer server, string reason, CancellationToken ct)
    {
        _context.LiveServers.Remove(server.Id);
        _serverSessions.TryRemove(new KeyValuePair<int, IMetadataStore>(server.Id, server.Session));
        _channels.Remove(server.Id);
        await server.Session.DisposeAsync().ConfigureAwait(false);

        var changes = new List<LeaderChange>();
        foreach (var table in _context.Tables.Values)
        {
            foreach (var (bucket, replicas) in table.Assignment.Buckets)
            {
                if (table.Leaders.TryGetValue(bucket, out var lai)
                    && LeaderElection.OnServerDead(lai, server.Id, replicas, _context.IsLive, table.StandbyEnabled, _context.CoordinatorEpoch) is { } next)
                    changes.Add(new LeaderChange(table, bucket, next, true));
            }
        }
        await ApplyLeaderChangesAsync(changes, ct).ConfigureAwait(false);
        Log.ServerDead(_logger, server.Id, reason, changes.Count);

        var changedTables = changes.Select(c => c.Table).Distinct().ToList();
        foreach (var live in _context.LiveServers.Keys)
            SendUpdateMetadata(live, changedTables);
        SendLeaderChanges(changes.Select(c => (c.Table, c.Bucket)), exceptServer: null);
    }

    /// <summary>
    /// Fluss's NewTabletServer: buckets hosted by the server that have no live leader get one (a bucket whose only
    /// replica is this server becomes its leader again with the next leader epoch); the server gets UpdateMetadata
    /// with the whole cluster and NotifyLeaderAndIsr for every bucket it hosts, then StopReplica for replicas of
    /// dropped tables; the other live servers get UpdateMetadata and NotifyLeaderAndIsr for the buckets that changed.
    /// </summary>
    private async Task ServerLiveAsync(LiveServer server, CancellationToken ct)
    {
        _channels.Add(server.Node);
        var changes = new List<LeaderChange>();
        foreach (var table in _context.Tables.Values)
        {
            foreach (var (bucket, replicas) in table.Assignment.Buckets)
            {
                if (!replicas.Contains(server.Id)) continue;
                if (!table.Leaders.TryGetValue(bucket, out var lai))
                {
                    if (LeaderElection.Initial(replicas, _context.IsLive, table.StandbyEnabled, _context.CoordinatorEpoch) is { } initial)
                        changes.Add(new LeaderChange(table, bucket, initial, false));
                }
                else if (MayElect(lai)
                         && LeaderElection.OnReplicaBack(lai, replicas, _context.IsLive, table.StandbyEnabled, _context.CoordinatorEpoch) is { } next)
                {
                    changes.Add(new LeaderChange(table, bucket, next, true));
                }
            }
        }
        await ApplyLeaderChangesAsync(changes, ct).ConfigureAwait(false);

        SendUpdateMetadata(server.Id, _context.Tables.Values);
        var hosted = _context.Tables.Values
            .SelectMany(t => t.Assignment.Buckets.Where(kv => kv.Value.Contains(server.Id) && t.Leaders.ContainsKey(kv.Key)).Select(kv => (t, kv.Key)))
            .ToList();
        SendNotify(server.Id, hosted);
        foreach (var deleting in _context.TablesBeingDeleted.Values)
            SendStopReplicas(deleting, server.Id);

        var changedTables = changes.Select(c => c.Table).Distinct().ToList();
        foreach (var other in _context.LiveServers.Keys.Where(id => id != server.Id))
            SendUpdateMetadata(other, changedTables);
        SendLeaderChanges(changes.Select(c => (c.Table, c.Bucket)), exceptServer: server.Id);
    }

    /// <summary>
    /// Whether a bucket without a live leader may elect one now: always when it has no leader or its leader died
    /// during this coordinator's run; for a leader recorded by a previous coordinator, only after the start-up grace
    /// period, so a restart does not move leaderships to whichever replica registers first.
    /// </summary>
    private bool MayElect(LeaderAndIsr lai) => _graceOver || !lai.HasLeader || _registeredThisRun.Contains(lai.Leader);

    /// <summary>Elects leaders for every bucket without a live one (after the start-up grace period).</summary>
    private async Task ElectMissingLeadersAsync(CancellationToken ct)
    {
        var changes = new List<LeaderChange>();
        foreach (var table in _context.Tables.Values)
        {
            foreach (var (bucket, replicas) in table.Assignment.Buckets)
            {
                if (!table.Leaders.TryGetValue(bucket, out var lai))
                {
                    if (LeaderElection.Initial(replicas, _context.IsLive, table.StandbyEnabled, _context.CoordinatorEpoch) is { } initial)
                        changes.Add(new LeaderChange(table, bucket, initial, false));
                }
                else if (LeaderElection.OnReplicaBack(lai, replicas, _context.IsLive, table.StandbyEnabled, _context.CoordinatorEpoch) is { } next)
                {
                    changes.Add(new LeaderChange(table, bucket, next, true));
                }
            }
        }
        if (changes.Count == 0) return;
        await ApplyLeaderChangesAsync(changes, ct).ConfigureAwait(false);
        var changedTables = changes.Select(c => c.Table).Distinct().ToList();
        foreach (var live in _context.LiveServers.Keys)
            SendUpdateMetadata(live, changedTables);
        SendLeaderChanges(changes.Select(c => (c.Table, c.Bucket)), exceptServer: null);
    }

    private async Task ApplyLeaderChangesAsync(List<LeaderChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        await _store.WriteLeaderAndIsrAsync(changes.Select(c => (c.Table.Bucket(c.Bucket), c.Value, c.Exists)).ToList(), ct).ConfigureAwait(false);
        foreach (var c in changes)
            c.Table.Leaders[c.Bucket] = c.Value;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Requests to tablet servers
    // ------------------------------------------------------------------------------------------------------------

    private void SendUpdateMetadata(int serverId, IEnumerable<TableState> tables, IEnumerable<long>? deletedTableIds = null)
    {
        var request = RpcMessages.UpdateMetadata(_context, tables, deletedTableIds);
        _channels.Send(serverId, "UpdateMetadata", async (client, options) =>
            await client.UpdateMetadataAsync(request, options).ConfigureAwait(false));
    }

    /// <summary>Sends the current leadership of the buckets to their live replicas (except one server).</summary>
    private void SendLeaderChanges(IEnumerable<(TableState Table, int Bucket)> buckets, int? exceptServer)
    {
        var byServer = new SortedDictionary<int, List<(TableState, int)>>();
        foreach (var (table, bucket) in buckets)
        {
            foreach (var replica in table.Assignment.Replicas(bucket))
            {
                if (replica == exceptServer || !_context.IsLive(replica)) continue;
                if (!byServer.TryGetValue(replica, out var list))
                    byServer[replica] = list = [];
                list.Add((table, bucket));
            }
        }
        foreach (var (server, list) in byServer)
            SendNotify(server, list);
    }

    private void SendNotify(int serverId, IReadOnlyCollection<(TableState Table, int Bucket)> buckets)
    {
        if (buckets.Count == 0) return;
        var request = new NotifyLeaderAndIsrRequest { CoordinatorEpoch = _context.CoordinatorEpoch };
        var described = new HashSet<long>();
        foreach (var (table, bucket) in buckets)
            request.NotifyBucketsLeaderReq.Add(RpcMessages.NotifyEntry(table, bucket, table.Leaders[bucket], _context, described.Add(table.TableId)));
        _channels.Send(serverId, "NotifyLeaderAndIsr", async (client, options) =>
        {
            var response = await client.NotifyLeaderAndIsrAsync(request, options).ConfigureAwait(false);
            foreach (var r in response.NotifyBucketsLeaderResp)
            {
                if (r.HasErrorCode && r.ErrorCode != 0)
                    Log.BucketError(_logger, serverId, r.ErrorCode, "NotifyLeaderAndIsr", r.TableBucket?.BucketId ?? -1, r.TableBucket?.TableId ?? -1, r.ErrorMessage);
            }
        });
    }

    /// <summary>Asks a server to delete its replicas of a dropped table; confirmed replicas come back as a <see cref="ReplicasDeletedEvent"/>.</summary>
    private void SendStopReplicas(DeletingTable deleting, int serverId)
    {
        var buckets = deleting.Pending.Where(p => p.Server == serverId).Select(p => p.Bucket).Order().ToList();
        if (buckets.Count == 0) return;
        var request = new StopReplicaRequest { CoordinatorEpoch = _context.CoordinatorEpoch };
        foreach (var bucket in buckets)
        {
            request.StopReplicasReq.Add(new PbStopReplicaReqForBucket
            {
                TableBucket = RpcMessages.ToPb(new Metadata.TableBucket(deleting.TableId, bucket)),
                LeaderEpoch = deleting.Leaders.TryGetValue(bucket, out var lai) ? lai.LeaderEpoch : 0,
                Delete = true,
            });
        }
        var tableId = deleting.TableId;
        _channels.Send(serverId, "StopReplica", async (client, options) =>
        {
            var response = await client.StopReplicaAsync(request, options).ConfigureAwait(false);
            var failed = new HashSet<int>();
            foreach (var r in response.StopReplicasResp)
            {
                if (r.HasErrorCode && r.ErrorCode != 0 && r.TableBucket is not null)
                {
                    failed.Add(r.TableBucket.BucketId);
                    Log.BucketError(_logger, serverId, r.ErrorCode, "StopReplica", r.TableBucket.BucketId, tableId, r.ErrorMessage);
                }
            }
            var deleted = buckets.Where(b => !failed.Contains(b)).Select(b => (b, serverId)).ToList();
            if (deleted.Count > 0)
                Post(new ReplicasDeletedEvent(tableId, deleted));
        });
    }
}
