namespace Fluss.Codecs;

/// <summary>
/// Zstandard single-frame compression on spans. Uses the system's native libzstd when it loads (it is about twice as
/// fast as the managed port on decompression), otherwise the managed ZstdSharp port; setting the environment variable
/// <c>FLUSS_ZSTD=managed</c> forces the managed port. The choice is made once per process. Both write and read
/// standard frames (with the content size in the header), so either reads what the other, or Fluss's Java
/// writer, wrote. Thread-safe: compression and decompression contexts are kept per thread.
/// </summary>
internal static class Zstd
{
    /// <summary>The environment variable that selects the implementation; <c>managed</c> forces the managed port.</summary>
    public const string ImplementationVariable = "FLUSS_ZSTD";

    private static readonly bool UseNative = !ManagedRequested() && NativeZstd.IsAvailable;

    /// <summary>True when the native libzstd does the work.</summary>
    public static bool IsNative => UseNative;

    /// <summary>The active implementation, e.g. <c>native libzstd 1.5.4</c> or <c>managed ZstdSharp</c>.</summary>
    public static string Implementation => UseNative ? $"native libzstd {NativeZstd.Version}" : "managed ZstdSharp";

    /// <summary>The largest frame <see cref="Compress"/> may write for <paramref name="length"/> input bytes.</summary>
    public static int CompressBound(int length) => UseNative ? NativeZstd.CompressBound(length) : ManagedZstd.CompressBound(length);

    /// <summary>
    /// Compresses <paramref name="source"/> into one frame at <paramref name="level"/> and returns the frame's length.
    /// A <paramref name="destination"/> of <see cref="CompressBound"/> bytes always suffices.
    /// </summary>
    /// <exception cref="ZstdException">The destination is too small.</exception>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level) =>
        UseNative ? NativeZstd.Compress(source, destination, level) : ManagedZstd.Compress(source, destination, level);

    /// <summary>Decompresses the frames of <paramref name="source"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ZstdException">The input is not a valid frame, is truncated, or does not fit the destination.</exception>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination) =>
        UseNative ? NativeZstd.Decompress(source, destination) : ManagedZstd.Decompress(source, destination);

    /// <summary>
    /// Reads the content size from the header of the frame at the start of <paramref name="frame"/> without
    /// decompressing. Returns false when the header is invalid or incomplete; <paramref name="contentSize"/> is null
    /// when the frame does not record its size.
    /// </summary>
    public static bool TryGetFrameContentSize(ReadOnlySpan<byte> frame, out ulong? contentSize) =>
        ReadContentSize(UseNative ? NativeZstd.FrameContentSize(frame) : ManagedZstd.FrameContentSize(frame), out contentSize);

    /// <summary>Interprets the result of <c>ZSTD_getFrameContentSize</c>.</summary>
    internal static bool ReadContentSize(ulong result, out ulong? contentSize)
    {
        const ulong unknown = ulong.MaxValue;
        const ulong error = ulong.MaxValue - 1;
        contentSize = result is unknown or error ? null : result;
        return result != error;
    }

    private static bool ManagedRequested() =>
        string.Equals(Environment.GetEnvironmentVariable(ImplementationVariable)?.Trim(), "managed", StringComparison.OrdinalIgnoreCase);
}
