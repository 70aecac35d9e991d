using System.Globalization;
using System.Text.Json;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>Bucket count (null until the server fills in its default) and bucket keys of a table.</summary>
public sealed class TableDistribution : IEquatable<TableDistribution>
{
    public TableDistribution(int? bucketCount, IReadOnlyList<string> bucketKeys)
    {
        ArgumentNullException.ThrowIfNull(bucketKeys);
        BucketCount = bucketCount;
        BucketKeys = [.. bucketKeys];
    }

    public int? BucketCount { get; }

    public IReadOnlyList<string> BucketKeys { get; }

    public bool Equals(TableDistribution? other) => other is not null && other.BucketCount == BucketCount && other.BucketKeys.SequenceEqual(BucketKeys);

    public override bool Equals(object? obj) => obj is TableDistribution d && Equals(d);

    public override int GetHashCode() => HashCode.Combine(BucketCount, BucketKeys.Count);

    public override string ToString() => $"{{bucketKeys=[{string.Join(", ", BucketKeys)}] bucketCount={BucketCount?.ToString(CultureInfo.InvariantCulture) ?? "null"}}}";
}

/// <summary>
/// Everything needed to create a table: schema, comment, partition keys, distribution (bucket count and bucket
/// keys), <c>properties</c> (Fluss <c>table.*</c> options) and <c>custom_properties</c> (anything else). Construction
/// applies Fluss's rules: a primary-key table without bucket keys is bucketed by its primary key minus the partition
/// keys; bucket keys must not contain partition keys and, for primary-key tables, must be primary-key columns;
/// partition keys of a primary-key table must be primary-key columns. Violations throw
/// <see cref="InvalidTableException"/> naming the columns. Option values are checked by
/// <see cref="TableDescriptorValidation"/>, not here (a newer server may know more options).
/// </summary>
public sealed class TableDescriptor : IEquatable<TableDescriptor>
{
    /// <summary>System column names that user tables may not use.</summary>
    public const string OffsetColumnName = "__offset";
    public const string TimestampColumnName = "__timestamp";
    public const string BucketColumnName = "__bucket";
    public const string ChangeTypeColumn = "_change_type";
    public const string LogOffsetColumn = "_log_offset";
    public const string CommitTimestampColumn = "_commit_timestamp";

    private TableDescriptor(
        Schema schema,
        string? comment,
        IReadOnlyList<string> partitionKeys,
        TableDistribution? distribution,
        IEnumerable<KeyValuePair<string, string>> properties,
        IEnumerable<KeyValuePair<string, string>> customProperties)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(partitionKeys);
        Schema = schema;
        Comment = comment;
        PartitionKeys = [.. partitionKeys];
        Properties = Copy(properties, "properties");
        CustomProperties = Copy(customProperties, "custom properties");
        Distribution = NormalizeDistribution(schema, PartitionKeys, distribution);

        var pk = schema.PrimaryKeyColumnNames;
        foreach (var p in PartitionKeys)
        {
            if (schema.PrimaryKey is not null)
            {
                if (!pk.Contains(p))
                    throw new InvalidTableException(
                        $"Partition key '{p}' of a primary-key table must be a primary key column; the partition keys are {List(PartitionKeys)} and the primary key is {List(pk)}.");
            }
            else if (schema.IndexOf(p) < 0)
            {
                throw new InvalidTableException($"Partition key '{p}' does not exist in the schema; the columns are {List(schema.ColumnNames)}.");
            }
        }

