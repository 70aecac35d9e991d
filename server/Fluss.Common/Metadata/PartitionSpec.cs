using Fluss.Errors;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>A partition given as partition key -> value, in any order.</summary>
public sealed class PartitionSpec : IEquatable<PartitionSpec>
{
    public PartitionSpec(IReadOnlyDictionary<string, string> spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = new Dictionary<string, string>(spec, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, string> Spec { get; }

    public bool Equals(PartitionSpec? other) =>
        other is not null && other.Spec.Count == Spec.Count && Spec.All(kv => other.Spec.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override bool Equals(object? obj) => obj is PartitionSpec p && Equals(p);

    public override int GetHashCode() => Spec.Count;

    public override string ToString() => "PartitionSpec{" + string.Join(", ", Spec.Select(kv => kv.Key + "=" + kv.Value)) + "}";
}

/// <summary>
/// A partition resolved against a table's partition keys: values in key order. Its name is the values joined with
/// <c>$</c> (<c>2024$us</c>); its qualified name is <c>dt=2024/region=us</c>.
/// </summary>
public sealed class ResolvedPartitionSpec : IEquatable<ResolvedPartitionSpec>
{
    /// <summary>Separator of partition values in a partition name.</summary>
    public const char Separator = '$';

    public ResolvedPartitionSpec(IReadOnlyList<string> partitionKeys, IReadOnlyList<string> partitionValues)
    {
        ArgumentNullException.ThrowIfNull(partitionKeys);
        ArgumentNullException.ThrowIfNull(partitionValues);
        if (partitionKeys.Count != partitionValues.Count)
            throw new ArgumentException(
                $"The number of partition keys ({partitionKeys.Count}) and partition values ({partitionValues.Count}) must be the same.");
        PartitionKeys = [.. partitionKeys];
        PartitionValues = [.. partitionValues];
    }

    public IReadOnlyList<string> PartitionKeys { get; }

    public IReadOnlyList<string> PartitionValues { get; }

    /// <summary>The values joined with '$', for example <c>20240101$us</c>.</summary>
    public string PartitionName => string.Join(Separator, PartitionValues);

    /// <summary><c>key=value</c> pairs joined with '/', for example <c>dt=20240101/region=us</c>.</summary>
    public string QualifiedName => string.Join('/', PartitionKeys.Select((k, i) => k + "=" + PartitionValues[i]));

    /// <summary>Orders the spec's values by the table's partition keys; a missing key is an error naming it.</summary>
    public static ResolvedPartitionSpec FromPartitionSpec(IReadOnlyList<string> partitionKeys, PartitionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(partitionKeys);
        ArgumentNullException.ThrowIfNull(spec);
        var values = new string[partitionKeys.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!spec.Spec.TryGetValue(partitionKeys[i], out var v))
                throw FlussException.Create(FlussErrorCode.PartitionSpecInvalid, $"{spec} does not contain partition key '{partitionKeys[i]}'.");
            values[i] = v;
        }

        return new ResolvedPartitionSpec(partitionKeys, values);
    }

    public static ResolvedPartitionSpec FromPartitionValue(string partitionKey, string partitionValue) => new([partitionKey], [partitionValue]);

    /// <summary>Splits a partition name (values joined with '$') for the given keys.</summary>
    public static ResolvedPartitionSpec FromPartitionName(IReadOnlyList<string> partitionKeys, string partitionName)
    {
        ArgumentNullException.ThrowIfNull(partitionName);
        return new ResolvedPartitionSpec(partitionKeys, partitionName.Split(Separator));
    }

    /// <summary>Parses <c>k1=v1/k2=v2</c>.</summary>
    public static ResolvedPartitionSpec FromQualifiedName(string qualifiedName)
    {
        ArgumentNullException.ThrowIfNull(qualifiedName);
        var keys = new List<string>();
        var values = new List<string>();
        foreach (var pair in qualifiedName.Split('/'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
                throw new FormatException($"Invalid partition name format: expected key=value, got '{pair}'.");
            keys.Add(pair[..eq]);
            values.Add(pair[(eq + 1)..]);
        }

        return new ResolvedPartitionSpec(keys, values);
    }

    public PartitionSpec ToPartitionSpec()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < PartitionKeys.Count; i++)
            map[PartitionKeys[i]] = PartitionValues[i];
        return new PartitionSpec(map);
    }

    /// <summary>True when this partition matches <paramref name="other"/> on all of the other's keys.</summary>
    public bool Contains(ResolvedPartitionSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < other.PartitionKeys.Count; i++)
        {
            var index = IndexOfKey(other.PartitionKeys[i]);
            if (index < 0)
                throw FlussException.Create(FlussErrorCode.PartitionSpecInvalid, $"The table has no partition key '{other.PartitionKeys[i]}'.");
            if (PartitionValues[index] != other.PartitionValues[i])
                return false;
        }

        return true;
    }

