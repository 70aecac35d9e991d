using System.Globalization;

namespace Fluss.Types;

/// <summary>
/// A Fluss logical data type. Instances are immutable; equality covers the root, parameters and nullability.
/// <see cref="ToString"/> gives the serializable form that <see cref="DataTypeParser"/> reads back
/// (for example <c>DECIMAL(15, 2) NOT NULL</c>).
/// </summary>
public abstract class DataType : IEquatable<DataType>
{
    protected DataType(bool isNullable, DataTypeRoot root)
    {
        IsNullable = isNullable;
        Root = root;
    }

    public bool IsNullable { get; }

    public DataTypeRoot Root { get; }

    /// <summary>Returns this type with the given nullability.</summary>
    public abstract DataType Copy(bool isNullable);

    /// <summary>Returns this type as nullable or as NOT NULL.</summary>
    public DataType AsNullable() => IsNullable ? this : Copy(true);

    public DataType AsNotNull() => IsNullable ? Copy(false) : this;

    /// <summary>The type's SQL-like text without the nullability suffix.</summary>
    protected abstract string Body { get; }

    /// <summary>The short form used in messages (TIMESTAMP_LTZ(p) instead of the long serializable form).</summary>
    public virtual string ToSummaryString() => WithNullability(Body);

    public override string ToString() => WithNullability(Body);

    protected string WithNullability(string body) => IsNullable ? body : body + " NOT NULL";

    /// <summary>Children of nested types (element, key/value, fields); empty for scalars.</summary>
    public virtual IReadOnlyList<DataType> Children => Array.Empty<DataType>();

    public bool IsScalar => Root is not (DataTypeRoot.Array or DataTypeRoot.Map or DataTypeRoot.Row);

    public virtual bool Equals(DataType? other) =>
        other is not null && other.GetType() == GetType() && other.IsNullable == IsNullable && other.ToString() == ToString();

    public override bool Equals(object? obj) => obj is DataType t && Equals(t);

    public override int GetHashCode() => HashCode.Combine(Root, ToString());

    public static bool operator ==(DataType? a, DataType? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DataType? a, DataType? b) => !(a == b);

    internal static string Fmt(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}

public sealed class BooleanType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.Boolean)
{
    public override DataType Copy(bool isNullable) => new BooleanType(isNullable);
    protected override string Body => "BOOLEAN";
}

public sealed class TinyIntType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.TinyInt)
{
    public override DataType Copy(bool isNullable) => new TinyIntType(isNullable);
    protected override string Body => "TINYINT";
}

public sealed class SmallIntType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.SmallInt)
{
    public override DataType Copy(bool isNullable) => new SmallIntType(isNullable);
    protected override string Body => "SMALLINT";
}

public sealed class IntType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.Int)
{
    public override DataType Copy(bool isNullable) => new IntType(isNullable);
    protected override string Body => "INT";
}

public sealed class BigIntType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.BigInt)
{
    public override DataType Copy(bool isNullable) => new BigIntType(isNullable);
    protected override string Body => "BIGINT";
}

public sealed class FloatType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.Float)
{
    public override DataType Copy(bool isNullable) => new FloatType(isNullable);
    protected override string Body => "FLOAT";
}

public sealed class DoubleType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.Double)
{
    public override DataType Copy(bool isNullable) => new DoubleType(isNullable);
    protected override string Body => "DOUBLE";
}

/// <summary>Variable-length character string (VARCHAR of maximum length); values are UTF-8.</summary>
public sealed class StringType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.String)
{
    public override DataType Copy(bool isNullable) => new StringType(isNullable);
    protected override string Body => "STRING";
}

/// <summary>Fixed-length character string CHAR(n), 1 &lt;= n.</summary>
public sealed class CharType : DataType
{
    public CharType(int length, bool isNullable = true) : base(isNullable, DataTypeRoot.Char)
    {
        if (length < 1)
            throw new ArgumentOutOfRangeException(nameof(length), length, "CHAR length must be between 1 and 2147483647 (both inclusive).");
        Length = length;
    }

    public int Length { get; }
    public override DataType Copy(bool isNullable) => new CharType(Length, isNullable);
    protected override string Body => Fmt("CHAR({0})", Length);
}

