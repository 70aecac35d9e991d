using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fluss.Rows;
using Fluss.Types;
using ParquetSharp;
using ParquetSharp.IO;
using ParquetSharp.Schema;

namespace Fluss.Lake.Paimon.Data;

/// <summary>One column of a data file: a table column read from a <see cref="RowSource"/>, or a synthetic one.</summary>
internal sealed class OutColumn
{
    public required string Name { get; init; }
    public required int FieldId { get; init; }
    public required DataType Type { get; init; }

    /// <summary>The source column, or -1 for a synthetic column given by <see cref="Longs"/> or <see cref="Bytes"/>.</summary>
    public int SourceColumn { get; init; } = -1;

    /// <summary>Values of a synthetic BIGINT column, one per selected row.</summary>
    public long[]? Longs { get; init; }

    /// <summary>Values of a synthetic TINYINT column, one per selected row.</summary>
    public sbyte[]? Bytes { get; init; }

    public bool CollectStats { get; init; }
}

/// <summary>Min, max (boxed internal values, null = unknown) and exact null count of one column of one file.</summary>
internal readonly record struct ColumnStats(object? Min, object? Max, long NullCount);

/// <summary>
/// Writes Paimon data files in Parquet (zstd, one row group per million rows, root <c>paimon_schema</c>, Paimon's
/// type mapping and field ids) from selected rows of a <see cref="RowSource"/>, and computes column statistics.
/// </summary>
internal static class ParquetDataWriter
{
    /// <summary>
    /// Rows per row group: DuckDB's own row-group size, so a scan of lake files parallelizes and prunes as well as a
    /// scan of files DuckDB wrote (1M-row groups made aggregates over the lake about 3x slower).
    /// </summary>
    private const int RowGroupRows = 122_880;
    private const int StatsTruncateLength = 16;

    /// <summary>Writes the file and returns the statistics of the columns with <see cref="OutColumn.CollectStats"/>, by column.</summary>
    public static ColumnStats?[] Write(Stream output, RowSource source, int[] selection, IReadOnlyList<OutColumn> columns)
    {
        var nodes = columns.Select(c => (Node)ParquetTypes.Node(c.Name, c.FieldId, c.Type)).ToArray();
        using var schema = new GroupNode("paimon_schema", Repetition.Required, nodes);
        using var props = new WriterPropertiesBuilder().Compression(Compression.Zstd).Build();
        var stats = new ColumnStats?[columns.Count];
        var trackers = columns.Select(c => c.CollectStats ? new StatsTracker() : null).ToArray();
        using (var writer = new ParquetFileWriter(output, schema, props, null, leaveOpen: true))
        {
            for (var start = 0; start < selection.Length || start == 0; start += RowGroupRows)
            {
                var count = Math.Min(RowGroupRows, selection.Length - start);
                using var rowGroup = writer.AppendRowGroup();
                for (var c = 0; c < columns.Count; c++)
                {
                    using var column = rowGroup.NextColumn();
                    WriteColumn(column, source, selection.AsSpan(start, count), start, columns[c], trackers[c]);
                }
                if (selection.Length == 0) break;
            }
            writer.Close();
        }
        for (var c = 0; c < columns.Count; c++)
        {
            if (trackers[c] is { } t) stats[c] = t.Finish(source, columns[c]);
        }
        return stats;
    }

