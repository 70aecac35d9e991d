using System.Globalization;
using Fluss.Errors;

namespace Fluss.Config;

/// <summary>An alternative key an option is also read from when its own key is absent.</summary>
/// <param name="Key">The alternative key.</param>
/// <param name="IsDeprecated">True for an old name kept for compatibility; false for a deliberate fallback.</param>
public readonly record struct FallbackKey(string Key, bool IsDeprecated);

/// <summary>The untyped view of an option, for registries, documentation and validation of raw values.</summary>
public interface IConfigOption
{
    string Key { get; }

    string Description { get; }

    /// <summary>The CLR type of values (for options without a default, the nullable form).</summary>
    Type ValueType { get; }

    bool HasDefaultValue { get; }

    /// <summary>The default in the text form written to configuration files, or null when there is none.</summary>
    string? DefaultValueText { get; }

    IReadOnlyList<FallbackKey> FallbackKeys { get; }

    /// <summary>Parses and checks a raw value; throws <see cref="InvalidConfigException"/> naming the key and the rule.</summary>
    void ValidateRawValue(string rawValue);
}

/// <summary>
/// A typed configuration option: key, value type, default, description and fallback keys, plus how its text is
/// parsed and which rule its values must satisfy. Options without a default have a nullable value type
/// (<c>ConfigOption&lt;int?&gt;</c>, <c>ConfigOption&lt;string?&gt;</c>). Create options with the factory methods of
/// <see cref="ConfigOption"/>; the catalogue of Fluss's options is <see cref="ConfigOptions"/>.
/// </summary>
public sealed class ConfigOption<T> : IConfigOption
{
    private readonly Func<string, T> _parse;
    private readonly Func<T, string> _format;
    private readonly Func<T, string?>? _rule;
    private readonly bool _showParseDetail;

    internal ConfigOption(
        string key,
        T defaultValue,
        bool hasDefaultValue,
        string expectation,
        Func<string, T> parse,
        Func<T, string> format,
        Func<T, string?>? rule = null,
        string description = "",
        IReadOnlyList<FallbackKey>? fallbackKeys = null,
        bool showParseDetail = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Key = key;
        DefaultValue = defaultValue;
        HasDefaultValue = hasDefaultValue;
        Expectation = expectation;
        _parse = parse;
        _format = format;
        _rule = rule;
        Description = description;
        FallbackKeys = fallbackKeys ?? [];
        _showParseDetail = showParseDetail;
    }

    public string Key { get; }

    /// <summary>The default value (null/default for options without one).</summary>
    public T DefaultValue { get; }

    public bool HasDefaultValue { get; }

    public string Description { get; }

    public IReadOnlyList<FallbackKey> FallbackKeys { get; }

    /// <summary>What a valid text looks like, used in error messages (for example "an integer").</summary>
    public string Expectation { get; }

    public Type ValueType => typeof(T);

    public string? DefaultValueText => HasDefaultValue && DefaultValue is not null ? _format(DefaultValue) : null;

    /// <summary>A copy with a new description.</summary>
    public ConfigOption<T> WithDescription(string description) =>
        new(Key, DefaultValue, HasDefaultValue, Expectation, _parse, _format, _rule, description, FallbackKeys, _showParseDetail);

    /// <summary>A copy that is also read from these keys (tried before any deprecated keys).</summary>
    public ConfigOption<T> WithFallbackKeys(params string[] keys) =>
        new(Key, DefaultValue, HasDefaultValue, Expectation, _parse, _format, _rule, Description,
            [.. keys.Select(k => new FallbackKey(k, false)), .. FallbackKeys], _showParseDetail);

    /// <summary>A copy that is also read from these old keys (tried last).</summary>
    public ConfigOption<T> WithDeprecatedKeys(params string[] keys) =>
        new(Key, DefaultValue, HasDefaultValue, Expectation, _parse, _format, _rule, Description,
            [.. FallbackKeys, .. keys.Select(k => new FallbackKey(k, true))], _showParseDetail);

