using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.LocalCluster;
using Fluss.Metadata;
using Fluss.Tiering;

namespace Fluss.Cli.Bench;

/// <summary>
/// The cluster a bench run measures (a local one in a temporary directory, or an external one), its connection,
/// and the tables the scenarios share: the 20-column log table (written by <c>append</c>, read by <c>scan</c>,
/// tiered by <c>tiering</c>) and the primary-key table (written by <c>upsert</c>, read by <c>lookup</c>, tiered by
/// <c>tiering</c>). A scenario run alone prepares what it needs without measuring it.
/// </summary>
internal sealed class BenchSession : IAsyncDisposable
{
    private readonly bool _ownsDataDir;
    private TieringService? _tiering;
    private int _tableCounter;

    private BenchSession(BenchOptions options, IBenchProgress progress, TextWriter log, FlussLocalCluster? cluster, FlussConnection connection,
        string dataDir, bool ownsDataDir, string database)
    {
        Options = options;
        Progress = progress;
        Log = log;
        Cluster = cluster;
        Connection = connection;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        Database = database;
        Wide = new WideRows(options.RowBytes);
        Kv = new KvRows(options.Keys);
    }

    public BenchOptions Options { get; }

    public IBenchProgress Progress { get; }

    /// <summary>The error stream, for notes.</summary>
    public TextWriter Log { get; }

    /// <summary>The local cluster, or null when running against <see cref="BenchOptions.BootstrapServers"/>.</summary>
    public FlussLocalCluster? Cluster { get; }

    public FlussConnection Connection { get; }

    /// <summary>The cluster's data directory (log segments live below it); baseline files go here too.</summary>
    public string DataDir { get; }

    /// <summary>The database holding this run's tables.</summary>
    public string Database { get; }

    public WideRows Wide { get; }

    public KvRows Kv { get; }

    /// <summary>The log table of <c>append</c> once written.</summary>
    public LogTableRun? LogTable { get; set; }

    /// <summary>The small log table written before <c>append</c> measures (JIT warm-up), for other warm-ups.</summary>
    public FlussTable? WarmUpLogTable { get; set; }

    /// <summary>The small primary-key table written before <c>upsert</c> measures.</summary>
    public FlussTable? WarmUpKvTable { get; set; }

    /// <summary>The primary-key table of <c>upsert</c> once written.</summary>
    public KvTableRun? KvTable { get; set; }

    /// <summary>The lake of the local cluster.</summary>
    public ILakeStorage Lake =>
        Cluster?.LakeStorage ?? throw new FormatException("this scenario needs the lake of the local cluster the bench starts; run it without --bootstrap-servers");

    public static async Task<BenchSession> StartAsync(BenchOptions options, IBenchProgress progress, TextWriter log, CancellationToken ct)
    {
        var ownsDataDir = options.DataDir is null;
        var dataDir = options.DataDir is { } d ? Path.GetFullPath(d) : Path.Combine(Path.GetTempPath(), "fluss-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        FlussLocalCluster? cluster = null;
        FlussConnection? connection = null;
        try
        {
            string bootstrap;
            if (options.BootstrapServers is { } external)
                bootstrap = external;
            else
            {
                using var step = progress.Step($"starting a local cluster ({options.TabletServers} tablet server{(options.TabletServers == 1 ? "" : "s")}) in {dataDir}", 1);
                cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions
                {
                    DataDir = dataDir,
                    CoordinatorPort = 0,
                    TabletServers = options.TabletServers,
                    // The bench starts the tiering service itself when a scenario needs it, so that tiering does not
                    // run during the other scenarios.
                    Tiering = false,
                }, ct).ConfigureAwait(false);
                bootstrap = cluster.BootstrapServers;
            }
            connection = await FlussConnection.ConnectAsync(new FlussClientOptions { BootstrapServers = bootstrap, RequestTimeout = TimeSpan.FromSeconds(60) }, ct).ConfigureAwait(false);
            var deadline = Stopwatch.StartNew();
            while ((await connection.Admin.GetServerNodesAsync(ct).ConfigureAwait(false)).Count(n => !n.IsCoordinator) < (cluster is null ? 1 : options.TabletServers))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new IOException("the tablet servers did not register within 60 s");
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
            var database = "bench_" + Guid.NewGuid().ToString("N")[..8];
            await connection.Admin.CreateDatabaseAsync(database, cancellationToken: ct).ConfigureAwait(false);
            return new BenchSession(options, progress, log, cluster, connection, dataDir, ownsDataDir, database);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            if (cluster is not null) await cluster.DisposeAsync().ConfigureAwait(false);
            if (ownsDataDir) TryDelete(dataDir);
            throw;
        }
    }

    /// <summary>A table name not used before in this run.</summary>
    public TablePath NewTablePath(string prefix) =>
        new(Database, string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Interlocked.Increment(ref _tableCounter)}"));

