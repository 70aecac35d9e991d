using Fluss.Client.Writer;
using Fluss.Errors;
using Fluss.Records.Kv;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.Client.Writer;

public class KvRecordAccumulatorTests
{
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    private static AccumulatorSettings Settings(int batchSize = 1 << 20, long memory = 64 << 20, bool idempotent = false) =>
        new(batchSize, BatchTimeout, memory, 5, idempotent, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));

    private KvRecordAccumulator Accumulator(AccumulatorSettings settings, CountingArrayPool? pool = null) => new(3, settings, _time, pool);

    private static int? LeaderOne(int bucket) => 1;

    private static KvWriteRecord Upsert(int bucket, byte key, int valueLength = 8) =>
        new(bucket, [key], Enumerable.Repeat((byte)(key + 1), valueLength).ToArray());

    private static List<(byte[] Key, byte[]? Row)> RecordsOf(ReadOnlyMemory<byte> payload)
    {
        var batch = new KvRecordBatch(payload);
        batch.EnsureValid();
        var result = new List<(byte[], byte[]?)>();
        foreach (var r in batch.Records) result.Add((r.Key.ToArray(), r.IsDelete ? null : r.Row.ToArray()));
        return result;
    }

    [Fact]
    public void UpsertAndDelete_OneBucket_OneKvBatchWithTheRecordsInOrder()
    {
        using var acc = Accumulator(Settings());
        _ = acc.Upsert(Upsert(0, 1), default);
        _ = acc.Delete(new KvWriteRecord(0, [2], ReadOnlyMemory<byte>.Empty), default);
        _ = acc.Upsert(Upsert(0, 3), default);
        _time.Advance(BatchTimeout);

        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(batch);

        var header = new KvRecordBatch(batch.Payload);
        Assert.Equal(3, header.SchemaId);
        Assert.Equal(KvRecordBatchFormat.NoWriterId, header.WriterId);
        var records = RecordsOf(batch.Payload);
        Assert.Equal([1, 2, 3], records.Select(r => r.Key[0]));
        Assert.Equal(Enumerable.Repeat((byte)2, 8), records[0].Row!);
        Assert.Null(records[1].Row);
        Assert.Equal(batch.Payload.Length, batch.EstimatedSize);
    }

    [Fact]
    public void Upsert_NextRecordDoesNotFit_ClosesTheBatchAndOpensAnother()
    {
        // Header 28 bytes; each record 4 (length) + 1 (key length) + 1 (key) + 20 (value) = 26 bytes.
        using var acc = Accumulator(Settings(batchSize: 28 + 3 * 26));
        var tasks = Enumerable.Range(0, 7).Select(i => acc.Upsert(Upsert(0, (byte)i, 20), default)).ToList();

        Assert.Equal([1], acc.Ready(LeaderOne).Nodes);
        var first = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Equal(3, first.RecordCount);
        Assert.True(first.IsClosed);
        var second = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Equal(3, second.RecordCount);
        _time.Advance(BatchTimeout);
        var third = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        Assert.Equal(1, third.RecordCount);

        acc.EnsurePayload(first);
        Assert.Equal(28 + 3 * 26, first.Payload.Length);
        foreach (var b in new[] { first, second, third }) acc.Complete(b, 41);
        Assert.All(tasks, t => Assert.Equal(new Fluss.Client.UpsertResult(0, 41), t.Result));
    }

    [Fact]
    public void Idempotent_SequenceMovesDown_PayloadRestampedWithValidChecksum()
    {
        using var acc = Accumulator(Settings(batchSize: 60, idempotent: true));
        acc.SetWriterId(9);
        for (var i = 0; i < 4; i++) _ = acc.Upsert(Upsert(0, (byte)i, 20), default);
        var first = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        var second = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(first);
        acc.EnsurePayload(second);
        Assert.Equal((9L, 1), (new KvRecordBatch(second.Payload).WriterId, new KvRecordBatch(second.Payload).BatchSequence));

        acc.Fail(first, new FlussException(FlussErrorCode.InvalidTargetColumn, "rejected"), adjustSequences: true);
        acc.Retry(second, new FlussException(FlussErrorCode.OutOfOrderSequence, "expected 0"));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        var again = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(again);

        var header = new KvRecordBatch(again.Payload);
        header.EnsureValid();
        Assert.Equal(0, header.BatchSequence);
        Assert.Equal(9, header.WriterId);
        Assert.Equal(RecordsOf(second.Payload).Select(r => r.Key[0]), RecordsOf(again.Payload).Select(r => r.Key[0]));
    }

    [Fact]
    public async Task Upsert_WaitsForMemory_KeepsACopyOfTheBorrowedValue()
    {
        using var acc = Accumulator(Settings(memory: 40));
        _ = acc.Upsert(Upsert(0, 1, 20), default);
        var buffer = Enumerable.Repeat((byte)7, 5).ToArray();

        var waiting = acc.Upsert(new KvWriteRecord(0, [2], buffer), default);
        buffer.AsSpan().Fill(0xEE);
        Assert.False(waiting.IsCompleted);

        var first = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.Complete(first, 1);
        _time.Advance(BatchTimeout);
        var second = await DrainWhenQueuedAsync(acc);
        acc.EnsurePayload(second);
        Assert.Equal(Enumerable.Repeat((byte)7, 5), Assert.Single(RecordsOf(second.Payload)).Row!);
        acc.Complete(second, 2);
        Assert.Equal(2, (await waiting).LogEndOffset);
    }

    [Fact]
    public async Task EnsurePayload_PooledPayload_ReturnedOnceWhenAcknowledgedAndTheRequestIsOver()
    {
        var pool = new CountingArrayPool();
        using var acc = Accumulator(Settings(), pool);
        var upsert = acc.Upsert(Upsert(0, 1), default);
        _time.Advance(BatchTimeout);
        var batch = Assert.Single(acc.Drain(1, LeaderOne, int.MaxValue));
        acc.EnsurePayload(batch);
        Assert.Equal(1, pool.Rented);
        Assert.Equal([1], RecordsOf(batch.Payload).Select(r => r.Key[0]));
        Assert.Equal(batch.Payload.Length, batch.EstimatedSize);

        acc.EndSend([batch]);
        Assert.Equal(1, pool.Outstanding);
        acc.Complete(batch, 3);
        Assert.Equal(3, (await upsert).LogEndOffset);
        Assert.Equal((1, 1, 0), (pool.Rented, pool.Returned, pool.Outstanding));
    }

    private async Task<WriteBatch> DrainWhenQueuedAsync(KvRecordAccumulator acc)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            _time.Advance(BatchTimeout);
            if (acc.Drain(1, LeaderOne, int.MaxValue) is [var batch]) return batch;
            await Task.Delay(5);
        }
        throw new TimeoutException("the waiting upsert was not queued");
    }
}
