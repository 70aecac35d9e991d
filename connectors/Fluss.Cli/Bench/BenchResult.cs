using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Fluss.Cli.Bench;

/// <summary>
/// What one scenario measured: the system's figures, the baseline's figures (the limit on this machine, measured in
/// the same run), their ratio (1.0 = the limit, higher is better) and the parameters of the run.
/// </summary>
internal sealed class BenchResult(string scenario)
{
    public string Scenario { get; } = scenario;

    public Figures System { get; } = new();

    public Figures Baseline { get; } = new();

    public Figures Params { get; } = new();

    /// <summary>System throughput / baseline throughput, or baseline latency / system latency.</summary>
    public double Ratio { get; set; }

    /// <summary>How the ratio is formed, for the table output.</summary>
    public string RatioMeaning { get; set; } = "";

    /// <summary>One JSON object on one line: scenario, system, baseline, ratio, params.</summary>
    public string ToJson()
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("scenario", Scenario);
            w.WritePropertyName("system");
            System.WriteTo(w);
            w.WritePropertyName("baseline");
            Baseline.WriteTo(w);
            w.WriteNumber("ratio", Figures.Round(Ratio));
            w.WritePropertyName("params");
            Params.WriteTo(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A readable table of the figures.</summary>
    public Table ToTable()
    {
        var table = new Table().Title($"[bold]{Markup.Escape(Scenario)}[/]").AddColumn("figure").AddColumn(new TableColumn("system").RightAligned()).AddColumn(new TableColumn("baseline").RightAligned());
        var names = System.Names.Concat(Baseline.Names.Where(n => !System.Has(n))).ToList();
        foreach (var name in names)
            table.AddRow(Markup.Escape(name), Markup.Escape(System.Format(name)), Markup.Escape(Baseline.Format(name)));
        table.AddRow("[bold]ratio[/]", $"[bold]{Figures.Round(Ratio).ToString(CultureInfo.InvariantCulture)}[/]", Markup.Escape(RatioMeaning));
        table.Caption(Markup.Escape(string.Join(", ", Params.Names.Select(n => $"{n}={Params.Format(n)}"))));
        return table;
    }
}

/// <summary>Named figures in insertion order: numbers, strings or booleans.</summary>
internal sealed class Figures
{
    private readonly List<KeyValuePair<string, object>> _values = [];

    public IEnumerable<string> Names => _values.Select(v => v.Key);

    public object this[string name]
    {
        get => _values.First(v => v.Key == name).Value;
        set
        {
            var i = _values.FindIndex(v => v.Key == name);
            if (i >= 0) _values[i] = new(name, value);
            else _values.Add(new(name, value));
        }
    }

    public bool Has(string name) => _values.Exists(v => v.Key == name);

    public double Number(string name) => Convert.ToDouble(this[name], CultureInfo.InvariantCulture);

    public string Format(string name)
    {
        if (!Has(name)) return "";
        return this[name] switch
        {
            double d => Round(d).ToString("#,0.####", CultureInfo.InvariantCulture),
            float f => Round(f).ToString("#,0.####", CultureInfo.InvariantCulture),
            long l => l.ToString("N0", CultureInfo.InvariantCulture),
            int i => i.ToString("N0", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            var o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "",
        };
    }

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        foreach (var (name, value) in _values)
        {
            switch (value)
            {
                case double d: w.WriteNumber(name, Round(d)); break;
                case float f: w.WriteNumber(name, Round(f)); break;
                case long l: w.WriteNumber(name, l); break;
                case int i: w.WriteNumber(name, i); break;
                case bool b: w.WriteBoolean(name, b); break;
                default: w.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            }
        }
        w.WriteEndObject();
    }

    /// <summary>Four significant decimals below 1, fewer above: enough for ratios and latencies, short for rates.</summary>
    public static double Round(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return 0;
        var abs = Math.Abs(value);
        return abs >= 1000 ? Math.Round(value, 0) : abs >= 10 ? Math.Round(value, 2) : abs >= 1 ? Math.Round(value, 3) : Math.Round(value, 5);
    }
}

/// <summary>Percentiles and rates.</summary>
internal static class Stats
{
    /// <summary>The <paramref name="p"/>-th percentile (0..100) of sorted values, nearest rank; 0 for none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static double[] Sorted(IEnumerable<double> values)
    {
        var array = values.ToArray();
        Array.Sort(array);
        return array;
    }

    public static double PerSecond(double amount, TimeSpan elapsed) => elapsed.TotalSeconds <= 0 ? 0 : amount / elapsed.TotalSeconds;

    public static double Mb(double bytes) => bytes / 1e6;

    public static double Ms(long fromTimestamp, long toTimestamp) => (toTimestamp - fromTimestamp) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
