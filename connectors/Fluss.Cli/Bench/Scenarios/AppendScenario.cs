using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.Codecs;
using Fluss.Records.Log;
using Fluss.Rows;
using Microsoft.Win32.SafeHandles;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>append</c>: 20-column rows appended with acks=all (replication factor 1) to a log table. Baseline: the Arrow
/// IPC log batches the server stored, written again to files in the same data directory, batch by batch, bucket
/// after bucket in turn, with the server's flush policy (no fsync per append: <c>log.flush.interval-messages</c> is
/// unlimited, segments are forced to disk only when they roll).
/// </summary>
internal static class AppendScenario
{
    public const string Name = "append";
    private const int Mark = 4096;

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var run = await WriteAsync(s, ct).ConfigureAwait(false);
        s.LogTable = run;

        // The bytes as the server stored them, batch by batch per bucket file.
        var files = s.SegmentFiles(run.Table.Info);
        var contents = new List<byte[]>();
        foreach (var file in files) contents.Add(await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false));
        var logBytes = contents.Sum(c => (long)c.Length);
        var batches = contents.Select(Batches).ToList();
        var batchCount = batches.Sum(b => b.Count);

        var baselineDir = Path.Combine(s.DataDir, "bench-baseline-append");
        Directory.CreateDirectory(baselineDir);
        TimeSpan baseline;
        using (s.Progress.Step($"append baseline: writing the same {Stats.Mb(logBytes):F0} MB of log batches to {files.Count} files", 1))
            baseline = WriteBatches(baselineDir, contents, batches);
        Directory.Delete(baselineDir, recursive: true);

        var result = new BenchResult(Name);
        var rowBytes = s.Wide.ActualRowBytes;
        var ack = Stats.Sorted(run.BatchAckMs);
        result.System["rows"] = run.Rows;
        result.System["seconds"] = run.Elapsed.TotalSeconds;
        result.System["rows_per_s"] = Stats.PerSecond(run.Rows, run.Elapsed);
        result.System["mb_per_s"] = Stats.PerSecond(Stats.Mb(run.Rows * (double)rowBytes), run.Elapsed);
        result.System["log_mb"] = Stats.Mb(logBytes);
        result.System["log_mb_per_s"] = Stats.PerSecond(Stats.Mb(logBytes), run.Elapsed);
        result.System["batches"] = batchCount;
        result.System["rows_per_batch"] = batchCount == 0 ? 0 : run.Rows / (double)batchCount;
        result.System["batch_ack_p50_ms"] = Stats.Percentile(ack, 50);
        result.System["batch_ack_p99_ms"] = Stats.Percentile(ack, 99);
        result.Baseline["log_mb"] = Stats.Mb(logBytes);
        result.Baseline["seconds"] = baseline.TotalSeconds;
        result.Baseline["log_mb_per_s"] = Stats.PerSecond(Stats.Mb(logBytes), baseline);
        result.Baseline["rows_per_s"] = Stats.PerSecond(run.Rows, baseline);
        result.Baseline["batches"] = batchCount;
        result.Baseline["fsync"] = false;
        result.Ratio = baseline.TotalSeconds / run.Elapsed.TotalSeconds;
        result.RatioMeaning = "system rows/s / baseline rows/s (same log bytes)";
        result.Params["rows"] = run.Rows;
        result.Params["buckets"] = s.Options.Buckets;
        result.Params["columns"] = WideRows.Columns;
        result.Params["row_bytes"] = rowBytes;
        result.Params["acks"] = "all";
        result.Params["replication_factor"] = 1;
        result.Params["compression"] = s.Options.Compression;
        if (s.Options.Compression == "ZSTD") result.Params["zstd"] = LogCodecs.ZstdImplementation;
        result.Params["batch_size_bytes"] = s.Connection.Options.WriterBatchSize;
        result.Params["tablet_servers"] = s.Options.TabletServers;
        result.Params["goal"] = "ratio >= 0.6";
        return result;
    }

    /// <summary>Creates the 20-column log table and appends the configured rows, measuring the time until all are acknowledged.</summary>
    public static async Task<LogTableRun> WriteAsync(BenchSession s, CancellationToken ct)
    {
        await WarmUpAsync(s, ct).ConfigureAwait(false);
        var path = s.NewTablePath("wide");
        var table = await s.CreateTableAsync(path, s.Wide.Schema, s.Options.Buckets, lake: false, ct).ConfigureAwait(false);
        var rows = s.Options.Rows;
        using var metrics = new MetricCapture("Fluss.Client", path.ToString(), "fluss_client_writer_send_latency_ms", "fluss_client_writer_records_per_batch");
        TimeSpan elapsed;
        using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"append: {rows:N0} rows of {s.Wide.ActualRowBytes} bytes to {s.Options.Buckets} buckets"), rows))
        {
            var clock = Stopwatch.StartNew();
            await AppendRowsAsync(table, 0, rows, s.Wide.Row, step, s.Connection.Options.WriterBufferMemory / (s.Wide.ActualRowBytes + 32), ct).ConfigureAwait(false);
            elapsed = clock.Elapsed;
        }
        return new LogTableRun(table, rows, elapsed, metrics.Values("fluss_client_writer_send_latency_ms"), metrics.Values("fluss_client_writer_records_per_batch"));
    }

    /// <summary>
    /// Appends a fifth of the rows (at most 200,000) to a table of their own before measuring, so that the JIT
    /// compiler, pools and connections are warm on both the client and the server side.
    /// </summary>
    private static async Task WarmUpAsync(BenchSession s, CancellationToken ct)
    {
        var rows = Math.Min(200_000, Math.Max(1, s.Options.Rows / 5));
        var table = await s.CreateTableAsync(s.NewTablePath("warmup_wide"), s.Wide.Schema, s.Options.Buckets, lake: false, ct).ConfigureAwait(false);
        using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"append warm-up: {rows:N0} rows"), rows))
            await AppendRowsAsync(table, 0, rows, s.Wide.Row, null, s.Connection.Options.WriterBufferMemory / (s.Wide.ActualRowBytes + 32), ct).ConfigureAwait(false);
        s.WarmUpLogTable ??= table;
    }

    /// <summary>
    /// Appends rows <paramref name="first"/>.. with one writer and waits until all are acknowledged. At most about
    /// <paramref name="window"/> rows are unacknowledged at a time: the writer's buffer holds them, and the loop
    /// waits for older rows instead of queueing without bound.
    /// </summary>
    public static async Task AppendRowsAsync(FlussTable table, long first, long count, Func<long, IRow> row, IBenchStep? step, long window, CancellationToken ct)
    {
        window = Math.Max(Mark, window);
        var marks = new Queue<(long Row, Task Ack)>();
        var writer = table.NewAppendWriter();
        await using (writer.ConfigureAwait(false))
        {
            for (long r = 0; r < count; r++)
            {
                var ack = writer.AppendAsync(row(first + r), ct);
                if (r % Mark != 0) continue;
                marks.Enqueue((r, ack));
                while (marks.Peek().Row < r - window) await marks.Dequeue().Ack.ConfigureAwait(false);
                step?.Advance(r == 0 ? 1 : Mark);
            }
            await writer.FlushAsync(ct).ConfigureAwait(false);
            foreach (var (_, ack) in marks) await ack.ConfigureAwait(false);
        }
    }

    /// <summary>(position, length) of each log batch of a segment file's bytes.</summary>
    private static List<(int Position, int Length)> Batches(byte[] content)
    {
        var list = new List<(int, int)>();
        var e = new LogRecords(content).GetEnumerator();
        while (e.MoveNext()) list.Add((e.Position, (int)e.Current.SizeInBytes));
        return list;
    }

    /// <summary>Writes every batch to its bucket's file, the buckets in turn, without fsync; returns the time taken.</summary>
    private static TimeSpan WriteBatches(string dir, List<byte[]> contents, List<List<(int Position, int Length)>> batches)
    {
        var handles = new SafeFileHandle[contents.Count];
        try
        {
            for (var i = 0; i < handles.Length; i++)
                handles[i] = File.OpenHandle(Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{i:D5}.log")), FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
            var positions = new long[handles.Length];
            var next = new int[handles.Length];
            var clock = Stopwatch.StartNew();
            bool any;
            do
            {
                any = false;
                for (var f = 0; f < handles.Length; f++)
                {
                    if (next[f] >= batches[f].Count) continue;
                    any = true;
                    var (position, length) = batches[f][next[f]++];
                    RandomAccess.Write(handles[f], contents[f].AsSpan(position, length), positions[f]);
                    positions[f] += length;
                }
            }
            while (any);
            return clock.Elapsed;
        }
        finally
        {
            foreach (var h in handles) h?.Dispose();
        }
    }
}
