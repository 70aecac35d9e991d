using ZstdSharp;

namespace Fluss.Codecs;

/// <summary>Zstandard through the managed ZstdSharp port: the fallback of <see cref="Zstd"/>.</summary>
internal static unsafe class ManagedZstd
{
    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    public static int CompressBound(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bound = ZstdSharp.Unsafe.Methods.ZSTD_compressBound((nuint)length);
        if (ZstdSharp.Unsafe.Methods.ZSTD_isError(bound) || bound > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The input is too large for one Zstandard frame in a span.");
        return (int)bound;
    }

    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        var compressor = t_compressor ??= new Compressor(level);
        compressor.Level = level;
        try
        {
            return compressor.Wrap(source, destination);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new ZstdException(e.Message);
        }
    }

    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        try
        {
            return (t_decompressor ??= new Decompressor()).Unwrap(source, destination);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new ZstdException(e.Message);
        }
    }

    /// <summary>The raw result of <c>ZSTD_getFrameContentSize</c>.</summary>
    public static ulong FrameContentSize(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            return ZstdSharp.Unsafe.Methods.ZSTD_getFrameContentSize(p, (nuint)frame.Length);
        }
    }
}
