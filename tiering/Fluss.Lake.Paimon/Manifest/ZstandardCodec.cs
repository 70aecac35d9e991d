using Avro.File;
using ZstdSharp;

namespace Fluss.Lake.Paimon.Manifest;

/// <summary>The Avro <c>zstandard</c> block codec (each block one zstd frame), which Paimon writes by default.</summary>
internal sealed class ZstandardCodec : Codec
{
    public const string Name = "zstandard";
    private const int Level = 3;

    private static int _registered;

    /// <summary>Makes Apache.Avro's readers resolve the <c>zstandard</c> codec name to this codec.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            RegisterResolver(name => string.Equals(name, Name, StringComparison.Ordinal) ? new ZstandardCodec() : null!);
    }

    public override byte[] Compress(byte[] uncompressedData)
    {
        ArgumentNullException.ThrowIfNull(uncompressedData);
        using var compressor = new Compressor(Level);
        return compressor.Wrap(uncompressedData).ToArray();
    }

    public override void Compress(MemoryStream inputStream, MemoryStream outputStream)
    {
        ArgumentNullException.ThrowIfNull(inputStream);
        ArgumentNullException.ThrowIfNull(outputStream);
        using var compressor = new Compressor(Level);
        var compressed = compressor.Wrap(inputStream.GetBuffer().AsSpan(0, (int)inputStream.Length));
        outputStream.SetLength(0);
        outputStream.Write(compressed);
    }

    public override byte[] Decompress(byte[] compressedData, int length)
    {
        ArgumentNullException.ThrowIfNull(compressedData);
        using var input = new MemoryStream(compressedData, 0, length, writable: false);
        using var zstd = new DecompressionStream(input);
        using var output = new MemoryStream();
        zstd.CopyTo(output);
        return output.ToArray();
    }

    public override string GetName() => Name;

    public override bool Equals(object? other) => other is ZstandardCodec;

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}
