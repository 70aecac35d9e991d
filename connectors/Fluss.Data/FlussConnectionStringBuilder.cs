using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Fluss.Data;

/// <summary>
/// The connection string of a <see cref="FlussDbConnection"/>:
/// <c>Bootstrap Servers=HOST:PORT[,HOST:PORT...]</c> (required), <c>Request Timeout=SECONDS</c> (default 30: how long
/// a call to the cluster may take before it fails), <c>Lake Warehouse=DIR</c> (the Paimon warehouse directory, when
/// the tables' properties do not name it) and <c>Threads=N</c> (DuckDB worker threads). Keys are case-insensitive.
/// </summary>
public sealed class FlussConnectionStringBuilder : DbConnectionStringBuilder
{
    public const string BootstrapServersKey = "Bootstrap Servers";
    public const string RequestTimeoutKey = "Request Timeout";
    public const string LakeWarehouseKey = "Lake Warehouse";
    public const string ThreadsKey = "Threads";

    private static readonly string[] KnownKeys = [BootstrapServersKey, RequestTimeoutKey, LakeWarehouseKey, ThreadsKey];

    public FlussConnectionStringBuilder()
    {
    }

    /// <exception cref="ArgumentException">The string has an unknown key or an invalid value.</exception>
    public FlussConnectionStringBuilder(string? connectionString) => ConnectionString = connectionString ?? "";

    /// <summary>Comma-separated <c>host:port</c> of Fluss servers to bootstrap from.</summary>
    public string BootstrapServers
    {
        get => TryGetValue(BootstrapServersKey, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" : "";
        set => this[BootstrapServersKey] = value;
    }

    /// <summary>How long one call to the cluster may take (default 30 seconds).</summary>
    public TimeSpan RequestTimeout
    {
        get => TryGetValue(RequestTimeoutKey, out var v) ? TimeSpan.FromSeconds(ParseSeconds(v)) : TimeSpan.FromSeconds(30);
        set => this[RequestTimeoutKey] = value.TotalSeconds.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The Paimon warehouse directory of the cluster's lake, or null to take it from the tables' properties.</summary>
    public string? LakeWarehouse
    {
        get => TryGetValue(LakeWarehouseKey, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        set
        {
            if (value is null) Remove(LakeWarehouseKey);
            else this[LakeWarehouseKey] = value;
        }
    }

    /// <summary>DuckDB worker threads, or null for one per core.</summary>
    public int? Threads
    {
        get => TryGetValue(ThreadsKey, out var v) ? int.Parse(Convert.ToString(v, CultureInfo.InvariantCulture)!, NumberStyles.None, CultureInfo.InvariantCulture) : null;
        set
        {
            if (value is null) Remove(ThreadsKey);
            else this[ThreadsKey] = value.Value.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Sets a key, refusing keys other than the four known ones and invalid values.</summary>
    [AllowNull]
    public override object this[string keyword]
    {
        get => base[Canonical(keyword)];
        set
        {
            var key = Canonical(keyword);
            if (value is null)
            {
                Remove(key);
                return;
            }
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            if (key == RequestTimeoutKey) ParseSeconds(text);
            if (key == ThreadsKey && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1))
                throw new ArgumentException($"'{ThreadsKey}' must be a positive whole number, got '{text}'.", nameof(keyword));
            base[key] = text;
        }
    }

    public override bool ContainsKey(string keyword) => base.ContainsKey(Canonical(keyword, throwIfUnknown: false));

    public override bool Remove(string keyword) => base.Remove(Canonical(keyword, throwIfUnknown: false));

    public override bool TryGetValue(string keyword, [NotNullWhen(true)] out object? value) =>
        base.TryGetValue(Canonical(keyword, throwIfUnknown: false), out value);

    /// <summary>Checks that the string can connect: a bootstrap server is given.</summary>
    /// <exception cref="ArgumentException">No <c>Bootstrap Servers</c>.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new ArgumentException($"The connection string has no '{BootstrapServersKey}'; write for example \"{BootstrapServersKey}=127.0.0.1:9123\".");
    }

    private static string Canonical(string keyword, bool throwIfUnknown = true)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        var trimmed = keyword.Trim();
        foreach (var key in KnownKeys)
        {
            if (string.Equals(key, trimmed, StringComparison.OrdinalIgnoreCase) || string.Equals(key.Replace(" ", "", StringComparison.Ordinal), trimmed, StringComparison.OrdinalIgnoreCase))
                return key;
        }
        if (throwIfUnknown)
            throw new ArgumentException($"Unknown connection string key '{keyword}'; the keys are: {string.Join(", ", KnownKeys)}.", nameof(keyword));
        return trimmed;
    }

    private static double ParseSeconds(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || double.IsInfinity(seconds))
            throw new ArgumentException($"'{RequestTimeoutKey}' must be a positive number of seconds, got '{text}'.");
        return seconds;
    }
}
