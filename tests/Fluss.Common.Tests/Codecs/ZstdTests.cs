using System.Runtime.InteropServices;
using CsCheck;
using Fluss.Codecs;
using ZstdSharp.Unsafe;

namespace Fluss.Tests.Codecs;

public class ZstdTests
{
    private const string Native = "native";
    private const string Managed = "managed";

    public static TheoryData<string> Backends => [Native, Managed];

    /// <summary>Where Debian and Ubuntu's libzstd1 puts the library.</summary>
    private static string DebianLibraryPath => $"/usr/lib/{(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64")}-linux-gnu/libzstd.so.1";

    [Fact]
    public void Implementation_LibzstdInstalled_IsNative()
    {
        var installed = OperatingSystem.IsLinux() && File.Exists(DebianLibraryPath);
        var forcedManaged = string.Equals(Environment.GetEnvironmentVariable(Zstd.ImplementationVariable), Managed, StringComparison.OrdinalIgnoreCase);
        if (installed)
        {
            Assert.True(NativeZstd.IsAvailable, $"{DebianLibraryPath} exists but libzstd did not load");
            // libzstd.so.1 links to libzstd.so.1.<minor>.<patch>, the version the library reports.
            var target = new FileInfo(DebianLibraryPath).ResolveLinkTarget(returnFinalTarget: true)?.Name;
            if (target is not null) Assert.Equal($"libzstd.so.{NativeZstd.Version}", target);
        }
        Assert.Equal(NativeZstd.IsAvailable && !forcedManaged, Zstd.IsNative);
        Assert.Equal(Zstd.IsNative ? $"native libzstd {NativeZstd.Version}" : "managed ZstdSharp", Zstd.Implementation);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Compress_ArrowLikeBuffers_RoundTrip(string backend)
    {
        ArrowLikeBuffer.Sample(data =>
        {
            var frame = CompressWith(backend, data, 3);
            Assert.True(TryContentSize(backend, frame, out var size));
            Assert.Equal((ulong)data.Length, size);
            var decoded = new byte[data.Length];
            Assert.Equal(data.Length, DecompressWith(backend, frame, decoded));
            Assert.Equal(data, decoded);
        }, iter: 60);
    }

    [Fact]
    public void Compress_Native_DecodesWithTheManagedPort()
    {
        RequireNative();
        ArrowLikeBuffer.Sample(data =>
        {
            var frame = CompressWith(Native, data, 3);
            using var decompressor = new ZstdSharp.Decompressor();
            Assert.Equal(data, decompressor.Unwrap(frame).ToArray());
        }, iter: 60);
    }

    [Fact]
    public void Decompress_Native_ReadsFramesOfTheManagedPort()
    {
        RequireNative();
        ArrowLikeBuffer.Sample(data =>
        {
            using var compressor = new ZstdSharp.Compressor(3);
            var frame = compressor.Wrap(data).ToArray();
            var decoded = new byte[data.Length];
            Assert.Equal(data.Length, NativeZstd.Decompress(frame, decoded));
            Assert.Equal(data, decoded);
        }, iter: 60);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Compress_LevelChangesOnOneThread_EachLevelIsApplied(string backend)
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)("fluss log segment "[i % 18] ^ (i / 5000))).ToArray();
        var fast = CompressWith(backend, data, 1);
        var strong = CompressWith(backend, data, 19);
        Assert.True(strong.Length < fast.Length, $"level 19 gave {strong.Length} bytes, level 1 gave {fast.Length}");
        Assert.Equal(fast, CompressWith(backend, data, 1));
        Assert.Equal(strong, CompressWith(backend, data, 19));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Compress_EmptyInput_GivesAFrameOfNoBytes(string backend)
    {
        var frame = CompressWith(backend, [], 3);
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], frame[..4]); // the Zstandard magic number, little-endian
        Assert.True(TryContentSize(backend, frame, out var size));
        Assert.Equal(0UL, size);
        Assert.Equal(0, DecompressWith(backend, frame, []));
        Assert.Equal(0, DecompressWith(backend, [], []));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Decompress_NotAFrame_ThrowsTypedErrorWithTheZstdErrorName(string backend)
    {
        var ex = Assert.Throws<ZstdException>(() => DecompressWith(backend, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], new byte[100]));
        Assert.Equal("Unknown frame descriptor", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Decompress_TruncatedFrame_ThrowsTypedError(string backend)
    {
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)(i % 251)).ToArray();
        var frame = CompressWith(backend, data, 3);
        var target = new byte[data.Length];
        for (var length = 1; length < frame.Length; length++)
        {
            var ex = Assert.Throws<ZstdException>(() => DecompressWith(backend, frame.AsSpan(0, length), target));
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
        Assert.Equal("Src size is incorrect", Assert.Throws<ZstdException>(() => DecompressWith(backend, frame.AsSpan(0, frame.Length - 1), target)).Message);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Decompress_DestinationTooSmall_ThrowsTypedError(string backend)
    {
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)(i % 7)).ToArray();
        var frame = CompressWith(backend, data, 3);
        var ex = Assert.Throws<ZstdException>(() => DecompressWith(backend, frame, new byte[data.Length - 1]));
        Assert.Equal("Destination buffer is too small", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Decompress_MutatedFrames_OnlyTypedErrors(string backend)
    {
        var data = Enumerable.Range(0, 20_000).Select(i => (byte)((i * 31 / 17) % 97)).ToArray();
        var frame = CompressWith(backend, data, 3);
        var target = new byte[data.Length + 64];
        Gen.Select(Gen.Int[0, frame.Length - 1], Gen.Byte).Array[1, 4].Sample(edits =>
        {
            var copy = (byte[])frame.Clone();
            foreach (var (position, value) in edits) copy[position] = value;
            try
            {
                Assert.InRange(DecompressWith(backend, copy, target), 0, target.Length);
            }
            catch (ZstdException)
            {
            }
        }, iter: 500);
    }

    [Fact]
    public void Decompress_CorruptFrame_NativeAndManagedReportTheSameError()
    {
        RequireNative();
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)(i % 251)).ToArray();
        var frame = CompressWith(Managed, data, 3);
        var target = new byte[data.Length];
        foreach (var input in new[] { frame[..^1], frame[..5], new byte[] { 9, 9, 9, 9, 9, 9 } })
        {
            var native = Assert.Throws<ZstdException>(() => NativeZstd.Decompress(input, target)).Message;
            Assert.Equal(native, Assert.Throws<ZstdException>(() => ManagedZstd.Decompress(input, target)).Message);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Compress_DestinationTooSmall_ThrowsTypedError(string backend)
    {
        var data = new byte[1000];
        new Random(5).NextBytes(data);
        var ex = Assert.Throws<ZstdException>(() => CompressWith(backend, data, new byte[100], 3));
        Assert.Equal("Destination buffer is too small", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void TryGetFrameContentSize_Headers_AreReadWithoutDecompressing(string backend)
    {
        var frame = CompressWith(backend, new byte[4000], 3);
        Assert.True(TryContentSize(backend, frame, out var size));
        Assert.Equal(4000UL, size);
        var headerLength = FrameHeaderLength(frame);
        Assert.True(TryContentSize(backend, frame.AsSpan(0, headerLength), out size)); // the header alone suffices
        Assert.Equal(4000UL, size);
        Assert.False(TryContentSize(backend, frame.AsSpan(0, headerLength - 1), out _));
        Assert.False(TryContentSize(backend, frame.AsSpan(0, 3), out _));
        Assert.False(TryContentSize(backend, [], out _));
        Assert.False(TryContentSize(backend, [0x33, 0x33, 0x33, 0x33, 0, 0, 0, 0, 0], out _));

        using var compressor = new ZstdSharp.Compressor(3);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, 0);
        var unsized = compressor.Wrap(new byte[4000]).ToArray();
        Assert.True(TryContentSize(backend, unsized, out size));
        Assert.Null(size);
        Assert.Equal(4000, DecompressWith(backend, unsized, new byte[4000]));
    }

    [Fact]
    public void CompressBound_NativeAndManaged_Agree()
    {
        RequireNative();
        foreach (var length in new[] { 0, 1, 100, 2047, 2048, 131_071, 131_072, 131_073, 1 << 20, 1 << 30 })
            Assert.Equal(ManagedZstd.CompressBound(length), NativeZstd.CompressBound(length));
        Assert.True(NativeZstd.CompressBound(1 << 20) > 1 << 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeZstd.CompressBound(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ManagedZstd.CompressBound(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeZstd.CompressBound(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ManagedZstd.CompressBound(int.MaxValue));
    }

    [Fact]
    public async Task Zstd_ManyThreads_EachUsesItsOwnContexts()
    {
        var inputs = Enumerable.Range(0, 8).Select(t => Enumerable.Range(0, 50_000).Select(i => (byte)((i / (t + 1)) % 101)).ToArray()).ToArray();
        var tasks = inputs.Select(data => Task.Run(() =>
        {
            for (var round = 0; round < 20; round++)
            {
                var frame = new byte[Zstd.CompressBound(data.Length)];
                var length = Zstd.Compress(data, frame, 1 + (round % 5));
                var decoded = new byte[data.Length];
                if (Zstd.Decompress(frame.AsSpan(0, length), decoded) != data.Length || !decoded.AsSpan().SequenceEqual(data))
                    return false;
            }
            return true;
        })).ToArray();
        Assert.All(await Task.WhenAll(tasks), Assert.True);
    }

    /// <summary>Column buffers as an Arrow batch has them: ints, timestamps, offsets, strings, bitmaps, random bytes.</summary>
    private static readonly Gen<byte[]> ArrowLikeBuffer = Gen.Int[0, 6].SelectMany(kind => Gen.Int[0, 70_000].SelectMany(n => Gen.Int.Select(seed => Build(kind, n, seed))));

    private static byte[] Build(int kind, int n, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[n];
        var span = bytes.AsSpan();
        switch (kind)
        {
            case 0: // INT ids
                for (var i = 0; i + 4 <= n; i += 4) BitConverter.TryWriteBytes(span[i..], (i / 4) + seed);
                break;
            case 1: // BIGINT timestamps, a few milliseconds apart
                var t = 1_700_000_000_000L;
                for (var i = 0; i + 8 <= n; i += 8) BitConverter.TryWriteBytes(span[i..], t += random.Next(0, 5));
                break;
            case 2: // string data
                var words = new[] { "orders", "shipped", "pending", "Berlin", "Hangzhou", "paid", "refund" };
                for (var i = 0; i < n;)
                {
                    foreach (var c in words[random.Next(words.Length)])
                        if (i < n) bytes[i++] = (byte)c;
                }
                break;
            case 3: // validity bitmap, mostly valid
                for (var i = 0; i < n; i++) bytes[i] = random.Next(20) == 0 ? (byte)random.Next(256) : (byte)0xFF;
                break;
            case 4: // DOUBLE measurements
                for (var i = 0; i + 8 <= n; i += 8) BitConverter.TryWriteBytes(span[i..], Math.Round(random.NextDouble() * 100, 2));
                break;
            case 5: // incompressible
                random.NextBytes(bytes);
                break;
        }
        return bytes;
    }

    /// <summary>Magic, frame header descriptor, window descriptor, dictionary id and content size, per RFC 8878 §3.1.1.1.</summary>
    internal static int FrameHeaderLength(ReadOnlySpan<byte> frame)
    {
        var descriptor = frame[4];
        var singleSegment = (descriptor >> 5) & 1;
        var sizeFlag = descriptor >> 6;
        ReadOnlySpan<int> dictionaryIdBytes = [0, 1, 2, 4];
        var contentSizeBytes = sizeFlag == 0 ? singleSegment : 1 << sizeFlag;
        return 4 + 1 + (1 - singleSegment) + dictionaryIdBytes[descriptor & 3] + contentSizeBytes;
    }

    private static void RequireNative() =>
        Assert.True(NativeZstd.IsAvailable, "libzstd (Debian package libzstd1) did not load; scripts/prereqs.sh installs it");

    private static byte[] CompressWith(string backend, ReadOnlySpan<byte> data, int level)
    {
        var frame = new byte[backend == Native ? NativeZstd.CompressBound(data.Length) : ManagedZstd.CompressBound(data.Length)];
        return frame.AsSpan(0, CompressWith(backend, data, frame, level)).ToArray();
    }

    private static int CompressWith(string backend, ReadOnlySpan<byte> data, Span<byte> frame, int level)
    {
        if (backend == Managed) return ManagedZstd.Compress(data, frame, level);
        RequireNative();
        return NativeZstd.Compress(data, frame, level);
    }

    private static int DecompressWith(string backend, ReadOnlySpan<byte> frame, Span<byte> target)
    {
        if (backend == Managed) return ManagedZstd.Decompress(frame, target);
        RequireNative();
        return NativeZstd.Decompress(frame, target);
    }

    private static bool TryContentSize(string backend, ReadOnlySpan<byte> frame, out ulong? size)
    {
        if (backend == Native) RequireNative();
        return Zstd.ReadContentSize(backend == Native ? NativeZstd.FrameContentSize(frame) : ManagedZstd.FrameContentSize(frame), out size);
    }
}
