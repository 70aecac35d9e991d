using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Rows;
using Fluss.Types;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Records.Log;

/// <summary>
/// A read-only view of one LogRecordBatch (magic V0, V1 or V2) over its bytes. Creating the view checks only that the
/// fixed header is there; <see cref="EnsureValid"/> checks the length, the CRC and the counts. Header fields are read
/// on access, nothing is copied.
/// </summary>
public readonly struct LogRecordBatch
{
    /// <summary>Default limit of the bytes one batch may decompress to in <see cref="ReadArrow(Schema, long)"/> (1 GiB).</summary>
    public const long DefaultMaxUncompressedBytes = ArrowIpcDecoder.DefaultMaxUncompressedBytes;

    private readonly ReadOnlyMemory<byte> _memory;

    /// <summary>Views the batch at the start of <paramref name="memory"/>.</summary>
    /// <exception cref="CorruptMessageException">The bytes are too short for the header, or the magic is unknown.</exception>
    public LogRecordBatch(ReadOnlyMemory<byte> memory)
    {
        var span = memory.Span;
        if (span.Length < HeaderSizeUpToMagic)
            throw new CorruptMessageException($"A log batch needs at least {HeaderSizeUpToMagic} bytes to reach its magic, but only {span.Length} are available.");
        var magic = span[MagicOffset];
        if (!IsKnownMagic(magic))
            throw new CorruptMessageException($"Unknown log batch magic {magic}; expected 0, 1 or 2.");
        var headerSize = HeaderSize(magic);
        if (span.Length < headerSize)
            throw new CorruptMessageException($"A V{magic} log batch header needs {headerSize} bytes, but only {span.Length} are available.");
        _memory = memory;
        Magic = magic;
    }

    /// <summary>The bytes the view was created over (the batch is the first <see cref="SizeInBytes"/> of them).</summary>
    public ReadOnlyMemory<byte> Memory => _memory;

    public byte Magic { get; }

    public long BaseOffset => ReadInt64(BaseOffsetOffset);

    /// <summary>The Length field: bytes after it.</summary>
    public int Length => ReadInt32(LengthOffset);

    /// <summary>12 + Length.</summary>
    public long SizeInBytes => (long)LogOverhead + Length;

    public long CommitTimestamp => ReadInt64(CommitTimestampOffset);

    /// <summary>The leader epoch (V2), or <see cref="LogRecordBatchFormat.NoLeaderEpoch"/> for V0 and V1.</summary>
    public int LeaderEpoch => Magic >= MagicV2 ? ReadInt32(LeaderEpochOffset(Magic)) : NoLeaderEpoch;

    public uint Checksum => BinaryPrimitives.ReadUInt32LittleEndian(_memory.Span[CrcOffset(Magic)..]);

    public short SchemaId => BinaryPrimitives.ReadInt16LittleEndian(_memory.Span[SchemaIdOffset(Magic)..]);

    public byte Attributes => _memory.Span[AttributesOffset(Magic)];

    public bool IsAppendOnly => (Attributes & AppendOnlyFlagMask) != 0;

    public int LastOffsetDelta => ReadInt32(LastOffsetDeltaOffset(Magic));

    /// <summary>BaseOffset + LastOffsetDelta.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    public long NextOffset => LastOffset + 1;

    public long WriterId => ReadInt64(WriterIdOffset(Magic));

    public int BatchSequence => ReadInt32(BatchSequenceOffset(Magic));

    public int RecordCount => ReadInt32(RecordCountOffset(Magic));

    /// <summary>Length of the statistics block (V1, V2), 0 for V0.</summary>
    public int StatisticsLength => Magic >= MagicV1 ? ReadInt32(StatisticsLengthOffset(Magic)) : 0;

    /// <summary>Where the records section starts: after the fixed header and the statistics.</summary>
    public long RecordsOffset => (long)HeaderSize(Magic) + StatisticsLength;

    /// <summary>CRC-32C of the bytes from SchemaId to the end of the batch.</summary>
    /// <exception cref="CorruptMessageException">The length field does not fit the available bytes.</exception>
    public uint ComputeChecksum()
    {
        var size = CheckedSize();
        return Utils.Crc32C.Compute(_memory.Span[SchemaIdOffset(Magic)..size]);
    }

    /// <summary>True when <see cref="EnsureValid"/> would succeed.</summary>
    public bool IsValid
    {
        get
        {
            try
            {
                EnsureValid();
                return true;
            }
            catch (FlussException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Checks the length against the available bytes, the CRC, the record count, the statistics length and (for
    /// changelog batches) that the change-type vector fits.
    /// </summary>
    /// <exception cref="CorruptMessageException">What is wrong, with the expected and actual values.</exception>
    public void EnsureValid()
    {
        var size = CheckedSize();
        var stored = Checksum;
        var computed = Utils.Crc32C.Compute(_memory.Span[SchemaIdOffset(Magic)..size]);
        if (stored != computed)
            throw new CorruptMessageException($"Record batch is corrupt (stored crc = {stored}, computed crc = {computed}).");
        var count = RecordCount;
        if (count < 0)
            throw new CorruptMessageException($"Record batch is corrupt (record count is {count}).");
        if (LastOffsetDelta < 0)
            throw new CorruptMessageException($"Record batch is corrupt (last offset delta is {LastOffsetDelta}).");
        var statistics = StatisticsLength;
        if (statistics < 0 || statistics > size - HeaderSize(Magic))
            throw new CorruptMessageException($"Record batch is corrupt (statistics length {statistics} does not fit the {size - HeaderSize(Magic)} bytes after the header).");
        var records = size - RecordsOffset;
        if (!IsAppendOnly && count > records)
            throw new CorruptMessageException($"Record batch is corrupt (its {count} change types do not fit the {records}-byte records section).");
    }

    /// <summary>
    /// Decodes the ARROW records of this batch. The batch should have passed <see cref="EnsureValid"/>. Uncompressed
    /// column buffers point into this batch's memory, which must stay unchanged while the result is used; dispose
    /// the result to release the decompressed buffers.
    /// </summary>
    /// <param name="schema">The Arrow schema of the batch's schema id (the format stores none).</param>
    /// <param name="maxUncompressedBytes">Refuse batches that would decompress to more than this many bytes.</param>
    /// <exception cref="CorruptRecordException">The change types or the Arrow data are corrupt.</exception>
    /// <exception cref="CorruptMessageException">The batch framing is corrupt.</exception>
    public LogArrowBatch ReadArrow(Schema schema, long maxUncompressedBytes = DefaultMaxUncompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArrowIpcDecoder.CheckSchema(schema);
        var size = CheckedSize();
        var count = RecordCount;
        if (count < 0) throw new CorruptMessageException($"Record batch is corrupt (record count is {count}).");
        var appendOnly = IsAppendOnly;
        var rented = new List<byte[]>();
        if (count == 0)
            return new LogArrowBatch(EmptyBatch(schema), ReadOnlyMemory<byte>.Empty, appendOnly, rented);
        var statistics = StatisticsLength;
        if (statistics < 0 || statistics > size - HeaderSize(Magic))
            throw new CorruptMessageException($"Record batch is corrupt (statistics length {statistics} does not fit the {size - HeaderSize(Magic)} bytes after the header).");
        var recordsOffset = HeaderSize(Magic) + statistics;
        var records = _memory[(int)recordsOffset..size];
        var changeTypes = ReadOnlyMemory<byte>.Empty;
        if (!appendOnly)
        {
            if (count > records.Length)
                throw new CorruptRecordException($"The change-type vector needs {count} bytes but the records section holds {records.Length}.");
            changeTypes = records[..count];
            var bad = changeTypes.Span.IndexOfAnyExceptInRange((byte)0, (byte)4);
            if (bad >= 0)
                throw new CorruptRecordException($"Change type byte {changeTypes.Span[bad]} at record {bad} is invalid; expected 0 (+A) to 4 (-D).");
            records = records[count..];
        }
        try
        {
            var batch = ArrowIpcDecoder.Decode(records, schema, count, rented, maxUncompressedBytes);
            return new LogArrowBatch(batch, changeTypes, appendOnly, rented);
        }
        catch
        {
            LogArrowBatch.ReturnAll(rented);
            throw;
        }
    }

    /// <summary>Decodes the ARROW records with the Arrow schema of <paramref name="rowType"/>.</summary>
    public LogArrowBatch ReadArrow(RowType rowType) => ReadArrow(ArrowSchemas.ToArrowSchema(rowType));

    /// <summary>
    /// Decodes all records into <see cref="LogRecord"/>s with copied values (offsets from <see cref="BaseOffset"/>,
    /// timestamp <see cref="CommitTimestamp"/>). Convenient, not for hot paths.
    /// </summary>
    public IReadOnlyList<LogRecord> ReadRows(RowType rowType)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        using var arrow = ReadArrow(rowType);
        var reader = new ArrowRowReader(arrow.Batch, rowType);
        var result = new LogRecord[reader.RowCount];
        var baseOffset = BaseOffset;
        var timestamp = CommitTimestamp;
        for (var i = 0; i < result.Length; i++)
            result[i] = new LogRecord(baseOffset + i, timestamp, arrow.ChangeTypeAt(i), GenericRow.CopyOf(reader.GetRow(i), rowType));
        return result;
    }

    /// <summary>Stamps BaseOffset in place; the CRC stays valid (the field lies before it).</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64LittleEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Stamps CommitTimestamp in place; the CRC stays valid.</summary>
    public static void SetCommitTimestamp(Span<byte> batch, long commitTimestamp) =>
        BinaryPrimitives.WriteInt64LittleEndian(batch[CommitTimestampOffset..], commitTimestamp);

    /// <summary>Stamps LeaderEpoch in place (V2 only); the CRC stays valid.</summary>
    /// <exception cref="NotSupportedException">The batch is V0 or V1.</exception>
    public static void SetLeaderEpoch(Span<byte> batch, int leaderEpoch)
    {
        if (batch.Length <= MagicOffset) throw new ArgumentException("The span is too short to hold a log batch header.", nameof(batch));
        var magic = batch[MagicOffset];
        if (magic < MagicV2)
            throw new NotSupportedException($"Setting the leader epoch is not supported for magic V{magic} log batches.");
        BinaryPrimitives.WriteInt32LittleEndian(batch[LeaderEpochOffset(magic)..], leaderEpoch);
    }

    public override string ToString() =>
        $"LogRecordBatch(magic={Magic}, baseOffset={BaseOffset}, lastOffset={LastOffset}, count={RecordCount}, size={SizeInBytes})";

    private int CheckedSize()
    {
        var length = Length;
        if (length < 0)
            throw new CorruptMessageException($"Record batch is corrupt (the length field is {length}, negative).");
        var size = (long)LogOverhead + length;
        var header = HeaderSize(Magic);
        if (size < header)
            throw new CorruptMessageException($"Record batch is corrupt (the size {size} is smaller than the minimum allowed overhead {header}).");
        if (size > _memory.Length)
            throw new CorruptMessageException($"Record batch is corrupt (the length field says {size} bytes but only {_memory.Length} are available).");
        return (int)size;
    }

    private static RecordBatch EmptyBatch(Schema schema)
    {
        var arrays = new IArrowArray[schema.FieldsList.Count];
        for (var i = 0; i < arrays.Length; i++)
        {
            var type = schema.FieldsList[i].DataType;
            var kind = ColumnKinds.Get(type, out _);
            ArrowBuffer[] buffers = kind.IsVariableWidth()
                ? [ArrowBuffer.Empty, ArrowBuffer.Empty, ArrowBuffer.Empty]
                : [ArrowBuffer.Empty, ArrowBuffer.Empty];
            arrays[i] = ArrowArrayFactory.BuildArray(new ArrayData(type, 0, 0, 0, buffers, null));
        }
        return new RecordBatch(schema, arrays, 0);
    }

    private int ReadInt32(int offset) => BinaryPrimitives.ReadInt32LittleEndian(_memory.Span[offset..]);

    private long ReadInt64(int offset) => BinaryPrimitives.ReadInt64LittleEndian(_memory.Span[offset..]);
}

/// <summary>One decoded log record: its offset, the batch's commit timestamp, change type and row.</summary>
public readonly record struct LogRecord(long Offset, long Timestamp, ChangeType ChangeType, GenericRow Row);

/// <summary>
/// The decoded ARROW records of a log batch: the Arrow record batch plus the change type of each row. Dispose it to
/// return decompressed buffers to the pool; the record batch must not be used afterwards.
/// </summary>
public sealed class LogArrowBatch : IDisposable
{
    private readonly ReadOnlyMemory<byte> _changeTypes;
    private List<byte[]>? _rented;

    internal LogArrowBatch(RecordBatch batch, ReadOnlyMemory<byte> changeTypes, bool isAppendOnly, List<byte[]> rented)
    {
        Batch = batch;
        _changeTypes = changeTypes;
        IsAppendOnly = isAppendOnly;
        _rented = rented;
    }

    public RecordBatch Batch { get; }

    public int RowCount => Batch.Length;

    /// <summary>True when every row is +A and the batch carries no change-type vector.</summary>
    public bool IsAppendOnly { get; }

    /// <summary>The change type of each row; empty for append-only batches (every row is +A).</summary>
    public ReadOnlySpan<ChangeType> ChangeTypes => MemoryMarshal.Cast<byte, ChangeType>(_changeTypes.Span);

    public ChangeType ChangeTypeAt(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {RowCount} rows.");
        return IsAppendOnly ? ChangeType.AppendOnly : (ChangeType)_changeTypes.Span[row];
    }

    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is null) return;
        Batch.Dispose();
        ReturnAll(rented);
    }

    internal static void ReturnAll(List<byte[]> rented)
    {
        foreach (var a in rented) System.Buffers.ArrayPool<byte>.Shared.Return(a);
        rented.Clear();
    }
}
