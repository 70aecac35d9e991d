using System.Buffers.Binary;
using System.Numerics;
using Fluss.Rows.Compacted;
using Fluss.Types;
using Fluss.Utils;

namespace Fluss.Rows.Paimon;

/// <summary>
/// Writes Apache Paimon BinaryRow bytes (little-endian), as Paimon stores partitions, keys and statistics and hashes
/// bucket keys. Layout: a header of <c>((arity + 63 + 8) / 64) * 8</c> bytes whose first byte is the row kind and
/// whose bit <c>i + 8</c> marks field i null; then one 8-byte slot per field; then a variable part of 8-byte-aligned
/// items. Slots hold fixed-size values in place; strings and binaries of up to 7 bytes inline (data, then
/// <c>0x80 | length</c> in the slot's last byte); longer ones, DECIMAL(p &gt; 18) and TIMESTAMP(p &gt; 3) live in
/// the variable part and the slot holds <c>offset &lt;&lt; 32 | length</c> (for timestamps, the nanoseconds of the
/// millisecond instead of the length).
/// </summary>
/// <remarks>
/// One pooled buffer is reused across rows: call <see cref="Reset"/> (or <see cref="WriteRow"/>) before each row and
/// write fields in increasing position order. <see cref="WrittenSpan"/> is valid until the next write. Not thread-safe.
/// </remarks>
public sealed class BinaryRowWriter : IDisposable
{
    private const int MaxInlineBytes = 7;
    private const int HeaderBits = 8;

    private readonly PooledBuffer _buffer;
    private readonly int _nullBitsSize;
    private readonly int _fixedSize;
    private byte[] _bytes;
    private int _cursor;
    private RowType? _cachedType;
    private RowField[]? _cachedFields;