    private static void WriteColumn(ColumnWriter writer, RowSource src, ReadOnlySpan<int> rows, int offset, OutColumn col, StatsTracker? stats)
    {
        if (TryWriteRange(writer, src, rows, col, stats)) return;
        var n = rows.Length;
        var type = col.Type;
        var optional = type.IsNullable;
        var defs = optional ? ArrayPool<short>.Shared.Rent(Math.Max(1, n)) : null;
        var nonNull = 0;
        var c = col.SourceColumn;
        try
        {
            if (optional)
            {
                for (var i = 0; i < n; i++)
                {
                    var isNull = c >= 0 && src.IsNull(rows[i], c);
                    defs![i] = isNull ? (short)0 : (short)1;
                    if (isNull) stats?.AddNull();
                    else nonNull++;
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    if (c >= 0 && src.IsNull(rows[i], c))
                        throw new ArgumentException($"Column '{col.Name}' is {type} but row {rows[i]} holds null.");
                }
                nonNull = n;
            }
            ReadOnlySpan<short> defSpan = optional ? defs.AsSpan(0, n) : default;
            switch (ParquetTypes.KindOf(type))
            {
                case PhysicalKind.Boolean:
                    {
                        var values = ArrayPool<bool>.Shared.Rent(Math.Max(1, nonNull));
                        try
                        {
                            var k = 0;
                            for (var i = 0; i < n; i++)
                            {
                                if (optional && defs![i] == 0) continue;
                                var v = src.GetBoolean(rows[i], c);
                                stats?.Offer(rows[i], v ? 1 : 0);
                                values[k++] = v;
                            }
                            Write((ColumnWriter<bool>)writer, n, defSpan, values.AsSpan(0, nonNull));
                        }
                        finally
                        {
                            ArrayPool<bool>.Shared.Return(values);
                        }
                        break;
                    }
                case PhysicalKind.Int32:
                    {
                        var values = ArrayPool<int>.Shared.Rent(Math.Max(1, nonNull));
                        try
                        {
                            var k = 0;
                            for (var i = 0; i < n; i++)
                            {
                                if (optional && defs![i] == 0) continue;
                                int v;
                                if (c < 0) v = col.Bytes![offset + i];
                                else
                                {
                                    var g = rows[i];
                                    v = type switch
                                    {
                                        TinyIntType => src.GetByte(g, c),
                                        SmallIntType => src.GetShort(g, c),
                                        DecimalType d => (int)src.GetDecimal(g, c, d.Precision, d.Scale).UnscaledLong,
                                        _ => src.GetInt(g, c),
                                    };
                                }
                                stats?.Offer(rows[i], v);
                                values[k++] = v;
                            }
                            Write((ColumnWriter<int>)writer, n, defSpan, values.AsSpan(0, nonNull));
                        }
                        finally
                        {
                            ArrayPool<int>.Shared.Return(values);
                        }
                        break;
                    }
                case PhysicalKind.Int64:
                    {
                        var values = ArrayPool<long>.Shared.Rent(Math.Max(1, nonNull));
                        try
                        {
                            var k = 0;
                            for (var i = 0; i < n; i++)
                            {
                                if (optional && defs![i] == 0) continue;
                                long v;
                                if (c < 0) v = col.Longs![offset + i];
                                else
                                {
                                    var g = rows[i];
                                    v = type switch
                                    {
                                        BigIntType => src.GetLong(g, c),
                                        DecimalType d => src.GetDecimal(g, c, d.Precision, d.Scale).UnscaledLong,
                                        TimestampType t => TimestampValue(src.GetTimestampNtz(g, c) is var ts ? (ts.Millisecond, ts.NanoOfMillisecond) : default, t.Precision),
                                        LocalZonedTimestampType t => TimestampValue(src.GetTimestampLtz(g, c) is var ts ? (ts.EpochMillisecond, ts.NanoOfMillisecond) : default, t.Precision),
                                        _ => throw new InvalidOperationException($"No INT64 encoding for {type}."),
                                    };
                                }
                                stats?.Offer(rows[i], v);
                                values[k++] = v;
                            }
                            Write((ColumnWriter<long>)writer, n, defSpan, values.AsSpan(0, nonNull));
                        }
                        finally
                        {
                            ArrayPool<long>.Shared.Return(values);
                        }
                        break;
                    }
                case PhysicalKind.Float:
                    {
                        var values = ArrayPool<float>.Shared.Rent(Math.Max(1, nonNull));
                        try
                        {
                            var k = 0;
                            for (var i = 0; i < n; i++)
                            {
                                if (optional && defs![i] == 0) continue;
                                var v = src.GetFloat(rows[i], c);
                                stats?.Offer(rows[i], v);
                                values[k++] = v;
                            }
                            Write((ColumnWriter<float>)writer, n, defSpan, values.AsSpan(0, nonNull));
                        }
                        finally
                        {
                            ArrayPool<float>.Shared.Return(values);
                        }
                        break;
                    }
                case PhysicalKind.Double:
                    {
                        var values = ArrayPool<double>.Shared.Rent(Math.Max(1, nonNull));
                        try
                        {
                            var k = 0;
                            for (var i = 0; i < n; i++)
                            {
                                if (optional && defs![i] == 0) continue;
                                var v = src.GetDouble(rows[i], c);
                                stats?.Offer(rows[i], v);
                                values[k++] = v;
                            }
                            Write((ColumnWriter<double>)writer, n, defSpan, values.AsSpan(0, nonNull));
                        }
                        finally
                        {
                            ArrayPool<double>.Shared.Return(values);
                        }
                        break;
                    }
                case PhysicalKind.ByteArray:
                    WriteByteArrays((ColumnWriter<ByteArray>)writer, src, rows, c, optional ? defs : null, n, nonNull, defSpan, stats, type is CharType or StringType);
                    break;
                case PhysicalKind.FixedLenByteArray:
                    {
                        var d = (DecimalType)type;
                        var width = ParquetTypes.DecimalBytes(d.Precision);
                        var arena = new byte[Math.Max(1, nonNull * width)];
                        var k = 0;
                        for (var i = 0; i < n; i++)
                        {
                            if (optional && defs![i] == 0) continue;
                            var value = src.GetDecimal(rows[i], c, d.Precision, d.Scale);
                            WriteBigEndianFixed(value.UnscaledValue, arena.AsSpan(k * width, width));
                            stats?.OfferDecimal(rows[i], value.UnscaledValue);
                            k++;
                        }
                        var handle = GCHandle.Alloc(arena, GCHandleType.Pinned);
                        try
                        {
                            var basePtr = handle.AddrOfPinnedObject();
                            var values = new FixedLenByteArray[nonNull];
                            for (var j = 0; j < nonNull; j++) values[j] = new FixedLenByteArray(basePtr + j * width);
                            Write((ColumnWriter<FixedLenByteArray>)writer, n, defSpan, values);
                        }
                        finally
                        {
                            handle.Free();
                        }
                        break;
                    }
                case PhysicalKind.Int96:
                    {
                        var values = new Int96[nonNull];
                        var k = 0;
                        for (var i = 0; i < n; i++)
                        {
                            if (optional && defs![i] == 0) continue;
                            var (millis, nanos) = type is TimestampType
                                ? (src.GetTimestampNtz(rows[i], c).Millisecond, src.GetTimestampNtz(rows[i], c).NanoOfMillisecond)
                                : (src.GetTimestampLtz(rows[i], c).EpochMillisecond, src.GetTimestampLtz(rows[i], c).NanoOfMillisecond);
                            stats?.OfferTimestamp(rows[i], millis, nanos);
                            values[k++] = ParquetTypes.ToInt96(millis, nanos);
                        }
                        Write((ColumnWriter<Int96>)writer, n, defSpan, values);
                        break;
                    }
            }
        }
        finally
        {
            if (defs is not null) ArrayPool<short>.Shared.Return(defs);
        }
    }

