using CsCheck;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Model;

public class DataTypeParserTests
{
    public static TheoryData<string, DataType> ValidTypes() => new()
    {
        // Vectors from Fluss's own parser tests.
        { "CHAR", new CharType(1) },
        { "CHAR NOT NULL", new CharType(1, false) },
        { "CHAR   NOT \t\nNULL", new CharType(1, false) },
        { "char not null", new CharType(1, false) },
        { "CHAR NULL", new CharType(1) },
        { "CHAR(33)", new CharType(33) },
        { "STRING", new StringType() },
        { "BOOLEAN", new BooleanType() },
        { "BINARY", new BinaryType(1) },
        { "BINARY(33)", new BinaryType(33) },
        { "BYTES", new BytesType() },
        { "DECIMAL", new DecimalType(10, 0) },
        { "DEC", new DecimalType(10, 0) },
        { "NUMERIC", new DecimalType(10, 0) },
        { "DECIMAL(10)", new DecimalType(10, 0) },
        { "DEC(10)", new DecimalType(10, 0) },
        { "NUMERIC(10)", new DecimalType(10, 0) },
        { "DECIMAL(10, 3)", new DecimalType(10, 3) },
        { "DEC(10, 3)", new DecimalType(10, 3) },
        { "NUMERIC(10, 3)", new DecimalType(10, 3) },
        { "TINYINT", new TinyIntType() },
        { "SMALLINT", new SmallIntType() },
        { "INTEGER", new IntType() },
        { "INT", new IntType() },
        { "BIGINT", new BigIntType() },
        { "FLOAT", new FloatType() },
        { "DOUBLE", new DoubleType() },
        { "DOUBLE PRECISION", new DoubleType() },
        { "DATE", new DateType() },
        { "TIME", new TimeType(0) },
        { "TIME(3)", new TimeType(3) },
        { "TIME WITHOUT TIME ZONE", new TimeType(0) },
        { "TIME(3) WITHOUT TIME ZONE", new TimeType(3) },
        { "TIMESTAMP", new TimestampType(6) },
        { "TIMESTAMP(3)", new TimestampType(3) },
        { "TIMESTAMP WITHOUT TIME ZONE", new TimestampType(6) },
        { "TIMESTAMP(3) WITHOUT TIME ZONE", new TimestampType(3) },
        { "TIMESTAMP WITH LOCAL TIME ZONE", new LocalZonedTimestampType(6) },
        { "TIMESTAMP_LTZ", new LocalZonedTimestampType(6) },
        { "TIMESTAMP(3) WITH LOCAL TIME ZONE", new LocalZonedTimestampType(3) },
        { "TIMESTAMP_LTZ(3)", new LocalZonedTimestampType(3) },
        { "ARRAY<TIMESTAMP(3) WITH LOCAL TIME ZONE>", new ArrayType(new LocalZonedTimestampType(3)) },
        { "ARRAY<INT NOT NULL>", new ArrayType(new IntType(false)) },
        { "INT ARRAY", new ArrayType(new IntType()) },
        { "INT NOT NULL ARRAY", new ArrayType(new IntType(false)) },
        { "INT ARRAY NOT NULL", new ArrayType(new IntType(), false) },
        { "MAP<BIGINT, BOOLEAN>", new MapType(new BigIntType(), new BooleanType()) },
        { "ROW<f0 INT NOT NULL, f1 BOOLEAN>", RowType.Of(("f0", new IntType(false)), ("f1", new BooleanType())) },
        { "ROW(f0 INT NOT NULL, f1 BOOLEAN)", RowType.Of(("f0", new IntType(false)), ("f1", new BooleanType())) },
        { "ROW<`f0` INT>", RowType.Of(("f0", new IntType())) },
        { "ROW(`a` INT)", RowType.Of(("a", new IntType())) },
        { "ROW<>", new RowType([]) },
        { "ROW()", new RowType([]) },
        { "ROW<a INT NOT NULL 'This is a comment.', b BOOLEAN 'This as well.'>", RowType.Of(("a", new IntType(false)), ("b", new BooleanType())) },
        { "ROW<f0 STRING, f1 ROW<n0 INT, n1 STRING>>", RowType.Of(("f0", new StringType()), ("f1", RowType.Of(("n0", new IntType()), ("n1", new StringType())))) },
        // More forms users write.
        { "  bigint  not   null ", new BigIntType(false) },
        { "Decimal(38,38)", new DecimalType(38, 38) },
        { "decimal( 5 , 2 ) not null", new DecimalType(5, 2, false) },
        { "timestamp(9) with local time zone not null", new LocalZonedTimestampType(9, false) },
        { "map<string, array<map<int, row<x double>>>>", new MapType(new StringType(), new ArrayType(new MapType(new IntType(), RowType.Of(("x", new DoubleType()))))) },
        { "ROW<`we``ird name` INT, `date` DATE>", RowType.Of(("we`ird name", new IntType()), ("date", new DateType())) },
        { "ROW<date DATE, map STRING>", RowType.Of(("date", new DateType()), ("map", new StringType())) },
    };

