using System.Diagnostics.Metrics;

namespace Fluss.Client.Internal;

/// <summary>
/// Client metrics (System.Diagnostics.Metrics, meter <c>Fluss.Client</c>), named after Fluss's writer metrics
/// (<c>sendLatencyMs</c>, <c>recordsPerBatch</c>, <c>bytesPerBatch</c>).
/// </summary>
internal static class ClientMetrics
{
    public const string MeterName = "Fluss.Client";

    private static readonly Meter s_meter = new(MeterName);

    private static readonly Histogram<double> s_sendLatency = s_meter.CreateHistogram<double>(
        "fluss_client_writer_send_latency_ms", "ms", "Time from sending a write request until its answer, recorded once per batch the request carried.");

    private static readonly Histogram<long> s_recordsPerBatch = s_meter.CreateHistogram<long>(
        "fluss_client_writer_records_per_batch", description: "Records in each acknowledged batch.");

    private static readonly Histogram<long> s_bytesPerBatch = s_meter.CreateHistogram<long>(
        "fluss_client_writer_bytes_per_batch", "By", "Encoded bytes of each acknowledged batch.");

    /// <summary>Records an acknowledged batch of <paramref name="table"/> and the latency of the request that carried it.</summary>
    public static void BatchAcknowledged(string table, double latencyMs, int records, int bytes)
    {
        if (!s_sendLatency.Enabled && !s_recordsPerBatch.Enabled && !s_bytesPerBatch.Enabled) return;
        var tag = new KeyValuePair<string, object?>("table", table);
        s_sendLatency.Record(latencyMs, tag);
        s_recordsPerBatch.Record(records, tag);
        s_bytesPerBatch.Record(bytes, tag);
    }
}
