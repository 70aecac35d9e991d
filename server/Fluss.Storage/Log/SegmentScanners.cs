using System.Buffers;
using System.Buffers.Binary;
using Fluss.Errors;
using Fluss.Records.Log;
using Microsoft.Win32.SafeHandles;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Storage.Log;

/// <summary>Why a scan of a segment file stopped.</summary>
internal enum ScanEnd
{
    /// <summary>The region ended exactly after a batch.</summary>
    Complete,

    /// <summary>The region ends inside a batch.</summary>
    Truncated,

    /// <summary>A batch's framing (or CRC, when checked) is corrupt.</summary>
    Corrupt,
}

/// <summary>The header fields of one batch in a segment file.</summary>
internal readonly record struct BatchHeaderInfo(int Position, int Size, long BaseOffset, long LastOffset, long CommitTimestamp, byte Magic)
{
    public long NextOffset => LastOffset + 1;
}

/// <summary>Checks of the fixed part of a batch header, shared by the scanners.</summary>
internal static class BatchFraming
{
    /// <summary>Bytes up to and including LastOffsetDelta of the largest header (V2).</summary>
    public const int HeaderPrefix = 36;

    /// <summary>
    /// Reads the batch framing at the start of <paramref name="span"/> (at least <see cref="HeaderSizeUpToMagic"/>
    /// bytes). Returns null when sane, else what is wrong; <paramref name="size"/> is the batch size.
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> span, out int size, out byte magic)
    {
        size = 0;
        magic = span[MagicOffset];
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[LengthOffset..]);
        if (length < 0) return $"the batch length field is {length}, negative";
        if (!IsKnownMagic(magic)) return $"unknown log batch magic {magic}; expected 0, 1 or 2";
        var total = (long)LogOverhead + length;
        if (total < HeaderSize(magic)) return $"the batch size {total} is smaller than the V{magic} header size {HeaderSize(magic)}";
        if (total > int.MaxValue) return $"the batch size {total} is too large";
        size = (int)total;
        return null;
    }

    /// <summary>
    /// Why a scan ends before reading the next header when <paramref name="remaining"/> bytes are left in the region:
    /// null when a header can be read.
    /// </summary>
    public static ScanEnd? EndBeforeHeader(int remaining) =>
        remaining <= 0 ? ScanEnd.Complete : remaining < HeaderSizeUpToMagic ? ScanEnd.Truncated : null;

    /// <summary>
    /// Checks the framing of the batch at <paramref name="position"/> (see <see cref="Check"/>) and that it fits in the
    /// <paramref name="remaining"/> bytes of the region. Returns null when it does, else why the scan ends, with
    /// <paramref name="error"/> set when the framing is corrupt.
    /// </summary>
    public static ScanEnd? CheckInRegion(ReadOnlySpan<byte> span, int position, int remaining, out int size, out byte magic, out string? error)
    {
        error = null;
        var problem = Check(span, out size, out magic);
        if (problem is not null)
        {
            error = $"At byte {position}: {problem}";
            return ScanEnd.Corrupt;
        }
        return size > remaining ? ScanEnd.Truncated : null;
    }

    /// <summary>Header fields of a batch whose first <see cref="HeaderPrefix"/> bytes (or all, if shorter) are in <paramref name="span"/>.</summary>
    public static BatchHeaderInfo Parse(ReadOnlySpan<byte> span, int position, int size, byte magic)
    {
        var baseOffset = BinaryPrimitives.ReadInt64LittleEndian(span);
        var commitTimestamp = BinaryPrimitives.ReadInt64LittleEndian(span[CommitTimestampOffset..]);
        var delta = BinaryPrimitives.ReadInt32LittleEndian(span[LastOffsetDeltaOffset(magic)..]);
        return new BatchHeaderInfo(position, size, baseOffset, baseOffset + delta, commitTimestamp, magic);
    }
}

