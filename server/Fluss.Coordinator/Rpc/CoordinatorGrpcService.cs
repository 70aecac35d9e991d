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
    /// <summary>PbAlterConfig op_type SET.</summary>
    internal const int AlterConfigOpSet = 0;

    /// <summary>PbAlterConfig op_type DELETE (reset to the default).</summary>
    internal const int AlterConfigOpDelete = 1;

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
        await processor.CreateTableRequestAsync(path, descriptor, request.IgnoreIfExists, context.CancellationToken).ConfigureAwait(false);
        return new CreateTableResponse();
    }

    public override async Task<AlterTableResponse> AlterTable(AlterTableRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        path.Validate();
        var changes = new List<TableOptionChange>(request.ConfigChanges.Count);
        foreach (var change in request.ConfigChanges)
        {
            if (string.IsNullOrWhiteSpace(change.ConfigKey))
                throw new InvalidAlterTableException($"A change of table {path} has no config_key.");
            changes.Add(change.OpType switch
            {
                AlterConfigOpSet when change.HasConfigValue => new TableOptionChange(change.ConfigKey, change.ConfigValue),
                AlterConfigOpSet => throw new InvalidAlterTableException($"Setting '{change.ConfigKey}' of table {path} needs a config_value."),
                AlterConfigOpDelete => new TableOptionChange(change.ConfigKey, null),
                _ => throw new InvalidAlterTableException(
                    $"The change of '{change.ConfigKey}' of table {path} has op_type {change.OpType}; table options support only SET ({AlterConfigOpSet}) and DELETE ({AlterConfigOpDelete})."),
            });
        }
        await processor.AlterTableRequestAsync(path, changes, request.IgnoreIfNotExists, context.CancellationToken).ConfigureAwait(false);
        return new AlterTableResponse();
    }

    public override Task<GetLakeSnapshotResponse> GetLakeSnapshot(GetLakeSnapshotRequest request, ServerCallContext context)
    {
        var path = RequestPaths.Of(request.TablePath);
        return processor.GetLakeSnapshotAsync(path, request.HasSnapshotId ? request.SnapshotId : null, context.CancellationToken);
    }

    public override Task<LakeTieringHeartbeatResponse> LakeTieringHeartbeat(LakeTieringHeartbeatRequest request, ServerCallContext context) =>
        Task.FromResult(processor.LakeTieringHeartbeat(request));

    public override Task<PrepareLakeTableSnapshotResponse> PrepareLakeTableSnapshot(PrepareLakeTableSnapshotRequest request, ServerCallContext context) =>
        processor.PrepareLakeTableSnapshotAsync(request, context.CancellationToken);

    public override Task<CommitLakeTableSnapshotResponse> CommitLakeTableSnapshot(CommitLakeTableSnapshotRequest request, ServerCallContext context) =>
        processor.CommitLakeTableSnapshotAsync(request, context.CancellationToken);

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
