using Fluss.Config;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Fluss.Tiering.Internal;

namespace Fluss.Tiering.Tests;

public class TieringServiceOptionsTests
{
    private static readonly PaimonLakeStorage Lake = new(Path.GetTempPath());

    [Fact]
    public void FromConfiguration_AllKeys_AreRead()
    {
        var conf = new Configuration()
            .SetString("bootstrap.servers", "127.0.0.1:9123,127.0.0.1:9124")
            .SetString("client.request-timeout", "7 s")
            .SetString("lake.tiering.poll.table.interval", "5 s")
            .SetString("lake.tiering.workers", "3")
            .SetString("lake.tiering.heartbeat.interval", "2 s")
            .SetString("lake.tiering.bucket.max-bytes-per-round", "8 mb")
            .SetString("lake.tiering.bucket.parallelism", "4")
            .SetString("hangfire.storage", "postgresql")
            .SetString("hangfire.postgresql.connection-string", "Host=127.0.0.1;Username=u")
            .SetString("hangfire.postgresql.schema", "tiering_a")
            .SetString("hangfire.dashboard.port", "0");

        var o = TieringServiceOptions.FromConfiguration(conf, Lake);

        Assert.Equal("127.0.0.1:9123,127.0.0.1:9124", o.BootstrapServers);
        Assert.Equal(TimeSpan.FromSeconds(7), o.Client!.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), o.PollInterval);
        Assert.Equal(3, o.Workers);
        Assert.Equal(TimeSpan.FromSeconds(2), o.HeartbeatInterval);
        Assert.Equal(8L << 20, o.MaxBytesPerBucketRound);
        Assert.Equal(4, o.BucketParallelism);
        Assert.Equal(TieringJobStorage.PostgreSql, o.JobStorage);
        Assert.Equal("Host=127.0.0.1;Username=u", o.PostgreSqlConnectionString);
        Assert.Equal("tiering_a", o.PostgreSqlSchema);
        Assert.Equal(0, o.DashboardPort);
        Assert.Same(Lake, o.LakeStorage);
    }

    [Fact]
    public void FromConfiguration_OnlyBootstrap_GivesTheDefaults()
    {
        var o = TieringServiceOptions.FromConfiguration(new Configuration().SetString("bootstrap.servers", "127.0.0.1:9123"), Lake);

        Assert.Equal(TimeSpan.FromSeconds(1), o.PollInterval);
        Assert.Equal(4, o.Workers);
        Assert.Equal(TieringJobStorage.InMemory, o.JobStorage);
        Assert.Null(o.DashboardPort);
    }

    [Fact]
    public void FromConfiguration_FlussPollKey_IsAcceptedAsFallback()
    {
        var o = TieringServiceOptions.FromConfiguration(new Configuration()
            .SetString("bootstrap.servers", "127.0.0.1:9123").SetString("tiering.poll.table.interval", "30 s"), Lake);
        Assert.Equal(TimeSpan.FromSeconds(30), o.PollInterval);
    }

    [Theory]
    [InlineData("hangfire.storage", "redis", "hangfire.storage")]
    [InlineData("hangfire.storage", "postgresql", "hangfire.postgresql.connection-string")]
    [InlineData("lake.tiering.workers", "0", "lake.tiering.workers")]
    [InlineData("lake.tiering.poll.table.interval", "7 s", "lake.tiering.poll.table.interval")]
    [InlineData("lake.tiering.poll.table.interval", "500 ms", "lake.tiering.poll.table.interval")]
    [InlineData("hangfire.dashboard.port", "70000", "hangfire.dashboard.port")]
    [InlineData("hangfire.postgresql.schema", "x; drop", "hangfire.postgresql.schema")]
    public void FromConfiguration_InvalidValue_NamesTheKey(string key, string value, string named)
    {
        var conf = new Configuration().SetString("bootstrap.servers", "127.0.0.1:9123").SetString(key, value);
        var e = Assert.ThrowsAny<FlussException>(() => TieringServiceOptions.FromConfiguration(conf, Lake));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_NoBootstrapServers_SaysWhatToSet()
    {
        var e = Assert.Throws<InvalidConfigException>(() => TieringServiceOptions.FromConfiguration(new Configuration(), Lake));
        Assert.Contains("bootstrap.servers", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "* * * * * *")]
    [InlineData(2, "*/2 * * * * *")]
    [InlineData(30, "*/30 * * * * *")]
    [InlineData(60, "0 * * * * *")]
    [InlineData(300, "0 */5 * * * *")]
    [InlineData(3600, "0 0 * * * *")]
    public void CronOf_Interval_FiresEveryInterval(int seconds, string cron) =>
        Assert.Equal(cron, HangfireSetup.CronOf(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(7)]
    [InlineData(90)]
    [InlineData(7200)]
    public void CronOf_IntervalNotDividingTheMinuteOrHour_IsRefused(int seconds) =>
        Assert.Throws<InvalidConfigException>(() => HangfireSetup.CronOf(TimeSpan.FromSeconds(seconds)));
}
