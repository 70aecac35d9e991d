using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Fluss.Arrow;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;
using ArrowCompressionType = Fluss.Metadata.ArrowCompressionType;

namespace Fluss.Tests.Log;

/// <summary>The Arrow message inside a log batch against Apache Arrow's own .NET IPC reader and writer.</summary>
public class ArrowInteropTests
{
    public static TheoryData<ArrowCompressionType> Codecs() => LogTestSupport.AllCodecs();

    [Theory]
    [MemberData(nameof(Codecs))]
    public void OurMessage_WithASchemaMessagePrepended_ReadsWithTheStandardStreamReader(ArrowCompressionType codec)
    {
        var type = LogTestSupport.AllScalarTypes();
        var rows = LogTestSupport.AllScalarRows().Concat(LogTestSupport.AllScalarRows()).ToArray();
        var bytes = LogTestSupport.BuildBatch(type, rows, codec, rows.Select(_ => ChangeType.Insert).ToArray());
        var message = bytes.AsMemory(48 + rows.Length); // after the header and the change types

        var schema = ArrowSchemas.ToArrowSchema(type);
        var stream = new MemoryStream();
        stream.Write(SchemaMessage(schema));
        stream.Write(message.Span);
        stream.Write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]); // end of stream
        stream.Position = 0;
        using var reader = new ArrowStreamReader(stream, new CompressionCodecFactory());
        using var batch = reader.ReadNextRecordBatch();
        Assert.NotNull(batch);
        Assert.Null(reader.ReadNextRecordBatch());
        var rowReader = new ArrowRowReader(batch, type);
        Assert.Equal(rows.Select(r => LogTestSupport.Expected(type, r)), Enumerable.Range(0, rows.Length).Select(i => GenericRow.CopyOf(rowReader.GetRow(i), type)));
    }

    [Theory]
    [InlineData(CompressionCodecType.Lz4Frame)]
    [InlineData(CompressionCodecType.Zstd)]
    [InlineData(null)]
    public void StandardWriterMessage_InsideALogBatch_ReadsWithOurDecoder(CompressionCodecType? codec)
    {
        // Large enough that LZ4 writes several linked 64 KiB blocks per buffer.
        var type = RowType.Of(("id", new BigIntType()), ("s", new StringType()), ("d", new DecimalType(30, 3)), ("ts", new TimestampType(6)));
        var rows = Enumerable.Range(0, 20_000).Select(i => GenericRow.Of(
            i % 17 == 0 ? null : (long)i * 3, "value-" + (i % 1000), FlussDecimal.FromUnscaledLong(i * 1_000_003L, 30, 3), new TimestampNtz(1_700_000_000_000 + i, (i % 1000) * 1000))).ToArray();
        using var builder = new ArrowBatchBuilder(type);
        foreach (var r in rows) builder.Append(r);
        using var recordBatch = builder.Build();

        var options = new IpcOptions();
        if (codec is not null)
        {
            options.CompressionCodec = codec;
            options.CompressionCodecFactory = new CompressionCodecFactory();
        }
        var stream = new MemoryStream();
        using (var writer = new ArrowStreamWriter(stream, recordBatch.Schema, leaveOpen: true, options))
        {
            writer.WriteRecordBatch(recordBatch);
            writer.WriteEnd();
        }
        var ipc = stream.ToArray();
        var schemaLength = 8 + BinaryPrimitives.ReadInt32LittleEndian(ipc.AsSpan(4));
        var message = ipc[schemaLength..^8];

        var batch = new byte[48 + message.Length];
        BinaryPrimitives.WriteInt32LittleEndian(batch.AsSpan(8), batch.Length - 12);
        BinaryPrimitives.WriteInt16LittleEndian(batch.AsSpan(25), 1);
        batch[27] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(batch.AsSpan(28), rows.Length - 1);
        BinaryPrimitives.WriteInt64LittleEndian(batch.AsSpan(32), -1);
        BinaryPrimitives.WriteInt32LittleEndian(batch.AsSpan(40), -1);
        BinaryPrimitives.WriteInt32LittleEndian(batch.AsSpan(44), rows.Length);
        message.CopyTo(batch, 48);
        LogTestSupport.FixCrc(batch);

        var view = new LogRecordBatch(batch);
        view.EnsureValid();
        Assert.Equal(rows, view.ReadRows(type).Select(r => r.Row));
    }

    [Fact]
    public void Metadata_IsAFlatbufferTheStandardReaderAgreesWith()
    {
        // Column nodes, buffers and body length of our message, as parsed by our reader, match what Arrow reports.
        var type = RowType.Of(("a", new IntType()), ("b", new StringType()));
        var rows = Enumerable.Range(0, 9).Select(i => GenericRow.Of(i == 4 ? null : i, "x" + i)).ToArray();
        var bytes = LogTestSupport.BuildBatch(type, rows, ArrowCompressionType.None);
        var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(52));
        var header = IpcRecordBatchHeader.Parse(bytes.AsSpan(56, metadataLength));
        Assert.Equal(9, header.RowCount);
        Assert.Equal(2, header.NodeCount);
        Assert.Equal(5, header.BufferCount);
        Assert.Equal(-1, header.Codec);
        Assert.Equal(bytes.Length - 56 - metadataLength, header.BodyLength);
        var meta = bytes.AsSpan(56, metadataLength);
        Assert.Equal(1, IpcRecordBatchHeader.NodeNullCount(meta, header, 0));
        Assert.Equal(0, IpcRecordBatchHeader.NodeNullCount(meta, header, 1));
        // Buffers: validity(a) 2 bytes, values(a) 36, validity(b) empty, offsets(b) 40, data(b) 18; each at an 8-aligned offset.
        long[] expectedLengths = [2, 36, 0, 40, 18];
        long offset = 0;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(offset, IpcRecordBatchHeader.BufferOffset(meta, header, i));
            Assert.Equal(expectedLengths[i], IpcRecordBatchHeader.BufferLength(meta, header, i));
            offset += (expectedLengths[i] + 7) & ~7;
        }
        Assert.Equal(offset, header.BodyLength);
    }

    private static byte[] SchemaMessage(Schema schema)
    {
        var stream = new MemoryStream();
        using (var writer = new ArrowStreamWriter(stream, schema, leaveOpen: true))
        {
            writer.WriteStart();
        }
        return stream.ToArray();
    }
}
