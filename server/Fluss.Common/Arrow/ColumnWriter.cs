using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Fluss.Rows;
using Fluss.Types;
using AT = Apache.Arrow.Types;

namespace Fluss.Arrow;

/// <summary>
/// Accumulates the Arrow buffers of one column. Values are converted from Fluss's internal representation exactly
/// as Fluss's Java Arrow writers do (TIME and TIMESTAMP scaled to the Arrow unit, DECIMAL as 16-byte two's
/// complement). Buffers are pooled and kept across <see cref="Clear"/>.
/// </summary>
internal sealed class ColumnWriter : IDisposable
{
    private static readonly long[] LongPowersOfTen = BuildLongPowers();
    private static readonly BigInteger[] BigPowersOfTen = Enumerable.Range(0, 39).Select(i => BigInteger.Pow(10, i)).ToArray();

    private readonly PooledBuffer _validity = new();
    private readonly PooledBuffer _values = new();
    private readonly PooledBuffer? _data;

    // The validity bitmap is written only once the column has had a null: until then every value is valid and the
    // IPC body carries no validity buffer, so the common all-valid column skips a bitmap write per value.
    private bool _hasValidity;

    public ColumnWriter(string name, DataType type)
    {
        Name = name;
        FlussType = type;
        ArrowType = ArrowSchemas.ToArrowType(type);
        Kind = ColumnKinds.Get(ArrowType, out var width);
        ByteWidth = width;
        IsNullable = type.IsNullable;
        IsLocalZoned = type is LocalZonedTimestampType;
        switch (type)
        {
            case DecimalType d: Precision = d.Precision; Scale = d.Scale; break;
            case TimestampType t: Precision = t.Precision; break;
            case LocalZonedTimestampType t: Precision = t.Precision; break;
            case TimeType t: Precision = t.Precision; break;
        }
        if (Kind.IsVariableWidth())
        {
            _data = new PooledBuffer();
            WriteOffset(0);
        }
    }

    public string Name { get; }
    public DataType FlussType { get; }
    public AT.IArrowType ArrowType { get; }
    public ColumnKind Kind { get; }
    public int ByteWidth { get; }
    public bool IsNullable { get; }
    public bool IsLocalZoned { get; }
    public int Precision { get; }
    public int Scale { get; }
    public int Count { get; private set; }
    public int NullCount { get; private set; }

    /// <summary>Bytes this column adds to an uncompressed IPC body (each buffer padded to 8 bytes).</summary>
    public long BodySize =>
        (NullCount > 0 ? Align8(_validity.Length) : 0) + Align8(_values.Length) + (_data is null ? 0 : Align8(_data.Length));

    public IpcColumn ToIpcColumn() => new(
        Kind,
        Count,
        NullCount,
        NullCount > 0 ? _validity.WrittenMemory : ReadOnlyMemory<byte>.Empty,
        _values.WrittenMemory,
        _data?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty);

    public void Clear()
    {
        _validity.Clear();
        _hasValidity = false;
        _values.Clear();
        Count = 0;
        NullCount = 0;
        if (_data is not null)
        {
            _data.Clear();
            WriteOffset(0);
        }
    }

    public void Dispose()
    {
        _validity.Dispose();
        _values.Dispose();
        _data?.Dispose();
    }

    public void AppendNull()
    {
        if (!IsNullable)
            throw new ArgumentException($"Column '{Name}' is {FlussType} but the row has a null value there.");
        switch (Kind)
        {
            case ColumnKind.Boolean:
                Bitmaps.Append(_values, Count, false);
                break;
            case ColumnKind.Utf8 or ColumnKind.Binary:
                WriteOffset(_data!.Length);
                break;
            default:
                _values.WriteZeros(ByteWidth);
                break;
        }
        MaterializeValidity();
        Bitmaps.Append(_validity, Count, false);
        NullCount++;
        Count++;
    }

    /// <summary>Writes the validity bits of the values so far (all valid) before the first null is recorded.</summary>
    private void MaterializeValidity()
    {
        if (_hasValidity) return;
        Bitmaps.AppendOnes(_validity, 0, Count);
        _hasValidity = true;
    }

