using Fluss.Types;

namespace Fluss.DuckDB;

/// <summary>
/// The DuckDB type of each Fluss type: BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE, VARCHAR
/// (CHAR/STRING), BLOB (BINARY/BYTES), DECIMAL(p, s), DATE, TIME, TIMESTAMP (TIMESTAMP(p), microseconds) and
/// TIMESTAMPTZ (TIMESTAMP_LTZ(p), microseconds, shown in UTC).
/// </summary>
internal static class DuckTypes
{
    /// <summary>The largest decimal precision that .NET's <see cref="decimal"/> always holds.</summary>
    public const int MaxClrDecimalPrecision = 28;

    /// <summary>The DuckDB SQL type of a Fluss column.</summary>
    /// <exception cref="NotSupportedException">Nested types (ARRAY, MAP, ROW), which SQL does not support yet.</exception>
    public static string SqlType(DataType type) => type switch
    {
        BooleanType => "BOOLEAN",
        TinyIntType => "TINYINT",
        SmallIntType => "SMALLINT",
        IntType => "INTEGER",
        BigIntType => "BIGINT",
        FloatType => "FLOAT",
        DoubleType => "DOUBLE",
        CharType or StringType => "VARCHAR",
        BinaryType or BytesType => "BLOB",
        DecimalType d => $"DECIMAL({d.Precision}, {d.Scale})",
        DateType => "DATE",
        TimeType => "TIME",
        TimestampType => "TIMESTAMP",
        LocalZonedTimestampType => "TIMESTAMPTZ",
        _ => throw new NotSupportedException($"Columns of type {type.ToSummaryString()} cannot be queried with SQL yet; only scalar types are supported."),
    };

    /// <summary>
    /// The type a tail column is stored with in DuckDB: <see cref="SqlType"/>, except decimals wider than .NET's
    /// <see cref="decimal"/>, which are appended as text and cast back in the view.
    /// </summary>
    public static string StorageType(DataType type) =>
        type is DecimalType { Precision: > MaxClrDecimalPrecision } ? "VARCHAR" : SqlType(type);

    /// <summary>Whether a stored tail column needs a cast to become <see cref="SqlType"/>.</summary>
    public static bool NeedsCastFromStorage(DataType type) => type is DecimalType { Precision: > MaxClrDecimalPrecision };

    /// <summary>
    /// Whether DuckDB reads the column from a Paimon Parquet file with a type other than <see cref="SqlType"/>, so
    /// that the lake side needs a cast: timestamps of precision 7 to 9 are INT96 in Parquet, which DuckDB reads as
    /// TIMESTAMP without a time zone.
    /// </summary>
    public static bool NeedsCastFromParquet(DataType type) => type is LocalZonedTimestampType { Precision: > 6 };
}
