using System.Text.Json;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Types;

namespace Fluss.Tests.Model;

public class TableDescriptorTests
{
    private static readonly Schema PkSchema = Schema.NewBuilder()
        .Column("f0", new StringType())
        .Column("f1", new BigIntType())
        .Column("f3", new StringType())
        .PrimaryKey("f0", "f3")
        .Build();

    private static readonly Schema LogSchema = Schema.FromColumnList("f0 STRING, f1 BIGINT, f3 STRING");

    private static TableDescriptor Descriptor0() =>
        TableDescriptor.NewBuilder()
            .Schema(SchemaTests.Schema0)
            .Comment("first table")
            .PartitionedBy("c")
            .DistributedBy(16, "a")
            // Fluss's vector lists option-2 first (Java HashMap order); properties keep insertion order here.
            .Property("option-2", "200")
            .Property("option-1", "100")
            .CustomProperty("custom-1", "\"value-1\"")
            .Build();

    private static TableDescriptor Descriptor1() =>
        TableDescriptor.NewBuilder()
            .Schema(SchemaTests.Schema1)
            .DistributedBy(32)
            .Property("option-3", "300")
            .Property("option-4", "400")
            .LogFormat(LogFormat.Indexed)
            .KvFormat(KvFormat.Indexed)
            .Build();

    // From Fluss's TableDescriptorJsonSerdeTest.
    private const string Json0 =
        """{"version":1,"schema":""" + SchemaTests.SchemaJson0 +
        ""","comment":"first table","partition_key":["c"],"bucket_key":["a"],"bucket_count":16,"properties":{"option-2":"200","option-1":"100"},"custom_properties":{"custom-1":"\"value-1\""}}""";

    private const string Json1 =
        """{"version":1,"schema":""" + SchemaTests.SchemaJson1 +
        ""","partition_key":[],"bucket_key":["a"],"bucket_count":32,"properties":{"option-3":"300","option-4":"400","table.log.format":"INDEXED","table.kv.format":"INDEXED"},"custom_properties":{}}""";

    [Fact]
    public void ToJson_FlussVectors_WritesFlussJson()
    {
        Assert.Equal(Json0, Descriptor0().ToJson());
        Assert.Equal(Json1, Descriptor1().ToJson());
    }

    [Fact]
    public void FromJson_FlussVectors_ReadsEqualDescriptors()
    {
        Assert.Equal(Descriptor0(), TableDescriptor.FromJson(Json0));
        Assert.Equal(Descriptor1(), TableDescriptor.FromJson(Json1));
        Assert.Equal(Json1, TableDescriptor.FromJson(Json1).ToJson());
    }

    [Fact]
    public void FromJson_Utf8Bytes_RoundTrip()
    {
        var d = Descriptor0();
        Assert.Equal(d, TableDescriptor.FromJson(d.ToJsonBytes()));
    }

