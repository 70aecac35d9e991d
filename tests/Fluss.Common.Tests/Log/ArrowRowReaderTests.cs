using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Rows;
using Fluss.Types;
using AT = Apache.Arrow.Types;

namespace Fluss.Tests.Log;

public class ArrowRowReaderTests
{
    [Fact]
    public void GetInt_TimeColumnsOfEveryUnit_ReturnMillisOfDay()
    {
        // 10:20:30.456789 in each Arrow unit.
        var seconds = new Time32Array.Builder(AT.TimeUnit.Second).Append(37_230).Build();
        var millis = new Time32Array.Builder(AT.TimeUnit.Millisecond).Append(37_230_456).Build();
        var micros = new Time64Array.Builder(AT.TimeUnit.Microsecond).Append(37_230_456_789L).Build();
        var nanos = new Time64Array.Builder(AT.TimeUnit.Nanosecond).Append(37_230_456_789_123L).Build();
        var type = RowType.Of(new TimeType(0), new TimeType(3), new TimeType(6), new TimeType(9));
        using var batch = new RecordBatch(ArrowSchemas.ToArrowSchema(type), [seconds, millis, micros, nanos], 1);
        var row = new ArrowRowReader(batch, type).GetRow(0);
        Assert.Equal(37_230_000, row.GetInt(0));
        Assert.Equal(37_230_456, row.GetInt(1));
        Assert.Equal(37_230_456, row.GetInt(2));
        Assert.Equal(37_230_456, row.GetInt(3));
    }

    [Fact]
    public void GetTimestamp_NegativeSubMillisecondValues_FloorToMillis()
    {
        var micros = new TimestampArray.Builder(new AT.TimestampType(AT.TimeUnit.Microsecond, (string?)null));
        var nanos = new TimestampArray.Builder(new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null));
        var seconds = new TimestampArray.Builder(new AT.TimestampType(AT.TimeUnit.Second, (string?)null));
        var type = RowType.Of(new TimestampType(6), new LocalZonedTimestampType(9), new TimestampType(0));
        using var batch = new RecordBatch(ArrowSchemas.ToArrowSchema(type), [
            BuildTimestamps(micros, -1L), BuildTimestamps(nanos, -1_000_001L), BuildTimestamps(seconds, -2L)], 1);
        var row = new ArrowRowReader(batch, type).GetRow(0);
        Assert.Equal(new TimestampNtz(-1, 999_000), row.GetTimestampNtz(0, 6)); // 1 us before the epoch
        Assert.Equal(new TimestampLtz(-2, 999_999), row.GetTimestampLtz(1, 9));
        Assert.Equal(new TimestampNtz(-2_000), row.GetTimestampNtz(2, 0));
    }

    [Fact]
    public void GetDecimal_Precision38_IsExact()
    {
        var type = RowType.Of(new DecimalType(38, 6), new DecimalType(18, 2));
        var big = FlussDecimal.Parse("-12345678901234567890123456789012.345678", 38, 6);
        var small = FlussDecimal.Parse("9999999999999999.99", 18, 2);
        using var builder = new ArrowBatchBuilder(type);
        builder.Append(GenericRow.Of(big, small));
        using var batch = builder.Build();
        var row = new ArrowRowReader(batch, type).GetRow(0);
        Assert.Equal(big, row.GetDecimal(0, 38, 6));
        Assert.Equal("-12345678901234567890123456789012.345678", row.GetDecimal(0, 38, 6).ToString());
        Assert.Equal(small, row.GetDecimal(1, 18, 2));
        Assert.True(row.GetDecimal(1, 18, 2).IsCompact);
    }

    [Fact]
    public void GetDecimal_FromArrowDotNetBuilder_MatchesTheDecimalValue()
    {
        var arrow = new Decimal128Array.Builder(new AT.Decimal128Type(29, 5)).Append(-123456789012345678.12345m).Append(0.00001m).Build();
        var type = RowType.Of(new DecimalType(29, 5));
        using var batch = new RecordBatch(ArrowSchemas.ToArrowSchema(type), [arrow], 2);
        var reader = new ArrowRowReader(batch, type);
        Assert.Equal("-123456789012345678.12345", reader.GetRow(0).GetDecimal(0, 29, 5).ToString());
        Assert.Equal("0.00001", reader.GetRow(1).GetDecimal(0, 29, 5).ToString());
    }

    [Fact]
    public void Getters_WrongType_ThrowInvalidCast()
    {
        var type = RowType.Of(("s", new StringType()));
        using var builder = new ArrowBatchBuilder(type);
        builder.Append(GenericRow.Of("x"));
        using var batch = builder.Build();
        var row = new ArrowRowReader(batch, type).GetRow(0);
        var ex = Assert.Throws<InvalidCastException>(() => row.GetLong(0));
        Assert.Contains("'s'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RowTypeDoesNotMatchColumns_Throws()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(new IntType()));
        using var batch = builder.Build();
        Assert.Throws<ArgumentException>(() => new ArrowRowReader(batch, RowType.Of(new StringType())));
        Assert.Throws<ArgumentException>(() => new ArrowRowReader(batch, RowType.Of(new IntType(), new IntType())));
    }

    [Fact]
    public void ReadingFixedWidthValues_DoesNotAllocatePerRow()
    {
        var type = RowType.Of(new IntType(), new BigIntType(), new DoubleType(), new TimestampType(6), new DecimalType(10, 2), new BooleanType());
        using var builder = new ArrowBatchBuilder(type);
        for (var i = 0; i < 1000; i++)
            builder.Append(GenericRow.Of(i, (long)i, i * 0.5, new TimestampNtz(i, 1000), FlussDecimal.FromUnscaledLong(i, 10, 2), i % 2 == 0));
        using var batch = builder.Build();
        var reader = new ArrowRowReader(batch, type);
        long Sum()
        {
            long sum = 0;
            for (var i = 0; i < reader.RowCount; i++)
            {
                var row = reader.GetRow(i);
                if (!row.IsNullAt(0)) sum += row.GetInt(0);
                sum += row.GetLong(1) + (long)row.GetDouble(2) + row.GetTimestampNtz(3, 6).Millisecond + row.GetDecimal(4, 10, 2).UnscaledLong;
                sum += row.GetBoolean(5) ? 1 : 0;
            }
            return sum;
        }
        var expected = Sum(); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var actual = Sum();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(expected, actual);
        Assert.Equal(0, allocated);
    }

    private static TimestampArray BuildTimestamps(TimestampArray.Builder builder, long raw)
    {
        // The builder API takes DateTimeOffset; write the raw unit value through the value buffer instead.
        var data = new ArrayData(builder.Build().Data.DataType, 1, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(BitConverter.GetBytes(raw))], null);
        return (TimestampArray)ArrowArrayFactory.BuildArray(data);
    }
}
