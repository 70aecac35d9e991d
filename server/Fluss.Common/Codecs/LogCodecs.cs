namespace Fluss.Codecs;

/// <summary>What compresses and decompresses the Arrow log in this process.</summary>
public static class LogCodecs
{
    /// <summary>
    /// The Zstandard implementation in use: <c>native libzstd VERSION</c> when the system's libzstd loads, otherwise
    /// <c>managed ZstdSharp</c> (also when the environment variable <c>FLUSS_ZSTD=managed</c> is set).
    /// </summary>
    public static string ZstdImplementation => Zstd.Implementation;
}
