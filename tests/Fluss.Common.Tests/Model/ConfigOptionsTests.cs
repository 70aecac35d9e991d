using Fluss.Config;
using Fluss.Metadata;

namespace Fluss.Tests.Model;

public class ConfigOptionsTests
{
    /// <summary>
    /// Keys and default values taken from Fluss's ConfigOptions, in the text form Fluss writes (largest exact unit;
    /// whole days in milliseconds).
    /// </summary>
    public static TheoryData<string, string?> KeysAndDefaults() => new()
    {
        { "table.replication.factor", null },
        { "table.log.format", "ARROW" },
        { "table.log.arrow.compression.type", "ZSTD" },
        { "table.log.arrow.compression.zstd.level", "3" },
        { "table.kv.format", "COMPACTED" },
        { "table.kv.format-version", null },
        { "table.kv.standby-replica.enabled", null },
        { "table.log.ttl", "604800000 ms" },
        { "table.log.local-ttl", null },
        { "table.log.tiered.local-segments", "2" },
        { "table.auto-partition.enabled", "false" },
        { "table.auto-partition.key", null },
        { "table.auto-partition.time-unit", "DAY" },
        { "table.auto-partition.time-format", null },
        { "table.auto-partition.num-precreate", "2" },
        { "table.auto-partition.num-retention", "7" },
        { "table.datalake.enabled", "false" },
        { "table.datalake.format", null },
        { "table.datalake.freshness", "3 min" },
        { "table.datalake.auto-compaction", "false" },
        { "table.datalake.auto-expire-snapshot", "false" },
        { "table.datalake.historical-partition.enabled", "false" },
        { "table.merge-engine", null },
        { "table.merge-engine.versioned.ver-column", null },
        { "table.delete.behavior", "ALLOW" },
        { "table.changelog.image", "FULL" },
        { "table.statistics.columns", null },
        { "table.auto-increment.cache-size", "100000" },
        { "client.writer.bucket.no-key-assigner", "STICKY" },
        { "bootstrap.servers", null },
        { "client.id", "" },
        { "client.connect-timeout", "2 min" },
        { "client.request-timeout", "30 s" },
        { "client.writer.buffer.memory-size", "64 mb" },
        { "client.writer.buffer.page-size", "128 kb" },
        { "client.writer.buffer.per-request-memory-size", "16 mb" },
        { "client.writer.batch-size", "2 mb" },
        { "client.writer.dynamic-batch-size.enabled", "true" },
        { "client.writer.batch-timeout", "100 ms" },
        { "client.writer.acks", "all" },
        { "client.writer.retries", "2147483647" },
        { "client.writer.request-max-size", "10 mb" },
        { "client.writer.max-inflight-requests-per-bucket", "5" },
        { "client.writer.enable-idempotence", "true" },
        { "client.writer.dynamic-create-partition.enabled", "true" },
        { "client.writer.kv-backpressure.max-throttle", "3 s" },
        { "client.scanner.log.check-crc", "true" },
        { "client.scanner.log.max-poll-records", "500" },
        { "client.scanner.log.fetch.max-bytes", "16 mb" },
        { "client.scanner.log.fetch.max-bytes-for-bucket", "1 mb" },
        { "client.scanner.log.fetch.min-bytes", "1 bytes" },
        { "client.scanner.log.fetch.wait-max-time", "500 ms" },
        { "client.scanner.kv.fetch.max-bytes", "4 mb" },
        { "client.scanner.kv.batch-strategy", "snapshot-merge" },
        { "client.scanner.log.read-preference", "local-first" },
        { "client.scanner.remote-log.prefetch-num", "4" },
        { "client.lookup.queue-size", "25600" },
        { "client.lookup.max-batch-size", "128" },
        { "client.lookup.max-inflight-requests", "128" },
        { "client.lookup.batch-timeout", "100 ms" },
        { "client.lookup.max-retries", "2147483647" },
        { "client.security.protocol", "PLAINTEXT" },
        { "bind.listeners", null },
        { "advertised.listeners", null },
        { "internal.listener.name", "FLUSS" },
        { "data.dir", "/tmp/fluss-data" },
        { "remote.data.dir", null },
        { "zookeeper.address", null },
        { "zookeeper.path.root", "/fluss" },
        { "zookeeper.client.session-timeout", "1 min" },
        { "zookeeper.client.connection-timeout", "15 s" },
        { "zookeeper.client.max-inflight-requests", "100" },
        { "default.bucket.number", "1" },
        { "default.replication.factor", "1" },
        { "max.bucket.num", "4096" },
        { "max.partition.num", "1000" },
        { "allow.create.log.tables", "true" },
        { "allow.create.kv.tables", "true" },
        { "auto-partition.check.interval", "10 min" },
        { "log.segment.file-size", "1 gb" },
        { "log.index.file-size", "10 mb" },
        { "log.index.interval-size", "4 kb" },
        { "log.flush.interval-messages", "9223372036854775807" },
        { "log.replica.max-lag-time", "30 s" },
        { "log.replica.fetch.max-bytes", "16 mb" },
        { "log.replica.fetch.max-bytes-for-bucket", "1 mb" },
        { "log.replica.fetch.wait-max-time", "500 ms" },
        { "log.replica.fetcher-number", "1" },
        { "log.replica.min-in-sync-replicas-number", "1" },
        { "log.replica.high-watermark.checkpoint-interval", "5 s" },
        { "remote.log.task-interval-duration", "1 min" },
        { "remote.log.index-file-cache-size", "1 gb" },
        { "kv.snapshot.interval", "10 min" },
        { "kv.snapshot.num-retained", "2" },
        { "kv.rocksdb.writebuffer.size", "64 mb" },
        { "kv.rocksdb.block.cache-size", "8 mb" },
        { "kv.rocksdb.compaction.style", "LEVEL" },
        { "kv.rocksdb.compression.per.level", "LZ4,LZ4,LZ4,LZ4,LZ4,ZSTD,ZSTD" },
        { "kv.rocksdb.use-bloom-filter", "true" },
        { "kv.backpressure.l0-slowdown-trigger", "8" },
        { "kv.flush.thread-num", "10" },
        { "tablet-server.id", null },
        { "tablet-server.rack", null },
        { "server.io-pool.size", "10" },
        { "server.background.threads", "10" },
        { "server.buffer.memory-size", "256 mb" },
        { "server.data-disk.write-limit-ratio", "0.85" },
        { "server.data-disk.write-recover-ratio", "0.8" },
        { "netty.server.num-network-threads", "3" },
        { "netty.server.num-worker-threads", "8" },
        { "netty.server.max-queued-requests", "500" },
        { "netty.server.max-request-size", "100 mb" },
        { "netty.connection.max-idle-time", "10 min" },
        { "coordinator.producer-offsets.ttl", "86400000 ms" },
        { "coordinator.offline-leader.retry-delay", "1 min" },
        { "datalake.enabled", null },
        { "datalake.format", null },
        { "metrics.reporter.prometheus.port", "9249" },
    };

