using System.Diagnostics;
using System.Globalization;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>lookup</c>: random point lookups by primary key on the <c>upsert</c> table with the batched lookuper, a fixed
/// number in flight. Baseline: RocksDB MultiGet of the same keys, in chunks of the lookuper's batch size, on the
/// baseline database that holds the same keys and values.
/// </summary>
internal static class LookupScenario
{
    public const string Name = "lookup";

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var kv = await s.KvTableAsync(ct).ConfigureAwait(false);
        var lookups = (int)Math.Min(int.MaxValue, s.Options.Lookups);
        var keySpace = Math.Min(s.Kv.Keys, kv.Upserts);
        var random = new Random(7);
        var ids = new long[lookups];
        for (var i = 0; i < lookups; i++) ids[i] = random.NextInt64(keySpace);

        var lookuper = kv.Table.NewLookuper();
        // Warm-up (connections, the lookup send loop, JIT): a tenth of the lookups, at most 50,000, not measured.
        var warm = (int)Math.Min(50_000, Math.Max(1, lookups / 10));
        using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"lookup warm-up: {warm:N0} lookups"), warm))
            await RunLookupsAsync(lookuper, ids.AsMemory(0, warm), s.Options.Concurrency, new double[warm], step, ct).ConfigureAwait(false);

        var latencies = new double[lookups];
        long found;
        TimeSpan elapsed;
        using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"lookup: {lookups:N0} random keys, {s.Options.Concurrency} in flight"), lookups))
        {
            var clock = Stopwatch.StartNew();
            found = await RunLookupsAsync(lookuper, ids, s.Options.Concurrency, latencies, step, ct).ConfigureAwait(false);
            elapsed = clock.Elapsed;
        }
        Array.Sort(latencies);

        var chunk = s.Connection.Options.LookupMaxBatchSize;
        var keys = new byte[lookups][];
        for (var i = 0; i < lookups; i++) keys[i] = kv.Baseline.Key(ids[i]);
        (TimeSpan Elapsed, long Found, double[] ChunkMs) baseline;
        using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"lookup baseline: RocksDB MultiGet of the same {lookups:N0} keys"), 1))
            baseline = kv.Baseline.MultiGet(keys, chunk);
        if (found != baseline.Found)
            throw new IOException($"the lookups found {found:N0} rows but RocksDB holds {baseline.Found:N0} of the same keys");
        var chunkMs = Stats.Sorted(baseline.ChunkMs);

        var result = new BenchResult(Name);
        result.System["lookups"] = lookups;
        result.System["found"] = found;
        result.System["seconds"] = elapsed.TotalSeconds;
        result.System["ops_per_s"] = Stats.PerSecond(lookups, elapsed);
        result.System["p50_ms"] = Stats.Percentile(latencies, 50);
        result.System["p99_ms"] = Stats.Percentile(latencies, 99);
        result.Baseline["lookups"] = lookups;
        result.Baseline["found"] = baseline.Found;
        result.Baseline["seconds"] = baseline.Elapsed.TotalSeconds;
        result.Baseline["ops_per_s"] = Stats.PerSecond(lookups, baseline.Elapsed);
        result.Baseline["multiget_keys"] = chunk;
        result.Baseline["multiget_p50_ms"] = Stats.Percentile(chunkMs, 50);
        result.Baseline["multiget_p99_ms"] = Stats.Percentile(chunkMs, 99);
        result.Ratio = baseline.Elapsed.TotalSeconds / elapsed.TotalSeconds;
        result.RatioMeaning = "system ops/s / RocksDB MultiGet ops/s";
        result.Params["lookups"] = lookups;
        result.Params["keys"] = keySpace;
        result.Params["concurrency"] = s.Options.Concurrency;
        result.Params["buckets"] = kv.Table.Info.NumBuckets;
        result.Params["goal"] = "p99_ms <= 1";
        return result;
    }

    /// <summary>Looks up every id with <paramref name="concurrency"/> lookups in flight; returns the rows found.</summary>
    private static async Task<long> RunLookupsAsync(Fluss.Client.Lookuper lookuper, ReadOnlyMemory<long> ids, int concurrency, double[] latencies, IBenchStep step, CancellationToken ct)
    {
        var next = -1;
        long found = 0;
        var count = ids.Length;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                var row = await lookuper.LookupAsync(KvRows.Key(ids.Span[i]), ct).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (row is not null) Interlocked.Increment(ref found);
                if ((i & 1023) == 0) step.Advance(1024);
            }
        })).ConfigureAwait(false);
        return found;
    }
}
