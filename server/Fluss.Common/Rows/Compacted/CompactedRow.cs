using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Fluss.Errors;
using Fluss.Types;
using Fluss.Utils;

namespace Fluss.Rows.Compacted;

/// <summary>
/// A row in Fluss's CompactedRow format (see <see cref="CompactedRowWriter"/>), read in place from its bytes.
/// Fields have no offsets in the format, so the row decodes them in order on first access and remembers where
/// each starts; reading allocates only the strings and byte arrays it returns.
/// </summary>
/// <remarks>
/// Truncated or malformed bytes raise <see cref="CorruptRecordException"/> naming the field. A row can be repointed
/// at other bytes of the same type with <see cref="PointTo"/> to read many rows without allocating. Not thread-safe.
/// </remarks>
public sealed class CompactedRow : IRow, IUtf8Row
{
    private static readonly ConditionalWeakTable<RowType, RowField[]> FieldCache = new();
    private static readonly ConditionalWeakTable<RowType, RowField[]> KeyFieldCache = new();

    private readonly RowField[] _fields;
    private readonly int _headerSize;

    // _offsets[i] is where field i starts, valid for i < _decoded; _offsets[FieldCount] is the end of the row.
    private readonly int[] _offsets;
    private ReadOnlyMemory<byte> _memory;
    private int _decoded;

    /// <summary>Reads a row of <paramref name="type"/> from <paramref name="bytes"/> (exactly one row).</summary>
    public CompactedRow(RowType type, ReadOnlyMemory<byte> bytes)
        : this(type)
    {
        PointTo(bytes);
    }

    /// <summary>Creates a reader for rows of <paramref name="type"/>; call <see cref="PointTo"/> before reading.</summary>
    public CompactedRow(RowType type)
        : this(FieldCache.GetValue(type ?? throw new ArgumentNullException(nameof(type)), RowField.Of), hasNullBits: true, type)
    {
    }

    private CompactedRow(RowField[] fields, bool hasNullBits, RowType type)
    {
        _fields = fields;
        RowType = type;
        _headerSize = hasNullBits ? CompactedRowWriter.NullBitsSize(fields.Length) : 0;
        _offsets = new int[fields.Length + 1];
    }

    /// <summary>
    /// Reads key bytes written by <see cref="CompactedKeyEncoder"/>: no null bitset, every field present.
    /// <paramref name="keyType"/> holds the key fields in key order.
    /// </summary>
    public static CompactedRow FromKey(RowType keyType, ReadOnlyMemory<byte> key)
    {
        ArgumentNullException.ThrowIfNull(keyType);
        var fields = KeyFieldCache.GetValue(keyType, static t => RowField.Of(t).Select(f => f with { IsNullable = false }).ToArray());
        var row = new CompactedRow(fields, hasNullBits: false, keyType);
        row.PointTo(key);
        return row;
    }

    public RowType RowType { get; }

    public int FieldCount => _fields.Length;

    /// <summary>The bytes of the row.</summary>
    public ReadOnlyMemory<byte> Bytes => _memory;

    public int SizeInBytes => _memory.Length;

    /// <summary>Points this reader at another row of the same type.</summary>
    public void PointTo(ReadOnlyMemory<byte> bytes)
    {
        _memory = bytes;
        _decoded = 0;
        if (bytes.Length < _headerSize)
        {
            throw new CorruptRecordException(
                $"CompactedRow is truncated: its null bitset needs {_headerSize} bytes for {FieldCount} fields but the row has {bytes.Length} bytes.");
        }
        _offsets[0] = _headerSize;
    }

    /// <summary>Decodes every field boundary once, so that a malformed row fails here rather than on a later read.</summary>
    /// <returns>The number of bytes the fields occupy (normally <see cref="SizeInBytes"/>).</returns>
    public int Validate()
    {
        DecodeUpTo(FieldCount);
        return _offsets[FieldCount];
    }

    public bool IsNullAt(int pos)
    {
        CheckPos(pos);
        return IsNull(pos);
    }

    private bool IsNull(int pos) =>
        _fields[pos].IsNullable && (_memory.Span[pos >> 3] & (1 << (pos & 7))) != 0;

    public bool GetBoolean(int pos) => Field(pos, FieldKind.Boolean)[0] != 0;

    public sbyte GetByte(int pos) => (sbyte)Field(pos, FieldKind.TinyInt)[0];

    public short GetShort(int pos) => BinaryPrimitives.ReadInt16LittleEndian(Field(pos, FieldKind.SmallInt));

    public int GetInt(int pos)
    {
        var span = Field(pos, FieldKind.Int);
        VarInt.TryRead(span, out uint value, out _);
        return (int)value;
    }

    public long GetLong(int pos)
    {
        var span = Field(pos, FieldKind.BigInt);
        VarInt.TryRead(span, out ulong value, out _);
        return (long)value;
    }

