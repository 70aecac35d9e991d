using CsCheck;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Tests.Generators;
using Fluss.Types;
using static Fluss.Tests.Encoding.EncodingTestHelpers;

namespace Fluss.Tests.Encoding;

public class CompactedKeyEncoderTests
{
    public static TheoryData<int> KeyVectorIndexes() =>
        new(Enumerable.Range(0, FlussVectors.Rows.Length).Where(i => FlussVectors.Rows[i].Key is not null));

    [Theory]
    [MemberData(nameof(KeyVectorIndexes))]
    public void EncodeKey_FlussVector_MatchesFlussBytes(int index)
    {
        var v = FlussVectors.Rows[index];
        using var encoder = CompactedKeyEncoder.ForAllFields(v.Type);
        Assert.Equal(v.Key, Hex(encoder.EncodeKey(v.Row)));
        Assert.Equal(v.Row, Copy(encoder.DecodeKey(Convert.FromHexString(v.Key!)), encoder.KeyType));
    }

    [Fact]
    public void EncodeKey_IntBigIntInt_ConcatenatesVarints()
    {
        var type = RowType.Of(new IntType(), new BigIntType(), new IntType());
        using var encoder = CompactedKeyEncoder.ForAllFields(type);
        Assert.Equal(new byte[] { 1, 3, 2 }, encoder.EncodeKey(GenericRow.Of(1, 3L, 2)));
        Assert.Equal(new byte[] { 2, 5, 6 }, encoder.EncodeKey(GenericRow.Of(2, 5L, 6)));
    }

    [Fact]
    public void EncodeKey_SubsetByName_EncodesOnlyThoseFieldsInKeyOrder()
    {
        var type = RowType.Of(("partition", new StringType()), ("f1", new BigIntType()), ("f2", new StringType()));
        using var encoder = new CompactedKeyEncoder(type, ["f2", "f1"]);
        var key = encoder.EncodeKey(GenericRow.Of("p1", 1L, "a2"));
        Assert.Equal("02613201", Hex(key));
        var decoded = encoder.DecodeKey(key);
        Assert.Equal(2, decoded.FieldCount);
        Assert.Equal("a2", decoded.GetString(0));
        Assert.Equal(1L, decoded.GetLong(1));
    }

    [Fact]
    public void EncodeKey_NullKeyField_ThrowsNamingPositionFieldAndType()
    {
        var type = RowType.Of(("a", new IntType()), ("b", new BigIntType()), ("c", new IntType()), ("d", new StringType()));
        using var encoder = new CompactedKeyEncoder(type, [0, 1, 2]);
        Assert.Equal(new byte[] { 1, 3, 2 }, encoder.EncodeKey(GenericRow.Of(1, 3L, 2, "a1")));
        var ex = Assert.Throws<ArgumentException>(() => encoder.EncodeKey(GenericRow.Of(1, 2L, null, "a2")));
        Assert.StartsWith("Null value is not allowed for compacted key encoder in position 2 with type INT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'c'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownKeyName_Throws()
    {
        var type = RowType.Of(("a", new IntType()));
        var ex = Assert.Throws<ArgumentException>(() => new CompactedKeyEncoder(type, ["b"]));
        Assert.Contains("Field b not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundTrip_RandomKeys_DecodeToTheKeyFields()
    {
        KeyTypeAndRows().Sample(sample =>
        {
            using var encoder = CompactedKeyEncoder.ForAllFields(sample.Type);
            foreach (var row in sample.Rows)
            {
                var key = encoder.EncodeKey(row);
                var decoded = encoder.DecodeKey(key);
                Assert.Equal(key.Length, decoded.Validate());
                Assert.Equal(row, Copy(decoded, encoder.KeyType));
            }
        }, iter: 300);
    }

    [Fact]
    public void EncodeKey_LeadingSubsetOfKey_IsBytePrefixOfFullKey()
    {
        KeyTypeAndRows().SelectMany(s => Gen.Int[1, s.Type.FieldCount].Select(k => (s.Type, s.Rows, k))).Sample(sample =>
        {
            var (type, rows, prefixFields) = sample;
            using var full = CompactedKeyEncoder.ForAllFields(type);
            using var bucket = new CompactedKeyEncoder(type, Enumerable.Range(0, prefixFields).ToArray());
            foreach (var row in rows)
            {
                var pk = full.EncodeKey(row);
                var bk = bucket.EncodeKey(row);
                Assert.True(pk.AsSpan().StartsWith(bk), $"bucket key {Hex(bk)} is not a prefix of primary key {Hex(pk)}");
            }
        }, iter: 300);
    }

    [Fact]
    public void EncodeKey_KeyIsPrefixOfRowBody_WhenRowHasNoNulls()
    {
        // A compacted row without nulls is its null bitset followed by exactly the compacted key bytes.
        KeyTypeAndRows().Sample(sample =>
        {
            using var encoder = CompactedKeyEncoder.ForAllFields(sample.Type);
            using var writer = new CompactedRowWriter(sample.Type.FieldCount);
            foreach (var row in sample.Rows)
            {
                writer.WriteRow(row, sample.Type);
                var header = CompactedRowWriter.NullBitsSize(sample.Type.FieldCount);
                Assert.Equal(Hex(writer.WrittenSpan[header..]), Hex(encoder.Encode(row)));
            }
        }, iter: 100);
    }
}
