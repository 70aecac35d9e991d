using System.Buffers.Binary;
using System.Globalization;
using Fluss.Errors;
using Fluss.Utils;

namespace Fluss.Records.Kv;

/// <summary>
/// Layout of a value record batch, the rows of a limit scan: <c>[int32 length][int8 magic][int32 record count]</c>
/// then records <c>[int32 length][int16 schema id][row bytes]</c> (a record body is a KV value), little-endian.
/// There is no checksum.
/// </summary>
public static class ValueRecordBatchFormat
{
    public const int LengthOffset = 0;
    public const int LengthLength = 4;
    public const int MagicOffset = 4;
    public const int RecordCountOffset = 5;
    public const int RecordsOffset = 9;
    public const int HeaderSize = RecordsOffset;
    public const byte CurrentMagic = 0;
}

/// <summary>Builds a value record batch in a pooled buffer. Not thread-safe; dispose to return the buffer.</summary>
public sealed class ValueRecordBatchBuilder : IDisposable
{
    private readonly PooledBuffer _buffer;
    private byte[] _bytes;
    private int _position = ValueRecordBatchFormat.HeaderSize;

    public ValueRecordBatchBuilder(int initialCapacity = 1024)
    {
        _buffer = new PooledBuffer(Math.Max(initialCapacity, ValueRecordBatchFormat.HeaderSize));
        _bytes = _buffer.Array;
    }

    public int RecordCount { get; private set; }

    public int SizeInBytes => _position;

    /// <summary>Appends a row written with schema <paramref name="schemaId"/>.</summary>
    public void Append(short schemaId, ReadOnlySpan<byte> row)
    {
        var size = ValueRecordBatchFormat.LengthLength + ValueEncoder.SchemaIdLength + row.Length;
        Ensure(size);
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(_position), size - ValueRecordBatchFormat.LengthLength);
        ValueEncoder.Encode(schemaId, row, _bytes.AsSpan(_position + ValueRecordBatchFormat.LengthLength));
        _position += size;
        RecordCount++;
    }

    /// <summary>Appends a KV value (<c>[int16 schema id][row bytes]</c>) as it is stored.</summary>
    public void AppendValue(ReadOnlySpan<byte> value)
    {
        ValueEncoder.ReadSchemaId(value);
        var size = ValueRecordBatchFormat.LengthLength + value.Length;
        Ensure(size);
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(_position), value.Length);
        value.CopyTo(_bytes.AsSpan(_position + ValueRecordBatchFormat.LengthLength));
        _position += size;
        RecordCount++;
    }

    /// <summary>Starts an empty batch, keeping the buffer.</summary>
    public void Reset()
    {
        _position = ValueRecordBatchFormat.HeaderSize;
        RecordCount = 0;
    }

    /// <summary>Writes the header and returns the batch; a view valid until the next append, reset or dispose.</summary>
    public ReadOnlyMemory<byte> Build()
    {
        BinaryPrimitives.WriteInt32LittleEndian(_bytes, _position - ValueRecordBatchFormat.LengthLength);
        _bytes[ValueRecordBatchFormat.MagicOffset] = ValueRecordBatchFormat.CurrentMagic;
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(ValueRecordBatchFormat.RecordCountOffset), RecordCount);
        return _bytes.AsMemory(0, _position);
    }

    private void Ensure(int additional)
    {
        if (_bytes.Length - _position >= additional) return;
        _buffer.EnsureCapacity(_position, _position + additional);
        _bytes = _buffer.Array;
    }

    public void Dispose() => _buffer.Dispose();
}