    public float GetFloat(int pos) => BinaryPrimitives.ReadSingleLittleEndian(Field(pos, FieldKind.Float));

    public double GetDouble(int pos) => BinaryPrimitives.ReadDoubleLittleEndian(Field(pos, FieldKind.Double));

    public string GetString(int pos) => Utf8Text.GetString(LengthPrefixed(Field(pos, FieldKind.String)));

    /// <summary>The UTF-8 bytes of a CHAR/STRING field, without copying; valid while the row's bytes are.</summary>
    public ReadOnlySpan<byte> GetStringUtf8(int pos) => LengthPrefixed(Field(pos, FieldKind.String));

    public byte[] GetBinary(int pos) => LengthPrefixed(Field(pos, FieldKind.Binary)).ToArray();

    /// <summary>The bytes of a BINARY/BYTES field, without copying; valid while the row's bytes are.</summary>
    public ReadOnlySpan<byte> GetBinarySpan(int pos) => LengthPrefixed(Field(pos, FieldKind.Binary));

    public FlussDecimal GetDecimal(int pos, int precision, int scale)
    {
        CheckPos(pos);
        ref readonly var field = ref _fields[pos];
        if (field.Kind == FieldKind.DecimalCompact)
        {
            VarInt.TryRead(FieldSpan(pos), out ulong unscaled, out _);
            return FlussDecimal.FromUnscaledLong((long)unscaled, field.Precision, field.Scale);
        }
        var bytes = LengthPrefixed(Field(pos, FieldKind.Decimal));
        return DecodeBigDecimal(bytes, pos);
    }

    public TimestampNtz GetTimestampNtz(int pos, int precision)
    {
        CheckPos(pos);
        var kind = _fields[pos].Kind;
        if (kind is not (FieldKind.TimestampNtzCompact or FieldKind.TimestampNtz)) throw WrongType(pos, "TIMESTAMP");
        var (millis, nanos) = ReadTimestamp(pos);
        return new TimestampNtz(millis, nanos);
    }

    public TimestampLtz GetTimestampLtz(int pos, int precision)
    {
        CheckPos(pos);
        var kind = _fields[pos].Kind;
        if (kind is not (FieldKind.TimestampLtzCompact or FieldKind.TimestampLtz)) throw WrongType(pos, "TIMESTAMP_LTZ");
        var (millis, nanos) = ReadTimestamp(pos);
        return new TimestampLtz(millis, nanos);
    }

    private (long Millis, int Nanos) ReadTimestamp(int pos)
    {
        var span = FieldSpan(pos);
        VarInt.TryRead(span, out ulong millis, out var read);
        var nanos = 0;
        if (_fields[pos].Kind is FieldKind.TimestampNtz or FieldKind.TimestampLtz)
        {
            VarInt.TryRead(span[read..], out uint n, out _);
            nanos = (int)n;
        }
        return ((long)millis, nanos);
    }

    private FlussDecimal DecodeBigDecimal(ReadOnlySpan<byte> bytes, int pos)
    {
        ref readonly var field = ref _fields[pos];
        var unscaled = new BigInteger(bytes, isUnsigned: false, isBigEndian: true);
        return FlussDecimal.FromUnscaled(unscaled, field.Precision, field.Scale);
    }

    /// <summary>The bytes of a non-null field of the expected kind.</summary>
    private ReadOnlySpan<byte> Field(int pos, FieldKind expected)
    {
        CheckPos(pos);
        if (_fields[pos].Kind != expected) throw WrongType(pos, expected.ToString().ToUpperInvariant());
        return FieldSpan(pos);
    }

    private ReadOnlySpan<byte> FieldSpan(int pos)
    {
        if (IsNull(pos))
            throw new InvalidOperationException($"Field {pos} ({_fields[pos].Describe()}) is null; check IsNullAt first.");
        DecodeUpTo(pos + 1);
        return _memory.Span[_offsets[pos].._offsets[pos + 1]];
    }

    private static ReadOnlySpan<byte> LengthPrefixed(ReadOnlySpan<byte> span)
    {
        // Boundaries were validated while decoding, so the prefix is well formed and the payload fits.
        VarInt.TryRead(span, out uint _, out var read);
        return span[read..];
    }

    private void CheckPos(int pos)
    {
        if ((uint)pos >= (uint)_fields.Length)
            throw new ArgumentOutOfRangeException(nameof(pos), pos, $"The row has {_fields.Length} fields.");
    }

    private InvalidOperationException WrongType(int pos, string requested) =>
        new($"Field {pos} ({_fields[pos].Describe()}) cannot be read as {requested}.");

    /// <summary>Finds the start of every field below <paramref name="count"/> (and the end of the last one).</summary>
    private void DecodeUpTo(int count)
    {
        if (_decoded >= count) return;
        var span = _memory.Span;
        var position = _offsets[_decoded];
        for (var i = _decoded; i < count; i++)
        {
            if (!IsNull(i)) position = SkipField(span, position, i);
            _offsets[i + 1] = position;
            _decoded = i + 1;
        }
    }

