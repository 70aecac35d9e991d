using Fluss.Rpc.Messages;
using Fluss.TabletServer.Replicas;
using Grpc.Core;

namespace Fluss.TabletServer.Services;

/// <summary>The gRPC TabletService: the data plane and the coordinator's replica control, over the replica manager.</summary>
internal sealed class TabletServiceImpl(ReplicaManager replicas) : TabletService.TabletServiceBase
{
    public override Task<ProduceLogResponse> ProduceLog(ProduceLogRequest request, ServerCallContext context) =>
        replicas.ProduceAsync(request, context.CancellationToken);

    public override Task<FetchLogResponse> FetchLog(FetchLogRequest request, ServerCallContext context) =>
        replicas.FetchAsync(request, context.CancellationToken);

    public override Task<ListOffsetsResponse> ListOffsets(ListOffsetsRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.ListOffsets(request));

    public override Task<PutKvResponse> PutKv(PutKvRequest request, ServerCallContext context) =>
        replicas.PutKvAsync(request, context.CancellationToken);

    public override Task<LookupResponse> Lookup(LookupRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.Lookup(request));

    public override Task<PrefixLookupResponse> PrefixLookup(PrefixLookupRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.PrefixLookup(request));

    public override Task<LimitScanResponse> LimitScan(LimitScanRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.LimitScan(request));

    public override Task<NotifyLeaderAndIsrResponse> NotifyLeaderAndIsr(NotifyLeaderAndIsrRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.BecomeLeaderOrFollower(request));

    public override Task<UpdateMetadataResponse> UpdateMetadata(UpdateMetadataRequest request, ServerCallContext context)
    {
        replicas.UpdateMetadata(request);
        return Task.FromResult(new UpdateMetadataResponse());
    }

    public override Task<StopReplicaResponse> StopReplica(StopReplicaRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.StopReplicas(request));
}

/// <summary>
/// The read-only metadata service of a tablet server: GetMetadata from the metadata cache, so clients can bootstrap
/// from any server. The other read-only calls are the coordinator's and answer UNIMPLEMENTED here.
/// </summary>
internal sealed class TabletAdminReadOnlyServiceImpl(ReplicaManager replicas) : AdminReadOnlyService.AdminReadOnlyServiceBase
{
    public override Task<MetadataResponse> GetMetadata(MetadataRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.MetadataCache.BuildMetadataResponse(request, replicas.ServerId));
}
