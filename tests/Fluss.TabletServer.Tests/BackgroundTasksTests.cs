using Fluss.Errors;
using Microsoft.Extensions.Time.Testing;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class BackgroundTasksTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Retention_SegmentsOlderThanTableTtl_DeletedAndLogStartMoves()
    {
        var clock = new FakeTimeProvider(T0);
        await using var h = await StartAsync(c => c
            .SetString("log.segment.file-size", "1kb")
            .SetString("log.retention.check-interval", "1min"), clock);
        var descriptor = Descriptor(properties: new Dictionary<string, string> { ["table.log.ttl"] = "1h" });
        await h.NotifyAsync(LeaderAndIsr(0, descriptor: descriptor));
        for (var i = 0; i < 8; i++) await h.ProduceAsync(0, Batch(MakeRows(i * 3, 3)));
        Assert.True(h.Server.LogManager.TryGetTablet(new Fluss.Metadata.TableBucket(TableId, 0), out var tablet));
        Assert.True(tablet.SegmentCount > 2, $"expected several segments, got {tablet.SegmentCount}");

        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, (await h.ListOffsetAsync(0, 0)).Offset);
        clock.Advance(TimeSpan.FromMinutes(40));

        var earliest = (await h.ListOffsetAsync(0, 0)).Offset;
        Assert.True(earliest > 0, "retention should have moved the log start offset");
        Assert.Equal(24, (await h.ListOffsetAsync(0, 1)).Offset);
        var before = await h.FetchAsync(0, 0);
        ErrorAssert.Code(FlussErrorCode.LogOffsetOutOfRange, before.ErrorCode, before.ErrorMessage);
        var rest = await h.FetchAsync(0, earliest);
        Assert.Equal(earliest, Decode(rest.Records)[0].Offset);
        Assert.Equal(earliest, rest.LogStartOffset);
    }

    [Fact]
    public async Task HighWatermarkCheckpoint_WrittenPeriodically()
    {
        var clock = new FakeTimeProvider(T0);
        await using var h = await StartAsync(c => c.SetString("log.replica.high-watermark.checkpoint-interval", "5s"), clock);
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 5)));
        var file = System.IO.Path.Combine(h.DataDir, "high-watermark-checkpoint");

        clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Contains($"{TableId} 0 5", File.ReadAllLines(file));
    }
}
