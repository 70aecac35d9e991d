using System.Buffers.Binary;
using Fluss.Errors;
using Fluss.Records.Log;
using Fluss.Storage.Log;
using ArrowCompressionType = Fluss.Metadata.ArrowCompressionType;

namespace Fluss.Storage.Tests.Log;

public class LogTabletTests
{
    private static LogTablet Open(TempDir dir, LogTabletOptions? options = null, ManualClock? clock = null, bool clean = false) =>
        LogTablet.Open(dir.Sub("log-3"), Batches.Path, Batches.Bucket, options, clock ?? new ManualClock(), cleanShutdown: clean);

    /// <summary>Appends <paramref name="batches"/> batches of <paramref name="rowsPerBatch"/> rows; ids equal offsets.</summary>
    private static void AppendMany(LogTablet tablet, int batches, int rowsPerBatch, ManualClock? clock = null, TimeSpan? step = null)
    {
        for (var i = 0; i < batches; i++)
        {
            var first = (int)tablet.LogEndOffset;
            tablet.AppendAsLeader(Batches.Rows(first, rowsPerBatch));
            if (clock is not null && step is { } s) clock.Advance(s);
        }
    }

    private static List<(long Offset, int Id)> ReadAll(LogTablet tablet, long from, FetchIsolation isolation = FetchIsolation.HighWatermark, int maxBytes = 1000)
    {
        var result = new List<(long, int)>();
        var offset = from;
        while (true)
        {
            using var data = tablet.Read(offset, maxBytes, isolation, minOneMessage: true);
            if (data.IsEmpty) return result;
            var rows = Batches.Decode(data.Records, offset);
            Assert.NotEmpty(rows);
            result.AddRange(rows);
            offset = rows[^1].Offset + 1;
        }
    }

