using System.Buffers;
using System.Buffers.Binary;
using Apache.Arrow;
using Fluss.Codecs;
using Fluss.Errors;

namespace Fluss.Arrow;

/// <summary>
/// Reads one Arrow IPC encapsulated RecordBatch message against a known schema (the log format stores no schema
/// message). Every offset, length and count is checked before use; allocation happens only for decompressed
/// buffers, whose declared size must match what the column needs. Uncompressed buffers are not copied: the arrays
/// point into <c>message</c>. Problems surface as <see cref="CorruptRecordException"/>.
/// </summary>
internal static class ArrowIpcDecoder
{
    /// <summary>Upper bound of the decompressed bytes of one batch (protects against decompression bombs).</summary>
    public const long DefaultMaxUncompressedBytes = 1L << 30;

    /// <summary>Checks that every field of the schema has a layout the log format supports.</summary>
    public static void CheckSchema(Schema schema)
    {
        foreach (var f in schema.FieldsList) _ = ColumnKinds.Get(f.DataType, out _);
    }

    /// <summary>
    /// Decodes the message at the start of <paramref name="message"/>. Decompressed buffers are rented from the shared
    /// array pool and added to <paramref name="rented"/>; the caller returns them when the batch is no longer used.
    /// </summary>
    public static RecordBatch Decode(ReadOnlyMemory<byte> message, Schema schema, int expectedRows, List<byte[]> rented, long maxUncompressedBytes = DefaultMaxUncompressedBytes)
    {
        try
        {
            return DecodeCore(message, schema, expectedRows, rented, maxUncompressedBytes);
        }
        catch (FlussException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CorruptRecordException($"The Arrow record batch could not be read ({e.GetType().Name}: {e.Message}).");
        }
    }

