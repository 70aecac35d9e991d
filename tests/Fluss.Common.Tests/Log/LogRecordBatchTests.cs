using System.Buffers.Binary;
using CsCheck;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Log;

public class LogRecordBatchTests
{
    private static readonly RowType Type = RowType.Of(("id", new IntType(false)), ("name", new StringType()), ("amount", new DecimalType(12, 2)));

    private static readonly GenericRow[] Rows = Enumerable.Range(0, 20)
        .Select(i => GenericRow.Of(i, i % 5 == 0 ? null : "row-" + i, FlussDecimal.FromUnscaledLong(i * 137L, 12, 2)))
        .ToArray();

    /// <summary>
    /// A V1 or V2 batch written field by field at the offsets of Fluss's format description, around the records
    /// section of a V0 batch built by the library.
    /// </summary>
    private static byte[] HandBuilt(byte magic, byte[] statistics, ArrowCompressionType codec, ChangeType[]? changes = null)
    {
        var v0 = LogTestSupport.BuildBatch(Type, Rows, codec, changes);
        var records = v0[48..];
        var header = magic == 1 ? 52 : 56;
        var bytes = new byte[header + statistics.Length + records.Length];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(s[0..], 1000);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], bytes.Length - 12);
        s[12] = magic;
        BinaryPrimitives.WriteInt64LittleEndian(s[13..], 1_700_000_000_000);
        var b = magic == 1 ? 21 : 25;
        if (magic == 2) BinaryPrimitives.WriteInt32LittleEndian(s[21..], 12); // leader epoch
        BinaryPrimitives.WriteInt16LittleEndian(s[(b + 4)..], 9); // schema id
        s[b + 6] = (byte)(changes is null ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(s[(b + 7)..], Rows.Length - 1);
        BinaryPrimitives.WriteInt64LittleEndian(s[(b + 11)..], 77);
        BinaryPrimitives.WriteInt32LittleEndian(s[(b + 19)..], 5);
        BinaryPrimitives.WriteInt32LittleEndian(s[(b + 23)..], Rows.Length);
        BinaryPrimitives.WriteInt32LittleEndian(s[(b + 27)..], statistics.Length);
        statistics.CopyTo(s[header..]);
        records.CopyTo(s[(header + statistics.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[b..], LogTestSupport.ReferenceCrc32C(s[(b + 4)..]));
        return bytes;
    }

    [Theory]
    [InlineData((byte)1, 0)]
    [InlineData((byte)1, 37)]
    [InlineData((byte)2, 0)]
    [InlineData((byte)2, 64)]
    public void V1AndV2_HandBuiltHeaders_ParseEveryField(byte magic, int statisticsLength)
    {
        var statistics = Enumerable.Range(0, statisticsLength).Select(i => (byte)(i + 1)).ToArray();
        var bytes = HandBuilt(magic, statistics, ArrowCompressionType.Zstd);
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.Equal(magic, view.Magic);
        Assert.Equal(1000, view.BaseOffset);
        Assert.Equal(bytes.Length, view.SizeInBytes);
        Assert.Equal(1_700_000_000_000, view.CommitTimestamp);
        Assert.Equal(magic == 2 ? 12 : -1, view.LeaderEpoch);
        Assert.Equal(9, view.SchemaId);
        Assert.True(view.IsAppendOnly);
        Assert.Equal(19, view.LastOffsetDelta);
        Assert.Equal(1019, view.LastOffset);
        Assert.Equal(77, view.WriterId);
        Assert.Equal(5, view.BatchSequence);
        Assert.Equal(20, view.RecordCount);
        Assert.Equal(statisticsLength, view.StatisticsLength);
        Assert.Equal((magic == 1 ? 52 : 56) + statisticsLength, view.RecordsOffset);
        var records = view.ReadRows(Type);
        Assert.Equal(Rows, records.Select(r => r.Row));
        Assert.Equal(Enumerable.Range(1000, 20).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal(1_700_000_000_000, r.Timestamp));
    }

    [Fact]
    public void V2_ChangelogWithStatistics_ReadsChangeTypesAfterTheStatistics()
    {
        var changes = Enumerable.Range(0, Rows.Length).Select(i => (ChangeType)(1 + (i % 4))).ToArray();
        var bytes = HandBuilt(2, [1, 2, 3, 4, 5], ArrowCompressionType.Lz4Frame, changes);
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.False(view.IsAppendOnly);
        Assert.Equal(changes, view.ReadRows(Type).Select(r => r.ChangeType));
    }

    [Fact]
    public void SetBaseOffsetAndCommitTimestamp_KeepTheCrcValid()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.Lz4Frame);
        var crcBefore = new LogRecordBatch(bytes).Checksum;
        LogRecordBatch.SetBaseOffset(bytes, 123_456_789_012);
        LogRecordBatch.SetCommitTimestamp(bytes, 1_712_345_678_901);
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.Equal(crcBefore, view.Checksum);
        Assert.Equal(123_456_789_012, view.BaseOffset);
        Assert.Equal(123_456_789_012 + 19, view.LastOffset);
        Assert.Equal(1_712_345_678_901, view.CommitTimestamp);
        Assert.Equal(123_456_789_012, BinaryPrimitives.ReadInt64LittleEndian(bytes));
        Assert.Equal(1_712_345_678_901, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(13)));
        Assert.Equal(123_456_789_012 + 19, view.ReadRows(Type)[^1].Offset);
    }

    [Fact]
    public void SetLeaderEpoch_V2_KeepsTheCrcValid()
    {
        var bytes = HandBuilt(2, [], ArrowCompressionType.None);
        LogRecordBatch.SetLeaderEpoch(bytes, 99);
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.Equal(99, view.LeaderEpoch);
        Assert.Equal(99, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(21)));
    }

    [Fact]
    public void SetLeaderEpoch_V0_IsNotSupported()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        var ex = Assert.Throws<NotSupportedException>(() => LogRecordBatch.SetLeaderEpoch(bytes, 1));
        Assert.Contains("V0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void EnsureValid_AnyFlippedByteInTheCrcRange_ThrowsCrcError(ArrowCompressionType codec)
    {
        var original = LogTestSupport.BuildBatch(Type, Rows, codec, Rows.Select(_ => ChangeType.Insert).ToArray());
        for (var i = 21; i < original.Length; i++)
        {
            var bytes = (byte[])original.Clone();
            bytes[i] ^= 0x5A;
            var view = new LogRecordBatch(bytes);
            var ex = Assert.Throws<CorruptMessageException>(view.EnsureValid);
            Assert.Contains("crc", ex.Message, StringComparison.Ordinal);
            Assert.False(view.IsValid);
        }
    }

    [Fact]
    public void EnsureValid_FlippedBytesBeforeTheCrc_StayValid()
    {
        var original = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        foreach (var i in Enumerable.Range(0, 8).Concat(Enumerable.Range(13, 8)))
        {
            var bytes = (byte[])original.Clone();
            bytes[i] ^= 0xFF;
            Assert.True(new LogRecordBatch(bytes).IsValid);
        }
    }

    [Fact]
    public void Truncated_AtEveryLength_ThrowsTypedError()
    {
        var original = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.Zstd);
        for (var len = 0; len < original.Length; len++)
        {
            var memory = original.AsMemory(0, len);
            var ex = Assert.ThrowsAny<FlussException>(() => new LogRecordBatch(memory).EnsureValid());
            Assert.IsType<CorruptMessageException>(ex);
            if (len >= 48) Assert.Contains($"only {len} are available", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EnsureValid_LengthPastTheEnd_SaysHowManyBytesAreMissing()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), bytes.Length);
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).EnsureValid());
        Assert.Contains($"says {bytes.Length + 12} bytes but only {bytes.Length} are available", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_NegativeLength_IsReported()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), -5);
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).EnsureValid());
        Assert.Contains("-5", ex.Message, StringComparison.Ordinal);
        Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).ReadArrow(Type));
    }

    [Fact]
    public void EnsureValid_LengthSmallerThanTheHeader_IsReported()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 20);
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).EnsureValid());
        Assert.Contains("minimum allowed overhead 48", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)3)]
    [InlineData((byte)255)]
    public void Constructor_UnknownMagic_Throws(byte magic)
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        bytes[12] = magic;
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes));
        Assert.Contains($"magic {magic}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_NegativeRecordCountWithValidCrc_IsReported()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(44), -3);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).EnsureValid());
        Assert.Contains("record count is -3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_ChangeTypesLargerThanTheRecords_IsReported()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None, Rows.Select(_ => ChangeType.Insert).ToArray());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(44), bytes.Length);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).EnsureValid());
        Assert.Contains("change types do not fit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_StatisticsLongerThanTheBatch_IsReported()
    {
        var bytes = HandBuilt(1, [1, 2, 3], ArrowCompressionType.None);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(48), 1 << 20);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).EnsureValid());
        Assert.Contains("statistics length 1048576", ex.Message, StringComparison.Ordinal);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(48), -100);
        LogTestSupport.FixCrc(bytes);
        ex = Assert.Throws<CorruptMessageException>(() => new LogRecordBatch(bytes).ReadArrow(Type));
        Assert.Contains("statistics length -100", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)5)]
    [InlineData((byte)200)]
    public void ReadArrow_ChangeTypeByteAboveFour_ThrowsCorruptRecord(byte value)
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None, Rows.Select(_ => ChangeType.UpdateAfter).ToArray());
        bytes[48 + 7] = value;
        LogTestSupport.FixCrc(bytes);
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        var ex = Assert.Throws<CorruptRecordException>(() => view.ReadArrow(Type));
        Assert.Contains($"Change type byte {value} at record 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArrow_GarbageArrowMetadata_ThrowsCorruptRecord()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        new Random(3).NextBytes(bytes.AsSpan(56, metadataLength));
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(Type));
        Assert.Contains("Arrow", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArrow_MetadataLengthPastTheEnd_ThrowsCorruptRecord()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(52), int.MaxValue);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(Type));
        Assert.Contains($"metadata length is {int.MaxValue}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArrow_RecordCountDisagreesWithArrow_ThrowsCorruptRecord()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.Zstd);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(44), 19);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(Type));
        Assert.Contains("20 rows but the log batch header says 19", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArrow_WrongSchema_ThrowsCorruptRecord()
    {
        var bytes = LogTestSupport.BuildBatch(Type, Rows, ArrowCompressionType.None);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(RowType.Of(new IntType())));
        Assert.Contains("3 field nodes but the schema has 1 columns", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArrow_HugeDeclaredUncompressedLength_IsRejectedBeforeAllocating()
    {
        var bytes = LogTestSupport.BuildBatch(RowType.Of(("id", new IntType(false))), [GenericRow.Of(1), GenericRow.Of(2)], ArrowCompressionType.Zstd);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        // The values buffer is the first non-empty buffer of the body; its prefix is the uncompressed length.
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(56 + metadataLength), 1L << 40);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(RowType.Of(("id", new IntType(false)))));
        Assert.Contains("declares 1099511627776 uncompressed bytes but its values need 8", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ArrowCompressionType.Zstd, "the Zstandard frame holds 4000 bytes but the buffer declares 4050")]
    [InlineData(ArrowCompressionType.Lz4Frame, "the LZ4 frame holds 4000 bytes but the buffer declares 4050")]
    public void ReadArrow_DeclaredLengthDisagreesWithTheFrame_ThrowsCorruptRecord(ArrowCompressionType codec, string expected)
    {
        var type = RowType.Of(("id", new IntType(false)));
        var bytes = LogTestSupport.BuildBatch(type, Enumerable.Range(0, 1000).Select(_ => GenericRow.Of(0)).ToArray(), codec);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        var prefix = bytes.AsSpan(56 + metadataLength);
        Assert.Equal(4000L, BinaryPrimitives.ReadInt64LittleEndian(prefix)); // the values buffer compresses
        BinaryPrimitives.WriteInt64LittleEndian(prefix, 4050);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(type));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ArrowCompressionType.Zstd)]
    [InlineData(ArrowCompressionType.Lz4Frame)]
    public void ReadArrow_MoreThanTheDecompressionLimit_ThrowsCorruptRecord(ArrowCompressionType codec)
    {
        var type = RowType.Of(("id", new IntType(false)));
        var bytes = LogTestSupport.BuildBatch(type, Enumerable.Range(0, 1000).Select(_ => GenericRow.Of(0)).ToArray(), codec);
        var view = new LogRecordBatch(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => view.ReadArrow(ArrowSchemas.ToArrowSchema(type), maxUncompressedBytes: 3999));
        Assert.Contains("more than 3999 bytes", ex.Message, StringComparison.Ordinal);
        using var ok = view.ReadArrow(ArrowSchemas.ToArrowSchema(type), maxUncompressedBytes: 4000);
        Assert.Equal(1000, ok.RowCount);
    }

    [Theory]
    [InlineData(ArrowCompressionType.Zstd, "Zstandard frame header is invalid")]
    [InlineData(ArrowCompressionType.Lz4Frame, "LZ4 frame magic")]
    public void ReadArrow_CompressedBufferWithGarbageFrame_ThrowsCorruptRecord(ArrowCompressionType codec, string expected)
    {
        var type = RowType.Of(("id", new IntType(false)));
        var bytes = LogTestSupport.BuildBatch(type, Enumerable.Range(0, 1000).Select(_ => GenericRow.Of(0)).ToArray(), codec);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        bytes.AsSpan(56 + metadataLength + 8, 4).Fill(0x33);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(type));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("column 'id'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArrow_ZstdFrameWithCorruptBlock_ThrowsCorruptRecordNamingTheZstdError()
    {
        var type = RowType.Of(("id", new IntType(false)));
        var bytes = LogTestSupport.BuildBatch(type, Enumerable.Range(0, 1000).Select(i => GenericRow.Of(i)).ToArray(), ArrowCompressionType.Zstd);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        var frame = bytes.AsSpan(56 + metadataLength + 8);
        // The header stays valid; the first block header gets the reserved block type 3.
        frame.Slice(Codecs.ZstdTests.FrameHeaderLength(frame), 3).Fill(0xFF);
        LogTestSupport.FixCrc(bytes);
        var ex = Assert.Throws<CorruptRecordException>(() => new LogRecordBatch(bytes).ReadArrow(type));
        Assert.Equal("The Arrow record batch is corrupt: the values buffer of column 'id' does not decompress: Data corruption detected.", ex.Message);
    }

    [Fact]
    public void Fuzz_RandomBytes_OnlyTypedErrors()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => Exercise(bytes), iter: 2000);
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void Fuzz_MutatedRecordsWithValidCrc_OnlyTypedErrors(ArrowCompressionType codec)
    {
        var changes = Rows.Select((_, i) => (ChangeType)(i % 5)).ToArray();
        var originals = new[]
        {
            LogTestSupport.BuildBatch(Type, Rows, codec),
            LogTestSupport.BuildBatch(Type, Rows, codec, changes),
            HandBuilt(1, [1, 2, 3], codec),
            HandBuilt(2, [4, 5, 6, 7], codec, changes),
        };
        Gen.Int[0, originals.Length - 1].SelectMany(which => Gen.Int[1, 6].SelectMany(n => Gen.Select(Gen.Int[25, originals[which].Length - 1], Gen.Byte).Array[n].Select(edits => (which, edits))))
            .Sample(t =>
            {
                var bytes = (byte[])originals[t.which].Clone();
                foreach (var (pos, value) in t.edits) bytes[pos] = value;
                LogTestSupport.FixCrc(bytes);
                Exercise(bytes);
            }, iter: 2000);
    }

    private static void Exercise(byte[] bytes)
    {
        try
        {
            var view = new LogRecordBatch(bytes);
            _ = view.IsValid;
            _ = view.ReadRows(Type);
        }
        catch (CorruptMessageException)
        {
        }
        catch (CorruptRecordException)
        {
        }
    }
}
