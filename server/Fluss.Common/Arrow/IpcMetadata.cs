using System.Buffers.Binary;
using Fluss.Errors;

namespace Fluss.Arrow;

/// <summary>
/// The flatbuffer <c>Message</c> (Arrow <c>Message.fbs</c>) of an IPC record batch message: a fixed layout writer for
/// what the log format emits, and a bounds-checked reader that never trusts an offset or a length.
/// </summary>
/// <remarks>
/// Tables used (field ids): Message {0 version: short, 1 header_type: ubyte, 2 header: table, 3 bodyLength: long},
/// RecordBatch {0 length: long, 1 nodes: [FieldNode], 2 buffers: [Buffer], 3 compression: BodyCompression},
/// BodyCompression {0 codec: byte (LZ4_FRAME = 0, ZSTD = 1), 1 method: byte (BUFFER = 0)}, structs
/// FieldNode {length: long, null_count: long} and Buffer {offset: long, length: long}.
/// </remarks>
internal static class IpcMetadata
{
    /// <summary>MetadataVersion.V5.</summary>
    public const short MetadataVersionV5 = 4;

    /// <summary>MetadataVersion.V4, the oldest version whose record batch layout the reader accepts.</summary>
    public const short MetadataVersionV4 = 3;

    public const byte HeaderTypeRecordBatch = 3;
    public const sbyte CodecLz4Frame = 0;
    public const sbyte CodecZstd = 1;
    public const int NoCodec = -1;

    // Fixed positions of the layout the writer produces (relative to the start of the flatbuffer).
    private const int MessageVTable = 4;
    private const int MessageTable = 16;
    private const int RecordBatchVTable = 36;
    private const int RecordBatchTable = 48;

    /// <summary>The padded size (a multiple of 8) of the metadata for a batch with these counts.</summary>
    public static int Size(int nodeCount, int bufferCount, bool compressed)
    {
        Layout(nodeCount, bufferCount, compressed, out _, out _, out _, out var end);
        return Align8(end);
    }