    private int IndexOfKey(string key)
    {
        for (var i = 0; i < PartitionKeys.Count; i++)
        {
            if (PartitionKeys[i] == key)
                return i;
        }

        return -1;
    }

    public bool Equals(ResolvedPartitionSpec? other) =>
        other is not null && PartitionKeys.SequenceEqual(other.PartitionKeys) && PartitionValues.SequenceEqual(other.PartitionValues);

    public override bool Equals(object? obj) => obj is ResolvedPartitionSpec r && Equals(r);

    public override int GetHashCode() => HashCode.Combine(PartitionName, PartitionKeys.Count);

    public override string ToString() => QualifiedName;
}

/// <summary>Fluss's rules for partitions: which key types may partition a table and which values are valid.</summary>
public static class PartitionRules
{
    /// <summary>Types a partition key may have (everything scalar except DECIMAL).</summary>
    public static IReadOnlyList<DataTypeRoot> SupportedKeyTypes { get; } =
    [
        DataTypeRoot.Char, DataTypeRoot.String, DataTypeRoot.Boolean, DataTypeRoot.Binary, DataTypeRoot.Bytes,
        DataTypeRoot.TinyInt, DataTypeRoot.SmallInt, DataTypeRoot.Int, DataTypeRoot.Date, DataTypeRoot.Time,
        DataTypeRoot.BigInt, DataTypeRoot.Float, DataTypeRoot.Double, DataTypeRoot.Timestamp, DataTypeRoot.TimestampLtz,
    ];

    /// <summary>
    /// Checks that a spec names exactly the table's partition keys and that every value is a valid name (and, when
    /// creating, does not start with the reserved "__"). Throws PARTITION_SPEC_INVALID (43).
    /// </summary>
    public static void ValidatePartitionSpec(TablePath tablePath, IReadOnlyList<string> partitionKeys, PartitionSpec spec, bool isCreate)
    {
        ArgumentNullException.ThrowIfNull(tablePath);
        ArgumentNullException.ThrowIfNull(partitionKeys);
        ArgumentNullException.ThrowIfNull(spec);
        if (partitionKeys.Count != spec.Spec.Count)
            throw FlussException.Create(FlussErrorCode.PartitionSpecInvalid,
                $"{spec} has {spec.Spec.Count} values but the partitioned table {tablePath} has {partitionKeys.Count} partition keys [{string.Join(", ", partitionKeys)}].");
        var values = new List<string>(partitionKeys.Count);
        foreach (var key in partitionKeys)
        {
            if (!spec.Spec.TryGetValue(key, out var v))
                throw FlussException.Create(FlussErrorCode.PartitionSpecInvalid, $"{spec} does not contain partition key '{key}' of partitioned table {tablePath}.");
            values.Add(v);
        }

        ValidatePartitionValues(values, isCreate);
    }

    /// <summary>Checks partition values; throws PARTITION_SPEC_INVALID (43) naming the first bad value.</summary>
    public static void ValidatePartitionValues(IEnumerable<string> values, bool isCreate)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            var reason = TablePath.DetectInvalidName(value) ?? (isCreate ? TablePath.DetectReservedPrefix(value) : null);
            if (reason is not null)
                throw FlussException.Create(FlussErrorCode.PartitionSpecInvalid, $"The partition value {value} is invalid: {reason}");
        }
    }
}
