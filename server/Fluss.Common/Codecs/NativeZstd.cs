using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fluss.Codecs;

/// <summary>
/// Zstandard through the system's libzstd (Debian/Ubuntu package libzstd1). The library is looked up as
/// <c>libzstd.so.1</c>, then <c>libzstd</c> (the development symlink); <see cref="IsAvailable"/> is false when neither
/// loads or the version is older than 1.4. Contexts are created once per thread and freed by their finalizer when
/// the thread is gone.
/// </summary>
internal static unsafe partial class NativeZstd
{
    private const string Library = "libzstd.so.1";
    private const uint MinimumVersion = 10400;

    private static readonly nint LibraryHandle;

    [ThreadStatic]
    private static CompressionContext? t_compression;

    [ThreadStatic]
    private static DecompressionContext? t_decompression;

#pragma warning disable CA1810 // the load, the resolver and the version probe must happen in this order
    static NativeZstd()
#pragma warning restore CA1810
    {
        if (!NativeLibrary.TryLoad(Library, typeof(NativeZstd).Assembly, null, out LibraryHandle)
            && !NativeLibrary.TryLoad("libzstd", typeof(NativeZstd).Assembly, null, out LibraryHandle))
            return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeZstd).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The assembly has a resolver already; the runtime's own probing for libzstd.so.1 applies.
        }
        try
        {
            if (ZSTD_versionNumber() < MinimumVersion) return;
            Version = Marshal.PtrToStringUTF8(ZSTD_versionString()) ?? "unknown";
            IsAvailable = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            IsAvailable = false;
        }
    }

    /// <summary>True when libzstd loaded and is recent enough.</summary>
    public static bool IsAvailable { get; }

    /// <summary>The library's version string (<c>ZSTD_versionString</c>), when it loaded.</summary>
    public static string? Version { get; }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Library ? LibraryHandle : 0;

    public static int CompressBound(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bound = ZSTD_compressBound((nuint)length);
        if (ZSTD_isError(bound) != 0 || bound > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The input is too large for one Zstandard frame in a span.");
        return (int)bound;
    }

    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        var context = t_compression ?? CreateCompressionContext();
        nuint result;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            result = ZSTD_compressCCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length, level);
        }
        return Check(result);
    }

    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var context = t_decompression ?? CreateDecompressionContext();
        nuint result;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            result = ZSTD_decompressDCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }
        return Check(result);
    }

    /// <summary>The raw result of <c>ZSTD_getFrameContentSize</c>.</summary>
    public static ulong FrameContentSize(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            return ZSTD_getFrameContentSize(p, (nuint)frame.Length);
        }
    }

    private static CompressionContext CreateCompressionContext()
    {
        var context = ZSTD_createCCtx();
        if (context.IsInvalid) throw new InsufficientMemoryException("libzstd could not allocate a compression context.");
        return t_compression = context;
    }

    private static DecompressionContext CreateDecompressionContext()
    {
        var context = ZSTD_createDCtx();
        if (context.IsInvalid) throw new InsufficientMemoryException("libzstd could not allocate a decompression context.");
        return t_decompression = context;
    }

    private static int Check(nuint result)
    {
        if (ZSTD_isError(result) != 0)
            throw new ZstdException(Marshal.PtrToStringUTF8(ZSTD_getErrorName(result)) ?? "Unknown zstd error");
        return (int)result; // never more than the destination's length
    }

    [LibraryImport(Library)]
    [SuppressGCTransition]
    private static partial uint ZSTD_versionNumber();

    [LibraryImport(Library)]
    [SuppressGCTransition]
    private static partial nint ZSTD_versionString();

    [LibraryImport(Library)]
    [SuppressGCTransition]
    private static partial nuint ZSTD_compressBound(nuint srcSize);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    private static partial nint ZSTD_getErrorName(nuint code);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    private static partial ulong ZSTD_getFrameContentSize(byte* src, nuint srcSize);

    [LibraryImport(Library)]
    private static partial CompressionContext ZSTD_createCCtx();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_freeCCtx(nint cctx);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_compressCCtx(CompressionContext cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

    [LibraryImport(Library)]
    private static partial DecompressionContext ZSTD_createDCtx();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_freeDCtx(nint dctx);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_decompressDCtx(DecompressionContext dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    /// <summary>A <c>ZSTD_CCtx*</c>, freed with <c>ZSTD_freeCCtx</c>.</summary>
    private sealed class CompressionContext : SafeHandle
    {
        public CompressionContext() : base(0, ownsHandle: true) { }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            _ = ZSTD_freeCCtx(handle);
            return true;
        }
    }

    /// <summary>A <c>ZSTD_DCtx*</c>, freed with <c>ZSTD_freeDCtx</c>.</summary>
    private sealed class DecompressionContext : SafeHandle
    {
        public DecompressionContext() : base(0, ownsHandle: true) { }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            _ = ZSTD_freeDCtx(handle);
            return true;
        }
    }
}
