using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>fluss bench SCENARIO [options] [--json]</c>: runs scenarios against a local cluster in a temporary directory
/// (or <c>--bootstrap-servers</c>), each measuring the system and a baseline that stands for the limit on this
/// machine in the same run. Prints a table per scenario, or with <c>--json</c> one JSON object per scenario and line
/// on standard output; progress goes to standard error (bars when it is a terminal).
/// </summary>
internal static class BenchCommand
{
    /// <summary>The scenarios in the order <c>all</c> runs them.</summary>
    public static readonly IReadOnlyList<string> Scenarios =
        [AppendScenario.Name, ScanScenario.Name, UpsertScenario.Name, LookupScenario.Name, TieringScenario.Name, UnionReadScenario.Name, FreshnessScenario.Name];

    public static Command Build(CliContext ctx)
    {
        var scenario = new Argument<string>("SCENARIO") { Description = $"What to measure: {string.Join(", ", Scenarios)} or all" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per scenario (one per line) instead of tables" };
        var defaults = new BenchOptions();
        var rows = new Option<long>("--rows") { Description = "Rows of the 20-column log table (append, scan, tiering)", DefaultValueFactory = _ => defaults.Rows };
        var buckets = new Option<int>("--buckets") { Description = "Buckets of the log tables", DefaultValueFactory = _ => defaults.Buckets };
        var rowBytes = new Option<int>("--row-bytes") { Description = "Bytes of a 20-column row", DefaultValueFactory = _ => defaults.RowBytes };
        var keys = new Option<long>("--keys") { Description = "Keys of the primary-key table (upsert, lookup, tiering)", DefaultValueFactory = _ => defaults.Keys };
        var upserts = new Option<long>("--upserts") { Description = "Upserts over those keys", DefaultValueFactory = _ => defaults.Upserts };
        var kvBuckets = new Option<int>("--kv-buckets") { Description = "Buckets of the primary-key table", DefaultValueFactory = _ => defaults.KvBuckets };
        var lookups = new Option<long>("--lookups") { Description = "Random point lookups", DefaultValueFactory = _ => defaults.Lookups };
        var concurrency = new Option<int>("--concurrency") { Description = "Lookups in flight", DefaultValueFactory = _ => defaults.Concurrency };
        var unionRows = new Option<long>("--union-rows") { Description = "Rows of the union-read table", DefaultValueFactory = _ => defaults.UnionRows };
        var tailPercent = new Option<int>("--tail-percent") { Description = "Percent of the union-read rows only in the log tail", DefaultValueFactory = _ => defaults.TailPercent };
        var rate = new Option<int>("--rate") { Description = "Rows per second written by the freshness scenario", DefaultValueFactory = _ => defaults.Rate };
        var samples = new Option<int>("--samples") { Description = "Latency samples of the freshness scenario", DefaultValueFactory = _ => defaults.Samples };
        var servers = new Option<int>("--tablet-servers") { Description = "Tablet servers of the local cluster", DefaultValueFactory = _ => defaults.TabletServers };
        var compression = new Option<string>("--compression") { Description = "Log compression of the bench tables: ZSTD, LZ4_FRAME or NONE", DefaultValueFactory = _ => defaults.Compression };
        var dataDir = new Option<DirectoryInfo?>("--data-dir")
        {
            Description = "Data directory of the local cluster, kept afterwards (default: a temporary directory, removed); with --bootstrap-servers, the cluster's data directory (for the baselines that read its log files)",
        };
        var bench = new Command("bench", "Measure a scenario against the limit of this machine: throughput or latency of the system, of a baseline, and their ratio")
        {
            scenario, json, rows, buckets, rowBytes, keys, upserts, kvBuckets, lookups, concurrency, unionRows, tailPercent, rate, samples, servers, compression, dataDir,
        };
        bench.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var name = parse.GetValue(scenario)!.Trim().ToLowerInvariant();
            IReadOnlyList<string> names = name == "all" ? Scenarios : Scenarios.Contains(name) ? [name]
                : throw new FormatException($"unknown scenario '{name}'; choose one of {string.Join(", ", Scenarios)} or all");
            var bootstrapResult = parse.GetResult(ctx.Bootstrap);
            var options = new BenchOptions
            {
                Rows = parse.GetValue(rows),
                Buckets = parse.GetValue(buckets),
                RowBytes = parse.GetValue(rowBytes),
                Keys = parse.GetValue(keys),
                Upserts = parse.GetValue(upserts),
                KvBuckets = parse.GetValue(kvBuckets),
                Lookups = parse.GetValue(lookups),
                Concurrency = parse.GetValue(concurrency),
                UnionRows = parse.GetValue(unionRows),
                TailPercent = parse.GetValue(tailPercent),
                Rate = parse.GetValue(rate),
                Samples = parse.GetValue(samples),
                TabletServers = parse.GetValue(servers),
                Compression = (parse.GetValue(compression) ?? defaults.Compression).Trim().ToUpperInvariant(),
                DataDir = parse.GetValue(dataDir)?.FullName,
                BootstrapServers = bootstrapResult is { Implicit: false } ? parse.GetValue(ctx.Bootstrap) : null,
            };
            options.Validate();
            return await RunAsync(ctx, names, options, parse.GetValue(json), ct).ConfigureAwait(false);
        }));
        return bench;
    }

    private static async Task<int> RunAsync(CliContext ctx, IReadOnlyList<string> names, BenchOptions options, bool json, CancellationToken ct)
    {
        var bars = ReferenceEquals(ctx.Error, Console.Error) && !Console.IsErrorRedirected;
        // JSON lines go out as each scenario finishes, unless they would land in the middle of the bars on the terminal.
        var deferOutput = !json || (bars && !Console.IsOutputRedirected && ReferenceEquals(ctx.Out, Console.Out));
        var results = new List<BenchResult>();
        var failures = 0;
        var clock = Stopwatch.StartNew();

        async Task RunAllAsync(IBenchProgress progress)
        {
            var session = await BenchSession.StartAsync(options, progress, ctx.Error, ct).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                foreach (var name in names)
                {
                    BenchResult result;
                    var started = Stopwatch.GetTimestamp();
                    var gc = GcSnapshot.Take();
                    try
                    {
                        result = await RunScenarioAsync(name, session, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        failures++;
                        await ctx.Error.WriteLineAsync($"error: bench {name} failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                        if (Environment.GetEnvironmentVariable("FLUSS_BENCH_TRACE") == "1") await ctx.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
                        continue;
                    }
                    result.Params["scenario_seconds"] = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    await ctx.Error.WriteLineAsync($"bench: {name}: {GcSnapshot.Take().Since(gc)}").ConfigureAwait(false);
                    results.Add(result);
                    if (!deferOutput)
                    {
                        await ctx.Out.WriteLineAsync(result.ToJson()).ConfigureAwait(false);
                        await ctx.Out.FlushAsync(ct).ConfigureAwait(false);
                    }
                }
            }
        }

        if (bars)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(pc => RunAllAsync(new BarProgress(pc))).ConfigureAwait(false);
        }
        else
        {
            await RunAllAsync(new LineProgress(ctx.Error)).ConfigureAwait(false);
        }

        if (deferOutput)
        {
            foreach (var result in results)
            {
                if (json) await ctx.Out.WriteLineAsync(result.ToJson()).ConfigureAwait(false);
                else ctx.Console.Write(result.ToTable());
            }
        }
        await ctx.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"bench: {results.Count} of {names.Count} scenario{(names.Count == 1 ? "" : "s")} done in {clock.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
        return failures == 0 ? 0 : 1;
    }

    private static Task<BenchResult> RunScenarioAsync(string name, BenchSession session, CancellationToken ct) => name switch
    {
        AppendScenario.Name => AppendScenario.RunAsync(session, ct),
        ScanScenario.Name => ScanScenario.RunAsync(session, ct),
        UpsertScenario.Name => UpsertScenario.RunAsync(session, ct),
        LookupScenario.Name => LookupScenario.RunAsync(session, ct),
        TieringScenario.Name => TieringScenario.RunAsync(session, ct),
        UnionReadScenario.Name => UnionReadScenario.RunAsync(session, ct),
        FreshnessScenario.Name => FreshnessScenario.RunAsync(session, ct),
        _ => throw new FormatException($"unknown scenario '{name}'"),
    };
}

/// <summary>Allocation and garbage collection counters of this process, to tell what a scenario cost in memory.</summary>
internal readonly record struct GcSnapshot(TimeSpan Cpu, long Allocated, TimeSpan Paused, int Gen0, int Gen1, int Gen2)
{
    public static GcSnapshot Take()
    {
        using var process = Process.GetCurrentProcess();
        return new(process.TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    public string Since(GcSnapshot before) => string.Create(CultureInfo.InvariantCulture,
        $"cpu {(Cpu - before.Cpu).TotalSeconds:F2} s, allocated {(Allocated - before.Allocated) / 1e6:F0} MB, GC paused {(Paused - before.Paused).TotalMilliseconds:F0} ms (gen0 {Gen0 - before.Gen0}, gen1 {Gen1 - before.Gen1}, gen2 {Gen2 - before.Gen2})");
}
