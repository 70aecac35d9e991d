using System.Buffers;
using System.Runtime.InteropServices;
using Fluss.Client;
using Fluss.Client.Writer;
using Fluss.Errors;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Tests.Client.Support;
using Fluss.Types;
using Microsoft.Extensions.Time.Testing;
using AT = Apache.Arrow;

namespace Fluss.Tests.Client.Writer;

public class RecordAccumulatorTests
{
    private static readonly RowType Orders = RowType.Of(("id", new IntType(isNullable: false)), ("name", new StringType()), ("amount", new BigIntType()));
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    private static AccumulatorSettings Settings(
        int batchSize = 1 << 20, long memory = 64 << 20, int inflight = 5, bool idempotent = false, TimeSpan? delivery = null) =>
        new(batchSize, BatchTimeout, memory, inflight, idempotent, TimeSpan.FromMilliseconds(50), delivery ?? TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));

    private ArrowRecordAccumulator Accumulator(AccumulatorSettings settings, ArrayPool<byte>? pool = null) => new(Orders, settings, _time, pool);

    /// <summary>Sends every row to the given bucket.</summary>
    private sealed class FixedBucket(int bucket) : IBucketAssigner
    {
        public int Bucket { get; set; } = bucket;
        public bool AbortIfBatchFull => false;
        public int Assign(IRow? row) => Bucket;
        public void OnNewBatch(int previousBucket) { }
        public void Dispose() { }
    }

    private static GenericRow Row(int i) => GenericRow.Of(i, "name-" + i, (long)i * 10);

    private static int? LeaderOne(int bucket) => 1;

    [Fact]
    public void Ready_OpenBatchBeforeTimeout_NotReadyUntilBatchTimeout()
    {
        using var acc = Accumulator(Settings());
        _ = acc.Append(Row(1), new FixedBucket(0), default);

        var before = acc.Ready(LeaderOne);
        Assert.Empty(before.Nodes);
        Assert.Equal(BatchTimeout, before.NextCheck);

        _time.Advance(TimeSpan.FromMilliseconds(60));
        Assert.Equal(TimeSpan.FromMilliseconds(40), acc.Ready(LeaderOne).NextCheck);

        _time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);
    }

    [Fact]
    public void Append_BatchReachesSize_IsClosedAndReadyAtOnce()
    {
        using var acc = Accumulator(Settings(batchSize: 2048));
        var assigner = new FixedBucket(0);
        var tasks = Enumerable.Range(0, 200).Select(i => acc.Append(Row(i), assigner, default)).ToList();

        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);
        var first = acc.Drain(1, LeaderOne, int.MaxValue);
        var batch = Assert.Single(first);
        Assert.True(batch.IsClosed);
        Assert.InRange(batch.RecordCount, 2, 199);
        Assert.True(batch.EstimatedSize >= 2048);

        // The rows after the first closed batch went into later batches of the same bucket.
        Assert.True(acc.HasUndrained);
        var rest = 200 - batch.RecordCount;
        var drainedRows = batch.RecordCount;
        while (acc.Drain(1, LeaderOne, int.MaxValue) is { Count: > 0 } more)
        {
            drainedRows += more.Sum(b => b.RecordCount);
            foreach (var b in more) acc.Complete(b, 0);
        }
        Assert.Equal(200, drainedRows);
        Assert.True(rest > 0);
        Assert.All(tasks.Skip(batch.RecordCount), t => Assert.True(t.IsCompletedSuccessfully));
    }

    [Fact]
    public void Drain_SeveralBuckets_OneBatchEachUpToRequestSize()
    {
        using var acc = Accumulator(Settings());
        var assigner = new FixedBucket(0);
        for (var b = 0; b < 4; b++)
        {
            assigner.Bucket = b;
            for (var i = 0; i < 10; i++) _ = acc.Append(Row(i), assigner, default);
        }
        _time.Advance(BatchTimeout);
        var oneSize = acc.Incomplete()[0].EstimatedSize;

        var first = acc.Drain(1, LeaderOne, (int)(oneSize * 2 + 1));
        Assert.Equal(2, first.Count);
        Assert.Equal(2, first.Select(b => b.Bucket).Distinct().Count());
        var second = acc.Drain(1, LeaderOne, int.MaxValue);
        Assert.Equal(2, second.Count);
        Assert.Empty(first.Select(b => b.Bucket).Intersect(second.Select(b => b.Bucket)));
    }

    [Fact]
    public void Ready_UnknownLeader_IsReported()
    {
        using var acc = Accumulator(Settings());
        _ = acc.Append(Row(1), new FixedBucket(2), default);
        _time.Advance(BatchTimeout);
        var ready = acc.Ready(_ => null);
        Assert.True(ready.UnknownLeaders);
        Assert.Empty(ready.Nodes);
    }

    [Fact]
    public async Task Complete_RowsGetBaseOffsetPlusIndex()
    {
        using var acc = Accumulator(Settings());
        var assigner = new FixedBucket(1);
        var tasks = Enumerable.Range(0, 3).Select(i => acc.Append(Row(i), assigner, default)).ToList();
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));

        acc.Complete(batch, 100);

        var results = await Task.WhenAll(tasks);
        Assert.Equal([new AppendResult(1, 100), new AppendResult(1, 101), new AppendResult(1, 102)], results);
        Assert.Equal(0, acc.UsedBytes);
        Assert.False(acc.HasIncomplete);
    }

    [Fact]
    public async Task Fail_RowsFaultWithTypedError_AndFailureIsReportedOnce()
    {
        using var acc = Accumulator(Settings());
        var tasks = Enumerable.Range(0, 3).Select(i => acc.Append(Row(i), new FixedBucket(0), default)).ToList();
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));

        acc.Fail(batch, new InvalidTableException("bad table"), adjustSequences: true);

        foreach (var t in tasks) await Assert.ThrowsAsync<InvalidTableException>(() => t);
        Assert.IsType<InvalidTableException>(acc.TakeFailure());
        Assert.Null(acc.TakeFailure());
    }

    [Fact]
    public async Task Append_MemoryExhausted_WaitsUntilABatchIsAcknowledged()
    {
        using var acc = Accumulator(Settings(memory: 4096));
        var assigner = new FixedBucket(0);
        var accepted = 0;
        while (acc.UsedBytes < 4096)
        {
            _ = acc.Append(Row(accepted), assigner, default);
            accepted++;
        }

        var waiting = acc.Append(Row(9999), assigner, default);
        await Task.Yield();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(accepted, acc.Incomplete().Sum(b => b.RecordCount));
        // Writers waiting for memory make every batch ready.
        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);

        var batches = acc.Drain(1, LeaderOne, int.MaxValue);
        foreach (var b in batches) acc.Complete(b, 0);

        await WaitUntil(() => acc.Incomplete().Sum(b => b.RecordCount) == 1);
        Assert.False(waiting.IsCompleted);
        _time.Advance(BatchTimeout);
        var last = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.Complete(last, 42);
        Assert.Equal(new AppendResult(0, 42), await waiting);
    }

    [Fact]
    public async Task Append_MemoryExhaustedTooLong_FailsWithRequestTimeout()
    {
        using var acc = Accumulator(Settings(memory: 1024));
        var assigner = new FixedBucket(0);
        var i = 0;
        while (acc.UsedBytes < 1024) _ = acc.Append(Row(i++), assigner, default);

        var waiting = acc.Append(Row(-1), assigner, default);
        await Task.Yield();
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(31));

        var error = await Assert.ThrowsAsync<FlussException>(() => waiting);
        Assert.Equal(FlussErrorCode.RequestTimeOut, error.ErrorCode);
        Assert.Contains("client.writer.buffer.memory-size", error.Message, StringComparison.Ordinal);
        Assert.Equal(i, acc.Incomplete().Sum(b => b.RecordCount));
    }

    [Fact]
    public async Task Append_WaitingWriters_ProceedInOrder()
    {
        using var acc = Accumulator(Settings(memory: 2048));
        var assigner = new FixedBucket(0);
        var i = 0;
        while (acc.UsedBytes < 2048) _ = acc.Append(Row(i++), assigner, default);
        var first = acc.Append(Row(1001), assigner, default);
        var second = acc.Append(Row(1002), assigner, default);

        foreach (var b in acc.Drain(1, LeaderOne, int.MaxValue)) acc.Complete(b, 0);
        await WaitUntil(() => acc.Incomplete().Sum(b => b.RecordCount) == 2);
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.Complete(batch, 500);

        Assert.Equal(500, (await first).BaseOffset);
        Assert.Equal(501, (await second).BaseOffset);
    }

    [Fact]
    public void Drain_MaxInflightPerBucket_IsRespected()
    {
        using var acc = Accumulator(Settings(batchSize: 512, inflight: 2));
        var assigner = new FixedBucket(0);
        for (var i = 0; i < 100; i++) _ = acc.Append(Row(i), assigner, default);

        var a = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        var b = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Empty(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Empty(acc.Ready(LeaderOne).Nodes);

        acc.Complete(a, 0);
        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);
        Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.NotSame(a, b);
    }

    [Fact]
    public void Idempotent_NoWriterId_NothingIsSent()
    {
        using var acc = Accumulator(Settings(idempotent: true));
        _ = acc.Append(Row(1), new FixedBucket(0), default);
        _time.Advance(BatchTimeout);
        Assert.True(acc.NeedsWriterId);
        Assert.Empty(acc.Ready(LeaderOne).Nodes);
        acc.SetWriterId(17);
        Assert.False(acc.NeedsWriterId);
        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);
    }

    [Fact]
    public void Idempotent_SequencesPerBucket_StartAtZero_AndRetryKeepsSameBytes()
    {
        using var acc = Accumulator(Settings(batchSize: 512, idempotent: true));
        acc.SetWriterId(17);
        var assigner = new FixedBucket(0);
        for (var i = 0; i < 60; i++) _ = acc.Append(Row(i), assigner, default);
        assigner.Bucket = 1;
        _ = acc.Append(Row(0), assigner, default);
        _time.Advance(BatchTimeout);
        using var encoder = new ArrowLogBatchBuilder();

        var drained = new List<WriteBatch>();
        for (var round = 0; round < 3; round++) drained.AddRange(acc.Drain(1, LeaderOne, int.MaxValue));
        foreach (var b in drained) acc.EnsurePayload(b, encoder, 1);

        Assert.Equal([0], drained.Where(b => b.Bucket == 1).Select(b => b.Sequence));
        var bucket0 = drained.Where(b => b.Bucket == 0).ToList();
        Assert.Equal([0, 1, 2], bucket0.Select(b => b.Sequence));
        var header = new LogRecordBatch(bucket0[1].Payload);
        Assert.Equal(17, header.WriterId);
        Assert.Equal(1, header.BatchSequence);
        header.EnsureValid();

        // Sequence 1 fails with a retriable error: it goes back ahead of the queue, is sent only once it is the
        // lowest unacknowledged sequence, and with exactly the same bytes.
        var bytes = bucket0[1].Payload;
        acc.Retry(bucket0[1], new NotLeaderOrFollowerException("moved"));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Empty(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.Complete(bucket0[0], 0);
        var retried = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Same(bucket0[1], retried);
        acc.EnsurePayload(retried, encoder, 1);
        Assert.True(bytes.Equals(retried.Payload), "a retry resends the same array");
        Assert.Equal(2, retried.Attempts);
    }

    [Fact]
    public void Idempotent_RejectedBatch_LaterSequencesMoveDown_AndHeaderIsRewritten()
    {
        using var acc = Accumulator(Settings(batchSize: 512, idempotent: true));
        acc.SetWriterId(5);
        var assigner = new FixedBucket(0);
        for (var i = 0; i < 40; i++) _ = acc.Append(Row(i), assigner, default);
        _time.Advance(BatchTimeout);
        using var encoder = new ArrowLogBatchBuilder();
        var first = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        var second = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(first, encoder, 1);
        acc.EnsurePayload(second, encoder, 1);
        Assert.Equal((0, 1), (first.Sequence, second.Sequence));

        acc.Fail(first, new RecordTooLargeException("too large"), adjustSequences: true);
        Assert.Equal(0, second.Sequence);
        Assert.Equal(5, acc.WriterId);

        acc.Retry(second, new FlussException(FlussErrorCode.OutOfOrderSequence, "expected 0"));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        var again = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(again, encoder, 1);
        var header = new LogRecordBatch(again.Payload);
        Assert.Equal(0, header.BatchSequence);
        Assert.Equal(5, header.WriterId);
        header.EnsureValid();
        Assert.True(again.SentAsNextSequence);
    }

    [Fact]
    public void Idempotent_OutOfOrderFailure_DropsTheWriterId()
    {
        using var acc = Accumulator(Settings(idempotent: true));
        acc.SetWriterId(5);
        _ = acc.Append(Row(1), new FixedBucket(0), default);
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));

        acc.Fail(batch, new FlussException(FlussErrorCode.OutOfOrderSequence, "gap"), adjustSequences: true);

        Assert.True(acc.WriterId < 0);
        _ = acc.Append(Row(2), new FixedBucket(0), default);
        Assert.True(acc.NeedsWriterId);
    }

    [Fact]
    public async Task ExpireBatches_NoLeaderForDeliveryTimeout_FailsRows()
    {
        using var acc = Accumulator(Settings(delivery: TimeSpan.FromSeconds(5)));
        var task = acc.Append(Row(1), new FixedBucket(0), default);
        _time.Advance(TimeSpan.FromSeconds(4));
        acc.ExpireBatches();
        Assert.False(task.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        acc.ExpireBatches();
        var error = await Assert.ThrowsAsync<FlussException>(() => task);
        Assert.Equal(FlussErrorCode.RequestTimeOut, error.ErrorCode);
        Assert.False(acc.HasIncomplete);
    }

    [Fact]
    public async Task AppendBatch_WholeArrowBatch_RowsKeepConsecutiveOffsets()
    {
        using var acc = Accumulator(Settings());
        using var builder = new Fluss.Arrow.ArrowBatchBuilder(Orders);
        for (var i = 0; i < 5; i++) builder.Append(Row(i));
        using AT.RecordBatch records = builder.Build();

        var before = acc.Append(Row(100), new FixedBucket(2), default);
        var whole = acc.AppendBatch(records, 2, new FixedBucket(0), default);
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Equal(6, batch.RecordCount);
        acc.Complete(batch, 10);

        Assert.Equal(new AppendResult(2, 10), await before);
        Assert.Equal(new AppendResult(2, 11), await whole);
    }

    [Fact]
    public async Task Close_RejectsAppends_AndMakesBatchesReady()
    {
        using var acc = Accumulator(Settings());
        _ = acc.Append(Row(1), new FixedBucket(0), default);
        acc.Close();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => acc.Append(Row(2), new FixedBucket(0), default));
        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);
    }

    [Fact]
    public void Append_RowFailsWhileEncoded_BatchAndMemoryUnchanged()
    {
        using var acc = Accumulator(Settings());
        var assigner = new FixedBucket(0);
        _ = acc.Append(new ViewRow(Row(1)), assigner, default);
        var used = acc.UsedBytes;

        // The last column (BIGINT) holds an int: the row fails on its third value, after two were encoded.
        Assert.Throws<InvalidCastException>(() => { _ = acc.Append(new ViewRow(GenericRow.Of(2, "two", 20)), assigner, default); });
        Assert.Equal(used, acc.UsedBytes);
        Assert.Equal(1, Assert.Single(acc.Incomplete()).RecordCount);

        _ = acc.Append(new ViewRow(Row(3)), assigner, default);
        using var encoder = new ArrowLogBatchBuilder();
        var batch = DrainEncoded(acc, encoder);
        Assert.Equal([Row(1), Row(3)], new LogRecordBatch(batch.Payload).ReadRows(Orders).Select(r => r.Row));
    }

    [Fact]
    public void Append_RowFailsInANewBatch_NothingQueued()
    {
        using var acc = Accumulator(Settings());

        Assert.Throws<InvalidCastException>(() => { _ = acc.Append(new ViewRow(GenericRow.Of("1", "one", 10L)), new FixedBucket(0), default); });

        Assert.Equal(0, acc.UsedBytes);
        Assert.False(acc.HasIncomplete);
        Assert.False(acc.NeedsWriterId);
    }

    [Fact]
    public async Task Append_NoMemoryAndRowInvalid_CheckThrowsBeforeWaiting()
    {
        using var acc = Accumulator(Settings(memory: 1024));
        var assigner = new FixedBucket(0);
        var i = 0;
        while (acc.UsedBytes < 1024) _ = acc.Append(Row(i++), assigner, default);
        var validator = new RowValidator(Orders, "shop.orders");

        var bad = new ViewRow(GenericRow.Of(null, "x", 1L));
        var error = Assert.Throws<ArgumentException>(() => { _ = acc.Append(bad, assigner, validator.Validate, default); });
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);

        // The rejected row left no waiter behind: a valid row waits, then gets the memory freed.
        var waiting = acc.Append(new ViewRow(Row(-1)), assigner, validator.Validate, default);
        await Task.Yield();
        Assert.False(waiting.IsCompleted);
        foreach (var b in acc.Drain(1, LeaderOne, int.MaxValue)) acc.Complete(b, 0);
        await WaitUntil(() => acc.Incomplete().Sum(b => b.RecordCount) == 1);
        _time.Advance(BatchTimeout);
        acc.Complete(Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue)), 7);
        Assert.Equal(new AppendResult(0, 7), await waiting);
    }

    /// <summary>Once the batch timeout has passed: the one batch drained for server 1, encoded.</summary>
    private WriteBatch DrainEncoded(ArrowRecordAccumulator acc, ArrowLogBatchBuilder encoder)
    {
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(batch, encoder, 1);
        return batch;
    }

    [Fact]
    public void Payload_Acknowledged_ReturnedToThePoolOnceTheRequestIsOver()
    {
        var pool = new CountingArrayPool();
        using var acc = Accumulator(Settings(), pool);
        var tasks = Enumerable.Range(0, 3).Select(i => acc.Append(Row(i), new FixedBucket(0), default)).ToList();
        using var encoder = new ArrowLogBatchBuilder();
        var batch = DrainEncoded(acc, encoder);
        Assert.Equal(1, pool.Rented);
        Assert.Equal(batch.Payload.Length, batch.EstimatedSize);
        Assert.Equal(3, new LogRecordBatch(batch.Payload).RecordCount);

        acc.Complete(batch, 0);
        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(1, pool.Outstanding);

        acc.EndSend([batch]);
        Assert.Equal((1, 0), (pool.Returned, pool.Outstanding));
        Assert.False(batch.HasPayload);
    }

    [Fact]
    public async Task Payload_AbortedWhileInFlight_ReturnedOnlyWhenTheRequestIsOver()
    {
        var pool = new CountingArrayPool();
        using var acc = Accumulator(Settings(), pool);
        var task = acc.Append(Row(1), new FixedBucket(0), default);
        using var encoder = new ArrowLogBatchBuilder();
        var batch = DrainEncoded(acc, encoder);

        acc.AbortAll(new FlussException(FlussErrorCode.Network, "closing"));
        await Assert.ThrowsAsync<FlussException>(() => task);
        Assert.False(acc.HasIncomplete);
        Assert.Equal(1, pool.Outstanding);

        acc.EndSend([batch]);
        Assert.Equal((1, 1, 0), (pool.Rented, pool.Returned, pool.Outstanding));
    }

    [Fact]
    public void Payload_BatchAbortedBetweenDrainAndEncoding_ReturnedWhenTheRequestIsOver()
    {
        var pool = new CountingArrayPool();
        using var acc = Accumulator(Settings(), pool);
        _ = acc.Append(Row(1), new FixedBucket(0), default);
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));

        acc.AbortAll(new FlussException(FlussErrorCode.Network, "closing"));
        using var encoder = new ArrowLogBatchBuilder();
        acc.EnsurePayload(batch, encoder, 1);
        Assert.Equal(1, pool.Outstanding);

        acc.EndSend([batch]);
        Assert.Equal((1, 1, 0), (pool.Rented, pool.Returned, pool.Outstanding));
    }

    [Fact]
    public void Payload_Retried_SameArrayResentAndReturnedOnceAcknowledged()
    {
        var pool = new CountingArrayPool();
        using var acc = Accumulator(Settings(), pool);
        _ = acc.Append(Row(1), new FixedBucket(0), default);
        using var encoder = new ArrowLogBatchBuilder();
        var batch = DrainEncoded(acc, encoder);
        var sent = batch.Payload;

        acc.Retry(batch, new NotLeaderOrFollowerException("moved"));
        acc.EndSend([batch]);
        Assert.Equal(1, pool.Outstanding);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        var again = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(again, encoder, 1);
        Assert.True(sent.Equals(again.Payload), "the retry carries the same bytes");

        acc.Complete(again, 0);
        Assert.Equal(1, pool.Outstanding);
        acc.EndSend([again]);
        Assert.Equal((1, 1, 0), (pool.Rented, pool.Returned, pool.Outstanding));
    }

    [Fact]
    public void Payload_Restamped_OldAndNewArraysReturnedOnceWhenTheBatchIsDone()
    {
        var pool = new CountingArrayPool();
        using var acc = Accumulator(Settings(batchSize: 512, idempotent: true), pool);
        acc.SetWriterId(5);
        var assigner = new FixedBucket(0);
        for (var i = 0; i < 40; i++) _ = acc.Append(Row(i), assigner, default);
        _time.Advance(BatchTimeout);
        using var encoder = new ArrowLogBatchBuilder();
        var first = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        var second = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(first, encoder, 1);
        acc.EnsurePayload(second, encoder, 1);
        Assert.True(MemoryMarshal.TryGetArray(second.Payload, out var encoded));

        acc.Fail(first, new RecordTooLargeException("too large"), adjustSequences: true);
        acc.EndSend([first]);
        Assert.Equal(1, pool.Returned);
        acc.Retry(second, new FlussException(FlussErrorCode.OutOfOrderSequence, "expected 0"));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        var again = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(again, encoder, 1);
        Assert.Equal(3, pool.Rented);
        Assert.Equal(0, new LogRecordBatch(again.Payload).BatchSequence);
        // The first request of the batch may still read the old array: it stays rented.
        Assert.True(pool.IsOut(encoded.Array!));

        acc.EndSend([second]);
        acc.Complete(again, 0);
        Assert.Equal(2, pool.Outstanding);
        acc.EndSend([again]);
        Assert.Equal((3, 3, 0), (pool.Rented, pool.Returned, pool.Outstanding));
    }

    [Fact]
    public async Task ExpireBatches_RetriedBatchQueuedAfterAScan_StillExpiresOnTime()
    {
        using var acc = Accumulator(Settings(delivery: TimeSpan.FromSeconds(5)));
        var old = acc.Append(Row(1), new FixedBucket(0), default);
        _time.Advance(BatchTimeout);
        var inFlight = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        _time.Advance(TimeSpan.FromSeconds(3));
        var young = acc.Append(Row(2), new FixedBucket(0), default);
        _time.Advance(TimeSpan.FromSeconds(2));
        acc.ExpireBatches();
        Assert.False(young.IsCompleted);

        // Queued again with its original age: past the delivery timeout already.
        acc.Retry(inFlight, new NotLeaderOrFollowerException("moved"));
        acc.ExpireBatches();

        Assert.True(old.IsFaulted, "the retried batch expired");
        var error = await Assert.ThrowsAsync<NotLeaderOrFollowerException>(() => old);
        Assert.Contains("delivery timeout", error.Message, StringComparison.Ordinal);
        Assert.False(young.IsCompleted);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not become true in time.");
            await Task.Delay(5);
        }
    }
}
