using System.Text.Json;
using Fluss.Metadata;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Storage.Log;

/// <summary>One appended batch of an idempotent writer.</summary>
internal readonly record struct WriterBatchMetadata(int BatchSequence, long LastOffset, int OffsetDelta, long Timestamp)
{
    public long FirstOffset => LastOffset - OffsetDelta;
}

/// <summary>The state of one idempotent writer in a bucket: its last few batches (Fluss keeps 5) and their time.</summary>
internal sealed class WriterStateEntry
{
    public const int BatchesToRetain = 5;

    private readonly WriterBatchMetadata[] _batches = new WriterBatchMetadata[BatchesToRetain];
    private int _first;
    private int _count;

    public WriterStateEntry(long writerId, long lastBatchTimestamp)
    {
        WriterId = writerId;
        LastBatchTimestamp = lastBatchTimestamp;
    }

    public long WriterId { get; }

    public long LastBatchTimestamp { get; private set; }

    public bool IsEmpty => _count == 0;

    public int Count => _count;

    public int LastBatchSequence => _count == 0 ? NoBatchSequence : Last.BatchSequence;

    public long LastDataOffset => _count == 0 ? -1 : Last.LastOffset;

    public int LastOffsetDelta => _count == 0 ? -1 : Last.OffsetDelta;

    private WriterBatchMetadata Last => _batches[(_first + _count - 1) % BatchesToRetain];

    public void AddBatch(int batchSequence, long lastOffset, int offsetDelta, long timestamp)
    {
        var batch = new WriterBatchMetadata(batchSequence, lastOffset, offsetDelta, timestamp);
        if (_count == BatchesToRetain)
        {
            _batches[_first] = batch;
            _first = (_first + 1) % BatchesToRetain;
        }
        else
        {
            _batches[(_first + _count) % BatchesToRetain] = batch;
            _count++;
        }
        LastBatchTimestamp = timestamp;
    }

    public bool TryFindDuplicate(int batchSequence, out WriterBatchMetadata batch)
    {
        for (var i = 0; i < _count; i++)
        {
            var candidate = _batches[(_first + i) % BatchesToRetain];
            if (candidate.BatchSequence == batchSequence)
            {
                batch = candidate;
                return true;
            }
        }
        batch = default;
        return false;
    }
}

/// <summary>
/// Idempotent-writer state of one bucket: per writer id the last batches, so a retried batch is recognised and a gap
/// in the sequence refused. Snapshots are JSON files <c>{offset}.writer_snapshot</c> in Fluss's format
/// (<c>{"version":1,"writer_id_entries":[{"writer_id","last_batch_sequence","last_batch_base_offset","offset_delta","last_batch_timestamp"}]}</c>,
/// where <c>last_batch_base_offset</c> holds the last batch's last offset as Fluss writes it) taken at segment roll
/// and close; recovery loads the latest and replays the log after it. Not thread-safe: the tablet serializes calls.
/// </summary>
internal sealed class WriterStateManager
{
    private const int SnapshotVersion = 1;

    private readonly Dictionary<long, WriterStateEntry> _writers = [];
    private readonly SortedDictionary<long, string> _snapshots = [];
    private readonly string _directory;
    private readonly TableBucket _bucket;
    private long _lastSnapOffset;

    public WriterStateManager(string directory, TableBucket bucket, long writerExpirationMs)
    {
        _directory = directory;
        _bucket = bucket;
        WriterExpirationMs = writerExpirationMs;
        LoadSnapshotList();
    }

    public long WriterExpirationMs { get; }

    /// <summary>The offset up to which (exclusive) the state reflects the log.</summary>
    public long MapEndOffset { get; private set; }

    public int WriterCount => _writers.Count;

    public bool IsEmpty => _writers.Count == 0;

    public IReadOnlyDictionary<long, WriterStateEntry> Writers => _writers;

    public long? LatestSnapshotOffset => _snapshots.Count == 0 ? null : _snapshots.Keys.Last();

    public IEnumerable<long> SnapshotOffsets => _snapshots.Keys;

    public WriterStateEntry? LastEntry(long writerId) => _writers.GetValueOrDefault(writerId);

    public void UpdateMapEndOffset(long offset) => MapEndOffset = offset;

    /// <summary>True when a batch committed at <paramref name="batchTimestamp"/> is older than the expiration.</summary>
    public bool IsWriterInBatchExpired(long nowMs, long batchTimestamp) => nowMs - batchTimestamp > WriterExpirationMs;

    /// <summary>
    /// Whether batch sequence <paramref name="next"/> may follow <paramref name="last"/>: the next number (wrapping
    /// after int.MaxValue to 0), or any number for a writer without state when appending as a follower or when the
    /// batch is older than the expiration. A leader accepts an unknown writer only at sequence 0.
    /// </summary>
    public static bool InSequence(int last, int next, bool writerInBatchExpired, bool asLeader) =>
        (last == NoBatchSequence && (writerInBatchExpired || !asLeader))
        || next == (long)last + 1
        || (next == 0 && last == int.MaxValue);

    /// <summary>Records an appended batch of <paramref name="writerId"/>.</summary>
    public void Append(long writerId, int batchSequence, long lastOffset, int offsetDelta, long timestamp)
    {
        if (!_writers.TryGetValue(writerId, out var entry))
        {
            entry = new WriterStateEntry(writerId, timestamp);
            _writers[writerId] = entry;
        }
        entry.AddBatch(batchSequence, lastOffset, offsetDelta, timestamp);
    }

    public int RemoveExpiredWriters(long nowMs)
    {
        List<long>? expired = null;
        foreach (var (id, entry) in _writers)
            if (nowMs - entry.LastBatchTimestamp > WriterExpirationMs) (expired ??= []).Add(id);
        if (expired is null) return 0;
        foreach (var id in expired) _writers.Remove(id);
        return expired.Count;
    }

