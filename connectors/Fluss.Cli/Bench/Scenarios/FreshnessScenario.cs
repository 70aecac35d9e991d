using System.Diagnostics;
using System.Globalization;
using Fluss.Client;
using Fluss.Metadata;
using Fluss.Rows;
using Int64Array = Apache.Arrow.Int64Array;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>freshness</c>: rows appended at a steady rate while a scanner on its own connection tails the table; for
/// sampled rows, the time from the append being acknowledged to the row reaching the scanner. With the local
/// cluster the table is lake-enabled with a freshness of 1 s and the tiering service runs: the lake lag of a sampled
/// row is the time from its acknowledgement until the coordinator's lake snapshot covers it. Baseline: the round
/// trip of a unary gRPC echo over loopback on the same stack.
/// </summary>
internal static class FreshnessScenario
{
    public const string Name = "freshness";
    private static readonly Schema s_schema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, sent_at BIGINT, payload STRING").Build();

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var lake = s.Cluster is not null;
        if (lake) await s.TieringAsync(ct).ConfigureAwait(false);
        var rate = s.Options.Rate;
        var samples = s.Options.Samples;
        // About a thousand samples a second: 10,000 samples at 20,000 rows/s take 10 s of steady writing.
        var stride = Math.Max(1, rate / 1000);
        // The first second (at most a fifth of the run) warms up the path and is not sampled.
        var warm = Math.Min(rate, (long)samples * stride / 5);
        var total = warm + (long)samples * stride;
        var table = await s.CreateTableAsync(s.NewTablePath("fresh"), s_schema, s.Options.Buckets, lake, ct).ConfigureAwait(false);

