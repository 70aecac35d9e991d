using Fluss.Bucketing;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Rows.Paimon;
using Fluss.Types;

namespace Fluss.Tests.Encoding;

public class MurmurHashTests
{
    public static TheoryData<string, int> HashBytesVectors() => ToTheory(FlussVectors.HashBytes);

    public static TheoryData<string, int> ByWordsVectors() => ToTheory(FlussVectors.HashBytesByWords);

    public static TheoryData<int, int> IntVectors()
    {
        var data = new TheoryData<int, int>();
        foreach (var (input, output) in FlussVectors.MurmurHashInt) data.Add(input, output);
        return data;
    }

    private static TheoryData<string, int> ToTheory((string Hex, int Hash)[] vectors)
    {
        var data = new TheoryData<string, int>();
        foreach (var (hex, hash) in vectors) data.Add(hex, hash);
        return data;
    }

    [Theory]
    [MemberData(nameof(HashBytesVectors))]
    public void HashBytes_FlussVector_SameHash(string hex, int expected) =>
        Assert.Equal(expected, MurmurHash.HashBytes(Convert.FromHexString(hex)));

    [Theory]
    [MemberData(nameof(ByWordsVectors))]
    public void HashBytesByWords_FlussVector_SameHashAsHashBytes(string hex, int expected)
    {
        Assert.Equal(expected, MurmurHash.HashBytesByWords(Convert.FromHexString(hex)));
        Assert.Equal(expected, MurmurHash.HashBytes(Convert.FromHexString(hex)));
    }

    [Theory]
    [MemberData(nameof(IntVectors))]
    public void MurmurHashInt_FlussVector_SameValue(int input, int expected) =>
        Assert.Equal(expected, MurmurHash.MurmurHashInt(input));

    [Fact]
    public void HashBytesByWords_UnalignedLength_Throws() =>
        Assert.Throws<ArgumentException>(() => MurmurHash.HashBytesByWords(new byte[5]));
}

public class BucketingFunctionTests
{
    private static readonly byte[] Uuid = System.Text.Encoding.UTF8.GetBytes("2bb87d68-baf9-4e64-90f9-f80910419fa6");
    private static readonly byte[] Fox = System.Text.Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog");

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    [InlineData("lance")]
    [InlineData("LANCE")]
    public void FlussFunction_CrossClientVectors_SameBuckets(string? format)
    {
        var function = BucketingFunctions.For(format);
        Assert.IsType<FlussBucketingFunction>(function);
        Assert.Equal(1, function.Bucket([0, 10], 7));
        Assert.Equal(0, function.Bucket([0, 10, 10, 10], 12));
        Assert.Equal(6, function.Bucket(Uuid, 16));
        Assert.Equal(6, function.Bucket(Fox, 8));
    }

    [Fact]
    public void PaimonFunction_CrossClientVectors_SameBuckets()
    {
        var function = BucketingFunctions.For("paimon");
        Assert.IsType<PaimonBucketingFunction>(function);
        Assert.Equal(1, function.Bucket([0, 10], 7));
        Assert.Equal(11, function.Bucket([0, 10, 10, 10], 12));
        Assert.Equal(12, function.Bucket(Uuid, 16));
        Assert.Equal(0, function.Bucket(Fox, 8));
    }