    private int SkipField(ReadOnlySpan<byte> span, int position, int pos)
    {
        ref readonly var field = ref _fields[pos];
        switch (field.Kind)
        {
            case FieldKind.Boolean:
            case FieldKind.TinyInt:
                return Fixed(span, position, 1, pos);
            case FieldKind.SmallInt:
                return Fixed(span, position, 2, pos);
            case FieldKind.Float:
                return Fixed(span, position, 4, pos);
            case FieldKind.Double:
                return Fixed(span, position, 8, pos);
            case FieldKind.Int:
                return position + VarInt32(span, position, pos, "value", out _);
            case FieldKind.BigInt:
            case FieldKind.DecimalCompact:
            case FieldKind.TimestampNtzCompact:
            case FieldKind.TimestampLtzCompact:
                return position + VarInt64(span, position, pos);
            case FieldKind.TimestampNtz:
            case FieldKind.TimestampLtz:
                {
                    var end = position + VarInt64(span, position, pos);
                    end += VarInt32(span, end, pos, "nanosecond-of-millisecond", out var nanos);
                    if (nanos > 999_999)
                    {
                        throw new CorruptRecordException(
                            $"CompactedRow is corrupt: field {pos} ({field.Describe()}) has nanosecond-of-millisecond {(int)nanos}, outside 0..999999.");
                    }
                    return end;
                }
            case FieldKind.String:
            case FieldKind.Binary:
            case FieldKind.Decimal:
                {
                    var prefix = VarInt32(span, position, pos, "length", out var length);
                    if (length > int.MaxValue)
                        throw new CorruptRecordException($"CompactedRow is corrupt: field {pos} ({field.Describe()}) has negative length {(int)length}.");
                    var start = position + prefix;
                    if ((long)start + length > span.Length)
                    {
                        throw new CorruptRecordException(
                            $"CompactedRow is truncated: field {pos} ({field.Describe()}) declares {length} bytes at offset {start} but the row has {span.Length} bytes.");
                    }
                    if (field.Kind == FieldKind.Decimal) CheckBigDecimal(span.Slice(start, (int)length), pos);
                    return start + (int)length;
                }
            default:
                throw new NotSupportedException($"Field {pos} ({field.Describe()}) has no compacted encoding.");
        }
    }

    private void CheckBigDecimal(ReadOnlySpan<byte> bytes, int pos)
    {
        ref readonly var field = ref _fields[pos];
        if (bytes.Length is 0 or > 16)
        {
            throw new CorruptRecordException(
                $"CompactedRow is corrupt: field {pos} ({field.Describe()}) holds {bytes.Length} unscaled bytes; a DECIMAL({field.Precision}, {field.Scale}) needs 1 to 16.");
        }
        if (!DecimalBytes.FitsPrecision(bytes, field.Precision))
        {
            throw new CorruptRecordException(
                $"CompactedRow is corrupt: field {pos} ({field.Describe()}) holds unscaled value {new BigInteger(bytes, isUnsigned: false, isBigEndian: true)}, which has more than {field.Precision} digits.");
        }
    }

    private int Fixed(ReadOnlySpan<byte> span, int position, int size, int pos)
    {
        if (position + size > span.Length)
        {
            throw new CorruptRecordException(
                $"CompactedRow is truncated: field {pos} ({_fields[pos].Describe()}) needs {size} bytes at offset {position} but the row has {span.Length} bytes.");
        }
        return position + size;
    }

    private int VarInt32(ReadOnlySpan<byte> span, int position, int pos, string what, out uint value)
    {
        var status = VarInt.TryRead(span[Math.Min(position, span.Length)..], out value, out var read);
        if (status != VarIntStatus.Ok) throw VarIntError(status, span.Length, position, pos, what, "32-bit");
        return read;
    }

    private int VarInt64(ReadOnlySpan<byte> span, int position, int pos)
    {
        var status = VarInt.TryRead(span[Math.Min(position, span.Length)..], out ulong _, out var read);
        if (status != VarIntStatus.Ok) throw VarIntError(status, span.Length, position, pos, "value", "64-bit");
        return read;
    }

    private CorruptRecordException VarIntError(VarIntStatus status, int size, int position, int pos, string what, string width) =>
        status == VarIntStatus.Truncated
            ? new CorruptRecordException(
                $"CompactedRow is truncated: the {what} of field {pos} ({_fields[pos].Describe()}) starts at offset {position} but the row ends at {size} bytes.")
            : new CorruptRecordException(
                $"CompactedRow is corrupt: the {what} of field {pos} ({_fields[pos].Describe()}) at offset {position} is a varint longer than a {width} integer allows.");

    public override string ToString() => GenericRow.CopyOf(this, RowType).ToString();
}
