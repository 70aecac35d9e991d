namespace Fluss.Rows;

/// <summary>
/// Read access to one row by field position, with Fluss's internal value representations:
/// BOOLEAN bool, TINYINT sbyte, SMALLINT short, INT/DATE (epoch days)/TIME (millis of day) int, BIGINT long, FLOAT,
/// DOUBLE, CHAR/STRING string, BINARY/BYTES bytes, DECIMAL <see cref="FlussDecimal"/>, TIMESTAMP
/// <see cref="TimestampNtz"/>, TIMESTAMP_LTZ <see cref="TimestampLtz"/>.
/// </summary>
public interface IRow
{
    int FieldCount { get; }
    bool IsNullAt(int pos);
    bool GetBoolean(int pos);
    sbyte GetByte(int pos);
    short GetShort(int pos);
    int GetInt(int pos);
    long GetLong(int pos);
    float GetFloat(int pos);
    double GetDouble(int pos);
    string GetString(int pos);
    byte[] GetBinary(int pos);
    FlussDecimal GetDecimal(int pos, int precision, int scale);
    TimestampNtz GetTimestampNtz(int pos, int precision);
    TimestampLtz GetTimestampLtz(int pos, int precision);
}

/// <summary>A row backed by an array of boxed internal values (null = SQL NULL). Simple, not for hot paths.</summary>
public sealed class GenericRow : IRow, IEquatable<GenericRow>
{
    private readonly object?[] _values;

    public GenericRow(int fieldCount) => _values = new object?[fieldCount];

    public GenericRow(params object?[] values) => _values = values ?? [null];

    public static GenericRow Of(params object?[] values) => new(values);

    public int FieldCount => _values.Length;

    public object? this[int pos]
    {
        get => _values[pos];
        set => _values[pos] = value;
    }

    public bool IsNullAt(int pos) => _values[pos] is null;
    public bool GetBoolean(int pos) => (bool)_values[pos]!;
    public sbyte GetByte(int pos) => (sbyte)_values[pos]!;
    public short GetShort(int pos) => (short)_values[pos]!;
    public int GetInt(int pos) => (int)_values[pos]!;
    public long GetLong(int pos) => (long)_values[pos]!;
    public float GetFloat(int pos) => (float)_values[pos]!;
    public double GetDouble(int pos) => (double)_values[pos]!;
    public string GetString(int pos) => (string)_values[pos]!;
    public byte[] GetBinary(int pos) => (byte[])_values[pos]!;
    public FlussDecimal GetDecimal(int pos, int precision, int scale) => (FlussDecimal)_values[pos]!;
    public TimestampNtz GetTimestampNtz(int pos, int precision) => (TimestampNtz)_values[pos]!;
    public TimestampLtz GetTimestampLtz(int pos, int precision) => (TimestampLtz)_values[pos]!;

    public bool Equals(GenericRow? other)
    {
        if (other is null || other._values.Length != _values.Length) return false;
        for (var i = 0; i < _values.Length; i++)
        {
            var a = _values[i];
            var b = other._values[i];
            if (a is byte[] ba && b is byte[] bb) { if (!ba.AsSpan().SequenceEqual(bb)) return false; }
            else if (!Equals(a, b)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is GenericRow r && Equals(r);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _values) h.Add(v is byte[] b ? b.Length : v);
        return h.ToHashCode();
    }

    public override string ToString() => "(" + string.Join(", ", _values.Select(v => v switch
    {
        null => "null",
        byte[] b => "0x" + Convert.ToHexString(b),
        _ => v.ToString(),
    })) + ")";

    /// <summary>Copies any row into a GenericRow of boxed internal values, reading each field by its type.</summary>
    public static GenericRow CopyOf(IRow row, Types.RowType type)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(type);
        var copy = new GenericRow(type.FieldCount);
        for (var i = 0; i < type.FieldCount; i++)
            copy[i] = RowAccess.Get(row, i, type.GetTypeAt(i));
        return copy;
    }
}

/// <summary>Type-directed access to row fields.</summary>
public static class RowAccess
{
    /// <summary>Reads field <paramref name="pos"/> as a boxed internal value, or null.</summary>
    public static object? Get(IRow row, int pos, Types.DataType type)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(type);
        if (row.IsNullAt(pos)) return null;
        return type switch
        {
            Types.BooleanType => row.GetBoolean(pos),
            Types.TinyIntType => row.GetByte(pos),
            Types.SmallIntType => row.GetShort(pos),
            Types.IntType or Types.DateType or Types.TimeType => row.GetInt(pos),
            Types.BigIntType => row.GetLong(pos),
            Types.FloatType => row.GetFloat(pos),
            Types.DoubleType => row.GetDouble(pos),
            Types.StringType or Types.CharType => row.GetString(pos),
            Types.BinaryType or Types.BytesType => row.GetBinary(pos),
            Types.DecimalType d => row.GetDecimal(pos, d.Precision, d.Scale),
            Types.TimestampType t => row.GetTimestampNtz(pos, t.Precision),
            Types.LocalZonedTimestampType t => row.GetTimestampLtz(pos, t.Precision),
            _ => throw new NotSupportedException($"Reading {type} values from rows is not supported yet; nested types (ARRAY, MAP, ROW) have no row encoding in this version."),
        };
    }
}