    [Theory]
    [InlineData("iceberg")]
    [InlineData("hudi")]
    [InlineData("delta")]
    public void For_UnsupportedFormat_ThrowsNamingIt(string format)
    {
        var ex = Assert.Throws<NotSupportedException>(() => BucketingFunctions.For(format));
        Assert.Contains($"'{format}'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => KeyEncoders.ForBucketKey(RowType.Of(new IntType()), ["f0"], format));
    }

    [Fact]
    public void FlussFunction_EmptyKey_Throws() =>
        Assert.Throws<ArgumentException>(() => FlussBucketingFunction.Instance.Bucket([], 3));

    [Fact]
    public void Bucket_NonPositiveBucketCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlussBucketingFunction.Instance.Bucket([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaimonBucketingFunction.Instance.Bucket([1], -1));
    }

    public static TheoryData<int> VectorIndexes() => new(Enumerable.Range(0, FlussVectors.Rows.Length));

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void RowToBucket_FlussVector_SameBucketsAsFluss(int index)
    {
        var v = FlussVectors.Rows[index];
        var names = v.Type.FieldNames.ToArray();
        var paimonKey = KeyEncoders.ForBucketKey(v.Type, names, "paimon").EncodeKey(v.Row);
        var paimon = FlussVectors.BucketCounts.Select(n => BucketingFunctions.For("paimon").Bucket(paimonKey, n));
        Assert.Equal(v.PaimonBuckets, paimon);
        if (v.Key is null) return;
        var flussKey = KeyEncoders.ForBucketKey(v.Type, names, null).EncodeKey(v.Row);
        var fluss = FlussVectors.BucketCounts.Select(n => BucketingFunctions.For(null).Bucket(flussKey, n));
        Assert.Equal(v.FlussBuckets, fluss);
    }

    [Theory]
    [InlineData(0, 2, 1)]
    [InlineData(1, 2, 0)]
    [InlineData(1, 4, 2)]
    public void PaimonRowToBucket_IntKey_SameBucketAsPaimon(int key, int buckets, int expected)
    {
        var type = RowType.Of(("id", new IntType()));
        using var encoder = new PaimonKeyEncoder(type, ["id"]);
        Assert.Equal(expected, PaimonBucketingFunction.Instance.Bucket(encoder.Encode(GenericRow.Of(key)), buckets));
    }

    [Fact]
    public void PaimonRowToBucket_ShopIds_SameSplitAsPaimonTable()
    {
        var type = RowType.Of(("shopId", new IntType()));
        using var encoder = new PaimonKeyEncoder(type, ["shopId"]);
        var buckets = Enumerable.Range(1000, 8).Select(id => PaimonBucketingFunction.Instance.Bucket(encoder.Encode(GenericRow.Of(id)), 2));
        Assert.Equal([1, 1, 0, 1, 1, 0, 0, 1], buckets);
    }

    [Fact]
    public void PaimonBucket_HashesRowBytesWithoutArityPrefix()
    {
        var type = RowType.Of(("id", new IntType()));
        using var encoder = new PaimonKeyEncoder(type, ["id"]);
        var key = encoder.EncodeKey(GenericRow.Of(1));
        Assert.Equal(16, key.Length);
        Assert.Equal(Math.Abs(1465514398 % 4), PaimonBucketingFunction.Instance.Bucket(key, 4));
        var withArity = BinaryRow.SerializeWithArity(key, 1);
        Assert.NotEqual(MurmurHash.HashBytes(withArity), MurmurHash.HashBytes(key));
    }

    [Fact]
    public void KeyEncoders_ForPrimaryKey_FollowsFormatVersionAndBucketKey()
    {
        var type = RowType.Of(("id", new IntType()), ("name", new StringType()));
        Assert.IsType<PaimonKeyEncoder>(KeyEncoders.ForPrimaryKey(type, ["id"], "paimon", kvFormatVersion: 1, isDefaultBucketKey: false));
        Assert.IsType<PaimonKeyEncoder>(KeyEncoders.ForPrimaryKey(type, ["id"], "paimon", kvFormatVersion: 2, isDefaultBucketKey: true));
        Assert.IsType<CompactedKeyEncoder>(KeyEncoders.ForPrimaryKey(type, ["id"], "paimon", kvFormatVersion: 2, isDefaultBucketKey: false));
        Assert.IsType<CompactedKeyEncoder>(KeyEncoders.ForPrimaryKey(type, ["id"], null, kvFormatVersion: 1, isDefaultBucketKey: true));
        Assert.IsType<CompactedKeyEncoder>(KeyEncoders.ForPrimaryKey(type, ["id"], "hudi", kvFormatVersion: 1, isDefaultBucketKey: true));
        Assert.Throws<NotSupportedException>(() => KeyEncoders.ForPrimaryKey(type, ["id"], null, kvFormatVersion: 3, isDefaultBucketKey: true));
    }
}