    [Theory]
    [MemberData(nameof(KeysAndDefaults))]
    public void Find_FlussKey_HasFlussDefault(string key, string? defaultText)
    {
        var option = ConfigOptions.Find(key);
        Assert.NotNull(option);
        Assert.Equal(defaultText, option.DefaultValueText);
        Assert.Equal(defaultText is not null, option.HasDefaultValue);
        Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{key} has no description");
        if (defaultText is not null)
            option.ValidateRawValue(defaultText); // the default's text form parses back
    }

    [Fact]
    public void TypedDefaults_HaveFlussValues()
    {
        Assert.Equal(LogFormat.Arrow, ConfigOptions.TableLogFormat.DefaultValue);
        Assert.Equal(ArrowCompressionType.Zstd, ConfigOptions.TableLogArrowCompressionType.DefaultValue);
        Assert.Equal(TimeSpan.FromDays(7), ConfigOptions.TableLogTtl.DefaultValue);
        Assert.Equal(TimeSpan.FromMinutes(3), ConfigOptions.TableDataLakeFreshness.DefaultValue);
        Assert.Equal(64L << 20, ConfigOptions.ClientWriterBufferMemorySize.DefaultValue.Bytes);
        Assert.Equal(2L << 20, ConfigOptions.ClientWriterBatchSize.DefaultValue.Bytes);
        Assert.Equal(1024L << 20, ConfigOptions.LogSegmentFileSize.DefaultValue.Bytes);
        Assert.Equal(100L << 20, ConfigOptions.NettyServerMaxRequestSize.DefaultValue.Bytes);
        Assert.Equal(NoKeyAssigner.Sticky, ConfigOptions.ClientWriterBucketNoKeyAssigner.DefaultValue);
        Assert.Equal(DeleteBehavior.Allow, ConfigOptions.TableDeleteBehavior.DefaultValue);
        Assert.Equal(ChangelogImage.Full, ConfigOptions.TableChangelogImage.DefaultValue);
        Assert.Equal(typeof(int?), ConfigOptions.TableReplicationFactor.ValueType);
        Assert.Equal(typeof(MergeEngineType?), ConfigOptions.TableMergeEngine.ValueType);
    }

