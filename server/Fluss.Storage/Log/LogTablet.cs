using System.Buffers.Binary;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Storage.Log;

/// <summary>
/// The local log of one bucket replica: segments of concatenated log batches with offset and time indexes,
/// offsets assigned on leader appends, idempotent-writer deduplication, reads up to the high watermark (clients) or
/// the log end offset (followers), truncation for replication, TTL retention by whole segments, and crash recovery
/// that cuts a torn or corrupt tail. Appends, truncations and retention are serialized; reads run concurrently with
/// them and with each other.
/// </summary>
public sealed class LogTablet : IDisposable
{
    /// <summary>Default <c>table.log.ttl</c>.</summary>
    public static readonly TimeSpan DefaultLogTtl = TimeSpan.FromDays(7);

    private readonly object _lock = new();
    private readonly LogTabletOptions _options;
    private readonly TimeProvider _time;
    private readonly WriterStateManager _writers;
    private readonly List<ReadOnlyMemory<byte>> _parts = [];
    private readonly List<(long WriterId, int Sequence)> _pendingSequences = [];
    private byte[] _stamps = new byte[16 * V2HeaderSize];
    private volatile LogSegment[] _segments;
    private volatile EndOffset _logEnd;
    private long _highWatermark;
    private long _logStartOffset;
    private long _recoveryPoint;
    private long _localMaxTimestamp;
    private long _minRetainOffset = long.MaxValue;
    private Task? _pendingFlush;
    private long _flushScheduledUpTo;
    private int _truncations;
    private bool _closed;

    private LogTablet(string directory, PhysicalTablePath path, TableBucket bucket, LogTabletOptions options, TimeProvider time,
        WriterStateManager writers, LogSegment[] segments, long logEndOffset, long recoveryPoint, long? highWatermark)
    {
        Directory = directory;
        PhysicalTablePath = path;
        TableBucket = bucket;
        _options = options;
        _time = time;
        _writers = writers;
        _segments = segments;
        var active = segments[^1];
        _logEnd = new EndOffset(logEndOffset, active.BaseOffset, active.Size);
        _logStartOffset = segments[0].BaseOffset;
        _recoveryPoint = Math.Min(recoveryPoint, logEndOffset);
        _highWatermark = Math.Clamp(highWatermark ?? _logStartOffset, _logStartOffset, logEndOffset);
        _localMaxTimestamp = Math.Max(0, LatestTimestamp(segments));
    }

    /// <summary>
    /// Opens the log tablet in <paramref name="directory"/> (created when missing), recovering it: stray and
    /// temporary files are deleted, segments from <paramref name="recoveryPoint"/> on are checked batch by batch
    /// (CRC included) unless <paramref name="cleanShutdown"/> and a torn or corrupt tail is cut off, missing or
    /// inconsistent indexes are rebuilt, and the idempotent-writer state is loaded from the latest snapshot and the
    /// log after it.
    /// </summary>
    /// <param name="directory">The tablet directory (<c>.../log-{bucket}</c>).</param>
    /// <param name="path">The table (and partition) the bucket belongs to.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="options">Segment, index and writer settings; defaults when null.</param>
    /// <param name="timeProvider">The clock for commit timestamps, retention and writer expiry; the system clock when null.</param>
    /// <param name="recoveryPoint">Offset below which the log is known to be flushed (from the recovery-point checkpoint).</param>
    /// <param name="highWatermark">The checkpointed high watermark (clamped to the log); the log start offset when null.</param>
    /// <param name="cleanShutdown">The tablet was closed cleanly; only the tail framing of the last segment is checked.</param>
    public static LogTablet Open(string directory, PhysicalTablePath path, TableBucket bucket, LogTabletOptions? options = null,
        TimeProvider? timeProvider = null, long recoveryPoint = 0, long? highWatermark = null, bool cleanShutdown = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LogTabletOptions();
        options.Validate();
        var time = timeProvider ?? TimeProvider.System;
        System.IO.Directory.CreateDirectory(directory);
        var writers = new WriterStateManager(directory, bucket, (long)options.WriterIdExpiration.TotalMilliseconds);
        var segments = LogLoader.Load(directory, options, recoveryPoint, cleanShutdown, writers);
        try
        {
            var logEndOffset = segments[^1].ReadNextOffset();
            writers.RemoveStraySnapshots(segments.Select(s => s.BaseOffset).ToArray());
            RebuildWriterState(writers, segments, logEndOffset, time.GetUtcNow().ToUnixTimeMilliseconds());
            var effectiveRecoveryPoint = cleanShutdown ? logEndOffset : Math.Min(recoveryPoint, logEndOffset);
            return new LogTablet(directory, path, bucket, options, time, writers, segments, logEndOffset, effectiveRecoveryPoint, highWatermark);
        }
        catch
        {
            foreach (var s in segments) s.Close();
            throw;
        }
    }

