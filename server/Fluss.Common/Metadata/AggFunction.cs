using System.Runtime.Serialization;
using Fluss.Config;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>Aggregate functions of the AGGREGATION merge engine; names as Fluss writes them in JSON.</summary>
public enum AggFunctionType
{
    [EnumMember(Value = "sum")]
    Sum,

    [EnumMember(Value = "product")]
    Product,

    [EnumMember(Value = "max")]
    Max,

    [EnumMember(Value = "min")]
    Min,

    [EnumMember(Value = "last_value")]
    LastValue,

    [EnumMember(Value = "last_value_ignore_nulls")]
    LastValueIgnoreNulls,

    [EnumMember(Value = "first_value")]
    FirstValue,

    [EnumMember(Value = "first_value_ignore_nulls")]
    FirstValueIgnoreNulls,

    [EnumMember(Value = "listagg")]
    ListAgg,

    [EnumMember(Value = "string_agg")]
    StringAgg,

    [EnumMember(Value = "bool_and")]
    BoolAnd,

    [EnumMember(Value = "bool_or")]
    BoolOr,

    [EnumMember(Value = "rbm32")]
    Rbm32,

    [EnumMember(Value = "rbm64")]
    Rbm64,
}

/// <summary>An aggregate function of a column (type plus parameters such as <c>delimiter</c> for LISTAGG).</summary>
public sealed class AggFunction : IEquatable<AggFunction>
{
    /// <summary>The LISTAGG / STRING_AGG delimiter parameter.</summary>
    public const string DelimiterParameter = "delimiter";

    private static readonly DataTypeRoot[] NumericRoots =
        [DataTypeRoot.TinyInt, DataTypeRoot.SmallInt, DataTypeRoot.Int, DataTypeRoot.BigInt, DataTypeRoot.Float, DataTypeRoot.Double, DataTypeRoot.Decimal];

    private static readonly DataTypeRoot[] MaxMinRoots =
    [
        DataTypeRoot.Char, DataTypeRoot.String, DataTypeRoot.TinyInt, DataTypeRoot.SmallInt, DataTypeRoot.Int, DataTypeRoot.BigInt,
        DataTypeRoot.Float, DataTypeRoot.Double, DataTypeRoot.Decimal, DataTypeRoot.Date, DataTypeRoot.Time, DataTypeRoot.Timestamp,
        DataTypeRoot.TimestampLtz,
    ];

    public AggFunction(AggFunctionType type, IReadOnlyDictionary<string, string>? parameters = null)
    {
        Type = type;
        Parameters = parameters is null || parameters.Count == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(parameters, StringComparer.Ordinal);
    }

    public AggFunctionType Type { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool HasParameters => Parameters.Count > 0;

    /// <summary>Fluss's name of the function type (<c>sum</c>, <c>last_value_ignore_nulls</c>, ...).</summary>
    public string TypeName => FlussEnums.Name(Type);

    public static AggFunction ListAgg(string? delimiter = null) => WithDelimiter(AggFunctionType.ListAgg, delimiter);

    public static AggFunction StringAgg(string? delimiter = null) => WithDelimiter(AggFunctionType.StringAgg, delimiter);

    private static AggFunction WithDelimiter(AggFunctionType type, string? delimiter) =>
        new(type, delimiter is null ? null : new Dictionary<string, string> { [DelimiterParameter] = delimiter });

    /// <summary>Parses a type name as Fluss does: case-insensitive, '-' and '_' interchangeable; null when unknown.</summary>
    public static AggFunctionType? ParseType(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return null;
        return FlussEnums.TryParse<AggFunctionType>(name.Trim().Replace('-', '_'), out var t) ? t : null;
    }

    /// <summary>The parameters this function accepts.</summary>
    public IReadOnlyCollection<string> SupportedParameters =>
        Type is AggFunctionType.ListAgg or AggFunctionType.StringAgg ? [DelimiterParameter] : [];

    /// <summary>The column types this function accepts (every type for the value-selection functions).</summary>
    public IReadOnlyList<DataTypeRoot> SupportedTypeRoots => Type switch
    {
        AggFunctionType.BoolAnd or AggFunctionType.BoolOr => [DataTypeRoot.Boolean],
        AggFunctionType.Rbm32 or AggFunctionType.Rbm64 => [DataTypeRoot.Bytes],
        AggFunctionType.ListAgg or AggFunctionType.StringAgg => [DataTypeRoot.String, DataTypeRoot.Char],
        AggFunctionType.Sum or AggFunctionType.Product => NumericRoots,
        AggFunctionType.Max or AggFunctionType.Min => MaxMinRoots,
        _ => Enum.GetValues<DataTypeRoot>(),
    };

    /// <summary>Checks the parameters; throws <see cref="ArgumentException"/> naming the bad parameter.</summary>
    public void ValidateParameters()
    {
        foreach (var (name, value) in Parameters)
        {
            if (!SupportedParameters.Contains(name))
            {
                var supported = SupportedParameters.Count == 0 ? "none" : string.Join(", ", SupportedParameters);
                throw new ArgumentException($"Parameter '{name}' is not supported by aggregate function '{TypeName}'; supported parameters: {supported}.");
            }

            if (name == DelimiterParameter && string.IsNullOrEmpty(value))
                throw new ArgumentException($"Parameter '{name}' of aggregate function '{TypeName}' must be a non-empty string.");
        }
    }

    /// <summary>Checks that the function applies to the column type; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void ValidateDataType(DataType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!SupportedTypeRoots.Contains(type.Root))
            throw new ArgumentException(
                $"Aggregate function '{TypeName}' does not support type {type}; the column must be of one of {DataTypeRoots.FormatList(SupportedTypeRoots)}.");
    }

    public bool Equals(AggFunction? other) =>
        other is not null && other.Type == Type && other.Parameters.Count == Parameters.Count
        && Parameters.All(kv => other.Parameters.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override bool Equals(object? obj) => obj is AggFunction a && Equals(a);

    public override int GetHashCode() => HashCode.Combine(Type, Parameters.Count);

    public override string ToString() =>
        HasParameters ? TypeName + "{" + string.Join(", ", Parameters.Select(kv => kv.Key + "=" + kv.Value)) + "}" : TypeName;
}
