using System.Buffers.Binary;
using System.Numerics;
using Fluss.Bucketing;
using Fluss.Errors;
using Fluss.Rows.Compacted;
using Fluss.Types;
using Fluss.Utils;

namespace Fluss.Rows.Paimon;

/// <summary>
/// An Apache Paimon BinaryRow (layout in <see cref="BinaryRowWriter"/>) read in place from its bytes. Equality and
/// <see cref="GetHashCode"/> follow Paimon: byte equality, and MurmurHash3 over 4-byte words with seed 42 (the hash
/// Paimon's default bucket function uses).
/// </summary>
/// <remarks>
/// The row type gives the meaning of each slot; getters check that the requested type matches. Slots that point
/// outside the row raise <see cref="CorruptRecordException"/>.
/// </remarks>
public sealed class BinaryRow : IRow, IUtf8Row, IEquatable<BinaryRow>
{
    private readonly RowField[] _fields;
    private readonly int _nullBitsSize;

    /// <summary>Reads the row bytes (without an arity prefix) of a row of <paramref name="type"/>.</summary>
    /// <exception cref="CorruptRecordException">The bytes are shorter than the header and slots of the type.</exception>
    public BinaryRow(RowType type, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(type);
        RowType = type;
        _fields = RowField.Of(type);
        _nullBitsSize = BinaryRowWriter.NullBitsSize(_fields.Length);
        var fixedSize = _nullBitsSize + 8 * _fields.Length;
        if (bytes.Length < fixedSize)
        {
            throw new CorruptRecordException(
                $"BinaryRow is truncated: {_fields.Length} fields need a {fixedSize}-byte header and slots but the row has {bytes.Length} bytes.");
        }
        Bytes = bytes;
    }

    public RowType RowType { get; }

    public int FieldCount => _fields.Length;

    /// <summary>The row bytes, without an arity prefix.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public int SizeInBytes => Bytes.Length;

    /// <summary>The row kind byte: 0 = +I, 1 = -U, 2 = +U, 3 = -D.</summary>
    public byte RowKind => Bytes.Span[0];

    /// <summary>Prefixes row bytes with their arity as a big-endian int32, as Paimon stores BinaryRows in manifests.</summary>
    public static byte[] SerializeWithArity(ReadOnlySpan<byte> rowBytes, int arity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arity);
        var result = new byte[4 + rowBytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(result, arity);
        rowBytes.CopyTo(result.AsSpan(4));
        return result;
    }

    /// <summary>Prefixes this row's bytes with its arity (big-endian int32).</summary>
    public byte[] SerializeWithArity() => SerializeWithArity(Bytes.Span, FieldCount);

    /// <summary>Splits <c>[int32 BE arity][row bytes]</c> into the arity and the row bytes.</summary>
    /// <exception cref="CorruptRecordException">The prefix is missing or the arity does not fit the bytes.</exception>
    public static (int Arity, ReadOnlyMemory<byte> RowBytes) DeserializeWithArity(ReadOnlyMemory<byte> serialized)
    {
        if (serialized.Length < 4)
            throw new CorruptRecordException($"Serialized BinaryRow is truncated: it needs a 4-byte arity prefix but has {serialized.Length} bytes.");
        var arity = BinaryPrimitives.ReadInt32BigEndian(serialized.Span);
        var rowBytes = serialized[4..];
        if (arity < 0 || (long)BinaryRowWriter.NullBitsSize(Math.Min(arity, int.MaxValue - 128)) + 8L * arity > rowBytes.Length)
        {
            throw new CorruptRecordException(
                $"Serialized BinaryRow is corrupt: arity {arity} does not fit the {rowBytes.Length} row bytes that follow it.");
        }
        return (arity, rowBytes);
    }

    /// <summary>Reads <c>[int32 BE arity][row bytes]</c> as a row of <paramref name="type"/>, checking the arity.</summary>
    public static BinaryRow FromSerialized(RowType type, ReadOnlyMemory<byte> serialized)
    {
        ArgumentNullException.ThrowIfNull(type);
        var (arity, rowBytes) = DeserializeWithArity(serialized);
        if (arity != type.FieldCount)
            throw new CorruptRecordException($"Serialized BinaryRow has arity {arity} but its type has {type.FieldCount} fields.");
        return new BinaryRow(type, rowBytes);
    }

    public bool IsNullAt(int pos)
    {
        CheckPos(pos);
        var bit = pos + 8;
        return (Bytes.Span[bit >> 3] & (1 << (bit & 7))) != 0;
    }

    public bool GetBoolean(int pos) => Slot(pos, FieldKind.Boolean)[0] != 0;

    public sbyte GetByte(int pos) => (sbyte)Slot(pos, FieldKind.TinyInt)[0];

    public short GetShort(int pos) => BinaryPrimitives.ReadInt16LittleEndian(Slot(pos, FieldKind.SmallInt));

    public int GetInt(int pos) => BinaryPrimitives.ReadInt32LittleEndian(Slot(pos, FieldKind.Int));

    public long GetLong(int pos) => BinaryPrimitives.ReadInt64LittleEndian(Slot(pos, FieldKind.BigInt));

    public float GetFloat(int pos) => BinaryPrimitives.ReadSingleLittleEndian(Slot(pos, FieldKind.Float));

    public double GetDouble(int pos) => BinaryPrimitives.ReadDoubleLittleEndian(Slot(pos, FieldKind.Double));

