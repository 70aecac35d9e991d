using System.Buffers.Binary;
using CsCheck;
using Fluss.Arrow;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using K4os.Hash.xxHash;

namespace Fluss.Tests.Log;

public class Lz4FrameTests
{
    [Fact]
    public void Compress_Header_IsWhatFlussWrites()
    {
        var data = new byte[1000];
        var frame = Compress(data);
        // Magic 0x184D2204, FLG 0x60 (version 1, independent blocks), BD 0x40 (64 KiB), HC = (XXH32(60 40) >> 8) & 0xFF.
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18, 0x60, 0x40 }, frame[..6]);
        Assert.Equal((byte)((XXH32.DigestOf(new byte[] { 0x60, 0x40 }) >> 8) & 0xFF), frame[6]);
        Assert.Equal(0x82, frame[6]);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(frame.Length - 4))); // end mark, no content checksum
    }

    [Fact]
    public void Compress_IncompressibleBlock_IsStoredRawWithHighBit()
    {
        var data = new byte[300];
        new Random(7).NextBytes(data);
        var frame = Compress(data);
        Assert.Equal(0x80000000u | 300u, BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(7)));
        Assert.Equal(data, frame.AsSpan(11, 300).ToArray());
        Assert.Equal(7 + 4 + 300 + 4, frame.Length);
    }

    [Fact]
    public void Compress_RandomData_DecodesWithOurDecoderAndTheStandardOne()
    {
        Gen.Frequency(
                (2, Gen.Byte.Array[0, 5000]),
                (1, Gen.Int[60_000, 200_000].Select(n => Enumerable.Range(0, n).Select(i => (byte)(i / 100 % 7)).ToArray())))
            .Sample(data =>
            {
                var frame = Compress(data);
                var ours = new byte[data.Length];
                Assert.Null(Lz4Frame.TryDecompress(frame, ours));
                Assert.Equal(data, ours);
                using var standard = LZ4Frame.Decode(new ReadOnlyMemory<byte>(frame));
                var theirs = new byte[data.Length];
                Assert.Equal(data.Length, standard.ReadManyBytes(theirs));
                Assert.Equal(data, theirs);
            }, iter: 40);
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    public void TryDecompress_FramesFromTheStandardEncoder_Decode(bool chainBlocks, bool blockChecksum, bool contentChecksum)
    {
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31 % 251 / 3)).ToArray();
        var settings = new LZ4EncoderSettings { ChainBlocks = chainBlocks, BlockChecksum = blockChecksum, ContentChecksum = contentChecksum };
        using var output = new MemoryStream();
        using (var encoder = LZ4Frame.Encode(output, settings, leaveOpen: true)) encoder.WriteManyBytes(data);
        var decoded = new byte[data.Length];
        Assert.Null(Lz4Frame.TryDecompress(output.ToArray(), decoded));
        Assert.Equal(data, decoded);
    }

    [Fact]
    public void TryDecompress_FrameWithContentSize_ChecksTheSize()
    {
        var data = Enumerable.Range(0, 3000).Select(i => (byte)(i % 10)).ToArray();
        var plain = Compress(data);
        // Re-issue the frame with the content-size flag, the 8-byte size and a recomputed header checksum.
        var descriptor = new byte[10];
        descriptor[0] = 0x68;
        descriptor[1] = 0x40;
        BinaryPrimitives.WriteInt64LittleEndian(descriptor.AsSpan(2), data.Length);
        var frame = new byte[] { 0x04, 0x22, 0x4D, 0x18 }.Concat(descriptor)
            .Append((byte)((XXH32.DigestOf(descriptor) >> 8) & 0xFF)).Concat(plain[7..]).ToArray();
        var decoded = new byte[data.Length];
        Assert.Null(Lz4Frame.TryDecompress(frame, decoded));
        Assert.Equal(data, decoded);
        Assert.Contains("declares 3000 content bytes", Lz4Frame.TryDecompress(frame, new byte[2999]), StringComparison.Ordinal);
        frame[14] ^= 1;
        Assert.Contains("header checksum", Lz4Frame.TryDecompress(frame, decoded), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecompress_WrongDeclaredLength_ReportsIt()
    {
        var frame = Compress(new byte[100]);
        var error = Lz4Frame.TryDecompress(frame, new byte[99]);
        Assert.Contains("declared", error, StringComparison.Ordinal);
        error = Lz4Frame.TryDecompress(frame, new byte[101]);
        Assert.Contains("100", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecompress_GarbageOrTruncated_ReturnsAnErrorWithoutThrowing()
    {
        var frame = Compress(Enumerable.Range(0, 5000).Select(i => (byte)(i % 13)).ToArray());
        var target = new byte[5000];
        for (var len = 0; len < frame.Length; len++)
            Assert.NotNull(Lz4Frame.TryDecompress(frame.AsSpan(0, len), target));
        Gen.Byte.Array[0, 200].Sample(bytes => _ = Lz4Frame.TryDecompress(bytes, new byte[64]), iter: 300);
        Gen.Int[0, frame.Length - 1].SelectMany(i => Gen.Byte.Select(b => (i, b))).Sample(t =>
        {
            var copy = (byte[])frame.Clone();
            copy[t.i] = t.b;
            _ = Lz4Frame.TryDecompress(copy, target); // must not throw, whatever it returns
        }, iter: 500);
    }

    private static byte[] Compress(byte[] data)
    {
        var buffer = new byte[Lz4Frame.CompressBound(data.Length)];
        var n = Lz4Frame.Compress(data, buffer);
        return buffer[..n];
    }
}
