using Microsoft.Extensions.Logging;

namespace Fluss.MetadataStore.Embedded;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened metadata store at {Directory}: zxid {Zxid}, {Nodes} nodes, {Records} log records replayed")]
    public static partial void Opened(ILogger logger, string directory, long zxid, int nodes, int records);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Metadata log {File}: {Reason} at offset {Offset}; the uncommitted tail was cut off")]
    public static partial void TailTruncated(ILogger logger, string file, string reason, long offset);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Session 0x{SessionId:x} expired after {TimeoutMs} ms without a heartbeat; deleting {Ephemerals} ephemeral nodes")]
    public static partial void SessionExpired(ILogger logger, long sessionId, int timeoutMs, int ephemerals);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Closed {Count} sessions of the previous run and deleted their ephemeral nodes")]
    public static partial void RecoveredSessionsClosed(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A watcher of session 0x{SessionId:x} threw while handling {EventType} {Path}")]
    public static partial void WatcherFailed(ILogger logger, Exception exception, long sessionId, string eventType, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Writing a metadata snapshot failed; the log keeps every change and the snapshot will be retried")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Wrote metadata snapshot at zxid {Zxid} ({Nodes} nodes) and emptied the log")]
    public static partial void SnapshotWritten(ILogger logger, long zxid, int nodes);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Session expiry check failed")]
    public static partial void ExpiryCheckFailed(ILogger logger, Exception exception);
}