    public string GetString(int pos) => Utf8Text.GetString(VariableBytes(pos, FieldKind.String));

    public ReadOnlySpan<byte> GetStringUtf8(int pos) => VariableBytes(pos, FieldKind.String);

    public byte[] GetBinary(int pos) => VariableBytes(pos, FieldKind.Binary).ToArray();

    public ReadOnlySpan<byte> GetBinarySpan(int pos) => VariableBytes(pos, FieldKind.Binary);

    public FlussDecimal GetDecimal(int pos, int precision, int scale)
    {
        CheckPos(pos);
        ref readonly var field = ref _fields[pos];
        if (field.Kind == FieldKind.DecimalCompact)
            return FlussDecimal.FromUnscaledLong(BinaryPrimitives.ReadInt64LittleEndian(Slot(pos, FieldKind.DecimalCompact)), field.Precision, field.Scale);
        var slot = BinaryPrimitives.ReadUInt64LittleEndian(Slot(pos, FieldKind.Decimal));
        var bytes = Range(pos, (long)(slot >> 32), (long)(uint)slot);
        if (!DecimalBytes.FitsPrecision(bytes, field.Precision))
        {
            throw new CorruptRecordException(
                $"BinaryRow is corrupt: field {pos} ({field.Describe()}) holds {bytes.Length} unscaled bytes that are not a value of at most {field.Precision} digits.");
        }
        return FlussDecimal.FromUnscaled(new BigInteger(bytes, isUnsigned: false, isBigEndian: true), field.Precision, field.Scale);
    }

    public TimestampNtz GetTimestampNtz(int pos, int precision)
    {
        var (millis, nanos) = Timestamp(pos, FieldKind.TimestampNtzCompact, FieldKind.TimestampNtz);
        return new TimestampNtz(millis, nanos);
    }

    public TimestampLtz GetTimestampLtz(int pos, int precision)
    {
        var (millis, nanos) = Timestamp(pos, FieldKind.TimestampLtzCompact, FieldKind.TimestampLtz);
        return new TimestampLtz(millis, nanos);
    }

    private (long Millis, int Nanos) Timestamp(int pos, FieldKind compact, FieldKind full)
    {
        CheckPos(pos);
        var kind = _fields[pos].Kind;
        if (kind == compact) return (BinaryPrimitives.ReadInt64LittleEndian(Slot(pos, compact)), 0);
        var slot = BinaryPrimitives.ReadUInt64LittleEndian(Slot(pos, full));
        var nanos = (uint)slot;
        if (nanos > 999_999)
            throw new CorruptRecordException($"BinaryRow is corrupt: field {pos} ({_fields[pos].Describe()}) has nanosecond-of-millisecond {nanos}, outside 0..999999.");
        var millis = BinaryPrimitives.ReadInt64LittleEndian(Range(pos, (long)(slot >> 32), 8));
        return (millis, (int)nanos);
    }

    /// <summary>Data of a string or binary field, inline in the slot or in the variable part.</summary>
    private ReadOnlySpan<byte> VariableBytes(int pos, FieldKind expected)
    {
        var slotSpan = Slot(pos, expected);
        var slot = BinaryPrimitives.ReadUInt64LittleEndian(slotSpan);
        if ((slot & 0x8000_0000_0000_0000UL) != 0)
        {
            var length = (int)((slot >> 56) & 0x7F);
            if (length > 7)
                throw new CorruptRecordException($"BinaryRow is corrupt: field {pos} ({_fields[pos].Describe()}) is marked inline with length {length}; at most 7 bytes fit a slot.");
            return slotSpan[..length];
        }
        return Range(pos, (long)(slot >> 32), (long)(uint)slot);
    }

    private ReadOnlySpan<byte> Range(int pos, long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > Bytes.Length)
        {
            throw new CorruptRecordException(
                $"BinaryRow is corrupt: field {pos} ({_fields[pos].Describe()}) points at {length} bytes at offset {offset} but the row has {Bytes.Length} bytes.");
        }
        return Bytes.Span.Slice((int)offset, (int)length);
    }

    private ReadOnlySpan<byte> Slot(int pos, FieldKind expected)
    {
        CheckPos(pos);
        if (_fields[pos].Kind != expected)
            throw new InvalidOperationException($"Field {pos} ({_fields[pos].Describe()}) cannot be read as {expected.ToString().ToUpperInvariant()}.");
        if (IsNullAt(pos))
            throw new InvalidOperationException($"Field {pos} ({_fields[pos].Describe()}) is null; check IsNullAt first.");
        return Bytes.Span.Slice(_nullBitsSize + 8 * pos, 8);
    }

    private void CheckPos(int pos)
    {
        if ((uint)pos >= (uint)_fields.Length)
            throw new ArgumentOutOfRangeException(nameof(pos), pos, $"The row has {_fields.Length} fields.");
    }

    public bool Equals(BinaryRow? other) => other is not null && Bytes.Span.SequenceEqual(other.Bytes.Span);

    public override bool Equals(object? obj) => obj is BinaryRow other && Equals(other);

    /// <summary>Paimon's BinaryRow hash: MurmurHash3 x86_32 over the row bytes as 4-byte words, seed 42.</summary>
    public override int GetHashCode() => MurmurHash.HashBytesByWords(Bytes.Span);

    public override string ToString() => GenericRow.CopyOf(this, RowType).ToString();
}
