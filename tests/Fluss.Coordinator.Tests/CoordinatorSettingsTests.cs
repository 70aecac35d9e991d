using Fluss.Config;
using Fluss.Coordinator;
using Fluss.Coordinator.Store;
using Fluss.Errors;

namespace Fluss.Tests.Coordinator;

public class CoordinatorSettingsTests
{
    private static Configuration Conf(params (string Key, string Value)[] entries) =>
        new(entries.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)));

    [Fact]
    public void From_NoListenerConfigured_NamesBindListeners()
    {
        var e = Assert.Throws<InvalidConfigException>(() => CoordinatorSettings.From(Conf()));
        Assert.Contains("bind.listeners", e.Message);
    }

    [Fact]
    public void From_BindListeners_ReadsFlussKeysAndDefaults()
    {
        var s = CoordinatorSettings.From(Conf(("bind.listeners", "FLUSS://127.0.0.1:0"), ("data.dir", "/data/x"), ("zookeeper.client.session-timeout", "2 s")));
        Assert.Equal([new Listener("FLUSS", "127.0.0.1", 0)], s.BindListeners);
        Assert.Equal(TimeSpan.FromSeconds(2), s.SessionTimeout);
        Assert.Equal(1, s.DefaultBucketNumber);
        Assert.Equal(1, s.DefaultReplicationFactor);
        Assert.Equal(4096, s.MaxBucketNum);
        Assert.Equal(100 * 1024 * 1024, s.MaxRequestSize);
        Assert.Equal("/fluss", s.ZooKeeperRoot);
        Assert.Equal(Path.Combine("/data/x", "coordinator", "metadata"), s.MetadataDirectory);
        Assert.False(s.DataLakeEnabled);
    }

    [Fact]
    public void From_LegacyHostAndPort_UsedWithoutBindListeners()
    {
        var s = CoordinatorSettings.From(Conf(("coordinator.host", "127.0.0.1"), ("coordinator.port", "9200")));
        Assert.Equal([new Listener("FLUSS", "127.0.0.1", 9200)], s.BindListeners);
    }

    [Theory]
    [InlineData("bind.listeners", "FLUSS:127.0.0.1:1", "bind.listeners")]
    [InlineData("bind.listeners", "CLIENT://127.0.0.1:1", "Internal listener name FLUSS")]
    [InlineData("default.bucket.number", "0", "default.bucket.number")]
    [InlineData("zookeeper.client.session-timeout", "soon", "zookeeper.client.session-timeout")]
    [InlineData("netty.server.max-request-size", "12", "netty.server.max-request-size")]
    public void From_InvalidValue_NamesTheKey(string key, string value, string expected)
    {
        var conf = Conf(("bind.listeners", "FLUSS://127.0.0.1:0"));
        conf.SetString(key, value);
        var e = Assert.ThrowsAny<FlussException>(() => CoordinatorSettings.From(conf));
        Assert.Equal(FlussErrorCode.InvalidConfig, e.ErrorCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void From_BothListenersAndHost_Refused()
    {
        var e = Assert.Throws<InvalidConfigException>(() => CoordinatorSettings.From(Conf(("bind.listeners", "FLUSS://h:1"), ("coordinator.host", "h"))));
        Assert.Contains("Only one of 'bind.listeners' and 'coordinator.host'", e.Message);
    }

    [Fact]
    public void From_DataLakeFormat_EnablesLakeTables()
    {
        var s = CoordinatorSettings.From(Conf(("bind.listeners", "FLUSS://h:1"), ("datalake.format", "paimon")));
        Assert.True(s.DataLakeEnabled);
        Assert.Equal(Fluss.Metadata.DataLakeFormat.Paimon, s.DataLakeFormat);
    }
}
