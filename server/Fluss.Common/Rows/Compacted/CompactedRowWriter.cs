using System.Buffers.Binary;
using System.Numerics;
using Fluss.Types;
using Fluss.Utils;

namespace Fluss.Rows.Compacted;

/// <summary>
/// Writes rows in Fluss's CompactedRow format: a null bitset of <c>ceil(fieldCount / 8)</c> bytes (bit i of byte
/// i/8, least significant first) followed by the non-null fields in order, each in its compact encoding:
/// BOOLEAN/TINYINT 1 byte; SMALLINT 2, FLOAT 4, DOUBLE 8 bytes little-endian; INT/DATE/TIME an unsigned varint of the
/// 32-bit value (negative values take 5 bytes); BIGINT an unsigned varint of the 64-bit value; CHAR/STRING/BINARY/BYTES
/// a varint length and the bytes (UTF-8 for text); DECIMAL(p &lt;= 18) the unscaled value as a BIGINT, otherwise the
/// unscaled two's-complement big-endian bytes as BYTES; TIMESTAMP/TIMESTAMP_LTZ(p &lt;= 3) the epoch milliseconds as a
/// BIGINT, otherwise that followed by the nanoseconds of the millisecond as an INT.
/// </summary>
/// <remarks>
/// The writer keeps one pooled buffer across rows: call <see cref="Reset"/> (or <see cref="WriteRow"/>, which
/// resets) before each row, then write the fields in order. <see cref="WrittenSpan"/> is valid until the next write.
/// Not thread-safe; dispose to return the buffer to the pool.
/// </remarks>
public sealed class CompactedRowWriter : IDisposable
{
    private readonly PooledBuffer _buffer;
    private readonly int _headerSize;
    private byte[] _bytes;
    private int _position;
    private RowType? _cachedType;
    private RowField[]? _cachedFields;

