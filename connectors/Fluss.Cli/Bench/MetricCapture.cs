using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Fluss.Cli.Bench;

/// <summary>
/// Collects the measurements of some instruments of a meter (System.Diagnostics.Metrics) whose <c>table</c> tag
/// names one table, while it is alive.
/// </summary>
internal sealed class MetricCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _values = new(StringComparer.Ordinal);
    private readonly string _table;

    public MetricCapture(string meter, string table, params string[] instruments)
    {
        _table = table;
        foreach (var name in instruments) _values[name] = new ConcurrentQueue<double>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meter && _values.ContainsKey(instrument.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The values recorded for <paramref name="instrument"/> so far.</summary>
    public double[] Values(string instrument) => _values.TryGetValue(instrument, out var q) ? q.ToArray() : [];

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "table" && tag.Value is string t && t == _table)
            {
                _values[instrument.Name].Enqueue(value);
                return;
            }
        }
    }
}
