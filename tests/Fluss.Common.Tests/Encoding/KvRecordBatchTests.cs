using System.Buffers.Binary;
using CsCheck;
using Fluss.Errors;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Types;
using static Fluss.Tests.Encoding.EncodingTestHelpers;

namespace Fluss.Tests.Encoding;

public class KvRecordBatchBuilderTests
{
    // A batch as Fluss builds it: schema id 3, writer id 1234567890123, batch sequence 7, records
    // (key 0102 -> row (1, "a1")), (key 03 -> delete), (key "k" -> row (null, "a string longer than the page")).
    internal const string FlussBatch =
        "4F000000" + "00" + "290E9BBD" + "0300" + "00" + "CB04FB711F010000" + "07000000" + "03000000"
        + "08000000" + "02" + "0102" + "0001026131"
        + "02000000" + "01" + "03"
        + "21000000" + "01" + "6B" + "011D6120737472696E67206C6F6E676572207468616E207468652070616765";

    internal const string FlussEmptyBatch = "18000000" + "00" + "9F0D54AF" + "0000" + "00" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" + "00000000";

    private static readonly RowType ValueType = RowType.Of(new IntType(), new StringType());

    internal static byte[] BuildFlussBatch()
    {
        using var rowWriter = new CompactedRowWriter(2);
        rowWriter.WriteRow(GenericRow.Of(1, "a1"), ValueType);
        var row1 = rowWriter.ToArray();
        rowWriter.WriteRow(GenericRow.Of(null, "a string longer than the page"), ValueType);
        var row2 = rowWriter.ToArray();
        using var builder = new KvRecordBatchBuilder(schemaId: 3, initialCapacity: 8);
        builder.SetWriterState(1234567890123L, 7);
        builder.Append([1, 2], row1);
        builder.AppendDelete([3]);
        builder.Append("k"u8, row2);
        return builder.BuildToArray();
    }

    [Fact]
    public void Build_SameRecordsAsFluss_SameBytes() => Assert.Equal(FlussBatch, Hex(BuildFlussBatch()));

    [Fact]
    public void Build_Empty_HeaderOnlyWithNoWriterState()
    {
        using var builder = new KvRecordBatchBuilder(schemaId: 0);
        Assert.Equal(FlussEmptyBatch, Hex(builder.Build().Span));
        Assert.Equal(KvRecordBatchFormat.HeaderSize, builder.SizeInBytes);
    }

    [Fact]
    public void Build_ChecksumIsCrc32CFromSchemaIdToEnd()
    {
        var batch = BuildFlussBatch();
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(batch.AsSpan(5));
        Assert.Equal(Utils.Crc32C.Compute(batch.AsSpan(9)), stored);
    }

