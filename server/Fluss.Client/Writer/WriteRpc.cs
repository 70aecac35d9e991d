using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rpc.Messages;
using Google.Protobuf;

namespace Fluss.Client.Writer;

/// <summary>One bucket's answer to a write request: an error, or the offset the server reported (-1 when absent).</summary>
internal readonly record struct BucketWriteResult(FlussException? Error, long Offset);

/// <summary>
/// What a writer's <see cref="Sender"/> does that depends on the kind of table: encoding a drained batch, and the
/// request that carries batches to a leader (ProduceLog for log tables, PutKv for primary-key tables).
/// </summary>
internal abstract class WriteRpc : IDisposable
{
    protected WriteRpc(FlussClientOptions options) => Options = options;

    protected FlussClientOptions Options { get; }

    protected int TimeoutMs => (int)Math.Min(int.MaxValue, Options.RequestTimeout.TotalMilliseconds);

    /// <summary>Encodes the batch on its first send, or re-stamps its writer state. Runs on the send loop.</summary>
    public abstract void EnsurePayload(WriteBatch batch);

    /// <summary>Sends the batches (one per bucket) of table <paramref name="tableId"/> to their leader.</summary>
    /// <returns>The result of each bucket the server answered for.</returns>
    /// <exception cref="FlussException">The whole request failed.</exception>
    public abstract Task<IReadOnlyDictionary<int, BucketWriteResult>> SendAsync(
        TabletService.TabletServiceClient client, ServerNode server, long tableId, IReadOnlyList<WriteBatch> batches, CancellationToken cancellationToken);

    public virtual void Dispose()
    {
    }

    /// <summary>The per-bucket results of a response (a bucket answered twice keeps its last answer).</summary>
    protected static Dictionary<int, BucketWriteResult> ByBucket<T>(IEnumerable<T> responses, Func<T, int> bucket, Func<T, BucketWriteResult> result)
    {
        var results = new Dictionary<int, BucketWriteResult>();
        foreach (var r in responses) results[bucket(r)] = result(r);
        return results;
    }
}

/// <summary>ProduceLog of ARROW LogRecordBatches, compressed with the table's Arrow compression.</summary>
internal sealed class ProduceLogRpc : WriteRpc
{
    private readonly ArrowRecordAccumulator _accumulator;
    private readonly ArrowLogBatchBuilder _encoder;
    private readonly short _schemaId;

    public ProduceLogRpc(FlussClientOptions options, TableInfo table, ArrowRecordAccumulator accumulator)
        : base(options)
    {
        _accumulator = accumulator;
        _schemaId = checked((short)table.SchemaId);
        var compression = table.TableConfig.ArrowCompression;
        _encoder = new ArrowLogBatchBuilder(compression.Type, compression.Level > 0 ? compression.Level : ArrowLogBatchBuilder.DefaultZstdLevel);
    }

    public override void EnsurePayload(WriteBatch batch) => _accumulator.EnsurePayload(batch, _encoder, _schemaId);

    public override async Task<IReadOnlyDictionary<int, BucketWriteResult>> SendAsync(
        TabletService.TabletServiceClient client, ServerNode server, long tableId, IReadOnlyList<WriteBatch> batches, CancellationToken cancellationToken)
    {
        var request = new ProduceLogRequest { Acks = Options.WriterAcks, TableId = tableId, TimeoutMs = TimeoutMs };
        foreach (var batch in batches)
            request.BucketsReq.Add(new PbProduceLogReqForBucket { BucketId = batch.Bucket, Records = UnsafeByteOperations.UnsafeWrap(batch.Payload) });
        var response = await RpcCall.InvokeAsync(o => client.ProduceLogAsync(request, o), server, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return ByBucket(response.BucketsResp, r => r.BucketId,
            r => new BucketWriteResult(RpcCall.BucketError(r.HasErrorCode, r.ErrorCode, r.HasErrorMessage, r.ErrorMessage), r.HasBaseOffset ? r.BaseOffset : -1));
    }

    public override void Dispose()
    {
        _encoder.Dispose();
        base.Dispose();
    }
}

/// <summary>PutKv of KvRecordBatches, with the writer's target columns (partial update) when it has them.</summary>
internal sealed class PutKvRpc : WriteRpc
{
    /// <summary>Fluss's MergeMode.DEFAULT: the table's merge engine applies.</summary>
    private const int DefaultMergeMode = 0;

    private readonly KvRecordAccumulator _accumulator;
    private readonly IReadOnlyList<int>? _targetColumns;

    public PutKvRpc(FlussClientOptions options, KvRecordAccumulator accumulator, IReadOnlyList<int>? targetColumns)
        : base(options)
    {
        _accumulator = accumulator;
        _targetColumns = targetColumns;
    }

    public override void EnsurePayload(WriteBatch batch) => _accumulator.EnsurePayload(batch);

    public override async Task<IReadOnlyDictionary<int, BucketWriteResult>> SendAsync(
        TabletService.TabletServiceClient client, ServerNode server, long tableId, IReadOnlyList<WriteBatch> batches, CancellationToken cancellationToken)
    {
        var request = new PutKvRequest { Acks = Options.WriterAcks, TableId = tableId, TimeoutMs = TimeoutMs, AggMode = DefaultMergeMode };
        if (_targetColumns is not null) request.TargetColumns.AddRange(_targetColumns);
        foreach (var batch in batches)
            request.BucketsReq.Add(new PbPutKvReqForBucket { BucketId = batch.Bucket, Records = UnsafeByteOperations.UnsafeWrap(batch.Payload) });
        var response = await RpcCall.InvokeAsync(o => client.PutKvAsync(request, o), server, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return ByBucket(response.BucketsResp, r => r.BucketId,
            r => new BucketWriteResult(RpcCall.BucketError(r.HasErrorCode, r.ErrorCode, r.HasErrorMessage, r.ErrorMessage), r.HasLogEndOffset ? r.LogEndOffset : -1));
    }
}
