using AT = Apache.Arrow.Types;

namespace Fluss.Arrow;

/// <summary>The physical Arrow layouts the log format supports (flat, scalar columns).</summary>
internal enum ColumnKind : byte
{
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Date32,
    Time32Second,
    Time32Milli,
    Time64Micro,
    Time64Nano,
    TimestampSecond,
    TimestampMilli,
    TimestampMicro,
    TimestampNano,
    Decimal128,
    FixedSizeBinary,
    Utf8,
    Binary,
}

internal static class ColumnKinds
{
    /// <summary>The physical layout of an Arrow type, or false for types the log format does not support.</summary>
    public static bool TryGet(AT.IArrowType type, out ColumnKind kind, out int byteWidth)
    {
        byteWidth = 0;
        switch (type.TypeId)
        {
            case AT.ArrowTypeId.Boolean: kind = ColumnKind.Boolean; return true;
            case AT.ArrowTypeId.Int8: kind = ColumnKind.Int8; byteWidth = 1; return true;
            case AT.ArrowTypeId.Int16: kind = ColumnKind.Int16; byteWidth = 2; return true;
            case AT.ArrowTypeId.Int32: kind = ColumnKind.Int32; byteWidth = 4; return true;
            case AT.ArrowTypeId.Int64: kind = ColumnKind.Int64; byteWidth = 8; return true;
            case AT.ArrowTypeId.Float: kind = ColumnKind.Float32; byteWidth = 4; return true;
            case AT.ArrowTypeId.Double: kind = ColumnKind.Float64; byteWidth = 8; return true;
            case AT.ArrowTypeId.Date32: kind = ColumnKind.Date32; byteWidth = 4; return true;
            case AT.ArrowTypeId.Time32:
                kind = ((AT.Time32Type)type).Unit == AT.TimeUnit.Second ? ColumnKind.Time32Second : ColumnKind.Time32Milli;
                byteWidth = 4;
                return true;
            case AT.ArrowTypeId.Time64:
                kind = ((AT.Time64Type)type).Unit == AT.TimeUnit.Microsecond ? ColumnKind.Time64Micro : ColumnKind.Time64Nano;
                byteWidth = 8;
                return true;
            case AT.ArrowTypeId.Timestamp:
                kind = ((AT.TimestampType)type).Unit switch
                {
                    AT.TimeUnit.Second => ColumnKind.TimestampSecond,
                    AT.TimeUnit.Millisecond => ColumnKind.TimestampMilli,
                    AT.TimeUnit.Microsecond => ColumnKind.TimestampMicro,
                    _ => ColumnKind.TimestampNano,
                };
                byteWidth = 8;
                return true;
            case AT.ArrowTypeId.Decimal128: kind = ColumnKind.Decimal128; byteWidth = 16; return true;
            case AT.ArrowTypeId.FixedSizedBinary:
                kind = ColumnKind.FixedSizeBinary;
                byteWidth = ((AT.FixedSizeBinaryType)type).ByteWidth;
                return true;
            case AT.ArrowTypeId.String: kind = ColumnKind.Utf8; return true;
            case AT.ArrowTypeId.Binary: kind = ColumnKind.Binary; return true;
            default: kind = default; return false;
        }
    }

    public static ColumnKind Get(AT.IArrowType type, out int byteWidth) =>
        TryGet(type, out var kind, out byteWidth)
            ? kind
            : throw new NotSupportedException(
                $"The Arrow type {type.Name} is not supported in Fluss log batches yet; supported are the flat scalar types Fluss maps its columns to.");

    public static bool IsVariableWidth(this ColumnKind kind) => kind is ColumnKind.Utf8 or ColumnKind.Binary;

    /// <summary>Number of IPC buffers of a column: validity + data, plus offsets for variable-width columns.</summary>
    public static int BufferCount(this ColumnKind kind) => kind.IsVariableWidth() ? 3 : 2;
}
