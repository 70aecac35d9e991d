using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.Data;
using Fluss.Errors;
using Fluss.LocalCluster;
using Fluss.Metadata;
using Fluss.Rows;

// Fluss.Lake quickstart, the whole product in one run: a local cluster (coordinator, tablet servers and the tiering
// service, embedded metadata store, Paimon lake on local disk) in a temp directory; a lake-enabled log table and a
// primary-key table with a one-second freshness; rows written, updated and deleted; the tiering service moving them
// into the lake; and SQL (ADO.NET over DuckDB) whose answers combine the lake and the live log.

var dataDir = Path.Combine(Path.GetTempPath(), "fluss-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
var total = Stopwatch.StartNew();
var clock = Stopwatch.StartNew();
await using var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions { DataDir = dataDir, CoordinatorPort = 0, TabletServers = 3 });
Say($"local cluster ready in {clock.ElapsedMilliseconds} ms: bootstrap servers {cluster.BootstrapServers}, lake in {Path.Combine(dataDir, "lake")}");

var failures = new List<string>();
const int customerCount = 1_000;
var start = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);
try
{
    await using var conn = await FlussConnection.ConnectAsync(cluster.BootstrapServers);
    await conn.Admin.CreateDatabaseAsync("quickstart");
    var ordersPath = new TablePath("quickstart", "orders");
    var customersPath = new TablePath("quickstart", "customers");
    await conn.Admin.CreateTableAsync(ordersPath, TableDescriptor.NewBuilder()
        .Schema(Schema.NewBuilder().Columns("id BIGINT NOT NULL, customer_id INT NOT NULL, amount DECIMAL(12, 2), ts TIMESTAMP(3)").Build())
        .DistributedBy(3)
        .Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 s")
        .Build());
    await conn.Admin.CreateTableAsync(customersPath, TableDescriptor.NewBuilder()
        .Schema(Schema.NewBuilder().Columns("id INT NOT NULL, name STRING, tier STRING").PrimaryKey("id").Build())
        .DistributedBy(3)
        .Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 s")
        .Build());
    Say("created lake tables (freshness 1 s): log table quickstart.orders (id, customer_id, amount, ts) and primary-key table quickstart.customers (id, name, tier)");

    // 1. History: 100,000 orders and 1,000 customers, then wait for the tiering service to move them to the lake.
    const int firstOrders = 100_000, liveOrders = 5_000;
    var orders = await conn.GetTableAsync(ordersPath);
    var customers = await conn.GetTableAsync(customersPath);
    clock.Restart();
    await AppendOrdersAsync(orders, 0, firstOrders);
    await using (var writer = customers.NewUpsertWriter())
    {
        for (var i = 0; i < customerCount; i++) _ = writer.UpsertAsync(GenericRow.Of(i, $"customer-{i}", "standard"));
        await writer.FlushAsync();
    }
    Say($"wrote {firstOrders:N0} orders and {customerCount:N0} customers in {clock.ElapsedMilliseconds} ms");
    clock.Restart();
    await WaitForLakeAsync(conn, ordersPath, customersPath);
    Say($"tiering caught up in {clock.ElapsedMilliseconds} ms: every row written so far is in the Paimon lake");

    // 2. Live changes the lake does not have yet: more orders, customers upgraded and deleted.
    await AppendOrdersAsync(orders, firstOrders, liveOrders);
    await using (var writer = customers.NewUpsertWriter())
    {
        for (var i = 0; i < 100; i++) _ = writer.UpsertAsync(GenericRow.Of(i, $"customer-{i}", "gold"));
        for (var i = 900; i < 950; i++) _ = writer.DeleteAsync(GenericRow.Of(i, null, null));
        await writer.FlushAsync();
    }
    Say($"then {liveOrders:N0} more orders, 100 customers upgraded to gold and 50 customers deleted, all live in the log");

    // 3. SQL through the ADO.NET provider: db.table is the lake plus the live log, "table$lake" the lake alone.
    await using var sql = new FlussDbConnection($"Bootstrap Servers={cluster.BootstrapServers}");
    await sql.OpenAsync();
    clock.Restart();
    var (orderCount, amount) = await ScalarsAsync<long, decimal>(sql, "SELECT count(*), sum(amount) FROM quickstart.orders");
    var ordersRead = sql.LastBinding.Single();
    Say($"SELECT count(*), sum(amount) FROM quickstart.orders  ->  {orderCount:N0} orders, {amount:N2} total ({clock.ElapsedMilliseconds} ms)");
    Say($"    {ordersRead.LakeRows:N0} rows from the lake (snapshot {ordersRead.LakeSnapshotId}, {ordersRead.LakeFiles} Parquet files read by DuckDB) + {ordersRead.TailRows:N0} rows from the live log");
    Check(orderCount == firstOrders + liveOrders, $"orders: {orderCount} rows, expected {firstOrders + liveOrders}");
    Check(ordersRead.LakeRows + ordersRead.TailRows == orderCount && ordersRead.LakeRows > 0, "orders: lake and live rows do not add up");

    var (customersNow, gold) = await ScalarsAsync<long, long>(sql, "SELECT count(*), count(*) FILTER (WHERE tier = 'gold') FROM quickstart.customers");
    var customersRead = sql.LastBinding.Single();
    var (customersInLake, goldInLake) = await ScalarsAsync<long, long>(sql, "SELECT count(*), count(*) FILTER (WHERE tier = 'gold') FROM quickstart.\"customers$lake\"");
    Say($"SELECT ... FROM quickstart.customers  ->  {customersNow:N0} customers, {gold} gold; the lake alone has {customersInLake:N0} customers, {goldInLake} gold");
    Say($"    {customersRead.LakeRows:N0} lake rows merged by key with {customersRead.TailRows:N0} live changes (updates replace, deletes remove)");
    Check(customersNow == customerCount - 50 && gold == 100, $"customers: {customersNow} rows with {gold} gold, expected {customerCount - 50} with 100 gold");

    Say("SELECT c.tier, count(*), sum(o.amount) FROM quickstart.orders o JOIN quickstart.customers c ON o.customer_id = c.id GROUP BY c.tier");
    foreach (var row in await RowsAsync(sql, "SELECT c.tier, count(*) AS orders, sum(o.amount) AS total FROM quickstart.orders o "
        + "JOIN quickstart.customers c ON o.customer_id = c.id GROUP BY c.tier ORDER BY c.tier"))
        Say($"    {row[0],-10} {(long)row[1]!,10:N0} orders {(decimal)row[2]!,16:N2}");

    Say("SELECT _change_type, count(*) FROM quickstart.\"customers$changelog\" GROUP BY 1  (the change log, Fluss's virtual table)");
    foreach (var row in await RowsAsync(sql, "SELECT _change_type, count(*) FROM quickstart.\"customers$changelog\" GROUP BY 1 ORDER BY 1"))
        Say($"    {row[0],-14} {(long)row[1]!,8:N0}");

    // 4. The tiering service catches up again: the same query now reads everything from the lake.
    clock.Restart();
    await WaitForLakeAsync(conn, ordersPath, customersPath);
    var (after, _) = await ScalarsAsync<long, decimal>(sql, "SELECT count(*), sum(amount) FROM quickstart.orders");
    var afterRead = sql.LastBinding.Single();
    Say($"after {clock.ElapsedMilliseconds} ms the live rows are tiered too: {after:N0} orders = {afterRead.LakeRows:N0} from the lake + {afterRead.TailRows:N0} from the live log");
    Check(after == orderCount && afterRead.LakeRows == orderCount, "orders after tiering: rows missing from the lake");
}
catch (Exception e) when (e is FlussException or DbException or TimeoutException or InvalidOperationException)
{
    failures.Add($"{e.GetType().Name}: {e.Message}");
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
}

