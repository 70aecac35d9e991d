using System.Buffers;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Client.Writer;

/// <summary>
/// The accumulator of an append writer: rows (or whole Arrow batches) go into per-bucket Arrow batches, encoded as
/// ARROW LogRecordBatches when first sent. Arrow builders are pooled (under a lock of their own, so that the
/// sender returns them without waiting for the appending threads).
/// </summary>
internal sealed class ArrowRecordAccumulator : RecordAccumulator
{
    private readonly RowType _rowType;
    private readonly Lock _buildersLock = new();
    private readonly Stack<ArrowBatchBuilder> _builders = new();
    private static readonly Func<(IRow Row, IBucketAssigner Assigner, Action<IRow>? Check), (IRow, IBucketAssigner, Action<IRow>?)> CheckRow = a =>
    {
        a.Check!(a.Row);
        return a;
    };

    private readonly Func<(IRow Row, IBucketAssigner Assigner, Action<IRow>? Check), Task<AppendResult>> _appendRow;
    private readonly Func<(RecordBatch Records, int? Bucket, IBucketAssigner Assigner), Task<AppendResult>> _appendBatch;
    private bool _disposed;

    public ArrowRecordAccumulator(RowType rowType, AccumulatorSettings settings, TimeProvider time, ArrayPool<byte>? payloadPool = null)
        : base(settings, time, payloadPool)
    {
        _rowType = rowType;
        _appendRow = a => AppendRowLocked(a.Row, a.Assigner);
        _appendBatch = a => AppendBatchLocked(a.Records, a.Bucket, a.Assigner);
    }

    protected override string WriterName => "append writer";

    /// <summary>
    /// Appends a row to the bucket <paramref name="assigner"/> picks. Completes when the row's batch is acknowledged.
    /// Waits for buffer memory when it is used up (at most the buffer wait timeout). The row's values are read once,
    /// while encoding; a row that fails there leaves the batches and memory as they were.
    /// </summary>
    /// <param name="row">The row; the columns the assigner reads must be valid already.</param>
    /// <param name="assigner">Picks the bucket.</param>
    /// <param name="beforeWait">Runs before the append waits for memory (outside the lock): checks the row, so that an invalid row fails here rather than later.</param>
    /// <param name="cancellationToken">Cancels a wait for memory.</param>
    /// <exception cref="ArgumentException">A value does not fit its column (thrown before anything is buffered).</exception>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    public Task<AppendResult> Append(IRow row, IBucketAssigner assigner, Action<IRow>? beforeWait, CancellationToken cancellationToken) =>
        Append((row, assigner, beforeWait), _appendRow, beforeWait is null ? null : CheckRow, cancellationToken);

    /// <summary>Appends a row whose values were all checked already (see the other overload).</summary>
    public Task<AppendResult> Append(IRow row, IBucketAssigner assigner, CancellationToken cancellationToken) =>
        Append(row, assigner, null, cancellationToken);

    /// <summary>Appends all rows of a validated Arrow batch to one bucket; the result carries the first row's offset.</summary>
    public Task<AppendResult> AppendBatch(RecordBatch batch, int? bucket, IBucketAssigner assigner, CancellationToken cancellationToken) =>
        Append((batch, bucket, assigner), _appendBatch, null, cancellationToken);

    private Task<AppendResult> AppendRowLocked(IRow row, IBucketAssigner assigner)
    {
        var bucket = assigner.Assign(row);
        var result = TryAppendToOpenLocked(bucket, row);
        if (result is null && assigner.AbortIfBatchFull)
        {
            assigner.OnNewBatch(bucket);
            bucket = assigner.Assign(row);
            result = TryAppendToOpenLocked(bucket, row);
        }
        return result ?? AppendToNewBatchLocked(bucket, row);
    }

    private Task<AppendResult>? TryAppendToOpenLocked(int bucket, IRow row)
    {
        if (OpenBatchLocked(bucket) is not { } last) return null;
        AppendRowTo(last, row);
        return last.AddResult(last.RecordCount - 1);
    }

    private ArrowWriteBatch? OpenBatchLocked(int bucket) =>
        QueueLocked(bucket).Last?.Value is ArrowWriteBatch { IsClosed: false, Builder: not null } last ? last : null;

