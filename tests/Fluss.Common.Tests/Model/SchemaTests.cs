using System.Text.Json;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Types;

namespace Fluss.Tests.Model;

public class SchemaTests
{
    // Schemas and JSON from Fluss's SchemaJsonSerdeTest.
    internal static readonly Schema Schema0 = Schema.NewBuilder()
        .Column("a", new IntType()).WithComment("a is first column")
        .Column("b", new StringType()).WithComment("b is second column")
        .Column("c", new CharType(10)).WithComment("c is third column")
        .PrimaryKey("a", "c")
        .Build();

    internal static readonly Schema Schema1 = Schema.NewBuilder()
        .FromColumns([
            new Column("a", new IntType()),
            new Column("b", new StringType(), "b is second column"),
            new Column("c", new TimestampType(), "c is third column"),
        ])
        .PrimaryKey(["a"])
        .Build();

    internal static readonly Schema Schema3 = Schema.NewBuilder()
        .Column("a", new BigIntType()).WithComment("a is first column")
        .Column("b", new StringType()).WithComment("b is second column")
        .Column("c", new TimestampType(6)).WithComment("c is third column")
        .Build();

    internal static readonly Schema Schema4 = Schema.NewBuilder()
        .Column("a", new IntType()).WithComment("a is first column")
        .Column("b", new IntType()).WithComment("b is second column")
        .Column("c", new CharType(10)).WithComment("c is third column")
        .PrimaryKey("a", "c")
        .EnableAutoIncrement("b")
        .Build();

    internal static readonly Schema Schema5 = Schema.NewBuilder()
        .Column("a", new IntType()).WithComment("a is first column")
        .Column("b", new RowType([
            new DataField("c", new IntType(), 0, "a is first column"),
            new DataField("d", new IntType(), 1, "a is first column"),
        ])).WithComment("b is second column")
        .Build();

    internal static readonly Schema SchemaWithAgg = Schema.NewBuilder()
        .Column("product_id", new BigIntType(false))
        .Column("total_sales", new BigIntType(), new AggFunction(AggFunctionType.Sum))
        .Column("max_price", new DecimalType(10, 2), new AggFunction(AggFunctionType.Max))
        .Column("last_update_time", new TimestampType(), new AggFunction(AggFunctionType.LastValueIgnoreNulls))
        .Column("tags", new StringType(), AggFunction.ListAgg(";"))
        .Column("categories", new StringType(), AggFunction.StringAgg("|"))
        .Column("labels", new StringType(), AggFunction.ListAgg())
        .PrimaryKey("product_id")
        .Build();

    internal const string SchemaJson0 = """{"version":1,"columns":[{"name":"a","data_type":{"type":"INTEGER","nullable":false},"comment":"a is first column","id":0},{"name":"b","data_type":{"type":"STRING"},"comment":"b is second column","id":1},{"name":"c","data_type":{"type":"CHAR","nullable":false,"length":10},"comment":"c is third column","id":2}],"primary_key":["a","c"],"highest_field_id":2}""";
    internal const string SchemaJson1 = """{"version":1,"columns":[{"name":"a","data_type":{"type":"INTEGER","nullable":false},"id":0},{"name":"b","data_type":{"type":"STRING"},"comment":"b is second column","id":1},{"name":"c","data_type":{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":6},"comment":"c is third column","id":2}],"primary_key":["a"],"highest_field_id":2}""";
    internal const string SchemaJson3 = """{"version":1,"columns":[{"name":"a","data_type":{"type":"BIGINT"},"comment":"a is first column","id":0},{"name":"b","data_type":{"type":"STRING"},"comment":"b is second column","id":1},{"name":"c","data_type":{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":6},"comment":"c is third column","id":2}],"highest_field_id":2}""";
    internal const string SchemaJson4 = """{"version":1,"columns":[{"name":"a","data_type":{"type":"INTEGER","nullable":false},"comment":"a is first column","id":0},{"name":"b","data_type":{"type":"INTEGER"},"comment":"b is second column","id":1},{"name":"c","data_type":{"type":"CHAR","nullable":false,"length":10},"comment":"c is third column","id":2}],"primary_key":["a","c"],"auto_increment_column":["b"],"highest_field_id":2}""";
    internal const string SchemaJson5 = """{"version":1,"columns":[{"name":"a","data_type":{"type":"INTEGER"},"comment":"a is first column","id":0},{"name":"b","data_type":{"type":"ROW","fields":[{"name":"c","field_type":{"type":"INTEGER"},"description":"a is first column","field_id":2},{"name":"d","field_type":{"type":"INTEGER"},"description":"a is first column","field_id":3}]},"comment":"b is second column","id":1}],"highest_field_id":3}""";
    internal const string SchemaJsonWithAgg = """{"version":1,"columns":[{"name":"product_id","data_type":{"type":"BIGINT","nullable":false},"id":0},{"name":"total_sales","data_type":{"type":"BIGINT"},"agg_function":{"type":"sum"},"id":1},{"name":"max_price","data_type":{"type":"DECIMAL","precision":10,"scale":2},"agg_function":{"type":"max"},"id":2},{"name":"last_update_time","data_type":{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":6},"agg_function":{"type":"last_value_ignore_nulls"},"id":3},{"name":"tags","data_type":{"type":"STRING"},"agg_function":{"type":"listagg","parameters":{"delimiter":";"}},"id":4},{"name":"categories","data_type":{"type":"STRING"},"agg_function":{"type":"string_agg","parameters":{"delimiter":"|"}},"id":5},{"name":"labels","data_type":{"type":"STRING"},"agg_function":{"type":"listagg"},"id":6}],"primary_key":["product_id"],"highest_field_id":6}""";

