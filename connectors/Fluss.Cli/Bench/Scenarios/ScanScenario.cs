using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.Codecs;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>scan</c>: the <c>append</c> table read back from the earliest offset to the end, all columns, then only one INT
/// column (projection pushed down to the server). Baseline: the same segment files read with a plain FileStream.
/// </summary>
internal static class ScanScenario
{
    public const string Name = "scan";

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var log = await s.LogTableAsync(ct).ConfigureAwait(false);
        var table = log.Table;
        var files = s.SegmentFiles(table.Info);
        var logBytes = files.Sum(f => new FileInfo(f).Length);

        if (s.WarmUpLogTable is { } warm)
        {
            // JIT warm-up of both read paths on the small table written before append measured.
            await ScanAsync(s, warm, null, "scan warm-up: all columns", 0, ct).ConfigureAwait(false);
            await ScanAsync(s, warm, [WideRows.IntColumn], "scan warm-up: one column", 0, ct).ConfigureAwait(false);
        }
        var (allRows, allTime) = await ScanAsync(s, table, null, $"scan: all {WideRows.Columns} columns", log.Rows, ct).ConfigureAwait(false);
        var (oneRows, oneTime) = await ScanAsync(s, table, [WideRows.IntColumn], $"scan: one INT column ({WideRows.IntColumn})", log.Rows, ct).ConfigureAwait(false);
        if (allRows != log.Rows || oneRows != log.Rows)
            throw new IOException($"the scans read {allRows:N0} and {oneRows:N0} rows of the {log.Rows:N0} written");

        TimeSpan baseline;
        long read = 0;
        using (s.Progress.Step($"scan baseline: reading {Stats.Mb(logBytes):F0} MB of segment files with a FileStream", 1))
        {
            var buffer = new byte[1 << 20];
            var clock = Stopwatch.StartNew();
            foreach (var file in files)
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                int n;
                while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) read += n;
            }
            baseline = clock.Elapsed;
        }

        var rowBytes = s.Wide.ActualRowBytes;
        var result = new BenchResult(Name);
        result.System["rows"] = allRows;
        result.System["all_columns_seconds"] = allTime.TotalSeconds;
        result.System["all_columns_rows_per_s"] = Stats.PerSecond(allRows, allTime);
        result.System["all_columns_mb_per_s"] = Stats.PerSecond(Stats.Mb(allRows * (double)rowBytes), allTime);
        result.System["all_columns_log_mb_per_s"] = Stats.PerSecond(Stats.Mb(logBytes), allTime);
        result.System["one_column_seconds"] = oneTime.TotalSeconds;
        result.System["one_column_rows_per_s"] = Stats.PerSecond(oneRows, oneTime);
        result.System["one_column_mb_per_s"] = Stats.PerSecond(Stats.Mb(oneRows * 4.0), oneTime);
        result.System["projection_speedup"] = allTime.TotalSeconds / oneTime.TotalSeconds;
        result.Baseline["log_mb"] = Stats.Mb(read);
        result.Baseline["seconds"] = baseline.TotalSeconds;
        result.Baseline["log_mb_per_s"] = Stats.PerSecond(Stats.Mb(read), baseline);
        result.Baseline["rows_per_s"] = Stats.PerSecond(log.Rows, baseline);
        result.Ratio = baseline.TotalSeconds / allTime.TotalSeconds;
        result.RatioMeaning = "all-columns rows/s / baseline rows/s (same segment bytes)";
        result.Params["rows"] = log.Rows;
        result.Params["buckets"] = table.Info.NumBuckets;
        result.Params["columns"] = WideRows.Columns;
        result.Params["row_bytes"] = rowBytes;
        result.Params["projected_column"] = WideRows.IntColumn + " INT";
        result.Params["compression"] = s.Options.Compression;
        if (s.Options.Compression == "ZSTD") result.Params["zstd"] = LogCodecs.ZstdImplementation;
        result.Params["goal"] = "projection_speedup >= 10";
        return result;
    }

    /// <summary>Reads the table from the earliest offset to the end; returns the rows read and the time.</summary>
    internal static async Task<(long Rows, TimeSpan Elapsed)> ScanAsync(BenchSession s, FlussTable table, IReadOnlyList<string>? columns, string what, long expected, CancellationToken ct)
    {
        using var step = s.Progress.Step(expected > 0 ? string.Create(CultureInfo.InvariantCulture, $"{what}, {expected:N0} rows") : what, Math.Max(1, expected));
        long rows = 0;
        var clock = Stopwatch.StartNew();
        var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true, Columns = columns });
        await using (scanner.ConfigureAwait(false))
        {
            await foreach (var batch in scanner.ReadBatchesAsync(ct).ConfigureAwait(false))
            {
                using (batch)
                {
                    rows += batch.RowCount;
                    step.Advance(batch.RowCount);
                }
            }
        }
        return (rows, clock.Elapsed);
    }
}
