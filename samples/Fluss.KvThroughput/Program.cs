using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.LocalCluster;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using RocksDbSharp;

// Upserts N changes over K keys into a primary-key table of a local cluster, then runs L random point lookups with
// the batched lookuper, and measures the same puts and gets on a RocksDB opened directly in this process, in the
// same run. Usage: [upserts=400000] [keys=200000] [lookups=200000] [concurrency=64]

var upserts = Arg(0, 400_000);
var keys = Arg(1, 200_000);
var lookups = Arg(2, 200_000);
var concurrency = Arg(3, 64);
var dataDir = Path.Combine(Path.GetTempPath(), "fluss-kvbench-" + Guid.NewGuid().ToString("N")[..8]);
var schema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING, score DOUBLE, updated BIGINT").PrimaryKey("id").Build();
var names = Enumerable.Range(0, 1000).Select(i => $"name-{i:D10}").ToArray();
GenericRow RowOf(long i) => GenericRow.Of(i % keys, names[i % names.Length], i * 0.25, i);

await using var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions { DataDir = dataDir, CoordinatorPort = 0, TabletServers = 3 });
try
{
    await using var conn = await FlussConnection.ConnectAsync(cluster.BootstrapServers);
    await conn.Admin.CreateDatabaseAsync("bench");
    var path = new TablePath("bench", "kv");
    await conn.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder().Schema(schema).DistributedBy(8).Build());
    var table = await conn.GetTableAsync(path);

    var clock = Stopwatch.StartNew();
    await using (var writer = table.NewUpsertWriter())
    {
        for (long i = 0; i < upserts; i++) _ = writer.UpsertAsync(RowOf(i));
        await writer.FlushAsync();
    }
    var upsertSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"fluss upsert (acks=all)   {upserts,10:N0} ops in {upsertSeconds,6:F2} s: {upserts / upsertSeconds,12:N0} ops/s");

    var lookuper = table.NewLookuper();
    var random = new Random(7);
    var keysToRead = Enumerable.Range(0, lookups).Select(_ => (long)random.Next(keys)).ToArray();
    var latencies = new double[lookups];
    var next = -1;
    clock.Restart();
    var found = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < lookups)
        {
            var t = Stopwatch.GetTimestamp();
            var row = await lookuper.LookupAsync(GenericRow.Of(keysToRead[i]));
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (row is not null) Interlocked.Increment(ref found);
        }
    }));
    var lookupSeconds = clock.Elapsed.TotalSeconds;
    Array.Sort(latencies);
    Console.WriteLine($"fluss lookup ({concurrency} in flight) {lookups,10:N0} ops in {lookupSeconds,6:F2} s: {lookups / lookupSeconds,12:N0} ops/s, p50 {latencies[lookups / 2]:F3} ms, p99 {latencies[(int)(lookups * 0.99)]:F3} ms, found {found:N0}");

    // Baseline: the same keys and values put into RocksDB directly with WriteBatch, and read back.
    var rawDir = Path.Combine(dataDir, "raw-rocksdb");
    using var db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), rawDir);
    var keyEncoder = new CompactedKeyEncoder(schema.RowType, ["id"]);
    using var rowWriter = new CompactedRowWriter(schema.RowType.FieldCount);
    var encodedKeys = new byte[keys][];
    for (long k = 0; k < keys; k++) encodedKeys[k] = keyEncoder.EncodeKey(GenericRow.Of(k, null, null, null));
    clock.Restart();
    using (var batch = new WriteBatch())
    {
        var writeOptions = new WriteOptions().DisableWal(1);
        for (long i = 0; i < upserts; i++)
        {
            rowWriter.Reset();
            rowWriter.WriteRow(RowOf(i), schema.RowType);
            batch.Put(encodedKeys[i % keys], rowWriter.ToArray());
            if (batch.Count() == 1000) { db.Write(batch, writeOptions); batch.Clear(); }
        }
        db.Write(batch, writeOptions);
    }
    var rawPut = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"rocksdb put (WriteBatch)  {upserts,10:N0} ops in {rawPut,6:F2} s: {upserts / rawPut,12:N0} ops/s  -> fluss/baseline {rawPut / upsertSeconds:F2}");
    clock.Restart();
    var rawFound = 0;
    for (var i = 0; i < lookups; i += 128)
    {
        var chunk = keysToRead.AsSpan(i, Math.Min(128, lookups - i)).ToArray().Select(k => encodedKeys[k]).ToArray();
        foreach (var kv in db.MultiGet(chunk)) if (kv.Value is not null) rawFound++;
    }
    var rawGet = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"rocksdb MultiGet (128)    {lookups,10:N0} ops in {rawGet,6:F2} s: {lookups / rawGet,12:N0} ops/s, found {rawFound:N0}  -> fluss/baseline {rawGet / lookupSeconds:F2}");
    return found == rawFound ? 0 : 1;
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
}

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
