namespace Fluss.Errors;

/// <summary>Fluss's numeric error codes, as carried on the wire (values are Fluss's own).</summary>
public enum FlussErrorCode
{
    /// <summary>The server experienced an unexpected error when processing the request.</summary>
    UnknownServerError = -1,

    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The server disconnected before a response was received.</summary>
    Network = 1,

    /// <summary>The version of API is not supported.</summary>
    UnsupportedVersion = 2,

    /// <summary>This message has failed its CRC checksum, exceeds the valid size, has a null key for a primary key table, or is otherwise corrupt.</summary>
    CorruptMessage = 3,

    /// <summary>The database does not exist.</summary>
    DatabaseNotExist = 4,

    /// <summary>The database is not empty.</summary>
    DatabaseNotEmpty = 5,

    /// <summary>The database already exists.</summary>
    DatabaseAlreadyExist = 6,

    /// <summary>The table does not exist.</summary>
    TableNotExist = 7,

    /// <summary>The table already exists.</summary>
    TableAlreadyExist = 8,

    /// <summary>The schema does not exist.</summary>
    SchemaNotExist = 9,

    /// <summary>Exception occurred while storing log data in the server.</summary>
    LogStorage = 10,

    /// <summary>Exception occurred while storing kv data in the server.</summary>
    KvStorage = 11,

    /// <summary>Not leader or follower.</summary>
    NotLeaderOrFollower = 12,

    /// <summary>The record is too large.</summary>
    RecordTooLarge = 13,

    /// <summary>The record is corrupt.</summary>
    CorruptRecord = 14,

    /// <summary>The client has attempted to perform an operation on an invalid table.</summary>
    InvalidTable = 15,

    /// <summary>The client has attempted to perform an operation on an invalid database.</summary>
    InvalidDatabase = 16,

    /// <summary>The replication factor is larger than the number of available tablet servers.</summary>
    InvalidReplicationFactor = 17,

    /// <summary>Produce request specified an invalid value for required acks.</summary>
    InvalidRequiredAcks = 18,

    /// <summary>The log offset is out of range.</summary>
    LogOffsetOutOfRange = 19,

    /// <summary>The table is not a primary key table.</summary>
    NonPrimaryKeyTable = 20,

    /// <summary>The table or bucket does not exist.</summary>
    UnknownTableOrBucket = 21,

    /// <summary>The update version is invalid.</summary>
    InvalidUpdateVersion = 22,

    /// <summary>The coordinator is invalid.</summary>
    InvalidCoordinator = 23,

    /// <summary>The leader epoch is invalid.</summary>
    FencedLeaderEpoch = 24,

    /// <summary>The request timed out.</summary>
    RequestTimeOut = 25,

    /// <summary>The general storage exception.</summary>
    Storage = 26,

    /// <summary>The server did not attempt to execute this operation.</summary>
    OperationNotAttempted = 27,

    /// <summary>Records are written to the server already, but to fewer in-sync replicas than required.</summary>
    NotEnoughReplicasAfterAppend = 28,

    /// <summary>Messages are rejected since there are fewer in-sync replicas than required.</summary>
    NotEnoughReplicas = 29,

    /// <summary>Getting the file access security token failed.</summary>
    SecurityToken = 30,

    /// <summary>The tablet server received an out of order sequence batch.</summary>
    OutOfOrderSequence = 31,

    /// <summary>The tablet server received a duplicate sequence batch.</summary>
    DuplicateSequence = 32,

    /// <summary>The tablet server could not locate the writer metadata.</summary>
    UnknownWriterId = 33,

    /// <summary>The requested column projection is invalid.</summary>
    InvalidColumnProjection = 34,

    /// <summary>The requested target column to write is invalid.</summary>
    InvalidTargetColumn = 35,

    /// <summary>The partition does not exist.</summary>
    PartitionNotExists = 36,

    /// <summary>The table is not partitioned.</summary>
    TableNotPartitioned = 37,

    /// <summary>The timestamp is invalid.</summary>
    InvalidTimestamp = 38,

    /// <summary>The config is invalid.</summary>
    InvalidConfig = 39,

    /// <summary>The lake storage is not configured.</summary>
    LakeStorageNotConfigured = 40,

    /// <summary>The kv snapshot does not exist.</summary>
    KvSnapshotNotExist = 41,

    /// <summary>The partition already exists.</summary>
    PartitionAlreadyExists = 42,

    /// <summary>The partition spec is invalid.</summary>
    PartitionSpecInvalid = 43,

    /// <summary>There is no currently available leader for the given partition.</summary>
    LeaderNotAvailable = 44,

    /// <summary>Exceeded the maximum number of partitions.</summary>
    PartitionMaxNum = 45,

    /// <summary>Authentication failed.</summary>
    Authenticate = 46,

    /// <summary>Security is disabled.</summary>
    SecurityDisabled = 47,

    /// <summary>Authorization failed.</summary>
    Authorization = 48,

    /// <summary>Exceeded the maximum number of buckets.</summary>
    BucketMaxNum = 49,

    /// <summary>The tiering epoch is invalid.</summary>
    FencedTieringEpoch = 50,

    /// <summary>Authentication failed with a retriable exception.</summary>
    RetriableAuthenticate = 51,

    /// <summary>The server rack info is invalid.</summary>
    InvalidServerRackInfo = 52,

    /// <summary>The lake snapshot does not exist.</summary>
    LakeSnapshotNotExist = 53,

    /// <summary>The lake table already exists.</summary>
    LakeTableAlreadyExist = 54,

    /// <summary>The new ISR contains at least one ineligible replica.</summary>
    IneligibleReplica = 55,

    /// <summary>The alter table is invalid.</summary>
    InvalidAlterTable = 56,

    /// <summary>Deletion operations are disabled on this table.</summary>
    DeletionDisabled = 57,

    /// <summary>The server does not exist.</summary>
    ServerNotExist = 58,

    /// <summary>The server tag already exists.</summary>
    ServerTagAlreadyExist = 59,

    /// <summary>The server tag does not exist.</summary>
    ServerTagNotExist = 60,

    /// <summary>The rebalance task failed.</summary>
    RebalanceFailure = 61,

    /// <summary>No rebalance task in progress.</summary>
    NoRebalanceInProgress = 62,

    /// <summary>The client has attempted to perform an operation with an invalid producer ID.</summary>
    InvalidProducerId = 63,

    /// <summary>A configuration error occurred.</summary>
    Config = 64,

    /// <summary>The coordinator is not a leader and cannot process the request.</summary>
    NotCoordinatorLeader = 65,

    /// <summary>The scanner session has expired due to inactivity.</summary>
    ScannerExpired = 66,

    /// <summary>The scanner id is not recognized by the server.</summary>
    UnknownScannerId = 67,

    /// <summary>The scan request is invalid.</summary>
    InvalidScanRequest = 68,

    /// <summary>The per-bucket or per-server scanner session limit has been reached.</summary>
    TooManyScanners = 69,

    /// <summary>The tablet server has rejected writes because its data disk usage reached the configured write-limit ratio.</summary>
    DiskWriteLocked = 70,

    /// <summary>The cluster does not have enough KV leader replica capacity.</summary>
    InsufficientKvLeaderReplicaCapacity = 71,

    /// <summary>The tablet server has rejected the write because the KV storage engine has reached its write-pressure threshold.</summary>
    StorageBackpressure = 72,

    /// <summary>Historical partition request is throttled because too many historical requests are in flight.</summary>
    HistoricalPartitionThrottled = 73,
}
