using Fluss.Config;
using Fluss.Errors;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>
/// The checks Fluss runs when a table is created, after the coordinator filled in bucket count and replication
/// factor: known and valid <c>table.*</c> properties, distribution, key column types (no ARRAY, MAP or ROW in
/// primary or bucket keys), log format, merge engine, delete behaviour, tiered log, partitioning, reserved column
/// names, statistics columns and the lake format. Errors are <see cref="InvalidTableException"/>,
/// <see cref="InvalidConfigException"/> or BUCKET_MAX_NUM (49), each naming the column or key.
/// </summary>
public static class TableDescriptorValidation
{
    /// <summary>Types a primary-key or bucket-key column may not have.</summary>
    public static IReadOnlyList<DataTypeRoot> KeyUnsupportedTypes { get; } = [DataTypeRoot.Array, DataTypeRoot.Map, DataTypeRoot.Row];

    /// <summary>Column names reserved for system and virtual-table columns.</summary>
    public static IReadOnlyList<string> SystemColumns { get; } =
    [
        TableDescriptor.OffsetColumnName, TableDescriptor.TimestampColumnName, TableDescriptor.BucketColumnName,
        TableDescriptor.ChangeTypeColumn, TableDescriptor.LogOffsetColumn, TableDescriptor.CommitTimestampColumn,
    ];

    private static readonly DataTypeRoot[] VersionColumnTypes = [DataTypeRoot.Int, DataTypeRoot.BigInt, DataTypeRoot.Timestamp, DataTypeRoot.TimestampLtz];

    private static readonly DataTypeRoot[] StatisticsTypes =
    [
        DataTypeRoot.Boolean, DataTypeRoot.TinyInt, DataTypeRoot.SmallInt, DataTypeRoot.Int, DataTypeRoot.BigInt, DataTypeRoot.Float,
        DataTypeRoot.Double, DataTypeRoot.String, DataTypeRoot.Char, DataTypeRoot.Decimal, DataTypeRoot.Date, DataTypeRoot.Time,
        DataTypeRoot.Timestamp, DataTypeRoot.TimestampLtz,
    ];

    /// <summary>Validates a table to be created.</summary>
    /// <param name="descriptor">The descriptor with bucket count and replication factor filled in.</param>
    /// <param name="maxBucketNum">The cluster's <c>max.bucket.num</c>.</param>
    /// <param name="clusterDataLakeFormat">The cluster's <c>datalake.format</c>, if any.</param>
    public static void Validate(TableDescriptor descriptor, int maxBucketNum, DataLakeFormat? clusterDataLakeFormat = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var config = descriptor.TableConfig;
        config.Validate();
        // Primary key first: default bucket keys derive from it, and its message is the one that helps.
        CheckPrimaryKey(descriptor);
        CheckDistribution(descriptor, maxBucketNum);
        CheckReplicationFactor(descriptor);
        CheckLogFormat(config, descriptor.HasPrimaryKey);
        CheckMergeEngine(config, descriptor);
        CheckDeleteBehavior(config, descriptor.HasPrimaryKey);
        CheckTieredLog(config);
        CheckHistoricalPartition(descriptor, config);
        CheckPartition(descriptor, config);
        CheckSystemColumns(descriptor.Schema);
        CheckStatistics(descriptor, config);
        CheckLakeFormat(config, clusterDataLakeFormat);
    }

    /// <summary>Rejects column names reserved for system columns.</summary>
    public static void CheckSystemColumns(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var reserved = schema.ColumnNames.Where(SystemColumns.Contains).ToList();
        if (reserved.Count > 0)
            throw new InvalidTableException(
                $"{string.Join(", ", reserved)} cannot be used as column names because they are reserved for Fluss system columns; " +
                $"rename them. The reserved names are: {string.Join(", ", SystemColumns)}.");
    }