    public string Directory { get; }

    public PhysicalTablePath PhysicalTablePath { get; }

    public TableBucket TableBucket { get; }

    /// <summary>The offset the next leader append receives.</summary>
    public long LogEndOffset => _logEnd.Offset;

    /// <summary>The committed offset: clients read below it (<c>LATEST</c> in ListOffsets).</summary>
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>The first offset still in the local log (<c>EARLIEST</c> in ListOffsets).</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>Offset below which the log has been flushed to disk.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>The largest commit timestamp in the log (0 when empty).</summary>
    public long LocalMaxTimestamp => Volatile.Read(ref _localMaxTimestamp);

    public LogOffsetSnapshot Offsets
    {
        get
        {
            var end = _logEnd;
            return new LogOffsetSnapshot(LogStartOffset, Math.Min(HighWatermark, end.Offset), end.Offset);
        }
    }

    /// <summary>Number of segments.</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>Base offsets of the segments, oldest first.</summary>
    public IReadOnlyList<long> SegmentBaseOffsets => _segments.Select(s => s.BaseOffset).ToArray();

    /// <summary>Bytes of all segment files.</summary>
    public long SizeInBytes => _segments.Sum(s => (long)s.Size);

    /// <summary>The retention period (<c>table.log.ttl</c>) used by <see cref="DeleteSegmentsByTtl()"/>; zero or negative keeps segments forever.</summary>
    public TimeSpan LogTtl { get; set; } = DefaultLogTtl;

    /// <summary>Retention never deletes segments holding offsets at or above this (a primary-key table's KV snapshot offset).</summary>
    public long MinRetainOffset
    {
        get => Volatile.Read(ref _minRetainOffset);
        set => Volatile.Write(ref _minRetainOffset, value);
    }

