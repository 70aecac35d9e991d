using System.Buffers;
using System.Buffers.Binary;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Metadata;
using Fluss.Rows;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Records.Log;

/// <summary>Header values of a log batch being built (BaseOffset is always 0; the server assigns offsets).</summary>
/// <param name="SchemaId">The table schema id the rows follow.</param>
/// <param name="WriterId">Idempotent writer id, or <see cref="LogRecordBatchFormat.NoWriterId"/>.</param>
/// <param name="BatchSequence">Sequence of the batch for its writer and bucket, or <see cref="LogRecordBatchFormat.NoBatchSequence"/>.</param>
/// <param name="CommitTimestamp">Normally 0; the server stamps the commit time.</param>
public readonly record struct LogBatchHeader(short SchemaId, long WriterId = NoWriterId, int BatchSequence = NoBatchSequence, long CommitTimestamp = 0);

/// <summary>
/// Encodes Arrow record batches as LogRecordBatch V0 in the ARROW log format, bit-compatible with Fluss: the 48-byte
/// little-endian header (CRC-32C from SchemaId to the end), then for changelog batches one change-type byte per
/// row, then a single Arrow IPC RecordBatch message (no schema message, no end-of-stream marker) whose buffers are
/// compressed one by one with the configured codec. A batch without rows is the header alone. The builder keeps its
/// output buffer and codec state between batches; the memory returned by a build call is valid until the next call
/// or <see cref="Dispose"/>. Not thread-safe.
/// </summary>
public sealed class ArrowLogBatchBuilder : IDisposable
{
    /// <summary>Fluss's default ZSTD level (<c>table.log.arrow.compression.zstd.level</c>).</summary>
    public const int DefaultZstdLevel = 3;

    private readonly ArrowIpcEncoder _encoder;
    private readonly PooledBuffer _output = new();
    private IpcColumn[] _columns = new IpcColumn[16];
    private readonly List<byte[]> _scratch = [];
    private bool _disposed;

    public ArrowLogBatchBuilder(ArrowCompressionType compression = ArrowCompressionType.Zstd, int zstdLevel = DefaultZstdLevel)
    {
        if (!Enum.IsDefined(compression)) throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown compression type.");
        if (compression == ArrowCompressionType.Zstd && zstdLevel is < 1 or > 22)
            throw new ArgumentOutOfRangeException(nameof(zstdLevel), zstdLevel, "Invalid ZSTD compression level; expected a value between 1 and 22.");
        Compression = compression;
        ZstdLevel = zstdLevel;
        _encoder = new ArrowIpcEncoder(compression, zstdLevel);
    }

    public ArrowCompressionType Compression { get; }

    public int ZstdLevel { get; }

