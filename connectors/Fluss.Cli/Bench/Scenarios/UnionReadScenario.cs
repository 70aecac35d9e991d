namespace Fluss.Cli.Bench;

/// <summary>
/// <c>union-read</c>: an aggregate query through the ADO.NET provider over rows mostly tiered to the lake and partly
/// in the log tail. Baseline: DuckDB running the same query over the same rows in plain Parquet.
/// </summary>
internal static class UnionReadScenario
{
    public const string Name = "union-read";

    public static Task<BenchResult> RunAsync(BenchSession session, CancellationToken ct) =>
        throw new NotSupportedException("the union-read scenario needs the ADO.NET provider (Fluss.Data), which this build does not include yet");
}