    private static void CheckDistribution(TableDescriptor d, int maxBucketNum)
    {
        if (d.Distribution is null)
            throw new InvalidTableException("Table distribution is required.");
        if (d.Distribution.BucketCount is not { } count)
            throw new InvalidTableException("Bucket number must be set.");
        if (count < 1)
            throw new InvalidTableException($"Bucket number must be at least 1, got {count}.");
        if (count > maxBucketNum)
            throw FlussException.Create(FlussErrorCode.BucketMaxNum,
                $"Bucket count {count} exceeds the maximum limit {maxBucketNum} for a non-partitioned table or partition.");
        foreach (var key in d.Distribution.BucketKeys)
        {
            var type = d.Schema.GetColumn(key).DataType;
            if (KeyUnsupportedTypes.Contains(type.Root))
                throw new InvalidTableException(
                    $"Bucket key column '{key}' has unsupported data type {type}. Bucket key columns cannot have the types {DataTypeRoots.FormatList(KeyUnsupportedTypes)}.");
        }
    }

    private static void CheckPrimaryKey(TableDescriptor d)
    {
        foreach (var key in d.Schema.PrimaryKeyColumnNames)
        {
            var type = d.Schema.GetColumn(key).DataType;
            if (KeyUnsupportedTypes.Contains(type.Root))
                throw new InvalidTableException(
                    $"Primary key column '{key}' has unsupported data type {type}. Primary key columns cannot have the types {DataTypeRoots.FormatList(KeyUnsupportedTypes)}.");
        }
    }

    private static void CheckReplicationFactor(TableDescriptor d)
    {
        if (!d.Properties.ContainsKey(ConfigOptions.TableReplicationFactor.Key))
            throw new InvalidConfigException($"Missing required table property '{ConfigOptions.TableReplicationFactor.Key}'.");
        _ = d.ReplicationFactor; // parses and checks > 0
    }

    private static void CheckLogFormat(TableConfig config, bool hasPrimaryKey)
    {
        if (hasPrimaryKey && config.KvFormat == KvFormat.Compacted && config.LogFormat is not (LogFormat.Arrow or LogFormat.Compacted))
            throw new InvalidConfigException(
                $"Primary-key tables with the COMPACTED kv format support only the ARROW or COMPACTED log format, but '{ConfigOptions.TableLogFormat.Key}' is {FlussEnums.Name(config.LogFormat)}.");
    }

    private static void CheckMergeEngine(TableConfig config, TableDescriptor d)
    {
        var engine = config.MergeEngineType;
        var schema = d.Schema;
        if (engine != MergeEngineType.Aggregation)
        {
            var withAgg = schema.Columns.FirstOrDefault(c => c.AggFunction is not null);
            if (withAgg is not null)
                throw new InvalidConfigException(
                    $"Column '{withAgg.Name}' has aggregate function '{withAgg.AggFunction}', but aggregate functions need '{ConfigOptions.TableMergeEngine.Key}' = AGGREGATION.");
        }

        if (engine is null)
            return;
        if (!d.HasPrimaryKey)
            throw new InvalidConfigException($"'{ConfigOptions.TableMergeEngine.Key}' is only supported for primary-key tables.");

        if (engine == MergeEngineType.Versioned)
        {
            var column = config.MergeEngineVersionColumn
                ?? throw new InvalidConfigException($"'{ConfigOptions.TableMergeEngineVersionColumn.Key}' must be set for the VERSIONED merge engine.");
            var index = schema.IndexOf(column);
            if (index < 0)
                throw new InvalidConfigException($"The version column '{column}' of the VERSIONED merge engine does not exist in the schema.");
            var type = schema.Columns[index].DataType;
            if (!VersionColumnTypes.Contains(type.Root))
                throw new InvalidConfigException(
                    $"The version column '{column}' of the VERSIONED merge engine must be INT, BIGINT, TIMESTAMP or TIMESTAMP_LTZ, but is {type}.");
        }
        else if (engine == MergeEngineType.Aggregation)
        {
            if (config.ChangelogImage == ChangelogImage.Wal)
                throw new InvalidConfigException(
                    $"The AGGREGATION merge engine needs the FULL changelog image; set '{ConfigOptions.TableChangelogImage.Key}' to FULL or remove it.");
            var pk = schema.PrimaryKeyColumnNames;
            foreach (var c in schema.Columns)
            {
                if (c.AggFunction is null || pk.Contains(c.Name))
                    continue;
                try
                {
                    c.AggFunction.ValidateParameters();
                    c.AggFunction.ValidateDataType(c.DataType);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidConfigException($"Invalid aggregate function for column '{c.Name}': {e.Message}");
                }
            }
        }
    }