    /// <summary>Creates a table with the bench's log compression; lake-enabled tables get a freshness of 1 s.</summary>
    public async Task<FlussTable> CreateTableAsync(TablePath path, Schema schema, int buckets, bool lake, CancellationToken ct)
    {
        var descriptor = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets)
            .Property("table.log.arrow.compression.type", Options.Compression)
            .Property("table.datalake.freshness", "1 s");
        if (lake) descriptor = descriptor.Property("table.datalake.enabled", "true");
        await Connection.Admin.CreateTableAsync(path, descriptor.Build(), cancellationToken: ct).ConfigureAwait(false);
        return await Connection.GetTableAsync(path, ct).ConfigureAwait(false);
    }

    /// <summary>The log table, written now (unmeasured) when <c>append</c> did not run.</summary>
    public async Task<LogTableRun> LogTableAsync(CancellationToken ct) => LogTable ??= await AppendScenario.WriteAsync(this, ct).ConfigureAwait(false);

    /// <summary>The primary-key table, written now (unmeasured) when <c>upsert</c> did not run.</summary>
    public async Task<KvTableRun> KvTableAsync(CancellationToken ct) => KvTable ??= await UpsertScenario.WriteAsync(this, ct).ConfigureAwait(false);

    /// <summary>The tiering service of this run, started on first use against the local cluster's lake.</summary>
    public async Task<TieringService> TieringAsync(CancellationToken ct)
    {
        if (_tiering is not null) return _tiering;
        var lake = Lake;
        _tiering = await TieringService.StartAsync(new TieringServiceOptions
        {
            BootstrapServers = Cluster!.BootstrapServers,
            LakeStorage = lake,
        }, ct).ConfigureAwait(false);
        return _tiering;
    }

    /// <summary>Stops the tiering service of this run, if running (a later <see cref="TieringAsync"/> starts a new one).</summary>
    public async Task StopTieringAsync()
    {
        if (_tiering is null) return;
        var tiering = _tiering;
        _tiering = null;
        await tiering.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The log segment files of a table (below the data directory), in bucket and offset order.</summary>
    public IReadOnlyList<string> SegmentFiles(TableInfo table)
    {
        var dirName = string.Create(CultureInfo.InvariantCulture, $"{table.TablePath.TableName}-{table.TableId}");
        var tableDirs = Directory.EnumerateDirectories(DataDir, dirName, SearchOption.AllDirectories)
            .Where(d => Path.GetFileName(Path.GetDirectoryName(d)) == table.TablePath.DatabaseName)
            .ToList();
        if (tableDirs.Count == 0)
            throw new FormatException($"no log directory of {table.TablePath} under {DataDir}; with --bootstrap-servers, give the cluster's data directory with --data-dir");
        return tableDirs.SelectMany(d => Directory.EnumerateFiles(d, "*.log", SearchOption.AllDirectories)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Waits until the coordinator's lake snapshot of <paramref name="table"/> reached the given offsets.</summary>
    public async Task WaitForLakeAsync(FlussTable table, IReadOnlyDictionary<int, long> offsets, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var snapshot = await Connection.Admin.GetLakeSnapshotAsync(table.Path, ct).ConfigureAwait(false);
                if (offsets.All(o => o.Value == 0 || snapshot.BucketOffsets.GetValueOrDefault(o.Key, -1) >= o.Value)) return;
            }
            catch (Errors.FlussException e) when (!e.IsRetriable)
            {
                // No lake snapshot yet.
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"the lake of {table.Path} did not reach offsets {string.Join(", ", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value}"))} within {timeout.TotalSeconds:F0} s");
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_tiering is not null) await _tiering.DisposeAsync().ConfigureAwait(false);
        KvTable?.Dispose();
        if (Cluster is null)
        {
            try
            {
                await Connection.Admin.DropDatabaseAsync(Database, ignoreIfNotExists: true, cascade: true).ConfigureAwait(false);
            }
            catch (Errors.FlussException)
            {
                // Best effort on an external cluster.
            }
        }
        await Connection.DisposeAsync().ConfigureAwait(false);
        if (Cluster is not null) await Cluster.DisposeAsync().ConfigureAwait(false);
        if (_ownsDataDir) TryDelete(DataDir);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The written log table and how the write went.</summary>
internal sealed record LogTableRun(FlussTable Table, long Rows, TimeSpan Elapsed, double[] BatchAckMs, double[] RecordsPerBatch);

/// <summary>The written primary-key table, the RocksDB baseline holding the same keys and values, and how the writes went.</summary>
internal sealed class KvTableRun(FlussTable table, long upserts, TimeSpan elapsed, double[] batchAckMs, RocksBaseline baseline, TimeSpan baselineElapsed) : IDisposable
{
    public FlussTable Table { get; } = table;

    public long Upserts { get; } = upserts;

    public TimeSpan Elapsed { get; } = elapsed;

    public double[] BatchAckMs { get; } = batchAckMs;

    public RocksBaseline Baseline { get; } = baseline;

    public TimeSpan BaselineElapsed { get; } = baselineElapsed;

    public void Dispose() => Baseline.Dispose();
}
