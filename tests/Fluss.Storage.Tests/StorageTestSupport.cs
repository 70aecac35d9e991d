using Fluss.Arrow;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Storage.Log;
using Fluss.Types;
using ArrowCompressionType = Fluss.Metadata.ArrowCompressionType;

namespace Fluss.Storage.Tests;

/// <summary>A directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluss-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand; timers fire when <see cref="Advance"/> passes their due time.</summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;

    public ManualClock(long startMillis = 1_700_000_000_000) => _now = DateTimeOffset.FromUnixTimeMilliseconds(startMillis);

    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock) target = _now + by;
        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due is { } due && due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }
                _now = next.Due!.Value;
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
            }
            next.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state, period);
        lock (_lock)
        {
            timer.Due = dueTime == Timeout.InfiniteTimeSpan ? null : _now + dueTime;
            _timers.Add(timer);
        }
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state, TimeSpan period) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; } = period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                Period = period;
            }
            return true;
        }

        public void Dispose()
        {
            lock (clock._lock) clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Builds log batches for the tests.</summary>
internal static class Batches
{
    public static readonly RowType Schema = RowType.Of(("id", new IntType(false)), ("name", new StringType()));

    public static readonly PhysicalTablePath Path = PhysicalTablePath.Of("db", "orders", null);

    public static readonly TableBucket Bucket = new(42, 3);

    /// <summary>An append-only batch of <paramref name="count"/> rows with ids from <paramref name="firstId"/>.</summary>
    public static byte[] Rows(int firstId, int count, long writerId = LogRecordBatchFormat.NoWriterId, int sequence = LogRecordBatchFormat.NoBatchSequence,
        ArrowCompressionType codec = ArrowCompressionType.None, int nameLength = 8)
    {
        using var rows = new ArrowBatchBuilder(Schema);
        for (var i = 0; i < count; i++)
            rows.Append(GenericRow.Of(firstId + i, new string((char)('a' + (i % 26)), nameLength)));
        using var builder = new ArrowLogBatchBuilder(codec);
        return builder.BuildAppendOnly(rows, new LogBatchHeader(1, writerId, sequence)).ToArray();
    }

    public static byte[] Concat(params byte[][] batches) => batches.SelectMany(b => b).ToArray();

    /// <summary>The ids of every row in <paramref name="records"/> with offset at or after <paramref name="fromOffset"/>.</summary>
    public static List<(long Offset, int Id)> Decode(ReadOnlyMemory<byte> records, long fromOffset = 0)
    {
        var result = new List<(long, int)>();
        foreach (var batch in new LogRecords(records))
        {
            batch.EnsureValid();
            foreach (var record in batch.ReadRows(Schema))
                if (record.Offset >= fromOffset) result.Add((record.Offset, (int)record.Row[0]!));
        }
        return result;
    }

    public static List<LogRecordBatch> BatchesOf(ReadOnlyMemory<byte> records)
    {
        var result = new List<LogRecordBatch>();
        foreach (var batch in new LogRecords(records)) result.Add(batch);
        return result;
    }

    public static LogTabletOptions SmallSegments(int segmentSize = 4096, int indexInterval = 256) =>
        new() { SegmentFileSize = segmentSize, IndexIntervalBytes = indexInterval, IndexFileSize = 1024 };
}