/// <summary>Fixed-length binary string BINARY(n), 1 &lt;= n.</summary>
public sealed class BinaryType : DataType
{
    public BinaryType(int length, bool isNullable = true) : base(isNullable, DataTypeRoot.Binary)
    {
        if (length < 1)
            throw new ArgumentOutOfRangeException(nameof(length), length, "BINARY length must be between 1 and 2147483647 (both inclusive).");
        Length = length;
    }

    public int Length { get; }
    public override DataType Copy(bool isNullable) => new BinaryType(Length, isNullable);
    protected override string Body => Fmt("BINARY({0})", Length);
}

/// <summary>Variable-length binary string.</summary>
public sealed class BytesType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.Bytes)
{
    public override DataType Copy(bool isNullable) => new BytesType(isNullable);
    protected override string Body => "BYTES";
}

/// <summary>DECIMAL(p, s) with 1 &lt;= p &lt;= 38 and 0 &lt;= s &lt;= p.</summary>
public sealed class DecimalType : DataType
{
    public const int MinPrecision = 1;
    public const int MaxPrecision = 38;
    public const int DefaultPrecision = 10;
    public const int DefaultScale = 0;

    /// <summary>Decimals up to this precision are stored compactly as an unscaled 64-bit integer.</summary>
    public const int MaxCompactPrecision = 18;

    public DecimalType(int precision = DefaultPrecision, int scale = DefaultScale, bool isNullable = true) : base(isNullable, DataTypeRoot.Decimal)
    {
        if (precision is < MinPrecision or > MaxPrecision)
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"DECIMAL precision must be between {MinPrecision} and {MaxPrecision} (both inclusive).");
        if (scale < 0 || scale > precision)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"DECIMAL scale must be between 0 and the precision {precision} (both inclusive).");
        Precision = precision;
        Scale = scale;
    }

    public int Precision { get; }
    public int Scale { get; }
    public bool IsCompact => Precision <= MaxCompactPrecision;
    public override DataType Copy(bool isNullable) => new DecimalType(Precision, Scale, isNullable);
    protected override string Body => Fmt("DECIMAL({0}, {1})", Precision, Scale);
}

/// <summary>A date: days since 1970-01-01.</summary>
public sealed class DateType(bool isNullable = true) : DataType(isNullable, DataTypeRoot.Date)
{
    public override DataType Copy(bool isNullable) => new DateType(isNullable);
    protected override string Body => "DATE";
}

/// <summary>TIME(p), 0 &lt;= p &lt;= 9; values are milliseconds of the day.</summary>
public sealed class TimeType : DataType
{
    public const int MinPrecision = 0;
    public const int MaxPrecision = 9;
    public const int DefaultPrecision = 0;

    public TimeType(int precision = DefaultPrecision, bool isNullable = true) : base(isNullable, DataTypeRoot.Time)
    {
        if (precision is < MinPrecision or > MaxPrecision)
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "TIME precision must be between 0 and 9 (both inclusive).");
        Precision = precision;
    }

    public int Precision { get; }
    public override DataType Copy(bool isNullable) => new TimeType(Precision, isNullable);
    protected override string Body => Fmt("TIME({0})", Precision);
}

/// <summary>TIMESTAMP(p) without time zone, 0 &lt;= p &lt;= 9, default 6.</summary>
public sealed class TimestampType : DataType
{
    public const int MinPrecision = 0;
    public const int MaxPrecision = 9;
    public const int DefaultPrecision = 6;

    /// <summary>Timestamps up to this precision are stored as epoch milliseconds only.</summary>
    public const int MaxCompactPrecision = 3;

    public TimestampType(int precision = DefaultPrecision, bool isNullable = true) : base(isNullable, DataTypeRoot.Timestamp)
    {
        if (precision is < MinPrecision or > MaxPrecision)
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "TIMESTAMP precision must be between 0 and 9 (both inclusive).");
        Precision = precision;
    }

    public int Precision { get; }
    public bool IsCompact => Precision <= MaxCompactPrecision;
    public override DataType Copy(bool isNullable) => new TimestampType(Precision, isNullable);
    protected override string Body => Fmt("TIMESTAMP({0})", Precision);
}

