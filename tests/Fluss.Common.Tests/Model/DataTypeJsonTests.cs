using System.Text.Json;
using CsCheck;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Model;

public class DataTypeJsonTests
{
    private static RowType SampleRow(bool nullable) => new(
    [
        new DataField("f0", new BigIntType()),
        new DataField("f1", new IntType(false), 1),
        new DataField("f2", new StringType(), 2),
    ], nullable);

    /// <summary>Types and the JSON Fluss writes for them (from Fluss's DataTypeJsonSerdeTest), nullable then NOT NULL.</summary>
    public static TheoryData<DataType, string> FlussVectors()
    {
        var data = new TheoryData<DataType, string>();
        void Both(DataType t, string nullableJson, string notNullJson)
        {
            data.Add(t.Copy(true), nullableJson);
            data.Add(t.Copy(false), notNullJson);
        }

        Both(new BooleanType(), """{"type":"BOOLEAN"}""", """{"type":"BOOLEAN","nullable":false}""");
        Both(new TinyIntType(), """{"type":"TINYINT"}""", """{"type":"TINYINT","nullable":false}""");
        Both(new SmallIntType(), """{"type":"SMALLINT"}""", """{"type":"SMALLINT","nullable":false}""");
        Both(new IntType(), """{"type":"INTEGER"}""", """{"type":"INTEGER","nullable":false}""");
        Both(new BigIntType(), """{"type":"BIGINT"}""", """{"type":"BIGINT","nullable":false}""");
        Both(new FloatType(), """{"type":"FLOAT"}""", """{"type":"FLOAT","nullable":false}""");
        Both(new DoubleType(), """{"type":"DOUBLE"}""", """{"type":"DOUBLE","nullable":false}""");
        Both(new DecimalType(10), """{"type":"DECIMAL","precision":10,"scale":0}""", """{"type":"DECIMAL","nullable":false,"precision":10,"scale":0}""");
        Both(new DecimalType(15, 5), """{"type":"DECIMAL","precision":15,"scale":5}""", """{"type":"DECIMAL","nullable":false,"precision":15,"scale":5}""");
        Both(new CharType(1), """{"type":"CHAR","length":1}""", """{"type":"CHAR","nullable":false,"length":1}""");
        Both(new CharType(5), """{"type":"CHAR","length":5}""", """{"type":"CHAR","nullable":false,"length":5}""");
        Both(new StringType(), """{"type":"STRING"}""", """{"type":"STRING","nullable":false}""");
        Both(new BinaryType(1), """{"type":"BINARY","length":1}""", """{"type":"BINARY","nullable":false,"length":1}""");
        Both(new BinaryType(100), """{"type":"BINARY","length":100}""", """{"type":"BINARY","nullable":false,"length":100}""");
        Both(new BytesType(), """{"type":"BYTES"}""", """{"type":"BYTES","nullable":false}""");
        Both(new DateType(), """{"type":"DATE"}""", """{"type":"DATE","nullable":false}""");
        Both(new TimeType(), """{"type":"TIME_WITHOUT_TIME_ZONE","precision":0}""", """{"type":"TIME_WITHOUT_TIME_ZONE","nullable":false,"precision":0}""");
        Both(new TimeType(3), """{"type":"TIME_WITHOUT_TIME_ZONE","precision":3}""", """{"type":"TIME_WITHOUT_TIME_ZONE","nullable":false,"precision":3}""");
        Both(new TimestampType(), """{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":6}""", """{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":false,"precision":6}""");
        Both(new TimestampType(3), """{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":3}""", """{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":false,"precision":3}""");
        Both(new LocalZonedTimestampType(), """{"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","precision":6}""", """{"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","nullable":false,"precision":6}""");
        Both(new LocalZonedTimestampType(3), """{"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","precision":3}""", """{"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","nullable":false,"precision":3}""");
        Both(new ArrayType(new IntType(false)),
            """{"type":"ARRAY","element_type":{"type":"INTEGER","nullable":false}}""",
            """{"type":"ARRAY","nullable":false,"element_type":{"type":"INTEGER","nullable":false}}""");
        Both(new MapType(new BigIntType(false), new IntType(false)),
            """{"type":"MAP","key_type":{"type":"BIGINT","nullable":false},"value_type":{"type":"INTEGER","nullable":false}}""",
            """{"type":"MAP","nullable":false,"key_type":{"type":"BIGINT","nullable":false},"value_type":{"type":"INTEGER","nullable":false}}""");
        data.Add(SampleRow(true),
            """{"type":"ROW","fields":[{"name":"f0","field_type":{"type":"BIGINT"},"field_id":-1},{"name":"f1","field_type":{"type":"INTEGER","nullable":false},"field_id":1},{"name":"f2","field_type":{"type":"STRING"},"field_id":2}]}""");
        data.Add(SampleRow(false),
            """{"type":"ROW","nullable":false,"fields":[{"name":"f0","field_type":{"type":"BIGINT"},"field_id":-1},{"name":"f1","field_type":{"type":"INTEGER","nullable":false},"field_id":1},{"name":"f2","field_type":{"type":"STRING"},"field_id":2}]}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(FlussVectors))]
    public void Serialize_FlussVector_WritesFlussJson(DataType type, string expectedJson)
    {
        Assert.Equal(expectedJson, DataTypeJson.Serialize(type));
    }

    [Theory]
    [MemberData(nameof(FlussVectors))]
    public void Deserialize_FlussVector_ReadsTypeWithFieldIds(DataType expected, string json)
    {
        var actual = DataTypeJson.Deserialize(json);
        Assert.True(DataTypeChecks.EqualsWithFieldId(expected, actual), $"{expected} != {actual}");
        Assert.Equal(expected.IsNullable, actual.IsNullable);
    }

    [Fact]
    public void Deserialize_RowFieldsWithAndWithoutIds_MissingIdIsMinusOne()
    {
        // Fluss's vector of a ROW where the first field lacks field_id.
        const string json = """{"type":"ROW","nullable":false,"fields":[{"name":"f0","field_type":{"type":"BIGINT"}},{"name":"f1","field_type":{"type":"INTEGER","nullable":false},"field_id":1},{"name":"f2","field_type":{"type":"STRING"},"field_id":2}]}""";
        var row = Assert.IsType<RowType>(DataTypeJson.Deserialize(json));
        Assert.True(DataTypeChecks.EqualsWithFieldId(SampleRow(false), row));
        Assert.Equal([-1, 1, 2], row.Fields.Select(f => f.FieldId));
    }

    [Fact]
    public void Serialize_RowFieldDescription_WrittenBeforeFieldId()
    {
        var row = new RowType([new DataField("c", new IntType(), 2, "a is \"first\" column")]);
        const string expected = """{"type":"ROW","fields":[{"name":"c","field_type":{"type":"INTEGER"},"description":"a is \"first\" column","field_id":2}]}""";
        Assert.Equal(expected, DataTypeJson.Serialize(row));
        var back = (RowType)DataTypeJson.Deserialize(expected);
        Assert.Equal("a is \"first\" column", back.Fields[0].Description);
    }

    [Fact]
    public void Serialize_NonAsciiNames_WrittenUnescaped()
    {
        var row = RowType.Of(("名前", new StringType()), ("a<b>&", new IntType()));
        var json = DataTypeJson.Serialize(row);
        Assert.Contains("\"名前\"", json, StringComparison.Ordinal);
        Assert.Contains("\"a<b>&\"", json, StringComparison.Ordinal);
        Assert.Equal(row, DataTypeJson.Deserialize(json));
    }

    [Fact]
    public void SerializeThenDeserialize_RandomRowTypes_RoundTrip()
    {
        RowGenerators.RowTypeGen().Sample(t =>
        {
            var nested = new RowType([new DataField("nested", t, 100), new DataField("list", new ArrayType(t), 101)]);
            var back = DataTypeJson.Deserialize(DataTypeJson.SerializeToUtf8Bytes(nested));
            Assert.True(DataTypeChecks.EqualsWithFieldId(nested, back));
        }, iter: 300);
    }

    [Theory]
    [InlineData("""{"type":"VARCHAR"}""", "Unknown data type 'VARCHAR'")]
    [InlineData("""{"nullable":false}""", "lacks the required field 'type'")]
    [InlineData("""{"type":"DECIMAL","precision":10}""", "lacks the required field 'scale'")]
    [InlineData("""{"type":"DECIMAL","precision":50,"scale":0}""", "Invalid DECIMAL")]
    [InlineData("""{"type":"CHAR","length":"x"}""", "'length' must be a 32-bit integer")]
    [InlineData("""{"type":"INTEGER","nullable":"no"}""", "'nullable' must be a boolean")]
    [InlineData("""{"type":"ARRAY"}""", "lacks the required field 'element_type'")]
    [InlineData("""[1,2]""", "must be an object")]
    [InlineData("""{"type":""", "Invalid Data type JSON")]
    public void Deserialize_Malformed_ThrowsJsonExceptionSayingWhat(string json, string message)
    {
        var ex = Assert.Throws<JsonException>(() => DataTypeJson.Deserialize(json));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
