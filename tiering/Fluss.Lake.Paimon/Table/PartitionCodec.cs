using System.Globalization;
using System.Text;
using Fluss.Lake.Paimon.Manifest;
using Fluss.Lake.Paimon.Schema;
using Fluss.Rows;
using Fluss.Rows.Paimon;
using Fluss.Types;

namespace Fluss.Lake.Paimon.Table;

/// <summary>
/// Partition values of a table: their BinaryRow (as manifests store them) and their directory
/// (<c>k1=v1/k2=v2/</c>), rendered as Paimon renders them: with <c>partition.legacy-name=true</c> (Paimon's default)
/// the internal value's text (a DATE as its epoch day), with <c>false</c> (what Fluss sets) the value cast to a
/// string (a DATE as yyyy-MM-dd). Null, empty and blank values use <c>partition.default-name</c>.
/// </summary>
internal sealed class PartitionCodec
{
    private readonly bool _legacyName;
    private readonly string _defaultName;

    public PartitionCodec(TableSchema schema)
    {
        Keys = schema.PartitionKeys;
        RowType = new RowType(Keys.Select(k =>
        {
            var f = schema.Field(k);
            return new DataField(f.Name, f.RequireType(), f.Id);
        }).ToArray());
        _legacyName = schema.BoolOption("partition.legacy-name", defaultValue: true);
        _defaultName = schema.Option("partition.default-name", "__DEFAULT_PARTITION__");
        foreach (var f in RowType.Fields)
        {
            if (f.Type is not (StringType or CharType or BooleanType or TinyIntType or SmallIntType or IntType or BigIntType or DateType or DecimalType))
            {
                throw new PaimonUnsupportedFeatureException($"{f.Type.Root} partition keys",
                    $"Partition key '{f.Name}' has type {f.Type}; partition directories are supported for CHAR, STRING, BOOLEAN, integer, DATE and DECIMAL keys.");
            }
        }
    }

    public IReadOnlyList<string> Keys { get; }

    public RowType RowType { get; }

    public bool IsPartitioned => Keys.Count > 0;

    public byte[] Serialize(GenericRow values)
    {
        using var w = new BinaryRowWriter(RowType.FieldCount);
        w.WriteRow(values, RowType);
        return BinaryRow.SerializeWithArity(w.WrittenSpan, RowType.FieldCount);
    }

    public GenericRow Deserialize(byte[] serialized) =>
        Keys.Count == 0 ? new GenericRow(0) : GenericRow.CopyOf(BinaryRow.FromSerialized(RowType, serialized), RowType);

    /// <summary>The relative directory of a partition, <c>k1=v1/k2=v2/</c> (empty when unpartitioned).</summary>
    public string Directory(GenericRow values)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Keys.Count; i++)
        {
            sb.Append(Escape(Keys[i])).Append('=').Append(Escape(Text(values[i], RowType.Fields[i].Type) ?? _defaultName)).Append('/');
        }
        return sb.ToString();
    }

    /// <summary>The partition values as directory text (null for a null or blank value).</summary>
    public IReadOnlyDictionary<string, string?> Describe(GenericRow values)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < Keys.Count; i++) result[Keys[i]] = Text(values[i], RowType.Fields[i].Type);
        return result;
    }

    private string? Text(object? value, DataType type)
    {
        var text = value switch
        {
            null => null,
            string s => s,
            bool b => b ? "true" : "false",
            int d when type is DateType => _legacyName ? d.ToString(CultureInfo.InvariantCulture) : TimeText.FromEpochDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    internal static string Escape(string s)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (NeedsEscape(c))
            {
                sb ??= new StringBuilder(s, 0, i, s.Length + 8);
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? s;
    }

    private static bool NeedsEscape(char c) =>
        (c >= '\u0001' && c <= '\u001F') || c == '\u007F'
        || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '{' or '}' or '[' or ']' or '^';

    /// <summary>SimpleStats over the partitions of some entries: per key min, max and null count.</summary>
    public SimpleStats Stats(IEnumerable<byte[]> partitions)
    {
        if (Keys.Count == 0) return SimpleStats.Empty;
        var n = Keys.Count;
        var min = new object?[n];
        var max = new object?[n];
        var nulls = new long?[n];
        for (var i = 0; i < n; i++) nulls[i] = 0;
        foreach (var p in partitions.Distinct(ByteArrayComparer.Instance))
        {
            var row = Deserialize(p);
            for (var i = 0; i < n; i++)
            {
                var v = row[i];
                if (v is null)
                {
                    nulls[i]++;
                    continue;
                }
                if (min[i] is null || ValueComparer.Compare(v, min[i]!) < 0) min[i] = v;
                if (max[i] is null || ValueComparer.Compare(v, max[i]!) > 0) max[i] = v;
            }
        }
        var nullableType = new RowType(RowType.Fields.Select(f => f with { Type = f.Type.AsNullable() }).ToArray());
        return new SimpleStats(StatsRows.Serialize(new GenericRow(min), nullableType), StatsRows.Serialize(new GenericRow(max), nullableType), nulls);
    }
}

/// <summary>Serializes statistics rows (all fields nullable) as BinaryRows with their arity.</summary>
internal static class StatsRows
{
    public static byte[] Serialize(GenericRow row, RowType type)
    {
        using var w = new BinaryRowWriter(type.FieldCount);
        w.WriteRow(row, type);
        return BinaryRow.SerializeWithArity(w.WrittenSpan, type.FieldCount);
    }

    public static RowType Nullable(RowType type) => new(type.Fields.Select(f => f with { Type = f.Type.AsNullable() }).ToArray());
}

/// <summary>Orders boxed internal values of one type as Paimon does (strings and binaries by unsigned bytes).</summary>
internal static class ValueComparer
{
    public static int Compare(object a, object b) => (a, b) switch
    {
        (bool x, bool y) => x.CompareTo(y),
        (sbyte x, sbyte y) => x.CompareTo(y),
        (short x, short y) => x.CompareTo(y),
        (int x, int y) => x.CompareTo(y),
        (long x, long y) => x.CompareTo(y),
        (float x, float y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)),
        (byte[] x, byte[] y) => x.AsSpan().SequenceCompareTo(y),
        (FlussDecimal x, FlussDecimal y) => Rescaled(x, y).CompareTo(Rescaled(y, x)),
        (TimestampNtz x, TimestampNtz y) => x.Millisecond != y.Millisecond ? x.Millisecond.CompareTo(y.Millisecond) : x.NanoOfMillisecond.CompareTo(y.NanoOfMillisecond),
        (TimestampLtz x, TimestampLtz y) => x.EpochMillisecond != y.EpochMillisecond ? x.EpochMillisecond.CompareTo(y.EpochMillisecond) : x.NanoOfMillisecond.CompareTo(y.NanoOfMillisecond),
        _ => throw new ArgumentException($"Cannot compare {a.GetType().Name} with {b.GetType().Name}."),
    };

    private static System.Numerics.BigInteger Rescaled(FlussDecimal x, FlussDecimal other) =>
        x.Scale >= other.Scale ? x.UnscaledValue : x.UnscaledValue * System.Numerics.BigInteger.Pow(10, other.Scale - x.Scale);
}

internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var h = new HashCode();
        h.AddBytes(obj);
        return h.ToHashCode();
    }
}
