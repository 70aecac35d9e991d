namespace Fluss.Bucketing;

/// <summary>Maps encoded bucket-key bytes to a bucket in <c>[0, numBuckets)</c>.</summary>
public interface IBucketingFunction
{
    /// <exception cref="ArgumentException">The key is empty (where the function forbids it) or <paramref name="numBuckets"/> is not positive.</exception>
    int Bucket(ReadOnlySpan<byte> key, int numBuckets);
}

/// <summary>
/// Fluss's own bucketing, for tables without a data lake format (or with Lance):
/// <c>MurmurHashInt(HashBytes(key)) % numBuckets</c>.
/// </summary>
public sealed class FlussBucketingFunction : IBucketingFunction
{
    public static readonly FlussBucketingFunction Instance = new();

    public int Bucket(ReadOnlySpan<byte> key, int numBuckets)
    {
        if (key.IsEmpty) throw new ArgumentException("Assigned key must not be empty!", nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numBuckets);
        return MurmurHash.MurmurHashInt(MurmurHash.HashBytes(key)) % numBuckets;
    }
}

/// <summary>
/// Paimon's default bucketing, for tables whose data lake format is Paimon: <c>|HashBytes(key) % numBuckets|</c>
/// over the BinaryRow key bytes (no arity prefix), which is what Paimon computes for the same key.
/// </summary>
public sealed class PaimonBucketingFunction : IBucketingFunction
{
    public static readonly PaimonBucketingFunction Instance = new();

    public int Bucket(ReadOnlySpan<byte> key, int numBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numBuckets);
        return Math.Abs(MurmurHash.HashBytes(key) % numBuckets);
    }
}

/// <summary>Chooses the bucketing function and key encoders of a table from its data lake format.</summary>
public static class BucketingFunctions
{
    /// <summary>
    /// The bucketing function for a <c>table.datalake.format</c> value: none (null, empty, "none") or "lance" use
    /// Fluss's function, "paimon" Paimon's. Case-insensitive.
    /// </summary>
    /// <exception cref="NotSupportedException">The format is "iceberg" or "hudi" (not supported yet) or unknown.</exception>
    public static IBucketingFunction For(string? dataLakeFormat) => Normalize(dataLakeFormat) switch
    {
        LakeFormat.None or LakeFormat.Lance => FlussBucketingFunction.Instance,
        LakeFormat.Paimon => PaimonBucketingFunction.Instance,
        _ => throw Unsupported(dataLakeFormat),
    };

    internal enum LakeFormat
    {
        None,
        Paimon,
        Lance,
        Iceberg,
        Hudi,
        Unknown,
    }

    internal static LakeFormat Normalize(string? dataLakeFormat) => dataLakeFormat?.Trim().ToLowerInvariant() switch
    {
        null or "" or "none" => LakeFormat.None,
        "paimon" => LakeFormat.Paimon,
        "lance" => LakeFormat.Lance,
        "iceberg" => LakeFormat.Iceberg,
        "hudi" => LakeFormat.Hudi,
        _ => LakeFormat.Unknown,
    };

    internal static NotSupportedException Unsupported(string? dataLakeFormat) =>
        Normalize(dataLakeFormat) is LakeFormat.Iceberg or LakeFormat.Hudi
            ? new NotSupportedException(
                $"Data lake format '{dataLakeFormat}' is not supported yet: its bucketing and key encoding are not implemented. Supported formats: paimon, lance, or none.")
            : new NotSupportedException($"Unknown data lake format '{dataLakeFormat}'. Supported formats: paimon, lance, or none.");
}
