using Fluss.Types;

namespace Fluss.Lake.Paimon.Data;

/// <summary>
/// Orders rows of a <see cref="RowSource"/> by key fields as Paimon's key comparator does: field by field, numbers by
/// value, strings and binaries by unsigned bytes then length, timestamps by millisecond then nanosecond, nulls first.
/// </summary>
internal sealed class KeyComparer(RowSource source, int[] positions)
{
    private readonly DataType[] _types = positions.Select(p => source.RowType.Fields[p].Type).ToArray();

    public int Compare(int a, int b)
    {
        for (var i = 0; i < positions.Length; i++)
        {
            var c = CompareField(a, b, positions[i], _types[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private int CompareField(int a, int b, int col, DataType type)
    {
        var na = source.IsNull(a, col);
        var nb = source.IsNull(b, col);
        if (na || nb) return na == nb ? 0 : (na ? -1 : 1);
        return type switch
        {
            BooleanType => source.GetBoolean(a, col).CompareTo(source.GetBoolean(b, col)),
            TinyIntType => source.GetByte(a, col).CompareTo(source.GetByte(b, col)),
            SmallIntType => source.GetShort(a, col).CompareTo(source.GetShort(b, col)),
            IntType or DateType or TimeType => source.GetInt(a, col).CompareTo(source.GetInt(b, col)),
            BigIntType => source.GetLong(a, col).CompareTo(source.GetLong(b, col)),
            FloatType => source.GetFloat(a, col).CompareTo(source.GetFloat(b, col)),
            DoubleType => source.GetDouble(a, col).CompareTo(source.GetDouble(b, col)),
            CharType or StringType or BinaryType or BytesType => source.GetBytes(a, col).SequenceCompareTo(source.GetBytes(b, col)),
            DecimalType d => source.GetDecimal(a, col, d.Precision, d.Scale).UnscaledValue.CompareTo(source.GetDecimal(b, col, d.Precision, d.Scale).UnscaledValue),
            TimestampType => CompareTs(source.GetTimestampNtz(a, col) is var x ? (x.Millisecond, x.NanoOfMillisecond) : default,
                source.GetTimestampNtz(b, col) is var y ? (y.Millisecond, y.NanoOfMillisecond) : default),
            LocalZonedTimestampType => CompareTs(source.GetTimestampLtz(a, col) is var x ? (x.EpochMillisecond, x.NanoOfMillisecond) : default,
                source.GetTimestampLtz(b, col) is var y ? (y.EpochMillisecond, y.NanoOfMillisecond) : default),
            _ => throw new NotSupportedException($"Key column type {type} cannot be ordered."),
        };
    }

    private static int CompareTs((long Millis, int Nanos) x, (long Millis, int Nanos) y) =>
        x.Millis != y.Millis ? x.Millis.CompareTo(y.Millis) : x.Nanos.CompareTo(y.Nanos);
}
