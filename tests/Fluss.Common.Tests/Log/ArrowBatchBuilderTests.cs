using System.Buffers.Binary;
using Apache.Arrow;
using CsCheck;
using Fluss.Arrow;
using Fluss.Rows;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Log;

public class ArrowBatchBuilderTests
{
    [Fact]
    public void Build_AllScalarTypes_ReadsBackTheSameValues()
    {
        var type = LogTestSupport.AllScalarTypes();
        var rows = LogTestSupport.AllScalarRows();
        using var builder = new ArrowBatchBuilder(type);
        foreach (var r in rows) builder.Append(r);
        using var batch = builder.Build();
        var reader = new ArrowRowReader(batch, type);
        Assert.Equal(rows.Length, reader.RowCount);
        for (var i = 0; i < rows.Length; i++)
            Assert.Equal(LogTestSupport.Expected(type, rows[i]), GenericRow.CopyOf(reader.GetRow(i), type));
    }

    [Fact]
    public void Build_RandomRows_RoundTripThroughArrow()
    {
        RowGenerators.TypeAndRows().Sample(sample =>
        {
            var (type, generated) = sample;
            var rows = generated.Select(r => LogTestSupport.Fit(type, r)).ToArray();
            using var builder = new ArrowBatchBuilder(type);
            foreach (var r in rows) builder.Append(r);
            using var batch = builder.Build();
            Assert.Equal(0, builder.RowCount);
            var reader = new ArrowRowReader(batch, type);
            for (var i = 0; i < rows.Length; i++)
                Assert.Equal(LogTestSupport.Expected(type, rows[i]), GenericRow.CopyOf(reader.GetRow(i), type));
        }, iter: 200);
    }

    [Fact]
    public void Build_Values_UseFlussArrowEncoding()
    {
        var type = RowType.Of(("t0", new TimeType(0)), ("t6", new TimeType(6)), ("ts0", new TimestampType(0)), ("ts6", new TimestampType(6)),
            ("ts9", new LocalZonedTimestampType(9)), ("d", new DecimalType(38, 0)));
        using var builder = new ArrowBatchBuilder(type);
        builder.Append(GenericRow.Of(3_723_456, 3_723_456, new TimestampNtz(-1_500), new TimestampNtz(1_000, 2_345), new TimestampLtz(2, 3),
            FlussDecimal.Parse("-99999999999999999999999999999999999999", 38, 0)));
        using var batch = builder.Build();
        Assert.Equal(3_723, ((Time32Array)batch.Column(0)).GetValue(0)); // seconds: ms / 1000
        Assert.Equal(3_723_456_000L, ((Time64Array)batch.Column(1)).GetValue(0)); // microseconds
        Assert.Equal(-1L, ((TimestampArray)batch.Column(2)).GetValue(0)); // Java truncates -1500 ms / 1000 toward zero
        Assert.Equal(1_000_002L, ((TimestampArray)batch.Column(3)).GetValue(0)); // ms * 1000 + nanos / 1000
        Assert.Equal(2_000_003L, ((TimestampArray)batch.Column(4)).GetValue(0)); // ms * 1_000_000 + nanos
        var decimalBytes = ((Decimal128Array)batch.Column(5)).ValueBuffer.Span[..16];
        // -(10^38 - 1) as 128-bit two's complement, low and high halves.
        Assert.Equal(-687399551400673279L, BinaryPrimitives.ReadInt64LittleEndian(decimalBytes));
        Assert.Equal(-5421010862427522171L, BinaryPrimitives.ReadInt64LittleEndian(decimalBytes[8..]));
    }