    /// <summary>Encodes an append-only batch (attributes bit 0 set, no change-type vector).</summary>
    public ReadOnlyMemory<byte> BuildAppendOnly(RecordBatch batch, in LogBatchHeader header)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var columns = ColumnsOf(batch);
        try
        {
            return Encode(columns, batch.Length, default, appendOnly: true, header);
        }
        finally
        {
            ReturnScratch();
        }
    }

    /// <summary>Encodes a changelog batch: one change type per row precedes the Arrow data.</summary>
    public ReadOnlyMemory<byte> BuildChangelog(RecordBatch batch, ReadOnlySpan<ChangeType> changeTypes, in LogBatchHeader header)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var columns = ColumnsOf(batch);
        try
        {
            return Encode(columns, batch.Length, changeTypes, appendOnly: false, header);
        }
        finally
        {
            ReturnScratch();
        }
    }

    /// <summary>
    /// Encodes the rows of <paramref name="rows"/> as an append-only batch without copying them into a record batch
    /// first. The builder keeps its rows: call <see cref="ArrowBatchBuilder.Clear"/> before appending the next batch.
    /// </summary>
    public ReadOnlyMemory<byte> BuildAppendOnly(ArrowBatchBuilder rows, in LogBatchHeader header)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Encode(ColumnsOf(rows), rows.RowCount, default, appendOnly: true, header);
    }

    /// <summary>Encodes the rows of <paramref name="rows"/> as a changelog batch.</summary>
    public ReadOnlyMemory<byte> BuildChangelog(ArrowBatchBuilder rows, ReadOnlySpan<ChangeType> changeTypes, in LogBatchHeader header)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Encode(ColumnsOf(rows), rows.RowCount, changeTypes, appendOnly: false, header);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _output.Dispose();
        ReturnScratch();
    }

    private ReadOnlyMemory<byte> Encode(ReadOnlySpan<IpcColumn> columns, int rowCount, ReadOnlySpan<ChangeType> changeTypes, bool appendOnly, in LogBatchHeader header)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!appendOnly)
        {
            if (changeTypes.Length != rowCount)
                throw new ArgumentException($"A changelog batch needs one change type per row: {rowCount} rows but {changeTypes.Length} change types.", nameof(changeTypes));
            foreach (var ct in changeTypes)
                if ((byte)ct > (byte)ChangeType.Delete) throw new ArgumentException($"Invalid change type value {(byte)ct}.", nameof(changeTypes));
        }

        _output.Clear();
        _output.WriteZeros(V0HeaderSize);
        if (rowCount > 0)
        {
            if (!appendOnly)
            {
                var span = _output.GetSpan(rowCount);
                for (var i = 0; i < rowCount; i++) span[i] = (byte)changeTypes[i];
                _output.Advance(rowCount);
            }
            _encoder.WriteMessage(_output, columns, rowCount);
        }

        var batch = _output.WrittenSpan;
        BinaryPrimitives.WriteInt64LittleEndian(batch[BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(batch[LengthOffset..], batch.Length - LogOverhead);
        batch[MagicOffset] = MagicV0;
        BinaryPrimitives.WriteInt64LittleEndian(batch[CommitTimestampOffset..], header.CommitTimestamp);
        BinaryPrimitives.WriteInt16LittleEndian(batch[SchemaIdOffset(MagicV0)..], header.SchemaId);
        batch[AttributesOffset(MagicV0)] = appendOnly ? AppendOnlyFlagMask : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(batch[LastOffsetDeltaOffset(MagicV0)..], rowCount > 0 ? rowCount - 1 : 0);
        BinaryPrimitives.WriteInt64LittleEndian(batch[WriterIdOffset(MagicV0)..], header.WriterId);
        BinaryPrimitives.WriteInt32LittleEndian(batch[BatchSequenceOffset(MagicV0)..], header.BatchSequence);
        BinaryPrimitives.WriteInt32LittleEndian(batch[RecordCountOffset(MagicV0)..], rowCount);
        var crc = Utils.Crc32C.Compute(batch[SchemaIdOffset(MagicV0)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(batch[CrcOffset(MagicV0)..], crc);
        return _output.WrittenMemory;
    }

    private ReadOnlySpan<IpcColumn> ColumnsOf(ArrowBatchBuilder rows)
    {
        EnsureColumns(rows.ColumnCount);
        var span = _columns.AsSpan(0, rows.ColumnCount);
        rows.GetIpcColumns(span);
        return span;
    }

    private ReadOnlySpan<IpcColumn> ColumnsOf(RecordBatch batch)
    {
        var count = batch.ColumnCount;
        EnsureColumns(count);
        for (var i = 0; i < count; i++)
        {
            var array = batch.Column(i);
            if (array.Length != batch.Length)
                throw new ArgumentException($"Column {i} has {array.Length} values but the batch has {batch.Length} rows.", nameof(batch));
            _columns[i] = ToIpcColumn(array.Data, batch.Schema.FieldsList[i].Name);
        }
        return _columns.AsSpan(0, count);
    }

    private void EnsureColumns(int count)
    {
        if (_columns.Length < count) _columns = new IpcColumn[count];
    }

    /// <summary>Exact-length buffers of an Arrow array; sliced arrays are re-based into scratch memory.</summary>
    private IpcColumn ToIpcColumn(ArrayData data, string name)
    {
        if (data.Children is { Length: > 0 } || data.Dictionary is not null)
            throw new NotSupportedException($"Column '{name}' is a nested or dictionary array, which the log format does not support yet.");
        var kind = ColumnKinds.Get(data.DataType, out var width);
        var length = data.Length;
        var offset = data.Offset;
        var nulls = data.GetNullCount();
        var bitmapBytes = Bitmaps.ByteCount(length);
        var buffers = data.Buffers;
        if (buffers.Length < kind.BufferCount())
            throw new ArgumentException($"Column '{name}' has {buffers.Length} buffers but an Arrow {data.DataType.Name} array needs {kind.BufferCount()}.");

        var validity = ReadOnlyMemory<byte>.Empty;
        if (nulls > 0)
        {
            if (buffers[0].IsEmpty)
                throw new ArgumentException($"Column '{name}' reports {nulls} nulls but has no validity bitmap.");
            validity = Bits(buffers[0].Memory, offset, length);
        }
        if (length == 0)
            return new IpcColumn(kind, 0, 0, default, default, default);

        switch (kind)
        {
            case ColumnKind.Boolean:
                return new IpcColumn(kind, length, nulls, validity, Bits(buffers[1].Memory, offset, length), default);
            case ColumnKind.Utf8 or ColumnKind.Binary:
                {
                    var offsets = buffers[1].Memory.Slice(offset * 4, (length + 1) * 4);
                    var first = BinaryPrimitives.ReadInt32LittleEndian(offsets.Span);
                    var last = BinaryPrimitives.ReadInt32LittleEndian(offsets.Span[(length * 4)..]);
                    var values = buffers[2].Memory[first..last];
                    if (first != 0)
                    {
                        var rebased = Rent((length + 1) * 4);
                        var src = offsets.Span;
                        for (var i = 0; i <= length; i++)
                            BinaryPrimitives.WriteInt32LittleEndian(rebased.AsSpan(i * 4), BinaryPrimitives.ReadInt32LittleEndian(src[(i * 4)..]) - first);
                        offsets = rebased.AsMemory(0, (length + 1) * 4);
                    }
                    return new IpcColumn(kind, length, nulls, validity, offsets, values);
                }
            default:
                return new IpcColumn(kind, length, nulls, validity, buffers[1].Memory.Slice(checked(offset * width), checked(length * width)), default);
        }

        ReadOnlyMemory<byte> Bits(ReadOnlyMemory<byte> source, int bitOffset, int count)
        {
            if ((bitOffset & 7) == 0) return source.Slice(bitOffset >> 3, bitmapBytes);
            var copy = Rent(bitmapBytes);
            Bitmaps.CopyShifted(source.Span, bitOffset, count, copy);
            return copy.AsMemory(0, bitmapBytes);
        }
    }

    private byte[] Rent(int size)
    {
        var array = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        _scratch.Add(array);
        return array;
    }

    private void ReturnScratch()
    {
        foreach (var a in _scratch) ArrayPool<byte>.Shared.Return(a);
        _scratch.Clear();
    }
}
