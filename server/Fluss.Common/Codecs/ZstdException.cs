namespace Fluss.Codecs;

/// <summary>
/// A Zstandard operation failed: a frame that is corrupt, truncated or larger than its destination, or a destination
/// too small for the compressed frame. The message is zstd's error name ("Data corruption detected",
/// "Unknown frame descriptor", ...), the same from the native library and the managed port.
/// </summary>
internal sealed class ZstdException(string message) : Exception(message);
