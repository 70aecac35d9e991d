using Fluss.Errors;
using Microsoft.Extensions.Logging;

namespace Fluss.TabletServer;

/// <summary>The tablet server's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Tablet server {ServerId} serving on {Host}:{Port}, data in {DataDir}")]
    public static partial void Started(this ILogger logger, int serverId, string host, int port, string dataDir);

    [LoggerMessage(2, LogLevel.Information, "Tablet server {ServerId} stopped")]
    public static partial void Stopped(this ILogger logger, int serverId);

    [LoggerMessage(3, LogLevel.Information, "Loaded {Count} log tablets from {DataDir} (clean shutdown before: {Clean})")]
    public static partial void LogsLoaded(this ILogger logger, int count, string dataDir, bool clean);

    [LoggerMessage(10, LogLevel.Information, "Registered with the coordinator at {Address} (coordinator epoch {Epoch}, session timeout {SessionTimeoutMs} ms)")]
    public static partial void Registered(this ILogger logger, string address, int epoch, int sessionTimeoutMs);

    [LoggerMessage(11, LogLevel.Warning, "Registration with the coordinator at {Address} failed; retrying in {DelayMs} ms: {Reason}")]
    public static partial void RegistrationFailed(this ILogger logger, string address, long delayMs, string reason);

    [LoggerMessage(12, LogLevel.Warning, "The coordinator no longer knows tablet server {ServerId}; registering again")]
    public static partial void NotRegistered(this ILogger logger, int serverId);

    [LoggerMessage(13, LogLevel.Warning, "Heartbeat to the coordinator at {Address} failed: {Reason}")]
    public static partial void HeartbeatFailed(this ILogger logger, string address, string reason);

    [LoggerMessage(14, LogLevel.Information, "The coordinator epoch changed from {Old} to {New}; registering again")]
    public static partial void CoordinatorRestarted(this ILogger logger, int old, int @new);

    [LoggerMessage(20, LogLevel.Information, "Created replica of {Bucket} ({Path}): log start {LogStart}, high watermark {HighWatermark}, log end {LogEnd}")]
    public static partial void ReplicaCreated(this ILogger logger, string bucket, string path, long logStart, long highWatermark, long logEnd);

    [LoggerMessage(21, LogLevel.Information, "Became leader of {Bucket} at leader epoch {LeaderEpoch} (high watermark {HighWatermark}, log end {LogEnd})")]
    public static partial void BecameLeader(this ILogger logger, string bucket, int leaderEpoch, long highWatermark, long logEnd);

    [LoggerMessage(22, LogLevel.Information, "Became follower of {Bucket}: leader {Leader} at leader epoch {LeaderEpoch}")]
    public static partial void BecameFollower(this ILogger logger, string bucket, int leader, int leaderEpoch);

    [LoggerMessage(23, LogLevel.Warning, "Refused the leadership decision for {Bucket}: {Code} {Message}")]
    public static partial void LeaderAndIsrRefused(this ILogger logger, string bucket, FlussErrorCode code, string message);

    [LoggerMessage(24, LogLevel.Error, "Could not open the log of {Bucket}")]
    public static partial void ReplicaOpenFailed(this ILogger logger, string bucket, Exception exception);

    [LoggerMessage(25, LogLevel.Information, "Stopped replica of {Bucket} (delete data: {Delete})")]
    public static partial void ReplicaStopped(this ILogger logger, string bucket, bool delete);

    [LoggerMessage(26, LogLevel.Debug, "Metadata updated: {Servers} tablet servers, {Tables} tables updated, {Evicted} evicted")]
    public static partial void MetadataUpdated(this ILogger logger, int servers, int tables, int evicted);

    [LoggerMessage(27, LogLevel.Information, "Coordinator epoch moves from {Old} to {New}")]
    public static partial void CoordinatorEpochChanged(this ILogger logger, int old, int @new);

    [LoggerMessage(30, LogLevel.Debug, "Acknowledged a retried batch of {Bucket} with its original base offset {BaseOffset}")]
    public static partial void DuplicateBatch(this ILogger logger, string bucket, long baseOffset);

    [LoggerMessage(31, LogLevel.Warning, "Produce to {Bucket} failed: {Code} {Message}")]
    public static partial void ProduceFailed(this ILogger logger, string bucket, FlussErrorCode code, string message);

    [LoggerMessage(32, LogLevel.Error, "Append to {Bucket} failed on I/O")]
    public static partial void AppendIoFailed(this ILogger logger, string bucket, Exception exception);

    [LoggerMessage(33, LogLevel.Warning, "Fetch from {Bucket} failed: {Code} {Message}")]
    public static partial void FetchFailed(this ILogger logger, string bucket, FlussErrorCode code, string message);

    [LoggerMessage(34, LogLevel.Error, "Read of {Bucket} failed on I/O")]
    public static partial void ReadIoFailed(this ILogger logger, string bucket, Exception exception);

    [LoggerMessage(40, LogLevel.Information, "Retention deleted {Segments} expired log segments")]
    public static partial void RetentionDeleted(this ILogger logger, int segments);

    [LoggerMessage(41, LogLevel.Warning, "Background task {Task} failed")]
    public static partial void BackgroundTaskFailed(this ILogger logger, string task, Exception exception);

    [LoggerMessage(42, LogLevel.Debug, "Removed {Count} expired idempotent writers")]
    public static partial void WritersExpired(this ILogger logger, int count);

    [LoggerMessage(50, LogLevel.Warning, "PutKv to {Bucket} failed: {Code} {Message}")]
    public static partial void PutKvFailed(this ILogger logger, string bucket, FlussErrorCode code, string message);

    [LoggerMessage(51, LogLevel.Error, "KV store of {Bucket} failed")]
    public static partial void KvIoFailed(this ILogger logger, string bucket, Exception exception);

    [LoggerMessage(52, LogLevel.Warning, "{Operation} on {Bucket} failed: {Code} {Message}")]
    public static partial void LookupFailed(this ILogger logger, string operation, string bucket, FlussErrorCode code, string message);

    [LoggerMessage(53, LogLevel.Information, "Opened the KV tablet of {Bucket} from snapshot {SnapshotId} (log offset {SnapshotOffset}); flushed up to {Flushed}, log end {LogEnd}")]
    public static partial void KvTabletOpened(this ILogger logger, string bucket, long snapshotId, long snapshotOffset, long flushed, long logEnd);

    [LoggerMessage(54, LogLevel.Information, "KV snapshot {SnapshotId} of {Bucket} taken at log offset {LogOffset}")]
    public static partial void KvSnapshotTaken(this ILogger logger, string bucket, long snapshotId, long logOffset);

    [LoggerMessage(55, LogLevel.Warning, "KV snapshot of {Bucket} failed")]
    public static partial void KvSnapshotFailed(this ILogger logger, string bucket, Exception exception);
}