    /// <summary>Appends field <paramref name="pos"/> of <paramref name="row"/>, reading it by this column's Fluss type.</summary>
    public void AppendFrom<TRow>(TRow row, int pos) where TRow : IRow
    {
        if (row.IsNullAt(pos))
        {
            AppendNull();
            return;
        }
        switch (Kind)
        {
            case ColumnKind.Boolean:
                Bitmaps.Append(_values, Count, row.GetBoolean(pos));
                break;
            case ColumnKind.Int8:
                _values.GetSpan(1)[0] = (byte)row.GetByte(pos);
                _values.Advance(1);
                break;
            case ColumnKind.Int16:
                WriteInt16(row.GetShort(pos));
                break;
            case ColumnKind.Int32 or ColumnKind.Date32 or ColumnKind.Time32Milli:
                WriteInt32(row.GetInt(pos));
                break;
            case ColumnKind.Time32Second:
                WriteInt32(row.GetInt(pos) / 1000);
                break;
            case ColumnKind.Time64Micro:
                WriteInt64(row.GetInt(pos) * 1000L);
                break;
            case ColumnKind.Time64Nano:
                WriteInt64(row.GetInt(pos) * 1_000_000L);
                break;
            case ColumnKind.Int64:
                WriteInt64(row.GetLong(pos));
                break;
            case ColumnKind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(_values.GetSpan(4), row.GetFloat(pos));
                _values.Advance(4);
                break;
            case ColumnKind.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(_values.GetSpan(8), row.GetDouble(pos));
                _values.Advance(8);
                break;
            case ColumnKind.TimestampSecond or ColumnKind.TimestampMilli or ColumnKind.TimestampMicro or ColumnKind.TimestampNano:
                long millis;
                int nanos;
                if (IsLocalZoned)
                {
                    var ltz = row.GetTimestampLtz(pos, Precision);
                    (millis, nanos) = (ltz.EpochMillisecond, ltz.NanoOfMillisecond);
                }
                else
                {
                    var ntz = row.GetTimestampNtz(pos, Precision);
                    (millis, nanos) = (ntz.Millisecond, ntz.NanoOfMillisecond);
                }
                WriteInt64(ToTimestampUnit(millis, nanos));
                break;
            case ColumnKind.Decimal128:
                WriteDecimal(row.GetDecimal(pos, Precision, Scale));
                break;
            case ColumnKind.FixedSizeBinary:
                var fixedBytes = row.GetBinary(pos);
                if (fixedBytes.Length != ByteWidth)
                    throw new ArgumentException($"Column '{Name}' is {FlussType} and needs exactly {ByteWidth} bytes, but the value has {fixedBytes.Length}.");
                _values.Write(fixedBytes);
                break;
            case ColumnKind.Utf8:
                AppendUtf8(row.GetString(pos));
                break;
            case ColumnKind.Binary:
                AppendVariable(row.GetBinary(pos));
                break;
            default:
                throw new InvalidOperationException($"Unexpected column kind {Kind}.");
        }
        if (_hasValidity) Bitmaps.Append(_validity, Count, true);
        Count++;
    }

    /// <summary>Undoes the last append (used to keep all columns aligned when a row fails half way).</summary>
    public void RemoveLast()
    {
        if (Count == 0) return;
        var last = Count - 1;
        var wasNull = _hasValidity && !Bitmaps.Get(_validity.WrittenSpan, last);
        if (_hasValidity) Bitmaps.RemoveLast(_validity, Count);
        switch (Kind)
        {
            case ColumnKind.Boolean:
                Bitmaps.RemoveLast(_values, Count);
                break;
            case ColumnKind.Utf8 or ColumnKind.Binary:
                _values.SetLength(_values.Length - 4);
                _data!.SetLength(BinaryPrimitives.ReadInt32LittleEndian(_values.WrittenSpan[^4..]));
                break;
            default:
                _values.SetLength(_values.Length - ByteWidth);
                break;
        }
        if (wasNull) NullCount--;
        Count = last;
    }