    [Theory]
    [MemberData(nameof(ValidTypes))]
    public void Parse_ValidTypeString_ReturnsExpectedType(string text, DataType expected)
    {
        Assert.Equal(expected, DataTypeParser.Parse(text));
    }

    [Theory]
    [MemberData(nameof(ValidTypes))]
    public void Parse_ToStringOfExpectedType_RoundTrips(string text, DataType expected)
    {
        _ = text;
        var serialized = expected.ToString();
        var parsed = DataTypeParser.Parse(serialized);
        Assert.Equal(expected, parsed);
        Assert.Equal(serialized, parsed.ToString());
    }

    [Fact]
    public void Parse_Defaults_MatchFluss()
    {
        var dec = Assert.IsType<DecimalType>(DataTypeParser.Parse("DECIMAL"));
        Assert.Equal((10, 0), (dec.Precision, dec.Scale));
        Assert.Equal(0, Assert.IsType<TimeType>(DataTypeParser.Parse("TIME")).Precision);
        Assert.Equal(6, Assert.IsType<TimestampType>(DataTypeParser.Parse("TIMESTAMP")).Precision);
        Assert.Equal(6, Assert.IsType<LocalZonedTimestampType>(DataTypeParser.Parse("TIMESTAMP_LTZ")).Precision);
        Assert.Equal(1, Assert.IsType<CharType>(DataTypeParser.Parse("CHAR")).Length);
        Assert.Equal(1, Assert.IsType<BinaryType>(DataTypeParser.Parse("BINARY")).Length);
    }

    [Fact]
    public void Parse_RowFieldComment_KeepsDescription()
    {
        var row = Assert.IsType<RowType>(DataTypeParser.Parse("ROW<a INT NOT NULL 'It''s a comment.'>"));
        Assert.Equal("It's a comment.", row.Fields[0].Description);
    }

    [Fact]
    public void Parse_NotNullKeyword_CaseInsensitiveEverywhere()
    {
        Assert.False(DataTypeParser.Parse("ArRaY<iNt> nOt NuLl").IsNullable);
        Assert.False(((ArrayType)DataTypeParser.Parse("array<int not null>")).ElementType.IsNullable);
    }

    private static Gen<DataType> NestedType(int depth) => depth == 0
        ? RowGenerators.ScalarType
        : Gen.Frequency(
            (3, RowGenerators.ScalarType),
            (1, Gen.Select(NestedType(depth - 1), Gen.Bool, (e, n) => (DataType)new ArrayType(e, n))),
            (1, Gen.Select(NestedType(depth - 1), NestedType(depth - 1), Gen.Bool, (k, v, n) => (DataType)new MapType(k, v, n))),
            (1, Gen.Select(NestedType(depth - 1).Array[0, 4], Gen.Bool, (fs, n) =>
                (DataType)new RowType(fs.Select((t, i) => new DataField(i % 2 == 0 ? "f" + i : "my field `" + i, t)).ToArray(), n))));

    [Fact]
    public void Parse_ToStringOfRandomScalarTypes_RoundTrips()
    {
        RowGenerators.ScalarType.Sample(t =>
        {
            var parsed = DataTypeParser.Parse(t.ToString());
            Assert.Equal(t, parsed);
            Assert.Equal(t.IsNullable, parsed.IsNullable);
        }, iter: 2000);
    }

    [Fact]
    public void Parse_ToStringOfRandomNestedTypes_RoundTrips()
    {
        NestedType(3).Sample(t => Assert.Equal(t, DataTypeParser.Parse(t.ToString())), iter: 1000);
    }

    [Fact]
    public void Parse_LowerCaseToStringOfRandomTypes_RoundTrips()
    {
        RowGenerators.ScalarType.Sample(t => Assert.Equal(t, DataTypeParser.Parse(t.ToString().ToLowerInvariant())), iter: 500);
    }

