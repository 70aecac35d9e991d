using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Types;
using AT = Apache.Arrow.Types;

namespace Fluss.Tests.Log;

public class ArrowSchemasTests
{
    public static TheoryData<DataType, string> Mapping() => new()
    {
        { new TinyIntType(), "Int8" },
        { new SmallIntType(), "Int16" },
        { new IntType(), "Int32" },
        { new BigIntType(), "Int64" },
        { new BooleanType(), "Bool" },
        { new FloatType(), "Float" },
        { new DoubleType(), "Double" },
        { new CharType(3), "Utf8" },
        { new StringType(), "Utf8" },
        { new BinaryType(7), "FixedSizeBinary(7)" },
        { new BytesType(), "Binary" },
        { new DecimalType(10, 2), "Decimal128(10,2)" },
        { new DecimalType(38, 10), "Decimal128(38,10)" },
        { new DateType(), "Date32" },
        { new TimeType(0), "Time32(Second)" },
        { new TimeType(1), "Time32(Millisecond)" },
        { new TimeType(3), "Time32(Millisecond)" },
        { new TimeType(4), "Time64(Microsecond)" },
        { new TimeType(6), "Time64(Microsecond)" },
        { new TimeType(7), "Time64(Nanosecond)" },
        { new TimeType(9), "Time64(Nanosecond)" },
        { new TimestampType(0), "Timestamp(Second)" },
        { new TimestampType(2), "Timestamp(Millisecond)" },
        { new TimestampType(5), "Timestamp(Microsecond)" },
        { new TimestampType(9), "Timestamp(Nanosecond)" },
        { new LocalZonedTimestampType(0), "Timestamp(Second)" },
        { new LocalZonedTimestampType(3), "Timestamp(Millisecond)" },
        { new LocalZonedTimestampType(6), "Timestamp(Microsecond)" },
        { new LocalZonedTimestampType(8), "Timestamp(Nanosecond)" },
    };

    [Theory]
    [MemberData(nameof(Mapping))]
    public void ToArrowType_EachScalar_UsesFlussMapping(DataType type, string expected)
    {
        Assert.Equal(expected, Describe(ArrowSchemas.ToArrowType(type)));
    }

    [Fact]
    public void ToArrowSchema_NullabilityAndNames_ComeFromTheRowType()
    {
        var schema = ArrowSchemas.ToArrowSchema(RowType.Of(("id", new IntType(false)), ("name", new StringType())));
        Assert.Equal(["id", "name"], schema.FieldsList.Select(f => f.Name));
        Assert.False(schema.FieldsList[0].IsNullable);
        Assert.True(schema.FieldsList[1].IsNullable);
    }

    [Fact]
    public void ToArrowSchema_Timestamps_HaveNoTimeZone()
    {
        var schema = ArrowSchemas.ToArrowSchema(RowType.Of(new TimestampType(3), new LocalZonedTimestampType(6)));
        Assert.All(schema.FieldsList, f => Assert.Null(((AT.TimestampType)f.DataType).Timezone));
    }

    [Theory]
    [InlineData("array")]
    [InlineData("map")]
    [InlineData("row")]
    public void ToArrowType_NestedType_ThrowsNotSupportedYet(string which)
    {
        DataType type = which switch
        {
            "array" => new ArrayType(new IntType()),
            "map" => new MapType(new StringType(), new IntType()),
            _ => RowType.Of(new IntType()),
        };
        var ex = Assert.Throws<NotSupportedException>(() => ArrowSchemas.ToArrowType(type));
        Assert.Contains("not support", ex.Message, StringComparison.Ordinal);
        Assert.Contains("yet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToRowType_RoundTripsTypesWithoutLoss()
    {
        var type = RowType.Of(
            ("a", new TinyIntType(false)), ("b", new SmallIntType()), ("c", new IntType()), ("d", new BigIntType()), ("e", new BooleanType()),
            ("f", new FloatType()), ("g", new DoubleType()), ("h", new StringType()), ("i", new BinaryType(4)), ("j", new BytesType()),
            ("k", new DecimalType(20, 3)), ("l", new DateType()), ("m", new TimeType(0)), ("n", new TimeType(3)), ("o", new TimeType(6)),
            ("p", new TimeType(9)), ("q", new TimestampType(0)), ("r", new TimestampType(3)), ("s", new TimestampType(6)), ("t", new TimestampType(9)));
        var back = ArrowSchemas.ToRowType(ArrowSchemas.ToArrowSchema(type));
        Assert.Equal(type.Fields.Select(f => f.Type.ToString()), back.Fields.Select(f => f.Type.ToString()));
        Assert.Equal(type.FieldNames, back.FieldNames);
    }

    [Fact]
    public void ToRowType_LossyTypes_ComeBackAsClosestFlussType()
    {
        var back = ArrowSchemas.ToRowType(ArrowSchemas.ToArrowSchema(RowType.Of(new CharType(5), new TimeType(2), new TimestampType(4), new LocalZonedTimestampType(3))));
        Assert.Equal(["STRING", "TIME(3)", "TIMESTAMP(6)", "TIMESTAMP(3)"], back.Fields.Select(f => f.Type.ToString()));
    }

    [Fact]
    public void ToDataType_TimestampWithZone_IsLocalZoned()
    {
        var t = ArrowSchemas.ToDataType(new AT.TimestampType(AT.TimeUnit.Microsecond, "UTC"), nullable: false);
        Assert.Equal(new LocalZonedTimestampType(6, false), t);
    }

    [Fact]
    public void ToDataType_NestedArrowType_ThrowsNotSupportedYet()
    {
        var list = new AT.ListType(new Field("item", AT.Int32Type.Default, true));
        var ex = Assert.Throws<NotSupportedException>(() => ArrowSchemas.ToDataType(list, true));
        Assert.Contains("not supported", ex.Message, StringComparison.Ordinal);
        Assert.Contains("yet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDataType_UnsignedInteger_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => ArrowSchemas.ToDataType(AT.UInt32Type.Default, true));
    }

    private static string Describe(AT.IArrowType t) => t switch
    {
        AT.Int8Type => "Int8",
        AT.Int16Type => "Int16",
        AT.Int32Type => "Int32",
        AT.Int64Type => "Int64",
        AT.BooleanType => "Bool",
        AT.FloatType => "Float",
        AT.DoubleType => "Double",
        AT.StringType => "Utf8",
        AT.Decimal128Type d => $"Decimal128({d.Precision},{d.Scale})",
        AT.FixedSizeBinaryType f => $"FixedSizeBinary({f.ByteWidth})",
        AT.BinaryType => "Binary",
        AT.Date32Type => "Date32",
        AT.Time32Type x => $"Time32({x.Unit})",
        AT.Time64Type x => $"Time64({x.Unit})",
        AT.TimestampType x => $"Timestamp({x.Unit})",
        _ => t.Name,
    };
}
