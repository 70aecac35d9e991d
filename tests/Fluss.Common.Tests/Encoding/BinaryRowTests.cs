using CsCheck;
using Fluss.Bucketing;
using Fluss.Errors;
using Fluss.Rows;
using Fluss.Rows.Paimon;
using Fluss.Tests.Generators;
using Fluss.Types;
using static Fluss.Tests.Encoding.EncodingTestHelpers;

namespace Fluss.Tests.Encoding;

public class BinaryRowWriterTests
{
    private static string Serialized(BinaryRowWriter writer) => Hex(BinaryRow.SerializeWithArity(writer.WrittenSpan, writer.Arity));

    [Fact]
    public void Serialize_EmptyRow_MatchesPaimonBytes()
    {
        using var writer = new BinaryRowWriter(0);
        Assert.Equal("00000000" + "0000000000000000", Serialized(writer));
    }

    [Fact]
    public void Serialize_IntOne_MatchesPaimonBytes()
    {
        using var writer = new BinaryRowWriter(1);
        writer.WriteInt(0, 1);
        Assert.Equal("00000001" + "0000000000000000" + "0100000000000000", Serialized(writer));
    }

    [Fact]
    public void Serialize_ShortStringAndInt_InlinesTheString()
    {
        using var writer = new BinaryRowWriter(2);
        writer.WriteString(0, "Alice");
        writer.WriteInt(1, 1);
        Assert.Equal("00000002" + "0000000000000000" + "416C696365000085" + "0100000000000000", Serialized(writer));
    }

    [Fact]
    public void Serialize_104ByteStringAndInt_PutsStringInVariablePart()
    {
        var text = "Two r" + new string('.', 99);
        using var writer = new BinaryRowWriter(2);
        writer.WriteString(0, text);
        writer.WriteInt(1, 1);
        var hex = Serialized(writer);
        Assert.StartsWith("00000002" + "0000000000000000" + "6800000018000000" + "0100000000000000" + "54776F2072", hex, StringComparison.Ordinal);
        Assert.Equal(8 + 16 + 104, writer.SizeInBytes);
        Assert.Equal(Hex(System.Text.Encoding.UTF8.GetBytes(text)), Hex(writer.WrittenSpan[24..]));
    }

    [Fact]
    public void Serialize_IntAndTwoShortStrings_MatchesPaimonStatsRow()
    {
        using var writer = new BinaryRowWriter(3);
        writer.WriteInt(0, 1);
        writer.WriteString(1, "name-1");
        writer.WriteString(2, "even");
        Assert.Equal("00000003" + "0000000000000000" + "0100000000000000" + "6E616D652D310086" + "6576656E00000084", Serialized(writer));
    }

    [Fact]
    public void WriteRow_TimestampsWithNulls_ReservesVariableBytesForNullNonCompact()
    {
        var type = RowType.Of(
            new TimestampType(0), new TimestampType(3), new TimestampType(6), new TimestampType(9),
            new LocalZonedTimestampType(0), new LocalZonedTimestampType(3), new LocalZonedTimestampType(6), new LocalZonedTimestampType(9));
        var row = GenericRow.Of(
            new TimestampNtz(1_000), new TimestampNtz(1_001), new TimestampNtz(1_002, 1000), null,
            new TimestampLtz(2_000), new TimestampLtz(2_001), new TimestampLtz(2_002, 5), null);
        using var writer = new BinaryRowWriter(8);
        writer.WriteRow(row, type);
        var bytes = writer.WrittenSpan;
        Assert.Equal(104, bytes.Length);
        Assert.Equal("0088000000000000", Hex(bytes[..8]));
        Assert.Equal("E803000048000000", Hex(bytes.Slice(8 + 2 * 8, 8)));
        Assert.Equal("0000000050000000", Hex(bytes.Slice(8 + 3 * 8, 8)));
        Assert.Equal("0000000000000000", Hex(bytes.Slice(80, 8)));
        Assert.Equal("EA03000000000000", Hex(bytes.Slice(72, 8)));
        Assert.Equal("0000000060000000", Hex(bytes.Slice(8 + 7 * 8, 8)));
    }

