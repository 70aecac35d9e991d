using System.Diagnostics;
using Fluss.Arrow;
using Fluss.Bucketing;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;

// Fluss.Lake quickstart: a table schema from a string, 100,000 rows encoded as Fluss Arrow log batches
// (ZSTD), checked and read back in full and projected, and each row's bucket computed the way Fluss does.

const int rowCount = 100_000;
const int buckets = 4;
var schema = Schema.FromColumnList("id BIGINT NOT NULL, name STRING, amount DECIMAL(12, 2), ts TIMESTAMP(3)");
var rowType = schema.RowType;
Console.WriteLine($"schema: {string.Join(", ", schema.Columns.Select(c => $"{c.Name} {c.DataType}"))}");

var clock = Stopwatch.StartNew();
using var rows = new ArrowBatchBuilder(rowType);
using var encoder = new ArrowLogBatchBuilder(ArrowCompressionType.Zstd);
var bucketKey = KeyEncoders.ForBucketKey(rowType, ["id"], dataLakeFormat: null);
var bucketing = BucketingFunctions.For(null);
var perBucket = new int[buckets];
var log = new MemoryStream();
var start = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);
for (var i = 0; i < rowCount; i++)
{
    var row = GenericRow.Of((long)i, $"user-{i % 1000}", FlussDecimal.FromUnscaledLong(i * 7L, 12, 2),
        TimestampNtz.FromDateTime(start.AddMilliseconds(i)));
    perBucket[bucketing.Bucket(bucketKey.EncodeKey(row), buckets)]++;
    rows.Append(row);
    if (rows.RowCount == 10_000)
    {
        log.Write(encoder.BuildAppendOnly(rows, new LogBatchHeader(SchemaId: 1)).Span);
        rows.Clear();
    }
}
if (rows.RowCount > 0)
    log.Write(encoder.BuildAppendOnly(rows, new LogBatchHeader(SchemaId: 1)).Span);
var bytes = log.ToArray();
Console.WriteLine($"wrote {rowCount:N0} rows as {bytes.Length:N0} bytes of ZSTD Arrow log batches in {clock.ElapsedMilliseconds} ms");
Console.WriteLine($"rows per bucket (Fluss murmur bucketing of the key 'id', {buckets} buckets): {string.Join(", ", perBucket)}");

var scan = new LogRecords(bytes).Scan(verifyChecksums: true);
Console.WriteLine($"checked {scan.BatchCount} batches: CRC-32C valid, tail {scan.Tail}");
if (scan.Tail != LogTailState.Complete) return 1;

clock.Restart();
long read = 0, idSum = 0;
foreach (var batch in new LogRecords(bytes))
{
    using var arrow = batch.ReadArrow(rowType);
    var reader = new ArrowRowReader(arrow.Batch, rowType);
    for (var r = 0; r < arrow.RowCount; r++)
    {
        idSum += reader.GetRow(r).GetLong(0);
        read++;
    }
}
Console.WriteLine($"read back {read:N0} rows in {clock.ElapsedMilliseconds} ms (sum of ids {idSum:N0})");

var projected = rowType.Project([1]);
long names = 0;
foreach (var batch in new LogRecords(bytes))
{
    using var arrow = batch.ReadArrow(rowType);
    names += arrow.Batch.Column(1).Length;
}
Console.WriteLine($"projection to ({string.Join(", ", projected.FieldNames)}): {names:N0} values");
var ok = read == rowCount && idSum == (long)rowCount * (rowCount - 1) / 2 && names == rowCount && perBucket.Sum() == rowCount;
Console.WriteLine(ok ? "quickstart finished: all rows accounted for" : "quickstart FAILED: rows missing");
return ok ? 0 : 1;
