using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Types;
using Fluss.Utils;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Records.Log;

/// <summary>The outcome of <see cref="LogProjection.Project(ReadOnlySpan{byte}, IBufferWriter{byte}, int, bool)"/>.</summary>
/// <param name="BytesConsumed">Input bytes covered by the projected batches (a prefix of whole batches).</param>
/// <param name="BytesWritten">Bytes written to the output.</param>
/// <param name="BatchCount">Number of batches written.</param>
/// <param name="LimitReached">True when projection stopped because the next batch would exceed the byte limit.</param>
public readonly record struct LogProjectionResult(int BytesConsumed, int BytesWritten, int BatchCount, bool LimitReached);

/// <summary>
/// Server-side column projection of ARROW log batches without decoding rows: for every batch, the Arrow
/// RecordBatch metadata is rewritten to hold only the field nodes and buffers of the projected columns (buffer
/// offsets re-based), only those column buffers are copied (compressed buffers stay compressed), the change-type
/// vector is kept, the batch Length is fixed, statistics (V1, V2) are dropped and the CRC is recomputed so the
/// projected batch validates on its own. Batches without records pass through unchanged. An instance holds what
/// depends only on the schema and the projection, and is safe to share between threads.
/// </summary>
public sealed class LogProjection
{
    private const int StackScratchLongs = 256;

    private readonly int[] _fields;
    private readonly int[] _selectedBuffers;
    private readonly int _columnCount;
    private readonly int _bufferCount;

    /// <summary>Prepares the projection of <paramref name="rowType"/> to <paramref name="projectedFields"/>.</summary>
    /// <param name="rowType">The table schema the batches follow.</param>
    /// <param name="projectedFields">Field indexes to keep: at least one, in ascending order, without duplicates.</param>
    /// <exception cref="FlussException">INVALID_COLUMN_PROJECTION (34) when the projection is empty, unsorted, has duplicates or is out of range.</exception>
    /// <exception cref="NotSupportedException">The schema has a column type the Arrow log format does not support.</exception>
    public LogProjection(RowType rowType, IReadOnlyList<int> projectedFields)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        ArgumentNullException.ThrowIfNull(projectedFields);
        Validate(rowType.FieldCount, projectedFields);
        RowType = rowType;
        _fields = [.. projectedFields];
        _columnCount = rowType.FieldCount;

