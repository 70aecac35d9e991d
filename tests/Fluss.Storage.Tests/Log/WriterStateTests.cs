using System.Text.Json;
using Fluss.Errors;
using Fluss.Storage.Log;

namespace Fluss.Storage.Tests.Log;

public class WriterStateTests
{
    private const long Writer = 1001;

    private static LogTablet Open(string directory, ManualClock clock, LogTabletOptions? options = null, bool clean = false) =>
        LogTablet.Open(directory, Batches.Path, Batches.Bucket, options, clock, cleanShutdown: clean);

    private static int RowsInLog(LogTablet tablet)
    {
        var count = 0;
        var offset = tablet.LogStartOffset;
        while (offset < tablet.LogEndOffset)
        {
            using var data = tablet.Read(offset, 1 << 20, FetchIsolation.LogEnd, true);
            var rows = Batches.Decode(data.Records, offset);
            count += rows.Count;
            offset = rows[^1].Offset + 1;
        }
        return count;
    }

    [Fact]
    public void AppendAsLeader_SameBatchTwice_IsAppendedOnceAndAcknowledgedWithTheOriginalOffsets()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = Open(dir.Sub("log-3"), clock);
        tablet.AppendAsLeader(Batches.Rows(0, 4));
        var batch = Batches.Rows(100, 3, Writer, sequence: 0);

        var first = tablet.AppendAsLeader(batch);
        clock.Advance(TimeSpan.FromSeconds(1));
        var retry = tablet.AppendAsLeader(batch);

        Assert.False(first.IsDuplicate);
        Assert.True(retry.IsDuplicate);
        Assert.Equal((first.FirstOffset, first.LastOffset, first.MaxTimestamp), (retry.FirstOffset, retry.LastOffset, retry.MaxTimestamp));
        Assert.Equal((4L, 6L), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(0, retry.BatchCount);
        Assert.Equal(7, tablet.LogEndOffset);
        Assert.Equal(7, RowsInLog(tablet));
    }

