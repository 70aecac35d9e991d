using System.Diagnostics;
using System.Globalization;
using Fluss.Client;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>upsert</c>: upserts over a key space into a primary-key table (acks=all). Baseline: the same keys and values
/// put into RocksDB directly with WriteBatch in this process, with the tablet servers' RocksDB options.
/// </summary>
internal static class UpsertScenario
{
    public const string Name = "upsert";
    private const int Mark = 4096;
    private const int BaselineBatch = 1000;

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var run = await WriteAsync(s, ct).ConfigureAwait(false);
        s.KvTable?.Dispose();
        s.KvTable = run;
        var ack = Stats.Sorted(run.BatchAckMs);
        var result = new BenchResult(Name);
        result.System["upserts"] = run.Upserts;
        result.System["seconds"] = run.Elapsed.TotalSeconds;
        result.System["ops_per_s"] = Stats.PerSecond(run.Upserts, run.Elapsed);
        result.System["batch_ack_p50_ms"] = Stats.Percentile(ack, 50);
        result.System["batch_ack_p99_ms"] = Stats.Percentile(ack, 99);
        result.Baseline["upserts"] = run.Upserts;
        result.Baseline["seconds"] = run.BaselineElapsed.TotalSeconds;
        result.Baseline["ops_per_s"] = Stats.PerSecond(run.Upserts, run.BaselineElapsed);
        result.Baseline["write_batch"] = BaselineBatch;
        result.Ratio = run.BaselineElapsed.TotalSeconds / run.Elapsed.TotalSeconds;
        result.RatioMeaning = "system ops/s / RocksDB WriteBatch ops/s";
        result.Params["upserts"] = run.Upserts;
        result.Params["keys"] = s.Kv.Keys;
        result.Params["buckets"] = run.Table.Info.NumBuckets;
        result.Params["acks"] = "all";
        result.Params["schema"] = "id BIGINT PRIMARY KEY, name STRING, score DOUBLE, updated BIGINT";
        result.Params["rocksdb_wal"] = false;
        result.Params["goal"] = "ratio >= 0.5";
        return result;
    }

    /// <summary>Creates the primary-key table, upserts into it (measured), then puts the same into the RocksDB baseline (measured).</summary>
    public static async Task<KvTableRun> WriteAsync(BenchSession s, CancellationToken ct)
    {
        // Warm-up (JIT, pools, connections) on a table of its own: a fifth of the upserts, at most 200,000.
        var warmRows = Math.Min(200_000, Math.Max(1, s.Options.Upserts / 5));
        var warm = await s.CreateTableAsync(s.NewTablePath("warmup_kv"), KvRows.Schema, s.Options.KvBuckets, lake: false, ct).ConfigureAwait(false);
        using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"upsert warm-up: {warmRows:N0} upserts"), warmRows))
            await UpsertRowsAsync(warm, warmRows, s.Kv, step, s.Connection.Options.WriterBufferMemory / 64, ct).ConfigureAwait(false);
        s.WarmUpKvTable ??= warm;

        var path = s.NewTablePath("kv");
        var table = await s.CreateTableAsync(path, KvRows.Schema, s.Options.KvBuckets, lake: false, ct).ConfigureAwait(false);
        var upserts = s.Options.Upserts;
        using var metrics = new MetricCapture("Fluss.Client", path.ToString(), "fluss_client_writer_send_latency_ms");
        TimeSpan elapsed;
        using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"upsert: {upserts:N0} upserts over {s.Kv.Keys:N0} keys, {s.Options.KvBuckets} buckets"), upserts))
        {
            var clock = Stopwatch.StartNew();
            await UpsertRowsAsync(table, upserts, s.Kv, step, s.Connection.Options.WriterBufferMemory / 64, ct).ConfigureAwait(false);
            elapsed = clock.Elapsed;
        }
        var baseline = new RocksBaseline(Path.Combine(s.DataDir, "bench-baseline-rocksdb-" + Guid.NewGuid().ToString("N")[..6]));
        try
        {
            TimeSpan baselineElapsed;
            using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"upsert baseline: {upserts:N0} puts into RocksDB"), upserts))
                baselineElapsed = baseline.Put(s.Kv, upserts, BaselineBatch, step);
            return new KvTableRun(table, upserts, elapsed, metrics.Values("fluss_client_writer_send_latency_ms"), baseline, baselineElapsed);
        }
        catch
        {
            baseline.Dispose();
            throw;
        }
    }

    private static async Task UpsertRowsAsync(FlussTable table, long count, KvRows rows, IBenchStep step, long window, CancellationToken ct)
    {
        window = Math.Max(Mark, window);
        var marks = new Queue<(long Row, Task Ack)>();
        var writer = table.NewUpsertWriter();
        await using (writer.ConfigureAwait(false))
        {
            for (long i = 0; i < count; i++)
            {
                var ack = writer.UpsertAsync(rows.Upsert(i), ct);
                if (i % Mark != 0) continue;
                marks.Enqueue((i, ack));
                while (marks.Peek().Row < i - window) await marks.Dequeue().Ack.ConfigureAwait(false);
                step.Advance(i == 0 ? 1 : Mark);
            }
            await writer.FlushAsync(ct).ConfigureAwait(false);
            foreach (var (_, ack) in marks) await ack.ConfigureAwait(false);
        }
    }
}
