using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Tests.Model;

public class ConfigurationTests
{
    private static readonly ConfigOption<string> StringOption = ConfigOption.String("test-string-key", "def");
    private static readonly ConfigOption<int> IntOption = ConfigOption.Int("test-int-key", 1);
    private static readonly ConfigOption<long> LongOption = ConfigOption.Long("test-long-key", 2L);
    private static readonly ConfigOption<double> DoubleOption = ConfigOption.Double("test-double-key", 3.5);
    private static readonly ConfigOption<bool> BoolOption = ConfigOption.Bool("test-bool-key", true);
    private static readonly ConfigOption<MemorySize> MemoryOption = ConfigOption.Memory("test-memory-key", "64 kb");
    private static readonly ConfigOption<TimeSpan> DurationOption = ConfigOption.Duration("test-duration-key", TimeSpan.FromSeconds(3));

    [Fact]
    public void Get_SetValues_ParsedToTypes()
    {
        var conf = Configuration.FromDictionary(new Dictionary<string, string>
        {
            ["test-string-key"] = "value1",
            ["test-int-key"] = "1000",
            ["test-long-key"] = "-47823692389746",
            ["test-double-key"] = "123123.2312",
            ["test-bool-key"] = "FALSE",
            ["test-memory-key"] = "12 mb",
            ["test-duration-key"] = "3000 ms",
        });
        Assert.Equal("value1", conf.Get(StringOption));
        Assert.Equal(1000, conf.Get(IntOption));
        Assert.Equal(-47823692389746L, conf.Get(LongOption));
        Assert.Equal(123123.2312, conf.Get(DoubleOption));
        Assert.False(conf.Get(BoolOption));
        Assert.Equal(12L << 20, conf.Get(MemoryOption).Bytes);
        Assert.Equal(TimeSpan.FromSeconds(3), conf.Get(DurationOption));
    }

    [Fact]
    public void Get_Unset_ReturnsDefaults()
    {
        var conf = new Configuration();
        Assert.Equal("def", conf.Get(StringOption));
        Assert.Equal(1, conf.Get(IntOption));
        Assert.Equal(65536L, conf.Get(MemoryOption).Bytes);
        Assert.True(conf.Get(BoolOption));
        Assert.Null(conf.Get(ConfigOptions.TableMergeEngine));
        Assert.Null(conf.Get(ConfigOptions.TableReplicationFactor));
        Assert.False(conf.TryGet(IntOption, out _));
    }

    [Fact]
    public void Set_TypedValues_StoredInFlussTextForm()
    {
        var conf = new Configuration()
            .Set(IntOption, 42)
            .Set(MemoryOption, new MemorySize(2048))
            .Set(DurationOption, TimeSpan.FromMilliseconds(1500))
            .Set(ConfigOptions.TableLogArrowCompressionType, ArrowCompressionType.Lz4Frame)
            .Set(ConfigOptions.BootstrapServers, ["a:9123", "b:9123"]);
        Assert.Equal("42", conf.GetString("test-int-key"));
        Assert.Equal("2 kb", conf.GetString("test-memory-key"));
        Assert.Equal("1500 ms", conf.GetString("test-duration-key"));
        Assert.Equal("LZ4_FRAME", conf.GetString("table.log.arrow.compression.type"));
        Assert.Equal("a:9123,b:9123", conf.GetString("bootstrap.servers"));
        Assert.Equal(["a:9123", "b:9123"], conf.Get(ConfigOptions.BootstrapServers)!);
        conf.Set(ConfigOptions.TableMergeEngine, null);
        Assert.False(conf.ContainsKey("table.merge-engine"));
    }

    [Fact]
    public void Set_ValueBreakingRule_Throws()
    {
        var ex = Assert.Throws<InvalidConfigException>(() => new Configuration().Set(ConfigOptions.TableLogArrowCompressionZstdLevel, 0));
        Assert.Equal("table.log.arrow.compression.zstd.level must be between 1 and 22, got 0", ex.Message);
    }