    public static TheoryData<string, string> JsonVectors() => new()
    {
        { "0", SchemaJson0 },
        { "1", SchemaJson1 },
        { "2", SchemaJson1 },
        { "3", SchemaJson3 },
        { "4", SchemaJson4 },
        { "5", SchemaJson5 },
        { "agg", SchemaJsonWithAgg },
    };

    private static Schema ByName(string name) => name switch
    {
        "0" => Schema0,
        "1" => Schema1,
        "2" => Schema.NewBuilder().FromSchema(Schema1).Build(),
        "3" => Schema3,
        "4" => Schema4,
        "5" => Schema5,
        _ => SchemaWithAgg,
    };

    [Theory]
    [MemberData(nameof(JsonVectors))]
    public void ToJson_FlussVector_WritesFlussJson(string schema, string expectedJson)
    {
        Assert.Equal(expectedJson, ByName(schema).ToJson());
    }

    [Theory]
    [MemberData(nameof(JsonVectors))]
    public void FromJson_FlussVector_ReadsEqualSchemaWithFieldIds(string schema, string json)
    {
        var expected = ByName(schema);
        var actual = Schema.FromJson(json);
        Assert.Equal(expected, actual);
        Assert.True(DataTypeChecks.EqualsWithFieldId(expected.RowType, actual.RowType));
        Assert.Equal(json, actual.ToJson());
    }

    public static TheoryData<string, string> JsonWithoutColumnIds() => new()
    {
        // Schemas written before column ids existed (Fluss's compatibility vectors): ids follow column order.
        { "0", """{"version":1,"columns":[{"name":"a","data_type":{"type":"INTEGER","nullable":false},"comment":"a is first column"},{"name":"b","data_type":{"type":"STRING"},"comment":"b is second column"},{"name":"c","data_type":{"type":"CHAR","nullable":false,"length":10},"comment":"c is third column"}],"primary_key":["a","c"]}""" },
        { "1", """{"version":1,"columns":[{"name":"a","data_type":{"type":"INTEGER","nullable":false}},{"name":"b","data_type":{"type":"STRING"},"comment":"b is second column"},{"name":"c","data_type":{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":6},"comment":"c is third column"}],"primary_key":["a"]}""" },
        { "3", """{"version":1,"columns":[{"name":"a","data_type":{"type":"BIGINT"},"comment":"a is first column"},{"name":"b","data_type":{"type":"STRING"},"comment":"b is second column"},{"name":"c","data_type":{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":6},"comment":"c is third column"}]}""" },
    };

    [Theory]
    [MemberData(nameof(JsonWithoutColumnIds))]
    public void FromJson_WithoutColumnIds_AssignsIdsInOrder(string schema, string json)
    {
        var actual = Schema.FromJson(json);
        Assert.Equal(ByName(schema), actual);
        Assert.Equal([0, 1, 2], actual.ColumnIds);
        Assert.Equal(2, actual.HighestFieldId);
    }

