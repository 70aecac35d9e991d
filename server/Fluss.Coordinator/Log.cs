using Microsoft.Extensions.Logging;

namespace Fluss.Coordinator;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Coordinator started at {Endpoint} with coordinator epoch {Epoch}: {Databases} databases, {Tables} tables loaded")]
    public static partial void Started(ILogger logger, ServerNode endpoint, int epoch, int databases, int tables);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Coordinator event {Event} failed")]
    public static partial void EventFailed(ILogger logger, Exception exception, string @event);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Tablet server {ServerId} registered at {Host}:{Port} (rack {Rack})")]
    public static partial void ServerRegistered(ILogger logger, int serverId, string host, int port, string? rack);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Tablet server {ServerId} is dead ({Reason}); {Changed} buckets changed leader or ISR")]
    public static partial void ServerDead(ILogger logger, int serverId, string reason, int changed);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Sending {What} to tablet server {ServerId} failed (attempt {Attempt}): {Detail}; retrying")]
    public static partial void SendRetrying(ILogger logger, string what, int serverId, int attempt, string detail);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Sending {What} to tablet server {ServerId} failed after {Attempts} attempts; it is sent again on the next relevant event")]
    public static partial void SendFailed(ILogger logger, Exception exception, string what, int serverId, int attempts);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Tablet server {ServerId} reported error {Code} for {What} of bucket {Bucket} of table {TableId}: {Message}")]
    public static partial void BucketError(ILogger logger, int serverId, int code, string what, int bucket, long tableId, string message);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Created table {Path} with id {TableId}, {Buckets} buckets, replication factor {ReplicationFactor}")]
    public static partial void TableCreated(ILogger logger, Fluss.Metadata.TablePath path, long tableId, int buckets, int replicationFactor);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Dropped table {Path} (id {TableId}); deleting its replicas")]
    public static partial void TableDropped(ILogger logger, Fluss.Metadata.TablePath path, long tableId);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "All replicas of dropped table {TableId} are deleted")]
    public static partial void TableDeletionCompleted(ILogger logger, long tableId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The table {TableId} has no assignment in the metadata store; it is served without buckets")]
    public static partial void MissingAssignment(ILogger logger, long tableId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The coordinator's metadata store session expired; opening a new one")]
    public static partial void CoordinatorSessionExpired(ILogger logger);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Created the default database '{Database}' because no database exists")]
    public static partial void DefaultDatabaseCreated(ILogger logger, string database);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Coordinator stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Lake table {Path} ({TableId}) is no longer tiered")]
    public static partial void LakeTableRemoved(ILogger logger, Fluss.Metadata.TablePath path, long tableId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Lake table {Path} ({TableId}) handed out for tiering with tiering epoch {Epoch}")]
    public static partial void TableAssigned(ILogger logger, Fluss.Metadata.TablePath path, long tableId, long epoch);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information,
        Message = "Lake table {Path} ({TableId}) tiered in round {Epoch} in {DurationMs} ms (file size {FileSize}, records {RecordCount}, force-finished {Forced})")]
    public static partial void TableTiered(ILogger logger, Fluss.Metadata.TablePath path, long tableId, long epoch, long durationMs, long fileSize, long recordCount, bool forced);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning,
        Message = "The tiering service of lake table {Path} ({TableId}) sent no heartbeat for round {Epoch} within {TimeoutMs} ms; the table is pending again")]
    public static partial void TieringServiceTimedOut(ILogger logger, Fluss.Metadata.TablePath path, long tableId, long epoch, double timeoutMs);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "Lake table {TableId} cannot change tiering state from {From} to {To}")]
    public static partial void InvalidTieringTransition(ILogger logger, long tableId, Fluss.Coordinator.Lake.TieringState from, Fluss.Coordinator.Lake.TieringState to);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "Lake snapshot {SnapshotId} of table {Path} ({TableId}) committed{Repair}")]
    public static partial void LakeSnapshotCommitted(ILogger logger, Fluss.Metadata.TablePath path, long tableId, long snapshotId, string repair);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "The lake snapshots of table {TableId} cannot be loaded from {Path}: {Detail}")]
    public static partial void LakeTableLoadFailed(ILogger logger, long tableId, string path, string detail);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "Deleting the discarded lake offsets file {Path} failed: {Detail}")]
    public static partial void OffsetsFileDeleteFailed(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 28, Level = LogLevel.Information, Message = "Altered table {Path} ({TableId}): {Changes}")]
    public static partial void TableAltered(ILogger logger, Fluss.Metadata.TablePath path, long tableId, string changes);
}
