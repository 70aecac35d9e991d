using Apache.Arrow;
using Fluss.Types;
using AT = Apache.Arrow.Types;

namespace Fluss.Arrow;

/// <summary>
/// Conversions between Fluss row types and Arrow schemas, with exactly the type mapping Fluss uses for its ARROW log
/// format: TINYINT/SMALLINT/INT/BIGINT as signed Int8/16/32/64, BOOLEAN Bool, FLOAT/DOUBLE, CHAR/STRING Utf8,
/// BINARY(n) FixedSizeBinary(n), BYTES Binary, DECIMAL(p, s) Decimal128(p, s), DATE Date32 (days), TIME(p) Time32(s)
/// for p = 0, Time32(ms) for 1..3, Time64(us) for 4..6, Time64(ns) for 7..9, and TIMESTAMP(p) / TIMESTAMP_LTZ(p)
/// Timestamp(s / ms / us / ns by the same precision ranges) without a time zone. Field nullability comes from the type.
/// </summary>
public static class ArrowSchemas
{
    /// <summary>The Arrow schema Fluss uses for rows of <paramref name="rowType"/>.</summary>
    public static Schema ToArrowSchema(RowType rowType)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        var fields = new Field[rowType.FieldCount];
        for (var i = 0; i < fields.Length; i++)
            fields[i] = ToArrowField(rowType.Fields[i].Name, rowType.Fields[i].Type);
        return new Schema(fields, null);
    }

    /// <summary>The Arrow field for a Fluss column.</summary>
    public static Field ToArrowField(string name, DataType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        return new Field(name, ToArrowType(type), type.IsNullable, null);
    }

    /// <summary>The Arrow type of a Fluss scalar type.</summary>
    /// <exception cref="NotSupportedException">For ARRAY, MAP and ROW, which the Arrow bridge does not support yet.</exception>
    public static AT.IArrowType ToArrowType(DataType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type switch
        {
            TinyIntType => AT.Int8Type.Default,
            SmallIntType => AT.Int16Type.Default,
            IntType => AT.Int32Type.Default,
            BigIntType => AT.Int64Type.Default,
            BooleanType => AT.BooleanType.Default,
            FloatType => AT.FloatType.Default,
            DoubleType => AT.DoubleType.Default,
            CharType or StringType => AT.StringType.Default,
            BinaryType b => new AT.FixedSizeBinaryType(b.Length),
            BytesType => AT.BinaryType.Default,
            DecimalType d => new AT.Decimal128Type(d.Precision, d.Scale),
            DateType => AT.Date32Type.Default,
            TimeType t => t.Precision switch
            {
                0 => new AT.Time32Type(AT.TimeUnit.Second),
                <= 3 => new AT.Time32Type(AT.TimeUnit.Millisecond),
                <= 6 => new AT.Time64Type(AT.TimeUnit.Microsecond),
                _ => new AT.Time64Type(AT.TimeUnit.Nanosecond),
            },
            TimestampType t => new AT.TimestampType(TimestampUnit(t.Precision), (string?)null),
            LocalZonedTimestampType t => new AT.TimestampType(TimestampUnit(t.Precision), (string?)null),
            ArrayType or MapType or RowType => throw new NotSupportedException(
                $"The Arrow log format does not support the nested type {type.ToSummaryString()} yet; only scalar types are supported."),
            _ => throw new NotSupportedException($"The type {type.ToSummaryString()} has no Arrow mapping."),
        };
    }

    /// <summary>
    /// The closest Fluss row type for an Arrow schema (the reverse of <see cref="ToArrowSchema"/>). CHAR(n) comes
    /// back as STRING, TIME and TIMESTAMP get the largest precision of their unit (0, 3, 6 or 9), and an Arrow
    /// timestamp with a time zone becomes TIMESTAMP_LTZ.
    /// </summary>
    public static RowType ToRowType(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new DataField[schema.FieldsList.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var f = schema.FieldsList[i];
            fields[i] = new DataField(f.Name, ToDataType(f.DataType, f.IsNullable), i);
        }
        return new RowType(fields);
    }

    /// <summary>The closest Fluss type for an Arrow type.</summary>
    /// <exception cref="NotSupportedException">For nested Arrow types (not supported yet) and types Fluss has no equivalent for.</exception>
    public static DataType ToDataType(AT.IArrowType type, bool nullable)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type switch
        {
            AT.Int8Type => new TinyIntType(nullable),
            AT.Int16Type => new SmallIntType(nullable),
            AT.Int32Type => new IntType(nullable),
            AT.Int64Type => new BigIntType(nullable),
            AT.BooleanType => new BooleanType(nullable),
            AT.FloatType => new FloatType(nullable),
            AT.DoubleType => new DoubleType(nullable),
            AT.StringType => new StringType(nullable),
            AT.Decimal128Type d => new DecimalType(d.Precision, d.Scale, nullable),
            AT.FixedSizeBinaryType b when b.TypeId == AT.ArrowTypeId.FixedSizedBinary => new BinaryType(b.ByteWidth, nullable),
            AT.BinaryType when type.TypeId == AT.ArrowTypeId.Binary => new BytesType(nullable),
            AT.Date32Type => new DateType(nullable),
            AT.Time32Type t => new TimeType(t.Unit == AT.TimeUnit.Second ? 0 : 3, nullable),
            AT.Time64Type t => new TimeType(t.Unit == AT.TimeUnit.Microsecond ? 6 : 9, nullable),
            AT.TimestampType t when string.IsNullOrEmpty(t.Timezone) => new TimestampType(Precision(t.Unit), nullable),
            AT.TimestampType t => new LocalZonedTimestampType(Precision(t.Unit), nullable),
            AT.NestedType => throw new NotSupportedException(
                $"The Arrow type {type.Name} is nested; nested types (ARRAY, MAP, ROW) are not supported by the Arrow bridge yet."),
            _ => throw new NotSupportedException($"The Arrow type {type.Name} has no Fluss equivalent."),
        };
    }

    internal static AT.TimeUnit TimestampUnit(int precision) => precision switch
    {
        0 => AT.TimeUnit.Second,
        <= 3 => AT.TimeUnit.Millisecond,
        <= 6 => AT.TimeUnit.Microsecond,
        _ => AT.TimeUnit.Nanosecond,
    };

    private static int Precision(AT.TimeUnit unit) => unit switch
    {
        AT.TimeUnit.Second => 0,
        AT.TimeUnit.Millisecond => 3,
        AT.TimeUnit.Microsecond => 6,
        _ => 9,
    };
}