    [Fact]
    public void FromJson_LogTableWithoutDistribution_HasNoBucketFields()
    {
        var d = TableDescriptor.NewBuilder().Schema(LogSchema).Build();
        var json = d.ToJson();
        Assert.DoesNotContain("bucket_key", json, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket_count", json, StringComparison.Ordinal);
        var back = TableDescriptor.FromJson(json);
        Assert.Null(back.Distribution);
        Assert.Equal(d, back);
    }

    [Fact]
    public void FromJson_BucketKeysWithoutCount_KeepsCountUnset()
    {
        var d = TableDescriptor.NewBuilder().Schema(PkSchema).Build();
        var back = TableDescriptor.FromJson(d.ToJson());
        Assert.Null(back.BucketCount);
        Assert.Equal(["f0", "f3"], back.BucketKeys);
    }

    [Fact]
    public void FromJson_MissingPartitionKey_ThrowsJsonException()
    {
        var json = Json1.Replace("\"partition_key\":[],", string.Empty, StringComparison.Ordinal);
        var ex = Assert.Throws<JsonException>(() => TableDescriptor.FromJson(json));
        Assert.Contains("'partition_key'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PrimaryKeyTableWithoutBucketKeys_UsesPrimaryKey()
    {
        var d = TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(10).Build();
        Assert.Equal(["f0", "f3"], d.BucketKeys);
        Assert.Equal(10, d.BucketCount);
        Assert.True(d.IsDefaultBucketKey);
        Assert.True(d.HasPrimaryKey);
    }

    [Fact]
    public void Build_PartitionedPrimaryKeyTable_DefaultBucketKeysExcludePartitionKeys()
    {
        var d = TableDescriptor.NewBuilder().Schema(PkSchema).PartitionedBy("f0").Build();
        Assert.Equal(["f3"], d.BucketKeys);
        Assert.Null(d.BucketCount);
        Assert.True(d.IsPartitioned);
        Assert.True(d.IsDefaultBucketKey);
    }

    [Fact]
    public void Build_LogTableWithBucketKey_IsNotDefault()
    {
        var d = TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(4, "f1").Build();
        Assert.False(d.IsDefaultBucketKey);
        Assert.Equal(["f1"], d.BucketKeys);
    }

    [Theory]
    [InlineData(new[] { "f1" }, "Bucket key 'f1' is not a primary key column")]
    [InlineData(new[] { "f0", "f1" }, "Bucket key 'f1' is not a primary key column")]
    public void Build_BucketKeyOutsidePrimaryKey_RejectedNamingColumn(string[] bucketKeys, string message)
    {
        var ex = Assert.Throws<InvalidTableException>(() => TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(10, bucketKeys).Build());
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("The primary key is [f0, f3], the partition keys are [], the bucket keys are [" + string.Join(", ", bucketKeys) + "]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BucketKeyIsPartitionKey_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            TableDescriptor.NewBuilder().Schema(PkSchema).PartitionedBy("f0").DistributedBy(10, "f0", "f3").Build());
        Assert.Contains("Bucket key 'f0' is also a partition key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PrimaryKeyEqualsPartitionKeys_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            TableDescriptor.NewBuilder().Schema(PkSchema).PartitionedBy("f0", "f3").Build());
        Assert.Contains("primary key [f0, f3] must not consist of partition keys only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownPartitionKey_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() => TableDescriptor.NewBuilder().Schema(LogSchema).PartitionedBy("unknown_p").Build());
        Assert.StartsWith("Partition key 'unknown_p' does not exist in the schema", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownBucketKey_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() => TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(3, "unknown_f").Build());
        Assert.StartsWith("Bucket key 'unknown_f' does not exist in the schema", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PartitionKeyOutsidePrimaryKey_Rejected()
    {
        var schema = Schema.FromColumnList("id INT, dt STRING", "id");
        var ex = Assert.Throws<InvalidTableException>(() => TableDescriptor.NewBuilder().Schema(schema).PartitionedBy("dt").Build());
        Assert.Contains("Partition key 'dt' of a primary-key table must be a primary key column", ex.Message, StringComparison.Ordinal);
        Assert.Contains("primary key is [id]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutSchema_Rejected()
    {
        Assert.Throws<InvalidTableException>(() => TableDescriptor.NewBuilder().Build());
    }

    [Fact]
    public void Property_TypedOption_UsesFlussTextForm()
    {
        var d = TableDescriptor.NewBuilder().Schema(LogSchema)
            .Property(ConfigOptions.TableLogTtl, TimeSpan.FromDays(7))
            .Property(ConfigOptions.TableDataLakeFreshness, TimeSpan.FromSeconds(90))
            .Property(ConfigOptions.TableMergeEngine, MergeEngineType.FirstRow)
            .Property(ConfigOptions.TableDataLakeFormat, DataLakeFormat.Paimon)
            .Build();
        Assert.Equal("604800000 ms", d.Properties["table.log.ttl"]);
        Assert.Equal("90 s", d.Properties["table.datalake.freshness"]);
        Assert.Equal("FIRST_ROW", d.Properties["table.merge-engine"]);
        Assert.Equal("paimon", d.Properties["table.datalake.format"]);
        Assert.Equal(TimeSpan.FromDays(7), d.TableConfig.LogTtl);
    }

    [Fact]
    public void Property_TypedOptionBreakingRule_Throws()
    {
        var ex = Assert.Throws<InvalidConfigException>(() =>
            TableDescriptor.NewBuilder().Property(ConfigOptions.TableLogArrowCompressionZstdLevel, 30));
        Assert.Equal("table.log.arrow.compression.zstd.level must be between 1 and 22, got 30", ex.Message);
    }

    [Fact]
    public void WithMethods_ChangeOnlyTheirPart()
    {
        var d = Descriptor1();
        var changed = d.WithReplicationFactor(3).WithBucketCount(8).WithDataLakeFormat(DataLakeFormat.Paimon).WithStandbyReplicaEnabled(true);
        Assert.Equal(3, changed.ReplicationFactor);
        Assert.Equal(8, changed.BucketCount);
        Assert.Equal(d.BucketKeys, changed.BucketKeys);
        Assert.Equal(DataLakeFormat.Paimon, changed.TableConfig.DataLakeFormat);
        Assert.True(changed.TableConfig.IsStandbyReplicaEnabled);
        Assert.Equal(d.Schema, changed.Schema);
        Assert.Throws<InvalidConfigException>(() => d.ReplicationFactor);
    }

    [Fact]
    public void NewBuilder_FromOrigin_CopiesEverything()
    {
        var d = Descriptor0();
        Assert.Equal(d, TableDescriptor.NewBuilder(d).Build());
    }

    [Fact]
    public void Equals_IgnoresPropertyOrder()
    {
        var a = TableDescriptor.NewBuilder().Schema(LogSchema).Property("x", "1").Property("y", "2").Build();
        var b = TableDescriptor.NewBuilder().Schema(LogSchema).Property("y", "2").Property("x", "1").Build();
        var c = TableDescriptor.NewBuilder().Schema(LogSchema).Property("y", "2").Property("x", "3").Build();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TableInfo_Of_ResolvesKeysAndRoundTripsDescriptor()
    {
        var d = TableDescriptor.NewBuilder().Schema(PkSchema).PartitionedBy("f0").DistributedBy(4).Property("table.replication.factor", "2").Build();
        var info = TableInfo.Of(TablePath.Of("db", "t"), 42, 1, d, "/remote", 1000, 2000);
        Assert.Equal(["f3"], info.PhysicalPrimaryKeys);
        Assert.Equal(["f3"], info.BucketKeys);
        Assert.True(info.IsDefaultBucketKey);
        Assert.True(info.IsPartitioned);
        Assert.False(info.IsAutoPartitioned);
        Assert.Equal(4, info.NumBuckets);
        Assert.Equal(2, info.TableConfig.ReplicationFactor);
        Assert.Equal(d, info.ToTableDescriptor());
    }

    [Fact]
    public void TableInfo_Of_WithoutBucketCount_Rejected()
    {
        var d = TableDescriptor.NewBuilder().Schema(PkSchema).Build();
        Assert.Throws<InvalidTableException>(() => TableInfo.Of(TablePath.Of("db", "t"), 1, 1, d, null, 0, 0));
    }
}