    private Task<AppendResult> AppendToNewBatchLocked(int bucket, IRow row)
    {
        var batch = new ArrowWriteBatch(bucket, RentBuilder(), Time.GetTimestamp());
        try
        {
            AppendRowTo(batch, row);
        }
        catch
        {
            ReturnBuilder(batch);
            throw;
        }
        AddBatchLocked(batch);
        return batch.AddResult(0);
    }

    private void AppendRowTo(ArrowWriteBatch batch, IRow row)
    {
        var builder = batch.Builder!;
        var before = builder.EstimatedBodySize;
        builder.Append(row);
        batch.RecordCount++;
        ChargeLocked(batch, builder.EstimatedBodySize - before + (batch.RecordCount == 1 ? ArrowWriteBatch.EstimateOverhead(_rowType.FieldCount) : 0));
        CloseIfFullLocked(batch);
    }

    private Task<AppendResult> AppendBatchLocked(RecordBatch records, int? explicitBucket, IBucketAssigner assigner)
    {
        var bucket = explicitBucket ?? assigner.Assign(null);
        var open = OpenBatchLocked(bucket);
        if (open is not null && open.RecordCount > 0 && open.EstimatedSize + EstimateBodySize(records) > Settings.BatchSize)
        {
            open.IsClosed = true;
            open = null;
        }
        var created = open is null;
        var batch = open ?? new ArrowWriteBatch(bucket, RentBuilder(), Time.GetTimestamp());
        var builder = batch.Builder!;
        var before = builder.EstimatedBodySize;
        var firstRow = batch.RecordCount;
        try
        {
            builder.AppendBatch(records);
        }
        catch
        {
            if (created) ReturnBuilder(batch);
            throw;
        }
        batch.RecordCount += records.Length;
        ChargeLocked(batch, builder.EstimatedBodySize - before + (created ? ArrowWriteBatch.EstimateOverhead(_rowType.FieldCount) : 0));
        if (created) AddBatchLocked(batch);
        if (batch.EstimatedSize >= Settings.BatchSize) batch.IsClosed = true;
        WakeSenderLocked();
        return batch.AddResult(firstRow);
    }

    private static long EstimateBodySize(RecordBatch records)
    {
        long size = 0;
        foreach (var array in records.Arrays)
        {
            foreach (var buffer in array.Data.Buffers) size += (buffer.Length + 7) & ~7;
        }
        return size;
    }

    /// <summary>
    /// Makes sure the batch has its encoded bytes with its current writer id and sequence (encoding it on first send,
    /// rewriting the header when the sequence changed since). Runs outside the lock on a drained batch.
    /// </summary>
    public void EnsurePayload(WriteBatch drained, ArrowLogBatchBuilder encoder, short schemaId)
    {
        var batch = (ArrowWriteBatch)drained;
        if (!batch.HasPayload)
        {
            var bytes = encoder.BuildAppendOnly(batch.Builder!, new LogBatchHeader(schemaId, batch.WriterId, batch.Sequence));
            batch.SetPayload(bytes.Span, PayloadPool);
            ReturnBuilder(batch);
            return;
        }
        batch.Restamp(PayloadPool);
    }

    protected override void ReleaseBuilder(WriteBatch batch) => ReturnBuilder((ArrowWriteBatch)batch);

    public override void Dispose()
    {
        lock (_buildersLock)
        {
            _disposed = true;
            while (_builders.TryPop(out var b)) b.Dispose();
        }
        base.Dispose();
    }

    private ArrowBatchBuilder RentBuilder()
    {
        lock (_buildersLock)
        {
            if (_builders.TryPop(out var builder)) return builder;
        }
        return new ArrowBatchBuilder(_rowType);
    }

    private void ReturnBuilder(ArrowWriteBatch batch)
    {
        if (batch.TakeBuilder() is not { } builder) return;
        builder.Clear();
        lock (_buildersLock)
        {
            if (!_disposed && _builders.Count < 4)
            {
                _builders.Push(builder);
                return;
            }
        }
        builder.Dispose();
    }
}