    /// <summary>
    /// Writes the metadata into <paramref name="destination"/>, which must be exactly <see cref="Size"/> bytes.
    /// <paramref name="nodes"/> holds (length, null count) pairs and <paramref name="buffers"/> (offset, length) pairs.
    /// </summary>
    public static void Write(Span<byte> destination, long rowCount, ReadOnlySpan<long> nodes, ReadOnlySpan<long> buffers, long bodyLength, int codec)
    {
        var nodeCount = nodes.Length / 2;
        var bufferCount = buffers.Length / 2;
        var compressed = codec != NoCodec;
        Layout(nodeCount, bufferCount, compressed, out var nodesVector, out var buffersVector, out var compressionVTable, out _);
        var d = destination;
        d.Clear();

        // Root offset to the Message table.
        WriteU32(d, 0, MessageTable);

        // Message vtable: 4 fields.
        WriteU16(d, MessageVTable, 12);
        WriteU16(d, MessageVTable + 2, 20);
        WriteU16(d, MessageVTable + 4, 16); // version
        WriteU16(d, MessageVTable + 6, 18); // header_type
        WriteU16(d, MessageVTable + 8, 4); // header
        WriteU16(d, MessageVTable + 10, 8); // bodyLength

        // Message table.
        BinaryPrimitives.WriteInt32LittleEndian(d[MessageTable..], MessageTable - MessageVTable);
        WriteU32(d, MessageTable + 4, RecordBatchTable - (MessageTable + 4));
        BinaryPrimitives.WriteInt64LittleEndian(d[(MessageTable + 8)..], bodyLength);
        BinaryPrimitives.WriteInt16LittleEndian(d[(MessageTable + 16)..], MetadataVersionV5);
        d[MessageTable + 18] = HeaderTypeRecordBatch;

        // RecordBatch vtable: 3 fields, or 4 with compression.
        WriteU16(d, RecordBatchVTable, (ushort)(compressed ? 12 : 10));
        WriteU16(d, RecordBatchVTable + 2, (ushort)(compressed ? 24 : 20));
        WriteU16(d, RecordBatchVTable + 4, 8); // length
        WriteU16(d, RecordBatchVTable + 6, 4); // nodes
        WriteU16(d, RecordBatchVTable + 8, 16); // buffers
        if (compressed) WriteU16(d, RecordBatchVTable + 10, 20); // compression

        // RecordBatch table.
        BinaryPrimitives.WriteInt32LittleEndian(d[RecordBatchTable..], RecordBatchTable - RecordBatchVTable);
        WriteU32(d, RecordBatchTable + 4, nodesVector - (RecordBatchTable + 4));
        BinaryPrimitives.WriteInt64LittleEndian(d[(RecordBatchTable + 8)..], rowCount);
        WriteU32(d, RecordBatchTable + 16, buffersVector - (RecordBatchTable + 16));
        if (compressed) WriteU32(d, RecordBatchTable + 20, compressionVTable + 8 - (RecordBatchTable + 20));

        // Vectors of 16-byte structs, elements 8-aligned.
        WriteU32(d, nodesVector, (uint)nodeCount);
        for (var i = 0; i < nodes.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(d[(nodesVector + 4 + (i * 8))..], nodes[i]);
        WriteU32(d, buffersVector, (uint)bufferCount);
        for (var i = 0; i < buffers.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(d[(buffersVector + 4 + (i * 8))..], buffers[i]);

        if (compressed)
        {
            // BodyCompression vtable and table.
            WriteU16(d, compressionVTable, 8);
            WriteU16(d, compressionVTable + 2, 8);
            WriteU16(d, compressionVTable + 4, 4); // codec
            WriteU16(d, compressionVTable + 6, 5); // method
            var table = compressionVTable + 8;
            BinaryPrimitives.WriteInt32LittleEndian(d[table..], table - compressionVTable);
            d[table + 4] = (byte)codec;
            d[table + 5] = 0; // BUFFER
        }
    }

    private static void Layout(int nodeCount, int bufferCount, bool compressed, out int nodesVector, out int buffersVector, out int compressionVTable, out int end)
    {
        var afterRecordBatch = RecordBatchTable + (compressed ? 24 : 20);
        nodesVector = Align8(afterRecordBatch + 4) - 4;
        var nodesEnd = checked(nodesVector + 4 + (nodeCount * 16));
        buffersVector = Align8(nodesEnd + 4) - 4;
        var buffersEnd = checked(buffersVector + 4 + (bufferCount * 16));
        compressionVTable = buffersEnd;
        end = compressed ? compressionVTable + 16 : buffersEnd;
    }

    private static int Align8(int n) => (n + 7) & ~7;

    private static void WriteU16(Span<byte> d, int pos, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(d[pos..], v);

    private static void WriteU32(Span<byte> d, int pos, int v) => BinaryPrimitives.WriteInt32LittleEndian(d[pos..], v);

    private static void WriteU32(Span<byte> d, int pos, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(d[pos..], v);
}

/// <summary>The parts of a record batch message header the decoder needs, as positions into the metadata bytes.</summary>
internal readonly struct IpcRecordBatchHeader
{
    public long BodyLength { get; init; }
    public long RowCount { get; init; }
    public int NodesStart { get; init; }
    public int NodeCount { get; init; }
    public int BuffersStart { get; init; }
    public int BufferCount { get; init; }

    /// <summary><see cref="IpcMetadata.NoCodec"/>, <see cref="IpcMetadata.CodecLz4Frame"/> or <see cref="IpcMetadata.CodecZstd"/>.</summary>
    public int Codec { get; init; }

    public static long NodeLength(ReadOnlySpan<byte> metadata, in IpcRecordBatchHeader h, int i) =>
        BinaryPrimitives.ReadInt64LittleEndian(metadata[(h.NodesStart + (i * 16))..]);

    public static long NodeNullCount(ReadOnlySpan<byte> metadata, in IpcRecordBatchHeader h, int i) =>
        BinaryPrimitives.ReadInt64LittleEndian(metadata[(h.NodesStart + (i * 16) + 8)..]);

    public static long BufferOffset(ReadOnlySpan<byte> metadata, in IpcRecordBatchHeader h, int i) =>
        BinaryPrimitives.ReadInt64LittleEndian(metadata[(h.BuffersStart + (i * 16))..]);

    public static long BufferLength(ReadOnlySpan<byte> metadata, in IpcRecordBatchHeader h, int i) =>
        BinaryPrimitives.ReadInt64LittleEndian(metadata[(h.BuffersStart + (i * 16) + 8)..]);

    /// <summary>Parses a flatbuffer Message holding a RecordBatch header; every offset is checked against the bytes.</summary>
    public static IpcRecordBatchHeader Parse(ReadOnlySpan<byte> metadata)
    {
        var fb = new FlatBufferReader(metadata);
        var message = fb.RootTable();
        var version = fb.ReadInt16(message, 0, 0);
        if (version < IpcMetadata.MetadataVersionV4 || version > IpcMetadata.MetadataVersionV5)
            throw Corrupt($"metadata version {version} is not supported (expected V4 = 3 or V5 = 4)");
        var headerType = fb.ReadByte(message, 1, 0);
        if (headerType != IpcMetadata.HeaderTypeRecordBatch)
            throw Corrupt($"message header type is {headerType}, expected RecordBatch ({IpcMetadata.HeaderTypeRecordBatch})");
        var header = fb.ReadTable(message, 2);
        if (header < 0) throw Corrupt("the message has no RecordBatch header");
        var bodyLength = fb.ReadInt64(message, 3, 0);
        if (bodyLength < 0) throw Corrupt($"body length is negative ({bodyLength})");

        var rowCount = fb.ReadInt64(header, 0, 0);
        var (nodesStart, nodeCount) = fb.ReadVector(header, 1, 16);
        var (buffersStart, bufferCount) = fb.ReadVector(header, 2, 16);
        var codec = IpcMetadata.NoCodec;
        var compression = fb.ReadTable(header, 3);
        if (compression >= 0)
        {
            codec = (sbyte)fb.ReadByte(compression, 0, 0);
            var method = fb.ReadByte(compression, 1, 0);
            if (codec is not (IpcMetadata.CodecLz4Frame or IpcMetadata.CodecZstd))
                throw Corrupt($"compression codec {codec} is unknown (expected LZ4_FRAME = 0 or ZSTD = 1)");
            if (method != 0) throw Corrupt($"body compression method {method} is not supported (expected BUFFER = 0)");
        }
        return new IpcRecordBatchHeader
        {
            BodyLength = bodyLength,
            RowCount = rowCount,
            NodesStart = nodesStart,
            NodeCount = nodeCount,
            BuffersStart = buffersStart,
            BufferCount = bufferCount,
            Codec = codec,
        };
    }

    internal static CorruptRecordException Corrupt(string what) => new($"The Arrow record batch metadata is corrupt: {what}.");
}

/// <summary>Minimal bounds-checked flatbuffer table reader.</summary>
internal readonly ref struct FlatBufferReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;

    public int RootTable()
    {
        if (_buffer.Length < 4) throw IpcRecordBatchHeader.Corrupt($"the flatbuffer has only {_buffer.Length} bytes");
        return CheckTable(BinaryPrimitives.ReadUInt32LittleEndian(_buffer), "root table");
    }

    public short ReadInt16(int table, int field, short defaultValue)
    {
        var pos = FieldPosition(table, field, 2);
        return pos < 0 ? defaultValue : BinaryPrimitives.ReadInt16LittleEndian(_buffer[pos..]);
    }

    public byte ReadByte(int table, int field, byte defaultValue)
    {
        var pos = FieldPosition(table, field, 1);
        return pos < 0 ? defaultValue : _buffer[pos];
    }

    public long ReadInt64(int table, int field, long defaultValue)
    {
        var pos = FieldPosition(table, field, 8);
        return pos < 0 ? defaultValue : BinaryPrimitives.ReadInt64LittleEndian(_buffer[pos..]);
    }

    /// <summary>The position of a sub-table, or -1 when the field is absent.</summary>
    public int ReadTable(int table, int field)
    {
        var target = ReadOffset(table, field);
        return target < 0 ? -1 : CheckTable((uint)target, $"table in field {field}");
    }

    /// <summary>Start of the elements and count of a vector of fixed-size elements; (0, 0) when absent.</summary>
    public (int Start, int Count) ReadVector(int table, int field, int elementSize)
    {
        var target = ReadOffset(table, field);
        if (target < 0) return (0, 0);
        if ((long)target + 4 > _buffer.Length) throw IpcRecordBatchHeader.Corrupt($"vector in field {field} starts past the end of the metadata");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[target..]);
        var end = (long)target + 4 + ((long)count * elementSize);
        if (end > _buffer.Length)
            throw IpcRecordBatchHeader.Corrupt($"vector in field {field} declares {count} elements of {elementSize} bytes, past the end of the {_buffer.Length}-byte metadata");
        return (target + 4, (int)count);
    }

    private int ReadOffset(int table, int field)
    {
        var pos = FieldPosition(table, field, 4);
        if (pos < 0) return -1;
        var target = (long)pos + BinaryPrimitives.ReadUInt32LittleEndian(_buffer[pos..]);
        if (target >= _buffer.Length) throw IpcRecordBatchHeader.Corrupt($"offset in field {field} points past the end of the metadata");
        return (int)target;
    }

    private int CheckTable(uint position, string what)
    {
        if (position > (uint)_buffer.Length - 4 || _buffer.Length < 4)
            throw IpcRecordBatchHeader.Corrupt($"{what} at {position} lies outside the {_buffer.Length}-byte metadata");
        var table = (int)position;
        var vtable = (long)table - BinaryPrimitives.ReadInt32LittleEndian(_buffer[table..]);
        if (vtable < 0 || vtable + 4 > _buffer.Length)
            throw IpcRecordBatchHeader.Corrupt($"vtable of the {what} lies outside the metadata");
        var vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(int)vtable..]);
        var tableSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[((int)vtable + 2)..]);
        if (vtableSize < 4 || vtable + vtableSize > _buffer.Length)
            throw IpcRecordBatchHeader.Corrupt($"vtable of the {what} has an invalid size {vtableSize}");
        if (tableSize < 4 || (long)table + tableSize > _buffer.Length)
            throw IpcRecordBatchHeader.Corrupt($"the {what} has an invalid size {tableSize}");
        return table;
    }

    private int FieldPosition(int table, int field, int size)
    {
        var vtable = table - BinaryPrimitives.ReadInt32LittleEndian(_buffer[table..]);
        var vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[vtable..]);
        var slot = 4 + (2 * field);
        if (slot + 2 > vtableSize) return -1;
        var offset = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(vtable + slot)..]);
        if (offset == 0) return -1;
        var tableSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(vtable + 2)..]);
        if (offset + size > tableSize)
            throw IpcRecordBatchHeader.Corrupt($"field {field} at offset {offset} does not fit its table of {tableSize} bytes");
        return table + offset;
    }
}
