namespace Fluss.Errors;

/// <summary>The one table of error facts: code, default message, whether a client may retry.</summary>
public static class FlussErrors
{
    private static readonly Dictionary<FlussErrorCode, (string Message, bool Retriable)> s_table = new()
    {
        [FlussErrorCode.UnknownServerError] = ("The server experienced an unexpected error when processing the request.", false),
        [FlussErrorCode.None] = ("No error.", false),
        [FlussErrorCode.Network] = ("The server disconnected before a response was received.", true),
        [FlussErrorCode.UnsupportedVersion] = ("The version of API is not supported.", false),
        [FlussErrorCode.CorruptMessage] = ("This message has failed its CRC checksum, exceeds the valid size, has a null key for a primary key table, or is otherwise corrupt.", true),
        [FlussErrorCode.DatabaseNotExist] = ("The database does not exist.", false),
        [FlussErrorCode.DatabaseNotEmpty] = ("The database is not empty.", false),
        [FlussErrorCode.DatabaseAlreadyExist] = ("The database already exists.", false),
        [FlussErrorCode.TableNotExist] = ("The table does not exist.", false),
        [FlussErrorCode.TableAlreadyExist] = ("The table already exists.", false),
        [FlussErrorCode.SchemaNotExist] = ("The schema does not exist.", true),
        [FlussErrorCode.LogStorage] = ("Exception occurred while storing log data in the server.", false),
        [FlussErrorCode.KvStorage] = ("Exception occurred while storing kv data in the server.", false),
        [FlussErrorCode.NotLeaderOrFollower] = ("Not leader or follower.", true),
        [FlussErrorCode.RecordTooLarge] = ("The record is too large.", false),
        [FlussErrorCode.CorruptRecord] = ("The record is corrupt.", true),
        [FlussErrorCode.InvalidTable] = ("The client has attempted to perform an operation on an invalid table.", false),
        [FlussErrorCode.InvalidDatabase] = ("The client has attempted to perform an operation on an invalid database.", false),
        [FlussErrorCode.InvalidReplicationFactor] = ("The replication factor is larger than the number of available tablet servers.", false),
        [FlussErrorCode.InvalidRequiredAcks] = ("Produce request specified an invalid value for required acks.", false),
        [FlussErrorCode.LogOffsetOutOfRange] = ("The log offset is out of range.", false),
        [FlussErrorCode.NonPrimaryKeyTable] = ("The table is not a primary key table.", false),
        [FlussErrorCode.UnknownTableOrBucket] = ("The table or bucket does not exist.", true),
        [FlussErrorCode.InvalidUpdateVersion] = ("The update version is invalid.", false),
        [FlussErrorCode.InvalidCoordinator] = ("The coordinator is invalid.", false),
        [FlussErrorCode.FencedLeaderEpoch] = ("The leader epoch is invalid.", false),
        [FlussErrorCode.RequestTimeOut] = ("The request timed out.", true),
        [FlussErrorCode.Storage] = ("The general storage exception.", true),
        [FlussErrorCode.OperationNotAttempted] = ("The server did not attempt to execute this operation.", false),
        [FlussErrorCode.NotEnoughReplicasAfterAppend] = ("Records are written to the server already, but to fewer in-sync replicas than required.", true),
        [FlussErrorCode.NotEnoughReplicas] = ("Messages are rejected since there are fewer in-sync replicas than required.", true),
        [FlussErrorCode.SecurityToken] = ("Getting the file access security token failed.", false),
        [FlussErrorCode.OutOfOrderSequence] = ("The tablet server received an out of order sequence batch.", false),
        [FlussErrorCode.DuplicateSequence] = ("The tablet server received a duplicate sequence batch.", false),
        [FlussErrorCode.UnknownWriterId] = ("The tablet server could not locate the writer metadata.", false),
        [FlussErrorCode.InvalidColumnProjection] = ("The requested column projection is invalid.", false),
        [FlussErrorCode.InvalidTargetColumn] = ("The requested target column to write is invalid.", false),
        [FlussErrorCode.PartitionNotExists] = ("The partition does not exist.", false),
        [FlussErrorCode.TableNotPartitioned] = ("The table is not partitioned.", false),
        [FlussErrorCode.InvalidTimestamp] = ("The timestamp is invalid.", false),
        [FlussErrorCode.InvalidConfig] = ("The config is invalid.", false),
        [FlussErrorCode.LakeStorageNotConfigured] = ("The lake storage is not configured.", false),
        [FlussErrorCode.KvSnapshotNotExist] = ("The kv snapshot does not exist.", false),
        [FlussErrorCode.PartitionAlreadyExists] = ("The partition already exists.", false),
        [FlussErrorCode.PartitionSpecInvalid] = ("The partition spec is invalid.", false),
        [FlussErrorCode.LeaderNotAvailable] = ("There is no currently available leader for the given partition.", true),
        [FlussErrorCode.PartitionMaxNum] = ("Exceeded the maximum number of partitions.", false),
        [FlussErrorCode.Authenticate] = ("Authentication failed.", false),
        [FlussErrorCode.SecurityDisabled] = ("Security is disabled.", false),
        [FlussErrorCode.Authorization] = ("Authorization failed.", false),
        [FlussErrorCode.BucketMaxNum] = ("Exceeded the maximum number of buckets.", false),
        [FlussErrorCode.FencedTieringEpoch] = ("The tiering epoch is invalid.", false),
        [FlussErrorCode.RetriableAuthenticate] = ("Authentication failed with a retriable exception.", true),
        [FlussErrorCode.InvalidServerRackInfo] = ("The server rack info is invalid.", false),
        [FlussErrorCode.LakeSnapshotNotExist] = ("The lake snapshot does not exist.", false),
        [FlussErrorCode.LakeTableAlreadyExist] = ("The lake table already exists.", false),
        [FlussErrorCode.IneligibleReplica] = ("The new ISR contains at least one ineligible replica.", false),
        [FlussErrorCode.InvalidAlterTable] = ("The alter table is invalid.", false),
        [FlussErrorCode.DeletionDisabled] = ("Deletion operations are disabled on this table.", false),
        [FlussErrorCode.ServerNotExist] = ("The server does not exist.", false),
        [FlussErrorCode.ServerTagAlreadyExist] = ("The server tag already exists.", false),
        [FlussErrorCode.ServerTagNotExist] = ("The server tag does not exist.", false),
        [FlussErrorCode.RebalanceFailure] = ("The rebalance task failed.", false),
        [FlussErrorCode.NoRebalanceInProgress] = ("No rebalance task in progress.", false),
        [FlussErrorCode.InvalidProducerId] = ("The client has attempted to perform an operation with an invalid producer ID.", false),
        [FlussErrorCode.Config] = ("A configuration error occurred.", false),
        [FlussErrorCode.NotCoordinatorLeader] = ("The coordinator is not a leader and cannot process the request.", false),
        [FlussErrorCode.ScannerExpired] = ("The scanner session has expired due to inactivity.", false),
        [FlussErrorCode.UnknownScannerId] = ("The scanner id is not recognized by the server.", false),
        [FlussErrorCode.InvalidScanRequest] = ("The scan request is invalid.", false),
        [FlussErrorCode.TooManyScanners] = ("The per-bucket or per-server scanner session limit has been reached.", false),
        [FlussErrorCode.DiskWriteLocked] = ("The tablet server has rejected writes because its data disk usage reached the configured write-limit ratio.", true),
        [FlussErrorCode.InsufficientKvLeaderReplicaCapacity] = ("The cluster does not have enough KV leader replica capacity.", false),
        [FlussErrorCode.StorageBackpressure] = ("The tablet server has rejected the write because the KV storage engine has reached its write-pressure threshold.", true),
        [FlussErrorCode.HistoricalPartitionThrottled] = ("Historical partition request is throttled because too many historical requests are in flight.", true),
    };

    /// <summary>Every code Fluss defines.</summary>
    public static IEnumerable<FlussErrorCode> All => s_table.Keys;

    /// <summary>True when a client may retry the request that failed with this code (after refreshing metadata where relevant).</summary>
    public static bool IsRetriable(FlussErrorCode code) => s_table.TryGetValue(code, out var e) && e.Retriable;

    /// <summary>The default message of the code.</summary>
    public static string DefaultMessage(FlussErrorCode code) => s_table.TryGetValue(code, out var e) ? e.Message : $"Unknown error code {(int)code}.";

    /// <summary>Maps a numeric code from the wire to the enum; unknown numbers become <see cref="FlussErrorCode.UnknownServerError"/>.</summary>
    public static FlussErrorCode FromCode(int code) => Enum.IsDefined(typeof(FlussErrorCode), code) ? (FlussErrorCode)code : FlussErrorCode.UnknownServerError;

}