    [Fact]
    public void AppendAsLeader_AssignsOffsetsAndStampsTheCommitTimestamp()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir, clock: clock);

        var first = tablet.AppendAsLeader(Batches.Rows(0, 5));
        clock.Advance(TimeSpan.FromMilliseconds(7));
        var second = tablet.AppendAsLeader(Batches.Concat(Batches.Rows(5, 3), Batches.Rows(8, 2)));

        Assert.Equal((0L, 4L, 1, 5), (first.FirstOffset, first.LastOffset, first.BatchCount, first.RecordCount));
        Assert.Equal((5L, 9L, 2, 5), (second.FirstOffset, second.LastOffset, second.BatchCount, second.RecordCount));
        Assert.Equal(clock.NowMs, second.MaxTimestamp);
        Assert.False(second.IsDuplicate);
        Assert.Equal(10, tablet.LogEndOffset);

        tablet.UpdateHighWatermark(10);
        using var data = tablet.Read(0, 1 << 20, FetchIsolation.HighWatermark, minOneMessage: false);
        var batches = Batches.BatchesOf(data.Records);
        Assert.Equal([0L, 5L, 8L], batches.Select(b => b.BaseOffset));
        Assert.Equal([clock.NowMs - 7, clock.NowMs, clock.NowMs], batches.Select(b => b.CommitTimestamp));
        Assert.All(batches, b => b.EnsureValid());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ((long)i, i)), Batches.Decode(data.Records));
        Assert.Equal(3, data.BatchCount);
        Assert.Equal(new LogOffsetSnapshot(0, 10, 10), data.Offsets);
    }

    [Fact]
    public void AppendAsLeader_ClockBehindTheLog_KeepsCommitTimestampsAscending()
    {
        using var dir = new TempDir();
        long first;
        using (var tablet = Open(dir, clock: new ManualClock(1_700_000_100_000)))
            first = tablet.AppendAsLeader(Batches.Rows(0, 1)).MaxTimestamp;

        // Reopened with a clock 100 s behind: new batches keep the largest timestamp already in the log.
        using var reopened = Open(dir, clock: new ManualClock(1_700_000_000_000));
        Assert.Equal(first, reopened.LocalMaxTimestamp);
        var second = reopened.AppendAsLeader(Batches.Rows(1, 1));
        Assert.Equal(first, second.MaxTimestamp);
    }

    [Fact]
    public void AppendAndRead_AcrossSegmentRolls_ReturnEveryRecordInOrder()
    {
        using var dir = new TempDir();
        var options = Batches.SmallSegments();
        using (var tablet = Open(dir, options))
        {
            AppendMany(tablet, 150, 3);
            Assert.True(tablet.SegmentCount > 5, $"only {tablet.SegmentCount} segments");
            tablet.UpdateHighWatermark(tablet.LogEndOffset);
            Assert.Equal(Enumerable.Range(0, 450).Select(i => ((long)i, i)), ReadAll(tablet, 0));
            Assert.All(tablet.SegmentBaseOffsets, b => Assert.True(File.Exists(Path.Combine(tablet.Directory, b.ToString("D20") + ".log"))));
        }
        using var reopened = Open(dir, options);
        Assert.Equal(450, reopened.LogEndOffset);
        Assert.Equal(Enumerable.Range(0, 450).Select(i => ((long)i, i)), ReadAll(reopened, 0, FetchIsolation.LogEnd));
    }

    [Fact]
    public void Read_AtEveryOffset_StartsWithTheBatchHoldingIt()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir, Batches.SmallSegments(segmentSize: 3000, indexInterval: 100));
        var sizes = new[] { 1, 4, 2, 7, 3 };
        for (var i = 0; i < 60; i++) tablet.AppendAsLeader(Batches.Rows((int)tablet.LogEndOffset, sizes[i % sizes.Length]));
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        Assert.True(tablet.SegmentCount > 2);

        for (long offset = 0; offset < tablet.LogEndOffset; offset++)
        {
            using var data = tablet.Read(offset, 1, FetchIsolation.HighWatermark, minOneMessage: true);
            var batches = Batches.BatchesOf(data.Records);
            var batch = Assert.Single(batches);
            Assert.InRange(offset, batch.BaseOffset, batch.LastOffset);
            Assert.Equal(offset, Batches.Decode(data.Records, offset)[0].Id);
        }
    }

    [Fact]
    public void Read_FromTheMiddleOfABatch_ReturnsTheWholeBatch()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        tablet.AppendAsLeader(Batches.Rows(0, 10));
        tablet.AppendAsLeader(Batches.Rows(10, 10));
        tablet.UpdateHighWatermark(20);

        using var data = tablet.Read(13, 1 << 20, FetchIsolation.HighWatermark, minOneMessage: true);

        var batches = Batches.BatchesOf(data.Records);
        Assert.Equal(10, Assert.Single(batches).BaseOffset);
        Assert.Equal(Enumerable.Range(13, 7).Select(i => ((long)i, i)), Batches.Decode(data.Records, 13));
        Assert.Equal(13, data.FetchOffset);
    }

    [Fact]
    public void Read_MaxBytes_ReturnsWholeBatchesWithinTheLimit()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        var batch = Batches.Rows(0, 4);
        for (var i = 0; i < 5; i++) tablet.AppendAsLeader(batch);
        tablet.UpdateHighWatermark(20);
        var size = batch.Length;

        using (var two = tablet.Read(0, (2 * size) + (size / 2), FetchIsolation.HighWatermark, minOneMessage: false))
        {
            Assert.Equal(2, two.BatchCount);
            Assert.Equal(2 * size, two.Records.Length);
        }
        using (var one = tablet.Read(4, size / 2, FetchIsolation.HighWatermark, minOneMessage: true))
        {
            Assert.Equal(4, Assert.Single(Batches.BatchesOf(one.Records)).BaseOffset);
        }
        using (var none = tablet.Read(4, size / 2, FetchIsolation.HighWatermark, minOneMessage: false))
        {
            Assert.True(none.IsEmpty);
        }
        using (var all = tablet.Read(0, int.MaxValue, FetchIsolation.HighWatermark, minOneMessage: false))
        {
            Assert.Equal(5, all.BatchCount);
        }
    }

    [Fact]
    public void Read_HighWatermarkIsolation_HidesWhatIsNotCommitted()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        tablet.AppendAsLeader(Batches.Rows(0, 5));
        tablet.AppendAsLeader(Batches.Rows(5, 5));
        tablet.AppendAsLeader(Batches.Rows(10, 5));

        using (var nothing = tablet.Read(0, 1 << 20, FetchIsolation.HighWatermark, true)) Assert.True(nothing.IsEmpty);
        Assert.Equal(5, tablet.UpdateHighWatermark(5));
        using (var client = tablet.Read(0, 1 << 20, FetchIsolation.HighWatermark, true))
            Assert.Equal(Enumerable.Range(0, 5).Select(i => ((long)i, i)), Batches.Decode(client.Records));
        using (var atHw = tablet.Read(5, 1 << 20, FetchIsolation.HighWatermark, true)) Assert.True(atHw.IsEmpty);
        using (var follower = tablet.Read(5, 1 << 20, FetchIsolation.LogEnd, true))
            Assert.Equal(Enumerable.Range(5, 10).Select(i => ((long)i, i)), Batches.Decode(follower.Records));

        // A high watermark inside a batch does not expose that batch.
        tablet.UpdateHighWatermark(12);
        using (var partial = tablet.Read(5, 1 << 20, FetchIsolation.HighWatermark, true))
            Assert.Equal([5L], Batches.BatchesOf(partial.Records).Select(b => b.BaseOffset));
    }

    [Fact]
    public void UpdateHighWatermark_BeyondTheLogEnd_IsCappedAndNeverMovesBack()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        tablet.AppendAsLeader(Batches.Rows(0, 10));
        Assert.Equal(10, tablet.UpdateHighWatermark(1000));
        Assert.Equal(10, tablet.UpdateHighWatermark(3));
        Assert.Equal(10, tablet.HighWatermark);
        tablet.AppendAsLeader(Batches.Rows(10, 10));
        Assert.True(tablet.TruncateTo(10));
        Assert.Equal(10, tablet.HighWatermark);
        Assert.True(tablet.TruncateTo(0));
        Assert.Equal(0, tablet.HighWatermark);
        Assert.Equal(0, tablet.LogEndOffset);
    }

    [Fact]
    public void Read_OffsetOutOfRange_ThrowsWithBothBounds()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        tablet.AppendAsLeader(Batches.Rows(0, 10));
        tablet.UpdateHighWatermark(10);

        var above = Assert.Throws<LogOffsetOutOfRangeException>(() => tablet.Read(11, 100, FetchIsolation.HighWatermark, true));
        Assert.Equal(FlussErrorCode.LogOffsetOutOfRange, above.ErrorCode);
        Assert.Contains("offset 11", above.Message, StringComparison.Ordinal);
        Assert.Contains("from offset 0 up to 10", above.Message, StringComparison.Ordinal);
        using var atEnd = tablet.Read(10, 100, FetchIsolation.LogEnd, true);
        Assert.True(atEnd.IsEmpty);
        Assert.Throws<LogOffsetOutOfRangeException>(() => tablet.Read(-1, 100, FetchIsolation.LogEnd, true));
    }

    [Fact]
    public void AppendAsLeader_CorruptBatch_ThrowsAndAppendsNothing()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        tablet.AppendAsLeader(Batches.Rows(0, 2));
        var sizeBefore = tablet.SizeInBytes;

        var a = Batches.Rows(2, 3);
        var b = Batches.Rows(5, 3);
        b[b.Length - 5] ^= 0x40;
        var crc = Assert.Throws<CorruptRecordException>(() => tablet.AppendAsLeader(Batches.Concat(a, b)));
        Assert.Contains("crc", crc.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"byte {a.Length}", crc.Message, StringComparison.Ordinal);

        var torn = Batches.Concat(a, Batches.Rows(5, 3)[..60]);
        Assert.Throws<CorruptRecordException>(() => tablet.AppendAsLeader(torn));

        var magic = Batches.Rows(2, 1);
        magic[LogRecordBatchFormat.MagicOffset] = 9;
        Assert.Contains("magic", Assert.Throws<CorruptRecordException>(() => tablet.AppendAsLeader(magic)).Message, StringComparison.Ordinal);

        var negative = Batches.Rows(2, 1);
        BinaryPrimitives.WriteInt32LittleEndian(negative.AsSpan(LogRecordBatchFormat.LengthOffset), -5);
        Assert.Throws<CorruptRecordException>(() => tablet.AppendAsLeader(negative));

        Assert.Equal(2, tablet.LogEndOffset);
        Assert.Equal(sizeBefore, tablet.SizeInBytes);
    }

    [Fact]
    public void AppendAsLeader_BatchLargerThanTheLimit_ThrowsRecordTooLarge()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir, new LogTabletOptions { MaxBatchSize = 500 });
        var big = Batches.Rows(0, 20, nameLength: 40);
        Assert.True(big.Length > 500);
        var e = Assert.Throws<RecordTooLargeException>(() => tablet.AppendAsLeader(big));
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, tablet.LogEndOffset);
        tablet.AppendAsLeader(Batches.Rows(0, 1));
        Assert.Equal(1, tablet.LogEndOffset);
    }

    [Fact]
    public void AppendAsLeader_V2Batch_StampsTheLeaderEpoch()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir);
        var v0 = Batches.Rows(0, 3);
        // Re-frame the V0 batch as V2: insert the leader epoch and a zero statistics length.
        var records = v0[48..];
        var v2 = new byte[56 + records.Length];
        v0.AsSpan(0, 21).CopyTo(v2);
        v2[12] = 2;
        BinaryPrimitives.WriteInt32LittleEndian(v2.AsSpan(8), v2.Length - 12);
        BinaryPrimitives.WriteInt32LittleEndian(v2.AsSpan(21), 1);
        v0.AsSpan(25, 23).CopyTo(v2.AsSpan(29));
        BinaryPrimitives.WriteInt32LittleEndian(v2.AsSpan(52), 0);
        records.CopyTo(v2.AsSpan(56));
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(25), new LogRecordBatch(v2).ComputeChecksum());

        tablet.AppendAsLeader(Batches.Rows(0, 1));
        tablet.AppendAsLeader(v2, leaderEpoch: 17);
        tablet.UpdateHighWatermark(tablet.LogEndOffset);

        using var data = tablet.Read(1, 1 << 20, FetchIsolation.HighWatermark, true);
        var batch = Assert.Single(Batches.BatchesOf(data.Records));
        batch.EnsureValid();
        Assert.Equal(2, batch.Magic);
        Assert.Equal(17, batch.LeaderEpoch);
        Assert.Equal(1, batch.BaseOffset);
        Assert.Equal([(1L, 0), (2L, 1), (3L, 2)], Batches.Decode(data.Records));
    }

    [Fact]
    public void AppendAsFollower_LeaderBytes_AreCopiedExactly()
    {
        using var leaderDir = new TempDir();
        using var followerDir = new TempDir();
        using var leader = Open(leaderDir, Batches.SmallSegments());
        using var follower = LogTablet.Open(followerDir.Sub("log-3"), Batches.Path, Batches.Bucket, Batches.SmallSegments(), new ManualClock(5));
        AppendMany(leader, 40, 2);

        while (follower.LogEndOffset < leader.LogEndOffset)
        {
            using var fetched = leader.Read(follower.LogEndOffset, 700, FetchIsolation.LogEnd, true);
            var info = follower.AppendAsFollower(fetched.Records);
            Assert.Equal(follower.LogEndOffset - 1, info.LastOffset);
        }
        follower.UpdateHighWatermark(80);
        leader.UpdateHighWatermark(80);
        Assert.Equal(Enumerable.Range(0, 80).Select(i => ((long)i, i)), ReadAll(follower, 0));
        Assert.Equal(leader.SegmentBaseOffsets, follower.SegmentBaseOffsets);
        foreach (var file in Directory.GetFiles(leader.Directory, "*.log"))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(follower.Directory, Path.GetFileName(file))));
        Assert.Equal(leader.LocalMaxTimestamp, follower.LocalMaxTimestamp);

        using var again = leader.Read(0, 700, FetchIsolation.LogEnd, true);
        var e = Assert.Throws<FlussException>(() => follower.AppendAsFollower(again.Records));
        Assert.Equal(FlussErrorCode.LogStorage, e.ErrorCode);
    }

    [Fact]
    public void LookupOffsetForTimestamp_FindsTheFirstBatchAtOrAfterTheTimestamp()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir, Batches.SmallSegments(segmentSize: 2000, indexInterval: 100), clock);
        var start = clock.NowMs;
        // Batch i (3 rows, offsets 3i..3i+2) is committed at start + 10 i.
        AppendMany(tablet, 50, 3, clock, TimeSpan.FromMilliseconds(10));
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        Assert.True(tablet.SegmentCount > 2);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(3 * i, tablet.LookupOffsetForTimestamp(start + (10 * i)));
            if (i > 0) Assert.Equal(3 * i, tablet.LookupOffsetForTimestamp(start + (10 * i) - 5));
        }
        Assert.Equal(0, tablet.LookupOffsetForTimestamp(start - 1000));
        Assert.Equal(tablet.HighWatermark, tablet.LookupOffsetForTimestamp(clock.NowMs));
        var future = Assert.Throws<FlussException>(() => tablet.LookupOffsetForTimestamp(clock.NowMs + 1));
        Assert.Equal(FlussErrorCode.InvalidTimestamp, future.ErrorCode);
    }

    [Fact]
    public void DeleteSegmentsByTtl_ExpiredSegmentsBelowTheHighWatermark_AreDeleted()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir, Batches.SmallSegments(segmentSize: 2000), clock);
        AppendMany(tablet, 60, 3, clock, TimeSpan.FromMinutes(1));
        var bases = tablet.SegmentBaseOffsets;
        Assert.True(bases.Count > 4);
        var ttl = TimeSpan.FromMinutes(30);

        // Nothing is committed yet: nothing may go.
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), ttl));
        Assert.Equal(0, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.Zero));

        // Committed up to the start of the third segment: only the first two can go.
        tablet.UpdateHighWatermark(bases[2]);
        Assert.Equal(2, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), ttl));
        Assert.Equal(bases[2], tablet.LogStartOffset);
        Assert.False(File.Exists(Path.Combine(tablet.Directory, bases[0].ToString("D20") + ".log")));
        Assert.Throws<LogOffsetOutOfRangeException>(() => tablet.Read(bases[2] - 1, 100, FetchIsolation.HighWatermark, true));

        // Everything committed and expired: every segment but the active one goes.
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        Assert.Equal(bases.Count - 3, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), ttl));
        Assert.Equal(1, tablet.SegmentCount);
        Assert.Equal(bases[^1], tablet.LogStartOffset);
        Assert.Equal(180, tablet.LogEndOffset);
        Assert.Equal(Enumerable.Range((int)bases[^1], 180 - (int)bases[^1]).Select(i => ((long)i, i)), ReadAll(tablet, bases[^1]));
    }

    [Fact]
    public void DeleteSegmentsByTtl_OnlySegmentsOlderThanTheTtl_AreDeleted()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir, Batches.SmallSegments(segmentSize: 2000), clock);
        // Batch i (offsets 3i..3i+2) is committed at minute i; the clock ends at minute 60.
        AppendMany(tablet, 60, 3, clock, TimeSpan.FromMinutes(1));
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        var bases = tablet.SegmentBaseOffsets;

        // With a 25 minute TTL a segment expires when its last batch is older than minute 35, i.e. the next
        // segment starts below offset 3 * 36.
        var expected = Enumerable.Range(0, bases.Count - 1).TakeWhile(k => bases[k + 1] < 3 * 36).Count();
        Assert.InRange(expected, 1, bases.Count - 2);

        Assert.Equal(expected, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.FromMinutes(25)));
        Assert.Equal(bases[expected], tablet.LogStartOffset);
        Assert.Equal(0, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.FromMinutes(25)));
    }

    [Fact]
    public void RollExpiredActiveSegment_WhenEnabled_LetsRetentionDeleteEverything()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir, Batches.SmallSegments() with { RollExpiredActiveSegment = true }, clock);
        AppendMany(tablet, 5, 2);
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, tablet.SegmentCount);
        tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.FromHours(1));
        Assert.Equal(2, tablet.SegmentCount);
        Assert.Equal(1, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.FromHours(1)));
        Assert.Equal(10, tablet.LogStartOffset);
        Assert.Equal(10, tablet.LogEndOffset);
        Assert.Equal(5, tablet.AppendAsLeader(Batches.Rows(10, 5)).RecordCount);
    }

    [Fact]
    public void MinRetainOffset_HoldsBackRetention()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir, Batches.SmallSegments(segmentSize: 2000), clock);
        AppendMany(tablet, 40, 3);
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        var bases = tablet.SegmentBaseOffsets;
        tablet.MinRetainOffset = bases[1];
        clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(1, tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.FromDays(7)));
        Assert.Equal(bases[1], tablet.LogStartOffset);
    }

    [Fact]
    public void TruncateTo_ABatchBoundary_RemovesEverythingAfterIt()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir, Batches.SmallSegments());
        AppendMany(tablet, 100, 2);
        tablet.UpdateHighWatermark(200);
        var segmentsBefore = tablet.SegmentCount;

        Assert.True(tablet.TruncateTo(60));
        Assert.False(tablet.TruncateTo(60));

        Assert.Equal(60, tablet.LogEndOffset);
        Assert.Equal(60, tablet.HighWatermark);
        Assert.True(tablet.SegmentCount < segmentsBefore);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => ((long)i, i)), ReadAll(tablet, 0));
        Assert.Throws<LogOffsetOutOfRangeException>(() => tablet.Read(61, 100, FetchIsolation.LogEnd, true));
        var next = tablet.AppendAsLeader(Batches.Rows(60, 2));
        Assert.Equal(60, next.FirstOffset);
        var files = Directory.GetFiles(tablet.Directory, "*.log").Select(Path.GetFileName).ToList();
        Assert.Equal(tablet.SegmentCount, files.Count);
    }

    [Fact]
    public void TruncateFullyAndStartAt_StartsAnEmptyLogAtTheOffset()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir, Batches.SmallSegments());
        AppendMany(tablet, 30, 2);
        tablet.TruncateFullyAndStartAt(1000);
        Assert.Equal((1000L, 1000L, 1000L), (tablet.LogStartOffset, tablet.LogEndOffset, tablet.HighWatermark));
        Assert.Equal(1, tablet.SegmentCount);
        Assert.Equal(1000, tablet.AppendAsLeader(Batches.Rows(0, 3)).FirstOffset);
        Assert.Equal(["00000000000000001000.log"], Directory.GetFiles(tablet.Directory, "*.log").Select(Path.GetFileName));
    }

    [Fact]
    public void Read_WithProjection_ReturnsOnlyTheProjectedColumn()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir, Batches.SmallSegments(segmentSize: 64 * 1024));
        for (var i = 0; i < 20; i++) tablet.AppendAsLeader(Batches.Rows(i * 50, 50, codec: ArrowCompressionType.Zstd, nameLength: 30));
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        var projection = new LogProjection(Batches.Schema, [0]);

        using var full = tablet.Read(0, 1 << 20, FetchIsolation.HighWatermark, true);
        using var projected = tablet.Read(0, 1 << 20, FetchIsolation.HighWatermark, true, projection);

        Assert.Equal(full.BatchCount, projected.BatchCount);
        Assert.True(projected.Records.Length < full.Records.Length);
        var ids = new List<int>();
        foreach (var batch in new LogRecords(projected.Records))
        {
            batch.EnsureValid();
            ids.AddRange(batch.ReadRows(projection.ProjectedRowType).Select(r => (int)r.Row[0]!));
        }
        Assert.Equal(Enumerable.Range(0, 1000), ids);

        using var limited = tablet.Read(0, 10, FetchIsolation.HighWatermark, true, projection);
        Assert.Equal(1, limited.BatchCount);
    }

    [Fact]
    public void Dispose_ThenUse_Throws()
    {
        using var dir = new TempDir();
        var tablet = Open(dir);
        tablet.AppendAsLeader(Batches.Rows(0, 1));
        tablet.Dispose();
        tablet.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tablet.AppendAsLeader(Batches.Rows(1, 1)));
    }

    [Fact]
    public void Segments_RollAtTheConfiguredSize()
    {
        using var dir = new TempDir();
        var options = Batches.SmallSegments(segmentSize: 5000);
        using var tablet = Open(dir, options);
        AppendMany(tablet, 80, 2);
        foreach (var file in Directory.GetFiles(tablet.Directory, "*.log"))
            Assert.InRange(new FileInfo(file).Length, 0, 5000);
        var names = Directory.GetFiles(tablet.Directory, "*.log").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(tablet.SegmentBaseOffsets.Select(b => b.ToString("D20") + ".log"), names);
        Assert.All(names, n => Assert.Equal(24, n!.Length));
    }

    [Fact]
    public void Segments_RollWhenTheOffsetIndexIsFull()
    {
        using var dir = new TempDir();
        // 64-byte index files hold 8 offset entries; with an entry for every append after the first, the ninth
        // append fills the index and the tenth starts a new segment.
        var options = new LogTabletOptions { SegmentFileSize = 1 << 20, IndexFileSize = 64, IndexIntervalBytes = 0 };
        using var tablet = Open(dir, options);
        for (var i = 0; i < 30; i++) tablet.AppendAsLeader(Batches.Rows(i, 1));
        Assert.Equal([0L, 9L, 18L, 27L], tablet.SegmentBaseOffsets);
        Assert.Equal(64, new FileInfo(Path.Combine(tablet.Directory, LogFileNames.Prefix(0) + LogFileNames.IndexSuffix)).Length);
        tablet.UpdateHighWatermark(30);
        for (long offset = 0; offset < 30; offset++)
        {
            using var data = tablet.Read(offset, 1, FetchIsolation.HighWatermark, true);
            Assert.Equal((int)offset, Batches.Decode(data.Records)[0].Id);
        }
    }
}
