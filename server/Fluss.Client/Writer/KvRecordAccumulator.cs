using System.Buffers;
using Fluss.Records.Kv;

namespace Fluss.Client.Writer;

/// <summary>One encoded upsert or delete for <see cref="KvRecordAccumulator"/>.</summary>
/// <param name="Bucket">The bucket of the record's bucket key.</param>
/// <param name="Key">The encoded primary key.</param>
/// <param name="Value">The encoded row (CompactedRow bytes); empty for a delete. May borrow a reused buffer.</param>
internal readonly record struct KvWriteRecord(int Bucket, byte[] Key, ReadOnlyMemory<byte> Value)
{
    public bool IsDelete => Value.IsEmpty;

    /// <summary>The same record owning its value bytes (before it waits for buffer memory).</summary>
    public KvWriteRecord Detach() => IsDelete ? this : this with { Value = Value.ToArray() };
}

/// <summary>
/// The accumulator of an upsert writer: upserts and deletes go into per-bucket KvRecordBatches, closed when the next
/// record would take them past the batch size (<c>client.writer.batch-size</c>).
/// </summary>
internal sealed class KvRecordAccumulator : RecordAccumulator
{
    private static readonly Func<KvWriteRecord, KvWriteRecord> DetachRecord = r => r.Detach();

    private readonly short _schemaId;
    private readonly Func<KvWriteRecord, Task<UpsertResult>> _upsert;
    private readonly Func<KvWriteRecord, Task<DeleteResult>> _delete;

    public KvRecordAccumulator(short schemaId, AccumulatorSettings settings, TimeProvider time, ArrayPool<byte>? payloadPool = null)
        : base(settings, time, payloadPool)
    {
        _schemaId = schemaId;
        _upsert = r => AppendLocked(r).AddUpsertResult();
        _delete = r => AppendLocked(r).AddDeleteResult();
    }

    protected override string WriterName => "upsert writer";

    /// <summary>Buffers an upsert; completes when its batch is acknowledged. Waits for buffer memory when it is used up.</summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    public Task<UpsertResult> Upsert(in KvWriteRecord record, CancellationToken cancellationToken)
    {
        if (record.IsDelete) throw new ArgumentException("An upsert needs the row's bytes.", nameof(record));
        return Append(record, _upsert, DetachRecord, cancellationToken);
    }

    /// <summary>Buffers a delete of the record's key; completes when its batch is acknowledged.</summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    public Task<DeleteResult> Delete(in KvWriteRecord record, CancellationToken cancellationToken) =>
        Append(record with { Value = ReadOnlyMemory<byte>.Empty }, _delete, null, cancellationToken);

    private KvWriteBatch AppendLocked(KvWriteRecord record)
    {
        var queue = QueueLocked(record.Bucket);
        var batch = queue.Last?.Value is KvWriteBatch { IsClosed: false, Builder: not null } open ? open : null;
        var rowLength = record.IsDelete ? -1 : record.Value.Length;
        if (batch is not null && !batch.Builder!.HasRoomFor(record.Key.Length, rowLength))
        {
            batch.IsClosed = true;
            WakeSenderLocked();
            batch = null;
        }
        var created = batch is null;
        batch ??= new KvWriteBatch(record.Bucket, new KvRecordBatchBuilder(_schemaId, Math.Max(Settings.BatchSize, KvRecordBatchFormat.HeaderSize)), Time.GetTimestamp());
        var before = batch.Builder!.SizeInBytes;
        try
        {
            if (record.IsDelete) batch.Builder.AppendDelete(record.Key);
            else batch.Builder.Append(record.Key, record.Value.Span);
        }
        catch
        {
            if (created) batch.TakeBuilder()?.Dispose();
            throw;
        }
        batch.RecordCount++;
        ChargeLocked(batch, batch.Builder.SizeInBytes - before + (created ? KvRecordBatchFormat.HeaderSize : 0));
        if (created) AddBatchLocked(batch);
        CloseIfFullLocked(batch);
        return batch;
    }

    /// <summary>
    /// Makes sure the batch has its encoded bytes with its current writer id and sequence (building it on first send,
    /// rewriting the header when the sequence changed since). Runs outside the lock on a drained batch.
    /// </summary>
    public void EnsurePayload(WriteBatch drained)
    {
        var batch = (KvWriteBatch)drained;
        if (!batch.HasPayload)
        {
            var builder = batch.Builder!;
            builder.SetWriterState(batch.WriterId, batch.Sequence);
            batch.SetPayload(builder.Build().Span, PayloadPool);
            ReleaseBuilder(batch);
            return;
        }
        batch.Restamp(PayloadPool);
    }

    protected override void ReleaseBuilder(WriteBatch batch) => ((KvWriteBatch)batch).TakeBuilder()?.Dispose();
}