        var appended = new long[samples];
        var acked = new long[samples];
        var seen = new long[samples];
        var inLake = new long[samples];
        var buckets = new int[samples];
        var offsets = new long[samples];
        Array.Fill(offsets, -1);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var scanConnection = await FlussConnection.ConnectAsync(s.Connection.Options, ct).ConfigureAwait(false);
        await using (scanConnection.ConfigureAwait(false))
        {
            var scanTable = await scanConnection.GetTableAsync(table.Path, ct).ConfigureAwait(false);
            var scanner = scanTable.NewLogScanner(new LogScanOptions { Start = StartPosition.Earliest });
            var scanned = 0L;
            var scanning = Task.Run(async () =>
            {
                await using (scanner.ConfigureAwait(false))
                {
                    await foreach (var batch in scanner.ReadBatchesAsync(stop.Token).ConfigureAwait(false))
                    {
                        var now = Stopwatch.GetTimestamp();
                        using (batch)
                        {
                            var ids = (Int64Array)batch.Batch.Column(0);
                            for (var i = 0; i < ids.Length; i++)
                            {
                                var id = ids.GetValue(i)!.Value - warm;
                                if (id >= 0 && id % stride == 0) seen[id / stride] = now;
                            }
                            scanned += batch.RowCount;
                        }
                        if (scanned >= total) return;
                    }
                }
            }, CancellationToken.None);
            await Task.Delay(200, ct).ConfigureAwait(false);

            var lakePolling = lake ? PollLakeAsync(s, table, samples, acked, buckets, offsets, inLake, stop.Token) : Task.CompletedTask;
            var acks = new List<Task>(samples);
            using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"freshness: {total:N0} rows at {rate:N0} rows/s, {samples:N0} samples"), total))
            {
                var writer = table.NewAppendWriter();
                await using (writer.ConfigureAwait(false))
                {
                    var payload = new string('x', 64);
                    var clock = Stopwatch.StartNew();
                    long r = 0;
                    while (r < total)
                    {
                        var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
                        var before = r;
                        for (; r < due; r++)
                        {
                            var now = Stopwatch.GetTimestamp();
                            var ack = writer.AppendAsync(GenericRow.Of(r, now, payload), ct);
                            if (r < warm || (r - warm) % stride != 0) continue;
                            var k = (int)((r - warm) / stride);
                            appended[k] = now;
                            acks.Add(ack.ContinueWith(t =>
                            {
                                acked[k] = Stopwatch.GetTimestamp();
                                buckets[k] = t.Result.Bucket;
                                Volatile.Write(ref offsets[k], t.Result.BaseOffset);
                            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
                        }
                        step.Advance(r - before);
                        if (r < total) await Task.Delay(1, ct).ConfigureAwait(false);
                    }
                    await writer.FlushAsync(ct).ConfigureAwait(false);
                    await Task.WhenAll(acks).ConfigureAwait(false);
                }
            }
            using (s.Progress.Step("freshness: waiting for the scanner" + (lake ? " and the lake" : ""), 1))
            {
                await scanning.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
                await lakePolling.WaitAsync(TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
            }
            await stop.CancelAsync().ConfigureAwait(false);
        }

        double[] rtt;
        using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"freshness baseline: {Math.Min(samples, 10_000):N0} loopback gRPC round trips"), 1))
            rtt = await LoopbackRpc.MeasureAsync(Math.Min(samples, 10_000), 64, ct).ConfigureAwait(false);

        var e2e = Stats.Sorted(Enumerable.Range(0, samples).Select(k => Math.Max(0, Stats.Ms(acked[k], seen[k]))));
        var appendToSeen = Stats.Sorted(Enumerable.Range(0, samples).Select(k => Stats.Ms(appended[k], seen[k])));
        var seenFirst = Enumerable.Range(0, samples).Count(k => seen[k] < acked[k]);
        var result = new BenchResult(Name);
        result.System["samples"] = samples;
        result.System["rows"] = total;
        result.System["rows_per_s"] = (double)rate;
        result.System["ack_to_seen_p50_ms"] = Stats.Percentile(e2e, 50);
        result.System["ack_to_seen_p99_ms"] = Stats.Percentile(e2e, 99);
        result.System["ack_to_seen_max_ms"] = e2e[^1];
        result.System["seen_before_ack_fraction"] = seenFirst / (double)samples;
        result.System["append_to_seen_p50_ms"] = Stats.Percentile(appendToSeen, 50);
        result.System["append_to_seen_p99_ms"] = Stats.Percentile(appendToSeen, 99);
        if (lake)
        {
            var lag = Stats.Sorted(Enumerable.Range(0, samples).Select(k => Stats.Ms(acked[k], inLake[k])));
            result.System["lake_lag_p50_ms"] = Stats.Percentile(lag, 50);
            result.System["lake_lag_p99_ms"] = Stats.Percentile(lag, 99);
            result.System["lake_lag_max_ms"] = lag[^1];
        }
        result.Baseline["round_trips"] = rtt.Length;
        result.Baseline["rtt_p50_ms"] = Stats.Percentile(rtt, 50);
        result.Baseline["rtt_p99_ms"] = Stats.Percentile(rtt, 99);
        result.Ratio = Stats.Percentile(rtt, 99) / Math.Max(0.001, Stats.Percentile(e2e, 99));
        result.RatioMeaning = "gRPC loopback round trip p99 / ack-to-seen p99";
        result.Params["rate_rows_per_s"] = rate;
        result.Params["samples"] = samples;
        result.Params["sample_every"] = stride;
        result.Params["warm_up_rows"] = warm;
        result.Params["buckets"] = table.Info.NumBuckets;
        result.Params["lake_freshness"] = lake ? "1 s" : "no lake (external cluster)";
        result.Params["writer_batch_timeout_ms"] = s.Connection.Options.WriterBatchTimeout.TotalMilliseconds;
        result.Params["latency"] = "append acknowledged -> row returned by a tailing scanner (0 when the scanner was first)";
        result.Params["goal"] = "ack_to_seen_p99_ms <= 20";
        return result;
    }

    /// <summary>Polls the coordinator's lake snapshot and notes when each acknowledged sample is covered, until all are.</summary>
    private static async Task PollLakeAsync(BenchSession s, FlussTable table, int samples, long[] acked, int[] buckets, long[] offsets, long[] inLake, CancellationToken ct)
    {
        var remaining = samples;
        while (remaining > 0)
        {
            await Task.Delay(20, ct).ConfigureAwait(false);
            LakeSnapshot snapshot;
            try
            {
                snapshot = await s.Connection.Admin.GetLakeSnapshotAsync(table.Path, ct).ConfigureAwait(false);
            }
            catch (Errors.FlussException e) when (!e.IsRetriable)
            {
                continue;
            }
            var now = Stopwatch.GetTimestamp();
            for (var k = 0; k < samples; k++)
            {
                if (inLake[k] != 0) continue;
                var offset = Volatile.Read(ref offsets[k]);
                if (offset < 0 || !snapshot.BucketOffsets.TryGetValue(buckets[k], out var end) || offset >= end) continue;
                inLake[k] = Math.Max(now, acked[k]);
                remaining--;
            }
        }
    }
}
