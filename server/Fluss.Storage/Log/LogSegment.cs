using System.Buffers;
using Fluss.Errors;
using Fluss.Records.Log;
using Microsoft.Win32.SafeHandles;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Storage.Log;

/// <summary>What a segment read produced.</summary>
internal readonly record struct SegmentRead(bool Found, byte[]? Buffer, int Length, int BatchCount);

/// <summary>
/// One segment of a log tablet: the <c>.log</c> file of concatenated batches starting at <see cref="BaseOffset"/>,
/// its sparse offset index and its time index. Mutations (append, truncate, recover) are serialized by the tablet;
/// reads may run concurrently and hold a reference (<see cref="TryAcquire"/>) so a deleted segment's files stay
/// open until the last reader is done.
/// </summary>
internal sealed class LogSegment
{
    private const long UnknownTimestamp = long.MinValue;

    private readonly object _timestampLock = new();
    private readonly int _indexIntervalBytes;
    private SafeFileHandle _log;
    private volatile int _size;
    private int _bytesSinceLastIndexEntry;
    private long _maxTimestamp = UnknownTimestamp;
    private long _offsetOfMaxTimestamp = -1;
    private int _references = 1;
    private int _ownerReleased;
    private volatile bool _deleted;

    private LogSegment(string directory, long baseOffset, LogTabletOptions options, bool active)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        _indexIntervalBytes = options.IndexIntervalBytes;
        LogPath = LogFileNames.LogFile(directory, baseOffset);
        _log = File.OpenHandle(LogPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(_log);
        if (length > int.MaxValue)
            throw new FlussException(FlussErrorCode.LogStorage, $"Log segment {LogPath} is {length} bytes long, larger than a segment can be ({int.MaxValue}).");
        _size = (int)length;
        IndexFilesExisted = File.Exists(LogFileNames.IndexFile(directory, baseOffset)) && File.Exists(LogFileNames.TimeIndexFile(directory, baseOffset));
        OffsetIndex = new OffsetIndex(LogFileNames.IndexFile(directory, baseOffset), baseOffset, options.IndexFileSize, active);
        TimeIndex = new TimeIndex(LogFileNames.TimeIndexFile(directory, baseOffset), baseOffset, options.IndexFileSize, active);
    }

    /// <summary>Opens (or creates) the segment with base offset <paramref name="baseOffset"/> in <paramref name="directory"/>.</summary>
    public static LogSegment Open(string directory, long baseOffset, LogTabletOptions options, bool active) => new(directory, baseOffset, options, active);

    public string Directory { get; }

    public long BaseOffset { get; }

    public string LogPath { get; private set; }

    public OffsetIndex OffsetIndex { get; }

    public TimeIndex TimeIndex { get; }

    /// <summary>Whether both index files were on disk when the segment was opened.</summary>
    public bool IndexFilesExisted { get; }

    /// <summary>Bytes of valid batches in the log file.</summary>
    public int Size => _size;

    public bool IsDeleted => _deleted;

    /// <summary>The largest commit timestamp in the segment, or -1 when it is empty.</summary>
    public long MaxTimestampSoFar
    {
        get
        {
            lock (_timestampLock)
            {
                EnsureMaxTimestamp();
                return _maxTimestamp;
            }
        }
    }

    /// <summary>Base offset of the batch that holds <see cref="MaxTimestampSoFar"/>.</summary>
    public long OffsetOfMaxTimestampSoFar
    {
        get
        {
            lock (_timestampLock)
            {
                EnsureMaxTimestamp();
                return _offsetOfMaxTimestamp;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // References
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Takes a read reference; false when the segment is closed or deleted.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current) return true;
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) CloseFiles();
    }

