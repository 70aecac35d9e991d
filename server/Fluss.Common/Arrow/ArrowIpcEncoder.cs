using System.Buffers.Binary;
using Fluss.Codecs;
using Fluss.Metadata;

namespace Fluss.Arrow;

/// <summary>
/// Writes one Arrow IPC encapsulated RecordBatch message (continuation marker 0xFFFFFFFF, int32 metadata length,
/// flatbuffer metadata padded to 8 bytes, then the body with every buffer padded to 8 bytes), the way Fluss's Java
/// writer lays it out: buffer lengths are exact, compression is per buffer with an int64 uncompressed-length prefix,
/// and a buffer that does not shrink is stored raw behind the prefix -1. Empty buffers are written with length 0
/// (never compressed). Reuses its scratch state; not thread-safe.
/// </summary>
internal sealed class ArrowIpcEncoder
{
    private readonly ArrowCompressionType _compression;
    private readonly int _zstdLevel;
    private long[] _nodes = new long[32];
    private long[] _buffers = new long[64];

    public ArrowIpcEncoder(ArrowCompressionType compression, int zstdLevel)
    {
        _compression = compression;
        _zstdLevel = zstdLevel;
    }

    /// <summary>Appends the message for <paramref name="columns"/> to <paramref name="output"/>.</summary>
    public void WriteMessage(PooledBuffer output, ReadOnlySpan<IpcColumn> columns, int rowCount)
    {
        var nodeCount = columns.Length;
        var bufferCount = 0;
        foreach (ref readonly var c in columns) bufferCount += c.Kind.BufferCount();
        if (_nodes.Length < nodeCount * 2) _nodes = new long[nodeCount * 2];
        if (_buffers.Length < bufferCount * 2) _buffers = new long[bufferCount * 2];

        var compressed = _compression != ArrowCompressionType.None;
        var metadataSize = IpcMetadata.Size(nodeCount, bufferCount, compressed);
        var messageStart = output.Length;
        output.WriteZeros(8 + metadataSize);
        var bodyStart = output.Length;

        var b = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            ref readonly var c = ref columns[i];
            _nodes[2 * i] = c.Length;
            _nodes[(2 * i) + 1] = c.NullCount;
            WriteBuffer(output, bodyStart, c.NullCount > 0 ? c.Validity.Span : default, ref b);
            WriteBuffer(output, bodyStart, c.Values.Span, ref b);
            if (c.Kind.IsVariableWidth()) WriteBuffer(output, bodyStart, c.Data.Span, ref b);
        }
        var bodyLength = output.Length - bodyStart;

        var message = output.RawArray.AsSpan(messageStart);
        BinaryPrimitives.WriteInt32LittleEndian(message, -1);
        BinaryPrimitives.WriteInt32LittleEndian(message[4..], metadataSize);
        var codec = _compression switch
        {
            ArrowCompressionType.Lz4Frame => IpcMetadata.CodecLz4Frame,
            ArrowCompressionType.Zstd => IpcMetadata.CodecZstd,
            _ => IpcMetadata.NoCodec,
        };
        IpcMetadata.Write(message.Slice(8, metadataSize), rowCount, _nodes.AsSpan(0, nodeCount * 2), _buffers.AsSpan(0, bufferCount * 2), bodyLength, codec);
    }

    private void WriteBuffer(PooledBuffer output, int bodyStart, ReadOnlySpan<byte> source, ref int index)
    {
        var offset = output.Length - bodyStart;
        int length;
        if (source.IsEmpty)
        {
            length = 0;
        }
        else if (_compression == ArrowCompressionType.None)
        {
            output.Write(source);
            length = source.Length;
        }
        else
        {
            var bound = 8 + (_compression == ArrowCompressionType.Zstd ? Zstd.CompressBound(source.Length) : Lz4Frame.CompressBound(source.Length));
            var destination = output.GetSpan(bound);
            var compressedLength = _compression == ArrowCompressionType.Zstd
                ? Zstd.Compress(source, destination[8..], _zstdLevel)
                : Lz4Frame.Compress(source, destination[8..]);
            if (compressedLength > source.Length)
            {
                BinaryPrimitives.WriteInt64LittleEndian(destination, -1L);
                source.CopyTo(destination[8..]);
                length = 8 + source.Length;
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(destination, source.Length);
                length = 8 + compressedLength;
            }
            output.Advance(length);
        }
        var padding = (8 - (length & 7)) & 7;
        if (padding > 0) output.WriteZeros(padding);
        _buffers[2 * index] = offset;
        _buffers[(2 * index) + 1] = length;
        index++;
    }
}