    [Fact]
    public void WriteDecimal_NonCompact_ReservesSixteenBytes()
    {
        using var writer = new BinaryRowWriter(2);
        writer.WriteDecimal(0, FlussDecimal.FromUnscaledLong(-2, 20, 2), 20);
        writer.WriteDecimal(1, null, 20);
        Assert.Equal(
            "0002000000000000" + "0100000018000000" + "0000000028000000" + "FE000000000000000000000000000000" + "00000000000000000000000000000000",
            Hex(writer.WrittenSpan));
    }

    [Fact]
    public void WriteRowKind_SetsFirstByte()
    {
        using var writer = new BinaryRowWriter(1);
        writer.WriteChangeType(ChangeType.Delete);
        Assert.Equal(3, writer.WrittenSpan[0]);
        Assert.Equal(3, new BinaryRow(RowType.Of(new IntType()), writer.ToArray()).RowKind);
    }

    [Fact]
    public void WriteRow_ReusedWriter_NoBytesLeakBetweenRows()
    {
        var type = RowType.Of(new StringType(), new BytesType(), new DecimalType(30, 2));
        using var writer = new BinaryRowWriter(3);
        writer.WriteRow(GenericRow.Of("a long string of many bytes", new byte[] { 0xFF, 0xFF, 0xFF }, FlussDecimal.FromUnscaledLong(-1, 30, 2)), type);
        writer.WriteRow(GenericRow.Of("ab", new byte[] { 1 }, FlussDecimal.FromUnscaledLong(1, 30, 2)), type);
        using var fresh = new BinaryRowWriter(3);
        fresh.WriteRow(GenericRow.Of("ab", new byte[] { 1 }, FlussDecimal.FromUnscaledLong(1, 30, 2)), type);
        Assert.Equal(Hex(fresh.WrittenSpan), Hex(writer.WrittenSpan));
    }
}

public class BinaryRowTests
{
    [Fact]
    public void RoundTrip_RandomRows_ReadsBackEveryField()
    {
        RowGenerators.TypeAndRows().Sample(sample =>
        {
            using var writer = new BinaryRowWriter(sample.Type.FieldCount);
            foreach (var expected in sample.Rows)
            {
                writer.WriteRow(expected, sample.Type);
                Assert.Equal(0, writer.SizeInBytes % 8);
                var row = new BinaryRow(sample.Type, writer.ToArray());
                Assert.Equal(expected, Copy(row, sample.Type));
            }
        }, iter: 300);
    }

    [Fact]
    public void SerializeWithArity_RoundTrips()
    {
        var type = RowType.Of(new IntType(), new StringType());
        using var writer = new BinaryRowWriter(2);
        writer.WriteRow(GenericRow.Of(7, "seven bytes and more"), type);
        var serialized = BinaryRow.SerializeWithArity(writer.WrittenSpan, 2);
        var (arity, rowBytes) = BinaryRow.DeserializeWithArity(serialized);
        Assert.Equal(2, arity);
        Assert.Equal(Hex(writer.WrittenSpan), Hex(rowBytes.Span));
        var row = BinaryRow.FromSerialized(type, serialized);
        Assert.Equal("seven bytes and more", row.GetString(1));
        Assert.Equal(Hex(serialized), Hex(row.SerializeWithArity()));
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("FFFFFFFF0000000000000000")]
    [InlineData("000000020000000000000000")]
    public void DeserializeWithArity_Corrupt_ThrowsCorruptRecord(string hex) =>
        Assert.Throws<CorruptRecordException>(() => BinaryRow.DeserializeWithArity(Convert.FromHexString(hex)));

    [Fact]
    public void Construct_ShorterThanSlots_ThrowsCorruptRecord() =>
        Assert.Throws<CorruptRecordException>(() => new BinaryRow(RowType.Of(new IntType(), new IntType()), new byte[16]));

