using System.Buffers.Binary;
using CsCheck;
using Fluss.Arrow;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Log;

public class ArrowLogBatchBuilderTests
{
    private static readonly RowType SimpleType = RowType.Of(("id", new IntType(false)), ("name", new StringType()));

    private static GenericRow[] SimpleRows(int n) =>
        Enumerable.Range(0, n).Select(i => GenericRow.Of(i, i % 4 == 0 ? null : "name-" + i)).ToArray();

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void BuildAppendOnly_Header_HasEveryFieldAtItsV0Offset(ArrowCompressionType codec)
    {
        var bytes = LogTestSupport.BuildBatch(SimpleType, SimpleRows(10), codec, schemaId: 7, writerId: 1234567890123L, batchSequence: 42);
        var s = bytes.AsSpan();
        Assert.Equal(0L, BinaryPrimitives.ReadInt64LittleEndian(s[0..])); // BaseOffset
        Assert.Equal(bytes.Length - 12, BinaryPrimitives.ReadInt32LittleEndian(s[8..])); // Length
        Assert.Equal(0, s[12]); // Magic V0
        Assert.Equal(0L, BinaryPrimitives.ReadInt64LittleEndian(s[13..])); // CommitTimestamp, set by the server
        Assert.Equal(LogTestSupport.ReferenceCrc32C(s[25..]), BinaryPrimitives.ReadUInt32LittleEndian(s[21..])); // CRC from SchemaId to end
        Assert.Equal(7, BinaryPrimitives.ReadInt16LittleEndian(s[25..])); // SchemaId
        Assert.Equal(1, s[27]); // Attributes: append-only
        Assert.Equal(9, BinaryPrimitives.ReadInt32LittleEndian(s[28..])); // LastOffsetDelta = count - 1
        Assert.Equal(1234567890123L, BinaryPrimitives.ReadInt64LittleEndian(s[32..])); // WriterId
        Assert.Equal(42, BinaryPrimitives.ReadInt32LittleEndian(s[40..])); // BatchSequence
        Assert.Equal(10, BinaryPrimitives.ReadInt32LittleEndian(s[44..])); // RecordCount
        Assert.Equal(-1, BinaryPrimitives.ReadInt32LittleEndian(s[48..])); // Arrow continuation marker right after the header
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(s[52..]);
        Assert.Equal(0, metadataLength % 8);
        Assert.Equal(0, (bytes.Length - 48 - 8 - metadataLength) % 8); // body padded to 8 bytes

        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.Equal((byte)0, view.Magic);
        Assert.Equal(7, view.SchemaId);
        Assert.Equal(1234567890123L, view.WriterId);
        Assert.Equal(42, view.BatchSequence);
        Assert.Equal(10, view.RecordCount);
        Assert.Equal(9, view.LastOffset);
        Assert.Equal(10, view.NextOffset);
        Assert.True(view.IsAppendOnly);
        Assert.Equal(-1, view.LeaderEpoch);
        Assert.Equal(0, view.StatisticsLength);
        Assert.Equal(bytes.Length, view.SizeInBytes);
    }

