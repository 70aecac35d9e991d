using System.Globalization;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Client.Writer;

/// <summary>
/// Checks a row against a table's row type before it is buffered: the field count, NOT NULL columns, and that every
/// value has the internal representation of its column type (for <see cref="GenericRow"/> by the boxed value's CLR
/// type, for other rows by reading the field with its type's getter). Errors are <see cref="ArgumentException"/>s
/// naming the column.
/// </summary>
internal sealed class RowValidator
{
    private readonly RowType _rowType;
    private readonly string _table;
    private readonly Getter[] _getters;

    public RowValidator(RowType rowType, string table)
    {
        _rowType = rowType;
        _table = table;
        _getters = rowType.Fields.Select(f => GetterOf(f.Type)).ToArray();
        foreach (var field in rowType.Fields)
        {
            if (!field.Type.IsScalar)
                throw new NotSupportedException(
                    $"Table {table} has the nested column '{field.Name}' ({field.Type}); writing ARRAY, MAP and ROW columns is not supported yet.");
        }
    }

    /// <summary>Checks every column of <paramref name="row"/>.</summary>
    /// <exception cref="ArgumentException">What is wrong with which column.</exception>
    public void Validate(IRow row)
    {
        CheckFieldCount(row);
        var generic = row as GenericRow;
        for (var i = 0; i < _rowType.FieldCount; i++) ValidateColumn(row, generic, i);
    }

    /// <summary>Checks the field count and only the columns at <paramref name="columns"/> (the others are not read).</summary>
    /// <exception cref="ArgumentException">What is wrong with which column.</exception>
    public void Validate(IRow row, IReadOnlyList<int> columns)
    {
        CheckFieldCount(row);
        var generic = row as GenericRow;
        foreach (var i in columns) ValidateColumn(row, generic, i);
    }

    private void CheckFieldCount(IRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.FieldCount != _rowType.FieldCount)
            throw new ArgumentException(
                $"The row has {row.FieldCount} fields but table {_table} has {_rowType.FieldCount} columns ({string.Join(", ", _rowType.FieldNames)}).", nameof(row));
    }

    private void ValidateColumn(IRow row, GenericRow? generic, int i)
    {
        var field = _rowType.Fields[i];
        if (row.IsNullAt(i))
        {
            if (!field.Type.IsNullable)
                throw new ArgumentException($"Column '{field.Name}' of table {_table} is {field.Type} but the row has no value (null) for it.", nameof(row));
            return;
        }
        if (generic is not null)
        {
            var value = generic[i]!;
            if (!Fits(field.Type, value))
                throw new ArgumentException(
                    $"Column '{field.Name}' of table {_table} is {field.Type} and needs a {ExpectedClrType(field.Type)} value, but the row has a {value.GetType().Name} ({Describe(value)}).",
                    nameof(row));
            return;
        }
        try
        {
            Probe(row, i, _getters[i], field.Type);
        }
        catch (Exception e) when (e is InvalidCastException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"Column '{field.Name}' of table {_table} is {field.Type}, but reading it from the row failed: {e.Message}", nameof(row), e);
        }
    }

    /// <summary>The getter that reads a column's internal value, decided once per column rather than per value.</summary>
    private enum Getter : byte
    {
        None,
        Boolean,
        Byte,
        Short,
        Int,
        Long,
        Float,
        Double,
        String,
        Binary,
        Decimal,
        TimestampNtz,
        TimestampLtz,
    }

    private static Getter GetterOf(DataType type) => type switch
    {
        BooleanType => Getter.Boolean,
        TinyIntType => Getter.Byte,
        SmallIntType => Getter.Short,
        IntType or DateType or TimeType => Getter.Int,
        BigIntType => Getter.Long,
        FloatType => Getter.Float,
        DoubleType => Getter.Double,
        CharType or StringType => Getter.String,
        BinaryType or BytesType => Getter.Binary,
        DecimalType => Getter.Decimal,
        TimestampType => Getter.TimestampNtz,
        LocalZonedTimestampType => Getter.TimestampLtz,
        _ => Getter.None,
    };

    /// <summary>Reads a field with its type's getter (no boxing), so a wrong representation throws here.</summary>
    private static void Probe(IRow row, int pos, Getter getter, DataType type)
    {
        switch (getter)
        {
            case Getter.Boolean: _ = row.GetBoolean(pos); break;
            case Getter.Byte: _ = row.GetByte(pos); break;
            case Getter.Short: _ = row.GetShort(pos); break;
            case Getter.Int: _ = row.GetInt(pos); break;
            case Getter.Long: _ = row.GetLong(pos); break;
            case Getter.Float: _ = row.GetFloat(pos); break;
            case Getter.Double: _ = row.GetDouble(pos); break;
            case Getter.String: _ = row.GetString(pos) ?? throw new InvalidOperationException("The string value is null but the field is not null."); break;
            case Getter.Binary: _ = row.GetBinary(pos) ?? throw new InvalidOperationException("The bytes value is null but the field is not null."); break;
            case Getter.Decimal:
                var d = (DecimalType)type;
                _ = row.GetDecimal(pos, d.Precision, d.Scale);
                break;
            case Getter.TimestampNtz: _ = row.GetTimestampNtz(pos, ((TimestampType)type).Precision); break;
            case Getter.TimestampLtz: _ = row.GetTimestampLtz(pos, ((LocalZonedTimestampType)type).Precision); break;
        }
    }

    /// <summary>Whether a boxed value is the internal representation of <paramref name="type"/>.</summary>
    internal static bool Fits(DataType type, object value) => type switch
    {
        BooleanType => value is bool,
        TinyIntType => value is sbyte,
        SmallIntType => value is short,
        IntType or DateType or TimeType => value is int,
        BigIntType => value is long,
        FloatType => value is float,
        DoubleType => value is double,
        CharType or StringType => value is string,
        BinaryType or BytesType => value is byte[],
        DecimalType => value is FlussDecimal,
        TimestampType => value is TimestampNtz,
        LocalZonedTimestampType => value is TimestampLtz,
        _ => false,
    };

    internal static string ExpectedClrType(DataType type) => type switch
    {
        BooleanType => "bool",
        TinyIntType => "sbyte",
        SmallIntType => "short",
        IntType => "int",
        DateType => "int (days since 1970-01-01)",
        TimeType => "int (milliseconds of the day)",
        BigIntType => "long",
        FloatType => "float",
        DoubleType => "double",
        CharType or StringType => "string",
        BinaryType or BytesType => "byte[]",
        DecimalType => "FlussDecimal",
        TimestampType => "TimestampNtz",
        LocalZonedTimestampType => "TimestampLtz",
        _ => type.ToString(),
    };

    private static string Describe(object value)
    {
        var text = value is byte[] b ? "0x" + Convert.ToHexString(b) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        return text.Length <= 64 ? text : text[..61] + "...";
    }
}
