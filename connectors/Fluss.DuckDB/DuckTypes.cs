using Fluss.Types;

namespace Fluss.DuckDB;

/// <summary>
/// The DuckDB type of each Fluss type: BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE, VARCHAR
/// (CHAR/STRING), BLOB (BINARY/BYTES), DECIMAL(p, s), DATE, TIME, TIMESTAMP (TIMESTAMP(p), microseconds) and
/// TIMESTAMPTZ (TIMESTAMP_LTZ(p), microseconds, shown in UTC).
/// </summary>
internal static class DuckTypes
{
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
    /// Whether DuckDB reads the column from a Paimon Parquet file with a type other than <see cref="SqlType"/>, so
    /// that the lake side needs a cast: timestamps of precision 7 to 9 are INT96 in Parquet, which DuckDB reads as
    /// TIMESTAMP without a time zone.
    /// </summary>
    public static bool NeedsCastFromParquet(DataType type) => type is LocalZonedTimestampType { Precision: > 6 };
}
