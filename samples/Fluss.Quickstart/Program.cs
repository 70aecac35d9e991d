using System.Diagnostics;
using Fluss.Client;
using Fluss.LocalCluster;
using Fluss.Metadata;
using Fluss.Rows;

// Fluss.Lake quickstart: a local cluster (coordinator + 3 tablet servers, embedded metadata store) in a temp
// directory, a log table, 100,000 rows appended, then scanned back in full and with a one-column projection.

const int rowCount = 100_000;
var dataDir = Path.Combine(Path.GetTempPath(), "fluss-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
var clock = Stopwatch.StartNew();
await using var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions { DataDir = dataDir, CoordinatorPort = 0, TabletServers = 3 });
Console.WriteLine($"local cluster ready in {clock.ElapsedMilliseconds} ms: bootstrap servers {cluster.BootstrapServers}, data in {dataDir}");

try
{
    await using var conn = await FlussConnection.ConnectAsync(cluster.BootstrapServers);
    await conn.Admin.CreateDatabaseAsync("quickstart");
    var path = new TablePath("quickstart", "orders");
    var descriptor = TableDescriptor.NewBuilder()
        .Schema(Schema.NewBuilder().Columns("id BIGINT NOT NULL, customer STRING, amount DECIMAL(12, 2), ts TIMESTAMP(3)").Build())
        .DistributedBy(3)
        .Build();
    await conn.Admin.CreateTableAsync(path, descriptor);
    Console.WriteLine("created log table quickstart.orders (id BIGINT NOT NULL, customer STRING, amount DECIMAL(12, 2), ts TIMESTAMP(3)), 3 buckets");

    var table = await conn.GetTableAsync(path);
    clock.Restart();
    var start = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);
    await using (var writer = table.NewAppendWriter())
    {
        for (var i = 0; i < rowCount; i++)
        {
            _ = writer.AppendAsync(GenericRow.Of((long)i, $"customer-{i % 1000}", FlussDecimal.FromUnscaledLong(i % 10_000 * 25L, 12, 2),
                TimestampNtz.FromDateTime(start.AddMilliseconds(i))));
        }
        await writer.FlushAsync();
    }
    Console.WriteLine($"appended {rowCount:N0} rows (acks=all) in {clock.ElapsedMilliseconds} ms");

    clock.Restart();
    long rows = 0, idSum = 0;
    await using (var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true }))
    {
        await foreach (var batch in scanner.ReadBatchesAsync())
        {
            using (batch)
            {
                var ids = (Apache.Arrow.Int64Array)batch.Batch.Column(0);
                for (var r = 0; r < batch.RowCount; r++) idSum += ids.GetValue(r)!.Value;
                rows += batch.RowCount;
            }
        }
    }
    Console.WriteLine($"scanned all columns: {rows:N0} rows in {clock.ElapsedMilliseconds} ms");

    clock.Restart();
    long projected = 0;
    decimal total = 0;
    await using (var scanner = table.NewLogScanner(new LogScanOptions { Columns = ["amount"], StopAtEnd = true }))
    {
        await foreach (var record in scanner.ReadRecordsAsync())
        {
            total += record.Row.GetDecimal(0, 12, 2).ToDecimal();
            projected++;
        }
    }
    Console.WriteLine($"scanned column 'amount' only (projection pushed to the tablet servers): {projected:N0} rows in {clock.ElapsedMilliseconds} ms, total amount {total:N2}");

    var expectedSum = (long)rowCount * (rowCount - 1) / 2;
    var ok = rows == rowCount && projected == rowCount && idSum == expectedSum;
    Console.WriteLine(ok ? "quickstart finished: every row written was read back" : "quickstart FAILED: rows missing or duplicated");
    return ok ? 0 : 1;
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
}
