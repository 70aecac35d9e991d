using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;
using Fluss.Tiering.Internal;
using Fluss.Tiering.Tests.Support;

namespace Fluss.Tiering.Tests;

/// <summary>
/// Measures (prints, does not assert) tiering throughput against the Paimon writer alone on the same Arrow batches,
/// and the lag a row sees between its commit in Fluss and its lake commit with table.datalake.freshness=1s. The
/// asserts check only that the lake holds what was written.
/// </summary>
public sealed class TieringThroughputTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Rows = 200_000;
    private static readonly Schema Schema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING, amount DOUBLE, category INT").Build();

    [Fact]
    public async Task Tiering_VersusPaimonWriterAlone_AndLagWithFreshnessOneSecond_Printed()
    {
        await using var cluster = await LakeCluster.StartAsync(embeddedTiering: false);

        // Warm-up (JIT) of the read, write and commit paths, so that neither side of the comparison pays for it.
        var warmup = await cluster.CreateLakeTableAsync(new TablePath("bench", "warmup"), Schema, buckets: 2);
        await using (var writer = warmup.NewAppendWriter())
        {
            for (var i = 0; i < 5000; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, "w", 1.0, 1));
            await writer.FlushAsync();
        }
        await using (await cluster.StartTieringAsync()) await cluster.WaitForLakeToCatchUpAsync(warmup, TimeSpan.FromSeconds(60));

        var table = await cluster.CreateLakeTableAsync(new TablePath("bench", "orders"), Schema, buckets: 2);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < Rows; i++)
                _ = writer.AppendAsync(GenericRow.Of((long)i, "customer-" + (i % 5000), i * 0.25, i % 17));
            await writer.FlushAsync();
        }

        // Tiering: the first round reads all buckets from the log and commits them.
        var results = new ConcurrentQueue<TieringRoundResult>();
        await using (var service = await cluster.StartTieringAsync())
        {
            service.Worker.RoundCompleted += results.Enqueue;
            await cluster.WaitForLakeToCatchUpAsync(table, TimeSpan.FromSeconds(120));
        }
        var committed = results.Where(r => r.Outcome == RoundOutcome.Committed).ToList();
        var tieredRows = committed.Sum(r => r.Rows);
        var tieredBytes = committed.Sum(r => r.Bytes);
        var tieringSeconds = committed.Sum(r => r.Duration.TotalSeconds);
        Assert.Equal(Rows, tieredRows);
        Assert.Equal(Rows, (await cluster.LakeRowsAsync(table.Path)).Count);

        // Baseline: the same log read into memory, then only the Paimon writer (same bucket parallelism as tiering).
        var byBucket = new Dictionary<int, List<ScanBatch>>();
        await using (var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true }))
        {
            await foreach (var batch in scanner.ReadBatchesAsync())
                (byBucket.TryGetValue(batch.Bucket, out var list) ? list : byBucket[batch.Bucket] = []).Add(batch);
        }
        var arrowBytes = byBucket.Values.SelectMany(l => l).Sum(b => new TieringBatch(b.Batch, default, 0, 0, null).SizeBytes);
        using var baselineDir = new TempDir();
        var baselineLake = new PaimonLakeStorage(baselineDir.Path);
        await baselineLake.CreateTableAsync(table.Path, table.Info.ToTableDescriptor());
        var paimon = await PaimonTableWriter.OpenAsync(LocalPaimonFileIO.Instance, baselineLake.TableLocation(table.Path));
        var watch = Stopwatch.StartNew();
        var files = await Task.WhenAll(byBucket.Select(p => paimon.WriteAsync(p.Key, p.Value.Select(b => new PaimonWriteBatch(b.Batch)).ToList())));
        await paimon.CommitAsync(files, "baseline", 1);
        watch.Stop();
        foreach (var b in byBucket.Values.SelectMany(l => l)) b.Dispose();
        var baselineBytes = files.Sum(f => f.FileSize);
        Assert.Equal(Rows, files.Sum(f => f.RowCount));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"scenario\":\"tiering-throughput\",\"rows\":{Rows},\"arrow_mb\":{arrowBytes / 1e6:F1},\"parquet_mb\":{tieredBytes / 1e6:F2},\"rounds\":{committed.Count},\"tiering_arrow_mb_per_s\":{arrowBytes / 1e6 / tieringSeconds:F1},\"paimon_writer_arrow_mb_per_s\":{arrowBytes / 1e6 / watch.Elapsed.TotalSeconds:F1},\"tiering_s\":{tieringSeconds:F3},\"tiering_rows_per_s\":{tieredRows / tieringSeconds:F0},\"tiering_parquet_mb_per_s\":{tieredBytes / 1e6 / tieringSeconds:F2}," +
            $"\"paimon_writer_s\":{watch.Elapsed.TotalSeconds:F3},\"paimon_writer_rows_per_s\":{Rows / watch.Elapsed.TotalSeconds:F0},\"paimon_writer_parquet_mb_per_s\":{baselineBytes / 1e6 / watch.Elapsed.TotalSeconds:F2}," +
            $"\"tiering_read_s\":{committed.Sum(r => r.BucketTime.Read.TotalSeconds):F3},\"tiering_write_s\":{committed.Sum(r => r.BucketTime.Write.TotalSeconds):F3},\"ratio\":{watch.Elapsed.TotalSeconds / tieringSeconds:F2}}}"));

        // Lag: rows keep arriving (about 2,000/s for 8 s) while the embedded cadence tiers the table every ~1 s.
        var lagTable = await cluster.CreateLakeTableAsync(new TablePath("bench", "stream"), Schema, buckets: 2);
        var lags = new ConcurrentQueue<TieringRoundResult>();
        var written = 0L;
        await using (var service = await cluster.StartTieringAsync())
        {
            service.Worker.RoundCompleted += r => { if (r.Table.Path == lagTable.Path) lags.Enqueue(r); };
            await using var writer = lagTable.NewAppendWriter();
            var until = Stopwatch.StartNew();
            while (until.Elapsed < TimeSpan.FromSeconds(8))
            {
                for (var i = 0; i < 200; i++, written++) _ = writer.AppendAsync(GenericRow.Of(written, "c", 1.0, 1));
                await Task.Delay(100);
            }
            await writer.FlushAsync();
            await cluster.WaitForLakeToCatchUpAsync(lagTable, TimeSpan.FromSeconds(60));
        }
        var lagRounds = lags.Where(r => r.Outcome == RoundOutcome.Committed && r.MaxLag is not null).Select(r => r.MaxLag!.Value.TotalMilliseconds).Order().ToList();
        Assert.Equal(written, (await cluster.LakeRowsAsync(lagTable.Path)).Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"scenario\":\"tiering-lag\",\"freshness_ms\":1000,\"rows\":{written},\"rounds\":{lagRounds.Count},\"oldest_row_lag_ms_p50\":{lagRounds[lagRounds.Count / 2]:F0},\"oldest_row_lag_ms_max\":{lagRounds[^1]:F0}}}"));
    }
}