Say(failures.Count == 0
    ? $"quickstart finished in {total.Elapsed.TotalSeconds:0.0} s: SQL answers combined the lake and the live log, and every row written was counted once"
    : "quickstart FAILED:\n  " + string.Join("\n  ", failures));
return failures.Count == 0 ? 0 : 1;

void Say(string line) => Console.WriteLine(line);

void Check(bool ok, string failure)
{
    if (!ok) failures.Add(failure);
}

async Task AppendOrdersAsync(FlussTable table, int first, int count)
{
    await using var writer = table.NewAppendWriter();
    for (var i = first; i < first + count; i++)
    {
        _ = writer.AppendAsync(GenericRow.Of((long)i, i % customerCount, FlussDecimal.FromUnscaledLong(i % 10_000 * 25L, 12, 2),
            TimestampNtz.FromDateTime(start.AddMilliseconds(i))));
    }
    await writer.FlushAsync();
}

// Polls the coordinator's lake snapshots until every bucket of both tables is tiered up to its high watermark.
async Task WaitForLakeAsync(FlussConnection connection, params TablePath[] paths)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
    foreach (var path in paths)
    {
        var buckets = Enumerable.Range(0, 3).ToArray();
        var ends = await connection.Admin.ListOffsetsAsync(path, buckets, OffsetSpec.Latest);
        while (true)
        {
            try
            {
                var snapshot = await connection.Admin.GetLakeSnapshotAsync(path);
                if (buckets.All(b => snapshot.BucketOffsets.GetValueOrDefault(b) >= ends[b])) break;
            }
            catch (LakeTableSnapshotNotExistException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the tiering service did not catch up with {path} within 60 s");
            await Task.Delay(100);
        }
    }
}

static async Task<(T1, T2)> ScalarsAsync<T1, T2>(FlussDbConnection connection, string text)
{
    var row = (await RowsAsync(connection, text)).Single();
    return ((T1)Convert.ChangeType(row[0]!, typeof(T1), CultureInfo.InvariantCulture), (T2)Convert.ChangeType(row[1]!, typeof(T2), CultureInfo.InvariantCulture));
}

static async Task<List<object?[]>> RowsAsync(FlussDbConnection connection, string text)
{
    await using var command = connection.CreateCommand();
    command.CommandText = text;
    await using var reader = await command.ExecuteReaderAsync();
    var rows = new List<object?[]>();
    while (await reader.ReadAsync())
    {
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        rows.Add(row);
    }
    return rows;
}