    /// <summary>
    /// A copy with an extra rule: <paramref name="rule"/> returns null for a valid value or the rule text
    /// (for example "must be between 1 and 22") for an invalid one.
    /// </summary>
    public ConfigOption<T> WithRule(Func<T, string?> rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var previous = _rule;
        Func<T, string?> combined = previous is null ? rule : v => previous(v) ?? rule(v);
        return new(Key, DefaultValue, HasDefaultValue, Expectation, _parse, _format, combined, Description, FallbackKeys, _showParseDetail);
    }

    /// <summary>Parses the text form of a value and checks the option's rule.</summary>
    /// <exception cref="InvalidConfigException">The text does not parse or breaks the rule; the message names the key.</exception>
    public T Parse(string rawValue)
    {
        ArgumentNullException.ThrowIfNull(rawValue);
        T value;
        try
        {
            value = _parse(rawValue);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            var detail = _showParseDetail ? e.Message : null;
            throw new InvalidConfigException(
                $"{Key} must be {Expectation}, got '{Shown(rawValue)}'" + (string.IsNullOrEmpty(detail) ? "." : $" ({Hide(detail, rawValue)})"));
        }

        Check(value, rawValue);
        return value;
    }

    /// <summary>Checks a typed value against the option's rule.</summary>
    public void Validate(T value)
    {
        if (value is not null)
            Check(value, _format(value));
    }

    /// <summary>The text form of a value, as Fluss writes it into configuration maps.</summary>
    public string Format(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _format(value);
    }

    void IConfigOption.ValidateRawValue(string rawValue) => Parse(rawValue);

    private void Check(T value, string rawValue)
    {
        var broken = _rule?.Invoke(value);
        if (broken is not null)
            throw new InvalidConfigException($"{Key} {broken}, got {Shown(rawValue)}");
    }

    private string Shown(string rawValue) => IsSensitive ? ConfigOption.HiddenValue : rawValue;

    private string Hide(string text, string rawValue) =>
        IsSensitive && rawValue.Length > 0 ? text.Replace(rawValue, ConfigOption.HiddenValue, StringComparison.Ordinal) : text;

    private bool IsSensitive => ConfigOption.IsSensitiveKey(Key);

    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "Key: '{0}', default: {1}", Key, DefaultValueText ?? "none");
}

/// <summary>Factory methods for <see cref="ConfigOption{T}"/>, one per value type, and common rules.</summary>
public static class ConfigOption
{
    /// <summary>What is shown instead of the value of secrets (passwords, tokens, keys).</summary>
    public const string HiddenValue = "******";

    private static readonly string[] SensitiveKeyParts =
    [
        "password", "secret", "fs.azure.account.key", "apikey", "api-key", "auth-params", "service-key", "token",
        "basic-auth", "jaas.config", "http-headers", "private.key", "private-key", "access.key", "access-key",
        "access_key", "accesskey",
    ];

