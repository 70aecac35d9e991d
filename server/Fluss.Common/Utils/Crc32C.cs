using System.Buffers.Binary;
using System.Numerics;

namespace Fluss.Utils;

/// <summary>
/// CRC-32C (Castagnoli), as used by Fluss record batches: initial value 0xFFFFFFFF, reflected polynomial
/// 0x82F63B78, final XOR 0xFFFFFFFF. Uses the CPU's CRC32 instruction where available.
/// </summary>
public static class Crc32C
{
    private const uint InitialValue = 0xFFFFFFFFu;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(InitialValue, data);

    /// <summary>
    /// Continues a running checksum: start with <c>Append(0, first)</c> and feed further chunks with the previous result;
    /// <c>Append(Append(0, a), b) == Compute(a ++ b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