    [Fact]
    public void Append_EmptyRow_Throws()
    {
        using var builder = new KvRecordBatchBuilder(1);
        Assert.Throws<ArgumentException>(() => builder.Append([1], ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Append_NullRowArray_IsDelete()
    {
        using var builder = new KvRecordBatchBuilder(1);
        builder.Append([7], (byte[]?)null);
        var batch = new KvRecordBatch(builder.Build());
        batch.EnsureValid();
        var count = 0;
        foreach (var record in batch.Records)
        {
            Assert.True(record.IsDelete);
            Assert.Equal(new byte[] { 7 }, record.Key.ToArray());
            count++;
        }
        Assert.Equal(1, count);
    }

    [Fact]
    public void HasRoomFor_RespectsWriteLimit()
    {
        using var builder = new KvRecordBatchBuilder(1, writeLimit: 40);
        Assert.False(builder.HasRoomFor(2, 6)); // 28 + 4 + 1 + 2 + 6 = 41
        Assert.True(builder.HasRoomFor(1, 5));  // 28 + 4 + 1 + 1 + 5 = 39
        builder.Append([1], [1, 2, 3, 4, 5]);
        Assert.Equal(39, builder.SizeInBytes);
        Assert.False(builder.HasRoomFor(1, 0));
    }

    [Fact]
    public void Reset_ReusesBuilderForANewBatch()
    {
        using var builder = new KvRecordBatchBuilder(1);
        builder.SetWriterState(5, 5);
        builder.Append([1], [1]);
        builder.Reset(0);
        Assert.Equal(FlussEmptyBatch, Hex(builder.Build().Span));
    }
}

public class KvRecordBatchTests
{
    [Fact]
    public void Read_FlussBatch_HeaderAndRecords()
    {
        var batch = new KvRecordBatch(Convert.FromHexString(KvRecordBatchBuilderTests.FlussBatch));
        batch.EnsureValid();
        Assert.True(batch.IsValid);
        Assert.Equal(83, batch.SizeInBytes);
        Assert.Equal(0, batch.Magic);
        Assert.Equal(0xBD9B0E29u, batch.Checksum);
        Assert.Equal(batch.Checksum, batch.ComputeChecksum());
        Assert.Equal(3, batch.SchemaId);
        Assert.Equal(0, batch.Attributes);
        Assert.Equal(1234567890123L, batch.WriterId);
        Assert.Equal(7, batch.BatchSequence);
        Assert.Equal(3, batch.RecordCount);

        var seen = new List<(string Key, string? Row)>();
        foreach (var record in batch.Records)
            seen.Add((Hex(record.Key), record.IsDelete ? null : Hex(record.Row)));
        Assert.Equal(
            [("0102", "0001026131"), ("03", null), ("6B", "011D6120737472696E67206C6F6E676572207468616E207468652070616765")],
            seen);
    }

    [Fact]
    public void RoundTrip_RandomRecords_SameKeysRowsAndDeletes()
    {
        var record = Gen.Select(Gen.Byte.Array[0, 40], Gen.Bool, Gen.Byte.Array[1, 300]);
        Gen.Select(record.Array[0, 60], Gen.Short[0, short.MaxValue], Gen.Long, Gen.Int).Sample(sample =>
        {
            var (records, schemaId, writerId, sequence) = sample;
            using var builder = new KvRecordBatchBuilder(schemaId, initialCapacity: 32);
            builder.SetWriterState(writerId, sequence);
            foreach (var (key, isDelete, row) in records)
            {
                if (isDelete) builder.AppendDelete(key);
                else builder.Append(key, row);
            }
            var batch = new KvRecordBatch(builder.BuildToArray());
            batch.EnsureValid();
            Assert.Equal(schemaId, batch.SchemaId);
            Assert.Equal(writerId, batch.WriterId);
            Assert.Equal(sequence, batch.BatchSequence);
            Assert.Equal(records.Length, batch.RecordCount);
            var i = 0;
            foreach (var r in batch.Records)
            {
                var (key, isDelete, row) = records[i++];
                Assert.Equal(key, r.Key.ToArray());
                Assert.Equal(isDelete, r.IsDelete);
                if (!isDelete) Assert.Equal(row, r.Row.ToArray());
            }
            Assert.Equal(records.Length, i);
        }, iter: 300);
    }

    [Fact]
    public void EnsureValid_EveryByteFlipped_ThrowsTypedCorruption()
    {
        var valid = KvRecordBatchBuilderTests.BuildFlussBatch();
        for (var i = 0; i < valid.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                var corrupt = (byte[])valid.Clone();
                corrupt[i] ^= mask;
                var batch = new KvRecordBatch(corrupt);
                Assert.False(batch.IsValid);
                var ex = Assert.ThrowsAny<FlussException>(batch.EnsureValid);
                Assert.True(ex is CorruptMessageException or CorruptRecordException, ex.GetType().Name);
                if (i >= KvRecordBatchFormat.SchemaIdOffset)
                    Assert.Contains("crc", ex.Message, StringComparison.Ordinal);
                EnumerateSafely(corrupt);
            }
        }
    }

    [Fact]
    public void EnsureValid_EveryTruncation_ThrowsCorruptMessage()
    {
        var valid = KvRecordBatchBuilderTests.BuildFlussBatch();
        for (var length = 0; length < valid.Length; length++)
        {
            var batch = new KvRecordBatch(valid.AsMemory(0, length));
            Assert.False(batch.IsValid);
            var ex = Assert.Throws<CorruptMessageException>(batch.EnsureValid);
            Assert.Contains("bytes", ex.Message, StringComparison.Ordinal);
            EnumerateSafely(valid.AsSpan(0, length).ToArray());
        }
    }

    [Fact]
    public void Header_BufferShorterThanHeader_ThrowsCorruptMessage()
    {
        var batch = new KvRecordBatch(new byte[10]);
        Assert.Throws<CorruptMessageException>(() => batch.RecordCount);
        Assert.Throws<CorruptMessageException>(() => batch.WriterId);
    }

    [Fact]
    public void EnsureValid_TrailingBytes_ThrowsCorruptMessage()
    {
        var valid = KvRecordBatchBuilderTests.BuildFlussBatch();
        var longer = valid.Concat(new byte[] { 0 }).ToArray();
        var ex = Assert.Throws<CorruptMessageException>(() => new KvRecordBatch(longer).EnsureValid());
        Assert.Contains("84 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_UnknownMagic_ThrowsCorruptMessageNamingIt()
    {
        var bytes = KvRecordBatchBuilderTests.BuildFlussBatch();
        bytes[KvRecordBatchFormat.MagicOffset] = 9;
        var ex = Assert.Throws<CorruptMessageException>(() => new KvRecordBatch(bytes).EnsureValid());
        Assert.Contains("magic value 9", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_BadCrc_ReportsStoredAndComputed()
    {
        var bytes = KvRecordBatchBuilderTests.BuildFlussBatch();
        bytes[^1] ^= 1;
        var ex = Assert.Throws<CorruptMessageException>(() => new KvRecordBatch(bytes).EnsureValid());
        Assert.Contains("stored crc = 3181055529", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "its 2 records end at byte 46 but the batch has 83 bytes")]
    [InlineData(4, "record 3")]
    [InlineData(-1, "negative")]
    public void EnsureValid_RecordCountMismatch_ThrowsWithCrcIntact(int declaredCount, string expected)
    {
        var bytes = WithCount(KvRecordBatchBuilderTests.BuildFlussBatch(), declaredCount);
        var ex = Assert.ThrowsAny<FlussException>(() => new KvRecordBatch(bytes).EnsureValid());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        if (declaredCount >= 0) Assert.IsType<CorruptRecordException>(ex);
        else Assert.IsType<CorruptMessageException>(ex);
        Assert.ThrowsAny<FlussException>(() => EnumerateAll(bytes));
    }

    [Fact]
    public void EnsureValid_RecordLengthPastEnd_ThrowsCorruptRecord()
    {
        var bytes = KvRecordBatchBuilderTests.BuildFlussBatch();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(KvRecordBatchFormat.RecordsOffset), 1000);
        var ex = Assert.Throws<CorruptRecordException>(() => new KvRecordBatch(Recrc(bytes)).EnsureValid());
        Assert.Contains("declares length 1000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_KeyLengthPastRecord_ThrowsCorruptRecord()
    {
        var bytes = KvRecordBatchBuilderTests.BuildFlussBatch();
        bytes[KvRecordBatchFormat.RecordsOffset + 4] = 0x7F;
        var ex = Assert.Throws<CorruptRecordException>(() => new KvRecordBatch(Recrc(bytes)).EnsureValid());
        Assert.Contains("127-byte key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_KeyLengthVarintOverflow_ThrowsCorruptRecord()
    {
        using var builder = new KvRecordBatchBuilder(1);
        builder.Append([1, 2, 3, 4, 5, 6], [9]);
        var bytes = builder.BuildToArray();
        // key length varint FF FF FF FF 7F occupies the key-length byte and four key bytes.
        bytes.AsSpan(KvRecordBatchFormat.RecordsOffset + 4, 5).Fill(0xFF);
        bytes[KvRecordBatchFormat.RecordsOffset + 8] = 0x7F;
        var ex = Assert.Throws<CorruptRecordException>(() => new KvRecordBatch(Recrc(bytes)).EnsureValid());
        Assert.Contains("longer than 32 bits", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] WithCount(byte[] batch, int count)
    {
        BinaryPrimitives.WriteInt32LittleEndian(batch.AsSpan(KvRecordBatchFormat.RecordCountOffset), count);
        return Recrc(batch);
    }

    private static byte[] Recrc(byte[] batch)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(batch.AsSpan(KvRecordBatchFormat.CrcOffset), Utils.Crc32C.Compute(batch.AsSpan(KvRecordBatchFormat.SchemaIdOffset)));
        return batch;
    }

    private static void EnumerateAll(byte[] bytes)
    {
        foreach (var record in new KvRecordBatch(bytes).Records)
            _ = record.Key.Length + record.Row.Length;
    }

    /// <summary>Enumeration of corrupt bytes either succeeds or fails with a typed corruption error.</summary>
    private static void EnumerateSafely(byte[] bytes)
    {
        try
        {
            EnumerateAll(bytes);
        }
        catch (CorruptMessageException)
        {
        }
        catch (CorruptRecordException)
        {
        }
    }
}

public class ValueEncoderTests
{
    [Fact]
    public void Encode_SchemaIdLittleEndianThenRow()
    {
        Assert.Equal("0201" + "AABB", Hex(ValueEncoder.Encode(0x0102, [0xAA, 0xBB])));
        var (schemaId, row) = ValueEncoder.Decode(Convert.FromHexString("0201AABB"));
        Assert.Equal(0x0102, schemaId);
        Assert.Equal("AABB", Hex(row.Span));
    }

    [Fact]
    public void Decode_ShorterThanSchemaId_ThrowsCorruptRecord() =>
        Assert.Throws<CorruptRecordException>(() => ValueEncoder.Decode(new byte[1]));
}

public class ValueRecordBatchTests
{
    [Fact]
    public void Build_TwoRecords_Layout()
    {
        using var builder = new ValueRecordBatchBuilder(initialCapacity: 4);
        builder.Append(1, [0xAA]);
        builder.AppendValue(ValueEncoder.Encode(2, [0xBB, 0xCC]));
        Assert.Equal(
            "14000000" + "00" + "02000000" + "03000000" + "0100" + "AA" + "04000000" + "0200" + "BBCC",
            Hex(builder.Build().Span));
        var read = new List<(short, string)>();
        foreach (var r in new ValueRecordBatch(builder.Build()).Records) read.Add((r.SchemaId, Hex(r.Row)));
        Assert.Equal([((short)1, "AA"), ((short)2, "BBCC")], read);
    }

    [Fact]
    public void Read_EveryTruncationAndFlip_ThrowsTypedOrReads()
    {
        using var builder = new ValueRecordBatchBuilder();
        builder.Append(1, [0xAA, 0x01]);
        builder.Append(2, [0xBB]);
        var valid = builder.Build().ToArray();
        for (var length = 0; length < valid.Length; length++)
            Assert.ThrowsAny<FlussException>(() => new ValueRecordBatch(valid.AsMemory(0, length)).EnsureValid());
        for (var i = 0; i < valid.Length; i++)
        {
            var corrupt = (byte[])valid.Clone();
            corrupt[i] ^= 0xFF;
            try
            {
                new ValueRecordBatch(corrupt).EnsureValid();
            }
            catch (FlussException ex) when (ex is CorruptMessageException or CorruptRecordException)
            {
            }
        }
    }
}