    [Theory]
    [InlineData("INTT", 0, "unknown type 'INTT'", "one of BOOLEAN")]
    [InlineData("VARCHAR(20)", 0, "unsupported type 'VARCHAR'", "use STRING")]
    [InlineData("VARBINARY", 0, "unsupported type 'VARBINARY'", "use BYTES")]
    [InlineData("TIMESTAMP WITH TIME ZONE", 10, "TIMESTAMP WITH TIME ZONE is not supported", "WITH LOCAL TIME ZONE")]
    [InlineData("ROW<`f0", 4, "unterminated quoted name", "closing '`'")]
    [InlineData("ROW<`f0`", 8, "unexpected end of input", "a type")]
    [InlineData("CHAR(test)", 5, "unexpected 'test'", "CHAR length")]
    [InlineData("CHAR(33333333333)", 5, "invalid integer '33333333333'", "CHAR length")]
    [InlineData("CHAR(0)", 5, "CHAR length 0 is out of range", "between 1 and 2147483647")]
    [InlineData("DECIMAL(39)", 8, "DECIMAL precision 39 is out of range", "between 1 and 38")]
    [InlineData("DECIMAL(5, 6)", 11, "DECIMAL scale 6 is out of range", "between 0 and 5")]
    [InlineData("TIME(10)", 5, "TIME precision 10 is out of range", "between 0 and 9")]
    [InlineData("TIMESTAMP_LTZ(12)", 14, "TIMESTAMP_LTZ precision 12 is out of range", "between 0 and 9")]
    [InlineData("ROW<field INT, field2>", 21, "unexpected '>'", "a type")]
    [InlineData("ROW<a INT, a STRING>", 11, "duplicate field 'a'", "each field name once")]
    [InlineData("MAP<INT STRING>", 8, "unexpected 'STRING'", "','")]
    [InlineData("ARRAY<INT", 9, "unexpected end of input", "'>'")]
    [InlineData("INT NOT", 7, "unexpected end of input", "NULL")]
    [InlineData("INT INT", 4, "unexpected 'INT'", "end of input")]
    [InlineData("", 0, "unexpected end of input", "a type")]
    [InlineData("a.b", 0, "unknown type 'a'", "one of")]
    public void Parse_InvalidString_ThrowsWithPositionAndExpectation(string text, int position, string problem, string expected)
    {
        var ex = Assert.Throws<DataTypeParseException>(() => DataTypeParser.Parse(text));
        Assert.Equal(position, ex.Position);
        Assert.Equal(text, ex.Input);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{text}\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"at position {position}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownType_MessageListsSupportedTypes()
    {
        var ex = Assert.Throws<DataTypeParseException>(() => DataTypeParser.ParseColumns("id INTT"));
        Assert.Equal(
            "unknown type 'INTT' at position 3 in \"id INTT\"; expected one of BOOLEAN, TINYINT, SMALLINT, INT, INTEGER, BIGINT, FLOAT, DOUBLE, " +
            "DECIMAL, NUMERIC, DEC, CHAR, STRING, BINARY, BYTES, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ, ARRAY, MAP, ROW",
            ex.Message);
        Assert.IsAssignableFrom<FormatException>(ex);
    }

    [Fact]
    public void TryParse_InvalidAndValid_ReportsResult()
    {
        Assert.False(DataTypeParser.TryParse("NOPE", out var none));
        Assert.Null(none);
        Assert.True(DataTypeParser.TryParse("INT NOT NULL", out var t));
        Assert.Equal(new IntType(false), t);
    }

    [Fact]
    public void ParseColumns_SchemaString_ReturnsOrderedColumns()
    {
        var columns = DataTypeParser.ParseColumns("id BIGINT NOT NULL, name STRING, ts TIMESTAMP(3)");
        Assert.Equal(["id", "name", "ts"], columns.Select(c => c.Name));
        Assert.Equal<DataType>([new BigIntType(false), new StringType(), new TimestampType(3)], columns.Select(c => c.Type));
        Assert.All(columns, c => Assert.Equal(-1, c.FieldId));
    }

    [Fact]
    public void ParseColumns_CommasInsideTypes_DoNotSplit()
    {
        var columns = DataTypeParser.ParseColumns("price DECIMAL(10, 2), attrs MAP<STRING, INT>, pos ROW<x DOUBLE, y DOUBLE>, `user id` INT");
        Assert.Equal(["price", "attrs", "pos", "user id"], columns.Select(c => c.Name));
        Assert.Equal(new DecimalType(10, 2), columns[0].Type);
        Assert.Equal(new MapType(new StringType(), new IntType()), columns[1].Type);
        Assert.Equal(2, ((RowType)columns[2].Type).FieldCount);
    }

    [Fact]
    public void ParseColumns_Comments_BecomeDescriptions()
    {
        var columns = DataTypeParser.ParseColumns("a INT COMMENT 'the a', b STRING 'the b', c DATE");
        Assert.Equal(["the a", "the b", null], columns.Select(c => c.Description));
    }

    [Fact]
    public void ParseColumns_DuplicateColumn_RejectedNamingIt()
    {
        var ex = Assert.Throws<DataTypeParseException>(() => DataTypeParser.ParseColumns("id INT, name STRING, id BIGINT"));
        Assert.Contains("duplicate column 'id'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(21, ex.Position);
    }

    [Theory]
    [InlineData("", 0, "empty column list")]
    [InlineData("id", 2, "unexpected end of input")]
    [InlineData("id INT,", 7, "unexpected end of input")]
    [InlineData("id INTT, x INT", 3, "unknown type 'INTT'")]
    [InlineData("id INT name STRING", 7, "unexpected 'name'")]
    public void ParseColumns_Invalid_ThrowsAtPosition(string text, int position, string problem)
    {
        var ex = Assert.Throws<DataTypeParseException>(() => DataTypeParser.ParseColumns(text));
        Assert.Equal(position, ex.Position);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseColumns_RandomColumns_RoundTripThroughFieldToString()
    {
        RowGenerators.RowTypeGen(8).Sample(rowType =>
        {
            var text = string.Join(", ", rowType.Fields.Select(f => f.ToString()));
            var parsed = DataTypeParser.ParseColumns(text);
            Assert.Equal(rowType.FieldNames, parsed.Select(f => f.Name));
            Assert.Equal(rowType.Fields.Select(f => f.Type), parsed.Select(f => f.Type));
        }, iter: 300);
    }
}