    [Fact]
    public void TableOptions_ContainOnlyTableKeys_AndAllOfThem()
    {
        Assert.All(ConfigOptions.TableOptions.Keys, k => Assert.StartsWith("table.", k, StringComparison.Ordinal));
        Assert.Equal(29, ConfigOptions.TableOptions.Count);
        Assert.All(ConfigOptions.ClientOptions.Keys, k => Assert.StartsWith("client.", k, StringComparison.Ordinal));
        Assert.Contains("client.writer.bucket.no-key-assigner", ConfigOptions.ClientOptions.Keys);
        Assert.All(ConfigOptions.AlterableTableOptions, k => Assert.Contains(k, ConfigOptions.TableOptions.Keys));
    }

    [Fact]
    public void All_KeysAreUniqueAndDefaultsValid()
    {
        foreach (var option in ConfigOptions.All.Values)
        {
            Assert.Same(option, ConfigOptions.Find(option.Key));
            if (option.DefaultValueText is { } text)
                option.ValidateRawValue(text);
        }

        Assert.Null(ConfigOptions.Find("table.nope"));
    }

    [Fact]
    public void FlussEnums_NamesAsFlussWritesThem()
    {
        Assert.Equal("LZ4_FRAME", FlussEnums.Name(ArrowCompressionType.Lz4Frame));
        Assert.Equal("FIRST_ROW", FlussEnums.Name(MergeEngineType.FirstRow));
        Assert.Equal("ROUND_ROBIN", FlussEnums.Name(NoKeyAssigner.RoundRobin));
        Assert.Equal("paimon", FlussEnums.Name(DataLakeFormat.Paimon));
        Assert.Equal("last_value_ignore_nulls", FlussEnums.Name(AggFunctionType.LastValueIgnoreNulls));
        Assert.Equal("NUM_INFO_LOG_LEVELS", FlussEnums.Name(KvInfoLogLevel.NumInfoLogLevels));
        Assert.Equal("[NONE, LZ4_FRAME, ZSTD]", FlussEnums.AllowedValues<ArrowCompressionType>());
        Assert.Equal(DataLakeFormat.Iceberg, FlussEnums.Parse<DataLakeFormat>("ICEBERG"));
        Assert.Equal(ChangelogImage.Wal, FlussEnums.Parse<ChangelogImage>("wal"));
        var ex = Assert.Throws<FormatException>(() => FlussEnums.Parse<ChangelogImage>("half"));
        Assert.Contains("[FULL, WAL]", ex.Message, StringComparison.Ordinal);
    }
}
