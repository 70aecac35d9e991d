using System.Buffers.Binary;
using Fluss.Storage.Log;

namespace Fluss.Storage.Tests.Log;

public class LogRecoveryTests
{
    private const string Tablet = "log-3";

    private static LogTablet Open(string directory, LogTabletOptions? options = null, bool clean = false, long recoveryPoint = 0) =>
        LogTablet.Open(directory, Batches.Path, Batches.Bucket, options, new ManualClock(), recoveryPoint: recoveryPoint, cleanShutdown: clean);

    /// <summary>Writes a tablet with three batches (ids 0..9) and returns its directory and the byte range of the last batch.</summary>
    private static (string Directory, int LastStart, int LastEnd) ThreeBatches(TempDir dir)
    {
        var directory = dir.Sub(Tablet);
        using var tablet = Open(directory);
        tablet.AppendAsLeader(Batches.Rows(0, 2));
        tablet.AppendAsLeader(Batches.Rows(2, 3));
        var lastStart = (int)tablet.SizeInBytes;
        tablet.AppendAsLeader(Batches.Rows(5, 5));
        return (directory, lastStart, (int)tablet.SizeInBytes);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    private static List<int> Ids(LogTablet tablet)
    {
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        var ids = new List<int>();
        var offset = tablet.LogStartOffset;
        while (offset < tablet.LogEndOffset)
        {
            using var data = tablet.Read(offset, 1 << 20, FetchIsolation.LogEnd, true);
            if (data.IsEmpty) break;
            var rows = Batches.Decode(data.Records, offset);
            ids.AddRange(rows.Select(r => r.Id));
            offset = rows[^1].Offset + 1;
        }
        return ids;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_ActiveSegmentCutAtEveryByteOfItsLastBatch_KeepsExactlyThePrecedingBatches(bool cleanShutdown)
    {
        using var dir = new TempDir();
        var (source, lastStart, lastEnd) = ThreeBatches(dir);
        var logName = LogFileNames.Prefix(0) + LogFileNames.LogSuffix;
        var original = File.ReadAllBytes(Path.Combine(source, logName));
        Assert.Equal(lastEnd, original.Length);

        for (var cut = lastStart; cut < lastEnd; cut++)
        {
            var copy = dir.Sub("cut-" + cut, Tablet);
            CopyDirectory(source, copy);
            File.WriteAllBytes(Path.Combine(copy, logName), original[..cut]);

            using (var tablet = Open(copy, clean: cleanShutdown))
            {
                Assert.Equal(5, tablet.LogEndOffset);
                Assert.Equal(lastStart, new FileInfo(Path.Combine(copy, logName)).Length);
                Assert.Equal([0, 1, 2, 3, 4], Ids(tablet));
                Assert.Equal(5, tablet.AppendAsLeader(Batches.Rows(5, 1)).FirstOffset);
            }
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    [Fact]
    public void Open_AFlippedByteAnywhereInTheCheckedPartOfTheTailBatch_TruncatesThere()
    {
        using var dir = new TempDir();
        var (source, lastStart, lastEnd) = ThreeBatches(dir);
        var logName = LogFileNames.Prefix(0) + LogFileNames.LogSuffix;
        var original = File.ReadAllBytes(Path.Combine(source, logName));

        // Every byte the CRC covers, the CRC itself and the length field.
        var positions = Enumerable.Range(lastStart + 21, lastEnd - lastStart - 21).Concat(Enumerable.Range(lastStart + 8, 4));
        foreach (var position in positions)
        {
            var copy = dir.Sub("flip-" + position, Tablet);
            CopyDirectory(source, copy);
            var bytes = (byte[])original.Clone();
            bytes[position] ^= 0x10;
            File.WriteAllBytes(Path.Combine(copy, logName), bytes);

            using (var tablet = Open(copy))
            {
                Assert.Equal(5, tablet.LogEndOffset);
                Assert.Equal(lastStart, new FileInfo(Path.Combine(copy, logName)).Length);
                Assert.Equal([0, 1, 2, 3, 4], Ids(tablet));
            }
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    [Fact]
    public void Open_CorruptionInAnOlderSegment_DeletesTheSegmentsAfterIt()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        long[] bases;
        using (var tablet = Open(directory, Batches.SmallSegments()))
        {
            for (var i = 0; i < 100; i++) tablet.AppendAsLeader(Batches.Rows(2 * i, 2));
            bases = [.. tablet.SegmentBaseOffsets];
        }
        Assert.True(bases.Length > 4);
        var victim = Path.Combine(directory, LogFileNames.Prefix(bases[2]) + LogFileNames.LogSuffix);
        var bytes = File.ReadAllBytes(victim);
        bytes[^3] ^= 0xFF;
        File.WriteAllBytes(victim, bytes);

        using var reopened = Open(directory, Batches.SmallSegments());
        Assert.Equal(3, reopened.SegmentCount);
        var ids = Ids(reopened);
        Assert.Equal(Enumerable.Range(0, ids.Count), ids);
        Assert.True(reopened.LogEndOffset > bases[2] && reopened.LogEndOffset < bases[3]);
        Assert.Equal(3, Directory.GetFiles(directory, "*.log").Length);
    }

    [Fact]
    public void Open_AfterCleanShutdownWithARecoveryPoint_SkipsCheckingOlderSegments()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        long[] bases;
        long end;
        using (var tablet = Open(directory, Batches.SmallSegments()))
        {
            for (var i = 0; i < 60; i++) tablet.AppendAsLeader(Batches.Rows(2 * i, 2));
            bases = [.. tablet.SegmentBaseOffsets];
            end = tablet.LogEndOffset;
        }
        // A flipped data byte in an old, flushed segment goes unnoticed below the recovery point ...
        var old = Path.Combine(directory, LogFileNames.Prefix(bases[0]) + LogFileNames.LogSuffix);
        var bytes = File.ReadAllBytes(old);
        bytes[^3] ^= 0xFF;
        File.WriteAllBytes(old, bytes);
        using (var tablet = Open(directory, Batches.SmallSegments(), recoveryPoint: end))
        {
            Assert.Equal(end, tablet.LogEndOffset);
            Assert.Equal(bases.Length, tablet.SegmentCount);
        }
        // ... and is cut when recovery starts below it.
        using var full = Open(directory, Batches.SmallSegments(), recoveryPoint: 0);
        Assert.Equal(1, full.SegmentCount);
        Assert.True(full.LogEndOffset < bases[1]);
    }

    [Fact]
    public void Open_MissingIndexFiles_AreRebuiltWithTheSameEntries()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        var options = Batches.SmallSegments(segmentSize: 1 << 20, indexInterval: 200);
        using (var tablet = Open(directory, options))
            for (var i = 0; i < 40; i++) tablet.AppendAsLeader(Batches.Rows(3 * i, 3));
        var index = Path.Combine(directory, LogFileNames.Prefix(0) + LogFileNames.IndexSuffix);
        var timeIndex = Path.Combine(directory, LogFileNames.Prefix(0) + LogFileNames.TimeIndexSuffix);
        var indexBytes = File.ReadAllBytes(index);
        var timeBytes = File.ReadAllBytes(timeIndex);
        Assert.True(indexBytes.Length >= 5 * 8);
        File.Delete(index);
        File.Delete(timeIndex);

        using (var tablet = Open(directory, options, clean: true))
        {
            Assert.Equal(120, tablet.LogEndOffset);
            Assert.Equal(Enumerable.Range(0, 120), Ids(tablet));
        }
        Assert.Equal(indexBytes, File.ReadAllBytes(index));
        Assert.Equal(timeBytes, File.ReadAllBytes(timeIndex));
    }

    [Fact]
    public void Open_InconsistentIndex_IsRebuilt()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        var options = Batches.SmallSegments(segmentSize: 1 << 20, indexInterval: 100);
        using (var tablet = Open(directory, options))
            for (var i = 0; i < 30; i++) tablet.AppendAsLeader(Batches.Rows(2 * i, 2));
        var index = Path.Combine(directory, LogFileNames.Prefix(0) + LogFileNames.IndexSuffix);
        var good = File.ReadAllBytes(index);
        var bad = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32BigEndian(bad.AsSpan(bad.Length - 4), int.MaxValue); // a position past the log
        File.WriteAllBytes(index, [.. bad, 1, 2, 3]);

        using (var tablet = Open(directory, options, clean: true))
        {
            for (long offset = 0; offset < 60; offset += 7)
            {
                using var data = tablet.Read(offset, 1, FetchIsolation.LogEnd, true);
                Assert.Equal((int)offset, Batches.Decode(data.Records, offset)[0].Id);
            }
        }
        Assert.Equal(good, File.ReadAllBytes(index));
    }

    [Fact]
    public void Open_StrayFiles_AreRemoved()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        using (var tablet = Open(directory)) tablet.AppendAsLeader(Batches.Rows(0, 3));
        var stray = new[]
        {
            LogFileNames.Prefix(50) + LogFileNames.IndexSuffix,
            LogFileNames.Prefix(50) + LogFileNames.TimeIndexSuffix,
            LogFileNames.Prefix(7) + LogFileNames.LogSuffix + LogFileNames.DeletedSuffix,
            "high-watermark-checkpoint" + LogFileNames.TempSuffix,
        };
        foreach (var name in stray) File.WriteAllBytes(Path.Combine(directory, name), [1, 2, 3]);

        using var reopened = Open(directory);
        Assert.All(stray, name => Assert.False(File.Exists(Path.Combine(directory, name)), name));
        Assert.Equal(3, reopened.LogEndOffset);
    }

    [Fact]
    public void Index_FilesAreBigEndianAndPointAtBatchStarts()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        var options = Batches.SmallSegments(segmentSize: 1 << 20, indexInterval: 150);
        var clock = new ManualClock();
        var positions = new Dictionary<long, long>();
        var timestamps = new Dictionary<long, long>();
        using (var tablet = LogTablet.Open(directory, Batches.Path, Batches.Bucket, options, clock))
        {
            for (var i = 0; i < 30; i++)
            {
                positions[tablet.LogEndOffset + 1] = tablet.SizeInBytes; // key: last offset of the 2-row batch
                var info = tablet.AppendAsLeader(Batches.Rows(2 * i, 2));
                timestamps[info.FirstOffset] = info.MaxTimestamp;
                clock.Advance(TimeSpan.FromMilliseconds(3));
            }
        }
        var index = File.ReadAllBytes(Path.Combine(directory, LogFileNames.Prefix(0) + LogFileNames.IndexSuffix));
        Assert.Equal(0, index.Length % 8);
        Assert.True(index.Length / 8 >= 5);
        for (var e = 0; e < index.Length / 8; e++)
        {
            var relative = BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(e * 8));
            var position = BinaryPrimitives.ReadInt32BigEndian(index.AsSpan((e * 8) + 4));
            Assert.Equal(positions[relative], position);
        }
        var time = File.ReadAllBytes(Path.Combine(directory, LogFileNames.Prefix(0) + LogFileNames.TimeIndexSuffix));
        Assert.Equal(0, time.Length % 12);
        long previous = -1;
        for (var e = 0; e < time.Length / 12; e++)
        {
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(time.AsSpan(e * 12));
            var offset = BinaryPrimitives.ReadInt32BigEndian(time.AsSpan((e * 12) + 8));
            Assert.Equal(timestamps[offset], timestamp);
            Assert.True(timestamp > previous);
            previous = timestamp;
        }
    }

    [Fact]
    public void Open_EmptyDirectory_StartsAnEmptySegmentAtZero()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir.Sub(Tablet));
        Assert.Equal((0L, 0L, 0L), (tablet.LogStartOffset, tablet.LogEndOffset, tablet.HighWatermark));
        Assert.True(File.Exists(Path.Combine(tablet.Directory, "00000000000000000000.log")));
    }

    [Fact]
    public void Open_HighWatermarkFromACheckpoint_IsClampedToTheLog()
    {
        using var dir = new TempDir();
        var directory = dir.Sub(Tablet);
        using (var tablet = Open(directory)) tablet.AppendAsLeader(Batches.Rows(0, 10));
        using (var tablet = LogTablet.Open(directory, Batches.Path, Batches.Bucket, highWatermark: 4)) Assert.Equal(4, tablet.HighWatermark);
        using (var tablet = LogTablet.Open(directory, Batches.Path, Batches.Bucket, highWatermark: 400)) Assert.Equal(10, tablet.HighWatermark);
        using (var tablet = LogTablet.Open(directory, Batches.Path, Batches.Bucket)) Assert.Equal(0, tablet.HighWatermark);
    }
}
