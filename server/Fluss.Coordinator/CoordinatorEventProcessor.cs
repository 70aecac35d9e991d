using System.Collections.Concurrent;
using System.Threading.Channels;
using Fluss.Config;
using Fluss.Coordinator.Lake;
using Fluss.Coordinator.Store;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.MetadataStore;
using Fluss.Storage.Remote;
using Microsoft.Extensions.Logging;

namespace Fluss.Coordinator;

/// <summary>
/// The coordinator's single-threaded event loop (Fluss's CoordinatorEventProcessor): RPC handlers and store watches
/// post <see cref="CoordinatorEvent"/>s to a channel; one task takes them in order and is the only code that reads
/// or changes the <see cref="CoordinatorContext"/>. Every change is written to the metadata store before the context
/// changes and before tablet servers hear about it; outbound requests go through <see cref="TabletServerChannels"/>
/// and never block the loop.
/// </summary>
internal sealed partial class CoordinatorEventProcessor : IAsyncDisposable
{
    /// <summary>The database created when the store holds none (Fluss's default database).</summary>
    public const string DefaultDatabase = "fluss";

    private readonly CoordinatorSettings _settings;
    private readonly EmbeddedMetadataStore _embedded;
    private readonly CoordinatorStore _store;
    private readonly CoordinatorContext _context;
    private readonly TabletServerChannels _channels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly ILakeStorage? _lake;

    /// <summary>The cluster's lake, if it has one.</summary>
    internal ILakeStorage? Lake => _lake;
    private readonly IFileSystem _remoteFs;
    private readonly LakeTableTieringManager _tiering;
    private readonly Channel<CoordinatorEvent> _events = Channel.CreateUnbounded<CoordinatorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, IMetadataStore> _serverSessions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<WatchEvent> _serversWatcher;
    private readonly HashSet<int> _registeredThisRun = [];
    private Task _loop = Task.CompletedTask;
    private ITimer? _graceTimer;
    private bool _graceOver;

    private CoordinatorEventProcessor(CoordinatorSettings settings, EmbeddedMetadataStore embedded, CoordinatorStore store, CoordinatorContext context,
        TimeProvider time, ILoggerFactory loggerFactory, Random random, ILakeStorage? lake, IFileSystem remoteFs)
    {
        _settings = settings;
        _embedded = embedded;
        _store = store;
        _context = context;
        _time = time;
        _logger = loggerFactory.CreateLogger<CoordinatorEventProcessor>();
        _channels = new TabletServerChannels(loggerFactory.CreateLogger<TabletServerChannels>());
        _random = random;
        _lake = lake;
        _remoteFs = remoteFs;
        _tiering = new LakeTableTieringManager(time, settings.LakeTieringServiceTimeout, context.CoordinatorEpoch,
            loggerFactory.CreateLogger<LakeTableTieringManager>());
        _serversWatcher = _ => Post(new TabletServersChangedEvent());
    }

    public int CoordinatorEpoch => _context.CoordinatorEpoch;

    /// <summary>The lake tiering scheduler (tests look at its states).</summary>
    internal LakeTableTieringManager Tiering => _tiering;

    public TimeSpan SessionTimeout => _settings.SessionTimeout;

    /// <summary>The id of the coordinator's own metadata store session (it changes when an expired session is renewed).</summary>
    internal long CoordinatorSessionId => _store.Session.SessionId;

