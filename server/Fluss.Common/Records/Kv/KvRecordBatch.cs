using System.Buffers.Binary;
using System.Globalization;
using Fluss.Errors;
using Fluss.Utils;

namespace Fluss.Records.Kv;

/// <summary>
/// A read-only view of one KV record batch (see <see cref="KvRecordBatchFormat"/>) over bytes that hold exactly
/// that batch. Call <see cref="EnsureValid"/> on untrusted input; enumerating the records allocates nothing.
/// </summary>
/// <remarks>
/// Framing problems (sizes, magic, checksum, header fields) raise <see cref="CorruptMessageException"/>; problems
/// inside the records (lengths that overrun, a record count that does not match) raise
/// <see cref="CorruptRecordException"/>. Nothing is read beyond the buffer, and no length is trusted before it is
/// checked against the buffer.
/// </remarks>
public readonly struct KvRecordBatch
{
    private readonly ReadOnlyMemory<byte> _bytes;

    public KvRecordBatch(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

    /// <summary>The batch bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The batch size the length field declares (length field included).</summary>
    public int SizeInBytes => KvRecordBatchFormat.LengthLength + ReadInt32(KvRecordBatchFormat.LengthOffset, "length");

    public byte Magic => Header("magic")[KvRecordBatchFormat.MagicOffset];

    /// <summary>The stored CRC-32C of bytes from the schema id to the end.</summary>
    public uint Checksum => BinaryPrimitives.ReadUInt32LittleEndian(Header("crc")[KvRecordBatchFormat.CrcOffset..]);

    public short SchemaId => BinaryPrimitives.ReadInt16LittleEndian(Header("schema id")[KvRecordBatchFormat.SchemaIdOffset..]);

    public byte Attributes => Header("attributes")[KvRecordBatchFormat.AttributesOffset];

    public long WriterId => BinaryPrimitives.ReadInt64LittleEndian(Header("writer id")[KvRecordBatchFormat.WriterIdOffset..]);

    public int BatchSequence => ReadInt32(KvRecordBatchFormat.BatchSequenceOffset, "batch sequence");

    public int RecordCount => ReadInt32(KvRecordBatchFormat.RecordCountOffset, "record count");

    /// <summary>The CRC-32C of the bytes the checksum covers.</summary>
    public uint ComputeChecksum() => Crc32C.Compute(Header("crc")[KvRecordBatchFormat.SchemaIdOffset..]);

    /// <summary>Whether the framing, magic, checksum and records are all consistent.</summary>
    public bool IsValid => Check() is null;

    /// <summary>
    /// Checks the framing (the length field against the buffer), the magic, the checksum, the record count and the
    /// structure of every record.
    /// </summary>
    /// <exception cref="CorruptMessageException">The batch framing, magic or checksum is wrong.</exception>
    /// <exception cref="CorruptRecordException">A record is malformed or the record count does not match.</exception>
    public void EnsureValid()
    {
        var error = Check();
        if (error is not null) throw error;
    }

    private FlussException? Check()
    {
        var span = _bytes.Span;
        if (span.Length < KvRecordBatchFormat.HeaderSize)
        {
            return new CorruptMessageException(Fmt(
                "KV record batch is corrupt: the buffer holds {0} bytes, fewer than the {1}-byte batch header.",
                span.Length, KvRecordBatchFormat.HeaderSize));
        }
        var declared = (long)BinaryPrimitives.ReadInt32LittleEndian(span) + KvRecordBatchFormat.LengthLength;
        if (declared < KvRecordBatchFormat.HeaderSize)
        {
            return new CorruptMessageException(Fmt(
                "KV record batch is corrupt: the length field gives a batch size of {0} bytes, smaller than the minimum allowed overhead {1}.",
                declared, KvRecordBatchFormat.HeaderSize));
        }
        if (declared != span.Length)
        {
            return new CorruptMessageException(Fmt(
                "KV record batch is corrupt: the length field gives a batch size of {0} bytes but the buffer holds {1} bytes{2}.",
                declared, span.Length, declared > span.Length ? " (truncated)" : ""));
        }
        var magic = span[KvRecordBatchFormat.MagicOffset];
        if (magic != KvRecordBatchFormat.CurrentMagic)
        {
            return new CorruptMessageException(Fmt(
                "KV record batch has unknown magic value {0}; this version reads magic {1}.", magic, KvRecordBatchFormat.CurrentMagic));
        }
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(span[KvRecordBatchFormat.CrcOffset..]);
        var computed = Crc32C.Compute(span[KvRecordBatchFormat.SchemaIdOffset..]);
        if (stored != computed)
        {
            return new CorruptMessageException(Fmt(
                "KV record batch is corrupt (stored crc = {0}, computed crc = {1}).", stored, computed));
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[KvRecordBatchFormat.RecordCountOffset..]);
        if (count < 0)
            return new CorruptMessageException(Fmt("KV record batch is corrupt: record count {0} is negative.", count));

        var position = KvRecordBatchFormat.RecordsOffset;
        for (var i = 0; i < count; i++)
        {
            var error = RecordEnumerator.TryReadRecord(span, position, i, out var size, out _, out _);
            if (error is not null) return error;
            position += size;
        }
        if (position != span.Length)
        {
            return new CorruptRecordException(Fmt(
                "KV record batch is corrupt: its {0} records end at byte {1} but the batch has {2} bytes.", count, position, span.Length));
        }
        return null;
    }

    /// <summary>
    /// The records, in order. Enumeration checks each record against the batch bounds and throws
    /// <see cref="CorruptRecordException"/> on malformed records; it does not verify the checksum (use
    /// <see cref="EnsureValid"/>).
    /// </summary>
    public RecordEnumerable Records => new(_bytes);

    private ReadOnlySpan<byte> Header(string field)
    {
        var span = _bytes.Span;
        if (span.Length < KvRecordBatchFormat.HeaderSize)
        {
            throw new CorruptMessageException(Fmt(
                "KV record batch is corrupt: cannot read its {0}; the buffer holds {1} bytes, fewer than the {2}-byte header.",
                field, span.Length, KvRecordBatchFormat.HeaderSize));
        }
        return span;
    }

    private int ReadInt32(int offset, string field) => BinaryPrimitives.ReadInt32LittleEndian(Header(field)[offset..]);

    private static string Fmt(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>The records of a batch, enumerable with <c>foreach</c> without allocating.</summary>
    public readonly struct RecordEnumerable
    {
        private readonly ReadOnlyMemory<byte> _bytes;

        internal RecordEnumerable(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

        public RecordEnumerator GetEnumerator() => new(_bytes.Span);
    }

    /// <summary>Enumerates the records of a batch.</summary>
    public ref struct RecordEnumerator
    {
        private const string Name = "KV record batch";
        private readonly ReadOnlySpan<byte> _batch;
        private readonly int _count;
        private int _index;
        private int _position;
        private KvRecord _current;

        internal RecordEnumerator(ReadOnlySpan<byte> batch)
        {
            _batch = batch;
            BatchRecordWalk.EnsureFramed(batch, KvRecordBatchFormat.HeaderSize, Name, "batch header");
            _count = BatchRecordWalk.ReadRecordCount(batch, KvRecordBatchFormat.RecordCountOffset, Name);
            _position = KvRecordBatchFormat.RecordsOffset;
            _index = 0;
            _current = default;
        }

        public readonly KvRecord Current => _current;

        public bool MoveNext()
        {
            if (BatchRecordWalk.IsDone(ref _index, _count, _position, _batch.Length, Name)) return false;
            var error = TryReadRecord(_batch, _position, _index, out var size, out var key, out var row);
            if (error is not null) throw error;
            _current = new KvRecord(key, row);
            _position += size;
            _index++;
            return true;
        }

        /// <summary>Reads the record at <paramref name="position"/>; returns an error instead of throwing.</summary>
        internal static CorruptRecordException? TryReadRecord(
            ReadOnlySpan<byte> batch, int position, int index, out int size, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> row)
        {
            size = 0;
            key = default;
            row = default;
            var remaining = batch.Length - position;
            if (remaining < KvRecordBatchFormat.LengthLength)
            {
                return new CorruptRecordException(Fmt(
                    "KV record batch is corrupt: record {0} starts at byte {1} but only {2} bytes remain, fewer than its 4-byte length field (record count does not match the records present).",
                    index, position, Math.Max(remaining, 0)));
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(batch[position..]);
            if (length < 1 || length > remaining - KvRecordBatchFormat.LengthLength)
            {
                return new CorruptRecordException(Fmt(
                    "KV record batch is corrupt: record {0} at byte {1} declares length {2} but {3} bytes remain after its length field.",
                    index, position, length, remaining - KvRecordBatchFormat.LengthLength));
            }
            var body = batch.Slice(position + KvRecordBatchFormat.LengthLength, length);
            var status = VarInt.TryRead(body, out uint keyLength, out var prefix);
            if (status != VarIntStatus.Ok)
            {
                return new CorruptRecordException(Fmt(
                    "KV record batch is corrupt: the key length of record {0} at byte {1} is {2}.",
                    index, position, status == VarIntStatus.Truncated ? "cut off by the record's end" : "a varint longer than 32 bits"));
            }
            if (keyLength > (uint)(body.Length - prefix))
            {
                return new CorruptRecordException(Fmt(
                    "KV record batch is corrupt: record {0} at byte {1} declares a {2}-byte key but only {3} bytes follow in the record.",
                    index, position, keyLength, body.Length - prefix));
            }
            key = body.Slice(prefix, (int)keyLength);
            row = body[(prefix + (int)keyLength)..];
            size = KvRecordBatchFormat.LengthLength + length;
            return null;
        }
    }
}

/// <summary>One record of a KV batch: a key and, for an upsert, the row bytes (empty for a delete).</summary>
public readonly ref struct KvRecord
{
    internal KvRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> row)
    {
        Key = key;
        Row = row;
    }

    /// <summary>The encoded key.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The row bytes of an upsert; empty for a delete.</summary>
    public ReadOnlySpan<byte> Row { get; }

    /// <summary>Whether this record deletes its key.</summary>
    public bool IsDelete => Row.IsEmpty;
}
