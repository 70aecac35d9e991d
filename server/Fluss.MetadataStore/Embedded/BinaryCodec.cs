using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Fluss.MetadataStore.Embedded;

/// <summary>Little-endian writer for log records and snapshots.</summary>
internal sealed class CodecWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public CodecWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Clear() => _buffer.ResetWrittenCount();

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }
}

/// <summary>Little-endian reader with bounds checks; any overrun is an <see cref="InvalidDataException"/>.</summary>
internal ref struct CodecReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly int Position => _pos;

    public readonly int Remaining => _data.Length - _pos;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public byte[] ReadBytes()
    {
        var length = ReadInt32();
        if (length < 0) throw new InvalidDataException($"negative length {length} at offset {_pos - 4}");
        return Take(length).ToArray();
    }

    public string ReadString()
    {
        var length = ReadInt32();
        if (length < 0) throw new InvalidDataException($"negative string length {length} at offset {_pos - 4}");
        return Encoding.UTF8.GetString(Take(length));
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _pos)
            throw new InvalidDataException($"need {count} bytes at offset {_pos} but only {_data.Length - _pos} remain");
        var span = _data.Slice(_pos, count);
        _pos += count;
        return span;
    }
}
