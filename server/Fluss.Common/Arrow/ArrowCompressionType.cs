namespace Fluss.Arrow;

/// <summary>
/// Compression of the buffers of an Arrow record batch in the ARROW log format (Fluss's
/// <c>table.log.arrow.compression.type</c>). Compression is Arrow-native and per buffer, so any Arrow reader can
/// decode it. Fluss's default is <see cref="Zstd"/> at level 3.
/// </summary>
public enum ArrowCompressionType
{
    /// <summary>Buffers are stored as they are.</summary>
    None,

    /// <summary>Each buffer is one LZ4 frame (independent 64 KiB blocks, no checksums), as Fluss writes it.</summary>
    Lz4Frame,

    /// <summary>Each buffer is one Zstandard frame.</summary>
    Zstd,
}
