using System.Diagnostics;
using System.Globalization;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Client;
using Fluss.Lake.Paimon;
using ParquetSharp;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>tiering</c>: the tiering service tiers the <c>append</c> log table and the changelog of the <c>upsert</c>
/// primary-key table to the Paimon lake (each table lake-enabled in turn, so that its rounds run alone). Baseline:
/// the same Arrow batches (read back from the log beforehand) written straight to Parquet with the same library
/// and settings as the lake writer (ParquetSharp, ZSTD, row groups of up to 122,880 rows), with the same bucket
/// parallelism.
/// </summary>
internal static class TieringScenario
{
    public const string Name = "tiering";
    private const int RowGroupRows = 122_880;
    private const int BucketParallelism = 2;

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var log = await s.LogTableAsync(ct).ConfigureAwait(false);
        var kv = await s.KvTableAsync(ct).ConfigureAwait(false);
        await s.TieringAsync(ct).ConfigureAwait(false);
        // Warm-up (JIT of the read and write paths, the service's first poll) on the small tables written before
        // append and upsert measured.
        if (s.WarmUpLogTable is { } warmLog) await TierAsync(s, warmLog, "warm-up of the log table", ct).ConfigureAwait(false);
        if (s.WarmUpKvTable is { } warmKv) await TierAsync(s, warmKv, "warm-up of the primary-key table", ct).ConfigureAwait(false);

        var logTier = await TierAsync(s, log.Table, "log table", ct).ConfigureAwait(false);
        var kvTier = await TierAsync(s, kv.Table, "primary-key table changelog", ct).ConfigureAwait(false);
        var logBase = await BaselineAsync(s, log.Table, "log table", ct).ConfigureAwait(false);
        var kvBase = await BaselineAsync(s, kv.Table, "primary-key table changelog", ct).ConfigureAwait(false);

        var result = new BenchResult(Name);
        var tierSeconds = logTier.Rounds.TotalSeconds + kvTier.Rounds.TotalSeconds;
        var system = result.System;
        PutSide(system, "log", "rows", logTier.Records, logTier.Rounds, logBase.ArrowBytes, logTier.Files);
        system["log_rounds"] = logTier.RoundCount;
        PutSide(system, "pk", "changes", kvTier.Records, kvTier.Rounds, kvBase.ArrowBytes, kvTier.Files);
        system["pk_rounds"] = kvTier.RoundCount;
        PutTotals(system, logTier.Records + kvTier.Records, tierSeconds, logBase.ArrowBytes + kvBase.ArrowBytes, logTier.LakeBytes + kvTier.LakeBytes, logTier.Files + kvTier.Files);
        system["wall_seconds"] = logTier.Wall.TotalSeconds + kvTier.Wall.TotalSeconds;

        var baseline = result.Baseline;
        var baseSeconds = logBase.Elapsed.TotalSeconds + kvBase.Elapsed.TotalSeconds;
        PutSide(baseline, "log", "rows", logBase.Rows, logBase.Elapsed, logBase.ArrowBytes, logBase.Files);
        PutSide(baseline, "pk", "changes", kvBase.Rows, kvBase.Elapsed, kvBase.ArrowBytes, kvBase.Files);
        PutTotals(baseline, logBase.Rows + kvBase.Rows, baseSeconds, logBase.ArrowBytes + kvBase.ArrowBytes, logBase.ParquetBytes + kvBase.ParquetBytes, logBase.Files + kvBase.Files);