    private static readonly HashSet<string> NonSensitiveKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "client.filesystem.security.token.renewal.backoff",
        "client.filesystem.security.token.renewal.time-ratio",
    };

    /// <summary>True when values of the key are secrets that messages and logs must not show.</summary>
    public static bool IsSensitiveKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (NonSensitiveKeys.Contains(key))
            return false;
        foreach (var part in SensitiveKeyParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }

    private const string IntExpectation = "an integer";
    private const string LongExpectation = "a 64-bit integer";
    private const string BoolExpectation = "true or false (case-insensitive)";
    private const string DoubleExpectation = "a number";
    private const string DurationExpectation = "a duration with a unit such as 500ms, 10s, 3min, 1h or 7d";
    private const string MemoryExpectation = "a memory size with a unit such as 4kb, 64mb or 1gb";

    public static ConfigOption<int> Int(string key, int defaultValue) =>
        new(key, defaultValue, true, IntExpectation, ParseInt, FormatInt);

    public static ConfigOption<int?> OptionalInt(string key) =>
        new(key, null, false, IntExpectation, s => ParseInt(s), v => FormatInt(v!.Value));

    public static ConfigOption<long> Long(string key, long defaultValue) =>
        new(key, defaultValue, true, LongExpectation, ParseLong, FormatLong);

    public static ConfigOption<bool> Bool(string key, bool defaultValue) =>
        new(key, defaultValue, true, BoolExpectation, ParseBool, FormatBool);

    public static ConfigOption<bool?> OptionalBool(string key) =>
        new(key, null, false, BoolExpectation, s => ParseBool(s), v => FormatBool(v!.Value));

    public static ConfigOption<double> Double(string key, double defaultValue) =>
        new(key, defaultValue, true, DoubleExpectation, ParseDouble, FormatDouble);

    public static ConfigOption<double?> OptionalDouble(string key) =>
        new(key, null, false, DoubleExpectation, s => ParseDouble(s), v => FormatDouble(v!.Value));

    public static ConfigOption<string> String(string key, string defaultValue) =>
        new(key, defaultValue, true, "a string", s => s, s => s);

    public static ConfigOption<string?> OptionalString(string key) =>
        new(key, null, false, "a string", s => s, s => s!);

    public static ConfigOption<TimeSpan> Duration(string key, TimeSpan defaultValue) =>
        new(key, defaultValue, true, DurationExpectation, FlussDuration.Parse, FlussDuration.Format, showParseDetail: true);

    public static ConfigOption<TimeSpan?> OptionalDuration(string key) =>
        new(key, null, false, DurationExpectation, s => FlussDuration.Parse(s), v => FlussDuration.Format(v!.Value), showParseDetail: true);

    public static ConfigOption<MemorySize> Memory(string key, MemorySize defaultValue) =>
        new(key, defaultValue, true, MemoryExpectation, MemorySize.Parse, v => v.ToString(), showParseDetail: true);

    public static ConfigOption<MemorySize> Memory(string key, string defaultValue) => Memory(key, MemorySize.Parse(defaultValue));

    public static ConfigOption<MemorySize?> OptionalMemory(string key) =>
        new(key, null, false, MemoryExpectation, s => MemorySize.Parse(s), v => v!.Value.ToString(), showParseDetail: true);

    public static ConfigOption<TEnum> Enum<TEnum>(string key, TEnum defaultValue) where TEnum : struct, System.Enum =>
        new(key, defaultValue, true, "one of " + FlussEnums.AllowedValues<TEnum>() + " (case-insensitive)", FlussEnums.Parse<TEnum>, FlussEnums.Name);

    public static ConfigOption<TEnum?> OptionalEnum<TEnum>(string key) where TEnum : struct, System.Enum =>
        new(key, null, false, "one of " + FlussEnums.AllowedValues<TEnum>() + " (case-insensitive)", s => FlussEnums.Parse<TEnum>(s), v => FlussEnums.Name(v!.Value));

    /// <summary>A comma-separated list of strings; items may be quoted with ' or " to contain commas.</summary>
    public static ConfigOption<IReadOnlyList<string>> StringList(string key, params string[] defaultValues) =>
        new(key, defaultValues, true, "a comma-separated list", s => OptionSplitter.Split(s, ','), OptionSplitter.JoinList, showParseDetail: true);

    public static ConfigOption<IReadOnlyList<string>?> OptionalStringList(string key) =>
        new(key, null, false, "a comma-separated list", s => OptionSplitter.Split(s, ','), v => OptionSplitter.JoinList(v!), showParseDetail: true);

    public static ConfigOption<IReadOnlyList<int>> IntList(string key, params int[] defaultValues) =>
        new(key, defaultValues, true, "a comma-separated list of integers",
            s => OptionSplitter.Split(s, ',').Select(ParseInt).ToArray(),
            v => OptionSplitter.JoinList(v.Select(FormatInt).ToArray()), showParseDetail: true);

    public static ConfigOption<IReadOnlyList<TEnum>> EnumList<TEnum>(string key, params TEnum[] defaultValues) where TEnum : struct, System.Enum =>
        new(key, defaultValues, true, "a comma-separated list of " + FlussEnums.AllowedValues<TEnum>(),
            s => OptionSplitter.Split(s, ',').Select(FlussEnums.Parse<TEnum>).ToArray(),
            v => OptionSplitter.JoinList(v.Select(FlussEnums.Name).ToArray()), showParseDetail: true);

    /// <summary>A map written as <c>k1:v1,k2:v2</c> (items and parts may be quoted).</summary>
    public static ConfigOption<IReadOnlyDictionary<string, string>> Map(string key) =>
        new(key, new Dictionary<string, string>(), true, "a comma-separated list of key:value pairs", OptionSplitter.ParseMap, OptionSplitter.JoinMap, showParseDetail: true);

    public static ConfigOption<IReadOnlyDictionary<string, string>?> OptionalMap(string key) =>
        new(key, null, false, "a comma-separated list of key:value pairs", s => OptionSplitter.ParseMap(s), v => OptionSplitter.JoinMap(v!), showParseDetail: true);

    /// <summary>Rule: min &lt;= value &lt;= max.</summary>
    public static ConfigOption<int> WithRange(this ConfigOption<int> option, int min, int max) =>
        option.WithRule(v => v < min || v > max ? Fmt("must be between {0} and {1}", min, max) : null);

    /// <summary>Rule: min &lt;= value &lt;= max when set.</summary>
    public static ConfigOption<int?> WithRange(this ConfigOption<int?> option, int min, int max) =>
        option.WithRule(v => v is { } x && (x < min || x > max) ? Fmt("must be between {0} and {1}", min, max) : null);

    public static ConfigOption<int> WithMin(this ConfigOption<int> option, int min) =>
        option.WithRule(v => v < min ? Fmt("must be at least {0}", min) : null);

    public static ConfigOption<int?> WithMin(this ConfigOption<int?> option, int min) =>
        option.WithRule(v => v is { } x && x < min ? Fmt("must be at least {0}", min) : null);

    public static ConfigOption<long> WithMin(this ConfigOption<long> option, long min) =>
        option.WithRule(v => v < min ? Fmt("must be at least {0}", min) : null);

    public static ConfigOption<TimeSpan> WithMin(this ConfigOption<TimeSpan> option, TimeSpan min) =>
        option.WithRule(v => v < min ? "must be at least " + FlussDuration.Format(min) : null);

    public static ConfigOption<MemorySize> WithMax(this ConfigOption<MemorySize> option, MemorySize max) =>
        option.WithRule(v => v > max ? $"must be at most {max}" : null);

    /// <summary>Rule: min &lt; value &lt;= max (a ratio such as (0.0, 1.0]).</summary>
    public static ConfigOption<double> WithExclusiveMinRange(this ConfigOption<double> option, double exclusiveMin, double max) =>
        option.WithRule(v => !(v > exclusiveMin && v <= max) ? Fmt("must be within ({0}, {1}]", exclusiveMin, max) : null);

    /// <summary>Rule: the value is one of the given strings (case-insensitive).</summary>
    public static ConfigOption<string> WithAllowed(this ConfigOption<string> option, params string[] allowed) =>
        option.WithRule(v => allowed.Contains(v, StringComparer.OrdinalIgnoreCase) ? null : "must be one of [" + string.Join(", ", allowed) + "]");

    private static string Fmt(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static long ParseLong(string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static double ParseDouble(string s) =>
        double.Parse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool ParseBool(string s) => s.ToUpperInvariant() switch
    {
        "TRUE" => true,
        "FALSE" => false,
        _ => throw new FormatException($"'{s}' is neither true nor false."),
    };

    private static string FormatInt(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string FormatLong(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string FormatBool(bool v) => v ? "true" : "false";

    private static string FormatDouble(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
