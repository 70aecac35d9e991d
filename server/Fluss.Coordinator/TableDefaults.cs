using System.Globalization;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Coordinator;

/// <summary>
/// What the coordinator checks and fills in before a table is created, as Fluss's coordinator does: the table kind
/// must be allowed, partitioned tables are refused (not supported yet), the bucket count defaults to
/// <c>default.bucket.number</c> and the replication factor to <c>default.replication.factor</c>, the cluster's lake
/// format is recorded, first-row/versioned/aggregation tables delete with IGNORE unless told otherwise, primary-key
/// tables get the current KV format version and standby replicas; then the whole descriptor is validated.
/// </summary>
internal static class TableDefaults
{
    /// <summary>The KV format version new primary-key tables get (Fluss's CURRENT_KV_FORMAT_VERSION).</summary>
    public const int CurrentKvFormatVersion = 2;

    /// <summary>Checks, completes and validates a descriptor; throws a <see cref="FlussException"/> that says what is wrong.</summary>
    public static TableDescriptor Apply(TablePath path, TableDescriptor descriptor, CoordinatorSettings settings)
    {
        if (descriptor.HasPrimaryKey && !settings.AllowKvTables)
            throw new InvalidTableException($"Creation of Primary Key Tables is disallowed in the cluster ('{ConfigOptions.KvTableAllowCreation.Key}' is false); cannot create {path}.");
        if (!descriptor.HasPrimaryKey && !settings.AllowLogTables)
            throw new InvalidTableException($"Creation of Log Tables is disallowed in the cluster ('{ConfigOptions.LogTableAllowCreation.Key}' is false); cannot create {path}.");
        if (descriptor.IsPartitioned)
            throw new InvalidTableException(
                $"Cannot create table {path}: it is partitioned by [{string.Join(", ", descriptor.PartitionKeys)}], and partitioned tables are not supported yet; create it without partition keys.");

        var d = descriptor;
        if (d.BucketCount is null)
            d = d.WithBucketCount(settings.DefaultBucketNumber);
        var properties = new OrderedDictionary<string, string>(d.Properties, StringComparer.Ordinal);
        if (!properties.ContainsKey(ConfigOptions.TableReplicationFactor.Key))
            properties[ConfigOptions.TableReplicationFactor.Key] = settings.DefaultReplicationFactor.ToString(CultureInfo.InvariantCulture);
        if (settings.DataLakeFormat is { } lakeFormat && !properties.ContainsKey(ConfigOptions.TableDataLakeFormat.Key))
            properties[ConfigOptions.TableDataLakeFormat.Key] = FlussEnums.Name(lakeFormat);

        var config = descriptor.TableConfig;
        if (config.IsDataLakeEnabled && !settings.DataLakeEnabled)
            throw new InvalidTableException(
                $"'{ConfigOptions.TableDataLakeEnabled.Key}' is enabled for the table, but the Fluss cluster doesn't enable datalake tables; set '{ConfigOptions.DataLakeFormatOption.Key}' on the cluster or drop the option.");

        if (descriptor.HasPrimaryKey
            && config.MergeEngineType is MergeEngineType.FirstRow or MergeEngineType.Versioned or MergeEngineType.Aggregation
            && !properties.ContainsKey(ConfigOptions.TableDeleteBehavior.Key))
            properties[ConfigOptions.TableDeleteBehavior.Key] = FlussEnums.Name(DeleteBehavior.Ignore);

        if (d.HasPrimaryKey)
        {
            var version = TableConfig.FromProperties(properties).KvFormatVersion;
            if (version is null)
                properties[ConfigOptions.TableKvFormatVersion.Key] = CurrentKvFormatVersion.ToString(CultureInfo.InvariantCulture);
            else if (version > CurrentKvFormatVersion)
                throw new InvalidConfigException($"Unsupported kv format version {version}. The maximum supported version is {CurrentKvFormatVersion}.");
            if (!properties.ContainsKey(ConfigOptions.TableKvStandbyReplicaEnabled.Key))
                properties[ConfigOptions.TableKvStandbyReplicaEnabled.Key] = "true";
        }

        d = d.WithProperties(properties);
        TableDescriptorValidation.Validate(d, settings.MaxBucketNum, settings.DataLakeFormat);
        return d;
    }
}
