using Fluss.Errors;
using Microsoft.Extensions.Time.Testing;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class ReplicaManagerListOffsetsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ListOffsets_EarliestLatestAndTimestamp_FollowCommitTimestamps()
    {
        var clock = new FakeTimeProvider(T0);
        await using var h = await StartAsync(time: clock);
        await h.LeadAsync(0);
        var t0 = T0.ToUnixTimeMilliseconds();
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));
        clock.Advance(TimeSpan.FromSeconds(10));
        await h.ProduceAsync(0, Batch(MakeRows(3, 2)));
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, (await h.ListOffsetAsync(0, 0)).Offset);
        Assert.Equal(5, (await h.ListOffsetAsync(0, 1)).Offset);
        Assert.Equal(0, (await h.ListOffsetAsync(0, 2, t0 - 1000)).Offset);
        Assert.Equal(0, (await h.ListOffsetAsync(0, 2, t0)).Offset);
        Assert.Equal(3, (await h.ListOffsetAsync(0, 2, t0 + 1)).Offset);
        Assert.Equal(3, (await h.ListOffsetAsync(0, 2, t0 + 10_000)).Offset);
        // Newer than every batch but not in the future: the high watermark.
        Assert.Equal(5, (await h.ListOffsetAsync(0, 2, t0 + 12_000)).Offset);
    }

    [Fact]
    public async Task ListOffsets_CommitTimestampsAreStampedByTheServerClock()
    {
        var clock = new FakeTimeProvider(T0);
        await using var h = await StartAsync(time: clock);
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 1)));

        var batch = Assert.Single(Batches((await h.FetchAsync(0, 0)).Records));

        Assert.Equal(T0.ToUnixTimeMilliseconds(), batch.CommitTimestamp);
    }

    [Fact]
    public async Task ListOffsets_TimestampInTheFutureOrMissing_InvalidTimestamp()
    {
        var clock = new FakeTimeProvider(T0);
        await using var h = await StartAsync(time: clock);
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 1)));

        var future = await h.ListOffsetAsync(0, 2, T0.ToUnixTimeMilliseconds() + 60_000);
        var missing = await h.ListOffsetAsync(0, 2);

        ErrorAssert.Code(FlussErrorCode.InvalidTimestamp, future.ErrorCode, future.ErrorMessage);
        ErrorAssert.Code(FlussErrorCode.InvalidTimestamp, missing.ErrorCode, missing.ErrorMessage);
    }

    [Fact]
    public async Task ListOffsets_FollowerLatestIsLogEndWhileClientLatestIsHighWatermark()
    {
        await using var h = await StartAsync();
        await h.NotifyAsync(LeaderAndIsr(0, replicas: [ServerId, 2], isr: [ServerId, 2]));
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)), acks: 1);

        Assert.Equal(0, (await h.ListOffsetAsync(0, 1)).Offset);
        Assert.Equal(3, (await h.ListOffsetAsync(0, 1, followerId: 2)).Offset);
    }

    [Fact]
    public async Task ListOffsets_UnknownTypeUnknownBucketAndNotLeader_PerBucketErrors()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.NotifyAsync(LeaderAndIsr(1, leader: 2, replicas: [2, ServerId]));

        var badType = await h.ListOffsetAsync(0, 7);
        var unknown = await h.ListOffsetAsync(5, 1);
        var notLeader = await h.ListOffsetAsync(1, 1);

        Assert.True(badType.ErrorCode != 0 && !badType.HasOffset);
        Assert.Contains("offset type 7", badType.ErrorMessage, StringComparison.Ordinal);
        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, unknown.ErrorCode, unknown.ErrorMessage);
        ErrorAssert.Code(FlussErrorCode.NotLeaderOrFollower, notLeader.ErrorCode, notLeader.ErrorMessage);
    }
}
