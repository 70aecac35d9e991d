using System.Buffers.Binary;
using Fluss.Utils;

namespace Fluss.Records.Kv;

/// <summary>
/// Builds a KV record batch (see <see cref="KvRecordBatchFormat"/>) in a pooled buffer: append upserts (key and
/// row bytes) and deletes (key only), then <see cref="Build"/>. The builder can be <see cref="Reset"/> and reused.
/// Not thread-safe; dispose to return the buffer to the pool.
/// </summary>
public sealed class KvRecordBatchBuilder : IDisposable
{
    private readonly PooledBuffer _buffer;
    private readonly int _writeLimit;
    private byte[] _bytes;
    private int _position;

    /// <param name="schemaId">The schema id of the rows in this batch.</param>
    /// <param name="writeLimit">The size <see cref="HasRoomFor"/> keeps the batch within.</param>
    /// <param name="initialCapacity">The initial buffer size.</param>
    public KvRecordBatchBuilder(short schemaId, int writeLimit = int.MaxValue, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(schemaId);
        ArgumentOutOfRangeException.ThrowIfLessThan(writeLimit, KvRecordBatchFormat.HeaderSize);
        _writeLimit = writeLimit;
        _buffer = new PooledBuffer(Math.Max(initialCapacity, KvRecordBatchFormat.HeaderSize));
        _bytes = _buffer.Array;
        Reset(schemaId);
    }

    public short SchemaId { get; private set; }

    public long WriterId { get; private set; }

    public int BatchSequence { get; private set; }

    public int RecordCount { get; private set; }

    /// <summary>The size of the batch built so far, header included.</summary>
    public int SizeInBytes => _position;

    /// <summary>Starts an empty batch, keeping the buffer; the writer state goes back to none.</summary>
    public void Reset(short schemaId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(schemaId);
        SchemaId = schemaId;
        WriterId = KvRecordBatchFormat.NoWriterId;
        BatchSequence = KvRecordBatchFormat.NoBatchSequence;
        RecordCount = 0;
        _position = KvRecordBatchFormat.HeaderSize;
    }

    /// <summary>Sets the idempotent writer's id and this batch's sequence number.</summary>
    public void SetWriterState(long writerId, int batchSequence)
    {
        WriterId = writerId;
        BatchSequence = batchSequence;
    }

    /// <summary>Whether a record with this key and row (-1 for a delete) fits within the write limit.</summary>
    public bool HasRoomFor(int keyLength, int rowLength) =>
        (long)_position + KvRecordBatchFormat.RecordSize(keyLength, Math.Max(0, rowLength)) <= _writeLimit;

    /// <summary>Appends an upsert of <paramref name="key"/> to <paramref name="row"/> (encoded row bytes, not empty).</summary>
    public void Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> row)
    {
        if (row.IsEmpty)
            throw new ArgumentException("An upsert needs row bytes; an empty row would read back as a delete. Use AppendDelete to delete a key.", nameof(row));
        AppendRecord(key, row);
    }

    /// <summary>Appends an upsert when <paramref name="row"/> is not null, otherwise a delete.</summary>
    public void Append(ReadOnlySpan<byte> key, byte[]? row)
    {
        if (row is null) AppendDelete(key);
        else Append(key, row.AsSpan());
    }

    /// <summary>Appends a delete of <paramref name="key"/>.</summary>
    public void AppendDelete(ReadOnlySpan<byte> key) => AppendRecord(key, []);

    private void AppendRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> row)
    {
        if (RecordCount == int.MaxValue - 1)
            throw new InvalidOperationException($"Maximum number of records per batch exceeded, max records: {int.MaxValue}");
        var size = (long)KvRecordBatchFormat.RecordSize(key.Length, row.Length);
        if (_position + size > int.MaxValue)
            throw new InvalidOperationException("A KV record batch cannot grow beyond 2 GiB.");
        Ensure((int)size);
        var span = _bytes.AsSpan(_position, (int)size);
        BinaryPrimitives.WriteInt32LittleEndian(span, (int)size - KvRecordBatchFormat.LengthLength);
        var offset = KvRecordBatchFormat.LengthLength + VarInt.Write(span[KvRecordBatchFormat.LengthLength..], (uint)key.Length);
        key.CopyTo(span[offset..]);
        row.CopyTo(span[(offset + key.Length)..]);
        _position += (int)size;
        RecordCount++;
    }

    /// <summary>
    /// Writes the header and checksum and returns the batch, a view of the builder's buffer that stays valid until
    /// the next append, reset or dispose. Build can be called again after more appends.
    /// </summary>
    public ReadOnlyMemory<byte> Build()
    {
        var header = _bytes.AsSpan(0, KvRecordBatchFormat.HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header, _position - KvRecordBatchFormat.LengthLength);
        header[KvRecordBatchFormat.MagicOffset] = KvRecordBatchFormat.CurrentMagic;
        BinaryPrimitives.WriteInt16LittleEndian(header[KvRecordBatchFormat.SchemaIdOffset..], SchemaId);
        header[KvRecordBatchFormat.AttributesOffset] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(header[KvRecordBatchFormat.WriterIdOffset..], WriterId);
        BinaryPrimitives.WriteInt32LittleEndian(header[KvRecordBatchFormat.BatchSequenceOffset..], BatchSequence);
        BinaryPrimitives.WriteInt32LittleEndian(header[KvRecordBatchFormat.RecordCountOffset..], RecordCount);
        var crc = Crc32C.Compute(_bytes.AsSpan(KvRecordBatchFormat.SchemaIdOffset, _position - KvRecordBatchFormat.SchemaIdOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(header[KvRecordBatchFormat.CrcOffset..], crc);
        return _bytes.AsMemory(0, _position);
    }

    /// <summary>Builds the batch and copies it into a new array.</summary>
    public byte[] BuildToArray() => Build().ToArray();

    private void Ensure(int additional)
    {
        if (_bytes.Length - _position >= additional) return;
        _buffer.EnsureCapacity(_position, _position + additional);
        _bytes = _buffer.Array;
    }

    public void Dispose() => _buffer.Dispose();
}
