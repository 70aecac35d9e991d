namespace Fluss.Utils;

/// <summary>Outcome of decoding a variable-length integer.</summary>
internal enum VarIntStatus
{
    Ok,

    /// <summary>The input ended before the last byte of the integer.</summary>
    Truncated,

    /// <summary>The encoding is longer than the integer type allows or sets bits beyond its width.</summary>
    Overflow,
}

/// <summary>
/// Unsigned LEB128 variable-length integers: 7 bits per byte, least significant group first, high bit set on every
/// byte but the last. A 32-bit value takes 1..5 bytes (negative ints, read as unsigned, take 5), a 64-bit value 1..10.
/// This is the encoding of Fluss's CompactedRow integers and length prefixes and of its record key lengths.
/// </summary>
internal static class VarInt
{
    public const int MaxInt32Bytes = 5;
    public const int MaxInt64Bytes = 10;

    /// <summary>The number of bytes <paramref name="value"/> takes.</summary>
    public static int SizeOf(uint value) => (31 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7 + 1;

    /// <summary>The number of bytes <paramref name="value"/> takes.</summary>
    public static int SizeOf(ulong value) => (63 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7 + 1;

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> of a buffer with room for 5 more bytes; returns the bytes written.</summary>
    public static int Write(byte[] buffer, int offset, uint value)
    {
        var start = offset;
        while (value >= 0x80)
        {
            buffer[offset++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[offset++] = (byte)value;
        return offset - start;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> of a buffer with room for 10 more bytes; returns the bytes written.</summary>
    public static int Write(byte[] buffer, int offset, ulong value)
    {
        var start = offset;
        while (value >= 0x80)
        {
            buffer[offset++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[offset++] = (byte)value;
        return offset - start;
    }

    /// <summary>Writes <paramref name="value"/> to the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a 32-bit value from the start of <paramref name="source"/>.</summary>
    public static VarIntStatus TryRead(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        uint result = 0;
        for (var i = 0; i < MaxInt32Bytes; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                bytesRead = i;
                return VarIntStatus.Truncated;
            }
            uint b = source[i];
            if (i == MaxInt32Bytes - 1 && b > 0x0F)
            {
                // The fifth byte carries the top 4 bits; anything more (or a continuation bit) overflows 32 bits.
                value = 0;
                bytesRead = i + 1;
                return VarIntStatus.Overflow;
            }
            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return VarIntStatus.Ok;
            }
        }
        value = 0;
        bytesRead = MaxInt32Bytes;
        return VarIntStatus.Overflow;
    }

    /// <summary>Reads a 64-bit value from the start of <paramref name="source"/>.</summary>
    public static VarIntStatus TryRead(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        ulong result = 0;
        for (var i = 0; i < MaxInt64Bytes; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                bytesRead = i;
                return VarIntStatus.Truncated;
            }
            ulong b = source[i];
            if (i == MaxInt64Bytes - 1 && b > 0x01)
            {
                // The tenth byte carries only the top bit of a 64-bit value.
                value = 0;
                bytesRead = i + 1;
                return VarIntStatus.Overflow;
            }
            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return VarIntStatus.Ok;
            }
        }
        value = 0;
        bytesRead = MaxInt64Bytes;
        return VarIntStatus.Overflow;
    }
}