    /// <summary>Number of idempotent writers with state in this bucket.</summary>
    public int WriterIdCount
    {
        get
        {
            lock (_lock) return _writers.WriterCount;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Appends
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Appends client batches as the leader: every batch is checked (framing, magic, size, CRC) before anything is
    /// written; offsets are assigned from the log end offset and the commit timestamp is stamped (the server clock,
    /// never below the largest timestamp already in the log), plus the leader epoch on V2 batches. A retry of a batch
    /// the writer already appended is acknowledged with the original offsets and not appended again.
    /// </summary>
    /// <exception cref="CorruptRecordException">A batch is corrupt; nothing was appended.</exception>
    /// <exception cref="RecordTooLargeException">A batch exceeds the maximum batch size.</exception>
    /// <exception cref="FlussException">OUT_OF_ORDER_SEQUENCE (31) when a writer's batch sequence has a gap.</exception>
    public LogAppendInfo AppendAsLeader(ReadOnlyMemory<byte> records, int leaderEpoch = NoLeaderEpoch) => Append(records, asLeader: true, leaderEpoch);

    /// <summary>
    /// Appends batches replicated from the leader, offsets and timestamps as they are. Offsets must ascend and not
    /// lie below the log end offset.
    /// </summary>
    /// <exception cref="CorruptRecordException">A batch is corrupt; nothing was appended.</exception>
    /// <exception cref="FlussException">DUPLICATE_SEQUENCE (32) or OUT_OF_ORDER_SEQUENCE (31) on an inconsistent writer sequence; LOG_STORAGE (10) for offsets that do not follow the log.</exception>
    public LogAppendInfo AppendAsFollower(ReadOnlyMemory<byte> records) => Append(records, asLeader: false, NoLeaderEpoch);

    private LogAppendInfo Append(ReadOnlyMemory<byte> records, bool asLeader, int leaderEpoch)
    {
        var analysis = Analyze(records);
        if (analysis.BatchCount == 0)
        {
            var end = LogEndOffset;
            return new LogAppendInfo(end, end - 1, -1, -1, 0, 0, 0, false);
        }

        lock (_lock)
        {
            ThrowIfClosed();
            var logEnd = _logEnd.Offset;
            long firstOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp;
            if (asLeader)
            {
                firstOffset = logEnd;
                maxTimestamp = Math.Max(_localMaxTimestamp, _time.GetUtcNow().ToUnixTimeMilliseconds());
                offsetOfMaxTimestamp = firstOffset;
                lastOffset = firstOffset + analysis.OffsetSpan - 1;
            }
            else
            {
                if (analysis.FirstOffset < logEnd)
                    throw new FlussException(FlussErrorCode.LogStorage,
                        $"Cannot append batches starting at offset {analysis.FirstOffset} to {TableBucket}: the log already ends at offset {logEnd}.");
                firstOffset = analysis.FirstOffset;
                lastOffset = analysis.LastOffset;
                maxTimestamp = analysis.MaxTimestamp;
                offsetOfMaxTimestamp = analysis.OffsetOfMaxTimestamp;
            }

            MaybeRoll(analysis.ValidBytes, firstOffset, lastOffset);

            // Writer state: a duplicate is acknowledged with the original offsets, a gap is refused.
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (CheckWriters(records.Span, analysis.ValidBytes, asLeader, now, asLeader ? maxTimestamp : -1) is { } duplicate)
            {
                if (!asLeader)
                    throw new FlussException(FlussErrorCode.DuplicateSequence,
                        $"Found a duplicated batch for {TableBucket}: offset {duplicate.Batch.LastOffset}, writer id {duplicate.WriterId}, batch sequence {duplicate.Batch.BatchSequence}.");
                return new LogAppendInfo(duplicate.Batch.FirstOffset, duplicate.Batch.LastOffset, duplicate.Batch.Timestamp, duplicate.Batch.FirstOffset, 0, 0, 0, true);
            }

            // Gather the bytes: leaders write a stamped copy of each header prefix, then the rest of the batch as received.
            _parts.Clear();
            var span = records.Span;
            if (asLeader)
            {
                if (_stamps.Length < analysis.BatchCount * V2HeaderSize) _stamps = new byte[analysis.BatchCount * V2HeaderSize * 2];
                var position = 0;
                var offset = firstOffset;
                for (var i = 0; i < analysis.BatchCount; i++)
                {
                    var size = BinaryPrimitives.ReadInt32LittleEndian(span[(position + LengthOffset)..]) + LogOverhead;
                    var magic = span[position + MagicOffset];
                    var stampLength = magic >= MagicV2 ? LeaderEpochOffset(MagicV2) + 4 : CommitTimestampOffset + 8;
                    var stamp = _stamps.AsSpan(i * V2HeaderSize, stampLength);
                    span.Slice(position, stampLength).CopyTo(stamp);
                    LogRecordBatch.SetBaseOffset(stamp, offset);
                    LogRecordBatch.SetCommitTimestamp(stamp, maxTimestamp);
                    if (magic >= MagicV2 && leaderEpoch != NoLeaderEpoch) LogRecordBatch.SetLeaderEpoch(stamp, leaderEpoch);
                    _parts.Add(_stamps.AsMemory(i * V2HeaderSize, stampLength));
                    _parts.Add(records.Slice(position + stampLength, size - stampLength));
                    offset += BinaryPrimitives.ReadInt32LittleEndian(span[(position + LastOffsetDeltaOffset(magic))..]) + 1L;
                    position += size;
                }
            }
            else
            {
                _parts.Add(records[..analysis.ValidBytes]);
            }

            var active = _segments[^1];
            active.Append(lastOffset, maxTimestamp, offsetOfMaxTimestamp, _parts, analysis.ValidBytes);
            _parts.Clear();
            if (maxTimestamp > _localMaxTimestamp) Volatile.Write(ref _localMaxTimestamp, maxTimestamp);
            _logEnd = new EndOffset(lastOffset + 1, active.BaseOffset, active.Size);

            ApplyWriters(span, analysis.ValidBytes, asLeader ? firstOffset : -1, asLeader ? maxTimestamp : -1);
            _writers.UpdateMapEndOffset(lastOffset + 1);

            if (lastOffset + 1 - _recoveryPoint >= _options.FlushIntervalMessages) FlushLocked();
            return new LogAppendInfo(firstOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp, analysis.BatchCount, analysis.RecordCount, analysis.ValidBytes, false);
        }
    }

    /// <summary>Frames and validates every batch; nothing is appended when one is bad.</summary>
    private Analysis Analyze(ReadOnlyMemory<byte> records)
    {
        var span = records.Span;
        var position = 0;
        var result = new Analysis { FirstOffset = -1, LastOffset = -1, MaxTimestamp = -1, OffsetOfMaxTimestamp = -1 };
        var maxBatch = _options.EffectiveMaxBatchSize;
        while (position < span.Length)
        {
            var rest = span[position..];
            if (rest.Length < HeaderSizeUpToMagic)
                throw Corrupt($"the last {rest.Length} bytes at byte {position} are not a complete batch header");
            var error = BatchFraming.Check(rest, out var size, out _);
            if (error is not null) throw Corrupt($"the batch at byte {position} is corrupt: {error}");
            if (size > maxBatch)
                throw new RecordTooLargeException($"The batch at byte {position} for {TableBucket} is {size} bytes, larger than the maximum batch size {maxBatch}.");
            if (size > rest.Length)
                throw Corrupt($"the batch at byte {position} declares {size} bytes but only {rest.Length} remain (a truncated request)");
            var batch = new LogRecordBatch(records.Slice(position, size));
            try
            {
                batch.EnsureValid();
            }
            catch (FlussException e) when (e is CorruptMessageException or CorruptRecordException)
            {
                throw Corrupt($"the batch at byte {position} is invalid: {e.Message}");
            }
            var baseOffset = batch.BaseOffset;
            var lastOffset = batch.LastOffset;
            if (result.BatchCount == 0) result.FirstOffset = baseOffset;
            result.LastOffset = lastOffset;
            if (batch.CommitTimestamp > result.MaxTimestamp)
            {
                result.MaxTimestamp = batch.CommitTimestamp;
                result.OffsetOfMaxTimestamp = baseOffset;
            }
            result.OffsetSpan += batch.LastOffsetDelta + 1L;
            result.RecordCount += batch.RecordCount;
            result.BatchCount++;
            position += size;
            result.ValidBytes = position;
        }
        return result;
    }

    /// <summary>Checks the writer sequences of the batches; returns the duplicate batch, if any (caller holds the lock).</summary>
    private (long WriterId, WriterBatchMetadata Batch)? CheckWriters(ReadOnlySpan<byte> records, int validBytes, bool asLeader, long nowMs, long leaderTimestamp)
    {
        _pendingSequences.Clear();
        var position = 0;
        var previousLast = long.MinValue;
        while (position < validBytes)
        {
            var rest = records[position..];
            var magic = rest[MagicOffset];
            var size = BinaryPrimitives.ReadInt32LittleEndian(rest[LengthOffset..]) + LogOverhead;
            if (!asLeader)
            {
                var last = BinaryPrimitives.ReadInt64LittleEndian(rest) + BinaryPrimitives.ReadInt32LittleEndian(rest[LastOffsetDeltaOffset(magic)..]);
                if (last <= previousLast)
                    throw new FlussException(FlussErrorCode.LogStorage, $"Out of order offsets found in the batches appended to {TableBucket}: offset {last} follows {previousLast}.");
                previousLast = last;
            }
            var writerId = BinaryPrimitives.ReadInt64LittleEndian(rest[WriterIdOffset(magic)..]);
            if (writerId != NoWriterId)
            {
                var sequence = BinaryPrimitives.ReadInt32LittleEndian(rest[BatchSequenceOffset(magic)..]);
                var entry = _writers.LastEntry(writerId);
                if (entry is not null && entry.TryFindDuplicate(sequence, out var duplicate)) return (writerId, duplicate);
                var lastSequence = entry?.LastBatchSequence ?? NoBatchSequence;
                for (var i = _pendingSequences.Count - 1; i >= 0; i--)
                {
                    if (_pendingSequences[i].WriterId != writerId) continue;
                    lastSequence = _pendingSequences[i].Sequence;
                    break;
                }
                var timestamp = asLeader ? leaderTimestamp : BinaryPrimitives.ReadInt64LittleEndian(rest[CommitTimestampOffset..]);
                if (!WriterStateManager.InSequence(lastSequence, sequence, _writers.IsWriterInBatchExpired(nowMs, timestamp), asLeader))
                    throw new FlussException(FlussErrorCode.OutOfOrderSequence,
                        $"Out of order batch sequence for writer {writerId} in {TableBucket}: {sequence} (incoming batch sequence), {lastSequence} (current batch sequence).");
                _pendingSequences.Add((writerId, sequence));
            }
            position += size;
        }
        return null;
    }

    /// <summary>Records the appended batches in the writer state (caller holds the lock).</summary>
    private void ApplyWriters(ReadOnlySpan<byte> records, int validBytes, long leaderFirstOffset, long leaderTimestamp)
    {
        var position = 0;
        var offset = leaderFirstOffset;
        while (position < validBytes)
        {
            var rest = records[position..];
            var magic = rest[MagicOffset];
            var size = BinaryPrimitives.ReadInt32LittleEndian(rest[LengthOffset..]) + LogOverhead;
            var delta = BinaryPrimitives.ReadInt32LittleEndian(rest[LastOffsetDeltaOffset(magic)..]);
            var baseOffset = leaderFirstOffset >= 0 ? offset : BinaryPrimitives.ReadInt64LittleEndian(rest);
            var writerId = BinaryPrimitives.ReadInt64LittleEndian(rest[WriterIdOffset(magic)..]);
            if (writerId != NoWriterId)
            {
                var timestamp = leaderTimestamp >= 0 ? leaderTimestamp : BinaryPrimitives.ReadInt64LittleEndian(rest[CommitTimestampOffset..]);
                _writers.Append(writerId, BinaryPrimitives.ReadInt32LittleEndian(rest[BatchSequenceOffset(magic)..]), baseOffset + delta, delta, timestamp);
            }
            offset = baseOffset + delta + 1;
            position += size;
        }
    }

    private CorruptRecordException Corrupt(string what) => new($"Cannot append to {TableBucket}: {what}.");

    /// <summary>Rolls when the active segment cannot take the append (caller holds the lock).</summary>
    private void MaybeRoll(int messagesSize, long firstOffset, long lastOffset)
    {
        var active = _segments[^1];
        if (active.ShouldRoll(_options.SegmentFileSize, messagesSize, lastOffset)) RollLocked(firstOffset);
        else if (active.Size == 0 && !active.OffsetIndex.CanAppendOffset(lastOffset)) RollLocked(firstOffset);
    }

    /// <summary>Closes the active segment and starts a new one at the log end offset.</summary>
    public void Roll()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            RollLocked(null);
        }
    }

