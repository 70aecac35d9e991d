using System.Globalization;
using Fluss.Client;
using Fluss.Config;
using Fluss.Lake.Paimon;
using Fluss.LocalCluster;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;
using Fluss.Tiering.Internal;

namespace Fluss.Tiering.Tests.Support;

/// <summary>
/// An in-process cluster with a Paimon lake under a temp directory, a short tiering service timeout (a silent
/// tiering service loses its tables after 2 s), and optionally the embedded tiering service.
/// </summary>
internal sealed class LakeCluster : IAsyncDisposable
{
    public static readonly TimeSpan ServiceTimeout = TimeSpan.FromSeconds(2);

    private readonly TempDir _dir;

    private LakeCluster(TempDir dir, FlussLocalCluster cluster, FlussConnection connection)
    {
        _dir = dir;
        Cluster = cluster;
        Connection = connection;
        Lake = new PaimonLakeStorage(Warehouse);
        Coordinator = new FlussTieringCoordinator(connection);
    }

    public FlussLocalCluster Cluster { get; }

    public FlussConnection Connection { get; }

    public PaimonLakeStorage Lake { get; }

    /// <summary>The coordinator's tiering RPCs (to read committed lake snapshots).</summary>
    public FlussTieringCoordinator Coordinator { get; }

    public string Warehouse => Path.Combine(_dir.Path, "lake");

    public string BootstrapServers => Cluster.BootstrapServers;

    public static async Task<LakeCluster> StartAsync(bool embeddedTiering, int tabletServers = 1)
    {
        var dir = new TempDir();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ConfigOptions.ZooKeeperSessionTimeout.Key] = "2000 ms",
            ["datalake.format"] = "paimon",
            [PaimonLakeStorage.WarehouseKey] = Path.Combine(dir.Path, "lake"),
            ["lake.tiering.service-timeout"] = ((int)ServiceTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms",
            [TieringOptions.HeartbeatInterval.Key] = "500 ms",
        };
        var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions
        {
            DataDir = dir.Path,
            CoordinatorPort = 0,
            TabletServers = tabletServers,
            Settings = settings,
            Tiering = embeddedTiering,
        });
        var connection = await FlussConnection.ConnectAsync(new FlussClientOptions { BootstrapServers = cluster.BootstrapServers, RequestTimeout = TimeSpan.FromSeconds(20) });
        await Wait.UntilAsync(async () => (await connection.Admin.GetServerNodesAsync()).Count(n => !n.IsCoordinator) == tabletServers,
            TimeSpan.FromSeconds(30), "the tablet servers");
        return new LakeCluster(dir, cluster, connection);
    }

    /// <summary>A tiering service of this cluster (in-memory jobs) besides the embedded one.</summary>
    public Task<TieringService> StartTieringAsync(Func<TieringServiceOptions, TieringServiceOptions>? configure = null)
    {
        var options = new TieringServiceOptions
        {
            BootstrapServers = BootstrapServers,
            LakeStorage = Lake,
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        };
        return TieringService.StartAsync(configure is null ? options : configure(options));
    }

    /// <summary>Creates a lake table (table.datalake.enabled, freshness 1 s).</summary>
    public async Task<FlussTable> CreateLakeTableAsync(TablePath path, Schema schema, int buckets, params string[] bucketKeys)
    {
        if (!await Connection.Admin.DatabaseExistsAsync(path.DatabaseName))
            await Connection.Admin.CreateDatabaseAsync(path.DatabaseName, ignoreIfExists: true);
        await Connection.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets, bucketKeys)
            .Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 s").Build());
        return await Connection.GetTableAsync(path);
    }

    /// <summary>Waits until the coordinator's committed lake snapshot has every bucket at its high watermark.</summary>
    public async Task WaitForLakeToCatchUpAsync(FlussTable table, TimeSpan timeout)
    {
        var buckets = Enumerable.Range(0, table.Info.NumBuckets).ToArray();
        var hw = await Connection.Admin.ListOffsetsAsync(table.Path, buckets, OffsetSpec.Latest);
        await Wait.UntilAsync(async () =>
        {
            var snapshot = await Coordinator.GetLakeSnapshotAsync(table.Path, CancellationToken.None);
            return snapshot is not null && buckets.All(b => hw[b] == 0 || snapshot.BucketOffsets.GetValueOrDefault(b, -1) == hw[b]);
        }, timeout, $"the lake of {table.Path} to reach the high watermarks {string.Join(", ", hw.OrderBy(p => p.Key).Select(p => p.Value))}");
    }

    /// <summary>Every row of the lake table's latest snapshot.</summary>
    public async Task<List<GenericRow>> LakeRowsAsync(TablePath path)
    {
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, Lake.TableLocation(path));
        var rows = new List<GenericRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Cluster.DisposeAsync();
        _dir.Dispose();
    }
}
