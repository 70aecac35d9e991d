using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Schema = Fluss.Metadata.Schema;
using Fluss.Rows;
using Fluss.Rpc.Messages;
using Fluss.Testing;
using Fluss.Types;
using Fluss.UnionRead;
using Grpc.Net.Client;

namespace Fluss.Tests.UnionRead;

[CollectionDefinition(Name)]
public sealed class UnionCollection : ICollectionFixture<UnionFixture>
{
    public const string Name = "union read cluster";
}

/// <summary>
/// One in-process cluster with its Paimon lake, shared by the union read tests (each test uses its own database),
/// and what the tests need around it: tables, writers, a tiering round done by hand, and reading batches into rows.
/// </summary>
public sealed class UnionFixture : IAsyncLifetime
{
    private static int s_counter;
    private TestCluster? _cluster;
    private FlussConnection? _connection;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public FlussConnection Connection => _connection ?? throw new InvalidOperationException("not started");

    public ILakeStorage Lake => Cluster.Cluster.LakeStorage ?? throw new InvalidOperationException("The local cluster has no lake.");

    public UnionReader Reader => new(Connection, Lake);

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(tabletServers: 1);
        _connection = await _cluster.ConnectAsync(o => o with { NoKeyAssigner = BucketAssignerKind.RoundRobin });
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    // ------------------------------------------------------------------------------------------------ tables

    /// <summary>Log table (id INT NOT NULL, name STRING, amount BIGINT).</summary>
    public static Schema LogSchema() => Schema.NewBuilder()
        .Column("id", new IntType(false)).Column("name", new StringType()).Column("amount", new BigIntType()).Build();

    /// <summary>Primary-key table (id INT NOT NULL, name STRING, score BIGINT), primary key id.</summary>
    public static Schema PkSchema() => Schema.NewBuilder()
        .Column("id", new IntType(false)).Column("name", new StringType()).Column("score", new BigIntType()).PrimaryKey("id").Build();

    /// <summary>
    /// A table in a new database; lake tables get a freshness of 1 h unless told otherwise, so that only the tests'
    /// own rounds tier them (the cluster's embedded tiering service tiers tables whose freshness has passed).
    /// </summary>
    public async Task<FlussTable> CreateTableAsync(string prefix, Schema schema, bool lake, int buckets = 3, IReadOnlyList<string>? bucketKeys = null,
        string freshness = "1 h")
    {
        var db = $"{prefix}_{Interlocked.Increment(ref s_counter)}";
        await Connection.Admin.CreateDatabaseAsync(db);
        var path = new TablePath(db, "t");
        var builder = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets, bucketKeys ?? []);
        if (lake) builder.Property("table.datalake.enabled", "true").Property("table.datalake.freshness", freshness);
        await Connection.Admin.CreateTableAsync(path, builder.Build());
        return await Connection.GetTableAsync(path);
    }

    public static GenericRow LogRow(int id) => GenericRow.Of(id, "n" + id, id * 10L);

    public static async Task AppendAsync(FlussTable table, IEnumerable<GenericRow> rows)
    {
        await using var writer = table.NewAppendWriter();
        var acks = rows.Select(r => (Task)writer.AppendAsync(r)).ToList();
        await writer.FlushAsync();
        await Task.WhenAll(acks);
    }

    /// <summary>Applies upserts (a row) and deletes (null) by key, in order, and waits for every acknowledgement.</summary>
    public static async Task ApplyAsync(FlussTable table, IEnumerable<(int Key, GenericRow? Row)> changes)
    {
        await using var writer = table.NewUpsertWriter();
        var acks = new List<Task>();
        foreach (var (key, row) in changes)
            acks.Add(row is null ? writer.DeleteAsync(GenericRow.Of(key, null, null)) : writer.UpsertAsync(row));
        await writer.FlushAsync();
        await Task.WhenAll(acks);
    }

    // ------------------------------------------------------------------------------------------------ tiering

    /// <summary>
    /// One tiering round by hand, as the tiering service does it: read each bucket's log from its lake offset (or the
    /// earliest) to its high watermark, write one lake data file per bucket (with change types for primary-key
    /// tables), PrepareLakeTableSnapshot, commit to the lake with the offsets file as <c>fluss-offsets</c>, then
    /// CommitLakeTableSnapshot. Returns the new lake snapshot id and the tiered offsets.
    /// </summary>
    public Task<(long SnapshotId, IReadOnlyDictionary<int, long> Offsets)> TierAsync(TablePath path) =>
        ManualTiering.TierOnceAsync(Connection, Lake, Cluster.BootstrapServers, path);

    // ------------------------------------------------------------------------------------------------ reading

    /// <summary>The rows of Arrow batches as generic rows of <paramref name="rowType"/>, in order.</summary>
    public static List<GenericRow> RowsOf(IEnumerable<RecordBatch> batches, RowType rowType)
    {
        var rows = new List<GenericRow>();
        foreach (var batch in batches)
        {
            var reader = new ArrowRowReader(batch, rowType);
            for (var i = 0; i < batch.Length; i++) rows.Add(GenericRow.CopyOf(reader.GetRow(i), rowType));
        }
        return rows;
    }

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(timeout.Token)) list.Add(item);
        return list;
    }

    /// <summary>Plans and reads a table with the union reader; the rows and the plan.</summary>
    public async Task<(List<GenericRow> Rows, UnionReadPlan Plan)> ReadAsync(TablePath path, IReadOnlyList<string>? columns = null)
    {
        var plan = await Reader.PlanAsync(path, new UnionReadOptions { Columns = columns });
        var batches = await ToListAsync(Reader.ReadAsync(plan));
        Assert.All(batches, b => Assert.Equal(plan.Columns, b.Schema.FieldsList.Select(f => f.Name)));
        return (RowsOf(batches, plan.RowType), plan);
    }

    /// <summary>Rows in a canonical order (by their text), for comparing multisets.</summary>
    public static List<string> Canonical(IEnumerable<GenericRow> rows) => rows.Select(r => r.ToString()!).Order(StringComparer.Ordinal).ToList();
}