    [Fact]
    public void GetString_SlotPointsPastEnd_ThrowsCorruptRecordNamingField()
    {
        var type = RowType.Of(("name", new StringType()));
        var bytes = Convert.FromHexString("0000000000000000" + "2000000010000000");
        var ex = Assert.Throws<CorruptRecordException>(() => new BinaryRow(type, bytes).GetString(0));
        Assert.Contains("'name'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RandomBytes_DecodesOrThrowsCorruptRecord()
    {
        Gen.Select(RowGenerators.RowTypeGen(6), Gen.Byte.Array[0, 120]).Sample(sample =>
        {
            var (type, bytes) = sample;
            try
            {
                Copy(new BinaryRow(type, bytes), type);
            }
            catch (CorruptRecordException)
            {
            }
        }, iter: 3000);
    }

    [Fact]
    public void Truncated_RandomRows_ReadOrThrowCorruptRecord()
    {
        RowGenerators.TypeAndRows(maxFields: 6, maxRows: 3).Sample(sample =>
        {
            using var writer = new BinaryRowWriter(sample.Type.FieldCount);
            foreach (var r in sample.Rows)
            {
                writer.WriteRow(r, sample.Type);
                var bytes = writer.ToArray();
                for (var length = 0; length < bytes.Length; length++)
                {
                    try
                    {
                        Copy(new BinaryRow(sample.Type, bytes.AsMemory(0, length)), sample.Type);
                    }
                    catch (CorruptRecordException)
                    {
                    }
                }
            }
        }, iter: 100);
    }

    [Fact]
    public void GetHashCode_IsMurmurByWordsOfRowBytes()
    {
        using var writer = new BinaryRowWriter(1);
        writer.WriteInt(0, 0);
        var row = new BinaryRow(RowType.Of(new IntType()), writer.ToArray());
        Assert.Equal(-300363099, row.GetHashCode());
        writer.Reset();
        writer.WriteInt(0, 1);
        Assert.Equal(1465514398, new BinaryRow(RowType.Of(new IntType()), writer.ToArray()).GetHashCode());
        Assert.Equal(1465514398, MurmurHash.HashBytesByWords(writer.WrittenSpan));
    }
}

public class PaimonKeyEncoderTests
{
    public static TheoryData<int> VectorIndexes() => new(Enumerable.Range(0, FlussVectors.Rows.Length));

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void EncodeKey_FlussVector_MatchesFlussBytes(int index)
    {
        var v = FlussVectors.Rows[index];
        using var encoder = new PaimonKeyEncoder(v.Type, v.Type.FieldNames.ToArray());
        var key = encoder.EncodeKey(v.Row);
        Assert.Equal(v.PaimonKey, Hex(key));
        Assert.Equal(v.Row, Copy(new BinaryRow(encoder.KeyType, key), encoder.KeyType));
    }

    [Fact]
    public void EncodeKey_NullNonCompactTimestamp_DoesNotReserveVariableBytes()
    {
        var type = RowType.Of(new TimestampType(6), new IntType());
        using var encoder = new PaimonKeyEncoder(type, ["f0", "f1"]);
        Assert.Equal("0001000000000000" + "0000000000000000" + "0700000000000000", Hex(encoder.Encode(GenericRow.Of(null, 7))));
    }

    [Fact]
    public void EncodeKey_SubsetInKeyOrder_MatchesWriterOfThoseFields()
    {
        var type = RowType.Of(("id", new BigIntType()), ("name", new StringType()), ("shop", new IntType()));
        using var encoder = new PaimonKeyEncoder(type, ["shop", "name"]);
        using var writer = new BinaryRowWriter(2);
        writer.WriteInt(0, 9);
        writer.WriteString(1, "abcdefghij");
        Assert.Equal(Hex(writer.WrittenSpan), Hex(encoder.Encode(GenericRow.Of(1L, "abcdefghij", 9))));
    }

    [Fact]
    public void RoundTrip_RandomKeys_ReadBackAsBinaryRow()
    {
        RowGenerators.TypeAndRows(maxFields: 8, maxRows: 10).Sample(sample =>
        {
            using var encoder = new PaimonKeyEncoder(sample.Type, sample.Type.FieldNames.ToArray());
            foreach (var row in sample.Rows)
            {
                var key = encoder.EncodeKey(row);
                Assert.Equal(0, key.Length % 8);
                Assert.Equal(row, Copy(new BinaryRow(encoder.KeyType, key), encoder.KeyType));
            }
        }, iter: 300);
    }
}