/// <summary>
/// Walks the batch headers of a region of a segment file, reading it in chunks (one read usually covers the batches
/// between two index entries). Checks framing only. Dispose to return the chunk buffer.
/// </summary>
internal struct HeaderScanner : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly SafeFileHandle _file;
    private readonly int _end;
    private byte[]? _chunk;
    private int _chunkStart;
    private int _chunkLength;

    public HeaderScanner(SafeFileHandle file, int start, int end)
    {
        _file = file;
        Position = start;
        _end = end;
        _chunk = null;
        _chunkStart = 0;
        _chunkLength = 0;
        End = ScanEnd.Complete;
        Error = null;
    }

    /// <summary>Where the next batch starts (after the scan: where the valid batches end).</summary>
    public int Position { get; private set; }

    public ScanEnd End { get; private set; }

    public string? Error { get; private set; }

    public bool MoveNext(out BatchHeaderInfo header)
    {
        header = default;
        var remaining = _end - Position;
        if (BatchFraming.EndBeforeHeader(remaining) is { } end)
        {
            End = end;
            return false;
        }
        var want = Math.Min(BatchFraming.HeaderPrefix, remaining);
        if (Position < _chunkStart || Position + want > _chunkStart + _chunkLength)
        {
            _chunk ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
            _chunkStart = Position;
            _chunkLength = RandomAccess.Read(_file, _chunk.AsSpan(0, Math.Min(ChunkSize, remaining)), Position);
            if (_chunkLength < want)
            {
                End = ScanEnd.Truncated;
                return false;
            }
        }
        var span = _chunk.AsSpan(Position - _chunkStart, want);
        if (BatchFraming.CheckInRegion(span, Position, remaining, out var size, out var magic, out var error) is { } stop)
        {
            End = stop;
            if (error is not null) Error = error;
            return false;
        }
        header = BatchFraming.Parse(span, Position, size, magic);
        Position += size;
        return true;
    }

    public void Dispose()
    {
        if (_chunk is not null) ArrayPool<byte>.Shared.Return(_chunk);
        _chunk = null;
    }
}

/// <summary>
/// Walks whole batches of a region of a segment file through a pooled window (grown for batches larger than it).
/// Each yielded <see cref="LogRecordBatch"/> is valid until the next call. Checks framing, and CRCs when asked.
/// </summary>
internal struct BatchScanner : IDisposable
{
    private const int DefaultWindow = 1024 * 1024;

    private readonly SafeFileHandle _file;
    private readonly int _end;
    private readonly bool _verify;
    private byte[]? _window;
    private int _windowStart;
    private int _windowLength;

    public BatchScanner(SafeFileHandle file, int start, int end, bool verifyChecksums)
    {
        _file = file;
        Position = start;
        _end = end;
        _verify = verifyChecksums;
        _window = null;
        _windowStart = 0;
        _windowLength = 0;
        End = ScanEnd.Complete;
        Error = null;
    }

    /// <summary>Where the next batch starts (after the scan: where the valid batches end).</summary>
    public int Position { get; private set; }

    public ScanEnd End { get; private set; }

    public string? Error { get; private set; }

    public bool MoveNext(out LogRecordBatch batch, out int position)
    {
        batch = default;
        position = Position;
        var remaining = _end - Position;
        if (BatchFraming.EndBeforeHeader(remaining) is { } end)
        {
            End = end;
            return false;
        }
        if (!Ensure(HeaderSizeUpToMagic)) return false;
        if (BatchFraming.CheckInRegion(_window.AsSpan(Position - _windowStart), Position, remaining, out var size, out _, out var error) is { } stop)
        {
            End = stop;
            if (error is not null) Error = error;
            return false;
        }
        if (!Ensure(size)) return false;
        batch = new LogRecordBatch(_window.AsMemory(Position - _windowStart, size));
        if (_verify)
        {
            try
            {
                batch.EnsureValid();
            }
            catch (FlussException e)
            {
                End = ScanEnd.Corrupt;
                Error = $"At byte {Position}: {e.Message}";
                batch = default;
                return false;
            }
        }
        Position += size;
        return true;
    }

    /// <summary>Makes [Position, Position + count) available in the window; false (Truncated) when the file is shorter.</summary>
    private bool Ensure(int count)
    {
        if (_window is not null && Position >= _windowStart && Position + count <= _windowStart + _windowLength) return true;
        var size = Math.Min(Math.Max(DefaultWindow, count), _end - Position);
        if (_window is null || _window.Length < size)
        {
            if (_window is not null) ArrayPool<byte>.Shared.Return(_window);
            _window = ArrayPool<byte>.Shared.Rent(size);
        }
        _windowStart = Position;
        _windowLength = RandomAccess.Read(_file, _window.AsSpan(0, size), Position);
        if (_windowLength < count)
        {
            End = ScanEnd.Truncated;
            return false;
        }
        return true;
    }

    public void Dispose()
    {
        if (_window is not null) ArrayPool<byte>.Shared.Return(_window);
        _window = null;
    }
}