    /// <summary>
    /// Opens the coordinator's store session, takes the next coordinator epoch and loads databases, tables,
    /// assignments and leader/ISR. The loop does not run until <see cref="Start"/>.
    /// </summary>
    public static async Task<CoordinatorEventProcessor> CreateAsync(CoordinatorSettings settings, EmbeddedMetadataStore embedded, TimeProvider time,
        ILoggerFactory loggerFactory, Random random, ILakeStorage? lake, IFileSystem remoteFs, CancellationToken cancellationToken)
    {
        var session = await embedded.OpenSessionAsync(new MetadataSessionOptions { SessionTimeout = settings.SessionTimeout }, cancellationToken).ConfigureAwait(false);
        try
        {
            var store = new CoordinatorStore(session, settings.Paths());
            await store.EnsureLayoutAsync(cancellationToken).ConfigureAwait(false);
            var epoch = await store.BumpCoordinatorEpochAsync(cancellationToken).ConfigureAwait(false);
            var context = new CoordinatorContext { CoordinatorEpoch = epoch };
            var processor = new CoordinatorEventProcessor(settings, embedded, store, context, time, loggerFactory, random, lake, remoteFs);
            try
            {
                await processor.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                processor._tiering.Dispose();
                throw;
            }
            return processor;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sets the coordinator's own address, arms the tablet-server watch and starts the loop.</summary>
    public async Task StartAsync(ServerNode coordinatorNode, CancellationToken cancellationToken)
    {
        _context.CoordinatorNode = coordinatorNode;
        _store.Session.StateChanged += OnCoordinatorSessionState;
        await _store.Session.GetChildrenAsync(_store.Paths.ServerIds(), _serversWatcher, cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(RunAsync, CancellationToken.None);
        // Tablet servers lost their sessions with the previous coordinator and register again within a heartbeat;
        // until one session timeout has passed, a bucket keeps its stored leader rather than moving to whichever
        // replica registers first.
        _graceTimer = _time.CreateTimer(_ => Post(new ElectLeadersEvent()), null, _settings.SessionTimeout, Timeout.InfiniteTimeSpan);
        Log.Started(_logger, coordinatorNode, _context.CoordinatorEpoch, _context.Databases.Count, _context.Tables.Count);
    }

    /// <summary>Queues an event and waits for its result.</summary>
    public async Task<T> InvokeAsync<T>(CoordinatorEvent<T> e, CancellationToken cancellationToken)
    {
        if (!_events.Writer.TryWrite(e))
            throw new FlussException(FlussErrorCode.NotCoordinatorLeader, "The coordinator is shutting down; retry against the new coordinator.");
        return await e.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a read of the cluster view on the loop.</summary>
    public Task<T> QueryAsync<T>(Func<CoordinatorContext, T> query, CancellationToken cancellationToken) =>
        InvokeAsync(new AccessContextEvent<T>(query), cancellationToken);

    /// <summary>
    /// Keeps a tablet server's liveness session alive; false when the coordinator does not know the server (never
    /// registered, or its session expired), which tells it to register again. Runs off the loop: it only touches the session.
    /// </summary>
    public bool Heartbeat(int serverId)
    {
        if (!_serverSessions.TryGetValue(serverId, out var session) || session.State != SessionState.Connected)
            return false;
        try
        {
            _embedded.TouchSession(session.SessionId);
        }
        catch (MetadataStoreException)
        {
            return false;
        }
        return session.State == SessionState.Connected;
    }

    /// <summary>Allocates an idempotent writer id from <c>/metadata/writer_id</c>.</summary>
    public Task<long> NextWriterIdAsync(CancellationToken cancellationToken) => _store.NextWriterIdAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _graceTimer?.Dispose();
        _tiering.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        while (_events.Reader.TryRead(out var pending))
            pending.Fail(new FlussException(FlussErrorCode.NotCoordinatorLeader, "The coordinator stopped before handling the request; retry against the new coordinator."));
        await _channels.DisposeAsync().ConfigureAwait(false);
        _store.Session.StateChanged -= OnCoordinatorSessionState;
        foreach (var session in _serverSessions.Values)
            await session.DisposeAsync().ConfigureAwait(false);
        _serverSessions.Clear();
        await _store.Session.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Post(CoordinatorEvent e) => _events.Writer.TryWrite(e);

    private void OnCoordinatorSessionState(SessionState state)
    {
        if (state == SessionState.Expired)
            Post(new CoordinatorSessionExpiredEvent());
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                try
                {
                    await ProcessAsync(e, token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    if (ex is not FlussException)
                        Log.EventFailed(_logger, ex, e.GetType().Name);
                    e.Fail(ex);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // stopped
        }
    }

    private async Task ProcessAsync(CoordinatorEvent e, CancellationToken ct)
    {
        switch (e)
        {
            case IContextQuery query:
                query.Run(_context);
                break;
            case CreateDatabaseEvent create:
                await CreateDatabaseAsync(create, ct).ConfigureAwait(false);
                create.Result.TrySetResult(true);
                break;
            case DropDatabaseEvent drop:
                await DropDatabaseAsync(drop, ct).ConfigureAwait(false);
                drop.Result.TrySetResult(true);
                break;
            case CreateTableEvent create:
                await CreateTableAsync(create, ct).ConfigureAwait(false);
                create.Result.TrySetResult(true);
                break;
            case PrepareCreateTableEvent prepare:
                prepare.Result.TrySetResult(PrepareCreateTable(prepare.Path, prepare.Descriptor, prepare.IgnoreIfExists));
                break;
            case PlanAlterTableEvent plan:
                plan.Result.TrySetResult(PlanAlterTable(plan));
                break;
            case AlterTableEvent alter:
                alter.Result.TrySetResult(await AlterTableAsync(alter.Plan, ct).ConfigureAwait(false));
                break;
            case CommitLakeSnapshotEvent commit:
                commit.Result.TrySetResult(await CommitLakeSnapshotAsync(commit, ct).ConfigureAwait(false));
                break;
            case DropTableEvent drop:
                await DropTableAsync(drop, ct).ConfigureAwait(false);
                drop.Result.TrySetResult(true);
                break;
            case RegisterTabletServerEvent register:
                await RegisterTabletServerAsync(register, ct).ConfigureAwait(false);
                register.Result.TrySetResult(true);
                break;
            case TabletServersChangedEvent changed:
                await CheckTabletServersAsync(ct).ConfigureAwait(false);
                changed.Result.TrySetResult(true);
                break;
            case ReplicasDeletedEvent deleted:
                await ReplicasDeletedAsync(deleted, ct).ConfigureAwait(false);
                deleted.Result.TrySetResult(true);
                break;
            case ElectLeadersEvent elect:
                _graceOver = true;
                await ElectMissingLeadersAsync(ct).ConfigureAwait(false);
                elect.Result.TrySetResult(true);
                break;
            case CoordinatorSessionExpiredEvent expired:
                await RenewCoordinatorSessionAsync(ct).ConfigureAwait(false);
                expired.Result.TrySetResult(true);
                break;
            default:
                throw new InvalidOperationException($"Unknown coordinator event {e.GetType().Name}.");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Start-up
    // ------------------------------------------------------------------------------------------------------------

    private async Task LoadAsync(CancellationToken ct)
    {
        var state = await _store.LoadAsync(ct).ConfigureAwait(false);
        foreach (var (name, db) in state.Databases)
            _context.Databases[name] = db;
        foreach (var stored in state.Tables)
        {
            var tableId = stored.Registration.TableId;
            TableAssignment assignment;
            IReadOnlyDictionary<int, LeaderAndIsr> leaders;
            if (state.Assignments.TryGetValue(tableId, out var a))
            {
                assignment = a.Assignment;
                leaders = a.LeaderAndIsr;
            }
            else
            {
                Log.MissingAssignment(_logger, tableId);
                assignment = new TableAssignment(new Dictionary<int, IReadOnlyList<int>>());
                leaders = new Dictionary<int, LeaderAndIsr>();
            }
            var table = new TableState(stored.Path, stored.Registration, stored.Schemas, assignment);
            foreach (var (bucket, lai) in leaders)
                table.Leaders[bucket] = lai;
            _context.AddTable(table);
        }
        // Assignments without a registered table belong to dropped tables whose replicas were not all deleted yet.
        foreach (var (tableId, a) in state.Assignments)
        {
            if (!_context.TablesById.ContainsKey(tableId))
                _context.TablesBeingDeleted[tableId] = new DeletingTable(tableId, a.Assignment, a.LeaderAndIsr);
        }
        await LoadLakeTablesAsync(ct).ConfigureAwait(false);
        if (_context.Databases.Count == 0)
        {
            var registration = DatabaseRegistration.Of(DatabaseDescriptor.Empty, NowMs());
            await _store.CreateDatabaseAsync(DefaultDatabase, registration, ct).ConfigureAwait(false);
            _context.Databases[DefaultDatabase] = registration;
            Log.DefaultDatabaseCreated(_logger, DefaultDatabase);
        }
    }

    private async Task RenewCoordinatorSessionAsync(CancellationToken ct)
    {
        if (_store.Session.State == SessionState.Connected) return;
        Log.CoordinatorSessionExpired(_logger);
        _store.Session.StateChanged -= OnCoordinatorSessionState;
        await _store.Session.DisposeAsync().ConfigureAwait(false);
        var session = await _embedded.OpenSessionAsync(new MetadataSessionOptions { SessionTimeout = _settings.SessionTimeout }, ct).ConfigureAwait(false);
        _store.ReplaceSession(session);
        session.StateChanged += OnCoordinatorSessionState;
        await CheckTabletServersAsync(ct).ConfigureAwait(false);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ------------------------------------------------------------------------------------------------------------
    // Databases and tables
    // ------------------------------------------------------------------------------------------------------------

    private async Task CreateDatabaseAsync(CreateDatabaseEvent e, CancellationToken ct)
    {
        if (_context.Databases.ContainsKey(e.Name))
        {
            if (e.IgnoreIfExists) return;
            throw new DatabaseAlreadyExistException($"Database {e.Name} already exists.");
        }
        var registration = DatabaseRegistration.Of(e.Descriptor, NowMs());
        await _store.CreateDatabaseAsync(e.Name, registration, ct).ConfigureAwait(false);
        _context.Databases[e.Name] = registration;
    }

    private async Task DropDatabaseAsync(DropDatabaseEvent e, CancellationToken ct)
    {
        if (e.Name == DefaultDatabase)
            throw FlussException.Create(FlussErrorCode.InvalidDatabase,
                $"Cannot drop the default database '{DefaultDatabase}'. The default database is required for cluster operation.");
        if (!_context.Databases.ContainsKey(e.Name))
        {
            if (e.IgnoreIfNotExists) return;
            throw new DatabaseNotExistException($"Database {e.Name} does not exist.");
        }
        var tables = _context.TablesOf(e.Name).OrderBy(t => t.Path.TableName, StringComparer.Ordinal).ToList();
        if (!e.Cascade && tables.Count > 0)
            throw new DatabaseNotEmptyException(
                $"Database {e.Name} is not empty: it has {tables.Count} table(s) ({string.Join(", ", tables.Select(t => t.Path.TableName))}); drop them first or drop the database with cascade.");
        await _store.DeleteDatabaseAsync(e.Name, ct).ConfigureAwait(false);
        _context.Databases.Remove(e.Name);
        foreach (var table in tables)
            await BeginTableDeletionAsync(table, ct).ConfigureAwait(false);
    }

    /// <summary>The checks of a table creation; the descriptor with defaults, or null when it exists and that is fine.</summary>
    private TableDescriptor? PrepareCreateTable(TablePath path, TableDescriptor requested, bool ignoreIfExists)
    {
        if (requested.TableConfig.IsDataLakeEnabled && _lake is null)
            throw LakeNotConfigured($"Cannot create table {path} with '{ConfigOptions.TableDataLakeEnabled.Key}' = true");
        var descriptor = TableDefaults.Apply(path, requested, _settings);
        if (!_context.Databases.ContainsKey(path.DatabaseName))
            throw new DatabaseNotExistException($"Database {path.DatabaseName} does not exist; create it before creating table {path}.");
        if (_context.Tables.ContainsKey(path))
        {
            if (ignoreIfExists) return null;
            throw new TableAlreadyExistException($"Table {path} already exists.");
        }
        return descriptor;
    }

    private async Task CreateTableAsync(CreateTableEvent e, CancellationToken ct)
    {
        if (PrepareCreateTable(e.Path, e.Descriptor, e.IgnoreIfExists) is not { } descriptor) return;
        var lakeEnabled = descriptor.TableConfig.IsDataLakeEnabled;
        if (lakeEnabled && !e.LakeTableReady)
            throw new InvalidOperationException($"The lake table of {e.Path} must be created before the table.");

        var buckets = descriptor.BucketCount!.Value;
        var replicationFactor = descriptor.ReplicationFactor;
        var servers = _context.LiveServers.Values.Select(s => new ServerRack(s.Id, s.Rack)).ToList();
        var assignment = ReplicaAssignment.Generate(buckets, replicationFactor, servers, _random);
        var standby = descriptor.HasPrimaryKey && descriptor.TableConfig.IsStandbyReplicaEnabled;
        var leaders = new Dictionary<int, LeaderAndIsr>();
        foreach (var (bucket, replicas) in assignment.Buckets)
        {
            if (LeaderElection.Initial(replicas, _context.IsLive, standby, _context.CoordinatorEpoch) is { } lai)
                leaders[bucket] = lai;
        }

        var tableId = await _store.NextTableIdAsync(ct).ConfigureAwait(false);
        var registration = TableRegistration.NewTable(tableId, _settings.RemoteDataDir, descriptor, NowMs());
        await _store.CreateTableAsync(e.Path, registration, descriptor.Schema, assignment, leaders, ct).ConfigureAwait(false);

        var table = new TableState(e.Path, registration, new Dictionary<int, Schema> { [CoordinatorStore.FirstSchemaId] = descriptor.Schema }, assignment);
        foreach (var (bucket, lai) in leaders)
            table.Leaders[bucket] = lai;
        _context.AddTable(table);
        Log.TableCreated(_logger, e.Path, tableId, buckets, replicationFactor);
        if (lakeEnabled)
            _tiering.AddNewLakeTable(tableId, e.Path, table.Info.TableConfig.DataLakeFreshness);

        SendLeaderChanges([.. leaders.Keys.Select(b => (table, b))], exceptServer: null);
        foreach (var server in _context.LiveServers.Keys)
            SendUpdateMetadata(server, [table]);
    }

    private async Task DropTableAsync(DropTableEvent e, CancellationToken ct)
    {
        if (!_context.Tables.TryGetValue(e.Path, out var table))
        {
            if (e.IgnoreIfNotExists) return;
            throw new TableNotExistException($"Table {e.Path} does not exist.");
        }
        await _store.DeleteTableRegistrationAsync(e.Path, ct).ConfigureAwait(false);
        await BeginTableDeletionAsync(table, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The table left the namespace: forget it, tell every live server (UpdateMetadata with the deleted id) and ask
    /// the replicas to delete their data (StopReplica with delete=true). The assignment is removed from the store once
    /// every replica confirmed; replicas on servers that are down get the request when they register again.
    /// </summary>
    private async Task BeginTableDeletionAsync(TableState table, CancellationToken ct)
    {
        _context.RemoveTable(table);
        _context.LakeSnapshots.Remove(table.TableId);
        _tiering.RemoveLakeTable(table.TableId);
        var deleting = new DeletingTable(table.TableId, table.Assignment, new Dictionary<int, LeaderAndIsr>(table.Leaders));
        _context.TablesBeingDeleted[table.TableId] = deleting;
        Log.TableDropped(_logger, table.Path, table.TableId);
        foreach (var server in _context.LiveServers.Keys)
            SendUpdateMetadata(server, [], [table.TableId]);
        foreach (var server in _context.LiveServers.Keys)
            SendStopReplicas(deleting, server);
        if (deleting.Pending.Count == 0)
            await CompleteTableDeletionAsync(deleting, ct).ConfigureAwait(false);
    }

    private async Task ReplicasDeletedAsync(ReplicasDeletedEvent e, CancellationToken ct)
    {
        if (!_context.TablesBeingDeleted.TryGetValue(e.TableId, out var deleting)) return;
        foreach (var replica in e.Replicas)
            deleting.Pending.Remove(replica);
        if (deleting.Pending.Count == 0)
            await CompleteTableDeletionAsync(deleting, ct).ConfigureAwait(false);
    }

    private async Task CompleteTableDeletionAsync(DeletingTable deleting, CancellationToken ct)
    {
        await _store.DeleteTableAssignmentAsync(deleting.TableId, ct).ConfigureAwait(false);
        _context.TablesBeingDeleted.Remove(deleting.TableId);
        Log.TableDeletionCompleted(_logger, deleting.TableId);
    }
}