    [Theory]
    [InlineData("table.log.arrow.compression.zstd.level", "30", "table.log.arrow.compression.zstd.level must be between 1 and 22, got 30")]
    [InlineData("table.log.arrow.compression.zstd.level", "abc", "table.log.arrow.compression.zstd.level must be an integer, got 'abc'.")]
    [InlineData("table.log.format", "parquet", "table.log.format must be one of [ARROW, INDEXED, COMPACTED] (case-insensitive), got 'parquet'.")]
    [InlineData("table.merge-engine", "last_row", "table.merge-engine must be one of [FIRST_ROW, VERSIONED, AGGREGATION] (case-insensitive), got 'last_row'.")]
    [InlineData("table.datalake.format", "delta", "table.datalake.format must be one of [paimon, lance, iceberg, hudi] (case-insensitive), got 'delta'.")]
    [InlineData("table.datalake.enabled", "yes", "table.datalake.enabled must be true or false (case-insensitive), got 'yes'.")]
    [InlineData("table.log.ttl", "7", "table.log.ttl must be a duration with a unit such as 500ms, 10s, 3min, 1h or 7d, got '7' (The duration '7' has no unit")]
    [InlineData("client.writer.batch-size", "2 zb", "client.writer.batch-size must be a memory size with a unit such as 4kb, 64mb or 1gb, got '2 zb' (Unknown memory unit 'zb'")]
    [InlineData("client.writer.acks", "2", "client.writer.acks must be one of [all, -1, 0, 1], got 2")]
    [InlineData("default.replication.factor", "0", "default.replication.factor must be at least 1, got 0")]
    [InlineData("log.segment.file-size", "3gb", "log.segment.file-size must be at most 2147483647 bytes, got 3gb")]
    [InlineData("server.data-disk.write-limit-ratio", "1.5", "server.data-disk.write-limit-ratio must be within (0, 1], got 1.5")]
    [InlineData("client.connect-timeout", "0 s", "client.connect-timeout must be at least 1 ms, got 0 s")]
    public void Get_InvalidValue_ThrowsNamingKeyValueAndRule(string key, string value, string message)
    {
        var conf = new Configuration().SetString(key, value);
        var option = ConfigOptions.Find(key)!;
        var ex = Assert.Throws<InvalidConfigException>(() => option.ValidateRawValue(value));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(FlussErrorCode.InvalidConfig, ex.ErrorCode);
        Assert.Throws<InvalidConfigException>(() => conf.Validate(ConfigOptions.All.Values));
    }

    [Theory]
    [InlineData("first_row", MergeEngineType.FirstRow)]
    [InlineData("FIRST_ROW", MergeEngineType.FirstRow)]
    [InlineData("First_Row", MergeEngineType.FirstRow)]
    [InlineData(" versioned ", MergeEngineType.Versioned)]
    [InlineData("aggregation", MergeEngineType.Aggregation)]
    public void Get_EnumValue_CaseInsensitive(string text, MergeEngineType expected)
    {
        Assert.Equal(expected, new Configuration().SetString("table.merge-engine", text).Get(ConfigOptions.TableMergeEngine));
    }

    [Fact]
    public void Get_FallbackAndDeprecatedKeys_UsedInOrderWhenKeyAbsent()
    {
        var main = ConfigOption.Int("main", -1).WithFallbackKeys("fallback").WithDeprecatedKeys("deprecated");
        Assert.Equal(["fallback", "deprecated"], main.FallbackKeys.Select(k => k.Key));
        Assert.Equal([false, true], main.FallbackKeys.Select(k => k.IsDeprecated));

        Assert.Equal(1, new Configuration().SetString("fallback", "1").Get(main));
        Assert.Equal(2, new Configuration().SetString("deprecated", "2").Get(main));
        Assert.Equal(1, new Configuration().SetString("deprecated", "2").SetString("fallback", "1").Get(main));
        Assert.Equal(3, new Configuration().SetString("fallback", "1").SetString("main", "3").Get(main));
        Assert.Equal(-1, new Configuration().Get(main));

        var ex = Assert.Throws<InvalidConfigException>(() => new Configuration().SetString("fallback", "x").Get(main));
        Assert.Contains("read from fallback key 'fallback'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_FlussFallbackKeys_Work()
    {
        Assert.Equal(7, new Configuration().SetString("coordinator.io-pool.size", "7").Get(ConfigOptions.ServerIoPoolSize));
        Assert.Equal(TimeSpan.FromSeconds(5), new Configuration().SetString("recovery.zookeeper.client.session-timeout", "5 s").Get(ConfigOptions.ZooKeeperSessionTimeout));
        Assert.Equal(new MemorySize(1 << 20), new Configuration().SetString("log.fetch.max-bytes", "1mb").Get(ConfigOptions.LogReplicaFetchMaxBytes));
    }

    [Fact]
    public void Remove_OptionOrFallbackKey()
    {
        var main = ConfigOption.Int("main", -1).WithFallbackKeys("fallback");
        var conf = new Configuration().SetString("fallback", "1").SetString("other", "x");
        Assert.True(conf.Contains(main));
        Assert.True(conf.Remove(main));
        Assert.False(conf.Contains(main));
        Assert.False(conf.Remove(main));
        Assert.Equal(1, conf.Count);
        Assert.True(conf.RemoveKey("other"));
        Assert.Equal(0, conf.Count);
    }

    [Fact]
    public void Copy_IsIndependent()
    {
        var a = new Configuration().SetString("k", "1");
        var b = new Configuration(a).SetString("k", "2");
        Assert.Equal("1", a.GetString("k"));
        Assert.Equal("2", b.GetString("k"));
        Assert.Equal(new Dictionary<string, string> { ["k"] = "2" }, b.ToDictionary());
    }

    [Fact]
    public void ToString_HidesSecrets()
    {
        var conf = new Configuration().SetString("client.security.sasl.password", "hunter2").SetString("client.id", "me");
        Assert.Equal("{client.security.sasl.password=******, client.id=me}", conf.ToString());
        var secret = ConfigOption.Int("s3.secret-key", 0);
        var ex = Assert.Throws<InvalidConfigException>(() => secret.Parse("hunter2"));
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KnownKeysOnly_IgnoresUnknown()
    {
        var conf = new Configuration().SetString("some.plugin.key", "whatever").SetString("client.writer.retries", "3");
        conf.Validate(ConfigOptions.All.Values);
    }
}
