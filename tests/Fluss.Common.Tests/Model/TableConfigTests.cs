using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Tests.Model;

public class TableConfigTests
{
    private static TableConfig Of(params (string Key, string Value)[] entries) =>
        TableConfig.FromProperties(entries.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)));

    [Fact]
    public void Getters_Unset_ReturnFlussDefaults()
    {
        var c = Of();
        Assert.Null(c.ReplicationFactor);
        Assert.Equal(LogFormat.Arrow, c.LogFormat);
        Assert.Equal(KvFormat.Compacted, c.KvFormat);
        Assert.Equal(ArrowCompressionInfo.Default, c.ArrowCompression);
        Assert.Equal("ZSTD-3", c.ArrowCompression.ToString());
        Assert.Null(c.MergeEngineType);
        Assert.Null(c.DeleteBehavior);
        Assert.Equal(DeleteBehavior.Allow, c.EffectiveDeleteBehavior);
        Assert.Equal(ChangelogImage.Full, c.ChangelogImage);
        Assert.False(c.IsDataLakeEnabled);
        Assert.Null(c.DataLakeFormat);
        Assert.Equal(TimeSpan.FromMinutes(3), c.DataLakeFreshness);
        Assert.Equal(TimeSpan.FromDays(7), c.LogTtl);
        Assert.Equal(TimeSpan.FromDays(7), c.LocalLogTtl);
        Assert.Equal(2, c.TieredLogLocalSegments);
        Assert.False(c.IsStatisticsEnabled);
        Assert.False(c.IsStandbyReplicaEnabled);
        var auto = c.AutoPartition;
        Assert.False(auto.IsEnabled);
        Assert.Equal(AutoPartitionTimeUnit.Day, auto.TimeUnit);
        Assert.Equal((2, 7), (auto.NumPreCreate, auto.NumToRetain));
    }

    [Fact]
    public void Getters_SetValues_Parsed()
    {
        var c = Of(
            ("table.replication.factor", "3"),
            ("table.log.arrow.compression.type", "lz4_frame"),
            ("table.merge-engine", "Versioned"),
            ("table.merge-engine.versioned.ver-column", "ts"),
            ("table.changelog.image", "wal"),
            ("table.datalake.enabled", "true"),
            ("table.datalake.format", "PAIMON"),
            ("table.datalake.freshness", "30s"),
            ("table.log.ttl", "1d"),
            ("table.log.local-ttl", "2 h"),
            ("table.statistics.columns", "a, b ,,c"));
        Assert.Equal(3, c.ReplicationFactor);
        Assert.Equal(new ArrowCompressionInfo(ArrowCompressionType.Lz4Frame, -1), c.ArrowCompression);
        Assert.Equal("LZ4_FRAME", c.ArrowCompression.ToString());
        Assert.Equal(MergeEngineType.Versioned, c.MergeEngineType);
        Assert.Equal("ts", c.MergeEngineVersionColumn);
        Assert.Equal(DeleteBehavior.Ignore, c.EffectiveDeleteBehavior);
        Assert.Equal(ChangelogImage.Wal, c.ChangelogImage);
        Assert.True(c.IsDataLakeEnabled);
        Assert.Equal(DataLakeFormat.Paimon, c.DataLakeFormat);
        Assert.Equal(TimeSpan.FromSeconds(30), c.DataLakeFreshness);
        Assert.Equal(TimeSpan.FromDays(1), c.LogTtl);
        Assert.Equal(TimeSpan.FromHours(2), c.LocalLogTtl);
        Assert.True(c.IsStatisticsEnabled);
        Assert.False(c.StatisticsAllColumns);
        Assert.Equal(["a", "b", "c"], c.StatisticsColumns);
        Assert.True(Of(("table.statistics.columns", "*")).StatisticsAllColumns);
    }

    [Fact]
    public void ArrowCompression_ZstdLevelOutOfRange_Throws()
    {
        var ex = Assert.Throws<InvalidConfigException>(() => Of(("table.log.arrow.compression.zstd.level", "30")).ArrowCompression);
        Assert.Equal("table.log.arrow.compression.zstd.level must be between 1 and 22, got 30", ex.Message);
        // The level is not read for other compression types, as in Fluss.
        Assert.Equal(-1, Of(("table.log.arrow.compression.type", "NONE"), ("table.log.arrow.compression.zstd.level", "30")).ArrowCompression.Level);
    }

    [Fact]
    public void EffectiveDeleteBehavior_ExplicitWins()
    {
        Assert.Equal(DeleteBehavior.Disable, Of(("table.merge-engine", "first_row"), ("table.delete.behavior", "disable")).EffectiveDeleteBehavior);
        Assert.Equal(DeleteBehavior.Ignore, Of(("table.merge-engine", "aggregation")).EffectiveDeleteBehavior);
    }

    [Fact]
    public void Validate_AllKnownValid_Passes()
    {
        Of(("table.log.format", "compacted"), ("table.kv.format", "INDEXED"), ("table.log.ttl", "0 ms"), ("table.auto-partition.time-unit", "hour")).Validate();
    }

    [Theory]
    [InlineData("table.log.tll", "1d", "'table.log.tll' is not a known Fluss table property")]
    [InlineData("bucket.num", "4", "'bucket.num' is not a Fluss table property; put it into the table's custom properties")]
    [InlineData("table.delete.behavior", "drop", "table.delete.behavior must be one of [ALLOW, IGNORE, DISABLE] (case-insensitive), got 'drop'.")]
    [InlineData("table.changelog.image", "half", "table.changelog.image must be one of [FULL, WAL] (case-insensitive), got 'half'.")]
    [InlineData("table.datalake.freshness", "soon", "table.datalake.freshness must be a duration")]
    [InlineData("table.kv.format-version", "3", "table.kv.format-version must be between 1 and 2, got 3")]
    [InlineData("table.auto-partition.time-unit", "week", "table.auto-partition.time-unit must be one of [YEAR, QUARTER, MONTH, DAY, HOUR]")]
    public void Validate_UnknownOrInvalid_RejectedByName(string key, string value, string message)
    {
        var ex = Assert.Throws<InvalidConfigException>(() => Of((key, value)).Validate());
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }
}