        result.Ratio = baseSeconds / tierSeconds;
        result.RatioMeaning = "system rows/s / Parquet-only rows/s (same Arrow batches)";
        result.Params["log_rows"] = log.Rows;
        result.Params["log_buckets"] = log.Table.Info.NumBuckets;
        result.Params["pk_upserts"] = kv.Upserts;
        result.Params["pk_keys"] = s.Kv.Keys;
        result.Params["pk_buckets"] = kv.Table.Info.NumBuckets;
        result.Params["parquet_compression"] = "ZSTD";
        result.Params["bucket_parallelism"] = BucketParallelism;
        result.Params["system_time"] = "sum of the committed tiering rounds' durations";
        result.Params["goal"] = "ratio >= 0.8";
        return result;
    }

    /// <summary>One table's figures, keyed <c>{table}_{count}</c>, <c>{table}_seconds</c>, <c>{table}_rows_per_s</c>, ...</summary>
    private static void PutSide(Figures figures, string table, string count, long rows, TimeSpan elapsed, long arrowBytes, int files)
    {
        figures[$"{table}_{count}"] = rows;
        figures[$"{table}_seconds"] = elapsed.TotalSeconds;
        figures[$"{table}_rows_per_s"] = Stats.PerSecond(rows, elapsed);
        figures[$"{table}_arrow_mb_per_s"] = Stats.PerSecond(Stats.Mb(arrowBytes), elapsed);
        figures[$"{table}_files"] = files;
    }

    /// <summary>The figures of both tables together.</summary>
    private static void PutTotals(Figures figures, long rows, double seconds, long arrowBytes, long parquetBytes, int files)
    {
        figures["rows_per_s"] = rows / seconds;
        figures["mb_per_s"] = Stats.Mb(arrowBytes) / seconds;
        figures["parquet_mb"] = Stats.Mb(parquetBytes);
        figures["files"] = files;
    }

    private sealed record TierRun(long Records, TimeSpan Rounds, int RoundCount, long LakeBytes, int Files, TimeSpan Wall);

    /// <summary>Enables the lake on the table and waits until the lake holds its whole log; the rounds are timed by the service's metrics.</summary>
    private static async Task<TierRun> TierAsync(BenchSession s, FlussTable table, string what, CancellationToken ct)
    {
        var buckets = Enumerable.Range(0, table.Info.NumBuckets).ToArray();
        var ends = await s.Connection.Admin.ListOffsetsAsync(table.Path, buckets, OffsetSpec.Latest, ct).ConfigureAwait(false);
        var records = ends.Values.Sum();
        using var metrics = new MetricCapture("Fluss.Tiering", table.Path.ToString(),
            "fluss_tiering_tier_duration_ms", "fluss_tiering_file_size_bytes_total");
        TimeSpan wall;
        using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"tiering: {what}, {records:N0} log records"), 1))
        {
            var clock = Stopwatch.StartNew();
            await s.Connection.Admin.AlterTableAsync(table.Path, [TableChange.Set("table.datalake.enabled", "true")], cancellationToken: ct).ConfigureAwait(false);
            await s.WaitForLakeAsync(table, ends, TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
            wall = clock.Elapsed;
            // The service records a round's metrics just after the coordinator commit the wait observes: wait for
            // one duration per lake snapshot (one snapshot per committed round of a newly lake-enabled table).
            var snapshot = await s.Connection.Admin.GetLakeSnapshotAsync(table.Path, ct).ConfigureAwait(false);
            var deadline = Stopwatch.StartNew();
            while (metrics.Values("fluss_tiering_tier_duration_ms").Length < snapshot.SnapshotId && deadline.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(10, ct).ConfigureAwait(false);
        }
        var rounds = metrics.Values("fluss_tiering_tier_duration_ms");
        if (rounds.Length == 0) throw new TimeoutException($"the tiering service reported no committed round of {table.Path}");
        var location = ((PaimonLakeStorage)s.Lake).TableLocation(table.Path);
        var files = Directory.EnumerateFiles(location, "*.parquet", SearchOption.AllDirectories).Count();
        return new TierRun(records, TimeSpan.FromMilliseconds(rounds.Sum()), rounds.Length, (long)metrics.Values("fluss_tiering_file_size_bytes_total").Sum(), files, wall);
    }

    private sealed record BaselineRun(long Rows, long ArrowBytes, TimeSpan Elapsed, int Files, long ParquetBytes);

    /// <summary>Reads the table's log into memory, then writes each bucket's batches to one Parquet file (timed).</summary>
    private static async Task<BaselineRun> BaselineAsync(BenchSession s, FlussTable table, string what, CancellationToken ct)
    {
        var byBucket = new Dictionary<int, List<ScanBatch>>();
        try
        {
            long rows = 0, arrowBytes = 0;
            using (s.Progress.Step($"tiering baseline: reading the {what} into memory", 1))
            {
                var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });
                await using (scanner.ConfigureAwait(false))
                {
                    await foreach (var batch in scanner.ReadBatchesAsync(ct).ConfigureAwait(false))
                    {
                        (byBucket.TryGetValue(batch.Bucket, out var list) ? list : byBucket[batch.Bucket] = []).Add(batch);
                        rows += batch.RowCount;
                        arrowBytes += ArrowBatches.BufferBytes(batch.Batch);
                    }
                }
            }
            var dir = Path.Combine(s.DataDir, "bench-baseline-parquet-" + Guid.NewGuid().ToString("N")[..6]);
            Directory.CreateDirectory(dir);
            try
            {
                var schema = ArrowSchemas.ToArrowSchema(table.Info.RowType);
                TimeSpan elapsed;
                using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"tiering baseline: {rows:N0} rows of the {what} straight to Parquet"), 1))
                {
                    var clock = Stopwatch.StartNew();
                    await Parallel.ForEachAsync(byBucket, new ParallelOptions { MaxDegreeOfParallelism = BucketParallelism, CancellationToken = ct }, (bucket, _) =>
                    {
                        WriteParquet(Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"bucket-{bucket.Key}.parquet")), schema, bucket.Value);
                        return ValueTask.CompletedTask;
                    }).ConfigureAwait(false);
                    elapsed = clock.Elapsed;
                }
                var parquetBytes = Directory.EnumerateFiles(dir).Sum(f => new FileInfo(f).Length);
                return new BaselineRun(rows, arrowBytes, elapsed, byBucket.Count, parquetBytes);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        finally
        {
            foreach (var batch in byBucket.Values.SelectMany(b => b)) batch.Dispose();
        }
    }

    private static void WriteParquet(string path, Apache.Arrow.Schema schema, List<ScanBatch> batches)
    {
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Zstd).MaxRowGroupLength(RowGroupRows).Build();
        using var writer = new ParquetSharp.Arrow.FileWriter(path, schema, properties);
        foreach (var batch in batches) writer.WriteBufferedRecordBatch(WithSchema(batch.Batch, schema));
        writer.Close();
    }

    /// <summary>The batch with the table's Arrow schema (the scanner's batches carry it already; this keeps field metadata equal).</summary>
    private static RecordBatch WithSchema(RecordBatch batch, Apache.Arrow.Schema schema) =>
        ReferenceEquals(batch.Schema, schema) ? batch : new RecordBatch(schema, Enumerable.Range(0, batch.ColumnCount).Select(batch.Column), batch.Length);
}
