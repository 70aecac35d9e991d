using Fluss.Config;
using Fluss.Coordinator;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Tests.Coordinator.Support;
using Fluss.Types;

namespace Fluss.Tests.Coordinator;

public class TableDefaultsTests
{
    private static readonly TablePath Path = new("shop", "orders");

    private static CoordinatorSettings Settings(params (string Key, string Value)[] extra)
    {
        var conf = new Configuration().SetString("bind.listeners", "FLUSS://127.0.0.1:0");
        foreach (var (k, v) in extra) conf.SetString(k, v);
        return CoordinatorSettings.From(conf);
    }

    [Fact]
    public void Apply_LogTableWithoutDistribution_GetsClusterBucketCountAndReplicationFactor()
    {
        var d = TableDefaults.Apply(Path, Tables.Log(), Settings(("default.bucket.number", "3"), ("default.replication.factor", "2")));
        Assert.Equal(3, d.BucketCount);
        Assert.Equal("2", d.Properties["table.replication.factor"]);
        Assert.False(d.Properties.ContainsKey("table.kv.format-version"));
    }

    [Fact]
    public void Apply_PrimaryKeyTable_GetsKvFormatVersionAndStandby()
    {
        var d = TableDefaults.Apply(Path, Tables.PrimaryKey(buckets: 4), Settings());
        Assert.Equal(4, d.BucketCount);
        Assert.Equal("2", d.Properties["table.kv.format-version"]);
        Assert.Equal("true", d.Properties["table.kv.standby-replica.enabled"]);
        Assert.Equal(["id"], d.BucketKeys);
    }

    [Theory]
    [InlineData("first_row")]
    [InlineData("versioned")]
    public void Apply_MergeEngineWithoutDeleteBehavior_DeletesAreIgnored(string engine)
    {
        var b = TableDescriptor.NewBuilder()
            .Schema(Schema.NewBuilder().Column("id", new IntType(false)).Column("v", new BigIntType()).PrimaryKey("id").Build())
            .Property("table.merge-engine", engine);
        if (engine == "versioned") b.Property("table.merge-engine.versioned.ver-column", "v");
        var d = TableDefaults.Apply(Path, b.Build(), Settings());
        Assert.Equal(DeleteBehavior.Ignore, d.TableConfig.DeleteBehavior);
    }

    [Fact]
    public void Apply_PartitionedTable_NotSupportedYet()
    {
        var partitioned = TableDescriptor.NewBuilder()
            .Schema(Schema.NewBuilder().Column("id", new IntType(false)).Column("dt", new StringType()).Build())
            .PartitionedBy("dt").Build();
        var e = Assert.Throws<InvalidTableException>(() => TableDefaults.Apply(Path, partitioned, Settings()));
        Assert.Contains("partitioned tables are not supported yet", e.Message);
        Assert.Contains("shop.orders", e.Message);
    }

    [Fact]
    public void Apply_BucketCountAboveMax_BucketMaxNum()
    {
        var e = Assert.ThrowsAny<FlussException>(() => TableDefaults.Apply(Path, Tables.Log(buckets: 9), Settings(("max.bucket.num", "8"))));
        Assert.Equal(FlussErrorCode.BucketMaxNum, e.ErrorCode);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Apply_LakeTableOnClusterWithoutLake_Refused()
    {
        var d = TableDescriptor.NewBuilder().Schema(Tables.LogSchema()).Property("table.datalake.enabled", "true").Build();
        var e = Assert.Throws<InvalidTableException>(() => TableDefaults.Apply(Path, d, Settings()));
        Assert.Contains("table.datalake.enabled", e.Message);
        var lake = TableDefaults.Apply(Path, d, Settings(("datalake.format", "paimon")));
        Assert.Equal(DataLakeFormat.Paimon, lake.TableConfig.DataLakeFormat);
    }

    [Fact]
    public void Apply_KindDisallowed_Refused()
    {
        Assert.Throws<InvalidTableException>(() => TableDefaults.Apply(Path, Tables.Log(), Settings(("allow.create.log.tables", "false"))));
        Assert.Throws<InvalidTableException>(() => TableDefaults.Apply(Path, Tables.PrimaryKey(), Settings(("allow.create.kv.tables", "false"))));
    }
}
