using Fluss.Rpc.Messages;
using Fluss.TabletServer.Replicas;
using Grpc.Core;

namespace Fluss.TabletServer.Services;

/// <summary>The gRPC TabletService: the data plane and the coordinator's replica control, over the replica manager.</summary>
internal sealed class TabletServiceImpl(ReplicaManager replicas) : TabletService.TabletServiceBase
{
    public override Task<ProduceLogResponse> ProduceLog(ProduceLogRequest request, ServerCallContext context) =>
        replicas.ProduceAsync(request, context.CancellationToken);

    public override Task<FetchLogResponse> FetchLog(FetchLogRequest request, ServerCallContext context)
    {
        // The records are sent straight from the read buffers, which the HTTP context releases after the response.
        var http = context.GetHttpContext();
        return replicas.FetchAsync(request, context.CancellationToken, http is null ? null : http.Response.RegisterForDispose);
    }

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
/// The read-only metadata service of a tablet server: GetMetadata and GetTableInfo from the metadata cache, so clients
/// can bootstrap from any server. The other read-only calls are the coordinator's and answer UNIMPLEMENTED here.
/// </summary>
internal sealed class TabletAdminReadOnlyServiceImpl(ReplicaManager replicas) : AdminReadOnlyService.AdminReadOnlyServiceBase
{
    public override Task<MetadataResponse> GetMetadata(MetadataRequest request, ServerCallContext context) =>
        Task.FromResult(replicas.MetadataCache.BuildMetadataResponse(request, replicas.ServerId));

    /// <summary>The table as the coordinator last announced it (UpdateMetadata), including altered options.</summary>
    public override Task<GetTableInfoResponse> GetTableInfo(GetTableInfoRequest request, ServerCallContext context)
    {
        if (request.TablePath is null)
            throw new Fluss.Errors.InvalidTableException("The request has no table_path; it must name the database and the table.");
        var path = new Fluss.Metadata.TablePath(request.TablePath.DatabaseName, request.TablePath.TableName);
        if (!replicas.MetadataCache.TryGetTable(path, out var table))
            throw new Fluss.Errors.TableNotExistException(
                $"Table {path} is not known to tablet server {replicas.ServerId}: it does not exist, or the coordinator has not announced it yet. Ask the coordinator, or retry shortly.");
        var proto = table.Proto;
        var response = new GetTableInfoResponse
        {
            TableId = proto.TableId,
            SchemaId = proto.SchemaId,
            TableJson = proto.TableJson,
            CreatedTime = proto.CreatedTime,
            ModifiedTime = proto.ModifiedTime,
        };
        if (proto.HasRemoteDataDir) response.RemoteDataDir = proto.RemoteDataDir;
        return Task.FromResult(response);
    }
}
