using System.Numerics;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Rows.Paimon;
using Fluss.Types;

namespace Fluss.Tests.Encoding;

public class DecimalBytesTests
{
    [Theory]
    [InlineData("99999999999999999999999999999999999999", 38, true)]
    [InlineData("-99999999999999999999999999999999999999", 38, true)]
    [InlineData("100000000000000000000000000000000000000", 38, false)]
    [InlineData("9", 1, true)]
    [InlineData("-10", 1, false)]
    [InlineData("0", 19, true)]
    public void FitsPrecision_Boundaries(string unscaled, int precision, bool expected)
    {
        var bytes = BigInteger.Parse(unscaled, System.Globalization.CultureInfo.InvariantCulture).ToByteArray(isUnsigned: false, isBigEndian: true);
        Assert.Equal(expected, DecimalBytes.FitsPrecision(bytes, precision));
    }
}

public class AllocationTests
{
    private static readonly RowType Type = RowType.Of(
        new IntType(), new BigIntType(), new StringType(), new DecimalType(10, 2), new DecimalType(30, 2), new TimestampType(6), new DoubleType());

    private static readonly GenericRow Row = GenericRow.Of(
        -7, 1L << 40, "some text", FlussDecimal.FromUnscaledLong(12345, 10, 2), FlussDecimal.FromUnscaledLong(-5, 30, 2), new TimestampNtz(99, 123_000), 1.5);

    [Fact]
    public void CompactedRow_WriteAndReadScalars_DoesNotAllocatePerRow()
    {
        using var writer = new CompactedRowWriter(Type.FieldCount);
        var reader = new CompactedRow(Type);
        var bytes = new byte[256];
        writer.WriteRow(Row, Type);
        var length = writer.Length;
        writer.WrittenSpan.CopyTo(bytes);
        long sum = 0;
        void Once()
        {
            reader.PointTo(bytes.AsMemory(0, length));
            sum += reader.GetInt(0) + reader.GetLong(1) + reader.GetStringUtf8(2).Length + reader.GetDecimal(3, 10, 2).UnscaledLong
                + reader.GetTimestampNtz(5, 6).NanoOfMillisecond + (long)reader.GetDouble(6) + reader.Validate();
        }
        for (var i = 0; i < 100; i++) Once();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) Once();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, sum);
    }

    [Fact]
    public void KvRecordBatch_BuildAndEnumerate_DoesNotAllocatePerRecord()
    {
        using var builder = new KvRecordBatchBuilder(1, initialCapacity: 1 << 16);
        byte[] key = [1, 2, 3];
        byte[] row = [0, 5, 6, 7];
        long total = 0;
        void Once()
        {
            builder.Reset(1);
            for (var i = 0; i < 100; i++)
            {
                if (i % 10 == 0) builder.AppendDelete(key);
                else builder.Append(key, row.AsSpan());
            }
            var batch = new KvRecordBatch(builder.Build());
            batch.EnsureValid();
            foreach (var record in batch.Records) total += record.Key.Length + record.Row.Length;
        }
        for (var i = 0; i < 10; i++) Once();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) Once();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, total);
    }

    [Fact]
    public void BinaryRowWriter_ReusedForScalarRows_DoesNotAllocatePerRow()
    {
        var type = RowType.Of(new IntType(), new BigIntType(), new DecimalType(30, 2), new TimestampType(6));
        var row = GenericRow.Of(1, 2L, FlussDecimal.FromUnscaledLong(3, 30, 2), new TimestampNtz(4, 5));
        using var writer = new BinaryRowWriter(4);
        for (var i = 0; i < 100; i++) writer.WriteRow(row, type);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) writer.WriteRow(row, type);
        // GenericRow boxes nothing new on reads; the writer itself must not allocate.
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(8 + 32 + 16 + 8, writer.SizeInBytes);
    }
}