        var bufferStart = new int[_columnCount];
        var bufferCounts = new int[_columnCount];
        for (var i = 0; i < _columnCount; i++)
        {
            var kind = ColumnKinds.Get(ArrowSchemas.ToArrowType(rowType.GetTypeAt(i)), out _);
            bufferStart[i] = _bufferCount;
            bufferCounts[i] = kind.BufferCount();
            _bufferCount += bufferCounts[i];
        }
        var selected = new List<int>();
        foreach (var f in _fields)
            for (var b = 0; b < bufferCounts[f]; b++) selected.Add(bufferStart[f] + b);
        _selectedBuffers = [.. selected];
        ProjectedRowType = rowType.Project(_fields);
    }

    /// <summary>The schema of the input batches.</summary>
    public RowType RowType { get; }

    /// <summary>The schema of the projected batches (the projected fields, in order).</summary>
    public RowType ProjectedRowType { get; }

    /// <summary>The projected field indexes.</summary>
    public IReadOnlyList<int> ProjectedFields => _fields;

    /// <summary>
    /// Projects the complete batches at the start of <paramref name="batches"/> into <paramref name="output"/>. A
    /// partial batch at the end is left alone (see <see cref="LogProjectionResult.BytesConsumed"/>).
    /// </summary>
    /// <param name="batches">Concatenated log batches of this projection's schema.</param>
    /// <param name="output">Receives the projected batches, one contiguous span per batch.</param>
    /// <param name="maxBytes">Stop before the projected output would exceed this many bytes.</param>
    /// <param name="minOneBatch">Write the first batch even when it alone exceeds <paramref name="maxBytes"/>.</param>
    /// <exception cref="CorruptMessageException">A batch's framing is corrupt.</exception>
    /// <exception cref="CorruptRecordException">A batch's Arrow data does not match the schema or is corrupt.</exception>
    public LogProjectionResult Project(ReadOnlySpan<byte> batches, IBufferWriter<byte> output, int maxBytes = int.MaxValue, bool minOneBatch = true) =>
        ProjectCore(batches, output, maxBytes, minOneBatch, this, null);

    /// <summary>
    /// Like <see cref="Project(ReadOnlySpan{byte}, IBufferWriter{byte}, int, bool)"/>, for batches that may follow
    /// different schemas: <paramref name="projectionForSchema"/> gives the projection for each batch's schema id.
    /// </summary>
    public static LogProjectionResult Project(ReadOnlySpan<byte> batches, Func<short, LogProjection> projectionForSchema, IBufferWriter<byte> output, int maxBytes = int.MaxValue, bool minOneBatch = true)
    {
        ArgumentNullException.ThrowIfNull(projectionForSchema);
        return ProjectCore(batches, output, maxBytes, minOneBatch, null, projectionForSchema);
    }

    /// <summary>Checks a projection against a schema of <paramref name="fieldCount"/> fields.</summary>
    /// <exception cref="FlussException">INVALID_COLUMN_PROJECTION (34) naming what is wrong.</exception>
    public static void Validate(int fieldCount, IReadOnlyList<int> projectedFields)
    {
        ArgumentNullException.ThrowIfNull(projectedFields);
        if (projectedFields.Count == 0)
            throw Invalid("Empty projection is not supported; project at least one column.");
        var previous = -1;
        foreach (var f in projectedFields)
        {
            if (f < 0 || f >= fieldCount)
                throw Invalid($"Projected fields [{string.Join(", ", projectedFields)}] are out of bounds for a schema with {fieldCount} fields.");
            if (f == previous)
                throw Invalid($"The projection must not contain duplicated fields, but is [{string.Join(", ", projectedFields)}].");
            if (f < previous)
                throw Invalid($"The projection indexes must be in field order, but are [{string.Join(", ", projectedFields)}].");
            previous = f;
        }
    }

    private static FlussException Invalid(string message) => new(FlussErrorCode.InvalidColumnProjection, message);

    private static LogProjectionResult ProjectCore(ReadOnlySpan<byte> batches, IBufferWriter<byte> output, int maxBytes, bool minOneBatch, LogProjection? fixedProjection, Func<short, LogProjection>? resolve)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var position = 0;
        var written = 0;
        var count = 0;
        while (true)
        {
            var remaining = batches[position..];
            if (remaining.Length < HeaderSizeUpToMagic) break;
            var length = BinaryPrimitives.ReadInt32LittleEndian(remaining[LengthOffset..]);
            if (length < 0)
                throw new CorruptMessageException($"Log batch at byte {position} is corrupt: its length field is {length}, negative.");
            var magic = remaining[MagicOffset];
            if (!IsKnownMagic(magic))
                throw new CorruptMessageException($"Log batch at byte {position} is corrupt: unknown magic {magic}; expected 0, 1 or 2.");
            var size = (long)LogOverhead + length;
            var headerSize = HeaderSize(magic);
            if (size < headerSize)
                throw new CorruptMessageException($"Log batch at byte {position} is corrupt: its size {size} is smaller than the V{magic} header size {headerSize}.");
            if (size > remaining.Length) break;
            var batch = remaining[..(int)size];
            var projection = fixedProjection ?? resolve!(BinaryPrimitives.ReadInt16LittleEndian(batch[SchemaIdOffset(magic)..]));
            var budget = count == 0 && minOneBatch ? int.MaxValue : maxBytes - written;
            var n = projection.ProjectBatch(batch, magic, position, output, budget);
            if (n < 0) return new LogProjectionResult(position, written, count, LimitReached: true);
            written += n;
            position += (int)size;
            count++;
        }
        return new LogProjectionResult(position, written, count, LimitReached: false);
    }

    /// <summary>Writes the projection of one batch; returns its size, or -1 when it would exceed <paramref name="budget"/>.</summary>
    private int ProjectBatch(ReadOnlySpan<byte> batch, byte magic, int position, IBufferWriter<byte> output, int budget)
    {
        var headerSize = HeaderSize(magic);
        var recordCount = BinaryPrimitives.ReadInt32LittleEndian(batch[RecordCountOffset(magic)..]);
        if (recordCount == 0 || batch.Length == headerSize)
        {
            if (batch.Length > budget) return -1;
            batch.CopyTo(output.GetSpan(batch.Length));
            output.Advance(batch.Length);
            return batch.Length;
        }
        if (recordCount < 0) throw CorruptBatch(position, $"its record count is {recordCount}");

        var statistics = magic >= MagicV1 ? BinaryPrimitives.ReadInt32LittleEndian(batch[StatisticsLengthOffset(magic)..]) : 0;
        if (statistics < 0 || statistics > batch.Length - headerSize)
            throw CorruptBatch(position, $"its statistics length {statistics} does not fit the {batch.Length - headerSize} bytes after the header");
        var recordsStart = headerSize + statistics;
        var appendOnly = (batch[AttributesOffset(magic)] & AppendOnlyFlagMask) != 0;
        var changeTypes = appendOnly ? 0 : recordCount;
        var arrowStart = (long)recordsStart + changeTypes;
        if (arrowStart + 8 > batch.Length)
            throw CorruptBatch(position, $"its {recordCount} change types and the Arrow message header do not fit the {batch.Length - recordsStart}-byte records section");

        var message = batch[(int)arrowStart..];
        int prefix;
        int metadataLength;
        var first = BinaryPrimitives.ReadInt32LittleEndian(message);
        if (first == -1)
        {
            prefix = 8;
            metadataLength = BinaryPrimitives.ReadInt32LittleEndian(message[4..]);
        }
        else
        {
            prefix = 4;
            metadataLength = first;
        }
        if (metadataLength <= 0 || metadataLength > message.Length - prefix)
            throw CorruptArrow(position, $"the metadata length is {metadataLength} but {message.Length - prefix} bytes follow the length prefix");
        var metadata = message.Slice(prefix, metadataLength);
        var header = IpcRecordBatchHeader.Parse(metadata);
        if (header.NodeCount != _columnCount)
            throw CorruptArrow(position, $"it has {header.NodeCount} field nodes but the schema has {_columnCount} columns");
        if (header.BufferCount != _bufferCount)
            throw CorruptArrow(position, $"it has {header.BufferCount} buffers but the schema's {_columnCount} columns need {_bufferCount}");
        var bodyStart = prefix + metadataLength;
        var bodyLength = header.BodyLength;
        if (bodyLength > message.Length - bodyStart)
            throw CorruptArrow(position, $"its body of {bodyLength} bytes does not fit the {message.Length - bodyStart} bytes after the metadata");
        var body = message.Slice(bodyStart, (int)bodyLength);

        var nodeLongs = _fields.Length * 2;
        var bufferLongs = _selectedBuffers.Length * 2;
        long[]? rented = null;
        Span<long> scratch = nodeLongs + bufferLongs + _selectedBuffers.Length <= StackScratchLongs
            ? stackalloc long[StackScratchLongs]
            : (rented = ArrayPool<long>.Shared.Rent(nodeLongs + bufferLongs + _selectedBuffers.Length));
        try
        {
            var nodes = scratch[..nodeLongs];
            var buffers = scratch.Slice(nodeLongs, bufferLongs);
            var sources = scratch.Slice(nodeLongs + bufferLongs, _selectedBuffers.Length);
            for (var i = 0; i < _fields.Length; i++)
            {
                nodes[2 * i] = IpcRecordBatchHeader.NodeLength(metadata, header, _fields[i]);
                nodes[(2 * i) + 1] = IpcRecordBatchHeader.NodeNullCount(metadata, header, _fields[i]);
            }
            long newBody = 0;
            for (var i = 0; i < _selectedBuffers.Length; i++)
            {
                var index = _selectedBuffers[i];
                var offset = IpcRecordBatchHeader.BufferOffset(metadata, header, index);
                var length = IpcRecordBatchHeader.BufferLength(metadata, header, index);
                var next = index + 1 < _bufferCount ? IpcRecordBatchHeader.BufferOffset(metadata, header, index + 1) : bodyLength;
                if (offset < 0 || next < offset || next > bodyLength || length < 0 || length > next - offset)
                    throw CorruptArrow(position, $"buffer {index} spans [{offset}, {offset}+{length}) but the next buffer starts at {next} of a {bodyLength}-byte body");
                sources[i] = offset;
                buffers[2 * i] = newBody;
                buffers[(2 * i) + 1] = length;
                newBody += next - offset;
            }

            var metadataSize = IpcMetadata.Size(_fields.Length, _selectedBuffers.Length, header.Codec != IpcMetadata.NoCodec);
            var newSize = (long)headerSize + changeTypes + 8 + metadataSize + newBody;
            if (newSize > budget) return -1;
            var size = (int)newSize;

            var destination = output.GetSpan(size)[..size];
            batch[..headerSize].CopyTo(destination);
            BinaryPrimitives.WriteInt32LittleEndian(destination[LengthOffset..], size - LogOverhead);
            if (magic >= MagicV1) BinaryPrimitives.WriteInt32LittleEndian(destination[StatisticsLengthOffset(magic)..], 0);
            var at = headerSize;
            if (changeTypes > 0)
            {
                batch.Slice(recordsStart, changeTypes).CopyTo(destination[at..]);
                at += changeTypes;
            }
            BinaryPrimitives.WriteInt32LittleEndian(destination[at..], -1);
            BinaryPrimitives.WriteInt32LittleEndian(destination[(at + 4)..], metadataSize);
            at += 8;
            IpcMetadata.Write(destination.Slice(at, metadataSize), header.RowCount, nodes, buffers, newBody, header.Codec);
            at += metadataSize;
            for (var i = 0; i < _selectedBuffers.Length; i++)
            {
                var index = _selectedBuffers[i];
                var next = index + 1 < _bufferCount ? IpcRecordBatchHeader.BufferOffset(metadata, header, index + 1) : bodyLength;
                var padded = (int)(next - sources[i]);
                body.Slice((int)sources[i], padded).CopyTo(destination[at..]);
                at += padded;
            }
            var crc = Crc32C.Compute(destination[SchemaIdOffset(magic)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcOffset(magic)..], crc);
            output.Advance(size);
            return size;
        }
        finally
        {
            if (rented is not null) ArrayPool<long>.Shared.Return(rented);
        }
    }

    private static CorruptMessageException CorruptBatch(int position, string what) =>
        new($"Log batch at byte {position} is corrupt: {what}.");

    private static CorruptRecordException CorruptArrow(int position, string what) =>
        new($"The Arrow record batch of the log batch at byte {position} cannot be projected: {what}.");
}

