using Microsoft.Extensions.Logging;

namespace Fluss.Tiering.Internal;

/// <summary>The tiering service's log messages.</summary>
internal static partial class TieringLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Tiering service {Server} started: bootstrap {Bootstrap}, lake {Format} at {Warehouse}, job storage {Storage}, {Workers} workers, poll every {Poll}")]
    public static partial void Started(ILogger logger, string server, string bootstrap, string format, string warehouse, TieringJobStorage storage, int workers, TimeSpan poll);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Tiering dashboard on {Url}")]
    public static partial void Dashboard(ILogger logger, Uri url);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Tiering service {Server} stopped")]
    public static partial void Stopped(ILogger logger, string server);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Claimed table {Table} (id {TableId}) with tiering epoch {Epoch}")]
    public static partial void Claimed(ILogger logger, Fluss.Metadata.TablePath table, long tableId, long epoch);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Asking the coordinator for a table to tier failed: {Error}")]
    public static partial void PollFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information,
        Message = "Tiered {Table} epoch {Epoch}: lake snapshot {SnapshotId}, {Rows} rows, {Bytes} bytes in {Files} files, {Buckets} buckets, {DurationMs} ms, lag {MinLagMs}..{MaxLagMs} ms{Partial}")]
    public static partial void Committed(ILogger logger, Fluss.Metadata.TablePath table, long epoch, long snapshotId, long rows, long bytes, int files, int buckets, long durationMs, long minLagMs, long maxLagMs, string partial);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Nothing new to tier in {Table} (epoch {Epoch})")]
    public static partial void NothingNew(ILogger logger, Fluss.Metadata.TablePath table, long epoch);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning,
        Message = "Registered lake snapshot {SnapshotId} of {Table} that an interrupted round committed to the lake but not to the coordinator (offsets {OffsetsPath})")]
    public static partial void Repaired(ILogger logger, Fluss.Metadata.TablePath table, long snapshotId, string offsetsPath);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Round of {Table} epoch {Epoch} lost the lake commit to another writer; its files were removed: {Error}")]
    public static partial void CommitConflict(ILogger logger, Fluss.Metadata.TablePath table, long epoch, string error);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "Round of {Table} epoch {Epoch} was fenced by a newer assignment: {Error}")]
    public static partial void Fenced(ILogger logger, Fluss.Metadata.TablePath table, long epoch, string error);

    [LoggerMessage(EventId = 25, Level = LogLevel.Error, Message = "Round of {Table} epoch {Epoch} failed")]
    public static partial void RoundFailed(ILogger logger, Exception error, Fluss.Metadata.TablePath table, long epoch);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "Heartbeat of {Table} epoch {Epoch} failed: {Error}")]
    public static partial void HeartbeatFailed(ILogger logger, Fluss.Metadata.TablePath table, long epoch, string error);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "Reporting the end of the round of {Table} epoch {Epoch} failed: {Error}")]
    public static partial void ReportFailed(ILogger logger, Fluss.Metadata.TablePath table, long epoch, string error);

    [LoggerMessage(EventId = 28, Level = LogLevel.Warning,
        Message = "Lake snapshot {SnapshotId} of {Table} is committed but the coordinator did not record it ({Error}); the next round registers it")]
    public static partial void CoordinatorCommitFailed(ILogger logger, Fluss.Metadata.TablePath table, long snapshotId, string error);

    [LoggerMessage(EventId = 29, Level = LogLevel.Information, Message = "Round of {Table} epoch {Epoch} stopped with the service")]
    public static partial void Cancelled(ILogger logger, Fluss.Metadata.TablePath table, long epoch);
}