    [Fact]
    public void ColumnJson_FlussVectors_MatchColumnSerde()
    {
        // From Fluss's ColumnJsonSerdeTest.
        var schema = Schema.NewBuilder().FromColumns([
            new Column("a", new StringType(), null, 0),
            new Column("b", new IntType(), "hello b", 1),
            new Column("d", new IntType(false), "hello c", 2),
        ]).Build();
        var json = schema.ToJson();
        Assert.Contains("""{"name":"a","data_type":{"type":"STRING"},"id":0}""", json, StringComparison.Ordinal);
        Assert.Contains("""{"name":"b","data_type":{"type":"INTEGER"},"comment":"hello b","id":1}""", json, StringComparison.Ordinal);
        Assert.Contains("""{"name":"d","data_type":{"type":"INTEGER","nullable":false},"comment":"hello c","id":2}""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_UnknownAggFunction_IsIgnoredAsFlussDoes()
    {
        const string json = """{"version":1,"columns":[{"name":"k","data_type":{"type":"INTEGER","nullable":false},"id":0},{"name":"v","data_type":{"type":"INTEGER"},"agg_function":{"type":"median"},"id":1}],"primary_key":["k"],"highest_field_id":1}""";
        Assert.Null(Schema.FromJson(json).Columns[1].AggFunction);
    }

    [Fact]
    public void FromJson_AggFunctionWithHyphens_Parsed()
    {
        const string json = """{"version":1,"columns":[{"name":"k","data_type":{"type":"INTEGER","nullable":false},"id":0},{"name":"v","data_type":{"type":"INTEGER"},"agg_function":{"type":"Last-Value-Ignore-Nulls"},"id":1}],"primary_key":["k"],"highest_field_id":1}""";
        Assert.Equal(AggFunctionType.LastValueIgnoreNulls, Schema.FromJson(json).Columns[1].AggFunction!.Type);
    }

    [Fact]
    public void FromJson_MissingColumns_ThrowsJsonException()
    {
        var ex = Assert.Throws<JsonException>(() => Schema.FromJson("""{"version":1}"""));
        Assert.Contains("'columns'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PrimaryKey_ColumnsBecomeNotNullAndConstraintNamed()
    {
        Assert.False(Schema0.Columns[0].DataType.IsNullable);
        Assert.True(Schema0.Columns[1].DataType.IsNullable);
        Assert.False(Schema0.Columns[2].DataType.IsNullable);
        Assert.Equal("PK_a_c", Schema0.PrimaryKey!.ConstraintName);
        Assert.Equal([0, 2], Schema0.PrimaryKeyIndexes);
        Assert.Equal("CONSTRAINT PK_a_c PRIMARY KEY (a, c)", Schema0.PrimaryKey.ToString());
    }

    [Fact]
    public void Build_NestedRows_ReassignsFieldIdsDepthFirst()
    {
        // Fluss's TableSchemaTest: ids are handed out in flattened order.
        var schema = Schema.NewBuilder()
            .Column("f0", new StringType(false))
            .Column("f1", new RowType([
                new DataField("n0", new TinyIntType(), 0),
                new DataField("n1", new StringType(), 1),
                new DataField("n2", new RowType([new DataField("m1", new TinyIntType(), 0)]), 2),
            ]))
            .Column("f2", new RowType([new DataField("n0", new TinyIntType(), 0), new DataField("n1", new StringType(), 1)]))
            .Column("f3", new StringType())
            .PrimaryKey("f0")
            .Build();
        Assert.Equal([0, 1, 6, 9], schema.ColumnIds);
        var f1 = (RowType)schema.Columns[1].DataType;
        Assert.Equal([2, 3, 4], f1.Fields.Select(f => f.FieldId));
        Assert.Equal(5, ((RowType)f1.Fields[2].Type).Fields[0].FieldId);
        Assert.Equal([7, 8], ((RowType)schema.Columns[2].DataType).Fields.Select(f => f.FieldId));
        Assert.Equal(9, schema.HighestFieldId);
    }

    [Fact]
    public void FromColumns_DuplicateNestedIds_Rejected()
    {
        var columns = new[]
        {
            new Column("f0", new StringType(false), null, 0),
            new Column("f1", new RowType([new DataField("n0", new TinyIntType(), 0), new DataField("n1", new StringType(), 1)]), null, 1),
        };
        var ex = Assert.Throws<InvalidTableException>(() => Schema.NewBuilder().FromColumns(columns).Build());
        Assert.Contains("must be unique", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 unique ids among 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromColumns_MixedIds_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().FromColumns([new Column("a", new IntType(), null, 0), new Column("b", new IntType())]));
        Assert.Contains("[b]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DuplicateColumn_RejectedNamingIt()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("id", new IntType()).Column("name", new StringType()).Column("id", new BigIntType()).Build());
        Assert.Contains("Column 'id' is defined more than once", ex.Message, StringComparison.Ordinal);
        Assert.Equal(FlussErrorCode.InvalidTable, ex.ErrorCode);
    }

    [Fact]
    public void Build_PrimaryKeyOnUnknownColumn_RejectedNamingIt()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("id", new IntType()).PrimaryKey("idd").Build());
        Assert.Contains("Primary key column 'idd' does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[id]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PrimaryKeyRepeatsColumn_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("id", new IntType()).PrimaryKey("id", "id").Build());
        Assert.Contains("'id' is listed more than once", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrimaryKey_CalledTwice_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("f0", new StringType()).PrimaryKey("f0").PrimaryKey("f0"));
        Assert.Contains("Multiple primary keys are not supported", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrimaryKey_Empty_Rejected()
    {
        Assert.Throws<InvalidTableException>(() => Schema.NewBuilder().Column("f0", new StringType()).PrimaryKey());
    }

    public static TheoryData<string, string> AutoIncrementCases() => new()
    {
        { "f0", "cannot be part of the primary key" },
        { "f3", "must be INT or BIGINT" },
        { "f4", "Auto-increment column 'f4' does not exist in the table; the columns are [f0, f1, f3]" },
    };

    [Theory]
    [MemberData(nameof(AutoIncrementCases))]
    public void Build_InvalidAutoIncrement_Rejected(string column, string message)
    {
        var ex = Assert.Throws<InvalidTableException>(() => Schema.NewBuilder()
            .Column("f0", new StringType()).Column("f1", new BigIntType()).Column("f3", new StringType())
            .EnableAutoIncrement(column).PrimaryKey("f0").Build());
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AutoIncrementWithoutPrimaryKey_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("f0", new StringType()).Column("f1", new BigIntType()).EnableAutoIncrement("f1").Build());
        Assert.Contains("needs a primary-key table", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnableAutoIncrement_Twice_Rejected()
    {
        Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("f1", new BigIntType()).EnableAutoIncrement("f1").EnableAutoIncrement("f1"));
    }

    [Fact]
    public void Build_AggFunctionOnPrimaryKey_Rejected()
    {
        var ex = Assert.Throws<InvalidTableException>(() =>
            Schema.NewBuilder().Column("id", new IntType(), new AggFunction(AggFunctionType.Sum)).PrimaryKey("id").Build());
        Assert.Contains("Primary key column 'id' cannot have an aggregate function", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithComment_BeforeAnyColumn_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => Schema.NewBuilder().WithComment("x"));
    }

    [Fact]
    public void FromSchema_NotFirst_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => Schema.NewBuilder().Column("x", new IntType()).FromSchema(Schema0));
    }

    [Fact]
    public void FromSchema_AddColumn_ContinuesAfterHighestFieldId()
    {
        var evolved = Schema.NewBuilder().FromSchema(Schema5).Column("e", new StringType()).Build();
        Assert.Equal([0, 1, 4], evolved.ColumnIds);
        Assert.Equal(4, evolved.HighestFieldId);
    }

    [Fact]
    public void FromColumnList_ParsesColumnsCommentsAndPrimaryKey()
    {
        var schema = Schema.FromColumnList("id BIGINT, name STRING COMMENT 'user name', tags ARRAY<STRING>", "id");
        Assert.Equal(["id", "name", "tags"], schema.ColumnNames);
        Assert.Equal(new BigIntType(false), schema.Columns[0].DataType);
        Assert.Equal("user name", schema.Columns[1].Comment);
        Assert.Equal([0, 1, 2], schema.ColumnIds);
        Assert.Equal("(`id` BIGINT NOT NULL, `name` STRING COMMENT 'user name', `tags` ARRAY<STRING>, CONSTRAINT PK_id PRIMARY KEY (id))", schema.ToString());
    }

    [Fact]
    public void GetColumn_Unknown_ThrowsNamingColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => Schema0.GetColumn("zz"));
        Assert.Contains("'zz'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(-1, Schema0.IndexOf("zz"));
        Assert.Equal([2, 0], Schema0.GetColumnIndexes(["c", "a"]));
    }

    [Fact]
    public void Equals_DiffersByComment()
    {
        var a = Schema.FromColumnList("x INT COMMENT 'one'");
        var b = Schema.FromColumnList("x INT COMMENT 'two'");
        Assert.NotEqual(a, b);
        Assert.Equal(a, Schema.FromJson(a.ToJson()));
    }
}
