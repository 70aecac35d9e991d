using System.Buffers.Binary;
using System.Numerics;

namespace Fluss.Records.Log;

/// <summary>CRC-32C (Castagnoli) as log batches use it: initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF.</summary>
internal static class LogCrc
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a raw (not finalized) CRC state over more bytes.</summary>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        var crc = state;
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
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