    private void RollLocked(long? expectedNextOffset)
    {
        var logEnd = _logEnd.Offset;
        var newOffset = Math.Max(expectedNextOffset ?? 0, logEnd);
        var active = _segments[^1];
        if (newOffset == active.BaseOffset)
        {
            if (active.Size == 0)
            {
                // An empty active segment whose offsets cannot hold the append: start it again at the new offset.
                if (!active.OffsetIndex.CanAppendOffset(newOffset)) ReplaceEmptyActive(newOffset);
                return;
            }
            throw new FlussException(FlussErrorCode.LogStorage, $"Cannot roll {TableBucket} to a new segment at offset {newOffset}: the active segment already starts there.");
        }
        if (newOffset < active.BaseOffset)
            throw new FlussException(FlussErrorCode.LogStorage, $"Cannot roll {TableBucket} to offset {newOffset}, below the active segment's base offset {active.BaseOffset}.");
        if (active.Size == 0)
        {
            ReplaceEmptyActive(newOffset);
            return;
        }

        ScheduleFlushBelow(logEnd);
        active.OnBecomeInactive();
        DeleteStaleFiles(newOffset);
        var segment = LogSegment.Open(Directory, newOffset, _options, active: true);
        _segments = [.. _segments, segment];
        _logEnd = new EndOffset(logEnd, segment.BaseOffset, 0);
        _writers.UpdateMapEndOffset(newOffset);
        _writers.TakeSnapshot();
    }

