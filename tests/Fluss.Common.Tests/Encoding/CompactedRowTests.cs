using CsCheck;
using Fluss.Errors;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Tests.Generators;
using Fluss.Types;
using static Fluss.Tests.Encoding.EncodingTestHelpers;

namespace Fluss.Tests.Encoding;

public class CompactedRowWriterTests
{
    public static TheoryData<int> VectorIndexes() => new(Enumerable.Range(0, FlussVectors.Rows.Length));

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void WriteRow_FlussVector_MatchesFlussBytes(int index)
    {
        var v = FlussVectors.Rows[index];
        using var writer = new CompactedRowWriter(v.Type.FieldCount);
        writer.WriteRow(v.Row, v.Type);
        Assert.Equal(v.Compacted, Hex(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(300, "AC02")]
    [InlineData(-1, "FFFFFFFF0F")]
    [InlineData(int.MinValue, "8080808008")]
    [InlineData(int.MaxValue, "FFFFFFFF07")]
    public void WriteInt_Value_UnsignedVarintOfBitPattern(int value, string hex)
    {
        using var writer = new CompactedRowWriter(0);
        writer.WriteInt(value);
        Assert.Equal(hex, Hex(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "FFFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "80808080808080808001")]
    [InlineData(long.MaxValue, "FFFFFFFFFFFFFFFF7F")]
    public void WriteLong_Value_UnsignedVarintOfBitPattern(long value, string hex)
    {
        using var writer = new CompactedRowWriter(0);
        writer.WriteLong(value);
        Assert.Equal(hex, Hex(writer.WrittenSpan));
    }

    [Fact]
    public void WriteShortFloatDouble_LittleEndian()
    {
        using var writer = new CompactedRowWriter(0);
        writer.WriteShort(0x0102);
        writer.WriteFloat(1.0f);
        writer.WriteDouble(-2.0);
        Assert.Equal("02010000803F00000000000000C0", Hex(writer.WrittenSpan));
    }

    [Fact]
    public void SetNullAt_NinthField_SetsBitZeroOfSecondByte()
    {
        using var writer = new CompactedRowWriter(10);
        writer.SetNullAt(0);
        writer.SetNullAt(8);
        writer.SetNullAt(9);
        Assert.Equal("0103", Hex(writer.WrittenSpan));
        writer.Reset();
        Assert.Equal("0000", Hex(writer.WrittenSpan));
    }

    [Fact]
    public void WriteString_UnpairedSurrogate_EncodesQuestionMark()
    {
        using var writer = new CompactedRowWriter(0);
        writer.WriteString("a\uD800b");
        Assert.Equal("03613F62", Hex(writer.WrittenSpan));
    }

    [Fact]
    public void WriteDecimal_NonCompact_WritesMinimalTwosComplementBigEndian()
    {
        using var writer = new CompactedRowWriter(0);
        writer.WriteDecimal(FlussDecimal.FromUnscaledLong(128, 20, 0), 20);
        writer.WriteDecimal(FlussDecimal.FromUnscaledLong(-1, 20, 0), 20);
        writer.WriteDecimal(FlussDecimal.FromUnscaledLong(0, 20, 0), 20);
        Assert.Equal("020080" + "01FF" + "0100", Hex(writer.WrittenSpan));
    }

    [Fact]
    public void WriteRow_NullInNotNullField_ThrowsNamingTheField()
    {
        var type = RowType.Of(("id", new IntType(isNullable: false)));
        using var writer = new CompactedRowWriter(1);
        var ex = Assert.Throws<ArgumentException>(() => writer.WriteRow(GenericRow.Of([null]), type));
        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteRow_NestedType_ThrowsNotSupported()
    {
        var type = RowType.Of(("tags", new ArrayType(new IntType())));
        using var writer = new CompactedRowWriter(1);
        var ex = Assert.Throws<NotSupportedException>(() => writer.WriteRow(GenericRow.Of(new object()), type));
        Assert.Contains("nested types", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteRow_ManyRowsOneWriter_GrowsAndStaysCorrect()
    {
        var type = RowType.Of(new StringType(), new IntType());
        using var writer = new CompactedRowWriter(2, initialCapacity: 4);
        for (var i = 0; i < 200; i++)
        {
            var text = new string('x', i * 13);
            writer.WriteRow(GenericRow.Of(text, i), type);
            var row = new CompactedRow(type, writer.ToArray());
            Assert.Equal(text, row.GetString(0));
            Assert.Equal(i, row.GetInt(1));
        }
    }
}

public class CompactedRowTests
{
    public static TheoryData<int> VectorIndexes() => new(Enumerable.Range(0, FlussVectors.Rows.Length));

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Read_FlussVector_DecodesTheRow(int index)
    {
        var v = FlussVectors.Rows[index];
        var row = new CompactedRow(v.Type, Convert.FromHexString(v.Compacted));
        Assert.Equal(v.Row, Copy(row, v.Type));
        Assert.Equal(row.SizeInBytes, row.Validate());
    }

    [Fact]
    public void RoundTrip_RandomRows_ReadsBackEveryField()
    {
        RowGenerators.TypeAndRows().Sample(sample =>
        {
            using var writer = new CompactedRowWriter(sample.Type.FieldCount);
            var reader = new CompactedRow(sample.Type);
            foreach (var expected in sample.Rows)
            {
                writer.WriteRow(expected, sample.Type);
                reader.PointTo(writer.WrittenMemory);
                Assert.Equal(writer.Length, reader.Validate());
                Assert.Equal(expected, Copy(reader, sample.Type));
            }
        }, iter: 300);
    }

    [Fact]
    public void Read_FieldsOutOfOrder_SameValues()
    {
        var type = RowType.Of(new StringType(), new BigIntType(), new BytesType(), new TimestampType(9));
        var expected = GenericRow.Of("abc", -5L, new byte[] { 1, 2 }, new TimestampNtz(123, 456));
        using var writer = new CompactedRowWriter(4);
        writer.WriteRow(expected, type);
        var row = new CompactedRow(type, writer.ToArray());
        Assert.Equal(new TimestampNtz(123, 456), row.GetTimestampNtz(3, 9));
        Assert.Equal("abc", row.GetString(0));
        Assert.Equal(new byte[] { 1, 2 }, row.GetBinarySpan(2).ToArray());
        Assert.Equal(-5L, row.GetLong(1));
    }

    [Fact]
    public void GetInt_OnStringField_ThrowsInvalidOperation()
    {
        var type = RowType.Of(new StringType());
        var row = new CompactedRow(type, Convert.FromHexString("000161"));
        Assert.Throws<InvalidOperationException>(() => row.GetInt(0));
    }

    [Fact]
    public void Truncated_RandomRows_EveryShorterPrefixThrowsCorruptRecord()
    {
        RowGenerators.TypeAndRows(maxFields: 8, maxRows: 5).Sample(sample =>
        {
            using var writer = new CompactedRowWriter(sample.Type.FieldCount);
            foreach (var r in sample.Rows)
            {
                writer.WriteRow(r, sample.Type);
                var bytes = writer.ToArray();
                for (var length = 0; length < bytes.Length; length++)
                {
                    var cut = bytes.AsMemory(0, length);
                    var ex = Assert.ThrowsAny<FlussException>(() => new CompactedRow(sample.Type, cut).Validate());
                    Assert.IsType<CorruptRecordException>(ex);
                }
            }
        }, iter: 100);
    }

    [Fact]
    public void Read_RandomBytes_DecodesOrThrowsCorruptRecord()
    {
        Gen.Select(RowGenerators.RowTypeGen(8), Gen.Byte.Array[0, 60]).Sample(sample =>
        {
            var (type, bytes) = sample;
            try
            {
                var row = new CompactedRow(type, bytes);
                row.Validate();
                Copy(row, type);
            }
            catch (CorruptRecordException)
            {
            }
        }, iter: 3000);
    }

    [Fact]
    public void Read_LengthBeyondRow_ThrowsCorruptRecordNamingField()
    {
        var type = RowType.Of(("name", new StringType()));
        var row = new CompactedRow(type, Convert.FromHexString("000A6162"));
        var ex = Assert.Throws<CorruptRecordException>(() => row.GetString(0));
        Assert.Contains("'name'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("10 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NegativeLength_ThrowsCorruptRecord()
    {
        var type = RowType.Of(new BytesType());
        var row = new CompactedRow(type, Convert.FromHexString("00FFFFFFFF0F00"));
        var ex = Assert.Throws<CorruptRecordException>(() => row.GetBinary(0));
        Assert.Contains("negative length", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00FFFFFFFF1F")]
    [InlineData("00FFFFFFFF8F01")]
    public void Read_IntVarintOverflow_ThrowsCorruptRecord(string hex)
    {
        var row = new CompactedRow(RowType.Of(new IntType()), Convert.FromHexString(hex));
        var ex = Assert.Throws<CorruptRecordException>(() => row.GetInt(0));
        Assert.Contains("longer than a 32-bit integer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LongVarintOverflow_ThrowsCorruptRecord()
    {
        var row = new CompactedRow(RowType.Of(new BigIntType()), Convert.FromHexString("00FFFFFFFFFFFFFFFFFF02"));
        Assert.Throws<CorruptRecordException>(() => row.GetLong(0));
    }

    [Fact]
    public void Read_DecimalWithTooManyDigits_ThrowsCorruptRecord()
    {
        // DECIMAL(20, 0) holding 10^20 (21 digits).
        var bytes = new System.Numerics.BigInteger(100_000_000_000_000_000_000m).ToByteArray(isUnsigned: false, isBigEndian: true);
        var hex = "00" + ((byte)bytes.Length).ToString("X2", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexString(bytes);
        var row = new CompactedRow(RowType.Of(new DecimalType(20, 0)), Convert.FromHexString(hex));
        Assert.Throws<CorruptRecordException>(() => row.GetDecimal(0, 20, 0));
    }

    [Fact]
    public void Read_NanosOutOfRange_ThrowsCorruptRecord()
    {
        // millis 0, nanos 1_000_000
        var row = new CompactedRow(RowType.Of(new TimestampType(6)), Convert.FromHexString("0000C0843D"));
        Assert.Throws<CorruptRecordException>(() => row.GetTimestampNtz(0, 6));
    }

    [Fact]
    public void Construct_ShorterThanNullBitset_ThrowsCorruptRecord()
    {
        var type = RowType.Of(Enumerable.Range(0, 9).Select(_ => (DataType)new IntType()).ToArray());
        var ex = Assert.Throws<CorruptRecordException>(() => new CompactedRow(type, new byte[1]));
        Assert.Contains("null bitset needs 2 bytes", ex.Message, StringComparison.Ordinal);
    }
}
