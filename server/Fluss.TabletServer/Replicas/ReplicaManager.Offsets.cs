using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;

namespace Fluss.TabletServer.Replicas;

internal sealed partial class ReplicaManager
{
    /// <summary>
    /// Answers ListOffsets per bucket: EARLIEST = log start offset, LATEST = high watermark for clients (log end
    /// offset for followers), TIMESTAMP = the first offset whose batch commit timestamp is at least the timestamp,
    /// or the high watermark when there is none (INVALID_TIMESTAMP for a timestamp in the future).
    /// </summary>
    public ListOffsetsResponse ListOffsets(ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        long? timestamp = request.HasStartTimestamp ? request.StartTimestamp : null;
        foreach (var bucketId in request.BucketId)
        {
            var result = new PbListOffsetsRespForBucket { BucketId = bucketId };
            var bucket = new TableBucket(request.TableId, request.HasPartitionId ? request.PartitionId : null, bucketId);
            try
            {
                result.Offset = GetReplicaOrThrow(bucket).GetOffset(request.OffsetType, timestamp, request.FollowerServerId);
            }
            catch (FlussException e)
            {
                result.ErrorCode = (int)e.ErrorCode;
                result.ErrorMessage = e.Message;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                result.ErrorCode = (int)FlussErrorCode.LogStorage;
                result.ErrorMessage = $"Error while reading the offsets of {bucket}: {e.Message}";
            }
            response.BucketsResp.Add(result);
        }
        return response;
    }
}
