using Microsoft.Extensions.Logging;

namespace Fluss.Client.Internal;

/// <summary>The client's log messages.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Debug, "Metadata request to {Server} failed: {Error}")]
    public static partial void MetadataRequestFailed(ILogger logger, string server, string error);

    [LoggerMessage(2, LogLevel.Debug, "Refreshed metadata from {Server}: coordinator {Coordinator}, {TabletServers} tablet servers, {Tables} tables")]
    public static partial void MetadataRefreshed(ILogger logger, string server, string coordinator, int tabletServers, int tables);

    [LoggerMessage(3, LogLevel.Warning, "Write of {Rows} rows to bucket {Bucket} of {Table} failed with {Error}; retrying (attempt {Attempt})")]
    public static partial void RetryingBatch(ILogger logger, int rows, int bucket, string table, string error, int attempt);

    [LoggerMessage(4, LogLevel.Warning, "Write of {Rows} rows to bucket {Bucket} of {Table} failed: {Error}")]
    public static partial void BatchFailed(ILogger logger, int rows, int bucket, string table, string error);

    [LoggerMessage(5, LogLevel.Information, "Writer id for {Table} is {WriterId}")]
    public static partial void WriterIdAssigned(ILogger logger, string table, long writerId);

    [LoggerMessage(6, LogLevel.Warning, "Getting a writer id for {Table} failed: {Error}")]
    public static partial void WriterIdFailed(ILogger logger, string table, string error);

    [LoggerMessage(7, LogLevel.Debug, "Fetch of {Table} from {Server} failed: {Error}")]
    public static partial void FetchFailed(ILogger logger, string table, string server, string error);

    [LoggerMessage(8, LogLevel.Error, "The writer's send loop for {Table} failed unexpectedly")]
    public static partial void SenderLoopFailed(ILogger logger, Exception error, string table);

    [LoggerMessage(9, LogLevel.Debug, "Admin request to {Server} failed, retrying: {Error}")]
    public static partial void AdminRetry(ILogger logger, string server, string error);

    [LoggerMessage(10, LogLevel.Error, "The lookup send loop failed unexpectedly")]
    public static partial void LookupLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(11, LogLevel.Warning, "Lookup of {Keys} keys in bucket {Bucket} of {Table} failed with {Error}; retrying")]
    public static partial void LookupRetry(ILogger logger, int keys, int bucket, string table, string error);
}