    /// <summary>Appends the rows of a whole Arrow column (already checked to have this column's layout).</summary>
    public void AppendArray(Apache.Arrow.ArrayData source)
    {
        var length = source.Length;
        if (length == 0) return;
        var offset = source.Offset;
        var nulls = source.GetNullCount();
        var validity = source.Buffers.Length > 0 ? source.Buffers[0].Span : default;
        if (nulls > 0 && !IsNullable)
            throw new ArgumentException($"Column '{Name}' is {FlussType} but the appended column has {nulls} null values.");
        if (nulls > 0) MaterializeValidity();
        if (_hasValidity)
        {
            if (nulls > 0 && !validity.IsEmpty) Bitmaps.AppendBits(_validity, Count, validity, offset, length);
            else Bitmaps.AppendOnes(_validity, Count, length);
        }

        var values = source.Buffers[1].Span;
        switch (Kind)
        {
            case ColumnKind.Boolean:
                Bitmaps.AppendBits(_values, Count, values, offset, length);
                break;
            case ColumnKind.Utf8 or ColumnKind.Binary:
                var srcOffsets = values.Slice(offset * 4, (length + 1) * 4);
                var start = BinaryPrimitives.ReadInt32LittleEndian(srcOffsets);
                var end = BinaryPrimitives.ReadInt32LittleEndian(srcOffsets[(length * 4)..]);
                var baseOffset = _data!.Length;
                var dst = _values.GetSpan(length * 4);
                for (var i = 1; i <= length; i++)
                {
                    var o = BinaryPrimitives.ReadInt32LittleEndian(srcOffsets[(i * 4)..]);
                    BinaryPrimitives.WriteInt32LittleEndian(dst[((i - 1) * 4)..], checked(baseOffset + (o - start)));
                }
                _values.Advance(length * 4);
                _data.Write(source.Buffers[2].Span[start..end]);
                break;
            default:
                _values.Write(values.Slice(checked(offset * ByteWidth), checked(length * ByteWidth)));
                break;
        }
        NullCount += nulls;
        Count += length;
    }

    private long ToTimestampUnit(long millis, int nanoOfMilli)
    {
        try
        {
            return Kind switch
            {
                ColumnKind.TimestampSecond => millis / 1000,
                ColumnKind.TimestampMilli => millis,
                ColumnKind.TimestampMicro => checked((millis * 1000) + (nanoOfMilli / 1000)),
                _ => checked((millis * 1_000_000) + nanoOfMilli),
            };
        }
        catch (OverflowException)
        {
            var range = Kind == ColumnKind.TimestampNano ? "1677-09-21 to 2262-04-11" : "-290308 to 294247";
            throw new ArgumentOutOfRangeException(
                nameof(millis),
                $"Column '{Name}' is {FlussType}; the value {TimeText.FormatTimestamp(millis, nanoOfMilli, 9)} does not fit the Arrow {(Kind == ColumnKind.TimestampNano ? "nanosecond" : "microsecond")} timestamp range ({range}).");
        }
    }

    private void WriteDecimal(FlussDecimal value)
    {
        if (value.Scale != Scale)
            throw new ArgumentException($"Column '{Name}' is {FlussType} but the value {value} has scale {value.Scale}.");
        var dst = _values.GetSpan(16);
        if (value.IsCompact)
        {
            var v = value.UnscaledLong;
            if (Precision <= DecimalType.MaxCompactPrecision && (v >= LongPowersOfTen[Precision] || v <= -LongPowersOfTen[Precision]))
                throw Overflow(value);
            BinaryPrimitives.WriteInt64LittleEndian(dst, v);
            BinaryPrimitives.WriteInt64LittleEndian(dst[8..], v < 0 ? -1L : 0L);
        }
        else
        {
            var u = value.UnscaledValue;
            if (BigInteger.Abs(u) >= BigPowersOfTen[Precision]) throw Overflow(value);
            if (!u.TryWriteBytes(dst[..16], out var written, isUnsigned: false, isBigEndian: false))
                throw Overflow(value);
            dst.Slice(written, 16 - written).Fill(u.Sign < 0 ? (byte)0xFF : (byte)0);
        }
        _values.Advance(16);
    }

    private ArgumentOutOfRangeException Overflow(FlussDecimal value) =>
        new(nameof(value), $"Column '{Name}' is {FlussType}; the value {value} has more than {Precision} digits.");

    private void AppendUtf8(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var written = Encoding.UTF8.GetBytes(value, _data!.GetSpan(max));
        _data.Advance(written);
        WriteOffset(_data.Length);
    }

    private void AppendVariable(ReadOnlySpan<byte> value)
    {
        _data!.Write(value);
        WriteOffset(_data.Length);
    }

    private void WriteOffset(int offset)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_values.GetSpan(4), offset);
        _values.Advance(4);
    }

    private void WriteInt16(short v)
    {
        BinaryPrimitives.WriteInt16LittleEndian(_values.GetSpan(2), v);
        _values.Advance(2);
    }

    private void WriteInt32(int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_values.GetSpan(4), v);
        _values.Advance(4);
    }

    private void WriteInt64(long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_values.GetSpan(8), v);
        _values.Advance(8);
    }

    private static long Align8(long n) => (n + 7) & ~7L;

    private static long[] BuildLongPowers()
    {
        var p = new long[19];
        p[0] = 1;
        for (var i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }
}
