using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Config;

/// <summary>Compression of a table's Arrow log: the type and, for ZSTD, the level (-1 otherwise).</summary>
public readonly record struct ArrowCompressionInfo(ArrowCompressionType Type, int Level)
{
    public static ArrowCompressionInfo Default => new(ArrowCompressionType.Zstd, 3);

    public static ArrowCompressionInfo NoCompression => new(ArrowCompressionType.None, -1);

    public override string ToString() => Level == -1 ? FlussEnums.Name(Type) : FlussEnums.Name(Type) + "-" + Level;
}

/// <summary>Auto-partition settings of a table.</summary>
public sealed record AutoPartitionStrategy(
    bool IsEnabled,
    string? Key,
    AutoPartitionTimeUnit TimeUnit,
    string? TimeFormat,
    int NumPreCreate,
    int NumToRetain,
    string TimeZone);

/// <summary>
/// A typed view over a table's <c>properties</c> (the <c>table.*</c> options). Every getter parses and checks the
/// value and throws <see cref="InvalidConfigException"/> naming the key when it is invalid; <see cref="Validate"/>
/// checks all of them at once and also rejects unknown <c>table.*</c> keys.
/// </summary>
public sealed class TableConfig
{
    private readonly Configuration _config;

    public TableConfig(Configuration properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        _config = properties;
    }

    public static TableConfig FromProperties(IEnumerable<KeyValuePair<string, string>> properties) => new(Configuration.FromDictionary(properties));

    /// <summary>The underlying properties.</summary>
    public Configuration Properties => _config;

    public int? ReplicationFactor => _config.Get(ConfigOptions.TableReplicationFactor);

    public LogFormat LogFormat => _config.Get(ConfigOptions.TableLogFormat);

    public KvFormat KvFormat => _config.Get(ConfigOptions.TableKvFormat);

    public int? KvFormatVersion => _config.Get(ConfigOptions.TableKvFormatVersion);

    public bool IsStandbyReplicaEnabled => _config.Get(ConfigOptions.TableKvStandbyReplicaEnabled) ?? false;

    public TimeSpan LogTtl => _config.Get(ConfigOptions.TableLogTtl);

    /// <summary>Local retention: <c>table.log.local-ttl</c>, else <c>table.log.ttl</c>.</summary>
    public TimeSpan LocalLogTtl => _config.Get(ConfigOptions.TableLogLocalTtl) ?? LogTtl;

    public int TieredLogLocalSegments => _config.Get(ConfigOptions.TableTieredLogLocalSegments);

    public bool IsDataLakeEnabled => _config.Get(ConfigOptions.TableDataLakeEnabled);

    public bool IsHistoricalPartitionEnabled => _config.Get(ConfigOptions.TableDataLakeHistoricalPartitionEnabled);

    public DataLakeFormat? DataLakeFormat => _config.Get(ConfigOptions.TableDataLakeFormat);

    public TimeSpan DataLakeFreshness => _config.Get(ConfigOptions.TableDataLakeFreshness);

    public bool IsDataLakeAutoCompaction => _config.Get(ConfigOptions.TableDataLakeAutoCompaction);

    public bool IsDataLakeAutoExpireSnapshot => _config.Get(ConfigOptions.TableDataLakeAutoExpireSnapshot);

    /// <summary>The merge engine, or null for the default (last row wins).</summary>
    public MergeEngineType? MergeEngineType => _config.Get(ConfigOptions.TableMergeEngine);

    public string? MergeEngineVersionColumn => _config.Get(ConfigOptions.TableMergeEngineVersionColumn);

    /// <summary>The delete behaviour when set explicitly, else null.</summary>
    public DeleteBehavior? DeleteBehavior =>
        _config.TryGet(ConfigOptions.TableDeleteBehavior, out var value) ? value : null;

    /// <summary>
    /// The delete behaviour in effect: the explicit setting, else IGNORE for the FIRST_ROW, VERSIONED and AGGREGATION
    /// merge engines and ALLOW otherwise.
    /// </summary>
    public DeleteBehavior EffectiveDeleteBehavior =>
        DeleteBehavior ?? (MergeEngineType is null ? Metadata.DeleteBehavior.Allow : Metadata.DeleteBehavior.Ignore);

    public ChangelogImage ChangelogImage => _config.Get(ConfigOptions.TableChangelogImage);

    public ArrowCompressionType ArrowCompressionType => _config.Get(ConfigOptions.TableLogArrowCompressionType);

    /// <summary>The Arrow compression type with its level (ZSTD level checked to be 1..22; -1 for other types).</summary>
    public ArrowCompressionInfo ArrowCompression
    {
        get
        {
            var type = ArrowCompressionType;
            return type == ArrowCompressionType.Zstd
                ? new ArrowCompressionInfo(type, _config.Get(ConfigOptions.TableLogArrowCompressionZstdLevel))
                : new ArrowCompressionInfo(type, -1);
        }
    }

    public AutoPartitionStrategy AutoPartition => new(
        _config.Get(ConfigOptions.TableAutoPartitionEnabled),
        _config.Get(ConfigOptions.TableAutoPartitionKey),
        _config.Get(ConfigOptions.TableAutoPartitionTimeUnit),
        _config.Get(ConfigOptions.TableAutoPartitionTimeFormat),
        _config.Get(ConfigOptions.TableAutoPartitionNumPrecreate),
        _config.Get(ConfigOptions.TableAutoPartitionNumRetention),
        _config.Get(ConfigOptions.TableAutoPartitionTimeZone));

    public long AutoIncrementCacheSize => _config.Get(ConfigOptions.TableAutoIncrementCacheSize);

    /// <summary>True when <c>table.statistics.columns</c> is set.</summary>
    public bool IsStatisticsEnabled => _config.Get(ConfigOptions.TableStatisticsColumns) is not null;

    /// <summary>True when statistics cover all columns (<c>*</c>).</summary>
    public bool StatisticsAllColumns => _config.Get(ConfigOptions.TableStatisticsColumns) == "*";

    /// <summary>The listed statistics columns (empty when disabled or <c>*</c>).</summary>
    public IReadOnlyList<string> StatisticsColumns
    {
        get
        {
            var raw = _config.Get(ConfigOptions.TableStatisticsColumns);
            if (raw is null || raw == "*")
                return [];
            return raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>
    /// Checks every property: a <c>table.*</c> key must be a known table option and its value must parse and satisfy
    /// the option's rule. Keys without the <c>table.</c> prefix are rejected too: they belong in custom properties.
    /// </summary>
    /// <exception cref="InvalidConfigException">The first invalid or unknown key, named in the message.</exception>
    public void Validate()
    {
        foreach (var (key, value) in _config)
        {
            if (!ConfigOptions.TableOptions.TryGetValue(key, out var option))
            {
                if (ConfigOptions.IsTableStorageOption(key))
                    throw new InvalidConfigException($"'{key}' is not a known Fluss table property; known table properties are: {string.Join(", ", ConfigOptions.TableOptions.Keys.Order(StringComparer.Ordinal))}.");
                throw new InvalidConfigException($"'{key}' is not a Fluss table property; put it into the table's custom properties instead.");
            }

            option.ValidateRawValue(value);
        }
    }
}
