using System.Buffers.Binary;
using Fluss.Errors;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Records.Log;

/// <summary>How a scan of concatenated log batches ended.</summary>
public enum LogTailState
{
    /// <summary>The bytes end exactly after the last batch.</summary>
    Complete,

    /// <summary>The bytes end inside a batch (a torn write or a size-limited fetch); the partial batch can be truncated.</summary>
    Truncated,

    /// <summary>A batch is corrupt (bad framing, or a bad CRC when checksums are verified).</summary>
    Corrupt,
}

/// <summary>The result of <see cref="LogRecords.Scan"/>.</summary>
/// <param name="ValidBytes">Bytes covered by the complete, valid batches; a log truncates to this length.</param>
/// <param name="BatchCount">Number of complete, valid batches.</param>
/// <param name="Tail">How the scan ended.</param>
/// <param name="Error">What is wrong when <paramref name="Tail"/> is <see cref="LogTailState.Corrupt"/>, otherwise null.</param>
public readonly record struct LogScanResult(int ValidBytes, int BatchCount, LogTailState Tail, string? Error);

/// <summary>
/// A run of concatenated LogRecordBatches (each 12 + Length bytes), as in a log segment, a fetch response or a
/// produce request. Enumerating yields a view of each complete batch and stops quietly at a partial last batch,
/// as Fluss does; framing corruption (a negative or too-small length, an unknown magic) throws
/// <see cref="CorruptMessageException"/>. <see cref="Scan"/> reports the tail without throwing.
/// </summary>
public readonly struct LogRecords
{
    private readonly ReadOnlyMemory<byte> _buffer;

    public LogRecords(ReadOnlyMemory<byte> buffer) => _buffer = buffer;

    public ReadOnlyMemory<byte> Buffer => _buffer;

    public int SizeInBytes => _buffer.Length;

    public Enumerator GetEnumerator() => new(_buffer);

    /// <summary>
    /// Walks all batches, checking framing and (when <paramref name="verifyChecksums"/>) each batch's
    /// <see cref="LogRecordBatch.EnsureValid"/>, and reports where the valid prefix ends and why.
    /// </summary>
    public LogScanResult Scan(bool verifyChecksums = true)
    {
        var position = 0;
        var count = 0;
        while (true)
        {
            var status = Next(_buffer, position, out var batch, out var error);
            switch (status)
            {
                case NextStatus.End:
                    return new LogScanResult(position, count, LogTailState.Complete, null);
                case NextStatus.Truncated:
                    return new LogScanResult(position, count, LogTailState.Truncated, null);
                case NextStatus.Corrupt:
                    return new LogScanResult(position, count, LogTailState.Corrupt, $"At byte {position}: {error}");
            }
            if (verifyChecksums)
            {
                try
                {
                    batch.EnsureValid();
                }
                catch (FlussException e)
                {
                    return new LogScanResult(position, count, LogTailState.Corrupt, $"At byte {position}: {e.Message}");
                }
            }
            position += (int)batch.SizeInBytes;
            count++;
        }
    }

    internal enum NextStatus
    {
        Batch,
        End,
        Truncated,
        Corrupt,
    }

    /// <summary>Frames the batch at <paramref name="position"/> without reading beyond what its header proves is there.</summary>
    internal static NextStatus Next(ReadOnlyMemory<byte> buffer, int position, out LogRecordBatch batch, out string? error)
    {
        batch = default;
        error = null;
        var remaining = buffer.Length - position;
        if (remaining == 0) return NextStatus.End;
        if (remaining < LogOverhead) return NextStatus.Truncated;
        var span = buffer.Span[position..];
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[LengthOffset..]);
        if (length < 0)
        {
            error = $"the batch length field is {length}, negative";
            return NextStatus.Corrupt;
        }
        if (remaining < HeaderSizeUpToMagic) return NextStatus.Truncated;
        var magic = span[MagicOffset];
        if (!IsKnownMagic(magic))
        {
            error = $"unknown log batch magic {magic}; expected 0, 1 or 2";
            return NextStatus.Corrupt;
        }
        var size = (long)LogOverhead + length;
        var header = HeaderSize(magic);
        if (size < header)
        {
            error = $"the batch size {size} is smaller than the V{magic} header size {header}";
            return NextStatus.Corrupt;
        }
        if (size > remaining) return NextStatus.Truncated;
        batch = new LogRecordBatch(buffer.Slice(position, (int)size));
        return NextStatus.Batch;
    }

    /// <summary>Enumerates the complete batches; after it stops, <see cref="Tail"/> and <see cref="Position"/> tell why and where.</summary>
    public struct Enumerator
    {
        private readonly ReadOnlyMemory<byte> _buffer;
        private int _next;

        internal Enumerator(ReadOnlyMemory<byte> buffer)
        {
            _buffer = buffer;
            _next = 0;
            Position = 0;
            Current = default;
            Tail = LogTailState.Complete;
        }

        public LogRecordBatch Current { get; private set; }

        /// <summary>Byte position of <see cref="Current"/>, or after enumeration ended, of the first byte not consumed.</summary>
        public int Position { get; private set; }

        /// <summary>After <see cref="MoveNext"/> returned false: whether the bytes ended cleanly or inside a batch.</summary>
        public LogTailState Tail { get; private set; }

        /// <exception cref="CorruptMessageException">The next batch's framing is corrupt.</exception>
        public bool MoveNext()
        {
            Position = _next;
            switch (Next(_buffer, _next, out var batch, out var error))
            {
                case NextStatus.Batch:
                    Current = batch;
                    _next += (int)batch.SizeInBytes;
                    return true;
                case NextStatus.End:
                    Tail = LogTailState.Complete;
                    return false;
                case NextStatus.Truncated:
                    Tail = LogTailState.Truncated;
                    return false;
                default:
                    Tail = LogTailState.Corrupt;
                    throw new CorruptMessageException($"Log batch at byte {_next} is corrupt: {error}.");
            }
        }
    }
}
