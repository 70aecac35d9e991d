using System.Buffers;
using System.Numerics;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Types;

namespace Fluss.Storage.Kv.Merge;

/// <summary>
/// One column's aggregate function of the AGGREGATION merge engine: combines the stored value (the accumulator)
/// with the written one and writes the result. As in Fluss, the functions other than the value-selection ones
/// (last/first value) keep the non-null side when either side is null; integer sums and products wrap around, and a
/// DECIMAL result that no longer fits the column's precision becomes null.
/// </summary>
internal sealed class FieldAggregator
{
    private readonly int _pos;
    private readonly DataType _type;
    private readonly AggFunctionType _function;
    private readonly byte[] _delimiter;

    public FieldAggregator(int pos, DataType type, AggFunction function)
    {
        _pos = pos;
        _type = type;
        _function = function.Type == AggFunctionType.StringAgg ? AggFunctionType.ListAgg : function.Type;
        var delimiter = function.Parameters.TryGetValue(AggFunction.DelimiterParameter, out var d) ? d : ",";
        _delimiter = System.Text.Encoding.UTF8.GetBytes(delimiter);
        if (_function is AggFunctionType.Rbm32 or AggFunctionType.Rbm64)
            throw new Errors.InvalidConfigException($"Aggregate function '{function.TypeName}' of column {pos} is not supported by this server yet.");
        try
        {
            function.ValidateDataType(type);
        }
        catch (ArgumentException e)
        {
            throw new Errors.InvalidConfigException($"Invalid aggregate function for column {pos}: {e.Message}");
        }
    }

    /// <summary>Writes the aggregate of <paramref name="accumulator"/> and <paramref name="input"/> at this column.</summary>
    public void Aggregate(CompactedRow accumulator, CompactedRow input, CompactedRowWriter writer)
    {
        var accNull = accumulator.IsNullAt(_pos);
        var inNull = input.IsNullAt(_pos);
        switch (_function)
        {
            case AggFunctionType.LastValue:
                Copy(input, inNull, writer);
                return;
            case AggFunctionType.LastValueIgnoreNulls:
                if (inNull) Copy(accumulator, accNull, writer);
                else Copy(input, false, writer);
                return;
            case AggFunctionType.FirstValue:
            case AggFunctionType.FirstValueIgnoreNulls:
                if (!accNull) Copy(accumulator, false, writer);
                else Copy(input, inNull, writer);
                return;
        }
        if (accNull || inNull)
        {
            if (accNull) Copy(input, inNull, writer);
            else Copy(accumulator, false, writer);
            return;
        }
        switch (_function)
        {
            case AggFunctionType.Sum:
            case AggFunctionType.Product:
                Arithmetic(accumulator, input, writer, _function == AggFunctionType.Sum);
                return;
            case AggFunctionType.Max:
                Copy(Compare(accumulator, input) < 0 ? input : accumulator, false, writer);
                return;
            case AggFunctionType.Min:
                Copy(Compare(accumulator, input) < 0 ? accumulator : input, false, writer);
                return;
            case AggFunctionType.ListAgg:
                ListAgg(accumulator.GetStringUtf8(_pos), input.GetStringUtf8(_pos), writer);
                return;
            case AggFunctionType.BoolAnd:
                writer.WriteBoolean(accumulator.GetBoolean(_pos) && input.GetBoolean(_pos));
                return;
            case AggFunctionType.BoolOr:
                writer.WriteBoolean(accumulator.GetBoolean(_pos) || input.GetBoolean(_pos));
                return;
            default:
                throw new InvalidOperationException($"Unsupported aggregate function {_function}.");
        }
    }

    private void Copy(CompactedRow source, bool isNull, CompactedRowWriter writer)
    {
        if (isNull) writer.SetNullAt(_pos);
        else RowCodec.WriteValue(source, _pos, _type, writer);
    }

    private void Arithmetic(CompactedRow a, CompactedRow b, CompactedRowWriter writer, bool sum)
    {
        var p = _pos;
        unchecked
        {
            switch (_type)
            {
                case TinyIntType: writer.WriteByte(sum ? (sbyte)(a.GetByte(p) + b.GetByte(p)) : (sbyte)(a.GetByte(p) * b.GetByte(p))); break;
                case SmallIntType: writer.WriteShort(sum ? (short)(a.GetShort(p) + b.GetShort(p)) : (short)(a.GetShort(p) * b.GetShort(p))); break;
                case IntType: writer.WriteInt(sum ? a.GetInt(p) + b.GetInt(p) : a.GetInt(p) * b.GetInt(p)); break;
                case BigIntType: writer.WriteLong(sum ? a.GetLong(p) + b.GetLong(p) : a.GetLong(p) * b.GetLong(p)); break;
                case FloatType: writer.WriteFloat(sum ? a.GetFloat(p) + b.GetFloat(p) : a.GetFloat(p) * b.GetFloat(p)); break;
                case DoubleType: writer.WriteDouble(sum ? a.GetDouble(p) + b.GetDouble(p) : a.GetDouble(p) * b.GetDouble(p)); break;
                case DecimalType d:
                    var x = a.GetDecimal(p, d.Precision, d.Scale).UnscaledValue;
                    var y = b.GetDecimal(p, d.Precision, d.Scale).UnscaledValue;
                    var result = sum ? x + y : RoundHalfUp(x * y, d.Scale);
                    if (DigitCount(result) > d.Precision) writer.SetNullAt(p);
                    else writer.WriteDecimal(FlussDecimal.FromUnscaled(result, d.Precision, d.Scale), d.Precision);
                    break;
                default:
                    throw new InvalidOperationException($"Type {_type} is not supported by sum/product.");
            }
        }
    }

