using Fluss.Client;
using Fluss.Data;
using Fluss.DuckDB;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rpc.Messages;
using Fluss.Testing;
using Grpc.Net.Client;

namespace Fluss.Tests.Data;

[CollectionDefinition(Name)]
public sealed class SqlCollection : ICollectionFixture<SqlFixture>
{
    public const string Name = "sql cluster";
}

/// <summary>
/// One in-process cluster with its Paimon lake for the SQL tests (each test uses its own database), with tables,
/// writers, tiering rounds done by hand and SQL connections to it.
/// </summary>
public sealed class SqlFixture : IAsyncLifetime
{
    private static int s_counter;
    private TestCluster? _cluster;
    private FlussConnection? _connection;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public FlussConnection Connection => _connection ?? throw new InvalidOperationException("not started");

    public PaimonLakeStorage Lake => (PaimonLakeStorage)(Cluster.Cluster.LakeStorage ?? throw new InvalidOperationException("The local cluster has no lake."));

    /// <summary>An ADO.NET connection string for the cluster and its lake.</summary>
    public string ConnectionString => $"Bootstrap Servers={Cluster.BootstrapServers};Lake Warehouse={Lake.Warehouse}";

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(tabletServers: 2);
        _connection = await _cluster.ConnectAsync(o => o with { NoKeyAssigner = BucketAssignerKind.RoundRobin });
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    public Task<FlussDuckDBConnection> OpenSqlAsync() => FlussDuckDBConnection.OpenAsync(Connection, new FlussDuckDBOptions { LakeStorage = Lake, Threads = 2 });

    public async Task<FlussDbConnection> OpenDbAsync()
    {
        var connection = new FlussDbConnection(ConnectionString + ";Threads=2");
        await connection.OpenAsync();
        return connection;
    }

    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref s_counter)}";
        await Connection.Admin.CreateDatabaseAsync(name);
        return name;
    }

    /// <summary>Creates a table; lake tables get a one-hour freshness so that only the tests' own rounds tier them.</summary>
    public async Task<FlussTable> CreateTableAsync(TablePath path, Schema schema, bool lake, int buckets = 3)
    {
        var builder = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets);
        if (lake) builder.Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 h");
        await Connection.Admin.CreateTableAsync(path, builder.Build());
        return await Connection.GetTableAsync(path);
    }

    public static async Task AppendAsync(FlussTable table, IEnumerable<GenericRow> rows)
    {
        await using var writer = table.NewAppendWriter();
        var acks = rows.Select(r => (Task)writer.AppendAsync(r)).ToList();
        await writer.FlushAsync();
        await Task.WhenAll(acks);
    }

    /// <summary>Upserts (a row) and deletes (a row with the key; other columns ignored), in order, all acknowledged.</summary>
    public static async Task ApplyAsync(FlussTable table, IEnumerable<(bool Delete, GenericRow Row)> changes)
    {
        await using var writer = table.NewUpsertWriter();
        var acks = changes.Select(c => (Task)(c.Delete ? writer.DeleteAsync(c.Row) : writer.UpsertAsync(c.Row))).ToList();
        await writer.FlushAsync();
        await Task.WhenAll(acks);
    }

    /// <summary>
    /// One tiering round by hand, the way the tiering service does it: each bucket's log from its lake offset to its
    /// high watermark becomes one lake data file (with change types for primary-key tables); then
    /// PrepareLakeTableSnapshot, the lake commit with the offsets file as <c>fluss-offsets</c>, and
    /// CommitLakeTableSnapshot. Returns the new lake snapshot id and the tiered offsets.
    /// </summary>
    public Task<(long SnapshotId, IReadOnlyDictionary<int, long> Offsets)> TierAsync(TablePath path) =>
        ManualTiering.TierOnceAsync(Connection, Lake, Cluster.BootstrapServers, path);

    /// <summary>All rows of a reader as lists of values (DBNull as null).</summary>
    public static List<object?[]> ReadAll(System.Data.Common.DbDataReader reader)
    {
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
