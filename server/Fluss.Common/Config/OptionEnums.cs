using System.Runtime.Serialization;

namespace Fluss.Config;

/// <summary>Time unit of auto-created partitions (<c>table.auto-partition.time-unit</c>).</summary>
public enum AutoPartitionTimeUnit
{
    /// <summary>Partitions named <c>yyyy</c>.</summary>
    Year,

    /// <summary>Partitions named <c>yyyyQ</c>.</summary>
    Quarter,

    /// <summary>Partitions named <c>yyyyMM</c>.</summary>
    Month,

    /// <summary>Partitions named <c>yyyyMMdd</c>.</summary>
    Day,

    /// <summary>Partitions named <c>yyyyMMddHH</c>.</summary>
    Hour,
}

/// <summary>Bucket choice for tables without a bucket key (<c>client.writer.bucket.no-key-assigner</c>).</summary>
public enum NoKeyAssigner
{
    RoundRobin,
    Sticky,
}

/// <summary>How a KV scan reads a bucket (<c>client.scanner.kv.batch-strategy</c>).</summary>
public enum KvBatchStrategy
{
    [EnumMember(Value = "snapshot-merge")]
    SnapshotMerge,

    [EnumMember(Value = "server-scan")]
    ServerScan,
}

/// <summary>Where a log fetch prefers to read from (<c>client.scanner.log.read-preference</c>).</summary>
public enum FetchLogReadPreference
{
    [EnumMember(Value = "local-first")]
    LocalFirst,

    [EnumMember(Value = "remote-first")]
    RemoteFirst,
}

/// <summary>How a remote data directory is chosen among several (<c>remote.data.dirs.strategy</c>).</summary>
public enum RemoteDataDirStrategy
{
    RoundRobin,
    WeightedRoundRobin,
}

/// <summary>RocksDB compaction style of KV tablets (<c>kv.rocksdb.compaction.style</c>).</summary>
public enum KvCompactionStyle
{
    Level,
    Universal,
    Fifo,
    None,
}

/// <summary>RocksDB compression of a level (<c>kv.rocksdb.compression.per.level</c>).</summary>
public enum KvCompressionType
{
    No,
    Snappy,
    Lz4,
    Zstd,
}

/// <summary>RocksDB info log level (<c>kv.rocksdb.log.level</c>).</summary>
public enum KvInfoLogLevel
{
    DebugLevel,
    InfoLevel,
    WarnLevel,
    ErrorLevel,
    FatalLevel,
    HeaderLevel,
    NumInfoLogLevels,
}
