using Fluss.Types;
using ParquetSharp;
using ParquetSharp.Schema;

namespace Fluss.Lake.Paimon.Data;

/// <summary>How a Paimon column is stored in Parquet, as Paimon's schema converter lays it out.</summary>
internal enum PhysicalKind
{
    Boolean,

    /// <summary>INT32: TINYINT, SMALLINT, INT, DATE, TIME, DECIMAL(p &lt;= 9).</summary>
    Int32,

    /// <summary>INT64: BIGINT, DECIMAL(p &lt;= 18), TIMESTAMP(p &lt;= 6) in millis or micros.</summary>
    Int64,
    Float,
    Double,

    /// <summary>BINARY: strings (UTF-8) and binaries.</summary>
    ByteArray,

    /// <summary>FIXED_LEN_BYTE_ARRAY: DECIMAL(p &gt; 18), big-endian two's complement.</summary>
    FixedLenByteArray,

    /// <summary>INT96: TIMESTAMP(p &gt; 6), nanos of day and Julian day.</summary>
    Int96,
}

internal static class ParquetTypes
{
    /// <summary>Field id of <c>_SEQUENCE_NUMBER</c> (Integer.MAX_VALUE - 1).</summary>
    public const int SequenceNumberFieldId = int.MaxValue - 1;

    /// <summary>Field id of <c>_VALUE_KIND</c> (Integer.MAX_VALUE - 2).</summary>
    public const int ValueKindFieldId = int.MaxValue - 2;

    /// <summary>Key field ids are the value field id plus Integer.MAX_VALUE / 2.</summary>
    public const int KeyFieldIdStart = int.MaxValue / 2;

    public const string KeyPrefix = "_KEY_";
    public const string SequenceNumber = "_SEQUENCE_NUMBER";
    public const string ValueKind = "_VALUE_KIND";

    public static PhysicalKind KindOf(DataType type) => type switch
    {
        BooleanType => PhysicalKind.Boolean,
        TinyIntType or SmallIntType or IntType or DateType or TimeType => PhysicalKind.Int32,
        DecimalType { Precision: <= 9 } => PhysicalKind.Int32,
        BigIntType => PhysicalKind.Int64,
        DecimalType { Precision: <= 18 } => PhysicalKind.Int64,
        DecimalType => PhysicalKind.FixedLenByteArray,
        TimestampType { Precision: <= 6 } or LocalZonedTimestampType { Precision: <= 6 } => PhysicalKind.Int64,
        TimestampType or LocalZonedTimestampType => PhysicalKind.Int96,
        FloatType => PhysicalKind.Float,
        DoubleType => PhysicalKind.Double,
        CharType or StringType or BinaryType or BytesType => PhysicalKind.ByteArray,
        _ => throw new PaimonUnsupportedFeatureException($"{type.Root} columns", $"Columns of type {type} cannot be written to or read from Parquet by this implementation yet; only scalar types are supported."),
    };

    /// <summary>The smallest byte count whose two's complement holds every unscaled value of the precision.</summary>
    public static int DecimalBytes(int precision)
    {
        var n = 1;
        while (System.Numerics.BigInteger.Pow(2, 8 * n - 1) < System.Numerics.BigInteger.Pow(10, precision)) n++;
        return n;
    }

    public static PrimitiveNode Node(string name, int fieldId, DataType type)
    {
        var rep = type.IsNullable ? Repetition.Optional : Repetition.Required;
        return type switch
        {
            BooleanType => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.Boolean, -1, fieldId),
            TinyIntType => new PrimitiveNode(name, rep, LogicalType.Int(8, true), PhysicalType.Int32, -1, fieldId),
            SmallIntType => new PrimitiveNode(name, rep, LogicalType.Int(16, true), PhysicalType.Int32, -1, fieldId),
            IntType => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.Int32, -1, fieldId),
            BigIntType => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.Int64, -1, fieldId),
            FloatType => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.Float, -1, fieldId),
            DoubleType => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.Double, -1, fieldId),
            DateType => new PrimitiveNode(name, rep, LogicalType.Date(), PhysicalType.Int32, -1, fieldId),
            TimeType => new PrimitiveNode(name, rep, LogicalType.Time(true, TimeUnit.Millis), PhysicalType.Int32, -1, fieldId),
            CharType or StringType => new PrimitiveNode(name, rep, LogicalType.String(), PhysicalType.ByteArray, -1, fieldId),
            BinaryType or BytesType => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.ByteArray, -1, fieldId),
            DecimalType { Precision: <= 9 } d => new PrimitiveNode(name, rep, LogicalType.Decimal(d.Precision, d.Scale), PhysicalType.Int32, -1, fieldId),
            DecimalType { Precision: <= 18 } d => new PrimitiveNode(name, rep, LogicalType.Decimal(d.Precision, d.Scale), PhysicalType.Int64, -1, fieldId),
            DecimalType d => new PrimitiveNode(name, rep, LogicalType.Decimal(d.Precision, d.Scale), PhysicalType.FixedLenByteArray, DecimalBytes(d.Precision), fieldId),
            TimestampType t => TimestampNode(name, rep, t.Precision, adjustedToUtc: false, fieldId),
            LocalZonedTimestampType t => TimestampNode(name, rep, t.Precision, adjustedToUtc: true, fieldId),
            _ => throw new PaimonUnsupportedFeatureException($"{type.Root} columns", $"Column '{name}' has type {type}; only scalar types can be written to Parquet by this implementation yet."),
        };
    }

    private static PrimitiveNode TimestampNode(string name, Repetition rep, int precision, bool adjustedToUtc, int fieldId) => precision switch
    {
        <= 3 => new PrimitiveNode(name, rep, LogicalType.Timestamp(adjustedToUtc, TimeUnit.Millis), PhysicalType.Int64, -1, fieldId),
        <= 6 => new PrimitiveNode(name, rep, LogicalType.Timestamp(adjustedToUtc, TimeUnit.Micros), PhysicalType.Int64, -1, fieldId),
        _ => new PrimitiveNode(name, rep, LogicalType.None(), PhysicalType.Int96, -1, fieldId),
    };

    public const long MillisPerDay = 86_400_000L;
    public const int JulianEpochDay = 2_440_588;

    /// <summary>A timestamp as INT96: nanos of the day (normalized to [0, 1 day)) and the Julian day.</summary>
    public static Int96 ToInt96(long millis, int nanoOfMilli)
    {
        var day = Math.DivRem(millis, MillisPerDay, out var msOfDay);
        if (msOfDay < 0)
        {
            msOfDay += MillisPerDay;
            day--;
        }
        var nanosOfDay = msOfDay * 1_000_000L + nanoOfMilli;
        return new Int96((int)nanosOfDay, (int)(nanosOfDay >> 32), (int)(day + JulianEpochDay));
    }

    /// <summary>
    /// Decodes INT96 the way Paimon does, which also accepts Paimon's own encoding of instants before 1970 (a
    /// negative nanos-of-day with the day truncated toward zero).
    /// </summary>
    public static (long Millis, int NanoOfMilli) FromInt96(Int96 v)
    {
        var nanosOfDay = (long)(uint)v.A | ((long)v.B << 32);
        var millis = (v.C - (long)JulianEpochDay) * MillisPerDay + nanosOfDay / 1_000_000L;
        var nano = (int)(nanosOfDay % 1_000_000L);
        if (nano < 0)
        {
            millis--;
            nano += 1_000_000;
        }
        return (millis, nano);
    }
}