    private static void CheckDeleteBehavior(TableConfig config, bool hasPrimaryKey)
    {
        var explicitBehavior = config.DeleteBehavior;
        if (!hasPrimaryKey && explicitBehavior is not null)
            throw new InvalidConfigException($"'{ConfigOptions.TableDeleteBehavior.Key}' is only supported for primary-key tables.");
        var engine = config.MergeEngineType;
        if (explicitBehavior == DeleteBehavior.Allow && engine is MergeEngineType.FirstRow or MergeEngineType.Versioned)
            throw new InvalidConfigException(
                $"The {FlussEnums.Name(engine.Value)} merge engine does not support deletes; '{ConfigOptions.TableDeleteBehavior.Key}' must be IGNORE or DISABLE, not ALLOW.");
    }

    private static void CheckTieredLog(TableConfig config)
    {
        _ = config.TieredLogLocalSegments; // rule: at least 1
        if (config.Properties.Get(ConfigOptions.TableLogLocalTtl) is not { } localTtl)
            return;
        var ttl = config.LogTtl;
        if (localTtl > TimeSpan.Zero && ttl > TimeSpan.Zero && localTtl > ttl)
            throw new InvalidConfigException(
                $"'{ConfigOptions.TableLogLocalTtl.Key}' ({FlussDuration.Format(localTtl)}) must be less than or equal to '{ConfigOptions.TableLogTtl.Key}' ({FlussDuration.Format(ttl)}).");
    }

    private static void CheckHistoricalPartition(TableDescriptor d, TableConfig config)
    {
        if (!config.IsHistoricalPartitionEnabled)
            return;
        var unmet = new List<string>();
        if (!config.AutoPartition.IsEnabled)
            unmet.Add($"'{ConfigOptions.TableAutoPartitionEnabled.Key}' must be true");
        if (!config.IsDataLakeEnabled)
            unmet.Add($"'{ConfigOptions.TableDataLakeEnabled.Key}' must be true");
        var format = config.DataLakeFormat;
        if (format is null)
            unmet.Add($"'{ConfigOptions.TableDataLakeFormat.Key}' must be 'paimon' (currently not set)");
        else if (format != DataLakeFormat.Paimon)
            unmet.Add($"'{ConfigOptions.TableDataLakeFormat.Key}' must be 'paimon' (currently '{FlussEnums.Name(format.Value)}')");
        if (!d.HasPrimaryKey)
            unmet.Add("the table must define a primary key");
        if (d.PartitionKeys.Count != 1)
            unmet.Add($"the table must define exactly one partition key (found {d.PartitionKeys.Count})");
        if (unmet.Count > 0)
            throw new InvalidConfigException($"'{ConfigOptions.TableDataLakeHistoricalPartitionEnabled.Key}' has unmet requirements: {string.Join("; ", unmet)}.");
    }