    private static RecordBatch DecodeCore(ReadOnlyMemory<byte> message, Schema schema, int expectedRows, List<byte[]> rented, long maxUncompressedBytes)
    {
        var span = message.Span;
        if (span.Length < 8)
            throw Corrupt($"the Arrow message needs at least 8 bytes but the records section holds {span.Length}");
        int prefix;
        int metadataLength;
        var first = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (first == -1)
        {
            prefix = 8;
            metadataLength = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        }
        else
        {
            prefix = 4; // pre-1.0 format without the continuation marker
            metadataLength = first;
        }
        if (metadataLength <= 0 || metadataLength > span.Length - prefix)
            throw Corrupt($"the Arrow metadata length is {metadataLength} but {span.Length - prefix} bytes follow the length prefix");
        var metadata = span.Slice(prefix, metadataLength);
        var header = IpcRecordBatchHeader.Parse(metadata);
        var available = span.Length - prefix - metadataLength;
        if (header.BodyLength > available)
            throw Corrupt($"the Arrow body length is {header.BodyLength} but only {available} bytes follow the metadata");
        if (header.RowCount != expectedRows)
            throw Corrupt($"the Arrow record batch has {header.RowCount} rows but the log batch header says {expectedRows}");
        var fields = schema.FieldsList;
        if (header.NodeCount != fields.Count)
            throw Corrupt($"the Arrow record batch has {header.NodeCount} field nodes but the schema has {fields.Count} columns");
        var expectedBuffers = 0;
        var kinds = new ColumnKind[fields.Count];
        var widths = new int[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            kinds[i] = ColumnKinds.Get(fields[i].DataType, out widths[i]);
            expectedBuffers += kinds[i].BufferCount();
        }
        if (header.BufferCount != expectedBuffers)
            throw Corrupt($"the Arrow record batch has {header.BufferCount} buffers but the schema's {fields.Count} columns need {expectedBuffers}");

        var body = message.Slice(prefix + metadataLength, (int)header.BodyLength);
        var state = new LoadState(body, header.Codec, rented, maxUncompressedBytes);
        var arrays = new IArrowArray[fields.Count];
        var b = 0;
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var length = IpcRecordBatchHeader.NodeLength(metadata, header, i);
            var nulls = IpcRecordBatchHeader.NodeNullCount(metadata, header, i);
            if (length != expectedRows)
                throw Corrupt($"column '{field.Name}' has {length} values but the batch has {expectedRows} rows");
            if (nulls < 0 || nulls > length)
                throw Corrupt($"column '{field.Name}' has a null count of {nulls} for {length} values");
            var rows = (int)length;
            var nullCount = (int)nulls;
            var bitmapBytes = Bitmaps.ByteCount(rows);

            var validityRaw = BufferAt(metadata, header, b++, body.Length, field.Name, "validity");
            var validity = nullCount > 0
                ? state.Load(validityRaw, bitmapBytes, bitmapBytes, field.Name, "validity")
                : ReadOnlyMemory<byte>.Empty;

            ArrowBuffer[] buffers;
            var kind = kinds[i];
            if (kind.IsVariableWidth())
            {
                var offsetsRaw = BufferAt(metadata, header, b++, body.Length, field.Name, "offsets");
                var dataRaw = BufferAt(metadata, header, b++, body.Length, field.Name, "data");
                var offsetBytes = rows == 0 ? 0 : ((long)rows + 1) * 4;
                var offsets = state.Load(offsetsRaw, offsetBytes, Math.Max(offsetBytes, 4), field.Name, "offsets");
                long dataNeeded = 0;
                if (rows > 0)
                {
                    var o = offsets.Span;
                    var previous = BinaryPrimitives.ReadInt32LittleEndian(o);
                    if (previous < 0) throw Corrupt($"column '{field.Name}' has a negative first offset {previous}");
                    for (var r = 1; r <= rows; r++)
                    {
                        var next = BinaryPrimitives.ReadInt32LittleEndian(o[(r * 4)..]);
                        if (next < previous)
                            throw Corrupt($"column '{field.Name}' has decreasing offsets ({previous} then {next}) at row {r - 1}");
                        previous = next;
                    }
                    dataNeeded = previous;
                }
                var data = state.Load(dataRaw, dataNeeded, dataNeeded, field.Name, "data");
                buffers = [ToBuffer(validity), ToBuffer(offsets), ToBuffer(data)];
            }
            else
            {
                var valuesRaw = BufferAt(metadata, header, b++, body.Length, field.Name, "values");
                var needed = kind == ColumnKind.Boolean ? bitmapBytes : (long)rows * widths[i];
                var values = state.Load(valuesRaw, needed, needed, field.Name, "values");
                buffers = [ToBuffer(validity), ToBuffer(values)];
            }
            arrays[i] = ArrowArrayFactory.BuildArray(new ArrayData(field.DataType, rows, nullCount, 0, buffers, null));
        }
        return new RecordBatch(schema, arrays, expectedRows);
    }

    private static ArrowBuffer ToBuffer(ReadOnlyMemory<byte> memory) => memory.IsEmpty ? ArrowBuffer.Empty : new ArrowBuffer(memory);

    private static (long Offset, long Length) BufferAt(ReadOnlySpan<byte> metadata, in IpcRecordBatchHeader header, int index, int bodyLength, string column, string what)
    {
        var offset = IpcRecordBatchHeader.BufferOffset(metadata, header, index);
        var length = IpcRecordBatchHeader.BufferLength(metadata, header, index);
        if (offset < 0 || length < 0 || offset > bodyLength || length > bodyLength - offset)
            throw Corrupt($"the {what} buffer of column '{column}' spans [{offset}, {offset}+{length}) outside the {bodyLength}-byte body");
        return (offset, length);
    }

    internal static CorruptRecordException Corrupt(string what) => new($"The Arrow record batch is corrupt: {what}.");

    private static long Align64(long n) => (n + 63) & ~63L;

    /// <summary>Checks the Zstandard frame header before any memory is allocated for its content.</summary>
    private static string? CheckZstdFrame(ReadOnlySpan<byte> frame, long declared)
    {
        if (!Zstd.TryGetFrameContentSize(frame, out var size)) return "the Zstandard frame header is invalid";
        if (size is { } s && s != (ulong)declared)
            return $"the Zstandard frame holds {s} bytes but the buffer declares {declared}";
        return null;
    }

    private sealed class LoadState(ReadOnlyMemory<byte> body, int codec, List<byte[]> rented, long maxUncompressedBytes)
    {
        private long _uncompressedTotal;

        /// <summary>
        /// The bytes of one buffer: at least <paramref name="needed"/>, decompressed if the body is compressed. A
        /// compressed buffer may declare at most <paramref name="allowed"/> rounded up to 64 plus 64 bytes.
        /// </summary>
        public ReadOnlyMemory<byte> Load((long Offset, long Length) location, long needed, long allowed, string column, string what)
        {
            var raw = body.Slice((int)location.Offset, (int)location.Length);
            if (codec == IpcMetadata.NoCodec)
            {
                if (raw.Length < needed)
                    throw Corrupt($"the {what} buffer of column '{column}' holds {raw.Length} bytes but its values need {needed}");
                return raw;
            }
            if (raw.Length == 0)
            {
                if (needed > 0) throw Corrupt($"the {what} buffer of column '{column}' is empty but its values need {needed} bytes");
                return ReadOnlyMemory<byte>.Empty;
            }
            if (raw.Length < 8)
                throw Corrupt($"the compressed {what} buffer of column '{column}' has {raw.Length} bytes, less than its 8-byte length prefix");
            var uncompressed = BinaryPrimitives.ReadInt64LittleEndian(raw.Span);
            var payload = raw[8..];
            if (uncompressed == -1)
            {
                if (payload.Length < needed)
                    throw Corrupt($"the uncompressed {what} buffer of column '{column}' holds {payload.Length} bytes but its values need {needed}");
                return payload;
            }
            if (uncompressed < needed || uncompressed > Align64(allowed) + 64)
                throw Corrupt($"the {what} buffer of column '{column}' declares {uncompressed} uncompressed bytes but its values need {needed}");
            if (uncompressed == 0) return ReadOnlyMemory<byte>.Empty;
            var headerError = codec == IpcMetadata.CodecLz4Frame ? Lz4Frame.CheckMagic(payload.Span) : CheckZstdFrame(payload.Span, uncompressed);
            if (headerError is not null)
                throw Corrupt($"the {what} buffer of column '{column}' does not decompress: {headerError}");
            _uncompressedTotal += uncompressed;
            if (_uncompressedTotal > maxUncompressedBytes)
                throw Corrupt($"the batch would decompress to more than {maxUncompressedBytes} bytes");
            var size = (int)uncompressed;
            var array = ArrayPool<byte>.Shared.Rent(size);
            rented.Add(array);
            var target = array.AsSpan(0, size);
            if (codec == IpcMetadata.CodecLz4Frame)
            {
                var error = Lz4Frame.TryDecompress(payload.Span, target);
                if (error is not null) throw Corrupt($"the {what} buffer of column '{column}' does not decompress: {error}");
            }
            else
            {
                int written;
                try
                {
                    written = Zstd.Decompress(payload.Span, target);
                }
                catch (ZstdException e)
                {
                    throw Corrupt($"the {what} buffer of column '{column}' does not decompress: {e.Message}");
                }
                if (written != size)
                    throw Corrupt($"the {what} buffer of column '{column}' decompresses to {written} bytes but declares {size}");
            }
            return array.AsMemory(0, size);
        }
    }
}