    [Fact]
    public void BuildAppendOnly_DefaultHeader_HasNoWriterAndNoSequence()
    {
        var bytes = LogTestSupport.BuildBatch(SimpleType, SimpleRows(1), ArrowCompressionType.None);
        Assert.Equal(-1L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28))); // one record: delta 0
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void BuildChangelog_ChangeTypes_PrecedeTheArrowMessage(ArrowCompressionType codec)
    {
        var changes = new[] { ChangeType.Insert, ChangeType.UpdateBefore, ChangeType.UpdateAfter, ChangeType.Delete, ChangeType.AppendOnly };
        var rows = SimpleRows(5);
        var bytes = LogTestSupport.BuildBatch(SimpleType, rows, codec, changes);
        Assert.Equal(0, bytes[27]); // attributes: not append-only
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0 }, bytes[48..53]);
        Assert.Equal(-1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(53)));

        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.False(view.IsAppendOnly);
        using var arrow = view.ReadArrow(SimpleType);
        Assert.Equal(changes, arrow.ChangeTypes.ToArray());
        var records = view.ReadRows(SimpleType);
        Assert.Equal(changes, records.Select(r => r.ChangeType));
        Assert.Equal(rows, records.Select(r => r.Row));
        Assert.Equal([0L, 1, 2, 3, 4], records.Select(r => r.Offset));
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void Build_EmptyBatch_IsTheHeaderAlone(ArrowCompressionType codec)
    {
        foreach (var changelog in new[] { false, true })
        {
            var bytes = LogTestSupport.BuildBatch(SimpleType, [], codec, changelog ? [] : null);
            Assert.Equal(48, bytes.Length);
            Assert.Equal(36, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
            Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28))); // LastOffsetDelta 0 for an empty batch
            Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(44)));
            Assert.Equal(changelog ? 0 : 1, bytes[27]);
            var view = new LogRecordBatch(bytes);
            view.EnsureValid();
            Assert.Equal(0, view.LastOffset);
            Assert.Equal(1, view.NextOffset);
            using var arrow = view.ReadArrow(SimpleType);
            Assert.Equal(0, arrow.RowCount);
            Assert.Equal(2, arrow.Batch.ColumnCount);
            Assert.Empty(view.ReadRows(SimpleType));
        }
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void RoundTrip_AllScalarTypes_ReadBackExactly(ArrowCompressionType codec)
    {
        var type = LogTestSupport.AllScalarTypes();
        var rows = LogTestSupport.AllScalarRows();
        var bytes = LogTestSupport.BuildBatch(type, rows, codec);
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.Equal(rows.Select(r => LogTestSupport.Expected(type, r)), view.ReadRows(type).Select(r => r.Row));
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void RoundTrip_RandomTypesAndRows_ReadBackExactly(ArrowCompressionType codec)
    {
        RowGenerators.TypeAndRows().SelectMany(t => Gen.Int[0, 4].Array[t.Rows.Length].Select(ct => (t.Type, t.Rows, ct))).Sample(sample =>
        {
            var (type, generated, ctBytes) = sample;
            var rows = generated.Select(r => LogTestSupport.Fit(type, r)).ToArray();
            var changes = ctBytes.Select(b => (ChangeType)b).ToArray();
            var changelog = ctBytes.Length % 2 == 1;
            var bytes = LogTestSupport.BuildBatch(type, rows, codec, changelog ? changes : null, schemaId: 3);
            var view = new LogRecordBatch(bytes);
            view.EnsureValid();
            Assert.Equal(rows.Length, view.RecordCount);
            var records = view.ReadRows(type);
            Assert.Equal(rows.Select(r => LogTestSupport.Expected(type, r)), records.Select(r => r.Row));
            Assert.Equal(changelog ? changes : rows.Select(_ => ChangeType.AppendOnly), records.Select(r => r.ChangeType));
        }, iter: 150);
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void BuildFromRowBuilder_EqualsBuildFromRecordBatch(ArrowCompressionType codec)
    {
        var type = LogTestSupport.AllScalarTypes();
        using var rows = new ArrowBatchBuilder(type);
        foreach (var r in LogTestSupport.AllScalarRows()) rows.Append(r);
        using var logBuilder = new ArrowLogBatchBuilder(codec);
        var direct = logBuilder.BuildAppendOnly(rows, new LogBatchHeader(5)).ToArray();
        using var batch = rows.Build();
        var viaBatch = logBuilder.BuildAppendOnly(batch, new LogBatchHeader(5)).ToArray();
        Assert.Equal(direct, viaBatch);
    }

    [Fact]
    public void BuildAppendOnly_SlicedRecordBatch_EncodesOnlyTheSlice()
    {
        var type = RowType.Of(("i", new IntType()), ("s", new StringType()), ("b", new BooleanType()), ("d", new DecimalType(20, 2)));
        var all = Enumerable.Range(0, 40).Select(i => GenericRow.Of(i % 5 == 0 ? null : i, "v" + i, i % 3 == 0, FlussDecimal.FromUnscaledLong(i * 1001L, 20, 2))).ToArray();
        using var rows = new ArrowBatchBuilder(type);
        foreach (var r in all) rows.Append(r);
        using var batch = rows.Build();
        using var slice = batch.Slice(13, 17);
        using var logBuilder = new ArrowLogBatchBuilder(ArrowCompressionType.Lz4Frame);
        var bytes = logBuilder.BuildAppendOnly(slice, new LogBatchHeader(1)).ToArray();
        var view = new LogRecordBatch(bytes);
        view.EnsureValid();
        Assert.Equal(all.Skip(13).Take(17), view.ReadRows(type).Select(r => r.Row));
    }

    [Fact]
    public void Compression_CompressibleData_MakesTheBatchSmaller()
    {
        var rows = Enumerable.Range(0, 500).Select(i => GenericRow.Of(i, new string((char)('a' + (i % 10)), 10 + (i % 10)))).ToArray();
        var none = LogTestSupport.BuildBatch(SimpleType, rows, ArrowCompressionType.None).Length;
        Assert.True(LogTestSupport.BuildBatch(SimpleType, rows, ArrowCompressionType.Lz4Frame).Length < none);
        Assert.True(LogTestSupport.BuildBatch(SimpleType, rows, ArrowCompressionType.Zstd).Length < none);
    }

    [Fact]
    public void Compression_IncompressibleBuffer_IsStoredRawBehindMinusOne()
    {
        var random = new Random(11);
        var rows = Enumerable.Range(0, 64).Select(_ => GenericRow.Of(random.Next(), null)).ToArray();
        var bytes = LogTestSupport.BuildBatch(SimpleType, rows, ArrowCompressionType.Zstd);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        var body = bytes.AsSpan(56 + metadataLength);
        // Column "id" has no nulls: an empty validity buffer, then the 256-byte values buffer of random ints.
        Assert.Equal(-1L, BinaryPrimitives.ReadInt64LittleEndian(body));
        Assert.Equal(new LogRecordBatch(bytes).ReadRows(SimpleType).Select(r => r.Row), rows);
    }

    [Fact]
    public void BuildChangelog_WrongChangeTypeCount_Throws()
    {
        using var rows = new ArrowBatchBuilder(SimpleType);
        rows.Append(GenericRow.Of(1, "a"));
        using var builder = new ArrowLogBatchBuilder(ArrowCompressionType.None);
        Assert.Throws<ArgumentException>(() => builder.BuildChangelog(rows, [ChangeType.Insert, ChangeType.Delete], new LogBatchHeader(1)));
        Assert.Throws<ArgumentException>(() => builder.BuildChangelog(rows, [(ChangeType)9], new LogBatchHeader(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(23)]
    public void Constructor_InvalidZstdLevel_Throws(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArrowLogBatchBuilder(ArrowCompressionType.Zstd, level));
    }

    [Fact]
    public void Build_ReusedBuilder_ProducesIndependentCorrectBatches()
    {
        using var rows = new ArrowBatchBuilder(SimpleType);
        using var builder = new ArrowLogBatchBuilder(ArrowCompressionType.Zstd, 1);
        for (var round = 0; round < 5; round++)
        {
            var expected = SimpleRows(round * 7);
            foreach (var r in expected) rows.Append(r);
            var bytes = builder.BuildAppendOnly(rows, new LogBatchHeader((short)round)).ToArray();
            rows.Clear();
            var view = new LogRecordBatch(bytes);
            view.EnsureValid();
            Assert.Equal(round, view.SchemaId);
            Assert.Equal(expected, view.ReadRows(SimpleType).Select(r => r.Row));
        }
    }
}