    /// <summary>
    /// Forces the segments holding offsets from the recovery point up to <paramref name="offset"/> to disk in the
    /// background (a roll must not stall appends on an fsync of a whole segment), then moves the recovery point
    /// (caller holds the lock).
    /// </summary>
    private void ScheduleFlushBelow(long offset)
    {
        var segments = _segments;
        var toFlush = new List<LogSegment>();
        var from = Math.Max(_recoveryPoint, _flushScheduledUpTo);
        for (var i = FloorIndex(segments, from); i < segments.Length && segments[i].BaseOffset < offset; i++)
            if (segments[i].TryAcquire()) toFlush.Add(segments[i]);
        _flushScheduledUpTo = Math.Max(_flushScheduledUpTo, offset);
        var truncations = _truncations;
        var previous = _pendingFlush;
        _pendingFlush = Task.Run(async () =>
        {
            if (previous is not null) await previous.ConfigureAwait(false);
            var flushed = false;
            try
            {
                foreach (var segment in toFlush) segment.Flush();
                flushed = true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                // The recovery point stays behind; the next flush or recovery covers these segments.
            }
            finally
            {
                foreach (var segment in toFlush) segment.Release();
            }
            if (!flushed) return;
            lock (_lock)
            {
                if (!_closed && truncations == _truncations && offset > _recoveryPoint) Volatile.Write(ref _recoveryPoint, offset);
            }
        });
    }

    private void ReplaceEmptyActive(long newOffset)
    {
        var active = _segments[^1];
        var segments = _segments;
        active.Delete();
        DeleteStaleFiles(newOffset);
        var segment = LogSegment.Open(Directory, newOffset, _options, active: true);
        _segments = [.. segments[..^1], segment];
        if (segments.Length == 1) Volatile.Write(ref _logStartOffset, newOffset);
        _logEnd = new EndOffset(Math.Max(_logEnd.Offset, newOffset), newOffset, 0);
    }

