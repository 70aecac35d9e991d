using System.Buffers;

namespace Fluss.Storage.Log;

/// <summary>
/// The bytes of a read: whole log batches, starting with the batch that holds the fetch offset (records before the
/// fetch offset in that batch are the reader's to skip). The bytes live in a pooled buffer until
/// <see cref="Dispose"/>; send them, then dispose.
/// </summary>
public sealed class FetchDataInfo : IDisposable
{
    private byte[]? _buffer;

    internal FetchDataInfo(long fetchOffset, byte[]? buffer, int length, int batchCount, LogOffsetSnapshot offsets)
    {
        FetchOffset = fetchOffset;
        _buffer = buffer;
        Records = buffer is null ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(buffer, 0, length);
        BatchCount = batchCount;
        Offsets = offsets;
    }

    /// <summary>The offset the read asked for.</summary>
    public long FetchOffset { get; }

    /// <summary>Concatenated whole batches; empty when nothing is readable at the fetch offset yet.</summary>
    public ReadOnlyMemory<byte> Records { get; private set; }

    /// <summary>Number of batches in <see cref="Records"/>.</summary>
    public int BatchCount { get; }

    /// <summary>Log start offset, high watermark and log end offset when the read started.</summary>
    public LogOffsetSnapshot Offsets { get; }

    public bool IsEmpty => Records.IsEmpty;

    /// <summary>Returns the buffer to the pool; <see cref="Records"/> must not be used afterwards.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        Records = ReadOnlyMemory<byte>.Empty;
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