    public BinaryRowWriter(int arity, int initialVariableCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arity);
        Arity = arity;
        _nullBitsSize = NullBitsSize(arity);
        _fixedSize = _nullBitsSize + 8 * arity;
        _buffer = new PooledBuffer(_fixedSize + Math.Max(0, initialVariableCapacity));
        _bytes = _buffer.Array;
        Reset();
    }

    public int Arity { get; }

    /// <summary>The size of the header (row kind and null bits) for <paramref name="arity"/> fields.</summary>
    public static int NullBitsSize(int arity) => (arity + 63 + HeaderBits) / 64 * 8;

    /// <summary>The size of the row written so far (always a multiple of 8).</summary>
    public int SizeInBytes => _cursor;

    /// <summary>The row bytes written so far; valid until the next write or reset.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, _cursor);

    /// <summary>The row bytes written so far; valid until the next write or reset.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _bytes.AsMemory(0, _cursor);

    /// <summary>A copy of the row bytes written so far.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Starts a new row of kind +I with every field zero and not null.</summary>
    public void Reset()
    {
        _bytes.AsSpan(0, _fixedSize).Clear();
        _cursor = _fixedSize;
    }

    /// <summary>Sets the row kind byte: 0 = +I, 1 = -U, 2 = +U, 3 = -D.</summary>
    public void WriteRowKind(byte kind)
    {
        if (kind > 3) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Paimon row kinds are 0 (+I), 1 (-U), 2 (+U) and 3 (-D).");
        _bytes[0] = kind;
    }

    /// <summary>Sets the row kind from a Fluss change type (+A and +I both map to +I).</summary>
    public void WriteChangeType(ChangeType changeType) => WriteRowKind(changeType switch
    {
        ChangeType.AppendOnly or ChangeType.Insert => 0,
        ChangeType.UpdateBefore => 1,
        ChangeType.UpdateAfter => 2,
        ChangeType.Delete => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(changeType), changeType, "Unknown change type."),
    });

    /// <summary>Marks field <paramref name="pos"/> null and zeroes its slot (no variable-part reservation).</summary>
    public void SetNullAt(int pos)
    {
        var offset = SlotOffset(pos);
        SetNullBit(pos);
        _bytes.AsSpan(offset, 8).Clear();
    }

    public void WriteBoolean(int pos, bool value) => _bytes[SlotOffset(pos)] = value ? (byte)1 : (byte)0;

    public void WriteByte(int pos, sbyte value) => _bytes[SlotOffset(pos)] = (byte)value;

    public void WriteShort(int pos, short value) => BinaryPrimitives.WriteInt16LittleEndian(_bytes.AsSpan(SlotOffset(pos)), value);

    public void WriteInt(int pos, int value) => BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(SlotOffset(pos)), value);

    public void WriteLong(int pos, long value) => BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(SlotOffset(pos)), value);

    public void WriteFloat(int pos, float value) => BinaryPrimitives.WriteSingleLittleEndian(_bytes.AsSpan(SlotOffset(pos)), value);

    public void WriteDouble(int pos, double value) => BinaryPrimitives.WriteDoubleLittleEndian(_bytes.AsSpan(SlotOffset(pos)), value);

    /// <summary>CHAR/VARCHAR/STRING values (UTF-8).</summary>
    public void WriteString(int pos, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slot = SlotOffset(pos);
        var length = Utf8Text.GetByteCount(value);
        if (length <= MaxInlineBytes)
        {
            Span<byte> inline = stackalloc byte[MaxInlineBytes];
            Utf8Text.GetBytes(value, inline);
            WriteInline(slot, inline[..length]);
            return;
        }
        var offset = ReserveVariable(length);
        Utf8Text.GetBytes(value, _bytes.AsSpan(offset, length));
        SetOffsetAndSize(slot, offset, (uint)length);
    }

    /// <summary>CHAR/VARCHAR/STRING values given as UTF-8 bytes.</summary>
    public void WriteStringUtf8(int pos, ReadOnlySpan<byte> utf8) => WriteBinary(pos, utf8);

    /// <summary>BINARY/VARBINARY/BYTES values.</summary>
    public void WriteBinary(int pos, ReadOnlySpan<byte> value)
    {
        var slot = SlotOffset(pos);
        if (value.Length <= MaxInlineBytes)
        {
            WriteInline(slot, value);
            return;
        }
        var offset = ReserveVariable(value.Length);
        value.CopyTo(_bytes.AsSpan(offset));
        SetOffsetAndSize(slot, offset, (uint)value.Length);
    }

    /// <summary>
    /// DECIMAL values: the unscaled long in the slot for precision &lt;= 18; otherwise 16 reserved bytes in the
    /// variable part starting with the unscaled big-endian two's-complement bytes. A null non-compact decimal still
    /// reserves its 16 bytes, as Paimon does.
    /// </summary>
    public void WriteDecimal(int pos, FlussDecimal? value, int precision)
    {
        var slot = SlotOffset(pos);
        if (precision <= DecimalType.MaxCompactPrecision)
        {
            if (value is null) SetNullAt(pos);
            else BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(slot), value.Value.UnscaledLong);
            return;
        }
        var offset = ReserveVariable(16);
        if (value is null)
        {
            SetNullBit(pos);
            SetOffsetAndSize(slot, offset, 0);
            return;
        }
        var unscaled = value.Value.UnscaledValue;
        var length = unscaled.GetByteCount(isUnsigned: false);
        if (length > 16)
            throw new ArgumentException($"DECIMAL value {value} needs {length} bytes; at most 16 fit a DECIMAL({precision}).", nameof(value));
        unscaled.TryWriteBytes(_bytes.AsSpan(offset, length), out _, isUnsigned: false, isBigEndian: true);
        SetOffsetAndSize(slot, offset, (uint)length);
    }

    /// <summary>
    /// TIMESTAMP values: epoch millis in the slot for precision &lt;= 3; otherwise the millis in 8 bytes of the
    /// variable part and the nanos of the millisecond in the slot. A null non-compact timestamp still reserves its 8
    /// bytes, as Paimon does.
    /// </summary>
    public void WriteTimestampNtz(int pos, TimestampNtz? value, int precision) =>
        WriteTimestamp(pos, value is { } v ? (v.Millisecond, v.NanoOfMillisecond) : null, precision);

    /// <summary>TIMESTAMP_LTZ values, stored like <see cref="WriteTimestampNtz"/>.</summary>
    public void WriteTimestampLtz(int pos, TimestampLtz? value, int precision) =>
        WriteTimestamp(pos, value is { } v ? (v.EpochMillisecond, v.NanoOfMillisecond) : null, precision);

    private void WriteTimestamp(int pos, (long Millis, int Nanos)? value, int precision)
    {
        var slot = SlotOffset(pos);
        if (precision <= TimestampType.MaxCompactPrecision)
        {
            if (value is null) SetNullAt(pos);
            else BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(slot), value.Value.Millis);
            return;
        }
        var offset = ReserveVariable(8);
        if (value is null)
        {
            SetNullBit(pos);
            SetOffsetAndSize(slot, offset, 0);
            return;
        }
        BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(offset), value.Value.Millis);
        SetOffsetAndSize(slot, offset, (uint)value.Value.Nanos);
    }

    /// <summary>
    /// Resets the writer and writes every field of <paramref name="row"/> as typed by <paramref name="type"/>, with
    /// Paimon's null handling (null non-compact decimals and timestamps keep their variable-part reservation).
    /// </summary>
    /// <exception cref="ArgumentException">The row does not fit the type.</exception>
    /// <exception cref="NotSupportedException">The type has nested (ARRAY, MAP, ROW) fields.</exception>
    public void WriteRow(IRow row, RowType type)
    {
        ArgumentNullException.ThrowIfNull(row);
        var fields = FieldsOf(type);
        if (fields.Length != Arity)
            throw new ArgumentException($"The writer was created for {Arity} fields but the row type has {fields.Length}.", nameof(type));
        if (row.FieldCount != fields.Length)
            throw new ArgumentException($"The row has {row.FieldCount} fields but its type has {fields.Length}.", nameof(row));
        Reset();
        for (var i = 0; i < fields.Length; i++)
        {
            if (!row.IsNullAt(i))
            {
                WriteField(row, i, i, fields[i]);
                continue;
            }
            switch (fields[i].Kind)
            {
                case FieldKind.Decimal: WriteDecimal(i, null, fields[i].Precision); break;
                case FieldKind.TimestampNtz: WriteTimestampNtz(i, null, fields[i].Precision); break;
                case FieldKind.TimestampLtz: WriteTimestampLtz(i, null, fields[i].Precision); break;
                default: SetNullAt(i); break;
            }
        }
    }

    private RowField[] FieldsOf(RowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!ReferenceEquals(type, _cachedType))
        {
            _cachedFields = RowField.Of(type);
            _cachedType = type;
        }
        return _cachedFields!;
    }

    /// <summary>Writes the non-null field <paramref name="sourcePos"/> of <paramref name="row"/> to slot <paramref name="pos"/>.</summary>
    internal void WriteField(IRow row, int sourcePos, int pos, in RowField field)
    {
        switch (field.Kind)
        {
            case FieldKind.Boolean: WriteBoolean(pos, row.GetBoolean(sourcePos)); break;
            case FieldKind.TinyInt: WriteByte(pos, row.GetByte(sourcePos)); break;
            case FieldKind.SmallInt: WriteShort(pos, row.GetShort(sourcePos)); break;
            case FieldKind.Int: WriteInt(pos, row.GetInt(sourcePos)); break;
            case FieldKind.BigInt: WriteLong(pos, row.GetLong(sourcePos)); break;
            case FieldKind.Float: WriteFloat(pos, row.GetFloat(sourcePos)); break;
            case FieldKind.Double: WriteDouble(pos, row.GetDouble(sourcePos)); break;
            case FieldKind.String:
                if (row is IUtf8Row utf8Row) WriteBinary(pos, utf8Row.GetStringUtf8(sourcePos));
                else WriteString(pos, row.GetString(sourcePos));
                break;
            case FieldKind.Binary:
                if (row is IUtf8Row rawRow) WriteBinary(pos, rawRow.GetBinarySpan(sourcePos));
                else WriteBinary(pos, row.GetBinary(sourcePos));
                break;
            case FieldKind.DecimalCompact or FieldKind.Decimal:
                WriteDecimal(pos, row.GetDecimal(sourcePos, field.Precision, field.Scale), field.Precision);
                break;
            case FieldKind.TimestampNtzCompact or FieldKind.TimestampNtz:
                WriteTimestampNtz(pos, row.GetTimestampNtz(sourcePos, field.Precision), field.Precision);
                break;
            case FieldKind.TimestampLtzCompact or FieldKind.TimestampLtz:
                WriteTimestampLtz(pos, row.GetTimestampLtz(sourcePos, field.Precision), field.Precision);
                break;
            default:
                throw new NotSupportedException($"Field {sourcePos} ({field.Describe()}) has no BinaryRow encoding.");
        }
    }

    private int SlotOffset(int pos)
    {
        if ((uint)pos >= (uint)Arity)
            throw new ArgumentOutOfRangeException(nameof(pos), pos, $"The row has {Arity} fields.");
        return _nullBitsSize + 8 * pos;
    }

    private void SetNullBit(int pos)
    {
        var bit = pos + HeaderBits;
        _bytes[bit >> 3] |= (byte)(1 << (bit & 7));
    }

    private void WriteInline(int slot, ReadOnlySpan<byte> data)
    {
        var target = _bytes.AsSpan(slot, 8);
        target.Clear();
        data.CopyTo(target);
        target[7] = (byte)(0x80 | data.Length);
    }

    /// <summary>Appends <paramref name="length"/> zeroed bytes, padded to a multiple of 8, to the variable part.</summary>
    private int ReserveVariable(int length)
    {
        var rounded = (length + 7) & ~7;
        if (_bytes.Length - _cursor < rounded)
        {
            _buffer.EnsureCapacity(_cursor, _cursor + rounded);
            _bytes = _buffer.Array;
        }
        var offset = _cursor;
        _bytes.AsSpan(offset, rounded).Clear();
        _cursor += rounded;
        return offset;
    }

    private void SetOffsetAndSize(int slot, int offset, uint size) =>
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes.AsSpan(slot), ((ulong)(uint)offset << 32) | size);

    public void Dispose() => _buffer.Dispose();
}
