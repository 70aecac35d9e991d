using Fluss.Config;
using Fluss.Errors;
using Fluss.TabletServer;

namespace Fluss.Tests.TabletServer;

public sealed class TabletServerSettingsTests
{
    private static Configuration Base() => new Configuration().SetString("tablet-server.id", "3").SetString("data.dir", "/data/fluss");

    [Fact]
    public void FromConfiguration_Defaults_LoopbackPortZeroAndFlussDefaults()
    {
        var settings = TabletServerSettings.FromConfiguration(Base());

        Assert.Equal(3, settings.ServerId);
        Assert.Equal(new HostPort("127.0.0.1", 0), settings.Bind);
        Assert.Null(settings.CoordinatorAddress);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.SessionTimeout);
        Assert.Equal(100 * 1024 * 1024, settings.MaxRequestSize);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.HighWatermarkCheckpointInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.RetentionCheckInterval);
        Assert.Equal(1024 * 1024 * 1024, settings.LogOptions.SegmentFileSize);
    }

    [Fact]
    public void FromConfiguration_ListenersAndCoordinator_Parsed()
    {
        var config = Base()
            .SetString("bind.listeners", "CLIENT://0.0.0.0:9000, FLUSS://10.0.0.5:9124")
            .SetString("advertised.listeners", "FLUSS://ts3.example:19124")
            .SetString("coordinator.address", "coord.example:9123")
            .SetString("zookeeper.client.session-timeout", "2s");

        var settings = TabletServerSettings.FromConfiguration(config);

        Assert.Equal(new HostPort("10.0.0.5", 9124), settings.Bind);
        Assert.Equal("ts3.example", settings.AdvertisedHost);
        Assert.Equal(19124, settings.AdvertisedPort);
        Assert.Equal(new HostPort("coord.example", 9123), settings.CoordinatorAddress);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.SessionTimeout);
    }

    [Fact]
    public void FromConfiguration_LegacyHostAndPort_Used()
    {
        var settings = TabletServerSettings.FromConfiguration(Base().SetString("tablet-server.host", "192.168.1.2").SetString("tablet-server.port", "9125"));

        Assert.Equal(new HostPort("192.168.1.2", 9125), settings.Bind);
        Assert.Equal("192.168.1.2", settings.AdvertisedHost);
    }

    [Theory]
    [InlineData("coordinator.address", "nohostport", "coordinator.address")]
    [InlineData("coordinator.address", "host:0", "coordinator.address")]
    [InlineData("bind.listeners", "127.0.0.1:9123", "bind.listeners")]
    [InlineData("bind.listeners", "OTHER://127.0.0.1:9123", "internal.listener.name")]
    [InlineData("tablet-server.port", "70000", "tablet-server.port")]
    [InlineData("zookeeper.client.session-timeout", "10ms", "zookeeper.client.session-timeout")]
    [InlineData("log.segment.file-size", "100b", "log.segment.file-size")]
    public void FromConfiguration_InvalidValue_InvalidConfigNamingTheKey(string key, string value, string named)
    {
        var e = Assert.Throws<InvalidConfigException>(() => TabletServerSettings.FromConfiguration(Base().SetString(key, value)));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_ListenersAndLegacyHostTogether_Refused()
    {
        var config = Base().SetString("bind.listeners", "FLUSS://127.0.0.1:0").SetString("tablet-server.host", "127.0.0.1");

        var e = Assert.Throws<InvalidConfigException>(() => TabletServerSettings.FromConfiguration(config));

        Assert.Contains("bind.listeners", e.Message, StringComparison.Ordinal);
        Assert.Contains("tablet-server.host", e.Message, StringComparison.Ordinal);
    }
}