    private static long TimestampValue((long Millis, int Nanos) ts, int precision) =>
        precision <= 3 ? ts.Millis : checked(ts.Millis * 1000 + ts.Nanos / 1000);

    /// <summary>
    /// Writes a column of consecutive source rows (the rows of an append file, in source order) straight from the
    /// Arrow buffers, batch by batch: fixed-width values are copied span by span and strings are handed to Parquet
    /// where they lie, instead of value by value through the row source. Returns false for the columns it does not
    /// cover (synthetic columns, non-consecutive rows, types that need converting), which take the general path.
    /// </summary>
    private static unsafe bool TryWriteRange(ColumnWriter writer, RowSource src, ReadOnlySpan<int> rows, OutColumn col, StatsTracker? stats)
    {
        var c = col.SourceColumn;
        var type = col.Type;
        var kind = type switch
        {
            IntType or DateType => PhysicalKind.Int32,
            BigIntType => PhysicalKind.Int64,
            FloatType => PhysicalKind.Float,
            DoubleType => PhysicalKind.Double,
            CharType or StringType or BytesType => PhysicalKind.ByteArray,
            _ => PhysicalKind.Boolean,
        };
        if (c < 0 || kind == PhysicalKind.Boolean || !RowSource.IsContiguous(rows)) return false;

        var n = rows.Length;
        var first = rows[0];
        var segments = src.Segments(first, n, c);
        var optional = type.IsNullable;
        var defs = optional ? ArrayPool<short>.Shared.Rent(n) : null;
        try
        {
            var nonNull = 0;
            var d = 0;
            var g = first;
            foreach (var (data, row, count) in segments)
            {
                var nulls = data.GetNullCount() > 0;
                var validity = nulls ? data.Buffers[0].Span : default;
                for (var i = 0; i < count; i++, d++, g++)
                {
                    var valid = !nulls || IsValid(validity, data.Offset + row + i);
                    if (!valid)
                    {
                        if (!optional) throw new ArgumentException($"Column '{col.Name}' is {type} but row {g} holds null.");
                        stats?.AddNull();
                    }
                    else nonNull++;
                    if (defs is not null) defs[d] = valid ? (short)1 : (short)0;
                }
            }
            ReadOnlySpan<short> defSpan = defs is null ? default : defs.AsSpan(0, n);
            switch (kind)
            {
                case PhysicalKind.Int32:
                    WriteFixed((ColumnWriter<int>)writer, segments, first, n, nonNull, defSpan, stats);
                    break;
                case PhysicalKind.Int64:
                    WriteFixed((ColumnWriter<long>)writer, segments, first, n, nonNull, defSpan, stats);
                    break;
                case PhysicalKind.Float:
                    WriteFixed((ColumnWriter<float>)writer, segments, first, n, nonNull, defSpan, stats);
                    break;
                default:
                    if (kind == PhysicalKind.Double)
                        WriteFixed((ColumnWriter<double>)writer, segments, first, n, nonNull, defSpan, stats);
                    else
                        WriteBytesInPlace((ColumnWriter<ByteArray>)writer, segments, first, n, nonNull, defSpan, stats, type is CharType or StringType);
                    break;
            }
            return true;
        }
        finally
        {
            if (defs is not null) ArrayPool<short>.Shared.Return(defs);
        }
    }

