using System.Diagnostics;
using Fluss.Errors;
using Fluss.Rows;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class ReplicaManagerFetchTests
{
    [Theory]
    [InlineData(Fluss.Metadata.ArrowCompressionType.None)]
    [InlineData(Fluss.Metadata.ArrowCompressionType.Zstd)]
    [InlineData(Fluss.Metadata.ArrowCompressionType.Lz4Frame)]
    public async Task FetchLog_Projection_FewerBytesAndColumnsEqualProjectedOriginal(Fluss.Metadata.ArrowCompressionType codec)
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        var rows = MakeRows(0, 50, nameLength: 40);
        await h.ProduceAsync(0, Batch(rows.Take(20).ToList(), codec: codec));
        await h.ProduceAsync(0, Batch(rows.Skip(20).ToList(), codec: codec));

        var full = await h.FetchAsync(0, 0);
        var projected = await h.FetchAsync(0, 0, projection: [0, 2]);

        ErrorAssert.NoError(projected.HasErrorCode, projected.ErrorCode, projected.ErrorMessage);
        Assert.True(projected.Records.Length < full.Records.Length, $"projected {projected.Records.Length} bytes, full {full.Records.Length}");
        Assert.Equal(50, projected.HighWatermark);
        var projectedType = RowType.Project([0, 2]);
        var decoded = Decode(projected.Records, projectedType);
        Assert.Equal(rows.Select(r => GenericRow.Of(r[0], r[2])), decoded.Select(r => r.Row));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), decoded.Select(r => r.Offset));
    }

    [Theory]
    [InlineData(new[] { 3 })]
    [InlineData(new[] { -1 })]
    [InlineData(new[] { 2, 0 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new int[0])]
    public async Task FetchLog_InvalidProjection_InvalidColumnProjection(int[] fields)
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 2)));

        var result = await h.FetchAsync(0, 0, projection: fields);

        ErrorAssert.Code(FlussErrorCode.InvalidColumnProjection, result.ErrorCode, result.ErrorMessage);
        Assert.False(result.HasRecords && result.Records.Length > 0);
    }

    [Fact]
    public async Task FetchLog_OffsetBeyondLogEnd_LogOffsetOutOfRangeWithValidRange()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 5)));

        var result = await h.FetchAsync(0, 100);

        ErrorAssert.Code(FlussErrorCode.LogOffsetOutOfRange, result.ErrorCode, result.ErrorMessage);
        Assert.Contains("100", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("from 0", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("to 5", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchLog_EarliestMarker_ReadsFromLogStart()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));

        var result = await h.FetchAsync(0, -2);

        Assert.Equal(3, Decode(result.Records).Count);
    }

    [Fact]
    public async Task FetchLog_AtHighWatermark_EmptyWithOffsets()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));

        var result = await h.FetchAsync(0, 3);

        ErrorAssert.NoError(result.HasErrorCode, result.ErrorCode, result.ErrorMessage);
        Assert.True(result.Records.IsEmpty);
        Assert.Equal(3, result.HighWatermark);
        Assert.Equal(0, result.LogStartOffset);
    }

    [Fact]
    public async Task FetchLog_ClientReadsOnlyUpToHighWatermarkWhileFollowerReadsToLogEnd()
    {
        await using var h = await StartAsync();
        await h.NotifyAsync(LeaderAndIsr(0, replicas: [ServerId, 2], isr: [ServerId, 2]));
        await h.ProduceAsync(0, Batch(MakeRows(0, 4)), acks: 1);

        var client = await h.FetchAsync(0, 0);
        var follower = await h.FetchAsync(0, 0, followerId: 2);

        Assert.Equal(0, client.HighWatermark);
        Assert.True(client.Records.IsEmpty);
        Assert.Equal(4, Decode(follower.Records).Count);
    }

    [Fact]
    public async Task FetchLog_MaxBytes_FirstBatchWholeThenLimitRespected()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        for (var i = 0; i < 5; i++) await h.ProduceAsync(0, Batch(MakeRows(i * 10, 10)));
        var all = Batches((await h.FetchAsync(0, 0)).Records);
        Assert.Equal(5, all.Count);

        var tiny = await h.FetchAsync(0, 0, maxFetchBytes: 10);
        var two = await h.FetchAsync(0, 0, maxFetchBytes: (int)(all[0].SizeInBytes + all[1].SizeInBytes + all[2].SizeInBytes - 1));

        Assert.Single(Batches(tiny.Records));
        Assert.Equal(2, Batches(two.Records).Count);
    }

    [Fact]
    public async Task FetchLog_NotLeaderAndUnknownBucket_PerBucketErrors()
    {
        await using var h = await StartAsync();
        await h.NotifyAsync(LeaderAndIsr(0, leader: 2, replicas: [2, ServerId]));

        var notLeader = await h.FetchAsync(0, 0);
        var unknown = await h.FetchAsync(1, 0);

        ErrorAssert.Code(FlussErrorCode.NotLeaderOrFollower, notLeader.ErrorCode, notLeader.ErrorMessage);
        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, unknown.ErrorCode, unknown.ErrorMessage);
    }

    [Fact]
    public async Task FetchLog_LongPollWithoutData_CompletesWhenProduceArrives()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0, 1);
        await h.ProduceAsync(0, Batch(MakeRows(0, 2)));
        var request = FetchRequest(0, 2);
        request.TablesReq[0].BucketsReq.Add(new Fluss.Rpc.Messages.PbFetchLogReqForBucket { BucketId = 1, FetchOffset = 0, MaxFetchBytes = 1 << 20 });
        request.MinBytes = 1;
        request.MaxWaitMs = 60_000;
        var watch = Stopwatch.StartNew();

        var pending = h.Tablet.FetchLogAsync(request).ResponseAsync;
        var early = await Task.WhenAny(pending, Task.Delay(300));
        Assert.NotSame(pending, early);
        await h.ProduceAsync(1, Batch(MakeRows(10, 3)));
        var response = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
        var buckets = response.TablesResp[0].BucketsResp;
        Assert.True(buckets[0].Records.IsEmpty);
        Assert.Equal(MakeRows(10, 3), Decode(buckets[1].Records).Select(r => r.Row));
        Assert.Equal(3, buckets[1].HighWatermark);
    }

    [Fact]
    public async Task FetchLog_LongPollNoDataArrives_ReturnsEmptyAfterMaxWait()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        var request = FetchRequest(0, 0);
        request.MinBytes = 1;
        request.MaxWaitMs = 500;
        var watch = Stopwatch.StartNew();

        var response = await h.Tablet.FetchLogAsync(request);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(450), $"returned after {watch.Elapsed}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"returned after {watch.Elapsed}");
        var bucket = response.TablesResp[0].BucketsResp[0];
        ErrorAssert.NoError(bucket.HasErrorCode, bucket.ErrorCode, bucket.ErrorMessage);
        Assert.True(bucket.Records.IsEmpty);
    }

    [Fact]
    public async Task FetchLog_MinBytesAlreadyAvailable_AnswersWithoutWaiting()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 2)));
        var request = FetchRequest(0, 0);
        request.MinBytes = 1;
        request.MaxWaitMs = 60_000;

        var response = await h.Tablet.FetchLogAsync(request).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2, Decode(response.TablesResp[0].BucketsResp[0].Records).Count);
    }

    [Fact]
    public async Task FetchLog_LongPollOnBucketThatStops_AnswersWithError()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        var request = FetchRequest(0, 0);
        request.MinBytes = 1;
        request.MaxWaitMs = 60_000;
        var pending = h.Tablet.FetchLogAsync(request).ResponseAsync;
        Assert.NotSame(pending, await Task.WhenAny(pending, Task.Delay(200)));

        var stop = new Fluss.Rpc.Messages.StopReplicaRequest { CoordinatorEpoch = 1 };
        stop.StopReplicasReq.Add(new Fluss.Rpc.Messages.PbStopReplicaReqForBucket { TableBucket = new Fluss.Rpc.Messages.PbTableBucket { TableId = TableId, BucketId = 0 }, LeaderEpoch = 0 });
        await h.Tablet.StopReplicaAsync(stop);
        var response = await pending.WaitAsync(TimeSpan.FromSeconds(20));

        ErrorAssert.Code(FlussErrorCode.UnknownTableOrBucket, response.TablesResp[0].BucketsResp[0].ErrorCode, null);
    }
}
