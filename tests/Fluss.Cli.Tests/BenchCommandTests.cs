using System.Text.Json;

namespace Fluss.Cli.Tests;

/// <summary>
/// <c>fluss bench</c> with tiny sizes against the local cluster it starts itself: the shape of what it prints, never
/// how fast anything was.
/// </summary>
public sealed class BenchCommandTests
{
    private static readonly string[] TinySizes =
    [
        "--rows", "3000", "--buckets", "2", "--keys", "500", "--upserts", "1000", "--kv-buckets", "2", "--lookups", "500",
        "--concurrency", "8", "--union-rows", "3000", "--samples", "50", "--rate", "1000",
    ];

    /// <summary>Figures of each scenario that a run that did its work cannot report as zero.</summary>
    public static TheoryData<string, string[], string[]> Scenarios => new()
    {
        { "append", ["rows_per_s", "mb_per_s", "log_mb_per_s", "batch_ack_p99_ms"], ["log_mb_per_s", "rows_per_s"] },
        { "scan", ["all_columns_rows_per_s", "all_columns_mb_per_s", "one_column_rows_per_s", "projection_speedup"], ["log_mb_per_s"] },
        { "upsert", ["ops_per_s", "batch_ack_p99_ms"], ["ops_per_s"] },
        { "lookup", ["ops_per_s", "p50_ms", "p99_ms", "found"], ["ops_per_s", "found"] },
        { "tiering", ["rows_per_s", "mb_per_s", "files", "log_rows", "pk_changes"], ["rows_per_s", "mb_per_s", "files"] },
        { "union-read", ["rows_per_s", "lake_rows", "tail_rows", "groups"], ["rows_per_s"] },
        { "freshness", ["append_to_seen_p99_ms", "lake_lag_p99_ms", "samples"], ["rtt_p50_ms", "rtt_p99_ms"] },
    };

    private static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, new StringReader(""), output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Bench_ScenarioWithTinySizes_PrintsOneJsonObjectWithNonZeroFigures(string scenario, string[] systemFigures, string[] baselineFigures)
    {
        var result = await RunAsync(["bench", scenario, "--json", .. TinySizes]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.Lines);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(["scenario", "system", "baseline", "ratio", "params"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(scenario, root.GetProperty("scenario").GetString());
        Assert.True(root.GetProperty("ratio").GetDouble() > 0, $"ratio of {line}");
        foreach (var figure in systemFigures)
            Assert.True(root.GetProperty("system").GetProperty(figure).GetDouble() > 0, $"system.{figure} of {line}");
        foreach (var figure in baselineFigures)
            Assert.True(root.GetProperty("baseline").GetProperty(figure).GetDouble() > 0, $"baseline.{figure} of {line}");
        Assert.True(root.GetProperty("params").EnumerateObject().Any(), line);
        if (scenario is "append" or "scan")
        {
            // The default compression is ZSTD, and the run names the implementation that did it.
            var zstd = root.GetProperty("params").GetProperty("zstd").GetString();
            Assert.True(zstd is not null && (zstd.StartsWith("native libzstd ", StringComparison.Ordinal) || zstd == "managed ZstdSharp"), line);
        }
        // Progress and notes go to standard error, never into the JSON lines.
        Assert.Contains("bench:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_WithoutJson_PrintsAReadableTable()
    {
        var result = await RunAsync(["bench", "upsert", .. TinySizes]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("upsert", result.Out, StringComparison.Ordinal);
        Assert.Contains("ops_per_s", result.Out, StringComparison.Ordinal);
        Assert.Contains("ratio", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("{\"scenario\"", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_UnknownScenario_FailsNamingTheScenarios()
    {
        var result = await RunAsync("bench", "nope", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Lines);
        Assert.Contains("unknown scenario 'nope'", result.Error, StringComparison.Ordinal);
        Assert.Contains("union-read", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_InvalidSize_FailsNamingTheOption()
    {
        var result = await RunAsync("bench", "append", "--rows", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--rows", result.Error, StringComparison.Ordinal);
    }
}