    /// <summary>Divides by 10^<paramref name="scale"/>, rounding half away from zero (Java's HALF_UP).</summary>
    internal static BigInteger RoundHalfUp(BigInteger value, int scale)
    {
        if (scale == 0) return value;
        var divisor = BigInteger.Pow(10, scale);
        var quotient = BigInteger.DivRem(value, divisor, out var remainder);
        if (BigInteger.Abs(remainder) * 2 >= divisor) quotient += value.Sign;
        return quotient;
    }

    /// <summary>The number of decimal digits of an unscaled value (1 for zero), as Java's BigDecimal precision.</summary>
    internal static int DigitCount(BigInteger value)
    {
        var abs = BigInteger.Abs(value);
        var digits = 1;
        var ten = new BigInteger(10);
        while (abs >= ten)
        {
            abs /= ten;
            digits++;
        }
        return digits;
    }

    private int Compare(CompactedRow a, CompactedRow b)
    {
        var p = _pos;
        return _type switch
        {
            TinyIntType => a.GetByte(p).CompareTo(b.GetByte(p)),
            SmallIntType => a.GetShort(p).CompareTo(b.GetShort(p)),
            IntType or DateType or TimeType => a.GetInt(p).CompareTo(b.GetInt(p)),
            BigIntType => a.GetLong(p).CompareTo(b.GetLong(p)),
            FloatType => JavaCompare(a.GetFloat(p), b.GetFloat(p)),
            DoubleType => JavaCompare(a.GetDouble(p), b.GetDouble(p)),
            DecimalType d => CompareDecimals(a.GetDecimal(p, d.Precision, d.Scale), b.GetDecimal(p, d.Precision, d.Scale)),
            TimestampType t => CompareNtz(a.GetTimestampNtz(p, t.Precision), b.GetTimestampNtz(p, t.Precision)),
            LocalZonedTimestampType t => CompareLtz(a.GetTimestampLtz(p, t.Precision), b.GetTimestampLtz(p, t.Precision)),
            CharType or StringType => a.GetStringUtf8(p).SequenceCompareTo(b.GetStringUtf8(p)),
            BinaryType or BytesType => a.GetBinarySpan(p).SequenceCompareTo(b.GetBinarySpan(p)),
            _ => throw new InvalidOperationException($"Type {_type} is not supported by max/min."),
        };
    }

    private static int CompareDecimals(FlussDecimal a, FlussDecimal b) => a.UnscaledValue.CompareTo(b.UnscaledValue);

    private static int CompareNtz(TimestampNtz a, TimestampNtz b) =>
        a.Millisecond != b.Millisecond ? a.Millisecond.CompareTo(b.Millisecond) : a.NanoOfMillisecond.CompareTo(b.NanoOfMillisecond);

    private static int CompareLtz(TimestampLtz a, TimestampLtz b) =>
        a.EpochMillisecond != b.EpochMillisecond ? a.EpochMillisecond.CompareTo(b.EpochMillisecond) : a.NanoOfMillisecond.CompareTo(b.NanoOfMillisecond);

    /// <summary>Java's Float.compare: -0.0 below 0.0, NaN above everything and equal to itself.</summary>
    internal static int JavaCompare(float a, float b)
    {
        if (a < b) return -1;
        if (a > b) return 1;
        var x = float.IsNaN(a) ? 0x7fc00000 : BitConverter.SingleToInt32Bits(a); // Java's canonical NaN
        var y = float.IsNaN(b) ? 0x7fc00000 : BitConverter.SingleToInt32Bits(b);
        return x == y ? 0 : x < y ? -1 : 1;
    }

    /// <summary>Java's Double.compare.</summary>
    internal static int JavaCompare(double a, double b)
    {
        if (a < b) return -1;
        if (a > b) return 1;
        var x = double.IsNaN(a) ? 0x7ff8000000000000L : BitConverter.DoubleToInt64Bits(a);
        var y = double.IsNaN(b) ? 0x7ff8000000000000L : BitConverter.DoubleToInt64Bits(b);
        return x == y ? 0 : x < y ? -1 : 1;
    }

    private void ListAgg(ReadOnlySpan<byte> accumulator, ReadOnlySpan<byte> input, CompactedRowWriter writer)
    {
        var length = accumulator.Length + _delimiter.Length + input.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            accumulator.CopyTo(buffer);
            _delimiter.CopyTo(buffer.AsSpan(accumulator.Length));
            input.CopyTo(buffer.AsSpan(accumulator.Length + _delimiter.Length));
            writer.WriteStringUtf8(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