    private void DeleteStaleFiles(long baseOffset)
    {
        foreach (var file in new[] { LogFileNames.LogFile(Directory, baseOffset), LogFileNames.IndexFile(Directory, baseOffset), LogFileNames.TimeIndexFile(Directory, baseOffset) })
            if (File.Exists(file)) File.Delete(file);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads whole batches starting with the batch that holds <paramref name="fetchOffset"/> (the reader skips
    /// records before it), at most <paramref name="maxBytes"/> (but the first batch whole when
    /// <paramref name="minOneMessage"/>), never past the isolation bound. Reading stays within one segment.
    /// </summary>
    /// <exception cref="LogOffsetOutOfRangeException">The offset is below the log start offset or above the log end offset.</exception>
    public FetchDataInfo Read(long fetchOffset, int maxBytes, FetchIsolation isolation, bool minOneMessage) =>
        Read(fetchOffset, maxBytes, isolation, minOneMessage, projection: null);

    /// <summary>
    /// Like <see cref="Read(long, int, FetchIsolation, bool)"/>, with server-side column projection:
    /// <paramref name="maxBytes"/> bounds the projected bytes.
    /// </summary>
    public FetchDataInfo Read(long fetchOffset, int maxBytes, FetchIsolation isolation, bool minOneMessage, LogProjection? projection)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        for (var attempt = 0; ; attempt++)
        {
            var end = _logEnd;
            var highWatermark = Math.Min(HighWatermark, end.Offset);
            var segments = _segments;
            var start = LogStartOffset;
            var offsets = new LogOffsetSnapshot(start, highWatermark, end.Offset);
            if (fetchOffset < start || fetchOffset > end.Offset)
                throw new LogOffsetOutOfRangeException(
                    $"Received request for offset {fetchOffset} for table bucket {TableBucket}, but we only have log segments from offset {start} up to {end.Offset}.");
            var bound = isolation == FetchIsolation.HighWatermark ? highWatermark : end.Offset;
            if (fetchOffset >= bound) return new FetchDataInfo(fetchOffset, null, 0, 0, offsets);

            var retry = false;
            for (var i = FloorIndex(segments, fetchOffset); i < segments.Length && !retry; i++)
            {
                var segment = segments[i];
                if (segment.BaseOffset >= bound) break;
                if (!segment.TryAcquire())
                {
                    retry = true;
                    break;
                }
                try
                {
                    var maxPosition = segment.BaseOffset == end.SegmentBaseOffset ? end.Position : segment.Size;
                    var read = projection is null
                        ? segment.Read(fetchOffset, maxBytes, maxPosition, bound, minOneMessage)
                        : segment.ReadProjected(fetchOffset, maxBytes, maxPosition, bound, minOneMessage, projection);
                    if (read.Found) return new FetchDataInfo(fetchOffset, read.Buffer, read.Length, read.BatchCount, offsets);
                }
                finally
                {
                    segment.Release();
                }
            }
            if (!retry || attempt >= 8) return new FetchDataInfo(fetchOffset, null, 0, 0, offsets);
        }
    }

    /// <summary>
    /// The offset to start reading at for a timestamp (ListOffsets TIMESTAMP): the base offset of the first batch
    /// whose commit timestamp is at least <paramref name="timestamp"/>, capped at the high watermark; the high
    /// watermark when every batch is older.
    /// </summary>
    /// <exception cref="FlussException">INVALID_TIMESTAMP (38) when the timestamp lies in the future.</exception>
    public long LookupOffsetForTimestamp(long timestamp)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (timestamp > now)
            throw new FlussException(FlussErrorCode.InvalidTimestamp,
                $"Get offset error for table bucket {TableBucket}: the fetch timestamp {timestamp} is larger than the current timestamp {now}.");
        var highWatermark = HighWatermark;
        if (timestamp > LocalMaxTimestamp) return highWatermark;
        foreach (var segment in _segments)
        {
            if (!segment.TryAcquire()) continue;
            try
            {
                if (segment.MaxTimestampSoFar < timestamp) continue;
                if (segment.FindOffsetByTimestamp(timestamp, 0) is { } found)
                    return Math.Clamp(found.Offset, LogStartOffset, highWatermark);
            }
            finally
            {
                segment.Release();
            }
        }
        return highWatermark;
    }

    // ---------------------------------------------------------------------------------------------------------
    // High watermark, flush, truncation, retention
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Moves the high watermark forward to <paramref name="highWatermark"/>, capped at the log end offset; a lower
    /// value is ignored (only truncation lowers it). Returns the high watermark now in effect.
    /// </summary>
    public long UpdateHighWatermark(long highWatermark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(highWatermark);
        lock (_lock)
        {
            var target = Math.Min(highWatermark, _logEnd.Offset);
            if (target > _highWatermark) Volatile.Write(ref _highWatermark, target);
            return _highWatermark;
        }
    }