    [Fact]
    public void Append_FailingField_LeavesTheBuilderUnchanged()
    {
        var type = RowType.Of(("a", new IntType()), ("s", new StringType()), ("b", new BinaryType(4)));
        using var builder = new ArrowBatchBuilder(type);
        builder.Append(GenericRow.Of(1, "one", new byte[] { 1, 1, 1, 1 }));
        var ex = Assert.Throws<ArgumentException>(() => builder.Append(GenericRow.Of(2, "two", new byte[] { 2, 2 })));
        Assert.Contains("exactly 4 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, builder.RowCount);
        builder.Append(GenericRow.Of(null, "three", new byte[] { 3, 3, 3, 3 }));
        using var batch = builder.Build();
        var reader = new ArrowRowReader(batch, type);
        Assert.Equal(GenericRow.Of(1, "one", new byte[] { 1, 1, 1, 1 }), GenericRow.CopyOf(reader.GetRow(0), type));
        Assert.Equal(GenericRow.Of(null, "three", new byte[] { 3, 3, 3, 3 }), GenericRow.CopyOf(reader.GetRow(1), type));
    }

    [Fact]
    public void Append_NullInNotNullColumn_Throws()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(("id", new IntType(false))));
        var ex = Assert.Throws<ArgumentException>(() => builder.Append(GenericRow.Of((object?)null)));
        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, builder.RowCount);
    }

    [Fact]
    public void Append_DecimalTooWide_Throws()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(new DecimalType(4, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append(GenericRow.Of(FlussDecimal.Parse("123.45", 5, 2))));
        var ex = Assert.Throws<ArgumentException>(() => builder.Append(GenericRow.Of(FlussDecimal.Parse("1.5", 4, 1))));
        Assert.Contains("scale", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_NanosecondTimestampOutOfRange_Throws()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(new TimestampType(9)));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append(GenericRow.Of(new TimestampNtz(253_402_300_799_999))));
        Assert.Contains("1677-09-21", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_WrongFieldCount_Throws()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(new IntType(), new IntType()));
        Assert.Throws<ArgumentException>(() => builder.Append(GenericRow.Of(1)));
    }

    [Fact]
    public void AppendColumns_SlicedArrays_CopiesTheVisibleRows()
    {
        var type = RowType.Of(("i", new IntType()), ("s", new StringType()), ("b", new BooleanType()));
        var ints = new Int32Array.Builder().AppendRange(Enumerable.Range(0, 20)).Build();
        var strings = new StringArray.Builder();
        for (var i = 0; i < 20; i++)
        {
            if (i % 3 == 0) strings.AppendNull();
            else strings.Append("s" + i);
        }
        var bools = new BooleanArray.Builder();
        for (var i = 0; i < 20; i++) bools.Append(i % 2 == 0);
        var columns = new IArrowArray[]
        {
            ArrowArrayFactory.Slice(ints, 5, 11),
            ArrowArrayFactory.Slice(strings.Build(), 5, 11),
            ArrowArrayFactory.Slice(bools.Build(), 5, 11),
        };
        using var builder = new ArrowBatchBuilder(type);
        builder.Append(GenericRow.Of(-1, "first", true));
        builder.AppendColumns(columns);
        Assert.Equal(12, builder.RowCount);
        using var batch = builder.Build();
        var reader = new ArrowRowReader(batch, type);
        Assert.Equal(GenericRow.Of(-1, "first", true), GenericRow.CopyOf(reader.GetRow(0), type));
        for (var k = 0; k < 11; k++)
        {
            var i = k + 5;
            Assert.Equal(GenericRow.Of(i, i % 3 == 0 ? null : "s" + i, i % 2 == 0), GenericRow.CopyOf(reader.GetRow(k + 1), type));
        }
    }

    [Fact]
    public void AppendColumns_WrongArrowType_Throws()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(new IntType()));
        var longs = new Int64Array.Builder().Append(1).Build();
        var ex = Assert.Throws<ArgumentException>(() => builder.AppendColumns([longs]));
        Assert.Contains("int32", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void EstimatedBodySize_GrowsWithRows()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(new BigIntType(), new StringType()));
        Assert.Equal(8, builder.EstimatedBodySize); // one offset of the empty string column, padded
        for (var i = 0; i < 10; i++) builder.Append(GenericRow.Of((long)i, "abcd"));
        Assert.Equal(80 + 48 + 40, builder.EstimatedBodySize); // 10 longs, 11 offsets padded to 48, 40 string bytes
    }

    [Fact]
    public void Build_NullsAfterValidValues_ValidityBitsOfEveryRow()
    {
        var type = RowType.Of(("a", new IntType()), ("s", new StringType()));
        using var builder = new ArrowBatchBuilder(type);
        // 11 valid values first (more than a byte of bits), then nulls and values mixed, then a failed row.
        var rows = Enumerable.Range(0, 11).Select(i => GenericRow.Of(i, "v" + i))
            .Concat([GenericRow.Of(null, "x"), GenericRow.Of(12, null), GenericRow.Of(13, "y"), GenericRow.Of(null, null)])
            .ToList();
        foreach (var r in rows) builder.Append(r);
        Assert.ThrowsAny<Exception>(() => builder.Append(GenericRow.Of(null, 5)));
        using var batch = builder.Build();

        Assert.Equal(2, batch.Column(0).NullCount);
        Assert.Equal(2, batch.Column(1).NullCount);
        var reader = new ArrowRowReader(batch, type);
        Assert.Equal(rows, Enumerable.Range(0, reader.RowCount).Select(i => GenericRow.CopyOf(reader.GetRow(i), type)));
    }

    [Fact]
    public void Build_ColumnWithoutNulls_HasNoValidityBuffer()
    {
        using var builder = new ArrowBatchBuilder(RowType.Of(("a", new IntType()), ("b", new IntType())));
        for (var i = 0; i < 20; i++) builder.Append(GenericRow.Of(i, i % 5 == 0 ? null : i));
        using var batch = builder.Build();

        Assert.Equal(0, batch.Column(0).Data.Buffers[0].Length);
        Assert.Equal(4, batch.Column(1).NullCount);
        Assert.True(((Int32Array)batch.Column(1)).IsNull(15));
        Assert.False(((Int32Array)batch.Column(1)).IsNull(16));
    }

    [Fact]
    public void EstimatedBodySize_AfterFailedRowAndClear_MatchesTheRowsHeld()
    {
        var type = RowType.Of(new BigIntType(), new IntType(false));
        using var builder = new ArrowBatchBuilder(type);
        var empty = builder.EstimatedBodySize;
        builder.Append(GenericRow.Of(1L, 1));
        var one = builder.EstimatedBodySize;
        Assert.Throws<ArgumentException>(() => builder.Append(GenericRow.Of(2L, null)));
        Assert.Equal(one, builder.EstimatedBodySize);
        builder.Append(GenericRow.Of(null, 3));
        Assert.Equal(16 + 8 + 8, builder.EstimatedBodySize); // 2 longs, 2 ints padded, a validity byte padded
        builder.Clear();
        Assert.Equal(empty, builder.EstimatedBodySize);
    }
}