    /// <summary>Copies the non-null fixed-width values of the segments into one pooled array and writes it.</summary>
    private static void WriteFixed<T>(ColumnWriter<T> writer, List<(Apache.Arrow.ArrayData Data, int Row, int Count)> segments, int first, int n, int nonNull,
        ReadOnlySpan<short> defs, StatsTracker? stats) where T : unmanaged
    {
        var values = ArrayPool<T>.Shared.Rent(Math.Max(1, nonNull));
        try
        {
            var k = 0;
            var g = first;
            foreach (var (data, row, count) in segments)
            {
                var source = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset + row, count);
                if (data.GetNullCount() == 0)
                {
                    source.CopyTo(values.AsSpan(k));
                    if (stats is not null)
                        for (var i = 0; i < count; i++) Offer(stats, g + i, source[i]);
                    k += count;
                }
                else
                {
                    var validity = data.Buffers[0].Span;
                    for (var i = 0; i < count; i++)
                    {
                        if (!IsValid(validity, data.Offset + row + i)) continue;
                        if (stats is not null) Offer(stats, g + i, source[i]);
                        values[k++] = source[i];
                    }
                }
                g += count;
            }
            Write(writer, n, defs, values.AsSpan(0, nonNull));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(values);
        }
    }

    /// <summary>Offers a value to the statistics as the value-by-value path does (integers as long, floats as double).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Offer<T>(StatsTracker stats, int row, T value) where T : unmanaged
    {
        if (typeof(T) == typeof(int)) stats.Offer(row, (long)System.Runtime.CompilerServices.Unsafe.As<T, int>(ref value));
        else if (typeof(T) == typeof(long)) stats.Offer(row, System.Runtime.CompilerServices.Unsafe.As<T, long>(ref value));
        else if (typeof(T) == typeof(float)) stats.Offer(row, (double)System.Runtime.CompilerServices.Unsafe.As<T, float>(ref value));
        else if (typeof(T) == typeof(double)) stats.Offer(row, System.Runtime.CompilerServices.Unsafe.As<T, double>(ref value));
        else throw new NotSupportedException($"No statistics for {typeof(T)} values.");
    }

    /// <summary>Whether bit <paramref name="index"/> of an Arrow validity bitmap (LSB first) is set.</summary>
    private static bool IsValid(ReadOnlySpan<byte> bitmap, int index) => (bitmap[index >> 3] & (1 << (index & 7))) != 0;

    /// <summary>Writes strings or binaries of the segments pointing into their Arrow data buffers (pinned meanwhile).</summary>
    private static unsafe void WriteBytesInPlace(ColumnWriter<ByteArray> writer, List<(Apache.Arrow.ArrayData Data, int Row, int Count)> segments, int first, int n,
        int nonNull, ReadOnlySpan<short> defs, StatsTracker? stats, bool isString)
    {
        var values = ArrayPool<ByteArray>.Shared.Rent(Math.Max(1, nonNull));
        var pins = new List<MemoryHandle>(segments.Count);
        try
        {
            var k = 0;
            var g = first;
            if (!isString) stats?.Unknown();
            foreach (var (data, row, count) in segments)
            {
                var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
                var bytes = data.Buffers[2].Memory;
                var pin = bytes.Pin();
                pins.Add(pin);
                var basePtr = (byte*)pin.Pointer;
                var hasNulls = data.GetNullCount() > 0;
                var validity = hasNulls ? data.Buffers[0].Span : default;
                for (var i = 0; i < count; i++)
                {
                    var r = data.Offset + row + i;
                    if (hasNulls && !IsValid(validity, r)) continue;
                    var start = offsets[r];
                    var length = offsets[r + 1] - start;
                    values[k++] = new ByteArray((IntPtr)(basePtr + start), length);
                    if (isString && stats is not null) stats.OfferBytes(g + i, bytes.Span.Slice(start, length));
                }
                g += count;
            }
            Write(writer, n, defs, values.AsSpan(0, nonNull));
        }
        finally
        {
            foreach (var pin in pins) pin.Dispose();
            ArrayPool<ByteArray>.Shared.Return(values);
        }
    }

    private static void WriteByteArrays(ColumnWriter<ByteArray> writer, RowSource src, ReadOnlySpan<int> rows, int c, short[]? defs, int n, int nonNull,
        ReadOnlySpan<short> defSpan, StatsTracker? stats, bool isString)
    {
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            if (defs is not null && defs[i] == 0) continue;
            total += src.GetBytes(rows[i], c).Length;
        }
        if (total > int.MaxValue) throw new ArgumentException("A data file column holds more than 2 GiB of string or binary data; write smaller files.");
        var arena = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, total));
        var lengths = ArrayPool<int>.Shared.Rent(Math.Max(1, nonNull));
        try
        {
            var pos = 0;
            var k = 0;
            for (var i = 0; i < n; i++)
            {
                if (defs is not null && defs[i] == 0) continue;
                var bytes = src.GetBytes(rows[i], c);
                bytes.CopyTo(arena.AsSpan(pos));
                if (isString) stats?.OfferBytes(rows[i], arena.AsSpan(pos, bytes.Length));
                else stats?.Unknown();
                lengths[k++] = bytes.Length;
                pos += bytes.Length;
            }
            var handle = GCHandle.Alloc(arena, GCHandleType.Pinned);
            var values = ArrayPool<ByteArray>.Shared.Rent(Math.Max(1, nonNull));
            try
            {
                var basePtr = handle.AddrOfPinnedObject();
                var off = 0;
                for (var j = 0; j < nonNull; j++)
                {
                    values[j] = new ByteArray(basePtr + off, lengths[j]);
                    off += lengths[j];
                }
                Write(writer, n, defSpan, values.AsSpan(0, nonNull));
            }
            finally
            {
                handle.Free();
                ArrayPool<ByteArray>.Shared.Return(values);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(arena);
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    private static void Write<T>(ColumnWriter<T> writer, int n, ReadOnlySpan<short> defs, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (defs.IsEmpty) writer.WriteBatch(n, default, default, values);
        else writer.WriteBatch(n, defs, default, values);
    }

    /// <summary>Writes a two's-complement big-endian value sign-extended to the whole destination.</summary>
    internal static void WriteBigEndianFixed(System.Numerics.BigInteger value, Span<byte> destination)
    {
        var count = value.GetByteCount(isUnsigned: false);
        if (count > destination.Length) throw new ArgumentException($"Decimal unscaled value {value} needs {count} bytes; the column holds {destination.Length}.");
        destination.Fill(value.Sign < 0 ? (byte)0xFF : (byte)0);
        value.TryWriteBytes(destination[(destination.Length - count)..], out _, isUnsigned: false, isBigEndian: true);
    }

    /// <summary>Tracks the rows holding a column's minimum and maximum, and its null count.</summary>
    private sealed class StatsTracker
    {
        private long _nulls;
        private bool _unknown;
        private int _minRow = -1;
        private int _maxRow = -1;
        private long _minL, _maxL;
        private double _minD, _maxD;
        private byte[]? _minB, _maxB;
        private System.Numerics.BigInteger _minBig, _maxBig;
        private int _minNanos, _maxNanos;

        public void AddNull() => _nulls++;

        public void Unknown() => _unknown = true;

        public void Offer(int row, long v)
        {
            if (_minRow < 0 || v < _minL) { _minL = v; _minRow = row; }
            if (_maxRow < 0 || v > _maxL) { _maxL = v; _maxRow = row; }
        }

        public void Offer(int row, double v)
        {
            if (double.IsNaN(v)) { _unknown = true; return; }
            if (_minRow < 0 || v < _minD) { _minD = v; _minRow = row; }
            if (_maxRow < 0 || v > _maxD) { _maxD = v; _maxRow = row; }
        }

        public void OfferBytes(int row, ReadOnlySpan<byte> v)
        {
            if (_minRow < 0 || v.SequenceCompareTo(_minB) < 0) { _minB = v.ToArray(); _minRow = row; }
            if (_maxRow < 0 || v.SequenceCompareTo(_maxB) > 0) { _maxB = v.ToArray(); _maxRow = row; }
        }

        public void OfferDecimal(int row, System.Numerics.BigInteger v)
        {
            if (_minRow < 0 || v < _minBig) { _minBig = v; _minRow = row; }
            if (_maxRow < 0 || v > _maxBig) { _maxBig = v; _maxRow = row; }
        }

        public void OfferTimestamp(int row, long millis, int nanos)
        {
            if (_minRow < 0 || millis < _minL || (millis == _minL && nanos < _minNanos)) { _minL = millis; _minNanos = nanos; _minRow = row; }
            if (_maxRow < 0 || millis > _maxL || (millis == _maxL && nanos > _maxNanos)) { _maxL = millis; _maxNanos = nanos; _maxRow = row; }
        }

        public ColumnStats Finish(RowSource src, OutColumn col)
        {
            if (_unknown || _minRow < 0 || col.SourceColumn < 0) return new ColumnStats(null, null, _nulls);
            var min = src.Get(_minRow, col.SourceColumn);
            var max = src.Get(_maxRow, col.SourceColumn);
            if (min is string smin)
            {
                min = TruncateMin(smin);
                max = TruncateMax((string)max!);
            }
            return new ColumnStats(min, max, _nulls);
        }

        private static string TruncateMin(string s) => CodePoints(s) <= StatsTruncateLength ? s : Prefix(s, StatsTruncateLength);

        /// <summary>A prefix with its last code point incremented: still an upper bound; null if none fits.</summary>
        private static string? TruncateMax(string s)
        {
            if (CodePoints(s) <= StatsTruncateLength) return s;
            var prefix = Prefix(s, StatsTruncateLength);
            var runes = prefix.EnumerateRunes().ToList();
            for (var i = runes.Count - 1; i >= 0; i--)
            {
                var next = runes[i].Value + 1;
                if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;
                if (next > 0x10FFFF) continue;
                var sb = new System.Text.StringBuilder();
                for (var j = 0; j < i; j++) sb.Append(runes[j].ToString());
                sb.Append(new System.Text.Rune(next).ToString());
                return sb.ToString();
            }
            return null;
        }

        private static int CodePoints(string s)
        {
            var n = 0;
            foreach (var _ in s.EnumerateRunes()) n++;
            return n;
        }

        private static string Prefix(string s, int codePoints)
        {
            var sb = new System.Text.StringBuilder();
            var n = 0;
            foreach (var r in s.EnumerateRunes())
            {
                if (n++ == codePoints) break;
                sb.Append(r.ToString());
            }
            return sb.ToString();
        }
    }
}
