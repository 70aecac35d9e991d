using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.LocalCluster;
using Fluss.Metadata;
using Fluss.Rows;

// Appends N rows (default 1,000,000) of a 20-column table to a local cluster with acks=all, then scans them back
// with all columns and with one column, and prints rows/s and MB/s for each. Usage: [rows] [buckets]

var rowCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var buckets = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var dataDir = Path.Combine(Path.GetTempPath(), "fluss-throughput-" + Guid.NewGuid().ToString("N")[..8]);
await using var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions { DataDir = dataDir, CoordinatorPort = 0, TabletServers = 3 });
try
{
    await using var conn = await FlussConnection.ConnectAsync(cluster.BootstrapServers);
    await conn.Admin.CreateDatabaseAsync("bench");
    var columns = string.Join(", ", Enumerable.Range(0, 20).Select(i => (i % 4) switch
    {
        0 => $"i{i} INT",
        1 => $"l{i} BIGINT",
        2 => $"d{i} DOUBLE",
        _ => $"s{i} STRING",
    }));
    var path = new TablePath("bench", "wide");
    await conn.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder().Schema(Schema.NewBuilder().Columns(columns).Build()).DistributedBy(buckets).Build());
    var table = await conn.GetTableAsync(path);

    // Logical row size: 5 INT (4 B) + 5 BIGINT (8 B) + 5 DOUBLE (8 B) + 5 strings of 20 ASCII chars = 200 B.
    const int rowBytes = 5 * 4 + 5 * 8 + 5 * 8 + 5 * 20;
    var strings = Enumerable.Range(0, 1000).Select(i => $"value-{i:D14}").ToArray();
    var clock = Stopwatch.StartNew();
    await using (var writer = table.NewAppendWriter())
    {
        for (var r = 0; r < rowCount; r++)
        {
            var row = new object?[20];
            for (var c = 0; c < 20; c++)
                row[c] = (c % 4) switch { 0 => r + c, 1 => (long)r * c, 2 => r * 0.5 + c, _ => strings[(r + c) % strings.Length] };
            _ = writer.AppendAsync(new GenericRow(row));
        }
        await writer.FlushAsync();
    }
    Report("append (acks=all)", rowCount, rowCount * (double)rowBytes, clock.Elapsed);

    clock.Restart();
    long all = 0;
    await using (var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true }))
        await foreach (var batch in scanner.ReadBatchesAsync()) using (batch) all += batch.RowCount;
    Report("scan, all 20 columns", all, all * (double)rowBytes, clock.Elapsed);

    clock.Restart();
    long one = 0;
    await using (var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true, Columns = ["i0"] }))
        await foreach (var batch in scanner.ReadBatchesAsync()) using (batch) one += batch.RowCount;
    Report("scan, 1 INT column", one, one * 4.0, clock.Elapsed);

    var logBytes = Directory.EnumerateFiles(dataDir, "*.log", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    Console.WriteLine($"log segments on disk: {logBytes / 1e6:F1} MB for {rowCount * (double)rowBytes / 1e6:F1} MB of row data (ZSTD)");
    return all == rowCount && one == rowCount ? 0 : 1;
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
}

static void Report(string what, long rows, double bytes, TimeSpan elapsed) =>
    Console.WriteLine($"{what,-24} {rows,10:N0} rows in {elapsed.TotalSeconds,6:F2} s: {rows / elapsed.TotalSeconds,12:N0} rows/s, {bytes / 1e6 / elapsed.TotalSeconds,8:F1} MB/s");
