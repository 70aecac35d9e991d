using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Storage.Log;

namespace Fluss.Storage.Tests.Log;

public class LogManagerTests
{
    private static readonly PhysicalTablePath Orders = PhysicalTablePath.Of("shop", "orders", null);
    private static readonly PhysicalTablePath Events = PhysicalTablePath.Of("shop", "events", "2024$05");

    private static LogManagerOptions Options => new() { Tablet = Batches.SmallSegments() };

    [Fact]
    public void Open_ASecondTime_FailsWhileTheFirstHoldsTheLock()
    {
        using var dir = new TempDir();
        using (var first = LogManager.Open(dir.Path, Options))
        {
            var e = Assert.Throws<FlussException>(() => LogManager.Open(dir.Path, Options));
            Assert.Equal(FlussErrorCode.LogStorage, e.ErrorCode);
            Assert.Contains(".lock", e.Message, StringComparison.Ordinal);
            Assert.Contains("in use", e.Message, StringComparison.Ordinal);
        }
        using var again = LogManager.Open(dir.Path, Options);
        Assert.True(File.Exists(Path.Combine(dir.Path, ".lock")));
    }

    [Fact]
    public void GetOrCreateTablet_LaysOutDirectoriesAsFluss()
    {
        using var dir = new TempDir();
        using var manager = LogManager.Open(dir.Path, Options);
        var plain = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0));
        var partitioned = manager.GetOrCreateTablet(Events, new TableBucket(13, 77, 4));

        Assert.Equal(Path.Combine(dir.Path, "shop", "orders-12", "log-0"), plain.Directory);
        Assert.Equal(Path.Combine(dir.Path, "shop", "events-13", "2024$05-p77", "log-4"), partitioned.Directory);
        Assert.Same(plain, manager.GetOrCreateTablet(Orders, new TableBucket(12, 0)));
        Assert.True(manager.TryGetTablet(new TableBucket(13, 77, 4), out var found));
        Assert.Same(partitioned, found);
        Assert.False(manager.TryGetTablet(new TableBucket(13, 4), out _));
        Assert.Throws<ArgumentException>(() => manager.GetOrCreateTablet(Orders, new TableBucket(12, 5, 0)));
    }

    [Fact]
    public void Reopen_AfterCleanClose_LoadsEveryTabletWithItsOffsets()
    {
        using var dir = new TempDir();
        using (var manager = LogManager.Open(dir.Path, Options))
        {
            var a = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0));
            var b = manager.GetOrCreateTablet(Events, new TableBucket(13, 77, 4));
            for (var i = 0; i < 40; i++) a.AppendAsLeader(Batches.Rows(2 * i, 2));
            b.AppendAsLeader(Batches.Rows(0, 9));
            a.UpdateHighWatermark(50);
            b.UpdateHighWatermark(9);
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, LogManager.CleanShutdownFileName)));

        using var reopened = LogManager.Open(dir.Path, Options);
        Assert.True(reopened.WasCleanShutdown);
        Assert.False(File.Exists(Path.Combine(dir.Path, LogManager.CleanShutdownFileName)));
        Assert.Equal(2, reopened.Tablets.Count);
        Assert.True(reopened.TryGetTablet(new TableBucket(12, 0), out var orders));
        Assert.Equal((80L, 50L, 80L), (orders.LogEndOffset, orders.HighWatermark, orders.RecoveryPoint));
        Assert.Equal(Orders, orders.PhysicalTablePath);
        Assert.True(reopened.TryGetTablet(new TableBucket(13, 77, 4), out var events));
        Assert.Equal((9L, 9L), (events.LogEndOffset, events.HighWatermark));
        Assert.Equal(Events, events.PhysicalTablePath);
    }

    [Fact]
    public void Reopen_AfterACrash_RecoversAndClampsTheCheckpointedHighWatermark()
    {
        using var dir = new TempDir();
        var crashed = dir.Sub("crashed");
        using (var manager = LogManager.Open(dir.Sub("live"), Options))
        {
            var tablet = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0));
            tablet.AppendAsLeader(Batches.Rows(0, 10));
            tablet.UpdateHighWatermark(10);
            manager.CheckpointHighWatermarks();
            manager.CheckpointRecoveryPoints();
            tablet.AppendAsLeader(Batches.Rows(10, 5));
            // The process dies with a torn last write: copy the data directory, cutting the log's last bytes.
            foreach (var file in Directory.GetFiles(dir.Sub("live"), "*", SearchOption.AllDirectories))
            {
                if (Path.GetFileName(file) == LogManager.LockFileName) continue;
                var target = Path.Combine(crashed, Path.GetRelativePath(dir.Sub("live"), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var log = Path.Combine(crashed, "shop", "orders-12", "log-0", "00000000000000000000.log");
            var bytes = File.ReadAllBytes(log);
            File.WriteAllBytes(log, bytes[..^7]);
        }

        using var recovered = LogManager.Open(crashed, Options);
        Assert.False(recovered.WasCleanShutdown);
        Assert.True(recovered.TryGetTablet(new TableBucket(12, 0), out var orders));
        Assert.Equal(10, orders.LogEndOffset);
        Assert.Equal(10, orders.HighWatermark);
    }

    [Fact]
    public void Dispose_WritesBothCheckpointsInFlussFormat()
    {
        using var dir = new TempDir();
        using (var manager = LogManager.Open(dir.Path, Options))
        {
            var a = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0));
            var b = manager.GetOrCreateTablet(Events, new TableBucket(13, 77, 4));
            a.AppendAsLeader(Batches.Rows(0, 10));
            a.UpdateHighWatermark(6);
            b.AppendAsLeader(Batches.Rows(0, 3));
        }
        var hw = File.ReadAllText(Path.Combine(dir.Path, LogManager.HighWatermarkCheckpointFileName)).Split('\n');
        Assert.Equal("0", hw[0]);
        Assert.Equal("2", hw[1]);
        Assert.Equal(["12 0 6", "13 77 4 0"], hw[2..4].Order());
        Assert.Equal("", hw[4]);
        var rp = File.ReadAllText(Path.Combine(dir.Path, LogManager.RecoveryPointCheckpointFileName)).Split('\n');
        Assert.Equal(["12 0 10", "13 77 4 3"], rp[2..4].Order());
    }

    [Fact]
    public void DropTablet_DeletesItsDirectory()
    {
        using var dir = new TempDir();
        using var manager = LogManager.Open(dir.Path, Options);
        var tablet = manager.GetOrCreateTablet(Events, new TableBucket(13, 77, 4));
        var other = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0));
        tablet.AppendAsLeader(Batches.Rows(0, 3));

        manager.DropTablet(new TableBucket(13, 77, 4));

        Assert.False(Directory.Exists(tablet.Directory));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "shop", "events-13")));
        Assert.True(Directory.Exists(other.Directory));
        Assert.False(manager.TryGetTablet(new TableBucket(13, 77, 4), out _));
        Assert.Equal(FlussErrorCode.LogStorage, Assert.Throws<FlussException>(() => manager.DropTablet(new TableBucket(13, 77, 4))).ErrorCode);
        Assert.Throws<ObjectDisposedException>(() => tablet.AppendAsLeader(Batches.Rows(3, 1)));
    }

    [Fact]
    public void Start_RunsCheckpointsRetentionAndWriterExpiryOnTheClock()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        var options = Options with
        {
            Tablet = Batches.SmallSegments(segmentSize: 2000) with { WriterIdExpiration = TimeSpan.FromMinutes(10) },
            RetentionCheckInterval = TimeSpan.FromMinutes(5),
        };
        using var manager = LogManager.Open(dir.Path, options, clock);
        var tablet = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0), logTtl: TimeSpan.FromMinutes(10));
        for (var i = 0; i < 40; i++) tablet.AppendAsLeader(Batches.Rows(3 * i, 3));
        tablet.AppendAsLeader(Batches.Rows(120, 1, writerId: 5, sequence: 0));
        tablet.UpdateHighWatermark(tablet.LogEndOffset);
        var hwFile = Path.Combine(dir.Path, LogManager.HighWatermarkCheckpointFileName);
        manager.Start();

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(File.Exists(hwFile));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("12 0 121", File.ReadAllText(hwFile).Split('\n')[2]);

        Assert.True(tablet.SegmentCount > 2);
        Assert.Equal(1, tablet.WriterIdCount);
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.True(tablet.SegmentCount > 2);
        clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(1, tablet.SegmentCount);
        Assert.Equal(0, tablet.WriterIdCount);
        Assert.True(File.Exists(Path.Combine(dir.Path, LogManager.RecoveryPointCheckpointFileName)));
    }

    [Fact]
    public void DeleteExpiredSegments_UsesEachTabletsTtl()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var manager = LogManager.Open(dir.Path, Options, clock);
        var kept = manager.GetOrCreateTablet(Orders, new TableBucket(12, 0), logTtl: TimeSpan.Zero);
        var expiring = manager.GetOrCreateTablet(Orders, new TableBucket(12, 1), logTtl: TimeSpan.FromDays(1));
        foreach (var t in new[] { kept, expiring })
        {
            for (var i = 0; i < 40; i++) t.AppendAsLeader(Batches.Rows(2 * i, 2));
            t.UpdateHighWatermark(t.LogEndOffset);
        }
        clock.Advance(TimeSpan.FromDays(2));
        var segments = kept.SegmentCount;

        Assert.Equal(segments - 1, manager.DeleteExpiredSegments());
        Assert.Equal(segments, kept.SegmentCount);
        Assert.Equal(1, expiring.SegmentCount);
    }

    [Fact]
    public void Options_FromConfiguration_UseFlussKeys()
    {
        var configuration = new Configuration(new Dictionary<string, string>
        {
            ["log.segment.file-size"] = "8mb",
            ["log.index.interval-size"] = "1kb",
            ["log.index.file-size"] = "64kb",
            ["server.writer-id.expiration-time"] = "1h",
            ["log.replica.high-watermark.checkpoint-interval"] = "2s",
        });
        var options = LogManagerOptions.FromConfiguration(configuration);
        Assert.Equal(8 << 20, options.Tablet.SegmentFileSize);
        Assert.Equal(1024, options.Tablet.IndexIntervalBytes);
        Assert.Equal(64 << 10, options.Tablet.IndexFileSize);
        Assert.Equal(TimeSpan.FromHours(1), options.Tablet.WriterIdExpiration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HighWatermarkCheckpointInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), options.RetentionCheckInterval);
        var bad = new Configuration(new Dictionary<string, string> { ["log.segment.file-size"] = "100b" });
        Assert.Contains("log.segment.file-size", Assert.Throws<InvalidConfigException>(() => LogManagerOptions.FromConfiguration(bad)).Message, StringComparison.Ordinal);
    }
}
