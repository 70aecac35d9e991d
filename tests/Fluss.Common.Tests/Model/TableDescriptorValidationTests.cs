using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Tests.Model;

public class TableDescriptorValidationTests
{
    private static TableDescriptor.Builder Pk(string columns = "id BIGINT, name STRING, ts TIMESTAMP(3), v INT", params string[] pk)
    {
        var schema = Schema.FromColumnList(columns, pk.Length == 0 ? ["id"] : pk);
        return TableDescriptor.NewBuilder().Schema(schema).DistributedBy(4).Property("table.replication.factor", "1");
    }

    private static TableDescriptor.Builder Log(string columns = "id BIGINT, name STRING, dt STRING") =>
        TableDescriptor.NewBuilder().Schema(Schema.FromColumnList(columns)).DistributedBy(4).Property("table.replication.factor", "1");

    private static T Fails<T>(TableDescriptor d, string message, int maxBuckets = 4096) where T : Exception
    {
        var ex = Assert.Throws<T>(() => TableDescriptorValidation.Validate(d, maxBuckets));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Validate_WellFormedTables_Pass()
    {
        TableDescriptorValidation.Validate(Pk().Property("table.merge-engine", "versioned").Property("table.merge-engine.versioned.ver-column", "ts").Build(), 4096);
        TableDescriptorValidation.Validate(Log().PartitionedBy("dt").Property("table.auto-partition.enabled", "TRUE")
            .Property("table.log.arrow.compression.type", "lz4_frame").Property("table.statistics.columns", "id, name").Build(), 4096);
    }

    [Theory]
    [InlineData("tags ARRAY<INT>", "tags ARRAY<INT> NOT NULL")]
    [InlineData("tags MAP<STRING, INT>", "tags MAP<STRING NOT NULL, INT> NOT NULL")]
    [InlineData("tags ROW<a INT>", "tags ROW<`a` INT> NOT NULL")]
    public void Validate_PrimaryKeyOverNestedType_RejectedNamingColumn(string column, string shown)
    {
        var d = Pk(column + ", v INT", "tags").Build();
        var ex = Fails<InvalidTableException>(d, "Primary key column 'tags' has unsupported data type");
        Assert.Contains(shown.Split(' ', 2)[1], ex.Message, StringComparison.Ordinal);
        Assert.Contains("[ARRAY, MAP, ROW]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BucketKeyOverNestedType_Rejected()
    {
        var d = Log("id BIGINT, m MAP<STRING, INT>").DistributedBy(4, "m").Build();
        Fails<InvalidTableException>(d, "Bucket key column 'm' has unsupported data type MAP<STRING NOT NULL, INT>");
    }

    [Fact]
    public void Validate_TooManyBuckets_BucketMaxNumError()
    {
        var ex = Fails<FlussException>(Pk().DistributedBy(10).Build(), "Bucket count 10 exceeds the maximum limit 8", maxBuckets: 8);
        Assert.Equal(FlussErrorCode.BucketMaxNum, ex.ErrorCode);
    }

    [Fact]
    public void Validate_MissingDistributionOrCount_Rejected()
    {
        Fails<InvalidTableException>(TableDescriptor.NewBuilder().Schema(Schema.FromColumnList("a INT")).Property("table.replication.factor", "1").Build(), "Table distribution is required.");
        Fails<InvalidTableException>(TableDescriptor.NewBuilder().Schema(Schema.FromColumnList("a INT", "a")).Property("table.replication.factor", "1").Build(), "Bucket number must be set.");
    }

    [Fact]
    public void Validate_MissingReplicationFactor_Rejected()
    {
        var d = TableDescriptor.NewBuilder().Schema(Schema.FromColumnList("a INT")).DistributedBy(1).Build();
        Fails<InvalidConfigException>(d, "Missing required table property 'table.replication.factor'.");
        Fails<InvalidConfigException>(Log().Property("table.replication.factor", "0").Build(), "table.replication.factor must be at least 1, got 0");
    }

    [Fact]
    public void Validate_UnknownTableProperty_RejectedByName()
    {
        Fails<InvalidConfigException>(Log().Property("table.log.tll", "1d").Build(), "'table.log.tll' is not a known Fluss table property");
        Fails<InvalidConfigException>(Log().Property("paimon.file.format", "orc").Build(), "'paimon.file.format' is not a Fluss table property; put it into the table's custom properties");
    }

    [Fact]
    public void Validate_InvalidPropertyValues_RejectedNamingKeyValueAndRule()
    {
        Fails<InvalidConfigException>(Log().Property("table.log.arrow.compression.zstd.level", "30").Build(),
            "table.log.arrow.compression.zstd.level must be between 1 and 22, got 30");
        Fails<InvalidConfigException>(Log().Property("table.log.format", "parquet").Build(),
            "table.log.format must be one of [ARROW, INDEXED, COMPACTED] (case-insensitive), got 'parquet'");
        Fails<InvalidConfigException>(Log().Property("table.log.ttl", "7").Build(), "table.log.ttl must be a duration");
    }

    [Fact]
    public void Validate_PrimaryKeyWithIndexedLog_Rejected()
    {
        Fails<InvalidConfigException>(Pk().Property("table.log.format", "INDEXED").Build(), "support only the ARROW or COMPACTED log format");
    }

    [Fact]
    public void Validate_MergeEngineRules()
    {
        Fails<InvalidConfigException>(Log().Property("table.merge-engine", "first_row").Build(), "only supported for primary-key tables");
        Fails<InvalidConfigException>(Pk().Property("table.merge-engine", "versioned").Build(), "'table.merge-engine.versioned.ver-column' must be set");
        Fails<InvalidConfigException>(Pk().Property("table.merge-engine", "versioned").Property("table.merge-engine.versioned.ver-column", "nope").Build(),
            "The version column 'nope' of the VERSIONED merge engine does not exist");
        Fails<InvalidConfigException>(Pk().Property("table.merge-engine", "versioned").Property("table.merge-engine.versioned.ver-column", "name").Build(),
            "must be INT, BIGINT, TIMESTAMP or TIMESTAMP_LTZ, but is STRING");
        Fails<InvalidConfigException>(Pk().Property("table.merge-engine", "aggregation").Property("table.changelog.image", "wal").Build(),
            "needs the FULL changelog image");
    }

    [Fact]
    public void Validate_AggregateFunctions()
    {
        var schema = Schema.NewBuilder().Column("id", new Types.IntType()).Column("flag", new Types.StringType(), new AggFunction(AggFunctionType.BoolAnd)).PrimaryKey("id").Build();
        var withoutEngine = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(1).Property("table.replication.factor", "1").Build();
        Fails<InvalidConfigException>(withoutEngine, "Column 'flag' has aggregate function 'bool_and'");
        var withEngine = TableDescriptor.NewBuilder(withoutEngine).Property("table.merge-engine", "aggregation").Build();
        Fails<InvalidConfigException>(withEngine, "Invalid aggregate function for column 'flag': Aggregate function 'bool_and' does not support type STRING");

        var badParam = Schema.NewBuilder().Column("id", new Types.IntType())
            .Column("s", new Types.StringType(), new AggFunction(AggFunctionType.Sum, new Dictionary<string, string> { ["x"] = "1" })).PrimaryKey("id").Build();
        Fails<InvalidConfigException>(TableDescriptor.NewBuilder(withEngine).Schema(badParam).Build(), "Parameter 'x' is not supported");
    }

    [Fact]
    public void Validate_DeleteBehaviorRules()
    {
        Fails<InvalidConfigException>(Log().Property("table.delete.behavior", "ignore").Build(), "only supported for primary-key tables");
        Fails<InvalidConfigException>(Pk().Property("table.merge-engine", "first_row").Property("table.delete.behavior", "allow").Build(),
            "The FIRST_ROW merge engine does not support deletes");
        TableDescriptorValidation.Validate(Pk().Property("table.merge-engine", "aggregation").Property("table.delete.behavior", "allow").Build(), 4096);
    }

    [Fact]
    public void Validate_LocalTtlLongerThanTtl_Rejected()
    {
        Fails<InvalidConfigException>(Log().Property("table.log.ttl", "1 d").Property("table.log.local-ttl", "2d").Build(),
            "'table.log.local-ttl' (172800000 ms) must be less than or equal to 'table.log.ttl' (86400000 ms)");
        TableDescriptorValidation.Validate(Log().Property("table.log.ttl", "0 ms").Property("table.log.local-ttl", "2d").Build(), 4096);
        Fails<InvalidConfigException>(Log().Property("table.log.tiered.local-segments", "0").Build(), "table.log.tiered.local-segments must be at least 1, got 0");
    }

    [Fact]
    public void Validate_PartitionRules()
    {
        Fails<InvalidConfigException>(Log().Property("table.auto-partition.enabled", "true").Build(), "Auto partitioning needs a partitioned table");
        Fails<InvalidTableException>(Log("id BIGINT, price DECIMAL(10, 2)").PartitionedBy("price").Build(),
            "Partition key 'price' has unsupported data type DECIMAL(10, 2)");
        Fails<InvalidTableException>(Log("id BIGINT, a STRING, b STRING").PartitionedBy("a", "b").Property("table.auto-partition.enabled", "true").Build(),
            "must name the time key in 'table.auto-partition.key'");
        Fails<InvalidTableException>(Log("id BIGINT, a STRING, b STRING").PartitionedBy("a", "b").Property("table.auto-partition.enabled", "true")
            .Property("table.auto-partition.key", "id").Build(), "The auto partition key 'id' is not a partition key");
        Fails<InvalidTableException>(Log("id BIGINT, d DATE").PartitionedBy("d").Property("table.auto-partition.enabled", "true").Build(),
            "'table.auto-partition.time-format' must be 'yyyy-MM-dd'");
    }

    [Fact]
    public void Validate_ReservedColumnNames_Rejected()
    {
        Fails<InvalidTableException>(Log("id BIGINT, __offset BIGINT").Build(), "__offset cannot be used as column names");
    }

    [Fact]
    public void Validate_StatisticsColumns()
    {
        Fails<InvalidConfigException>(Pk().Property("table.statistics.columns", "*").Build(), "not supported for primary-key tables");
        Fails<InvalidConfigException>(Log().Property("table.statistics.columns", "nope").Build(), "Statistics column 'nope' does not exist");
        Fails<InvalidConfigException>(Log("id BIGINT, b BYTES").Property("table.statistics.columns", "b").Build(), "Statistics column 'b' of type BYTES is not supported");
    }

    [Fact]
    public void Validate_LakeFormatDiffersFromCluster_Rejected()
    {
        var d = Log().Property("table.datalake.enabled", "true").Property("table.datalake.format", "iceberg").Build();
        var ex = Assert.Throws<InvalidConfigException>(() => TableDescriptorValidation.Validate(d, 4096, DataLakeFormat.Paimon));
        Assert.Contains("'table.datalake.format' ('iceberg') must match the cluster's 'datalake.format' ('paimon')", ex.Message, StringComparison.Ordinal);
        TableDescriptorValidation.Validate(d, 4096, DataLakeFormat.Iceberg);
    }

    [Fact]
    public void Validate_HistoricalPartitionRequirements_ListsAllUnmet()
    {
        var ex = Fails<InvalidConfigException>(Log().Property("table.datalake.historical-partition.enabled", "true").Build(), "has unmet requirements");
        Assert.Contains("'table.auto-partition.enabled' must be true", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the table must define a primary key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("exactly one partition key (found 0)", ex.Message, StringComparison.Ordinal);
    }
}