    /// <summary>Closes the segment once its readers are done.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _ownerReleased, 1) == 0) Release();
    }

    /// <summary>
    /// Deletes the segment: the files are renamed with a <c>.deleted</c> suffix now (the loader removes leftovers
    /// after a crash) and removed once the last reader is done.
    /// </summary>
    public void Delete()
    {
        if (_deleted) return;
        _deleted = true;
        var deletedLog = LogPath + LogFileNames.DeletedSuffix;
        if (File.Exists(LogPath)) File.Move(LogPath, deletedLog, overwrite: true);
        LogPath = deletedLog;
        OffsetIndex.RenameTo(OffsetIndex.Path + LogFileNames.DeletedSuffix);
        TimeIndex.RenameTo(TimeIndex.Path + LogFileNames.DeletedSuffix);
        Close();
    }

    private void CloseFiles()
    {
        _log.Dispose();
        OffsetIndex.Dispose();
        TimeIndex.Dispose();
        if (_deleted)
        {
            TryDelete(LogPath);
            TryDelete(OffsetIndex.Path);
            TryDelete(TimeIndex.Path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the loader, which removes *.deleted files on the next start.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writes
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Whether the segment must roll before an append of <paramref name="messagesSize"/> bytes ending at <paramref name="maxOffset"/>.</summary>
    public bool ShouldRoll(int maxSegmentBytes, int messagesSize, long maxOffset) =>
        _size > 0
        && (_size > (long)maxSegmentBytes - messagesSize
            || OffsetIndex.IsFull
            || TimeIndex.IsFull
            || !OffsetIndex.CanAppendOffset(maxOffset));

    /// <summary>Appends the bytes of whole batches (gathered from <paramref name="parts"/>) and indexes them.</summary>
    public void Append(long largestOffset, long maxTimestamp, long offsetOfMaxTimestamp, IReadOnlyList<ReadOnlyMemory<byte>> parts, int byteCount)
    {
        if (byteCount == 0) return;
        if (!OffsetIndex.CanAppendOffset(largestOffset))
            throw new FlussException(FlussErrorCode.LogStorage, $"Offset {largestOffset} cannot be stored relative to base offset {BaseOffset} of segment {LogPath}.");
        var position = _size;
        if ((long)position + byteCount > int.MaxValue)
            throw new FlussException(FlussErrorCode.LogStorage, $"Appending {byteCount} bytes would grow segment {LogPath} beyond {int.MaxValue} bytes.");
        RandomAccess.Write(_log, parts, position);
        lock (_timestampLock)
        {
            EnsureMaxTimestamp();
            if (maxTimestamp > _maxTimestamp)
            {
                _maxTimestamp = maxTimestamp;
                _offsetOfMaxTimestamp = offsetOfMaxTimestamp;
            }
        }
        if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
        {
            OffsetIndex.Append(largestOffset, position);
            TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += byteCount;
        _size = position + byteCount;
    }

    public void Flush()
    {
        RandomAccess.FlushToDisk(_log);
        OffsetIndex.Flush();
        TimeIndex.Flush();
    }

    /// <summary>The segment stops being the active one: the time index gets its final entry and the in-memory index copies are dropped.</summary>
    public void OnBecomeInactive()
    {
        var maxTimestamp = MaxTimestampSoFar;
        if (maxTimestamp >= 0) TimeIndex.MaybeAppend(maxTimestamp, OffsetOfMaxTimestampSoFar, skipFullCheck: true);
        OffsetIndex.DropCache();
        TimeIndex.DropCache();
    }

    /// <summary>The segment becomes the active one again (after a truncation): indexes are cached in memory.</summary>
    public void OnBecomeActive()
    {
        OffsetIndex.LoadCache();
        TimeIndex.LoadCache();
    }

    /// <summary>
    /// Removes the batch holding <paramref name="offset"/> and everything after it, from the file and the indexes.
    /// Returns the bytes removed.
    /// </summary>
    public int TruncateTo(long offset)
    {
        var found = Translate(offset, OffsetIndex.Lookup(offset).Position, _size);
        if (found is not { } batch)
        {
            OffsetIndex.TruncateTo(offset);
            TimeIndex.TruncateTo(offset);
            return 0;
        }
        OffsetIndex.TruncateTo(batch.BaseOffset);
        TimeIndex.TruncateTo(batch.BaseOffset);
        var removed = _size - batch.Position;
        RandomAccess.SetLength(_log, batch.Position);
        _size = batch.Position;
        _bytesSinceLastIndexEntry = 0;
        lock (_timestampLock) _maxTimestamp = UnknownTimestamp;
        return removed;
    }

    /// <summary>
    /// Checks every batch (framing, CRC, offsets ascending within the segment), rebuilds both indexes and cuts the
    /// file after the last valid batch. Returns the bytes cut and, through <paramref name="problem"/>, why.
    /// </summary>
    public int Recover(out string? problem)
    {
        problem = null;
        OffsetIndex.Reset();
        TimeIndex.Reset();
        var validBytes = 0;
        var lastIndexEntry = 0;
        long maxTimestamp = -1;
        long offsetOfMaxTimestamp = -1;
        long expectedNext = BaseOffset;
        var scanner = new BatchScanner(_log, 0, _size, verifyChecksums: true);
        try
        {
            while (scanner.MoveNext(out var batch, out var position))
            {
                var baseOffset = batch.BaseOffset;
                var lastOffset = batch.LastOffset;
                if (baseOffset < expectedNext || !OffsetIndex.CanAppendOffset(lastOffset))
                {
                    problem = $"At byte {position}: the batch offsets [{baseOffset}, {lastOffset}] do not follow offset {expectedNext - 1} in a segment based at {BaseOffset}";
                    break;
                }
                if (batch.CommitTimestamp > maxTimestamp)
                {
                    maxTimestamp = batch.CommitTimestamp;
                    offsetOfMaxTimestamp = baseOffset;
                }
                if (validBytes - lastIndexEntry > _indexIntervalBytes && !OffsetIndex.IsFull)
                {
                    OffsetIndex.Append(lastOffset, validBytes);
                    TimeIndex.MaybeAppend(maxTimestamp, offsetOfMaxTimestamp, skipFullCheck: true);
                    lastIndexEntry = validBytes;
                }
                validBytes = position + (int)batch.SizeInBytes;
                expectedNext = lastOffset + 1;
            }
            problem ??= scanner.End switch
            {
                ScanEnd.Truncated => $"At byte {scanner.Position}: the last batch is incomplete (torn write)",
                ScanEnd.Corrupt => scanner.Error,
                _ => null,
            };
        }
        finally
        {
            scanner.Dispose();
        }
        var truncated = _size - validBytes;
        if (truncated > 0) RandomAccess.SetLength(_log, validBytes);
        _size = validBytes;
        _bytesSinceLastIndexEntry = validBytes - lastIndexEntry;
        lock (_timestampLock)
        {
            _maxTimestamp = maxTimestamp;
            _offsetOfMaxTimestamp = offsetOfMaxTimestamp;
        }
        return truncated;
    }

    /// <summary>
    /// Checks the framing of the batches after the last offset index entry; null when the file ends exactly after a
    /// batch, else what is wrong. A cheap check for segments that were closed cleanly.
    /// </summary>
    public string? CheckTail()
    {
        var start = Math.Min(OffsetIndex.LastEntry.Position, _size);
        var scanner = new HeaderScanner(_log, start, _size);
        try
        {
            while (scanner.MoveNext(out _))
            {
            }
            return scanner.End switch
            {
                ScanEnd.Complete => null,
                ScanEnd.Truncated => $"the last batch ending at byte {_size} is incomplete",
                _ => scanner.Error,
            };
        }
        finally
        {
            scanner.Dispose();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>The offset after the last batch, or <see cref="BaseOffset"/> when the segment is empty.</summary>
    public long ReadNextOffset()
    {
        var start = Math.Min(OffsetIndex.LastEntry.Position, _size);
        var next = BaseOffset;
        var scanner = new HeaderScanner(_log, start, _size);
        try
        {
            while (scanner.MoveNext(out var header)) next = header.NextOffset;
        }
        finally
        {
            scanner.Dispose();
        }
        return next;
    }

    /// <summary>The first batch at or after <paramref name="startPosition"/> whose last offset is at least <paramref name="offset"/>.</summary>
    public BatchHeaderInfo? Translate(long offset, int startPosition, int maxPosition)
    {
        var scanner = new HeaderScanner(_log, startPosition, maxPosition);
        try
        {
            while (scanner.MoveNext(out var header))
                if (header.LastOffset >= offset) return header;
            return null;
        }
        finally
        {
            scanner.Dispose();
        }
    }

    /// <summary>
    /// Reads whole batches starting with the one that holds <paramref name="startOffset"/>: at most
    /// <paramref name="maxSize"/> bytes (at least that first batch when <paramref name="minOneMessage"/>), none
    /// past byte <paramref name="maxPosition"/> and none ending after <paramref name="maxOffset"/> (exclusive).
    /// Not found when no batch of the segment holds an offset at or after <paramref name="startOffset"/>.
    /// </summary>
    public SegmentRead Read(long startOffset, int maxSize, int maxPosition, long maxOffset, bool minOneMessage)
    {
        var found = Translate(startOffset, OffsetIndex.Lookup(startOffset).Position, maxPosition);
        if (found is not { } first) return default;
        if (first.NextOffset > maxOffset) return new SegmentRead(true, null, 0, 0);
        var adjusted = minOneMessage ? Math.Max(maxSize, first.Size) : maxSize;
        if (adjusted < V0HeaderSize) return new SegmentRead(true, null, 0, 0);
        var fetchSize = Math.Min(maxPosition - first.Position, adjusted);
        var buffer = ArrayPool<byte>.Shared.Rent(fetchSize);
        try
        {
            var read = RandomAccess.Read(_log, buffer.AsSpan(0, fetchSize), first.Position);
            var (length, count) = WholeBatches(buffer.AsSpan(0, read), maxOffset);
            if (count == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return new SegmentRead(true, null, 0, 0);
            }
            return new SegmentRead(true, buffer, length, count);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="Read"/>, but projects the batches with <paramref name="projection"/>; <paramref name="maxSize"/>
    /// bounds the projected bytes, so the raw bytes read may be larger.
    /// </summary>
    public SegmentRead ReadProjected(long startOffset, int maxSize, int maxPosition, long maxOffset, bool minOneMessage, LogProjection projection)
    {
        const int MinWindow = 256 * 1024;
        const int MaxWindow = 16 * 1024 * 1024;
        var found = Translate(startOffset, OffsetIndex.Lookup(startOffset).Position, maxPosition);
        if (found is not { } first) return default;
        if (first.NextOffset > maxOffset || (!minOneMessage && maxSize < V0HeaderSize)) return new SegmentRead(true, null, 0, 0);

        var output = new PooledBufferWriter(Math.Min(Math.Max(maxSize, V0HeaderSize), MinWindow));
        byte[]? window = null;
        var batches = 0;
        try
        {
            var position = first.Position;
            var needed = first.Size;
            while (position < maxPosition)
            {
                var windowSize = Math.Min(maxPosition - position, Math.Max(needed, Math.Clamp((long)maxSize * 2, MinWindow, MaxWindow)));
                var size = (int)windowSize;
                if (window is null || window.Length < size)
                {
                    if (window is not null) ArrayPool<byte>.Shared.Return(window);
                    window = ArrayPool<byte>.Shared.Rent(size);
                }
                var read = RandomAccess.Read(_log, window.AsSpan(0, size), position);
                var span = window.AsSpan(0, read);
                var (valid, count) = WholeBatches(span, maxOffset);
                if (count == 0)
                {
                    // The next batch does not fit the window (grow it) or lies beyond the bound (stop).
                    if (read == size && read >= HeaderSizeUpToMagic && BatchFraming.Check(span, out var next, out _) is null && next > read && next <= maxPosition - position)
                    {
                        needed = next;
                        continue;
                    }
                    break;
                }
                var budget = maxSize - output.WrittenCount;
                var result = projection.Project(span[..valid], output, Math.Max(budget, 0), minOneBatch: minOneMessage && batches == 0);
                batches += result.BatchCount;
                position += result.BytesConsumed;
                if (result.LimitReached || valid < read && count > 0 && StopsAtBound(span[valid..], maxOffset)) break;
                needed = 0;
            }
            if (batches == 0) return new SegmentRead(true, null, 0, 0);
            var (buffer, length) = output.Detach();
            return new SegmentRead(true, buffer, length, batches);
        }
        finally
        {
            output.Dispose();
            if (window is not null) ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>
    /// The first batch with commit timestamp at least <paramref name="timestamp"/> and base offset at least
    /// <paramref name="startingOffset"/>: (its commit timestamp, its base offset), or null.
    /// </summary>
    public (long Timestamp, long Offset)? FindOffsetByTimestamp(long timestamp, long startingOffset)
    {
        var (_, indexedOffset) = TimeIndex.Lookup(timestamp);
        var position = OffsetIndex.Lookup(Math.Max(indexedOffset, startingOffset)).Position;
        var scanner = new HeaderScanner(_log, position, _size);
        try
        {
            while (scanner.MoveNext(out var header))
                if (header.CommitTimestamp >= timestamp && header.BaseOffset >= startingOffset)
                    return (header.CommitTimestamp, header.BaseOffset);
            return null;
        }
        finally
        {
            scanner.Dispose();
        }
    }

    /// <summary>Every batch of the segment from <paramref name="startPosition"/> (framing checked, no CRC) for writer-state rebuilds.</summary>
    public BatchScanner ScanBatches(int startPosition, int endPosition) => new(_log, startPosition, Math.Min(endPosition, _size), verifyChecksums: false);

    public override string ToString() => $"LogSegment(baseOffset={BaseOffset}, size={_size}, file={LogPath})";

    /// <summary>The length and count of the complete batches at the start of <paramref name="span"/> that end before <paramref name="maxOffset"/>.</summary>
    private static (int Length, int Count) WholeBatches(ReadOnlySpan<byte> span, long maxOffset)
    {
        var position = 0;
        var count = 0;
        while (span.Length - position >= HeaderSizeUpToMagic)
        {
            var rest = span[position..];
            if (BatchFraming.Check(rest, out var size, out var magic) is not null || size > rest.Length) break;
            if (BatchFraming.Parse(rest, position, size, magic).NextOffset > maxOffset) break;
            position += size;
            count++;
        }
        return (position, count);
    }

    private static bool StopsAtBound(ReadOnlySpan<byte> rest, long maxOffset) =>
        rest.Length >= HeaderSizeUpToMagic
        && BatchFraming.Check(rest, out var size, out var magic) is null
        && size <= rest.Length
        && BatchFraming.Parse(rest, 0, size, magic).NextOffset > maxOffset;

    /// <summary>Computes the largest timestamp from the last time index entry and the batches after it (caller holds the lock).</summary>
    private void EnsureMaxTimestamp()
    {
        if (_maxTimestamp != UnknownTimestamp) return;
        var (indexedTimestamp, indexedOffset) = TimeIndex.LastEntry;
        long maxTimestamp = indexedTimestamp;
        var offsetOfMax = indexedTimestamp >= 0 ? indexedOffset : -1;
        var position = Math.Min(OffsetIndex.Lookup(indexedOffset).Position, _size);
        var scanner = new HeaderScanner(_log, position, _size);
        try
        {
            while (scanner.MoveNext(out var header))
            {
                if (header.CommitTimestamp > maxTimestamp)
                {
                    maxTimestamp = header.CommitTimestamp;
                    offsetOfMax = header.BaseOffset;
                }
            }
        }
        finally
        {
            scanner.Dispose();
        }
        _maxTimestamp = maxTimestamp;
        _offsetOfMaxTimestamp = offsetOfMax;
    }
}
