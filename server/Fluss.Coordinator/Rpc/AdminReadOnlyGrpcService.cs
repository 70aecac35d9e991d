using System.Globalization;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Google.Protobuf;
using Grpc.Core;

namespace Fluss.Coordinator.Rpc;

/// <summary>Read-only metadata answered from the coordinator's cluster view (the AdminReadOnlyService of the contract).</summary>
internal sealed class AdminReadOnlyGrpcService(CoordinatorEventProcessor processor) : AdminReadOnlyService.AdminReadOnlyServiceBase
{
    public override Task<MetadataResponse> GetMetadata(MetadataRequest request, ServerCallContext context)
    {
        var paths = request.TablePath.Select(RequestPaths.Of).ToList();
        if (request.PartitionsPath.Count > 0 || request.PartitionsId.Count > 0)
        {
            var what = request.PartitionsPath.Count > 0
                ? $"{request.PartitionsPath[0].DatabaseName}.{request.PartitionsPath[0].TableName}(p={request.PartitionsPath[0].PartitionName})"
                : "id " + request.PartitionsId[0].ToString(CultureInfo.InvariantCulture);
            throw FlussException.Create(FlussErrorCode.PartitionNotExists, $"Partition {what} does not exist; partitioned tables are not supported yet.");
        }
        return processor.QueryAsync(ctx =>
        {
            var response = new MetadataResponse { CoordinatorServer = RpcMessages.ToPb(ctx.CoordinatorNode) };
            response.TabletServers.AddRange(ctx.LiveServers.Values.Select(s => RpcMessages.ToPb(s.Node)));
            foreach (var path in paths)
                response.TableMetadata.Add(RpcMessages.TableMetadata(TableOf(ctx, path), ctx));
            return response;
        }, context.CancellationToken);
    }

    public override Task<ListDatabasesResponse> ListDatabases(ListDatabasesRequest request, ServerCallContext context) =>
        processor.QueryAsync(ctx =>
        {
            var response = new ListDatabasesResponse();
            foreach (var (name, db) in ctx.Databases.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                response.DatabaseName.Add(name);
                response.DatabaseSummary.Add(new PbDatabaseSummary { DatabaseName = name, CreatedTime = db.CreatedTime, TableCount = ctx.TablesOf(name).Count() });
            }
            return response;
        }, context.CancellationToken);

    public override Task<DatabaseExistsResponse> DatabaseExists(DatabaseExistsRequest request, ServerCallContext context) =>
        processor.QueryAsync(ctx => new DatabaseExistsResponse { Exists = ctx.Databases.ContainsKey(request.DatabaseName) }, context.CancellationToken);

    public override Task<GetDatabaseInfoResponse> GetDatabaseInfo(GetDatabaseInfoRequest request, ServerCallContext context) =>
        processor.QueryAsync(ctx =>
        {
            if (!ctx.Databases.TryGetValue(request.DatabaseName, out var db))
                throw new DatabaseNotExistException($"Database {request.DatabaseName} does not exist.");
            return new GetDatabaseInfoResponse
            {
                DatabaseJson = ByteString.CopyFrom(db.ToDescriptor().ToJsonBytes()),
                CreatedTime = db.CreatedTime,
                ModifiedTime = db.ModifiedTime,
            };
        }, context.CancellationToken);

    public override Task<ListTablesResponse> ListTables(ListTablesRequest request, ServerCallContext context) =>
        processor.QueryAsync(ctx =>
        {
            if (!ctx.Databases.ContainsKey(request.DatabaseName))
                throw new DatabaseNotExistException($"Database {request.DatabaseName} does not exist.");
            var response = new ListTablesResponse();
            response.TableName.AddRange(ctx.TablesOf(request.DatabaseName).Select(t => t.Path.TableName).Order(StringComparer.Ordinal));
            return response;
        }, context.CancellationToken);

    public override Task<TableExistsResponse> TableExists(TableExistsRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        return processor.QueryAsync(ctx => new TableExistsResponse { Exists = ctx.Tables.ContainsKey(path) }, context.CancellationToken);
    }

    public override Task<GetTableInfoResponse> GetTableInfo(GetTableInfoRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        return processor.QueryAsync(ctx =>
        {
            var table = TableOf(ctx, path);
            var response = new GetTableInfoResponse
            {
                TableId = table.TableId,
                SchemaId = table.LatestSchemaId,
                TableJson = ByteString.CopyFrom(WithLakeLocation(table.Info, table.TableJson)),
                CreatedTime = table.Registration.CreatedTime,
                ModifiedTime = table.Registration.ModifiedTime,
            };
            if (table.Registration.RemoteDataDir is { } dir) response.RemoteDataDir = dir;
            return response;
        }, context.CancellationToken);
    }

    /// <summary>
    /// As Fluss does, a lake table's info names where its lake is (<c>table.datalake.{format}.warehouse</c>), so that
    /// readers of the lake (union reads, SQL) need nothing but the cluster's address. Not stored with the table.
    /// </summary>
    private byte[] WithLakeLocation(TableInfo info, byte[] tableJson)
    {
        if (processor.Lake is not { } lake || !info.TableConfig.IsDataLakeEnabled) return tableJson;
        var key = $"table.datalake.{lake.Format}.warehouse";
        if (info.Properties.ContainsKey(key)) return tableJson;
        var descriptor = info.ToTableDescriptor();
        return descriptor.WithProperties(descriptor.Properties.Append(new KeyValuePair<string, string>(key, lake.Warehouse))).ToJsonBytes();
    }

    public override Task<GetTableSchemaResponse> GetTableSchema(GetTableSchemaRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        int? schemaId = request.HasSchemaId ? request.SchemaId : null;
        return processor.QueryAsync(ctx =>
        {
            var table = TableOf(ctx, path);
            var id = schemaId ?? table.LatestSchemaId;
            if (!table.Schemas.TryGetValue(id, out var schema))
                throw FlussException.Create(FlussErrorCode.SchemaNotExist,
                    $"Schema for table {path} with schema id {id} does not exist; the table has schema ids [{string.Join(", ", table.Schemas.Keys)}].");
            return new GetTableSchemaResponse { SchemaId = id, SchemaJson = ByteString.CopyFrom(schema.ToJsonBytes()) };
        }, context.CancellationToken);
    }

    private static TableState TableOf(CoordinatorContext ctx, TablePath path) =>
        ctx.Tables.TryGetValue(path, out var table)
            ? table
            : throw new TableNotExistException($"Table {path} does not exist.");
}
