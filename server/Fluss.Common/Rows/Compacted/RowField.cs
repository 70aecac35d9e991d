using Fluss.Types;

namespace Fluss.Rows.Compacted;

/// <summary>How a scalar field is stored, independent of the row format.</summary>
internal enum FieldKind : byte
{
    Boolean,
    TinyInt,
    SmallInt,

    /// <summary>INT, DATE (epoch days) and TIME (millis of day).</summary>
    Int,
    BigInt,
    Float,
    Double,

    /// <summary>CHAR and STRING (UTF-8).</summary>
    String,

    /// <summary>BINARY and BYTES.</summary>
    Binary,
    DecimalCompact,
    Decimal,
    TimestampNtzCompact,
    TimestampNtz,
    TimestampLtzCompact,
    TimestampLtz,
}

/// <summary>A field of a row type reduced to what the encoders need.</summary>
internal readonly record struct RowField(FieldKind Kind, bool IsNullable, int Precision, int Scale, string Name, DataType Type)
{
    /// <summary>Describes every field of <paramref name="type"/>; nested types are rejected.</summary>
    public static RowField[] Of(RowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var fields = new RowField[type.FieldCount];
        for (var i = 0; i < fields.Length; i++)
            fields[i] = Of(type.Fields[i].Name, type.Fields[i].Type);
        return fields;
    }

    public static RowField Of(string name, DataType type) => type switch
    {
        BooleanType => new(FieldKind.Boolean, type.IsNullable, 0, 0, name, type),
        TinyIntType => new(FieldKind.TinyInt, type.IsNullable, 0, 0, name, type),
        SmallIntType => new(FieldKind.SmallInt, type.IsNullable, 0, 0, name, type),
        IntType or DateType => new(FieldKind.Int, type.IsNullable, 0, 0, name, type),
        TimeType t => new(FieldKind.Int, type.IsNullable, t.Precision, 0, name, type),
        BigIntType => new(FieldKind.BigInt, type.IsNullable, 0, 0, name, type),
        FloatType => new(FieldKind.Float, type.IsNullable, 0, 0, name, type),
        DoubleType => new(FieldKind.Double, type.IsNullable, 0, 0, name, type),
        CharType or StringType => new(FieldKind.String, type.IsNullable, 0, 0, name, type),
        BinaryType or BytesType => new(FieldKind.Binary, type.IsNullable, 0, 0, name, type),
        DecimalType d => new(d.IsCompact ? FieldKind.DecimalCompact : FieldKind.Decimal, type.IsNullable, d.Precision, d.Scale, name, type),
        TimestampType t => new(t.IsCompact ? FieldKind.TimestampNtzCompact : FieldKind.TimestampNtz, type.IsNullable, t.Precision, 0, name, type),
        LocalZonedTimestampType t => new(t.IsCompact ? FieldKind.TimestampLtzCompact : FieldKind.TimestampLtz, type.IsNullable, t.Precision, 0, name, type),
        ArrayType or MapType or RowType => throw new NotSupportedException(
            $"Field '{name}' has type {type}: nested types (ARRAY, MAP, ROW) are not encodable yet; only scalar types are supported in this version."),
        _ => throw new NotSupportedException($"Field '{name}' has type {type}, which has no row encoding."),
    };

    /// <summary>A short description for error messages, e.g. <c>'price' DECIMAL(10, 2)</c>.</summary>
    public string Describe() => $"'{Name}' {Type.ToSummaryString()}";
}