/// <summary>
/// A bounded, thread-safe cache of <see cref="LogProjection"/>s by table id, schema id and projected fields, so a
/// tablet server prepares each projection once. When full, the cache is cleared and refilled.
/// </summary>
public sealed class LogProjectionCache
{
    private readonly ConcurrentDictionary<Key, LogProjection> _projections = new(KeyComparer.Instance);
    private readonly int _capacity;

    public LogProjectionCache(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _projections.Count;

    /// <summary>The projection of a table schema, created with <paramref name="rowType"/> on first use.</summary>
    /// <exception cref="FlussException">INVALID_COLUMN_PROJECTION (34) for an invalid projection.</exception>
    public LogProjection GetOrCreate(long tableId, short schemaId, RowType rowType, IReadOnlyList<int> projectedFields)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        ArgumentNullException.ThrowIfNull(projectedFields);
        var probe = new Key(tableId, schemaId, projectedFields);
        if (_projections.TryGetValue(probe, out var cached)) return cached;
        var created = new LogProjection(rowType, projectedFields);
        if (_projections.Count >= _capacity) _projections.Clear();
        return _projections.GetOrAdd(new Key(tableId, schemaId, created.ProjectedFields), created);
    }

    private readonly record struct Key(long TableId, short SchemaId, IReadOnlyList<int> Fields);

    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y)
        {
            if (x.TableId != y.TableId || x.SchemaId != y.SchemaId || x.Fields.Count != y.Fields.Count) return false;
            for (var i = 0; i < x.Fields.Count; i++)
                if (x.Fields[i] != y.Fields[i]) return false;
            return true;
        }

        public int GetHashCode(Key key)
        {
            var hash = new HashCode();
            hash.Add(key.TableId);
            hash.Add(key.SchemaId);
            for (var i = 0; i < key.Fields.Count; i++) hash.Add(key.Fields[i]);
            return hash.ToHashCode();
        }
    }
}