/// <summary>
/// A read-only view of one value record batch over bytes that hold exactly that batch. Enumerating allocates
/// nothing; malformed input raises <see cref="CorruptMessageException"/> (framing) or
/// <see cref="CorruptRecordException"/> (records).
/// </summary>
public readonly struct ValueRecordBatch
{
    private readonly ReadOnlyMemory<byte> _bytes;

    public ValueRecordBatch(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

    public ReadOnlyMemory<byte> Bytes => _bytes;

    public byte Magic => Header()[ValueRecordBatchFormat.MagicOffset];

    public int RecordCount => BinaryPrimitives.ReadInt32LittleEndian(Header()[ValueRecordBatchFormat.RecordCountOffset..]);

    /// <summary>Checks the framing, the magic and every record.</summary>
    public void EnsureValid()
    {
        foreach (var _ in Records)
        {
        }
    }

    public RecordEnumerable Records => new(_bytes);

    private ReadOnlySpan<byte> Header()
    {
        var span = _bytes.Span;
        if (span.Length < ValueRecordBatchFormat.HeaderSize)
        {
            throw new CorruptMessageException(string.Format(CultureInfo.InvariantCulture,
                "Value record batch is corrupt: the buffer holds {0} bytes, fewer than the {1}-byte header.", span.Length, ValueRecordBatchFormat.HeaderSize));
        }
        return span;
    }

    public readonly struct RecordEnumerable
    {
        private readonly ReadOnlyMemory<byte> _bytes;

        internal RecordEnumerable(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

        public RecordEnumerator GetEnumerator() => new(_bytes.Span);
    }

    /// <summary>Enumerates (schema id, row bytes) records.</summary>
    public ref struct RecordEnumerator
    {
        private const string Name = "Value record batch";
        private readonly ReadOnlySpan<byte> _batch;
        private readonly int _count;
        private int _index;
        private int _position;
        private ValueRecord _current;

        internal RecordEnumerator(ReadOnlySpan<byte> batch)
        {
            _batch = batch;
            BatchRecordWalk.EnsureFramed(batch, ValueRecordBatchFormat.HeaderSize, Name, "header");
            if (batch[ValueRecordBatchFormat.MagicOffset] != ValueRecordBatchFormat.CurrentMagic)
                throw new CorruptMessageException(Fmt("Value record batch has unknown magic value {0}; this version reads magic {1}.", batch[ValueRecordBatchFormat.MagicOffset], ValueRecordBatchFormat.CurrentMagic));
            _count = BatchRecordWalk.ReadRecordCount(batch, ValueRecordBatchFormat.RecordCountOffset, Name);
            _position = ValueRecordBatchFormat.RecordsOffset;
            _index = 0;
            _current = default;
        }

        public readonly ValueRecord Current => _current;

        public bool MoveNext()
        {
            if (BatchRecordWalk.IsDone(ref _index, _count, _position, _batch.Length, Name)) return false;
            var remaining = _batch.Length - _position;
            if (remaining < ValueRecordBatchFormat.LengthLength)
                throw new CorruptRecordException(Fmt("Value record batch is corrupt: record {0} starts at byte {1} but only {2} bytes remain (record count does not match the records present).", _index, _position, remaining));
            var length = BinaryPrimitives.ReadInt32LittleEndian(_batch[_position..]);
            if (length < ValueEncoder.SchemaIdLength || length > remaining - ValueRecordBatchFormat.LengthLength)
                throw new CorruptRecordException(Fmt("Value record batch is corrupt: record {0} at byte {1} declares length {2} but {3} bytes remain after its length field.", _index, _position, length, remaining - ValueRecordBatchFormat.LengthLength));
            var body = _batch.Slice(_position + ValueRecordBatchFormat.LengthLength, length);
            _current = new ValueRecord(BinaryPrimitives.ReadInt16LittleEndian(body), body[ValueEncoder.SchemaIdLength..]);
            _position += ValueRecordBatchFormat.LengthLength + length;
            _index++;
            return true;
        }

        private static string Fmt(string format, params object[] args) => BatchRecordWalk.Fmt(format, args);
    }
}

/// <summary>A row and the schema id it was written with.</summary>
public readonly ref struct ValueRecord
{
    internal ValueRecord(short schemaId, ReadOnlySpan<byte> row)
    {
        SchemaId = schemaId;
        Row = row;
    }

    public short SchemaId { get; }

    public ReadOnlySpan<byte> Row { get; }
}
