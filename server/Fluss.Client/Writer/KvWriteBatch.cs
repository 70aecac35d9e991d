using System.Buffers;
using Fluss.Records.Kv;

namespace Fluss.Client.Writer;

/// <summary>The upserts and deletes of one bucket of a primary-key table, sent as one KvRecordBatch.</summary>
internal sealed class KvWriteBatch : WriteBatch
{
    private readonly List<object> _results = [];
    private KvRecordBatchBuilder? _builder;

    public KvWriteBatch(int bucket, KvRecordBatchBuilder builder, long createdAt)
        : base(bucket, createdAt)
    {
        _builder = builder;
    }

    /// <summary>The records while the batch is being built; null once encoded.</summary>
    public KvRecordBatchBuilder? Builder => Volatile.Read(ref _builder);

    public override long EstimatedSize => HasPayload ? Payload.Length : Builder?.SizeInBytes ?? 0;

    /// <summary>Takes the builder away from the batch; exactly one caller gets it.</summary>
    public KvRecordBatchBuilder? TakeBuilder() => Interlocked.Exchange(ref _builder, null);

    /// <summary>A task for the upsert just appended.</summary>
    public Task<UpsertResult> AddUpsertResult()
    {
        var result = new TaskCompletionSource<UpsertResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _results.Add(result);
        return result.Task;
    }

    /// <summary>A task for the delete just appended.</summary>
    public Task<DeleteResult> AddDeleteResult()
    {
        var result = new TaskCompletionSource<DeleteResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _results.Add(result);
        return result.Task;
    }

    /// <summary>Writes the current writer id and sequence into the encoded KvRecordBatch when they changed.</summary>
    public void Restamp(ArrayPool<byte> pool) => RestampPayload(
        KvRecordBatchFormat.WriterIdOffset, KvRecordBatchFormat.BatchSequenceOffset, KvRecordBatchFormat.CrcOffset, KvRecordBatchFormat.SchemaIdOffset, pool);

    /// <summary>Every record of the batch gets the changelog's log end offset after the write (-1 when unknown).</summary>
    protected override void CompleteResults(long offset)
    {
        foreach (var result in _results)
        {
            if (result is TaskCompletionSource<UpsertResult> upsert) upsert.TrySetResult(new UpsertResult(Bucket, offset));
            else ((TaskCompletionSource<DeleteResult>)result).TrySetResult(new DeleteResult(Bucket, offset));
        }
        _results.Clear();
    }

    protected override void FailResults(Exception error)
    {
        foreach (var result in _results)
        {
            if (result is TaskCompletionSource<UpsertResult> upsert) upsert.TrySetException(error);
            else ((TaskCompletionSource<DeleteResult>)result).TrySetException(error);
        }
        _results.Clear();
    }
}