    /// <summary>Forces every segment holding offsets at or above the recovery point to disk and moves the recovery point to the log end offset.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        var logEnd = _logEnd.Offset;
        FlushSegmentsFrom(_recoveryPoint);
        if (logEnd > _recoveryPoint) Volatile.Write(ref _recoveryPoint, logEnd);
    }

    private void FlushSegmentsFrom(long offset)
    {
        var segments = _segments;
        for (var i = FloorIndex(segments, offset); i < segments.Length; i++) segments[i].Flush();
    }

    /// <summary>
    /// Removes every batch at or after <paramref name="targetOffset"/> (whole batches: a batch holding the offset
    /// goes too), for replication and recovery. The high watermark and recovery point drop to the new log end
    /// offset when above it, and the writer state is rebuilt. Returns false when the log ends at or before the offset.
    /// </summary>
    public bool TruncateTo(long targetOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetOffset);
        lock (_lock)
        {
            ThrowIfClosed();
            if (targetOffset >= _logEnd.Offset) return false;
            if (_segments[0].BaseOffset > targetOffset)
            {
                TruncateFullyAndStartAtLocked(targetOffset);
                return true;
            }
            var keep = _segments.Where(s => s.BaseOffset <= targetOffset).ToArray();
            var removed = _segments.Where(s => s.BaseOffset > targetOffset).ToArray();
            _segments = keep;
            foreach (var s in removed)
            {
                s.Delete();
                _writers.RemoveAndDeleteSnapshot(s.BaseOffset);
            }
            var active = keep[^1];
            if (removed.Length > 0) active.OnBecomeActive();
            active.TruncateTo(targetOffset);
            var logEnd = active.ReadNextOffset();
            _logEnd = new EndOffset(logEnd, active.BaseOffset, active.Size);
            if (_highWatermark > logEnd) Volatile.Write(ref _highWatermark, logEnd);
            if (_recoveryPoint > logEnd) Volatile.Write(ref _recoveryPoint, logEnd);
            _flushScheduledUpTo = Math.Min(_flushScheduledUpTo, logEnd);
            _truncations++;
            Volatile.Write(ref _localMaxTimestamp, Math.Max(0, LatestTimestamp(keep)));
            RebuildWriterState(_writers, keep, logEnd, _time.GetUtcNow().ToUnixTimeMilliseconds());
            return true;
        }
    }

    /// <summary>Deletes the whole log and starts it empty at <paramref name="newOffset"/>.</summary>
    public void TruncateFullyAndStartAt(long newOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newOffset);
        lock (_lock)
        {
            ThrowIfClosed();
            TruncateFullyAndStartAtLocked(newOffset);
        }
    }

    private void TruncateFullyAndStartAtLocked(long newOffset)
    {
        var old = _segments;
        foreach (var s in old) s.Delete();
        DeleteStaleFiles(newOffset);
        var segment = LogSegment.Open(Directory, newOffset, _options, active: true);
        _segments = [segment];
        Volatile.Write(ref _logStartOffset, newOffset);
        _logEnd = new EndOffset(newOffset, newOffset, 0);
        Volatile.Write(ref _highWatermark, newOffset);
        Volatile.Write(ref _recoveryPoint, newOffset);
        _flushScheduledUpTo = newOffset;
        _truncations++;
        Volatile.Write(ref _localMaxTimestamp, 0);
        _writers.TruncateFullyAndStartAt(newOffset);
    }

    /// <summary>TTL retention with the tablet's <see cref="LogTtl"/> and the current time.</summary>
    public int DeleteSegmentsByTtl() => DeleteSegmentsByTtl(_time.GetUtcNow(), LogTtl);

    /// <summary>
    /// Deletes the oldest segments whose largest commit timestamp is more than <paramref name="ttl"/> before
    /// <paramref name="now"/>, as a contiguous prefix of inactive segments lying entirely below the high watermark
    /// (and below <see cref="MinRetainOffset"/>); the log start offset moves to the first remaining segment. A zero
    /// or negative TTL keeps everything (Fluss's <c>table.log.ttl</c> semantics). Returns the number deleted.
    /// </summary>
    public int DeleteSegmentsByTtl(DateTimeOffset now, TimeSpan ttl)
    {
        var ttlMs = (long)ttl.TotalMilliseconds;
        if (ttlMs <= 0) return 0;
        var nowMs = now.ToUnixTimeMilliseconds();
        lock (_lock)
        {
            ThrowIfClosed();
            var bound = Math.Min(_highWatermark, MinRetainOffset);
            var segments = _segments;
            if (bound < segments[0].BaseOffset) return 0;
            var deletable = 0;
            while (deletable < segments.Length - 1
                   && segments[deletable + 1].BaseOffset <= bound
                   && Expired(segments[deletable], nowMs, ttlMs))
                deletable++;
            var active = segments[^1];
            if (deletable == segments.Length - 1 && _options.RollExpiredActiveSegment && active.Size > 0
                && Expired(active, nowMs, ttlMs) && _highWatermark >= _logEnd.Offset && MinRetainOffset >= _logEnd.Offset)
                RollLocked(null);
            if (deletable == 0) return 0;
            var remaining = _segments[deletable..];
            _segments = remaining;
            Volatile.Write(ref _logStartOffset, remaining[0].BaseOffset);
            for (var i = 0; i < deletable; i++)
            {
                segments[i].Delete();
                _writers.RemoveAndDeleteSnapshot(segments[i].BaseOffset);
            }
            return deletable;
        }

        static bool Expired(LogSegment segment, long nowMs, long ttlMs) => nowMs - segment.MaxTimestampSoFar > ttlMs;
    }

    /// <summary>Forgets idempotent writers whose last batch is older than the writer-id expiration.</summary>
    public int RemoveExpiredWriters()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            return _writers.RemoveExpiredWriters(_time.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    /// <summary>Flushes, writes a writer-state snapshot at the log end offset and closes the files (readers in flight finish first).</summary>
    public void Dispose()
    {
        Task? pending;
        lock (_lock) pending = _pendingFlush;
        try
        {
            pending?.Wait();
        }
        catch (AggregateException)
        {
            // A failed background flush is repeated below.
        }
        lock (_lock)
        {
            if (_closed) return;
            try
            {
                FlushLocked();
                _writers.UpdateMapEndOffset(_logEnd.Offset);
                _writers.TakeSnapshot();
            }
            finally
            {
                _closed = true;
                foreach (var s in _segments) s.Close();
            }
        }
    }

    /// <summary>Closes the tablet and deletes its directory.</summary>
    internal void Drop()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var s in _segments) s.Delete();
            _segments = [];
        }
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    public override string ToString() => $"LogTablet({TableBucket}, logStartOffset={LogStartOffset}, highWatermark={HighWatermark}, logEndOffset={LogEndOffset}, segments={_segments.Length})";

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException(nameof(LogTablet), $"The log tablet of {TableBucket} is closed.");
    }

    /// <summary>Index of the last segment whose base offset is at most <paramref name="offset"/> (0 when none).</summary>
    private static int FloorIndex(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (segments[mid].BaseOffset <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private static long LatestTimestamp(LogSegment[] segments)
    {
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            var t = segments[i].MaxTimestampSoFar;
            if (t >= 0) return t;
        }
        return -1;
    }

    /// <summary>
    /// Makes the writer state match the log up to <paramref name="logEndOffset"/>: snapshots beyond it are dropped,
    /// the latest remaining one is loaded, and the batches after it are replayed.
    /// </summary>
    internal static void RebuildWriterState(WriterStateManager writers, LogSegment[] segments, long logEndOffset, long nowMs)
    {
        writers.TruncateAndReload(0, logEndOffset, nowMs);
        if (logEndOffset > writers.MapEndOffset)
        {
            var from = writers.MapEndOffset;
            for (var i = FloorIndex(segments, from); i < segments.Length; i++)
            {
                var segment = segments[i];
                if (segment.BaseOffset >= logEndOffset) break;
                var start = segment.BaseOffset >= from ? 0 : segment.OffsetIndex.Lookup(from).Position;
                var scanner = segment.ScanBatches(start, segment.Size);
                try
                {
                    while (scanner.MoveNext(out var batch, out _))
                    {
                        if (batch.LastOffset < from) continue;
                        if (batch.NextOffset > logEndOffset) break;
                        var writerId = batch.WriterId;
                        if (writerId != NoWriterId)
                            writers.Append(writerId, batch.BatchSequence, batch.LastOffset, batch.LastOffsetDelta, batch.CommitTimestamp);
                    }
                }
                finally
                {
                    scanner.Dispose();
                }
            }
            writers.RemoveExpiredWriters(nowMs);
        }
        writers.UpdateMapEndOffset(logEndOffset);
        writers.TakeSnapshot();
    }

    /// <summary>The log end offset with where it lies: the active segment and the byte position in it.</summary>
    private sealed record EndOffset(long Offset, long SegmentBaseOffset, int Position);

    private struct Analysis
    {
        public int BatchCount;
        public int RecordCount;
        public int ValidBytes;
        public long OffsetSpan;
        public long FirstOffset;
        public long LastOffset;
        public long MaxTimestamp;
        public long OffsetOfMaxTimestamp;
    }
}
