using System.Text.Json;
using Fluss.Coordinator.Store;
using Fluss.Metadata;

namespace Fluss.Coordinator.Lake;

/// <summary>
/// The log end offsets a lake snapshot holds, per bucket: the next log offset of each bucket that is not in the lake.
/// Stored as Fluss's lake offsets file (its TableBucketOffsetsJsonSerde, version 1):
/// <c>{"version":1,"table_id":5,"bucket_offsets":[100,-1,300]}</c> where the array index is the bucket id and -1
/// marks a bucket without an offset, or <c>{"version":1,"table_id":6,"partition_offsets":[{"partition_id":1,
/// "bucket_offsets":[100,200]}, ...]}</c> for partitioned tables; no offsets at all give <c>{"version":1,"table_id":1}</c>.
/// </summary>
internal sealed record TableBucketOffsets(long TableId, IReadOnlyDictionary<TableBucket, long> Offsets)
{
    private const string What = "Lake offsets file";
    private const int Version = 1;
    private const long UnknownOffset = -1;

    /// <summary>The offsets of a non-partitioned table by bucket id.</summary>
    public static TableBucketOffsets Of(long tableId, IEnumerable<KeyValuePair<int, long>> offsets) =>
        new(tableId, offsets.ToDictionary(kv => new TableBucket(tableId, kv.Key), kv => kv.Value));

    /// <summary>These offsets overlaid with <paramref name="newer"/>: buckets in both take the newer offset.</summary>
    public TableBucketOffsets MergedWith(TableBucketOffsets newer)
    {
        var merged = new Dictionary<TableBucket, long>();
        foreach (var (bucket, offset) in Offsets)
            merged[bucket with { TableId = newer.TableId }] = offset;
        foreach (var (bucket, offset) in newer.Offsets)
            merged[bucket] = offset;
        return new TableBucketOffsets(newer.TableId, merged);
    }

    public byte[] ToJson()
    {
        foreach (var bucket in Offsets.Keys)
        {
            if (bucket.TableId != TableId)
                throw new InvalidOperationException($"All buckets must have the table id {TableId}, but bucket {bucket} has {bucket.TableId}.");
        }
        var plain = Offsets.Where(kv => kv.Key.PartitionId is null).ToList();
        var partitioned = Offsets.Where(kv => kv.Key.PartitionId is not null).ToList();
        if (plain.Count > 0 && partitioned.Count > 0)
            throw new InvalidOperationException($"The offsets of table {TableId} mix partitioned and non-partitioned buckets.");
        return JsonNodes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteNumber("table_id", TableId);
            if (plain.Count > 0)
            {
                w.WriteStartArray("bucket_offsets");
                WriteBuckets(w, plain);
                w.WriteEndArray();
            }
            else if (partitioned.Count > 0)
            {
                w.WriteStartArray("partition_offsets");
                foreach (var group in partitioned.GroupBy(kv => kv.Key.PartitionId!.Value).OrderBy(g => g.Key))
                {
                    w.WriteStartObject();
                    w.WriteNumber("partition_id", group.Key);
                    w.WriteStartArray("bucket_offsets");
                    WriteBuckets(w, [.. group]);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    /// <exception cref="InvalidDataException">Not a version 1 offsets file (the message says what is wrong).</exception>
    public static TableBucketOffsets FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node =>
    {
        var version = JsonNodes.Int(node, "version", What);
        if (version != Version)
            throw new InvalidDataException($"{What} has version {version}; only version {Version} is supported.");
        var tableId = JsonNodes.Long(node, "table_id", What);
        var offsets = new Dictionary<TableBucket, long>();
        var hasBuckets = JsonNodes.TryGet(node, "bucket_offsets", out var buckets);
        var hasPartitions = JsonNodes.TryGet(node, "partition_offsets", out var partitions);
        if (hasBuckets && hasPartitions)
            throw new InvalidDataException($"{What} has both 'bucket_offsets' and 'partition_offsets'.");
        if (hasBuckets)
        {
            ReadBuckets(buckets, tableId, null, offsets);
        }
        else if (hasPartitions)
        {
            if (partitions.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{What} field 'partition_offsets' must be an array.");
            foreach (var partition in partitions.EnumerateArray())
            {
                var partitionId = JsonNodes.Long(partition, "partition_id", What);
                ReadBuckets(JsonNodes.Required(partition, "bucket_offsets", What), tableId, partitionId, offsets);
            }
        }
        return new TableBucketOffsets(tableId, offsets);
    });

    private static void WriteBuckets(Utf8JsonWriter w, List<KeyValuePair<TableBucket, long>> buckets)
    {
        var next = 0;
        foreach (var (bucket, offset) in buckets.OrderBy(kv => kv.Key.Bucket))
        {
            for (; next < bucket.Bucket; next++) w.WriteNumberValue(UnknownOffset);
            w.WriteNumberValue(offset);
            next++;
        }
    }

    private static void ReadBuckets(JsonElement array, long tableId, long? partitionId, Dictionary<TableBucket, long> into)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{What} field 'bucket_offsets' must be an array of offsets.");
        var bucket = 0;
        foreach (var value in array.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var offset))
                throw new InvalidDataException($"{What} field 'bucket_offsets' must hold integers, got {value}.");
            if (offset != UnknownOffset) into[new TableBucket(tableId, partitionId, bucket)] = offset;
            bucket++;
        }
    }
}
