using System.Runtime.CompilerServices;

namespace Fluss.Arrow;

/// <summary>LSB-first bitmaps as Arrow stores validity and boolean values.</summary>
internal static class Bitmaps
{
    public static int ByteCount(int bitCount) => (int)(((long)bitCount + 7) >> 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Get(ReadOnlySpan<byte> bitmap, int index) => (bitmap[index >> 3] & (1 << (index & 7))) != 0;

    /// <summary>Appends one bit to a bitmap that currently holds <paramref name="bitCount"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Append(PooledBuffer bitmap, int bitCount, bool value)
    {
        if ((bitCount & 7) == 0)
        {
            bitmap.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
            bitmap.Advance(1);
        }
        else if (value)
        {
            bitmap.RawArray[bitCount >> 3] |= (byte)(1 << (bitCount & 7));
        }
    }

    /// <summary>Drops the last bit of a bitmap holding <paramref name="bitCount"/> bits.</summary>
    public static void RemoveLast(PooledBuffer bitmap, int bitCount)
    {
        var last = bitCount - 1;
        if ((last & 7) == 0) bitmap.SetLength(bitmap.Length - 1);
        else bitmap.RawArray[last >> 3] &= (byte)~(1 << (last & 7));
    }

    /// <summary>Appends <paramref name="count"/> bits of <paramref name="source"/> starting at bit <paramref name="sourceBit"/>.</summary>
    public static void AppendBits(PooledBuffer bitmap, int bitCount, ReadOnlySpan<byte> source, int sourceBit, int count)
    {
        if (count == 0) return;
        var newBytes = ByteCount(bitCount + count) - bitmap.Length;
        if (newBytes > 0) bitmap.WriteZeros(newBytes);
        var dst = bitmap.RawArray;
        if ((bitCount & 7) == 0 && (sourceBit & 7) == 0)
        {
            var fullBytes = count >> 3;
            source.Slice(sourceBit >> 3, fullBytes).CopyTo(dst.AsSpan(bitCount >> 3));
            for (var i = fullBytes << 3; i < count; i++)
                if (Get(source, sourceBit + i)) dst[(bitCount + i) >> 3] |= (byte)(1 << ((bitCount + i) & 7));
            return;
        }
        for (var i = 0; i < count; i++)
        {
            if (Get(source, sourceBit + i))
            {
                var b = bitCount + i;
                dst[b >> 3] |= (byte)(1 << (b & 7));
            }
        }
    }

    /// <summary>Appends <paramref name="count"/> set bits.</summary>
    public static void AppendOnes(PooledBuffer bitmap, int bitCount, int count)
    {
        if (count == 0) return;
        var newBytes = ByteCount(bitCount + count) - bitmap.Length;
        if (newBytes > 0) bitmap.WriteZeros(newBytes);
        var dst = bitmap.RawArray;
        var i = 0;
        while (i < count && ((bitCount + i) & 7) != 0)
        {
            var b = bitCount + i;
            dst[b >> 3] |= (byte)(1 << (b & 7));
            i++;
        }
        var whole = (count - i) >> 3;
        if (whole > 0)
        {
            dst.AsSpan((bitCount + i) >> 3, whole).Fill(0xFF);
            i += whole << 3;
        }
        for (; i < count; i++)
        {
            var b = bitCount + i;
            dst[b >> 3] |= (byte)(1 << (b & 7));
        }
    }

    /// <summary>Copies <paramref name="count"/> bits starting at <paramref name="sourceBit"/> to a new bitmap starting at bit 0.</summary>
    public static void CopyShifted(ReadOnlySpan<byte> source, int sourceBit, int count, Span<byte> destination)
    {
        destination[..ByteCount(count)].Clear();
        for (var i = 0; i < count; i++)
            if (Get(source, sourceBit + i)) destination[i >> 3] |= (byte)(1 << (i & 7));
    }
}
