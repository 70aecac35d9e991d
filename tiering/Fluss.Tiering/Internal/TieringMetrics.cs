using System.Diagnostics.Metrics;

namespace Fluss.Tiering.Internal;

/// <summary>Tiering metrics (System.Diagnostics.Metrics, meter <c>Fluss.Tiering</c>), named after Fluss's lake tiering metrics.</summary>
internal static class TieringMetrics
{
    private static readonly Meter s_meter = new("Fluss.Tiering");
    private static readonly Counter<long> s_rounds = s_meter.CreateCounter<long>("fluss_tiering_rounds_total", description: "Tiering rounds by outcome.");
    private static readonly Counter<long> s_failures = s_meter.CreateCounter<long>("fluss_tiering_failures_total", description: "Tiering rounds that failed, lost a commit or were fenced.");
    private static readonly Counter<long> s_records = s_meter.CreateCounter<long>("fluss_tiering_record_count_total", description: "Rows committed to the lake.");
    private static readonly Counter<long> s_bytes = s_meter.CreateCounter<long>("fluss_tiering_file_size_bytes_total", description: "Bytes of lake files committed.");
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>("fluss_tiering_tier_duration_ms", "ms", "Duration of committed rounds.");
    private static readonly Histogram<double> s_lag = s_meter.CreateHistogram<double>("fluss_tiering_tier_lag_ms", "ms", "Age of the oldest row of a round when it reached the lake.");

    public static void Record(TieringRoundResult result)
    {
        var table = new KeyValuePair<string, object?>("table", result.Table.Path.ToString());
        s_rounds.Add(1, table, new KeyValuePair<string, object?>("outcome", result.Outcome.ToString()));
        if (result.Outcome is RoundOutcome.Failed or RoundOutcome.Conflict or RoundOutcome.Fenced) s_failures.Add(1, table);
        if (result.Outcome != RoundOutcome.Committed) return;
        s_records.Add(result.Rows, table);
        s_bytes.Add(result.Bytes, table);
        s_duration.Record(result.Duration.TotalMilliseconds, table);
        if (result.MaxLag is { } lag) s_lag.Record(lag.TotalMilliseconds, table);
    }
}