/// <summary>TIMESTAMP(p) WITH LOCAL TIME ZONE (TIMESTAMP_LTZ(p)): an instant, 0 &lt;= p &lt;= 9, default 6.</summary>
public sealed class LocalZonedTimestampType : DataType
{
    public LocalZonedTimestampType(int precision = TimestampType.DefaultPrecision, bool isNullable = true) : base(isNullable, DataTypeRoot.TimestampLtz)
    {
        if (precision is < TimestampType.MinPrecision or > TimestampType.MaxPrecision)
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "TIMESTAMP_LTZ precision must be between 0 and 9 (both inclusive).");
        Precision = precision;
    }

    public int Precision { get; }
    public bool IsCompact => Precision <= TimestampType.MaxCompactPrecision;
    public override DataType Copy(bool isNullable) => new LocalZonedTimestampType(Precision, isNullable);
    protected override string Body => Fmt("TIMESTAMP({0}) WITH LOCAL TIME ZONE", Precision);
    public override string ToSummaryString() => WithNullability(Fmt("TIMESTAMP_LTZ({0})", Precision));
}

/// <summary>ARRAY&lt;T&gt;.</summary>
public sealed class ArrayType(DataType elementType, bool isNullable = true) : DataType(isNullable, DataTypeRoot.Array)
{
    public DataType ElementType { get; } = elementType ?? throw new ArgumentNullException(nameof(elementType));
    public override IReadOnlyList<DataType> Children => [ElementType];
    public override DataType Copy(bool isNullable) => new ArrayType(ElementType, isNullable);
    protected override string Body => Fmt("ARRAY<{0}>", ElementType);
}

/// <summary>MAP&lt;K, V&gt;; keys are never null.</summary>
public sealed class MapType : DataType
{
    public MapType(DataType keyType, DataType valueType, bool isNullable = true) : base(isNullable, DataTypeRoot.Map)
    {
        KeyType = (keyType ?? throw new ArgumentNullException(nameof(keyType))).AsNotNull();
        ValueType = valueType ?? throw new ArgumentNullException(nameof(valueType));
    }

    public DataType KeyType { get; }
    public DataType ValueType { get; }
    public override IReadOnlyList<DataType> Children => [KeyType, ValueType];
    public override DataType Copy(bool isNullable) => new MapType(KeyType, ValueType, isNullable);
    protected override string Body => Fmt("MAP<{0}, {1}>", KeyType, ValueType);
}

/// <summary>A named field of a <see cref="RowType"/>, with a stable field id (-1 when not assigned).</summary>
public sealed record DataField(string Name, DataType Type, int FieldId = -1, string? Description = null)
{
    public override string ToString() => $"`{Name.Replace("`", "``", StringComparison.Ordinal)}` {Type}";
}

/// <summary>ROW&lt;name type, ...&gt;: the type of a whole record, also used as the type of a table's rows.</summary>
public sealed class RowType : DataType
{
    private readonly Dictionary<string, int> _indexByName;

    public RowType(IReadOnlyList<DataField> fields, bool isNullable = true) : base(isNullable, DataTypeRoot.Row)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = fields;
        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            if (!_indexByName.TryAdd(fields[i].Name, i))
                throw new ArgumentException($"Field names must be unique; '{fields[i].Name}' appears more than once.", nameof(fields));
        }
    }

    public static RowType Of(params DataType[] types) =>
        new(types.Select((t, i) => new DataField("f" + i.ToString(CultureInfo.InvariantCulture), t, i)).ToArray());

    public static RowType Of(params (string Name, DataType Type)[] fields) =>
        new(fields.Select((f, i) => new DataField(f.Name, f.Type, i)).ToArray());

    public IReadOnlyList<DataField> Fields { get; }
    public int FieldCount => Fields.Count;
    public IEnumerable<string> FieldNames => Fields.Select(f => f.Name);
    public DataType GetTypeAt(int index) => Fields[index].Type;
    public override IReadOnlyList<DataType> Children => Fields.Select(f => f.Type).ToArray();

    /// <summary>Index of the field with this exact name, or -1.</summary>
    public int IndexOf(string name) => _indexByName.TryGetValue(name, out var i) ? i : -1;

    /// <summary>A row type with only the given field indexes, in that order.</summary>
    public RowType Project(IReadOnlyList<int> indexes) => new(indexes.Select(i => Fields[i]).ToArray(), IsNullable);

    public override DataType Copy(bool isNullable) => new RowType(Fields, isNullable);
    protected override string Body => "ROW<" + string.Join(", ", Fields.Select(f => f.ToString())) + ">";
}