    /// <summary>Creates a writer for rows of <paramref name="fieldCount"/> fields (0 writes no null bitset, as for keys).</summary>
    public CompactedRowWriter(int fieldCount, int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldCount);
        FieldCount = fieldCount;
        _headerSize = NullBitsSize(fieldCount);
        _buffer = new PooledBuffer(Math.Max(initialCapacity, _headerSize));
        _bytes = _buffer.Array;
        Reset();
    }

    public int FieldCount { get; }

    /// <summary>The number of bytes written so far, including the null bitset.</summary>
    public int Length => _position;

    /// <summary>The row written so far; valid until the next write or reset.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, _position);

    /// <summary>The row written so far; valid until the next write or reset.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _bytes.AsMemory(0, _position);

    /// <summary>A copy of the row written so far.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>The size of the null bitset for a row of <paramref name="fieldCount"/> fields.</summary>
    public static int NullBitsSize(int fieldCount) => (fieldCount + 7) / 8;

    /// <summary>Starts a new row: clears the null bitset and discards the fields written.</summary>
    public void Reset()
    {
        _bytes.AsSpan(0, _headerSize).Clear();
        _position = _headerSize;
    }

    /// <summary>Marks field <paramref name="pos"/> as null; a null field writes no bytes.</summary>
    public void SetNullAt(int pos)
    {
        if ((uint)pos >= (uint)FieldCount)
            throw new ArgumentOutOfRangeException(nameof(pos), pos, $"The row has {FieldCount} fields.");
        _bytes[pos >> 3] |= (byte)(1 << (pos & 7));
    }

    public void WriteBoolean(bool value)
    {
        Ensure(1);
        _bytes[_position++] = value ? (byte)1 : (byte)0;
    }

    public void WriteByte(sbyte value)
    {
        Ensure(1);
        _bytes[_position++] = (byte)value;
    }

    public void WriteShort(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16LittleEndian(_bytes.AsSpan(_position), value);
        _position += 2;
    }

    /// <summary>INT, DATE and TIME values, and lengths: an unsigned varint of the 32-bit pattern.</summary>
    public void WriteInt(int value)
    {
        Ensure(VarInt.MaxInt32Bytes);
        _position += VarInt.Write(_bytes, _position, (uint)value);
    }

    /// <summary>BIGINT values: an unsigned varint of the 64-bit pattern.</summary>
    public void WriteLong(long value)
    {
        Ensure(VarInt.MaxInt64Bytes);
        _position += VarInt.Write(_bytes, _position, (ulong)value);
    }

    public void WriteFloat(float value)
    {
        Ensure(4);
        BinaryPrimitives.WriteSingleLittleEndian(_bytes.AsSpan(_position), value);
        _position += 4;
    }

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_bytes.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>CHAR and STRING values: varint length of the UTF-8 bytes, then the bytes.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Utf8Text.GetByteCount(value);
        Ensure(VarInt.MaxInt32Bytes + length);
        _position += VarInt.Write(_bytes, _position, (uint)length);
        _position += Utf8Text.GetBytes(value, _bytes.AsSpan(_position, length));
    }

    /// <summary>CHAR and STRING values given as UTF-8 bytes.</summary>
    public void WriteStringUtf8(ReadOnlySpan<byte> utf8) => WriteBytes(utf8);

    /// <summary>BINARY and BYTES values: varint length, then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        Ensure(VarInt.MaxInt32Bytes + value.Length);
        _position += VarInt.Write(_bytes, _position, (uint)value.Length);
        value.CopyTo(_bytes.AsSpan(_position));
        _position += value.Length;
    }

    /// <summary>DECIMAL values: the unscaled long for precision &lt;= 18, otherwise the unscaled big-endian two's-complement bytes.</summary>
    public void WriteDecimal(FlussDecimal value, int precision)
    {
        if (precision <= DecimalType.MaxCompactPrecision)
        {
            WriteLong(value.UnscaledLong);
            return;
        }
        var unscaled = value.UnscaledValue;
        var length = unscaled.GetByteCount(isUnsigned: false);
        Ensure(VarInt.MaxInt32Bytes + length);
        _position += VarInt.Write(_bytes, _position, (uint)length);
        unscaled.TryWriteBytes(_bytes.AsSpan(_position, length), out var written, isUnsigned: false, isBigEndian: true);
        _position += written;
    }

    /// <summary>TIMESTAMP values: epoch millis, plus nanos of the millisecond when precision &gt; 3.</summary>
    public void WriteTimestampNtz(TimestampNtz value, int precision)
    {
        WriteLong(value.Millisecond);
        if (precision > TimestampType.MaxCompactPrecision) WriteInt(value.NanoOfMillisecond);
    }

    /// <summary>TIMESTAMP_LTZ values: epoch millis, plus nanos of the millisecond when precision &gt; 3.</summary>
    public void WriteTimestampLtz(TimestampLtz value, int precision)
    {
        WriteLong(value.EpochMillisecond);
        if (precision > TimestampType.MaxCompactPrecision) WriteInt(value.NanoOfMillisecond);
    }

    /// <summary>Resets the writer and writes every field of <paramref name="row"/> as typed by <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The row does not fit the type, or a NOT NULL field holds null.</exception>
    /// <exception cref="NotSupportedException">The type has nested (ARRAY, MAP, ROW) fields.</exception>
    public void WriteRow(IRow row, RowType type)
    {
        ArgumentNullException.ThrowIfNull(row);
        var fields = FieldsOf(type);
        if (fields.Length != FieldCount)
            throw new ArgumentException($"The writer was created for {FieldCount} fields but the row type has {fields.Length}.", nameof(type));
        if (row.FieldCount != fields.Length)
            throw new ArgumentException($"The row has {row.FieldCount} fields but its type has {fields.Length}.", nameof(row));
        Reset();
        for (var i = 0; i < fields.Length; i++)
        {
            if (row.IsNullAt(i))
            {
                if (!fields[i].IsNullable)
                    throw new ArgumentException($"Field {i} ({fields[i].Describe()}) is NOT NULL but the row holds null.", nameof(row));
                SetNullAt(i);
                continue;
            }
            WriteField(row, i, fields[i]);
        }
    }

    internal RowField[] FieldsOf(RowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!ReferenceEquals(type, _cachedType))
        {
            _cachedFields = RowField.Of(type);
            _cachedType = type;
        }
        return _cachedFields!;
    }

    /// <summary>Writes field <paramref name="pos"/> of <paramref name="row"/>, which must not be null.</summary>
    internal void WriteField(IRow row, int pos, in RowField field)
    {
        switch (field.Kind)
        {
            case FieldKind.Boolean: WriteBoolean(row.GetBoolean(pos)); break;
            case FieldKind.TinyInt: WriteByte(row.GetByte(pos)); break;
            case FieldKind.SmallInt: WriteShort(row.GetShort(pos)); break;
            case FieldKind.Int: WriteInt(row.GetInt(pos)); break;
            case FieldKind.BigInt: WriteLong(row.GetLong(pos)); break;
            case FieldKind.Float: WriteFloat(row.GetFloat(pos)); break;
            case FieldKind.Double: WriteDouble(row.GetDouble(pos)); break;
            case FieldKind.String:
                if (row is IUtf8Row utf8Row) WriteBytes(utf8Row.GetStringUtf8(pos));
                else WriteString(row.GetString(pos));
                break;
            case FieldKind.Binary:
                if (row is IUtf8Row rawRow) WriteBytes(rawRow.GetBinarySpan(pos));
                else WriteBytes(row.GetBinary(pos));
                break;
            case FieldKind.DecimalCompact or FieldKind.Decimal:
                WriteDecimal(row.GetDecimal(pos, field.Precision, field.Scale), field.Precision);
                break;
            case FieldKind.TimestampNtzCompact or FieldKind.TimestampNtz:
                WriteTimestampNtz(row.GetTimestampNtz(pos, field.Precision), field.Precision);
                break;
            case FieldKind.TimestampLtzCompact or FieldKind.TimestampLtz:
                WriteTimestampLtz(row.GetTimestampLtz(pos, field.Precision), field.Precision);
                break;
            default:
                throw new NotSupportedException($"Field {pos} ({field.Describe()}) has no compacted encoding.");
        }
    }

    private void Ensure(int additional)
    {
        if (_bytes.Length - _position >= additional) return;
        _buffer.EnsureCapacity(_position, _position + additional);
        _bytes = _buffer.Array;
    }

    public void Dispose() => _buffer.Dispose();
}

/// <summary>A row that can hand out its text and binary fields as bytes without allocating (e.g. rows over encoded bytes).</summary>
internal interface IUtf8Row
{
    ReadOnlySpan<byte> GetStringUtf8(int pos);

    ReadOnlySpan<byte> GetBinarySpan(int pos);
}
