using Fluss.Errors;
using Fluss.Rows;
using Grpc.Core;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class ReplicaManagerProduceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(0)]
    public async Task ProduceLog_ValidBatches_AssignsConsecutiveOffsetsAndFetchReturnsRows(int acks)
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        var first = MakeRows(0, 3);
        var second = MakeRows(3, 2);

        var r1 = await h.ProduceAsync(0, Batch(first), acks);
        var r2 = await h.ProduceAsync(0, Batch(second), acks);

        ErrorAssert.NoError(r1.HasErrorCode, r1.ErrorCode, r1.ErrorMessage);
        ErrorAssert.NoError(r2.HasErrorCode, r2.ErrorCode, r2.ErrorMessage);
        Assert.Equal(0, r1.BaseOffset);
        Assert.Equal(3, r2.BaseOffset);

        var fetched = await h.FetchAsync(0, 0);
        ErrorAssert.NoError(fetched.HasErrorCode, fetched.ErrorCode, fetched.ErrorMessage);
        Assert.Equal(5, fetched.HighWatermark);
        Assert.Equal(0, fetched.LogStartOffset);
        var records = Decode(fetched.Records);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(first.Concat(second), records.Select(r => r.Row));
    }

    [Fact]
    public async Task ProduceLog_AcksAll_HighWatermarkCoversBatchWhenAnswered()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);

        var result = await h.ProduceAsync(0, Batch(MakeRows(0, 4)), acks: -1);

        Assert.Equal(0, result.BaseOffset);
        var latest = await h.ListOffsetAsync(0, offsetType: 1);
        Assert.Equal(4, latest.Offset);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    [InlineData(5)]
    public async Task ProduceLog_InvalidAcks_FailsWithInvalidRequiredAcksAndAppendsNothing(int acks)
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);

        var e = await Assert.ThrowsAsync<RpcException>(() => h.ProduceAsync(0, Batch(MakeRows(0, 1)), acks));

        Assert.Equal(FlussErrorCode.InvalidRequiredAcks, CodeOf(e));
        Assert.Equal(0, (await h.ListOffsetAsync(0, offsetType: 1)).Offset);
    }

    [Fact]
    public async Task ProduceLog_SameIdempotentBatchTwice_StoredOnceAndAcknowledgedWithOriginalOffset()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(100, 2)));
        var batch = Batch(MakeRows(0, 3), writerId: 42, batchSequence: 0);

        var first = await h.ProduceAsync(0, batch);
        var retry = await h.ProduceAsync(0, batch);

        ErrorAssert.NoError(retry.HasErrorCode, retry.ErrorCode, retry.ErrorMessage);
        Assert.Equal(2, first.BaseOffset);
        Assert.Equal(first.BaseOffset, retry.BaseOffset);
        var fetched = await h.FetchAsync(0, 0);
        Assert.Equal(5, fetched.HighWatermark);
        Assert.Equal(2, Batches(fetched.Records).Count);
        var next = await h.ProduceAsync(0, Batch(MakeRows(3, 1), writerId: 42, batchSequence: 1));
        Assert.Equal(5, next.BaseOffset);
    }

    [Fact]
    public async Task ProduceLog_GarbageBytes_CorruptErrorNothingAppendedAndServerKeepsServing()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 2)));
        var garbage = new byte[300];
        new Random(7).NextBytes(garbage);

        var result = await h.ProduceAsync(0, garbage);

        Assert.True(result.ErrorCode is (int)FlussErrorCode.CorruptRecord or (int)FlussErrorCode.CorruptMessage,
            $"Expected CORRUPT_RECORD or CORRUPT_MESSAGE, got {result.ErrorCode}: {result.ErrorMessage}");
        Assert.False(result.HasBaseOffset);
        var next = await h.ProduceAsync(0, Batch(MakeRows(2, 1)));
        Assert.Equal(2, next.BaseOffset);
        Assert.Equal(3, Decode((await h.FetchAsync(0, 0)).Records).Count);
    }

    [Fact]
    public async Task ProduceLog_ValidBatchFollowedByFlippedCrcBatch_WholeBucketRequestRejected()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        var good = Batch(MakeRows(0, 2));
        var bad = Batch(MakeRows(2, 2));
        bad[^1] ^= 0x5A; // inside the CRC-covered records
        var request = good.Concat(bad).ToArray();

        var result = await h.ProduceAsync(0, request);

        ErrorAssert.Code(FlussErrorCode.CorruptRecord, result.ErrorCode, result.ErrorMessage);
        Assert.Equal(0, (await h.ListOffsetAsync(0, offsetType: 1)).Offset);
    }

    [Fact]
    public async Task ProduceLog_BatchLargerThanMaximum_RecordTooLarge()
    {
        await using var h = await StartAsync(c => c.SetString("log.segment.file-size", "4kb"));
        await h.LeadAsync(0);
        var big = Batch(MakeRows(0, 40, nameLength: 200));
        Assert.True(big.Length > 4096);

        var result = await h.ProduceAsync(0, big);

        ErrorAssert.Code(FlussErrorCode.RecordTooLarge, result.ErrorCode, result.ErrorMessage);
        var small = await h.ProduceAsync(0, Batch(MakeRows(0, 1)));
        Assert.Equal(0, small.BaseOffset);
    }

    [Fact]
    public async Task ProduceLog_RequestLargerThanMaxRequestSize_RecordTooLarge()
    {
        await using var h = await StartAsync(c => c.SetString("netty.server.max-request-size", "16kb"));
        await h.LeadAsync(0);
        var big = Batch(MakeRows(0, 100, nameLength: 300));
        Assert.True(big.Length > 16 * 1024);

        var e = await Assert.ThrowsAsync<RpcException>(() => h.ProduceAsync(0, big));

        Assert.True(FlussErrorCode.RecordTooLarge == CodeOf(e), e.ToString());
        Assert.Equal(0, (await h.ProduceAsync(0, Batch(MakeRows(0, 1)))).BaseOffset);
    }

    [Fact]
    public async Task ProduceLog_NotLeader_NotLeaderOrFollower()
    {
        await using var h = await StartAsync();
        var follower = await h.NotifyAsync(LeaderAndIsr(0, leader: 2, replicas: [2, ServerId]));
        ErrorAssert.NoError(follower.HasErrorCode, follower.ErrorCode, follower.ErrorMessage);

        var result = await h.ProduceAsync(0, Batch(MakeRows(0, 1)));

        ErrorAssert.Code(FlussErrorCode.NotLeaderOrFollower, result.ErrorCode, result.ErrorMessage);
        Assert.Contains("server 2", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceLog_UnknownBucketOrTable_UnknownTableOrBucket()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);

        var unknownBucket = await h.ProduceAsync(1, Batch(MakeRows(0, 1)));
        var unknownTable = await h.ProduceAsync(0, Batch(MakeRows(0, 1)), tableId: 999);

        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, unknownBucket.ErrorCode, unknownBucket.ErrorMessage);
        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, unknownTable.ErrorCode, unknownTable.ErrorMessage);
    }

    [Fact]
    public async Task ProduceLog_TwoBucketsOneCorrupt_OtherBucketAppended()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0, 1);
        var request = new Fluss.Rpc.Messages.ProduceLogRequest { Acks = 1, TableId = TableId, TimeoutMs = 1000 };
        request.BucketsReq.Add(new Fluss.Rpc.Messages.PbProduceLogReqForBucket { BucketId = 0, Records = Google.Protobuf.ByteString.CopyFrom(Batch(MakeRows(0, 2))) });
        request.BucketsReq.Add(new Fluss.Rpc.Messages.PbProduceLogReqForBucket { BucketId = 1, Records = Google.Protobuf.ByteString.CopyFrom([1, 2, 3, 4, 5]) });

        var response = await h.Tablet.ProduceLogAsync(request);

        Assert.Equal(0, response.BucketsResp[0].BaseOffset);
        Assert.True(response.BucketsResp[1].ErrorCode is (int)FlussErrorCode.CorruptRecord or (int)FlussErrorCode.CorruptMessage);
        Assert.Equal(2, (await h.ListOffsetAsync(0, 1)).Offset);
        Assert.Equal(0, (await h.ListOffsetAsync(1, 1)).Offset);
    }

    [Fact]
    public async Task ProduceLog_AcksAllWithFollowerBehind_TimesOutThenCompletesWhenFollowerCatchesUp()
    {
        await using var h = await StartAsync();
        var lead = await h.NotifyAsync(LeaderAndIsr(0, replicas: [ServerId, 2], isr: [ServerId, 2]));
        ErrorAssert.NoError(lead.HasErrorCode, lead.ErrorCode, lead.ErrorMessage);

        var timedOut = await h.ProduceAsync(0, Batch(MakeRows(0, 2)), acks: -1, timeoutMs: 200);
        ErrorAssert.Code(FlussErrorCode.RequestTimeOut, timedOut.ErrorCode, timedOut.ErrorMessage);
        Assert.Equal(0, (await h.ListOffsetAsync(0, offsetType: 1)).Offset);

        var waiting = h.ProduceAsync(0, Batch(MakeRows(2, 3)), acks: -1, timeoutMs: 30_000);
        await WaitUntilAsync(async () => (await h.ListOffsetAsync(0, offsetType: 1, followerId: 2)).Offset == 5);
        Assert.False(waiting.IsCompleted);

        // The follower fetches up to the leader's log end: the high watermark reaches 5 and the write commits.
        var followerFetch = await h.FetchAsync(0, 5, followerId: 2);
        ErrorAssert.NoError(followerFetch.HasErrorCode, followerFetch.ErrorCode, followerFetch.ErrorMessage);
        var done = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        ErrorAssert.NoError(done.HasErrorCode, done.ErrorCode, done.ErrorMessage);
        Assert.Equal(2, done.BaseOffset);
        Assert.Equal(5, (await h.ListOffsetAsync(0, offsetType: 1)).Offset);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold before the deadline.");
            await Task.Delay(10);
        }
    }
}
