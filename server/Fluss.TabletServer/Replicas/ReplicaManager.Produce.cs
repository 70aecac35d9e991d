using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.Storage.Log;

namespace Fluss.TabletServer.Replicas;

internal sealed partial class ReplicaManager
{
    /// <summary>
    /// Appends each bucket's batches to its leader replica. acks 0 and 1 answer after the append; acks -1 answers
    /// once the high watermark has passed every appended batch (at once with one replica), or with
    /// REQUEST_TIME_OUT for the buckets still behind after <c>timeout_ms</c>. Failures are reported per bucket and
    /// leave that bucket's log untouched.
    /// </summary>
    /// <exception cref="FlussException">INVALID_REQUIRED_ACKS when acks is not -1, 0 or 1.</exception>
    public async Task<ProduceLogResponse> ProduceAsync(ProduceLogRequest request, CancellationToken cancellationToken)
    {
        if (request.Acks is not (-1 or 0 or 1))
            throw new FlussException(FlussErrorCode.InvalidRequiredAcks, $"Invalid required acks {request.Acks}: use 0 (none), 1 (leader) or -1 (all in-sync replicas).");

        var results = new PbProduceLogRespForBucket[request.BucketsReq.Count];
        var pending = request.Acks == -1 ? new List<(int Index, Replica Replica, long RequiredOffset)>() : null;
        for (var i = 0; i < request.BucketsReq.Count; i++)
        {
            var bucketReq = request.BucketsReq[i];
            var result = new PbProduceLogRespForBucket { BucketId = bucketReq.BucketId };
            if (bucketReq.HasPartitionId) result.PartitionId = bucketReq.PartitionId;
            results[i] = result;
            var bucket = new TableBucket(request.TableId, bucketReq.HasPartitionId ? bucketReq.PartitionId : null, bucketReq.BucketId);
            try
            {
                var replica = GetReplicaOrThrow(bucket);
                var info = replica.AppendAsLeader(bucketReq.Records.Memory, request.Acks);
                result.BaseOffset = info.FirstOffset;
                if (info.IsDuplicate) _logger.DuplicateBatch(bucket.ToString(), info.FirstOffset);
                if (pending is not null && info.LastOffset >= info.FirstOffset)
                    pending.Add((i, replica, info.LastOffset + 1));
            }
            catch (FlussException e)
            {
                SetError(result, e.ErrorCode, e.Message);
                if (IsUnexpected(e.ErrorCode)) _logger.ProduceFailed(bucket.ToString(), e.ErrorCode, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                SetError(result, FlussErrorCode.LogStorage, $"Error while appending records to {bucket}: {e.Message}");
                _logger.AppendIoFailed(bucket.ToString(), e);
            }
            catch (ObjectDisposedException)
            {
                SetError(result, FlussErrorCode.NotLeaderOrFollower, $"The replica of {bucket} was stopped during the append.");
            }
        }

        if (pending is { Count: > 0 })
            await AwaitCommitAsync(pending, results, TimeSpan.FromMilliseconds(Math.Max(0, request.TimeoutMs)), cancellationToken).ConfigureAwait(false);

        var response = new ProduceLogResponse();
        response.BucketsResp.AddRange(results);
        return response;
    }

    /// <summary>The delayed write of acks=-1: completes when every bucket's high watermark has passed its batches.</summary>
    private async Task AwaitCommitAsync(List<(int Index, Replica Replica, long RequiredOffset)> pending, PbProduceLogRespForBucket[] results, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outcome = await WaitForCommitAsync(pending, timeout, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < pending.Count; i++)
        {
            var result = results[pending[i].Index];
            switch (outcome[i])
            {
                case null:
                    result.ClearBaseOffset();
                    SetError(result, FlussErrorCode.RequestTimeOut,
                        $"The records of {pending[i].Replica.Bucket} were appended by the leader but not replicated to the in-sync replicas within {timeout.TotalMilliseconds} ms.");
                    break;
                case FlussErrorCode.None:
                    break;
                case { } error:
                    result.ClearBaseOffset();
                    SetError(result, error, error == FlussErrorCode.NotLeaderOrFollower
                        ? $"The leadership of {pending[i].Replica.Bucket} moved before the records were committed."
                        : $"The records of {pending[i].Replica.Bucket} were committed with fewer in-sync replicas than required.");
                    break;
            }
        }
    }

    /// <summary>
    /// Waits until every pending write has reached its required offset on enough in-sync replicas, or until
    /// <paramref name="timeout"/>. Returns, per pending write, the outcome of the check (None when committed), or
    /// null when it was still waiting at the timeout.
    /// </summary>
    private async Task<FlussErrorCode?[]> WaitForCommitAsync(
        List<(int Index, Replica Replica, long RequiredOffset)> pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        var outcome = new FlussErrorCode?[pending.Count];
        bool AllDone()
        {
            var done = true;
            for (var i = 0; i < pending.Count; i++)
            {
                if (outcome[i] is not null) continue;
                var (ready, error) = pending[i].Replica.CheckEnoughReplicasReachOffset(pending[i].RequiredOffset);
                if (ready) outcome[i] = error;
                else done = false;
            }
            return done;
        }
        IReadOnlyList<Task> Signals() => pending.Select(p => p.Replica.Changed.WaitTask).ToArray();

        await SignalWait.WaitUntilAsync(AllDone, Signals, timeout, _time, linked.Token).ConfigureAwait(false);
        return outcome;
    }

    private static void SetError(PbProduceLogRespForBucket result, FlussErrorCode code, string message)
    {
        result.ErrorCode = (int)code;
        result.ErrorMessage = message;
    }

    /// <summary>Errors that are part of normal operation and are not logged as failures.</summary>
    private static bool IsUnexpected(FlussErrorCode code) =>
        code is not (FlussErrorCode.UnknownTableOrBucket or FlussErrorCode.NotLeaderOrFollower or FlussErrorCode.LogOffsetOutOfRange);
}
