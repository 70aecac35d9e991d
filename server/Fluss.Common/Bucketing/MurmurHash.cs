using System.Buffers.Binary;
using System.Numerics;

namespace Fluss.Bucketing;

/// <summary>
/// The MurmurHash3 x86_32 variant Fluss and Paimon use (seed 42 by default). Whole 4-byte words are read
/// little-endian; trailing bytes are mixed <b>one signed byte at a time</b>, each as its own block, rather than with
/// standard MurmurHash3's tail handling.
/// </summary>
public static class MurmurHash
{
    /// <summary>The seed Fluss and Paimon use.</summary>
    public const int DefaultSeed = 42;

    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    /// <summary>Hashes any number of bytes; trailing bytes are mixed one signed byte at a time.</summary>
    public static int HashBytes(ReadOnlySpan<byte> data, int seed = DefaultSeed)
    {
        var aligned = data.Length & ~3;
        var h = HashWords(data[..aligned], (uint)seed);
        for (var i = aligned; i < data.Length; i++)
            h = MixH1(h, MixK1((uint)(sbyte)data[i]));
        return (int)Fmix(h ^ (uint)data.Length);
    }

    /// <summary>Hashes data whose length is a multiple of 4 (as Paimon hashes BinaryRows).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 4.</exception>
    public static int HashBytesByWords(ReadOnlySpan<byte> data, int seed = DefaultSeed)
    {
        if ((data.Length & 3) != 0)
            throw new ArgumentException($"Hashing by words needs a length that is a multiple of 4, got {data.Length}.", nameof(data));
        return (int)Fmix(HashWords(data, (uint)seed) ^ (uint)data.Length);
    }

    /// <summary>
    /// Fluss's extra mix of a 32-bit hash before it picks a bucket: one MurmurHash3 round with seed 0, the finalizer
    /// with length 4, then the absolute value (Int32.MinValue becomes 0). Never negative.
    /// </summary>
    public static int MurmurHashInt(int code)
    {
        var k = (uint)code;
        k *= C1;
        k = BitOperations.RotateLeft(k, 15);
        k *= C2;
        k = BitOperations.RotateLeft(k, 13);
        k = k * 5 + 0xe6546b64;
        k ^= 4;
        var h = (int)Fmix(k);
        if (h >= 0) return h;
        return h == int.MinValue ? 0 : -h;
    }

    /// <summary>The MurmurHash3 32-bit finalizer (bit mix).</summary>
    public static int Fmix(int h) => (int)Fmix((uint)h);

    private static uint HashWords(ReadOnlySpan<byte> data, uint h)
    {
        for (var i = 0; i + 4 <= data.Length; i += 4)
            h = MixH1(h, MixK1(BinaryPrimitives.ReadUInt32LittleEndian(data[i..])));
        return h;
    }

    private static uint MixK1(uint k)
    {
        k *= C1;
        k = BitOperations.RotateLeft(k, 15);
        return k * C2;
    }

    private static uint MixH1(uint h, uint k)
    {
        h ^= k;
        h = BitOperations.RotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static uint Fmix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
