using Fluss.Rows.Compacted;
using Fluss.Rows.Paimon;
using Fluss.Types;

namespace Fluss.Bucketing;

/// <summary>Chooses key encoders as Fluss does, from the table's data lake format and KV format version.</summary>
public static class KeyEncoders
{
    /// <summary>
    /// The encoder of bucket keys: Paimon BinaryRow for "paimon", otherwise (none, "lance") the compacted key encoding.
    /// </summary>
    /// <exception cref="NotSupportedException">The format is "iceberg", "hudi" or unknown.</exception>
    public static IKeyEncoder ForBucketKey(RowType rowType, IReadOnlyList<string> bucketKeys, string? dataLakeFormat) =>
        BucketingFunctions.Normalize(dataLakeFormat) switch
        {
            BucketingFunctions.LakeFormat.None or BucketingFunctions.LakeFormat.Lance => new CompactedKeyEncoder(rowType, bucketKeys),
            BucketingFunctions.LakeFormat.Paimon => new PaimonKeyEncoder(rowType, bucketKeys),
            _ => throw BucketingFunctions.Unsupported(dataLakeFormat),
        };

    /// <summary>
    /// The encoder of primary keys (the KV store's keys). KV format version 1 uses the lake's key encoding; version 2
    /// uses it only when the bucket key is the default one (the primary key minus partition keys), so the primary-key
    /// bytes double as bucket-key bytes, and the compacted encoding otherwise. Hudi tables always use the compacted one.
    /// </summary>
    public static IKeyEncoder ForPrimaryKey(RowType rowType, IReadOnlyList<string> primaryKeys, string? dataLakeFormat, int kvFormatVersion, bool isDefaultBucketKey)
    {
        if (BucketingFunctions.Normalize(dataLakeFormat) == BucketingFunctions.LakeFormat.Hudi)
            return new CompactedKeyEncoder(rowType, primaryKeys);
        return kvFormatVersion switch
        {
            1 => ForBucketKey(rowType, primaryKeys, dataLakeFormat),
            2 => isDefaultBucketKey ? ForBucketKey(rowType, primaryKeys, dataLakeFormat) : new CompactedKeyEncoder(rowType, primaryKeys),
            _ => throw new NotSupportedException($"Unsupported kv format version: {kvFormatVersion}. Known versions: 1, 2."),
        };
    }
}