        if (Distribution is not null)
        {
            foreach (var b in Distribution.BucketKeys)
            {
                if (schema.IndexOf(b) < 0)
                    throw new InvalidTableException($"Bucket key '{b}' does not exist in the schema; the columns are {List(schema.ColumnNames)}.");
            }
        }
    }

    public Schema Schema { get; }

    public string? Comment { get; }

    public IReadOnlyList<string> PartitionKeys { get; }

    /// <summary>Bucket count and keys; null for a log table created without any distribution.</summary>
    public TableDistribution? Distribution { get; }

    /// <summary>Fluss table options (<c>table.*</c>), in insertion order.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>Other properties (connector options, lake options, user tags), in insertion order.</summary>
    public IReadOnlyDictionary<string, string> CustomProperties { get; }

    public IReadOnlyList<string> BucketKeys => Distribution?.BucketKeys ?? [];

    public int? BucketCount => Distribution?.BucketCount;

    public bool IsPartitioned => PartitionKeys.Count > 0;

    public bool HasPrimaryKey => Schema.PrimaryKey is not null;

    /// <summary>True when the bucket keys are the default: primary key minus partition keys, or none for log tables.</summary>
    public bool IsDefaultBucketKey =>
        HasPrimaryKey ? BucketKeys.SequenceEqual(DefaultBucketKeys(Schema, PartitionKeys)) : BucketKeys.Count == 0;

    /// <summary>The <c>table.replication.factor</c> property; throws <see cref="InvalidConfigException"/> when unset or invalid.</summary>
    public int ReplicationFactor =>
        TableConfig.ReplicationFactor ?? throw new InvalidConfigException($"{ConfigOptions.TableReplicationFactor.Key} is not set.");

    /// <summary>A typed view over <see cref="Properties"/>.</summary>
    public TableConfig TableConfig => TableConfig.FromProperties(Properties);

    public static Builder NewBuilder() => new();

    /// <summary>A builder that starts from this descriptor's values.</summary>
    public static Builder NewBuilder(TableDescriptor origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var b = new Builder()
            .Schema(origin.Schema)
            .Comment(origin.Comment)
            .PartitionedBy(origin.PartitionKeys)
            .Properties(origin.Properties)
            .CustomProperties(origin.CustomProperties);
        if (origin.Distribution is not null)
            b.DistributedBy(origin.Distribution.BucketCount, origin.Distribution.BucketKeys);
        return b;
    }

    public TableDescriptor WithProperties(IEnumerable<KeyValuePair<string, string>> properties) =>
        new(Schema, Comment, PartitionKeys, Distribution, properties, CustomProperties);

    public TableDescriptor WithProperties(IEnumerable<KeyValuePair<string, string>> properties, IEnumerable<KeyValuePair<string, string>> customProperties) =>
        new(Schema, Comment, PartitionKeys, Distribution, properties, customProperties);

    public TableDescriptor WithReplicationFactor(int replicationFactor) =>
        WithProperty(ConfigOptions.TableReplicationFactor.Key, replicationFactor.ToString(CultureInfo.InvariantCulture));

    public TableDescriptor WithDataLakeFormat(DataLakeFormat format) =>
        WithProperty(ConfigOptions.TableDataLakeFormat.Key, FlussEnums.Name(format));

    public TableDescriptor WithStandbyReplicaEnabled(bool enabled) =>
        WithProperty(ConfigOptions.TableKvStandbyReplicaEnabled.Key, enabled ? "true" : "false");

    public TableDescriptor WithBucketCount(int bucketCount) =>
        new(Schema, Comment, PartitionKeys, new TableDistribution(bucketCount, BucketKeys), Properties, CustomProperties);

    private TableDescriptor WithProperty(string key, string value)
    {
        var props = new OrderedDictionary<string, string>(Properties, StringComparer.Ordinal) { [key] = value };
        return WithProperties(props);
    }

    /// <summary>Fluss's table descriptor JSON v1 (<c>version, schema, comment, partition_key, bucket_key, bucket_count, properties, custom_properties</c>).</summary>
    public string ToJson() => JsonSupport.Write(w => MetadataJson.WriteTableDescriptor(w, this));

    public byte[] ToJsonBytes() => JsonSupport.WriteBytes(w => MetadataJson.WriteTableDescriptor(w, this));

    /// <summary>Reads the JSON form; <see cref="JsonException"/> for malformed JSON, <see cref="InvalidTableException"/> for an invalid table.</summary>
    public static TableDescriptor FromJson(string json) => JsonSupport.Read(json, "Table descriptor", MetadataJson.ReadTableDescriptor);

    public static TableDescriptor FromJson(ReadOnlySpan<byte> utf8Json) => JsonSupport.Read(utf8Json, "Table descriptor", MetadataJson.ReadTableDescriptor);

    public bool Equals(TableDescriptor? other) =>
        other is not null && Schema.Equals(other.Schema) && Comment == other.Comment && PartitionKeys.SequenceEqual(other.PartitionKeys)
        && Equals(Distribution, other.Distribution) && SameEntries(Properties, other.Properties) && SameEntries(CustomProperties, other.CustomProperties);

    public override bool Equals(object? obj) => obj is TableDescriptor d && Equals(d);

    public override int GetHashCode() => HashCode.Combine(Schema, Comment, PartitionKeys.Count, Distribution);

    public override string ToString() =>
        $"TableDescriptor{{schema={Schema}, comment='{Comment}', partitionKeys={List(PartitionKeys)}, tableDistribution={Distribution}, " +
        $"properties={Map(Properties)}, customProperties={Map(CustomProperties)}}}";

    /// <summary>The default bucket keys of a primary-key table: the primary key without the partition keys.</summary>
    public static IReadOnlyList<string> DefaultBucketKeys(Schema schema, IReadOnlyList<string> partitionKeys)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(partitionKeys);
        if (schema.PrimaryKey is null)
            throw new InvalidTableException("Default bucket keys need a primary key.");
        var keys = schema.PrimaryKeyColumnNames.Where(k => !partitionKeys.Contains(k)).ToArray();
        if (keys.Length == 0)
            throw new InvalidTableException(
                $"The primary key {List(schema.PrimaryKeyColumnNames)} must not consist of partition keys only (partition keys {List(partitionKeys)}); add a column that is not a partition key to the primary key.");
        return keys;
    }

    internal static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    internal static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    private static string Map(IReadOnlyDictionary<string, string> map) => "{" + string.Join(", ", map.Select(kv => kv.Key + "=" + kv.Value)) + "}";

    private static OrderedDictionary<string, string> Copy(IEnumerable<KeyValuePair<string, string>> entries, string what)
    {
        ArgumentNullException.ThrowIfNull(entries, what);
        var copy = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in entries)
        {
            if (k is null || v is null)
                throw new ArgumentException($"Table {what} cannot have null keys or values.");
            copy[k] = v;
        }

        return copy;
    }

    private static TableDistribution? NormalizeDistribution(Schema schema, IReadOnlyList<string> partitionKeys, TableDistribution? origin)
    {
        if (origin is null)
            return schema.PrimaryKey is null ? null : new TableDistribution(null, DefaultBucketKeys(schema, partitionKeys));

        var bucketKeys = origin.BucketKeys;
        var inPartition = bucketKeys.FirstOrDefault(partitionKeys.Contains);
        if (inPartition is not null)
            throw new InvalidTableException(
                $"Bucket key '{inPartition}' is also a partition key; bucket keys {List(bucketKeys)} must not include any of the partition keys {List(partitionKeys)}.");

        if (schema.PrimaryKey is null)
            return origin;
        if (bucketKeys.Count == 0)
            return new TableDistribution(origin.BucketCount, DefaultBucketKeys(schema, partitionKeys));

        var pk = schema.PrimaryKeyColumnNames;
        var notInPk = bucketKeys.FirstOrDefault(k => !pk.Contains(k));
        if (notInPk is not null)
            throw new InvalidTableException(
                $"Bucket key '{notInPk}' is not a primary key column; bucket keys must be a subset of the primary key without partition keys for primary-key tables. " +
                $"The primary key is {List(pk)}, the partition keys are {List(partitionKeys)}, the bucket keys are {List(bucketKeys)}.");
        return origin;
    }

    /// <summary>Collects the parts of a table descriptor; <see cref="Build"/> validates them.</summary>
    public sealed class Builder
    {
        private readonly OrderedDictionary<string, string> _properties = new(StringComparer.Ordinal);
        private readonly OrderedDictionary<string, string> _customProperties = new(StringComparer.Ordinal);
        private readonly List<string> _partitionKeys = [];
        private Schema? _schema;
        private string? _comment;
        private TableDistribution? _distribution;

        internal Builder() { }

        public Builder Schema(Schema schema)
        {
            ArgumentNullException.ThrowIfNull(schema);
            _schema = schema;
            return this;
        }

        public Builder Comment(string? comment)
        {
            _comment = comment;
            return this;
        }

        public Builder PartitionedBy(params string[] partitionKeys) => PartitionedBy((IEnumerable<string>)partitionKeys);

        public Builder PartitionedBy(IEnumerable<string> partitionKeys)
        {
            ArgumentNullException.ThrowIfNull(partitionKeys);
            var keys = partitionKeys.ToList();
            _partitionKeys.Clear();
            _partitionKeys.AddRange(keys);
            return this;
        }

        /// <summary>Sets the bucket count and bucket keys (none: default bucket keys for primary-key tables, none for log tables).</summary>
        public Builder DistributedBy(int bucketCount, params string[] bucketKeys) => DistributedBy((int?)bucketCount, bucketKeys);

        public Builder DistributedBy(int? bucketCount, IEnumerable<string> bucketKeys)
        {
            ArgumentNullException.ThrowIfNull(bucketKeys);
            _distribution = new TableDistribution(bucketCount, bucketKeys.ToList());
            return this;
        }

        public Builder Property(string key, string value)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            _properties[key] = value;
            return this;
        }

        /// <summary>Sets a typed option in Fluss's text form (for example <c>table.log.ttl</c> = <c>604800000 ms</c>).</summary>
        public Builder Property<T>(ConfigOption<T> option, T value)
        {
            ArgumentNullException.ThrowIfNull(option);
            ArgumentNullException.ThrowIfNull(value);
            option.Validate(value);
            _properties[option.Key] = option.Format(value);
            return this;
        }

        public Builder Properties(IEnumerable<KeyValuePair<string, string>> properties)
        {
            ArgumentNullException.ThrowIfNull(properties);
            foreach (var (k, v) in properties)
                Property(k, v);
            return this;
        }

        public Builder LogFormat(LogFormat format) => Property(ConfigOptions.TableLogFormat, format);

        public Builder KvFormat(KvFormat format) => Property(ConfigOptions.TableKvFormat, format);

        public Builder CustomProperty(string key, string value)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            _customProperties[key] = value;
            return this;
        }

        public Builder CustomProperties(IEnumerable<KeyValuePair<string, string>> properties)
        {
            ArgumentNullException.ThrowIfNull(properties);
            foreach (var (k, v) in properties)
                CustomProperty(k, v);
            return this;
        }

        public TableDescriptor Build() =>
            new(_schema ?? throw new InvalidTableException("A table descriptor needs a schema."), _comment, _partitionKeys, _distribution, _properties, _customProperties);
    }
}