    [Fact]
    public void AppendAsLeader_RetryOfAnyOfTheLastFiveBatches_IsADuplicate()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir.Sub("log-3"), new ManualClock());
        var infos = new List<LogAppendInfo>();
        for (var seq = 0; seq < 7; seq++) infos.Add(tablet.AppendAsLeader(Batches.Rows(seq * 2, 2, Writer, seq)));

        for (var seq = 2; seq < 7; seq++)
        {
            var retry = tablet.AppendAsLeader(Batches.Rows(seq * 2, 2, Writer, seq));
            Assert.True(retry.IsDuplicate);
            Assert.Equal(infos[seq].FirstOffset, retry.FirstOffset);
            Assert.Equal(infos[seq].LastOffset, retry.LastOffset);
        }
        // Sequence 1 is older than the five remembered batches: it is out of order now.
        var old = Assert.Throws<FlussException>(() => tablet.AppendAsLeader(Batches.Rows(2, 2, Writer, 1)));
        Assert.Equal(FlussErrorCode.OutOfOrderSequence, old.ErrorCode);
        Assert.Equal(14, tablet.LogEndOffset);
    }

    [Fact]
    public void AppendAsLeader_GapInTheSequence_ThrowsOutOfOrderSequenceAndAppendsNothing()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir.Sub("log-3"), new ManualClock());
        tablet.AppendAsLeader(Batches.Rows(0, 2, Writer, 0));
        tablet.AppendAsLeader(Batches.Rows(2, 2, Writer, 1));

        var e = Assert.Throws<FlussException>(() => tablet.AppendAsLeader(Batches.Rows(4, 2, Writer, 3)));
        Assert.Equal(FlussErrorCode.OutOfOrderSequence, e.ErrorCode);
        Assert.Equal(31, (int)e.ErrorCode);
        Assert.Contains("3 (incoming batch sequence), 1 (current batch sequence)", e.Message, StringComparison.Ordinal);

        // A request whose second batch breaks the sequence appends neither.
        var mixed = Batches.Concat(Batches.Rows(4, 2, Writer, 2), Batches.Rows(6, 2, Writer, 4));
        Assert.Throws<FlussException>(() => tablet.AppendAsLeader(mixed));
        Assert.Equal(4, tablet.LogEndOffset);

        // In one request, consecutive batches chain their sequences.
        var chained = tablet.AppendAsLeader(Batches.Concat(Batches.Rows(4, 2, Writer, 2), Batches.Rows(6, 2, Writer, 3)));
        Assert.Equal((4L, 7L), (chained.FirstOffset, chained.LastOffset));
    }

    [Fact]
    public void AppendAsLeader_UnknownWriter_MustStartAtSequenceZero()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir.Sub("log-3"), new ManualClock());
        var e = Assert.Throws<FlussException>(() => tablet.AppendAsLeader(Batches.Rows(0, 1, Writer, 5)));
        Assert.Equal(FlussErrorCode.OutOfOrderSequence, e.ErrorCode);
        Assert.False(tablet.AppendAsLeader(Batches.Rows(0, 1, Writer, 0)).IsDuplicate);
        Assert.Equal(1, tablet.WriterIdCount);
    }

    [Fact]
    public void AppendAsFollower_UnknownWriter_IsAcceptedAtAnySequence()
    {
        using var leaderDir = new TempDir();
        using var leader = Open(leaderDir.Sub("log-3"), new ManualClock());
        leader.AppendAsLeader(Batches.Rows(0, 1, Writer, 0));
        leader.AppendAsLeader(Batches.Rows(1, 1, Writer, 1));
        leader.AppendAsLeader(Batches.Rows(2, 1, Writer, 2));
        using var data = leader.Read(2, 1 << 20, FetchIsolation.LogEnd, true);

        using var followerDir = new TempDir();
        using var follower = Open(followerDir.Sub("log-3"), new ManualClock());
        follower.TruncateFullyAndStartAt(2);
        var info = follower.AppendAsFollower(data.Records);
        Assert.Equal(2, info.FirstOffset);
        Assert.Equal(1, follower.WriterIdCount);
    }

    [Fact]
    public void WriterState_SurvivesACleanReopen()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        var directory = dir.Sub("log-3");
        LogAppendInfo second;
        using (var tablet = Open(directory, clock))
        {
            tablet.AppendAsLeader(Batches.Rows(0, 2, Writer, 0));
            second = tablet.AppendAsLeader(Batches.Rows(2, 2, Writer, 1));
        }
        Assert.Single(Directory.GetFiles(directory, "*.writer_snapshot"));

        using var reopened = Open(directory, clock, clean: true);
        var retry = reopened.AppendAsLeader(Batches.Rows(2, 2, Writer, 1));
        Assert.True(retry.IsDuplicate);
        Assert.Equal((second.FirstOffset, second.LastOffset), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(FlussErrorCode.OutOfOrderSequence, Assert.Throws<FlussException>(() => reopened.AppendAsLeader(Batches.Rows(4, 2, Writer, 3))).ErrorCode);
        Assert.False(reopened.AppendAsLeader(Batches.Rows(4, 2, Writer, 2)).IsDuplicate);
    }

    [Fact]
    public void WriterState_SurvivesACrash_FromTheLastSnapshotAndTheLogAfterIt()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        var directory = dir.Sub("log-3");
        var crashed = dir.Sub("crashed", "log-3");
        var infos = new Dictionary<int, LogAppendInfo>();
        using (var tablet = Open(directory, clock, Batches.SmallSegments()))
        {
            for (var seq = 0; seq < 60; seq++) infos[seq] = tablet.AppendAsLeader(Batches.Rows(seq * 2, 2, Writer, seq));
            Assert.True(tablet.SegmentCount > 2);
            // The process dies now: copy the files as they are, without the close-time snapshot.
            Directory.CreateDirectory(crashed);
            foreach (var file in Directory.GetFiles(directory)) File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
        }
        var snapshots = Directory.GetFiles(crashed, "*.writer_snapshot").Select(f => LogFileNames.OffsetOf(Path.GetFileName(f))!.Value).ToList();
        Assert.NotEmpty(snapshots);
        Assert.True(snapshots.Max() < 120, "the copied snapshots come from segment rolls, before the log end");

        using var recovered = Open(crashed, clock, Batches.SmallSegments());
        Assert.Equal(120, recovered.LogEndOffset);
        for (var seq = 55; seq < 60; seq++)
        {
            var retry = recovered.AppendAsLeader(Batches.Rows(seq * 2, 2, Writer, seq));
            Assert.True(retry.IsDuplicate, $"sequence {seq}");
            Assert.Equal(infos[seq].FirstOffset, retry.FirstOffset);
        }
        Assert.Equal(120, recovered.AppendAsLeader(Batches.Rows(120, 2, Writer, 60)).FirstOffset);
    }

    [Fact]
    public void WriterState_AfterTruncation_ForgetsTheTruncatedBatches()
    {
        using var dir = new TempDir();
        using var tablet = Open(dir.Sub("log-3"), new ManualClock());
        for (var seq = 0; seq < 4; seq++) tablet.AppendAsLeader(Batches.Rows(seq * 2, 2, Writer, seq));
        tablet.TruncateTo(4);
        // Batches 2 and 3 are gone: sequence 2 is the next one again, not a duplicate.
        var info = tablet.AppendAsLeader(Batches.Rows(4, 2, Writer, 2));
        Assert.False(info.IsDuplicate);
        Assert.Equal(4, info.FirstOffset);
        Assert.True(tablet.AppendAsLeader(Batches.Rows(2, 2, Writer, 1)).IsDuplicate);
    }

    [Fact]
    public void RemoveExpiredWriters_AfterTheExpiration_ForgetsTheWriter()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        var options = new LogTabletOptions { WriterIdExpiration = TimeSpan.FromMinutes(10) };
        using var tablet = Open(dir.Sub("log-3"), clock, options);
        tablet.AppendAsLeader(Batches.Rows(0, 1, Writer, 0));
        tablet.AppendAsLeader(Batches.Rows(1, 1, 2002, 0));
        clock.Advance(TimeSpan.FromMinutes(6));
        tablet.AppendAsLeader(Batches.Rows(2, 1, 2002, 1));
        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(1, tablet.RemoveExpiredWriters());
        Assert.Equal(1, tablet.WriterIdCount);
        // The forgotten writer starts over at sequence 0; it is not a duplicate any more.
        Assert.False(tablet.AppendAsLeader(Batches.Rows(0, 1, Writer, 0)).IsDuplicate);
        Assert.Equal(4, tablet.LogEndOffset);
    }

    [Fact]
    public void Snapshot_HasFlussJsonFormat()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        var directory = dir.Sub("log-3");
        using (var tablet = Open(directory, clock))
        {
            tablet.AppendAsLeader(Batches.Rows(0, 3));
            tablet.AppendAsLeader(Batches.Rows(3, 4, Writer, 0));
        }
        var file = Assert.Single(Directory.GetFiles(directory, "*.writer_snapshot"));
        Assert.Equal("00000000000000000007.writer_snapshot", Path.GetFileName(file));
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        var entry = Assert.Single(json.RootElement.GetProperty("writer_id_entries").EnumerateArray().ToList());
        Assert.Equal(Writer, entry.GetProperty("writer_id").GetInt64());
        Assert.Equal(0, entry.GetProperty("last_batch_sequence").GetInt32());
        Assert.Equal(6, entry.GetProperty("last_batch_base_offset").GetInt64()); // Fluss stores the last offset here
        Assert.Equal(3, entry.GetProperty("offset_delta").GetInt32());
        Assert.Equal(clock.NowMs, entry.GetProperty("last_batch_timestamp").GetInt64());
    }
}
