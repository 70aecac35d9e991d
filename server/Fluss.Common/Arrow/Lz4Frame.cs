using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Hash.xxHash;

namespace Fluss.Arrow;

/// <summary>
/// LZ4 frame format (v1.6) for Arrow buffers. Compression writes what Fluss's Java writer writes: FLG 0x60 (version 1,
/// independent blocks, no checksums, no content size), BD 0x40 (64 KiB blocks), the header checksum byte, then
/// blocks (stored raw with the high bit set when LZ4 does not make them smaller) and a zero end mark.
/// Decompression accepts any single frame (linked blocks, checksums and content size included).
/// </summary>
internal static class Lz4Frame
{
    public const int Magic = 0x184D2204;
    public const byte FrameFlags = 0x60;
    public const byte BlockDescriptor = 0x40;
    public const int BlockSize = 64 * 1024;
    private const uint IncompressibleBit = 0x80000000;

    private static readonly int MaxCompressedBlock = LZ4Codec.MaximumOutputSize(BlockSize);

    /// <summary>Bytes <see cref="Compress"/> may need for <paramref name="length"/> input bytes.</summary>
    public static int CompressBound(int length)
    {
        var blocks = ((long)length + BlockSize - 1) / BlockSize;
        return checked((int)(7 + (blocks * (4 + MaxCompressedBlock)) + 4));
    }

    /// <summary>The header checksum byte: the second byte of XXH32(FLG, BD) with seed 0.</summary>
    public static byte HeaderChecksum(byte flags, byte blockDescriptor)
    {
        ReadOnlySpan<byte> descriptor = [flags, blockDescriptor];
        return (byte)((XXH32.DigestOf(descriptor) >> 8) & 0xFF);
    }

    private static readonly byte DefaultHeaderChecksum = HeaderChecksum(FrameFlags, BlockDescriptor);

    /// <summary>Compresses <paramref name="source"/> into one frame; <paramref name="destination"/> must hold <see cref="CompressBound"/> bytes.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, Magic);
        destination[4] = FrameFlags;
        destination[5] = BlockDescriptor;
        destination[6] = DefaultHeaderChecksum;
        var pos = 7;
        while (!source.IsEmpty)
        {
            var block = source[..Math.Min(BlockSize, source.Length)];
            source = source[block.Length..];
            var encoded = LZ4Codec.Encode(block, destination[(pos + 4)..], LZ4Level.L00_FAST);
            if (encoded <= 0 || encoded >= block.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[pos..], (uint)block.Length | IncompressibleBit);
                block.CopyTo(destination[(pos + 4)..]);
                pos += 4 + block.Length;
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(destination[pos..], encoded);
                pos += 4 + encoded;
            }
        }
        BinaryPrimitives.WriteInt32LittleEndian(destination[pos..], 0);
        return pos + 4;
    }

    /// <summary>Null when the bytes start like an LZ4 frame, otherwise what is wrong.</summary>
    public static string? CheckMagic(ReadOnlySpan<byte> source)
    {
        if (source.Length < 7) return $"the LZ4 frame has only {source.Length} bytes, less than a frame header";
        var magic = BinaryPrimitives.ReadInt32LittleEndian(source);
        return magic == Magic ? null : $"LZ4 frame magic is 0x{magic:X8}, expected 0x{Magic:X8}";
    }

    /// <summary>
    /// Decompresses one frame into <paramref name="destination"/>, which must be filled exactly. Returns null on
    /// success or a description of what is wrong.
    /// </summary>
    public static string? TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var headerError = CheckMagic(source);
        if (headerError is not null) return headerError;
        var flg = source[4];
        var bd = source[5];
        if ((flg >> 6) != 1) return $"LZ4 frame version {flg >> 6} is not supported";
        if ((flg & 0x02) != 0) return "LZ4 frame reserved flag bit is set";
        var independent = (flg & 0x20) != 0;
        var blockChecksum = (flg & 0x10) != 0;
        var hasContentSize = (flg & 0x08) != 0;
        var contentChecksum = (flg & 0x04) != 0;
        if ((flg & 0x01) != 0) return "LZ4 frames with a dictionary id are not supported";
        var sizeCode = (bd >> 4) & 0x7;
        if ((bd & 0x8F) != 0 || sizeCode < 4) return $"LZ4 block descriptor 0x{bd:X2} is invalid";
        var maxBlock = 1 << ((2 * sizeCode) + 8);
        var pos = 6;
        if (hasContentSize)
        {
            if (source.Length < pos + 9) return "the LZ4 frame header is truncated";
            var contentSize = BinaryPrimitives.ReadInt64LittleEndian(source[pos..]);
            if (contentSize != destination.Length)
                return $"the LZ4 frame declares {contentSize} content bytes but the buffer declares {destination.Length}";
            pos += 8;
        }
        if (source[pos] != HeaderChecksum(flg, bd, hasContentSize ? source.Slice(6, 8) : default))
            return "the LZ4 frame header checksum does not match";
        pos++;

        var written = 0;
        while (true)
        {
            if (source.Length - pos < 4) return "the LZ4 frame ends before its end mark";
            var word = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
            pos += 4;
            if (word == 0) break;
            var raw = (word & IncompressibleBit) != 0;
            var size = (int)(word & ~IncompressibleBit);
            if (size > maxBlock) return $"an LZ4 block of {size} bytes exceeds the frame's maximum block size {maxBlock}";
            if (source.Length - pos < size + (blockChecksum ? 4 : 0)) return "an LZ4 block runs past the end of the buffer";
            var block = source.Slice(pos, size);
            pos += size + (blockChecksum ? 4 : 0);
            var room = destination[written..];
            if (raw)
            {
                if (size > room.Length) return $"the LZ4 frame holds more than the declared {destination.Length} bytes";
                block.CopyTo(room);
                written += size;
                continue;
            }
            var target = room[..Math.Min(room.Length, maxBlock)];
            int decoded;
            if (independent || written == 0)
            {
                decoded = LZ4Codec.Decode(block, target);
            }
            else
            {
                var dictionaryStart = Math.Max(0, written - (64 * 1024));
                decoded = LZ4Codec.Decode(block, target, destination[dictionaryStart..written]);
            }
            if (decoded < 0) return $"an LZ4 block is corrupt or holds more than the declared {destination.Length} bytes";
            written += decoded;
        }
        if (contentChecksum && source.Length - pos < 4) return "the LZ4 frame ends inside its content checksum";
        return written == destination.Length
            ? null
            : $"the LZ4 frame holds {written} bytes but the buffer declares {destination.Length}";
    }

    private static byte HeaderChecksum(byte flags, byte blockDescriptor, ReadOnlySpan<byte> contentSize)
    {
        Span<byte> descriptor = stackalloc byte[10];
        descriptor[0] = flags;
        descriptor[1] = blockDescriptor;
        contentSize.CopyTo(descriptor[2..]);
        return (byte)((XXH32.DigestOf(descriptor[..(2 + contentSize.Length)]) >> 8) & 0xFF);
    }
}
