namespace Fluss.Types;

/// <summary>The root of a Fluss data type, independent of parameters and nullability.</summary>
public enum DataTypeRoot
{
    Char,
    String,
    Boolean,
    Binary,
    Bytes,
    Decimal,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Date,
    Time,
    Timestamp,
    TimestampLtz,
    Array,
    Map,
    Row,
}
