using System.Text.Json;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Grpc.Core;

namespace Fluss.Coordinator.Rpc;

/// <summary>The coordinator's admin writes and cluster control (the CoordinatorService of the contract).</summary>
internal sealed class CoordinatorGrpcService(CoordinatorEventProcessor processor) : CoordinatorService.CoordinatorServiceBase
{
    public override async Task<CreateDatabaseResponse> CreateDatabase(CreateDatabaseRequest request, ServerCallContext context)
    {
        TablePath.ValidateDatabaseName(request.DatabaseName);
        var descriptor = DatabaseDescriptor.Empty;
        if (request.HasDatabaseJson && !request.DatabaseJson.IsEmpty)
        {
            try
            {
                descriptor = DatabaseDescriptor.FromJson(request.DatabaseJson.Span);
            }
            catch (JsonException e)
            {
                throw FlussException.Create(FlussErrorCode.InvalidDatabase, $"Failed to parse the descriptor of database {request.DatabaseName}: {e.Message}");
            }
        }
        await processor.InvokeAsync(new CreateDatabaseEvent(request.DatabaseName, descriptor, request.IgnoreIfExists), context.CancellationToken).ConfigureAwait(false);
        return new CreateDatabaseResponse();
    }

    public override async Task<DropDatabaseResponse> DropDatabase(DropDatabaseRequest request, ServerCallContext context)
    {
        await processor.InvokeAsync(new DropDatabaseEvent(request.DatabaseName, request.IgnoreIfNotExists, request.Cascade), context.CancellationToken).ConfigureAwait(false);
        return new DropDatabaseResponse();
    }

    public override async Task<CreateTableResponse> CreateTable(CreateTableRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        path.Validate();
        var descriptor = ParseDescriptor(path, request.TableJson.Span);
        await processor.InvokeAsync(new CreateTableEvent(path, descriptor, request.IgnoreIfExists), context.CancellationToken).ConfigureAwait(false);
        return new CreateTableResponse();
    }

    public override async Task<DropTableResponse> DropTable(DropTableRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        await processor.InvokeAsync(new DropTableEvent(path, request.IgnoreIfNotExists), context.CancellationToken).ConfigureAwait(false);
        return new DropTableResponse();
    }

    public override async Task<InitWriterResponse> InitWriter(InitWriterRequest request, ServerCallContext context) =>
        new() { WriterId = await processor.NextWriterIdAsync(context.CancellationToken).ConfigureAwait(false) };

    public override async Task<RegisterTabletServerResponse> RegisterTabletServer(RegisterTabletServerRequest request, ServerCallContext context)
    {
        if (request.ServerId < 0)
            throw new InvalidConfigException($"Tablet server id {request.ServerId} is invalid; '{ConfigOptions.TabletServerId.Key}' must be 0 or more.");
        if (string.IsNullOrWhiteSpace(request.Host))
            throw new InvalidConfigException($"Tablet server {request.ServerId} registered without a host; it must send the host clients and servers connect to.");
        if (request.Port is < 1 or > 65535)
            throw new InvalidConfigException($"Tablet server {request.ServerId} registered with port {request.Port}; it must send its bound port (1 to 65535).");
        await processor.InvokeAsync(
            new RegisterTabletServerEvent(request.ServerId, request.Host, request.Port, request.HasRack ? request.Rack : null, request.RegisterTimestamp),
            context.CancellationToken).ConfigureAwait(false);
        return new RegisterTabletServerResponse
        {
            CoordinatorEpoch = processor.CoordinatorEpoch,
            SessionTimeoutMs = (int)processor.SessionTimeout.TotalMilliseconds,
        };
    }

    public override Task<TabletServerHeartbeatResponse> TabletServerHeartbeat(TabletServerHeartbeatRequest request, ServerCallContext context) =>
        Task.FromResult(new TabletServerHeartbeatResponse
        {
            CoordinatorEpoch = processor.CoordinatorEpoch,
            Registered = processor.Heartbeat(request.ServerId),
        });

    /// <summary>Reads <c>table_json</c>; anything wrong with it is an INVALID_TABLE error that names the table.</summary>
    internal static TableDescriptor ParseDescriptor(TablePath path, ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
            throw new InvalidTableException($"Cannot create table {path}: table_json is empty; it must hold the table descriptor JSON.");
        try
        {
            return TableDescriptor.FromJson(json);
        }
        catch (FlussException)
        {
            throw;
        }
        catch (JsonException e)
        {
            throw new InvalidTableException($"Failed to parse the table descriptor of {path}: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new InvalidTableException($"Invalid table descriptor of {path}: {e.Message}");
        }
    }
}

internal static class RequestPaths
{
    public static TablePath Of(PbTablePath? path) =>
        path is null
            ? throw new InvalidTableException("The request has no table_path; it must name the database and the table.")
            : new TablePath(path.DatabaseName, path.TableName);
}
