using Fluss.Config;
using Fluss.Errors;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>
/// A created table as the cluster knows it: path, id, schema id and the resolved descriptor (bucket count and keys
/// filled in), plus creation and modification times (epoch milliseconds).
/// </summary>
public sealed class TableInfo
{
    /// <summary>Table id of tables not known to the cluster.</summary>
    public const long UnknownTableId = -1L;

    public TableInfo(
        TablePath tablePath,
        long tableId,
        int schemaId,
        Schema schema,
        IReadOnlyList<string> bucketKeys,
        IReadOnlyList<string> partitionKeys,
        int numBuckets,
        IReadOnlyDictionary<string, string> properties,
        IReadOnlyDictionary<string, string> customProperties,
        string? remoteDataDir,
        string? comment,
        long createdTime,
        long modifiedTime)
    {
        ArgumentNullException.ThrowIfNull(tablePath);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(bucketKeys);
        ArgumentNullException.ThrowIfNull(partitionKeys);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(customProperties);
        TablePath = tablePath;
        TableId = tableId;
        SchemaId = schemaId;
        Schema = schema;
        BucketKeys = [.. bucketKeys];
        PartitionKeys = [.. partitionKeys];
        NumBuckets = numBuckets;
        Properties = new OrderedDictionary<string, string>(properties, StringComparer.Ordinal);
        CustomProperties = new OrderedDictionary<string, string>(customProperties, StringComparer.Ordinal);
        TableConfig = TableConfig.FromProperties(Properties);
        RemoteDataDir = remoteDataDir;
        Comment = comment;
        CreatedTime = createdTime;
        ModifiedTime = modifiedTime;
        PhysicalPrimaryKeys = schema.PrimaryKeyColumnNames.Where(k => !PartitionKeys.Contains(k)).ToArray();
    }

    /// <summary>Creates the info of a table from its descriptor; the descriptor must have a bucket count.</summary>
    public static TableInfo Of(TablePath tablePath, long tableId, int schemaId, TableDescriptor descriptor, string? remoteDataDir, long createdTime, long modifiedTime)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var buckets = descriptor.BucketCount ?? throw new InvalidTableException($"Table {tablePath} has no bucket count; it is required for the table info.");
        return new TableInfo(tablePath, tableId, schemaId, descriptor.Schema, descriptor.BucketKeys, descriptor.PartitionKeys, buckets,
            descriptor.Properties, descriptor.CustomProperties, remoteDataDir, descriptor.Comment, createdTime, modifiedTime);
    }

    public TablePath TablePath { get; }

    public long TableId { get; }

    public int SchemaId { get; }

    public Schema Schema { get; }

    public RowType RowType => Schema.RowType;

    public IReadOnlyList<string> PrimaryKeys => Schema.PrimaryKeyColumnNames;

    /// <summary>The primary key without the partition keys: the key within one partition.</summary>
    public IReadOnlyList<string> PhysicalPrimaryKeys { get; }

    public IReadOnlyList<string> BucketKeys { get; }

    public IReadOnlyList<string> PartitionKeys { get; }

    public int NumBuckets { get; }

    public IReadOnlyDictionary<string, string> Properties { get; }

    public TableConfig TableConfig { get; }

    public IReadOnlyDictionary<string, string> CustomProperties { get; }

    public string? RemoteDataDir { get; }

    public string? Comment { get; }

    public long CreatedTime { get; }

    public long ModifiedTime { get; }

    public bool HasPrimaryKey => Schema.PrimaryKey is not null;

    public bool HasBucketKey => BucketKeys.Count > 0;

    public bool IsPartitioned => PartitionKeys.Count > 0;

    public bool IsAutoPartitioned => IsPartitioned && TableConfig.AutoPartition.IsEnabled;

    public bool IsDefaultBucketKey => HasPrimaryKey ? BucketKeys.SequenceEqual(PhysicalPrimaryKeys) : BucketKeys.Count == 0;

    public TableDescriptor ToTableDescriptor() =>
        TableDescriptor.NewBuilder()
            .Schema(Schema)
            .PartitionedBy(PartitionKeys)
            .DistributedBy(NumBuckets, BucketKeys)
            .Properties(Properties)
            .CustomProperties(CustomProperties)
            .Comment(Comment)
            .Build();

    public override string ToString() =>
        $"TableInfo{{tablePath={TablePath}, tableId={TableId}, schemaId={SchemaId}, schema={Schema}, bucketKeys=[{string.Join(", ", BucketKeys)}], " +
        $"partitionKeys=[{string.Join(", ", PartitionKeys)}], numBuckets={NumBuckets}, comment='{Comment}', createdTime={CreatedTime}, modifiedTime={ModifiedTime}}}";
}