    /// <summary>Writes a snapshot at <see cref="MapEndOffset"/> unless one exists at or beyond it.</summary>
    public void TakeSnapshot()
    {
        if (MapEndOffset <= _lastSnapOffset) return;
        var path = LogFileNames.WriterSnapshotFile(_directory, MapEndOffset);
        WriteSnapshot(path);
        _snapshots[MapEndOffset] = path;
        _lastSnapOffset = MapEndOffset;
    }

    /// <summary>
    /// Drops snapshots beyond <paramref name="logEndOffset"/> or at or below <paramref name="logStartOffset"/>; when
    /// the state does not end at <paramref name="logEndOffset"/>, reloads it from the latest remaining snapshot.
    /// </summary>
    public void TruncateAndReload(long logStartOffset, long logEndOffset, long nowMs)
    {
        foreach (var offset in _snapshots.Keys.ToList())
            if (offset > logEndOffset || offset <= logStartOffset) RemoveAndDeleteSnapshot(offset);
        if (logEndOffset != MapEndOffset)
        {
            _writers.Clear();
            LoadFromSnapshot(logStartOffset, nowMs);
        }
        else
        {
            if (MapEndOffset < logStartOffset) MapEndOffset = logStartOffset;
            _lastSnapOffset = LatestSnapshotOffset ?? logStartOffset;
        }
    }

    public void TruncateFullyAndStartAt(long offset)
    {
        _writers.Clear();
        foreach (var snapshot in _snapshots.Keys.ToList()) RemoveAndDeleteSnapshot(snapshot);
        _lastSnapOffset = 0;
        MapEndOffset = offset;
    }

    public void RemoveAndDeleteSnapshot(long offset)
    {
        if (_snapshots.Remove(offset, out var path)) File.Delete(path);
    }

    /// <summary>
    /// Deletes snapshots that belong to no segment, except the largest such one when it lies beyond the last
    /// segment's base offset (the snapshot taken at the log end offset).
    /// </summary>
    public void RemoveStraySnapshots(IReadOnlyCollection<long> segmentBaseOffsets)
    {
        LoadSnapshotList();
        var bases = new HashSet<long>(segmentBaseOffsets);
        long? latestStray = null;
        foreach (var offset in _snapshots.Keys.ToList())
        {
            if (bases.Contains(offset)) continue;
            if (latestStray is { } previous) RemoveAndDeleteSnapshot(previous);
            latestStray = offset;
        }
        if (latestStray is { } stray && segmentBaseOffsets.Count > 0 && stray < segmentBaseOffsets.Max())
            RemoveAndDeleteSnapshot(stray);
    }

    private void LoadSnapshotList()
    {
        _snapshots.Clear();
        if (!Directory.Exists(_directory)) return;
        foreach (var file in Directory.EnumerateFiles(_directory, "*" + LogFileNames.WriterSnapshotSuffix))
        {
            var name = Path.GetFileName(file);
            if (!name.EndsWith(LogFileNames.WriterSnapshotSuffix, StringComparison.Ordinal)) continue;
            if (LogFileNames.OffsetOf(name) is { } offset) _snapshots[offset] = file;
        }
    }

    private void LoadFromSnapshot(long logStartOffset, long nowMs)
    {
        while (_snapshots.Count > 0)
        {
            var offset = _snapshots.Keys.Last();
            var path = _snapshots[offset];
            try
            {
                foreach (var entry in ReadSnapshot(path))
                    if (nowMs - entry.LastBatchTimestamp <= WriterExpirationMs) _writers[entry.WriterId] = entry;
                _lastSnapOffset = offset;
                MapEndOffset = offset;
                return;
            }
            catch (Exception e) when (e is JsonException or IOException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                _writers.Clear();
                RemoveAndDeleteSnapshot(offset);
            }
        }
        _lastSnapOffset = logStartOffset;
        MapEndOffset = logStartOffset;
    }

    private static List<WriterStateEntry> ReadSnapshot(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var version = root.GetProperty("version").GetInt32();
        if (version != SnapshotVersion)
            throw new InvalidDataException($"Writer snapshot {path} has version {version}; expected {SnapshotVersion}.");
        var result = new List<WriterStateEntry>();
        foreach (var e in root.GetProperty("writer_id_entries").EnumerateArray())
        {
            var entry = new WriterStateEntry(e.GetProperty("writer_id").GetInt64(), e.GetProperty("last_batch_timestamp").GetInt64());
            entry.AddBatch(
                e.GetProperty("last_batch_sequence").GetInt32(),
                e.GetProperty("last_batch_base_offset").GetInt64(),
                e.GetProperty("offset_delta").GetInt32(),
                e.GetProperty("last_batch_timestamp").GetInt64());
            result.Add(entry);
        }
        return result;
    }

    private void WriteSnapshot(string path)
    {
        var temp = path + LogFileNames.TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("version", SnapshotVersion);
                json.WriteStartArray("writer_id_entries");
                foreach (var (id, entry) in _writers)
                {
                    json.WriteStartObject();
                    json.WriteNumber("writer_id", id);
                    json.WriteNumber("last_batch_sequence", entry.LastBatchSequence);
                    json.WriteNumber("last_batch_base_offset", entry.LastDataOffset);
                    json.WriteNumber("offset_delta", entry.LastOffsetDelta);
                    json.WriteNumber("last_batch_timestamp", entry.LastBatchTimestamp);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public override string ToString() => $"WriterStateManager({_bucket}, writers={_writers.Count}, mapEndOffset={MapEndOffset})";
}