    private static void CheckPartition(TableDescriptor d, TableConfig config)
    {
        var auto = config.AutoPartition;
        if (!d.IsPartitioned)
        {
            if (auto.IsEnabled)
                throw new InvalidConfigException(
                    $"Auto partitioning needs a partitioned table; set '{ConfigOptions.TableAutoPartitionEnabled.Key}' to false or add partition keys.");
            return;
        }

        foreach (var key in d.PartitionKeys)
        {
            var type = d.Schema.GetColumn(key).DataType;
            if (!PartitionRules.SupportedKeyTypes.Contains(type.Root))
                throw new InvalidTableException(
                    $"Partition key '{key}' has unsupported data type {type}; partition keys must have one of the types {DataTypeRoots.FormatList(PartitionRules.SupportedKeyTypes)}.");
        }

        if (!auto.IsEnabled)
            return;
        if (d.PartitionKeys.Count > 1)
        {
            if (string.IsNullOrWhiteSpace(auto.Key))
                throw new InvalidTableException(
                    $"An auto-partitioned table with several partition keys must name the time key in '{ConfigOptions.TableAutoPartitionKey.Key}'.");
            if (!d.PartitionKeys.Contains(auto.Key))
                throw new InvalidTableException(
                    $"The auto partition key '{auto.Key}' is not a partition key; the partition keys are {TableDescriptor.List(d.PartitionKeys)}.");
            // The coordinator sets num-precreate to 0 for such tables when it is not set explicitly.
            if (d.Properties.ContainsKey(ConfigOptions.TableAutoPartitionNumPrecreate.Key) && auto.NumPreCreate > 0)
                throw new InvalidTableException(
                    $"Tables with several partition keys cannot pre-create partitions; '{ConfigOptions.TableAutoPartitionNumPrecreate.Key}' must be 0, but is {auto.NumPreCreate}.");
        }

        var autoKey = string.IsNullOrWhiteSpace(auto.Key) ? d.PartitionKeys[0] : auto.Key;
        if (d.Schema.GetColumn(autoKey).DataType.Root == DataTypeRoot.Date)
        {
            if (auto.TimeUnit != AutoPartitionTimeUnit.Day)
                throw new InvalidTableException(
                    $"'{ConfigOptions.TableAutoPartitionTimeUnit.Key}' must be DAY when the auto partition key '{autoKey}' has type DATE.");
            if (auto.TimeFormat != "yyyy-MM-dd")
                throw new InvalidTableException(
                    $"'{ConfigOptions.TableAutoPartitionTimeFormat.Key}' must be 'yyyy-MM-dd' when the auto partition key '{autoKey}' has type DATE.");
        }
    }

    private static void CheckStatistics(TableDescriptor d, TableConfig config)
    {
        var raw = config.Properties.Get(ConfigOptions.TableStatisticsColumns);
        if (raw is null)
            return;
        if (d.HasPrimaryKey)
            throw new InvalidConfigException(
                $"Statistics columns are not supported for primary-key tables; remove '{ConfigOptions.TableStatisticsColumns.Key}'.");
        if (raw.Trim() == "*")
            return;
        var columns = config.StatisticsColumns;
        if (columns.Count == 0)
            throw new InvalidConfigException(
                $"'{ConfigOptions.TableStatisticsColumns.Key}' must not be empty; use '*' for all supported columns or remove it to disable statistics.");
        foreach (var name in columns)
        {
            var index = d.Schema.IndexOf(name);
            if (index < 0)
                throw new InvalidConfigException($"Statistics column '{name}' does not exist in the table schema.");
            var type = d.Schema.Columns[index].DataType;
            if (!StatisticsTypes.Contains(type.Root))
                throw new InvalidConfigException(
                    $"Statistics column '{name}' of type {type.ToSummaryString()} is not supported; supported types are {DataTypeRoots.FormatList(StatisticsTypes)}.");
        }
    }

    private static void CheckLakeFormat(TableConfig config, DataLakeFormat? clusterFormat)
    {
        if (clusterFormat is null || !config.IsDataLakeEnabled)
            return;
        if (config.DataLakeFormat is { } tableFormat && tableFormat != clusterFormat)
            throw new InvalidConfigException(
                $"'{ConfigOptions.TableDataLakeFormat.Key}' ('{FlussEnums.Name(tableFormat)}') must match the cluster's '{ConfigOptions.DataLakeFormatOption.Key}' " +
                $"('{FlussEnums.Name(clusterFormat.Value)}') when '{ConfigOptions.TableDataLakeEnabled.Key}' is true.");
    }
}
