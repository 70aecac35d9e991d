using CsCheck;
using Fluss.Types;

namespace Fluss.Tests;

public class DataTypeTests
{
    [Fact]
    public void ToString_NotNullDecimal_UsesSerializableForm()
    {
        Assert.Equal("DECIMAL(15, 2) NOT NULL", new DecimalType(15, 2, isNullable: false).ToString());
        Assert.Equal("TIMESTAMP(3) WITH LOCAL TIME ZONE", new LocalZonedTimestampType(3).ToString());
        Assert.Equal("TIMESTAMP_LTZ(3)", new LocalZonedTimestampType(3).ToSummaryString());
    }

    [Fact]
    public void Equals_DiffersByNullability()
    {
        Assert.NotEqual<DataType>(new IntType(), new IntType(false));
        Assert.Equal<DataType>(new CharType(5), new CharType(5));
    }

    [Fact]
    public void DecimalType_PrecisionOutOfRange_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DecimalType(39, 0));
        Assert.Contains("between 1 and 38", ex.Message, StringComparison.Ordinal);
    }
}

public class RowGeneratorTests
{
    [Fact]
    public void TypeAndRows_ProducesRowsMatchingTheirType()
    {
        Generators.RowGenerators.TypeAndRows().Sample(sample =>
        {
            foreach (var row in sample.Rows)
            {
                Assert.Equal(sample.Type.FieldCount, row.FieldCount);
                for (var i = 0; i < row.FieldCount; i++)
                    Assert.True(sample.Type.GetTypeAt(i).IsNullable || !row.IsNullAt(i));
            }
        }, iter: 50);
    }
}
