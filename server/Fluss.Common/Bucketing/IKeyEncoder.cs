using Fluss.Rows;

namespace Fluss.Bucketing;

/// <summary>
/// Encodes the key fields of a row (primary key or bucket key) into the bytes Fluss stores and hashes.
/// Implementations reuse one buffer and are not thread-safe.
/// </summary>
public interface IKeyEncoder
{
    /// <summary>The key bytes of <paramref name="row"/>, as a new array.</summary>
    byte[] EncodeKey(IRow row);

    /// <summary>The key bytes of <paramref name="row"/> in the encoder's buffer, valid until its next call.</summary>
    ReadOnlySpan<byte> Encode(IRow row);
}
