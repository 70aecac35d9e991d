using System.Buffers.Binary;
using System.Globalization;
using Fluss.Errors;

namespace Fluss.Records.Kv;

/// <summary>
/// Checks shared by the record enumerators of the KV and value record batches: both start with an int32 length
/// field, hold a non-negative int32 record count and end exactly where their last record ends.
/// </summary>
internal static class BatchRecordWalk
{
    private const int LengthLength = 4;

    /// <summary>Checks that the buffer holds the header and exactly the batch its length field declares.</summary>
    /// <param name="name">How messages name the batch, e.g. "KV record batch".</param>
    /// <param name="headerName">How messages name the header, e.g. "batch header".</param>
    internal static void EnsureFramed(ReadOnlySpan<byte> batch, int headerSize, string name, string headerName)
    {
        if (batch.Length < headerSize)
        {
            throw new CorruptMessageException(Fmt(
                "{0} is corrupt: the buffer holds {1} bytes, fewer than the {2}-byte {3}.", name, batch.Length, headerSize, headerName));
        }
        var declared = (long)BinaryPrimitives.ReadInt32LittleEndian(batch) + LengthLength;
        if (declared != batch.Length)
        {
            throw new CorruptMessageException(Fmt(
                "{0} is corrupt: the length field gives a batch size of {1} bytes but the buffer holds {2} bytes.", name, declared, batch.Length));
        }
    }

    /// <summary>Reads the record count, which must not be negative.</summary>
    internal static int ReadRecordCount(ReadOnlySpan<byte> batch, int recordCountOffset, string name)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(batch[recordCountOffset..]);
        if (count < 0)
            throw new CorruptMessageException(Fmt("{0} is corrupt: record count {1} is negative.", name, count));
        return count;
    }

    /// <summary>
    /// Whether every record has been read (<paramref name="index"/> reached <paramref name="count"/>); the first
    /// time, checks that the records end where the batch ends.
    /// </summary>
    internal static bool IsDone(ref int index, int count, int position, int batchLength, string name)
    {
        if (index < count) return false;
        if (index == count && position != batchLength)
        {
            index++;
            throw new CorruptRecordException(Fmt(
                "{0} is corrupt: its {1} records end at byte {2} but the batch has {3} bytes.", name, count, position, batchLength));
        }
        return true;
    }

    internal static string Fmt(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
