using System.Collections.Frozen;
using System.Reflection;
using Fluss.Metadata;

namespace Fluss.Config;

/// <summary>
/// Fluss's options: the same keys, value types and defaults as Fluss (server, client and <c>table.*</c> options).
/// Options without a default have nullable value types. Rules that Fluss checks when it starts a server or creates a
/// table (ranges, minimums) are attached to the options, so every typed read validates.
/// </summary>
public static class ConfigOptions
{
    /// <summary>Prefix of table storage options stored in a table's <c>properties</c>.</summary>
    public const string TablePrefix = "table.";

    /// <summary>Prefix of client options.</summary>
    public const string ClientPrefix = "client.";

    /// <summary>Listener name used when a listener has no explicit name.</summary>
    public const string DefaultListenerName = "FLUSS";

    // ---------------------------------------------------------------------------------------------------------------
    // Cluster-wide defaults and guards
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<int> DefaultBucketNumber = ConfigOption.Int("default.bucket.number", 1).WithMin(1)
        .WithDescription("Bucket count of a new table or partition when the table does not set one.");

    public static readonly ConfigOption<int> DefaultReplicationFactor = ConfigOption.Int("default.replication.factor", 1).WithMin(1)
        .WithDescription("Replication factor of a new table when the table does not set one.");

    public static readonly ConfigOption<int> MaxBucketNum = ConfigOption.Int("max.bucket.num", 4096).WithMin(1)
        .WithDescription("Largest bucket count allowed for a non-partitioned table or for one partition.");

    public static readonly ConfigOption<int> MaxPartitionNum = ConfigOption.Int("max.partition.num", 1000).WithMin(0)
        .WithDescription("Largest number of partitions a partitioned table may have.");

    public static readonly ConfigOption<bool> LogTableAllowCreation = ConfigOption.Bool("allow.create.log.tables", true)
        .WithDescription("Whether log tables (without primary key) may be created.");

    public static readonly ConfigOption<bool> KvTableAllowCreation = ConfigOption.Bool("allow.create.kv.tables", true)
        .WithDescription("Whether primary-key tables may be created.");

    public static readonly ConfigOption<TimeSpan> AutoPartitionCheckInterval = ConfigOption.Duration("auto-partition.check.interval", TimeSpan.FromMinutes(10))
        .WithDescription("How often the coordinator creates and expires auto partitions.");

    // ---------------------------------------------------------------------------------------------------------------
    // Remote storage
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<string?> RemoteDataDir = ConfigOption.OptionalString("remote.data.dir")
        .WithDescription("Directory (local path or object-store URI) for remote log segments, KV snapshots and metadata files.");

    public static readonly ConfigOption<IReadOnlyList<string>> RemoteDataDirs = ConfigOption.StringList("remote.data.dirs")
        .WithDescription("Several remote data directories; new tables and partitions are spread over them.");

    public static readonly ConfigOption<RemoteDataDirStrategy> RemoteDataDirsStrategy = ConfigOption.Enum("remote.data.dirs.strategy", RemoteDataDirStrategy.RoundRobin)
        .WithDescription("How a directory of remote.data.dirs is chosen.");

    public static readonly ConfigOption<IReadOnlyList<int>> RemoteDataDirsWeights = ConfigOption.IntList("remote.data.dirs.weights")
        .WithDescription("Weights of remote.data.dirs for the weighted round-robin strategy.");

    public static readonly ConfigOption<MemorySize> RemoteFsWriteBufferSize = ConfigOption.Memory("remote.fs.write-buffer-size", "4kb")
        .WithDescription("Buffer size used when writing files to remote storage.");

    // ---------------------------------------------------------------------------------------------------------------
    // Network, servers, coordinator
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<string?> BindListeners = ConfigOption.OptionalString("bind.listeners")
        .WithDescription("Addresses the server listens on, as NAME://host:port pairs separated by commas, for example FLUSS://0.0.0.0:9123.");

    public static readonly ConfigOption<string?> AdvertisedListeners = ConfigOption.OptionalString("advertised.listeners")
        .WithDescription("Addresses published to clients and other servers when they differ from bind.listeners.");

    public static readonly ConfigOption<string> InternalListenerName = ConfigOption.String("internal.listener.name", DefaultListenerName)
        .WithDescription("Name of the listener servers use to talk to each other.");

    public static readonly ConfigOption<IReadOnlyDictionary<string, string>> ServerSecurityProtocolMap = ConfigOption.Map("security.protocol.map")
        .WithDescription("Security protocol per listener name, as name:protocol pairs.");

    public static readonly ConfigOption<bool> AuthorizerEnabled = ConfigOption.Bool("authorizer.enabled", false)
        .WithDescription("Whether ACL authorization is enforced.");

    public static readonly ConfigOption<string?> SuperUsers = ConfigOption.OptionalString("super.users")
        .WithDescription("Principals that bypass authorization, separated by semicolons.");

    public static readonly ConfigOption<int> ServerIoPoolSize = ConfigOption.Int("server.io-pool.size", 10).WithMin(1)
        .WithFallbackKeys("coordinator.io-pool.size")
        .WithDescription("Threads for blocking I/O work of a server (remote files, snapshots).");

    public static readonly ConfigOption<string> ServerIoTmpDir = ConfigOption.String("server.io.tmpdir", Path.Combine(Path.GetTempPath(), "fluss"))
        .WithDescription("Local directory for temporary files of a server.");

    public static readonly ConfigOption<int> BackgroundThreads = ConfigOption.Int("server.background.threads", 10).WithMin(1)
        .WithDescription("Threads for background tasks of a server.");

    public static readonly ConfigOption<MemorySize> ServerBufferMemorySize = ConfigOption.Memory("server.buffer.memory-size", "256mb")
        .WithDescription("Memory a tablet server may use to buffer writes before they reach the KV store.");

    public static readonly ConfigOption<MemorySize> ServerBufferPageSize = ConfigOption.Memory("server.buffer.page-size", "128kb")
        .WithDescription("Page size of the server's write buffer pool.");

    public static readonly ConfigOption<MemorySize> ServerBufferPerRequestMemorySize = ConfigOption.Memory("server.buffer.per-request-memory-size", "16mb")
        .WithDescription("Largest share of the server write buffer one request may take.");

    public static readonly ConfigOption<TimeSpan> ServerBufferPoolWaitTimeout = ConfigOption.Duration("server.buffer.wait-timeout", FlussDuration.MaxNanos)
        .WithDescription("How long a request waits for buffer memory.");

    public static readonly ConfigOption<double> ServerDataDiskWriteLimitRatio = ConfigOption.Double("server.data-disk.write-limit-ratio", 0.85)
        .WithExclusiveMinRange(0.0, 1.0)
        .WithDescription("Disk usage ratio of the data directory above which writes are rejected.");

    public static readonly ConfigOption<double> ServerDataDiskWriteRecoverRatio = ConfigOption.Double("server.data-disk.write-recover-ratio", 0.80)
        .WithExclusiveMinRange(0.0, 1.0)
        .WithDescription("Disk usage ratio below which writes are accepted again.");

    public static readonly ConfigOption<TimeSpan> ServerDataDiskCheckInterval = ConfigOption.Duration("server.data-disk.check-interval", TimeSpan.FromSeconds(30))
        .WithDescription("How often the data disk usage is checked.");

    public static readonly ConfigOption<TimeSpan> WriterIdExpirationTime = ConfigOption.Duration("server.writer-id.expiration-time", TimeSpan.FromDays(7))
        .WithDescription("How long an idle idempotent writer id is remembered.");

    public static readonly ConfigOption<TimeSpan> WriterIdExpirationCheckInterval = ConfigOption.Duration("server.writer-id.expiration-check-interval", TimeSpan.FromMinutes(10))
        .WithDescription("How often expired writer ids are removed.");

    public static readonly ConfigOption<string?> CoordinatorHost = ConfigOption.OptionalString("coordinator.host")
        .WithDescription("Deprecated: host of the coordinator; use bind.listeners.");

    public static readonly ConfigOption<string> CoordinatorPort = ConfigOption.String("coordinator.port", "9123")
        .WithDescription("Deprecated: port of the coordinator; use bind.listeners.");

    public static readonly ConfigOption<TimeSpan> CoordinatorOfflineLeaderRetryDelay = ConfigOption.Duration("coordinator.offline-leader.retry-delay", TimeSpan.FromMinutes(1))
        .WithDescription("Delay before the coordinator retries electing a leader for buckets without one.");

    public static readonly ConfigOption<TimeSpan> CoordinatorProducerOffsetsTtl = ConfigOption.Duration("coordinator.producer-offsets.ttl", TimeSpan.FromHours(24))
        .WithDescription("How long producer offsets snapshots are kept.");

    public static readonly ConfigOption<TimeSpan> CoordinatorProducerOffsetsCleanupInterval = ConfigOption.Duration("coordinator.producer-offsets.cleanup-interval", TimeSpan.FromHours(1))
        .WithDescription("How often expired producer offsets are removed.");

    public static readonly ConfigOption<string?> TabletServerHost = ConfigOption.OptionalString("tablet-server.host")
        .WithDescription("Deprecated: host of the tablet server; use bind.listeners.");

    public static readonly ConfigOption<string> TabletServerPort = ConfigOption.String("tablet-server.port", "0")
        .WithDescription("Deprecated: port of the tablet server; use bind.listeners.");

    public static readonly ConfigOption<int?> TabletServerId = ConfigOption.OptionalInt("tablet-server.id").WithMin(0)
        .WithDescription("Unique id of a tablet server in the cluster; required for tablet servers.");

    public static readonly ConfigOption<string?> TabletServerRack = ConfigOption.OptionalString("tablet-server.rack")
        .WithDescription("Rack of the tablet server, used to spread replicas over racks.");

    public static readonly ConfigOption<int> TabletServerControlledShutdownMaxRetries = ConfigOption.Int("tablet-server.controlled-shutdown.max-retries", 3)
        .WithDescription("Attempts to move leadership away before a tablet server shuts down.");

    public static readonly ConfigOption<TimeSpan> TabletServerControlledShutdownRetryInterval = ConfigOption.Duration("tablet-server.controlled-shutdown.retry-interval", TimeSpan.FromSeconds(1))
        .WithDescription("Pause between controlled shutdown attempts.");

    public static readonly ConfigOption<string> DataDir = ConfigOption.String("data.dir", "/tmp/fluss-data")
        .WithDescription("Local directory of a tablet server's log and KV data.");

    public static readonly ConfigOption<IReadOnlyList<string>?> DataDirs = ConfigOption.OptionalStringList("data.dirs")
        .WithDescription("Several local data directories of a tablet server.");

    // ---------------------------------------------------------------------------------------------------------------
    // ZooKeeper
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<string?> ZooKeeperAddress = ConfigOption.OptionalString("zookeeper.address")
        .WithDescription("ZooKeeper connection string (host:port[,host:port...]).");

    public static readonly ConfigOption<string> ZooKeeperRoot = ConfigOption.String("zookeeper.path.root", "/fluss")
        .WithDescription("Root path of the cluster's nodes in ZooKeeper.");

    public static readonly ConfigOption<int> ZooKeeperMaxInflightRequests = ConfigOption.Int("zookeeper.client.max-inflight-requests", 100)
        .WithDescription("Largest number of unanswered ZooKeeper requests.");

    public static readonly ConfigOption<TimeSpan> ZooKeeperSessionTimeout = ConfigOption.Duration("zookeeper.client.session-timeout", TimeSpan.FromSeconds(60))
        .WithDeprecatedKeys("recovery.zookeeper.client.session-timeout")
        .WithDescription("ZooKeeper session timeout.");

    public static readonly ConfigOption<TimeSpan> ZooKeeperConnectionTimeout = ConfigOption.Duration("zookeeper.client.connection-timeout", TimeSpan.FromSeconds(15))
        .WithDeprecatedKeys("recovery.zookeeper.client.connection-timeout")
        .WithDescription("ZooKeeper connection timeout.");

    public static readonly ConfigOption<TimeSpan> ZooKeeperRetryWait = ConfigOption.Duration("zookeeper.client.retry-wait", TimeSpan.FromSeconds(5))
        .WithDeprecatedKeys("recovery.zookeeper.client.retry-wait")
        .WithDescription("Pause between ZooKeeper connection retries.");

    public static readonly ConfigOption<int> ZooKeeperMaxRetryAttempts = ConfigOption.Int("zookeeper.client.max-retry-attempts", 3)
        .WithDeprecatedKeys("recovery.zookeeper.client.max-retry-attempts")
        .WithDescription("ZooKeeper connection attempts before giving up.");

    public static readonly ConfigOption<bool> ZooKeeperTolerateSuspendedConnections = ConfigOption.Bool("zookeeper.client.tolerate-suspended-connections", false)
        .WithDescription("Whether a suspended ZooKeeper connection keeps leadership until the session is lost.");

    public static readonly ConfigOption<bool> ZooKeeperEnsembleTracking = ConfigOption.Bool("zookeeper.client.ensemble-tracker", true)
        .WithDescription("Whether the client follows ZooKeeper ensemble changes.");

    public static readonly ConfigOption<string?> ZooKeeperConfigPath = ConfigOption.OptionalString("zookeeper.client.config-path")
        .WithDescription("Path of an extra ZooKeeper client configuration file.");

    public static readonly ConfigOption<int> ZooKeeperMaxBufferSize = ConfigOption.Int("zookeeper.client.max-buffer-size", 100 * 1024 * 1024)
        .WithDescription("Largest ZooKeeper packet in bytes.");

    // ---------------------------------------------------------------------------------------------------------------
    // Log storage and replication
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<MemorySize> LogSegmentFileSize = ConfigOption.Memory("log.segment.file-size", "1024m")
        .WithMax(new MemorySize(int.MaxValue))
        .WithDescription("Size at which a log segment file is rolled.");

    public static readonly ConfigOption<MemorySize> LogIndexFileSize = ConfigOption.Memory("log.index.file-size", "10m")
        .WithDescription("Largest size of an offset or time index file.");

    public static readonly ConfigOption<MemorySize> LogIndexIntervalSize = ConfigOption.Memory("log.index.interval-size", "4k")
        .WithDescription("Bytes of log between two offset index entries.");

    public static readonly ConfigOption<bool> LogFilePreallocate = ConfigOption.Bool("log.file-preallocate", false)
        .WithDescription("Whether new segment files are preallocated.");

    public static readonly ConfigOption<long> LogFlushIntervalMessages = ConfigOption.Long("log.flush.interval-messages", long.MaxValue).WithMin(1L)
        .WithDescription("Records appended before the log is forced to disk.");

    public static readonly ConfigOption<TimeSpan> LogFlushOffsetCheckpointInterval = ConfigOption.Duration("log.flush.offset.checkpoint-interval", TimeSpan.FromSeconds(60))
        .WithDescription("How often the recovery point of logs is checkpointed.");

    public static readonly ConfigOption<TimeSpan> LogRetentionCheckInterval = ConfigOption.Duration("log.retention.check-interval", TimeSpan.FromMinutes(5))
        .WithMin(TimeSpan.FromMilliseconds(1))
        .WithDescription("How often segments past their TTL are deleted.");

    public static readonly ConfigOption<bool> LogRetentionRollActiveSegmentEnabled = ConfigOption.Bool("log.retention.roll-active-segment.enabled", false)
        .WithDescription("Whether an expired active segment is rolled so retention can delete it.");

    public static readonly ConfigOption<TimeSpan> LogReplicaHighWatermarkCheckpointInterval = ConfigOption.Duration("log.replica.high-watermark.checkpoint-interval", TimeSpan.FromSeconds(5))
        .WithDescription("How often high watermarks are checkpointed to disk.");

    public static readonly ConfigOption<TimeSpan> LogReplicaMaxLagTime = ConfigOption.Duration("log.replica.max-lag-time", TimeSpan.FromSeconds(30))
        .WithDescription("A follower that has not caught up for this long leaves the ISR.");

    public static readonly ConfigOption<int> LogReplicaWriteOperationPurgeNumber = ConfigOption.Int("log.replica.write-operation-purge-number", 1000)
        .WithDescription("Completed delayed writes after which the purgatory is purged.");

    public static readonly ConfigOption<int> LogReplicaFetchOperationPurgeNumber = ConfigOption.Int("log.replica.fetch-operation-purge-number", 1000)
        .WithDescription("Completed delayed fetches after which the purgatory is purged.");

    public static readonly ConfigOption<int> LogReplicaFetcherNumber = ConfigOption.Int("log.replica.fetcher-number", 1).WithMin(1)
        .WithDescription("Fetcher threads per source tablet server for follower replication.");

    public static readonly ConfigOption<TimeSpan> LogReplicaFetchBackoffInterval = ConfigOption.Duration("log.replica.fetch.backoff-interval", TimeSpan.FromSeconds(1))
        .WithFallbackKeys("log.replica.fetch-backoff-interval")
        .WithDescription("Pause after a failed follower fetch.");

    public static readonly ConfigOption<MemorySize> LogReplicaFetchMaxBytes = ConfigOption.Memory("log.replica.fetch.max-bytes", "16mb")
        .WithFallbackKeys("log.fetch.max-bytes")
        .WithDescription("Largest follower fetch response.");

    public static readonly ConfigOption<MemorySize> LogReplicaFetchMaxBytesForBucket = ConfigOption.Memory("log.replica.fetch.max-bytes-for-bucket", "1mb")
        .WithFallbackKeys("log.fetch.max-bytes-for-bucket")
        .WithDescription("Largest amount of one bucket in a follower fetch response.");

    public static readonly ConfigOption<TimeSpan> LogReplicaFetchWaitMaxTime = ConfigOption.Duration("log.replica.fetch.wait-max-time", TimeSpan.FromMilliseconds(500))
        .WithDescription("Longest wait of a follower fetch for enough data.");

    public static readonly ConfigOption<MemorySize> LogReplicaFetchMinBytes = ConfigOption.Memory("log.replica.fetch.min-bytes", "1b")
        .WithDescription("Data a follower fetch waits for before it returns.");

    public static readonly ConfigOption<int> LogReplicaMinInSyncReplicasNumber = ConfigOption.Int("log.replica.min-in-sync-replicas-number", 1).WithMin(1)
        .WithDescription("In-sync replicas required to acknowledge a write with acks=all.");

    public static readonly ConfigOption<TimeSpan> RemoteLogTaskIntervalDuration = ConfigOption.Duration("remote.log.task-interval-duration", TimeSpan.FromMinutes(1))
        .WithDescription("How often closed log segments are copied to remote storage.");

    public static readonly ConfigOption<int> RemoteLogTaskMaxUploadSegments = ConfigOption.Int("remote.log.task-max-upload-segments", 5)
        .WithDescription("Segments one remote log task uploads at most.");

    public static readonly ConfigOption<MemorySize> RemoteLogIndexFileCacheSize = ConfigOption.Memory("remote.log.index-file-cache-size", "1gb")
        .WithDescription("Disk space for cached remote index files.");

    public static readonly ConfigOption<int> RemoteLogManagerThreadPoolSize = ConfigOption.Int("remote.log-manager.thread-pool-size", 4).WithMin(1)
        .WithDescription("Threads copying and expiring remote log segments.");

    public static readonly ConfigOption<int> RemoteLogDataTransferThreadNum = ConfigOption.Int("remote.log.data-transfer-thread-num", 4).WithMin(1)
        .WithDescription("Threads transferring remote log data.");

    // ---------------------------------------------------------------------------------------------------------------
    // Request handling
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<int> NettyServerNumNetworkThreads = ConfigOption.Int("netty.server.num-network-threads", 3).WithMin(1)
        .WithDescription("Threads reading and writing server connections.");

    public static readonly ConfigOption<int> NettyServerNumWorkerThreads = ConfigOption.Int("netty.server.num-worker-threads", 8).WithMin(1)
        .WithDescription("Threads processing server requests.");

    public static readonly ConfigOption<int> NettyServerMaxQueuedRequests = ConfigOption.Int("netty.server.max-queued-requests", 500).WithMin(1)
        .WithDescription("Requests queued before the server stops reading from connections.");

    public static readonly ConfigOption<MemorySize> NettyServerMaxRequestSize = ConfigOption.Memory("netty.server.max-request-size", "100mb")
        .WithDescription("Largest request a server accepts.");

    public static readonly ConfigOption<TimeSpan> NettyConnectionMaxIdleTime = ConfigOption.Duration("netty.connection.max-idle-time", TimeSpan.FromMinutes(10))
        .WithDescription("Idle connections are closed after this time.");

    public static readonly ConfigOption<int> NettyClientNumNetworkThreads = ConfigOption.Int("netty.client.num-network-threads", 4).WithMin(1)
        .WithDescription("Network threads of a client.");

    // ---------------------------------------------------------------------------------------------------------------
    // KV storage
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<TimeSpan> KvSnapshotInterval = ConfigOption.Duration("kv.snapshot.interval", TimeSpan.FromMinutes(10))
        .WithDescription("How often KV tablets are snapshotted to remote storage.");

    public static readonly ConfigOption<int> KvSnapshotSchedulerThreadNum = ConfigOption.Int("kv.snapshot.scheduler-thread-num", 1).WithMin(1)
        .WithDescription("Threads scheduling KV snapshots.");

    public static readonly ConfigOption<int> KvSnapshotTransferThreadNum = ConfigOption.Int("kv.snapshot.transfer-thread-num", 4).WithMin(1)
        .WithDescription("Threads uploading and downloading KV snapshot files.");

    public static readonly ConfigOption<int> KvMaxRetainedSnapshots = ConfigOption.Int("kv.snapshot.num-retained", 2).WithMin(1)
        .WithDescription("Completed KV snapshots kept per bucket.");

    public static readonly ConfigOption<int> KvFlushThreadNum = ConfigOption.Int("kv.flush.thread-num", 10).WithMin(1)
        .WithDescription("Threads flushing pre-write buffers into RocksDB.");

    public static readonly ConfigOption<int> KvBackpressureL0SlowdownTrigger = ConfigOption.Int("kv.backpressure.l0-slowdown-trigger", 8)
        .WithDescription("Level-0 file count at which writes to a KV tablet are throttled.");

    public static readonly ConfigOption<TimeSpan> KvScannerTtl = ConfigOption.Duration("kv.scanner.ttl", TimeSpan.FromMinutes(10))
        .WithDescription("Idle KV scanners are closed after this time.");

    public static readonly ConfigOption<TimeSpan> KvScannerExpirationInterval = ConfigOption.Duration("kv.scanner.expiration-interval", TimeSpan.FromSeconds(30))
        .WithDescription("How often idle KV scanners are looked for.");

    public static readonly ConfigOption<int> KvScannerMaxPerBucket = ConfigOption.Int("kv.scanner.max-per-bucket", 8)
        .WithDescription("Open KV scanners allowed per bucket.");

    public static readonly ConfigOption<int> KvScannerMaxPerServer = ConfigOption.Int("kv.scanner.max-per-server", 200)
        .WithDescription("Open KV scanners allowed per tablet server.");

    public static readonly ConfigOption<MemorySize> KvScannerMaxBatchSize = ConfigOption.Memory("kv.scanner.max-batch-size", "10mb")
        .WithDescription("Largest batch a KV scanner returns.");

    public static readonly ConfigOption<int> KvMaxBackgroundThreads = ConfigOption.Int("kv.rocksdb.thread.num", 2)
        .WithDescription("RocksDB background flush and compaction threads.");

    public static readonly ConfigOption<int> KvMaxOpenFiles = ConfigOption.Int("kv.rocksdb.files.open", -1)
        .WithDescription("Files RocksDB keeps open; -1 for no limit.");

    public static readonly ConfigOption<MemorySize> KvWriteBatchSize = ConfigOption.Memory("kv.rocksdb.write-batch-size", "2mb")
        .WithDescription("Size of RocksDB write batches.");

    public static readonly ConfigOption<MemorySize> KvSharedRateLimiterBytesPerSec = ConfigOption.Memory("kv.rocksdb.shared-rate-limiter.bytes-per-sec", MemorySize.MaxValue)
        .WithDescription("Flush and compaction I/O budget shared by all RocksDB instances of a server.");

    public static readonly ConfigOption<KvCompactionStyle> KvCompactionStyleOption = ConfigOption.Enum("kv.rocksdb.compaction.style", KvCompactionStyle.Level)
        .WithDescription("RocksDB compaction style.");

    public static readonly ConfigOption<bool> KvUseDynamicLevelSize = ConfigOption.Bool("kv.rocksdb.compaction.level.use-dynamic-size", false)
        .WithDescription("Whether RocksDB sizes levels dynamically.");

    public static readonly ConfigOption<IReadOnlyList<KvCompressionType>> KvCompressionPerLevel = ConfigOption.EnumList(
            "kv.rocksdb.compression.per.level",
            KvCompressionType.Lz4, KvCompressionType.Lz4, KvCompressionType.Lz4, KvCompressionType.Lz4, KvCompressionType.Lz4,
            KvCompressionType.Zstd, KvCompressionType.Zstd)
        .WithDescription("RocksDB compression of each level, comma separated.");

    public static readonly ConfigOption<MemorySize> KvTargetFileSizeBase = ConfigOption.Memory("kv.rocksdb.compaction.level.target-file-size-base", "64mb")
        .WithDescription("Target SST file size at level 1.");

    public static readonly ConfigOption<MemorySize> KvMaxSizeLevelBase = ConfigOption.Memory("kv.rocksdb.compaction.level.max-size-level-base", "256mb")
        .WithDescription("Total size of level 1.");

    public static readonly ConfigOption<MemorySize> KvWriteBufferSize = ConfigOption.Memory("kv.rocksdb.writebuffer.size", "64mb")
        .WithDescription("Size of one RocksDB memtable.");

    public static readonly ConfigOption<int> KvMaxWriteBufferNumber = ConfigOption.Int("kv.rocksdb.writebuffer.count", 2).WithMin(1)
        .WithDescription("Memtables per RocksDB column family.");

    public static readonly ConfigOption<int> KvMinWriteBufferNumberToMerge = ConfigOption.Int("kv.rocksdb.writebuffer.number-to-merge", 1).WithMin(1)
        .WithDescription("Memtables merged together before a flush.");

    public static readonly ConfigOption<MemorySize> KvBlockSize = ConfigOption.Memory("kv.rocksdb.block.blocksize", "4kb")
        .WithDescription("RocksDB data block size.");

    public static readonly ConfigOption<MemorySize> KvMetadataBlockSize = ConfigOption.Memory("kv.rocksdb.block.metadata-blocksize", "4kb")
        .WithDescription("RocksDB partitioned metadata block size.");

    public static readonly ConfigOption<MemorySize> KvBlockCacheSize = ConfigOption.Memory("kv.rocksdb.block.cache-size", "8mb")
        .WithDescription("RocksDB block cache size.");

    public static readonly ConfigOption<bool> KvUseBloomFilter = ConfigOption.Bool("kv.rocksdb.use-bloom-filter", true)
        .WithDescription("Whether RocksDB tables carry bloom filters.");

    public static readonly ConfigOption<double> KvBloomFilterBitsPerKey = ConfigOption.Double("kv.rocksdb.bloom-filter.bits-per-key", 10.0)
        .WithDescription("Bloom filter bits per key.");

    public static readonly ConfigOption<bool> KvBloomFilterBlockBasedMode = ConfigOption.Bool("kv.rocksdb.bloom-filter.block-based-mode", false)
        .WithDescription("Whether the legacy block-based bloom filter is used.");

    public static readonly ConfigOption<KvInfoLogLevel> KvLogLevel = ConfigOption.Enum("kv.rocksdb.log.level", KvInfoLogLevel.InfoLevel)
        .WithDescription("RocksDB info log level.");

    public static readonly ConfigOption<string?> KvLogDir = ConfigOption.OptionalString("kv.rocksdb.log.dir")
        .WithDescription("Directory of RocksDB info logs.");

    public static readonly ConfigOption<MemorySize> KvLogMaxFileSize = ConfigOption.Memory("kv.rocksdb.log.max-file-size", "25mb")
        .WithDescription("Size at which a RocksDB info log file is rolled.");

    public static readonly ConfigOption<int> KvLogFileNum = ConfigOption.Int("kv.rocksdb.log.file-num", 4)
        .WithDescription("RocksDB info log files kept.");

    public static readonly ConfigOption<MemorySize> KvRecoverLogRecordBatchMaxSize = ConfigOption.Memory("kv.recover.log-record-batch.max-size", "16mb")
        .WithDescription("Largest log batch read while recovering a KV tablet.");

    // ---------------------------------------------------------------------------------------------------------------
    // Lakehouse
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<bool?> DataLakeEnabled = ConfigOption.OptionalBool("datalake.enabled")
        .WithDescription("Whether the cluster tiers tables into a lakehouse; unset keeps the behaviour implied by datalake.format.");

    public static readonly ConfigOption<DataLakeFormat?> DataLakeFormatOption = ConfigOption.OptionalEnum<DataLakeFormat>("datalake.format")
        .WithDescription("Lakehouse format of the cluster (paimon, iceberg, lance, hudi); fixes key encoding and bucketing of lake tables.");

    public static readonly ConfigOption<bool> LakeTieringAutoExpireSnapshot = ConfigOption.Bool("lake.tiering.auto-expire-snapshot", false)
        .WithDescription("Whether tiering commits expire old lake snapshots.");

    public static readonly ConfigOption<string?> LakeTieringIoTmpDirs = ConfigOption.OptionalString("lake.tiering.io.tmp.dirs")
        .WithDescription("Local directories for temporary files of tiering.");

    // ---------------------------------------------------------------------------------------------------------------
    // Metrics
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<IReadOnlyList<string>?> MetricsReporters = ConfigOption.OptionalStringList("metrics.reporters")
        .WithDescription("Names of the metric reporters to start, for example prometheus.");

    public static readonly ConfigOption<string> MetricsReporterPrometheusPort = ConfigOption.String("metrics.reporter.prometheus.port", "9249")
        .WithDescription("Port, or range of ports such as 9250-9260, of the Prometheus endpoint.");

    // ---------------------------------------------------------------------------------------------------------------
    // Client
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<IReadOnlyList<string>?> BootstrapServers = ConfigOption.OptionalStringList("bootstrap.servers")
        .WithDescription("host:port addresses of servers the client first connects to, comma separated.");

    public static readonly ConfigOption<string> ClientId = ConfigOption.String("client.id", string.Empty)
        .WithDescription("Name the client reports to servers for logging and quotas.");

    public static readonly ConfigOption<TimeSpan> ClientConnectTimeout = ConfigOption.Duration("client.connect-timeout", TimeSpan.FromSeconds(120))
        .WithMin(TimeSpan.FromMilliseconds(1))
        .WithDescription("Time allowed to establish a connection.");

    public static readonly ConfigOption<TimeSpan> ClientRequestTimeout = ConfigOption.Duration("client.request-timeout", TimeSpan.FromSeconds(30))
        .WithDescription("Time a client waits for a response before it fails or retries the request.");

    public static readonly ConfigOption<MemorySize> ClientWriterBufferMemorySize = ConfigOption.Memory("client.writer.buffer.memory-size", "64mb")
        .WithDescription("Memory a writer uses to buffer records waiting to be sent; writes block when it is full.");

    public static readonly ConfigOption<MemorySize> ClientWriterBufferPageSize = ConfigOption.Memory("client.writer.buffer.page-size", "128kb")
        .WithDescription("Page size of the writer's buffer pool.");

    public static readonly ConfigOption<MemorySize> ClientWriterPerRequestMemorySize = ConfigOption.Memory("client.writer.buffer.per-request-memory-size", "16mb")
        .WithDescription("Largest share of the writer buffer one request may take.");

    public static readonly ConfigOption<TimeSpan> ClientWriterBufferWaitTimeout = ConfigOption.Duration("client.writer.buffer.wait-timeout", FlussDuration.MaxNanos)
        .WithDescription("How long a write waits for buffer memory.");

    public static readonly ConfigOption<MemorySize> ClientWriterBatchSize = ConfigOption.Memory("client.writer.batch-size", "2mb")
        .WithDescription("Target size of a batch of records for one bucket.");

    public static readonly ConfigOption<bool> ClientWriterDynamicBatchSizeEnabled = ConfigOption.Bool("client.writer.dynamic-batch-size.enabled", true)
        .WithDescription("Whether the batch size adapts to the observed record sizes.");

    public static readonly ConfigOption<TimeSpan> ClientWriterBatchTimeout = ConfigOption.Duration("client.writer.batch-timeout", TimeSpan.FromMilliseconds(100))
        .WithDescription("Longest time a batch waits for more records before it is sent.");

    public static readonly ConfigOption<NoKeyAssigner> ClientWriterBucketNoKeyAssigner = ConfigOption.Enum("client.writer.bucket.no-key-assigner", NoKeyAssigner.Sticky)
        .WithDescription("Bucket choice for tables without bucket key: STICKY (stay on a bucket until its batch is full) or ROUND_ROBIN.");

    public static readonly ConfigOption<string> ClientWriterAcks = ConfigOption.String("client.writer.acks", "all")
        .WithAllowed("all", "-1", "0", "1")
        .WithDescription("Acknowledgements a write needs: all (-1) for all in-sync replicas, 1 for the leader, 0 for none.");

    public static readonly ConfigOption<MemorySize> ClientWriterRequestMaxSize = ConfigOption.Memory("client.writer.request-max-size", "10mb")
        .WithDescription("Largest write request the client sends.");

    public static readonly ConfigOption<int> ClientWriterRetries = ConfigOption.Int("client.writer.retries", int.MaxValue).WithMin(0)
        .WithDescription("Retries of a failed write that may succeed when retried.");

    public static readonly ConfigOption<bool> ClientWriterEnableIdempotence = ConfigOption.Bool("client.writer.enable-idempotence", true)
        .WithDescription("Whether writes are idempotent (no duplicates after retries); needs acks=all.");

    public static readonly ConfigOption<int> ClientWriterMaxInflightRequestsPerBucket = ConfigOption.Int("client.writer.max-inflight-requests-per-bucket", 5).WithMin(1)
        .WithDescription("Unacknowledged write requests per bucket; at most 5 with idempotence.");

    public static readonly ConfigOption<bool> ClientWriterDynamicCreatePartitionEnabled = ConfigOption.Bool("client.writer.dynamic-create-partition.enabled", true)
        .WithDescription("Whether writing to a missing partition creates it.");

    public static readonly ConfigOption<TimeSpan> ClientWriterKvBackpressureMaxThrottle = ConfigOption.Duration("client.writer.kv-backpressure.max-throttle", TimeSpan.FromSeconds(3))
        .WithDescription("Longest pause a writer takes when a KV tablet signals back-pressure.");

    public static readonly ConfigOption<bool> ClientScannerLogCheckCrc = ConfigOption.Bool("client.scanner.log.check-crc", true)
        .WithDescription("Whether scanners verify the CRC of fetched batches.");

    public static readonly ConfigOption<int> ClientScannerLogMaxPollRecords = ConfigOption.Int("client.scanner.log.max-poll-records", 500).WithMin(1)
        .WithDescription("Most records one poll returns.");

    public static readonly ConfigOption<MemorySize> ClientScannerLogFetchMaxBytes = ConfigOption.Memory("client.scanner.log.fetch.max-bytes", "16mb")
        .WithDescription("Largest fetch response for one tablet server.");

    public static readonly ConfigOption<MemorySize> ClientScannerLogFetchMaxBytesForBucket = ConfigOption.Memory("client.scanner.log.fetch.max-bytes-for-bucket", "1mb")
        .WithDescription("Largest amount of one bucket in a fetch response.");

    public static readonly ConfigOption<TimeSpan> ClientScannerLogFetchWaitMaxTime = ConfigOption.Duration("client.scanner.log.fetch.wait-max-time", TimeSpan.FromMilliseconds(500))
        .WithDescription("Longest time a fetch waits on the server for min-bytes of data.");

    public static readonly ConfigOption<MemorySize> ClientScannerLogFetchMinBytes = ConfigOption.Memory("client.scanner.log.fetch.min-bytes", "1b")
        .WithDescription("Data a fetch waits for on the server before it returns.");

    public static readonly ConfigOption<MemorySize> ClientScannerKvFetchMaxBytes = ConfigOption.Memory("client.scanner.kv.fetch.max-bytes", "4mb")
        .WithDescription("Largest KV scan response.");

    public static readonly ConfigOption<KvBatchStrategy> ClientScannerKvBatchStrategy = ConfigOption.Enum("client.scanner.kv.batch-strategy", KvBatchStrategy.SnapshotMerge)
        .WithDescription("How a KV scan reads a bucket: snapshot-merge or server-scan.");

    public static readonly ConfigOption<int> ClientScannerRemoteLogPrefetchNum = ConfigOption.Int("client.scanner.remote-log.prefetch-num", 4).WithMin(0)
        .WithDescription("Remote log segments downloaded ahead of the scanner.");

    public static readonly ConfigOption<FetchLogReadPreference> ClientScannerLogReadPreference = ConfigOption.Enum("client.scanner.log.read-preference", FetchLogReadPreference.LocalFirst)
        .WithDescription("Whether fetches prefer local or remote log segments (local-first, remote-first).");

    public static readonly ConfigOption<string> ClientScannerIoTmpDir = ConfigOption.String("client.scanner.io.tmpdir", Path.Combine(Path.GetTempPath(), "fluss"))
        .WithDescription("Local directory for downloaded remote log segments.");

    public static readonly ConfigOption<int> ClientRemoteFileDownloadThreadNum = ConfigOption.Int("client.remote-file.download-thread-num", 3).WithMin(1)
        .WithDescription("Threads downloading remote files.");

    public static readonly ConfigOption<int> ClientLookupQueueSize = ConfigOption.Int("client.lookup.queue-size", 25600).WithMin(1)
        .WithDescription("Lookups queued before lookup calls block.");

    public static readonly ConfigOption<int> ClientLookupMaxBatchSize = ConfigOption.Int("client.lookup.max-batch-size", 128).WithMin(1)
        .WithDescription("Most keys in one lookup request.");

    public static readonly ConfigOption<int> ClientLookupMaxInflightSize = ConfigOption.Int("client.lookup.max-inflight-requests", 128).WithMin(1)
        .WithDescription("Unanswered lookup requests at most.");

    public static readonly ConfigOption<TimeSpan> ClientLookupBatchTimeout = ConfigOption.Duration("client.lookup.batch-timeout", TimeSpan.FromMilliseconds(100))
        .WithDescription("Longest time a lookup batch waits for more keys.");

    public static readonly ConfigOption<int> ClientLookupMaxRetries = ConfigOption.Int("client.lookup.max-retries", int.MaxValue).WithMin(0)
        .WithDescription("Retries of a failed lookup that may succeed when retried.");

    public static readonly ConfigOption<bool> ClientMetricsEnabled = ConfigOption.Bool("client.metrics.enabled", false)
        .WithDescription("Whether the client reports metrics.");

    public static readonly ConfigOption<string> ClientSecurityProtocol = ConfigOption.String("client.security.protocol", "PLAINTEXT")
        .WithDescription("Security protocol of client connections (PLAINTEXT or SASL).");

    public static readonly ConfigOption<string> ClientSaslMechanism = ConfigOption.String("client.security.sasl.mechanism", "PLAIN")
        .WithDescription("SASL mechanism of the client.");

    public static readonly ConfigOption<string?> ClientSaslJaasConfig = ConfigOption.OptionalString("client.security.sasl.jaas.config")
        .WithDescription("JAAS configuration of the client's SASL login.");

    public static readonly ConfigOption<string?> ClientSaslUsername = ConfigOption.OptionalString("client.security.sasl.username")
        .WithDescription("User name for SASL/PLAIN.");

    public static readonly ConfigOption<string?> ClientSaslPassword = ConfigOption.OptionalString("client.security.sasl.password")
        .WithDescription("Password for SASL/PLAIN.");

    // ---------------------------------------------------------------------------------------------------------------
    // Table storage options (stored in a table's properties)
    // ---------------------------------------------------------------------------------------------------------------

    public static readonly ConfigOption<int?> TableReplicationFactor = ConfigOption.OptionalInt("table.replication.factor").WithMin(1)
        .WithDescription("Replicas of each bucket; the cluster default.replication.factor when not set.");

    public static readonly ConfigOption<LogFormat> TableLogFormat = ConfigOption.Enum("table.log.format", LogFormat.Arrow)
        .WithDescription("Format of the table's log: ARROW, INDEXED or COMPACTED.");

    public static readonly ConfigOption<ArrowCompressionType> TableLogArrowCompressionType = ConfigOption.Enum("table.log.arrow.compression.type", ArrowCompressionType.Zstd)
        .WithDescription("Compression of Arrow log batches: NONE, LZ4_FRAME or ZSTD.");

    public static readonly ConfigOption<int> TableLogArrowCompressionZstdLevel = ConfigOption.Int("table.log.arrow.compression.zstd.level", 3).WithRange(1, 22)
        .WithDescription("ZSTD level of Arrow log compression, 1 to 22.");

    public static readonly ConfigOption<KvFormat> TableKvFormat = ConfigOption.Enum("table.kv.format", KvFormat.Compacted)
        .WithDescription("Format of a primary-key table's KV values: COMPACTED or INDEXED.");

    public static readonly ConfigOption<int?> TableKvFormatVersion = ConfigOption.OptionalInt("table.kv.format-version").WithRange(1, 2)
        .WithDescription("Version of the KV key encoding, set by the coordinator when the table is created.");

    public static readonly ConfigOption<bool?> TableKvStandbyReplicaEnabled = ConfigOption.OptionalBool("table.kv.standby-replica.enabled")
        .WithDescription("Whether followers of a primary-key table keep a warm KV standby.");

    public static readonly ConfigOption<bool> TableAutoPartitionEnabled = ConfigOption.Bool("table.auto-partition.enabled", false)
        .WithDescription("Whether time partitions are created and expired automatically.");

    public static readonly ConfigOption<string?> TableAutoPartitionKey = ConfigOption.OptionalString("table.auto-partition.key")
        .WithDescription("Partition key that auto partitioning uses when the table has several partition keys.");

    public static readonly ConfigOption<AutoPartitionTimeUnit> TableAutoPartitionTimeUnit = ConfigOption.Enum("table.auto-partition.time-unit", AutoPartitionTimeUnit.Day)
        .WithDescription("Time unit of auto partitions: YEAR, QUARTER, MONTH, DAY or HOUR.");

    public static readonly ConfigOption<string?> TableAutoPartitionTimeFormat = ConfigOption.OptionalString("table.auto-partition.time-format")
        .WithDescription("Custom date-time pattern of auto partition values; the time unit's pattern when not set.");

    public static readonly ConfigOption<string> TableAutoPartitionTimeZone = ConfigOption.String("table.auto-partition.time-zone", TimeZoneInfo.Local.Id)
        .WithDescription("Time zone in which auto partition times are computed.");

    public static readonly ConfigOption<int> TableAutoPartitionNumPrecreate = ConfigOption.Int("table.auto-partition.num-precreate", 2).WithMin(0)
        .WithDescription("Future partitions created ahead of time.");

    public static readonly ConfigOption<int> TableAutoPartitionNumRetention = ConfigOption.Int("table.auto-partition.num-retention", 7).WithMin(0)
        .WithDescription("Past partitions kept before they are dropped.");

    public static readonly ConfigOption<TimeSpan> TableLogTtl = ConfigOption.Duration("table.log.ttl", TimeSpan.FromDays(7))
        .WithDescription("How long log segments are kept; 0 keeps them forever.");

    public static readonly ConfigOption<int> TableTieredLogLocalSegments = ConfigOption.Int("table.log.tiered.local-segments", 2).WithMin(1)
        .WithDescription("Log segments kept locally after they were copied to remote storage.");

    public static readonly ConfigOption<TimeSpan?> TableLogLocalTtl = ConfigOption.OptionalDuration("table.log.local-ttl")
        .WithDescription("How long log segments are kept locally; table.log.ttl when not set.");

    public static readonly ConfigOption<bool> TableDataLakeEnabled = ConfigOption.Bool("table.datalake.enabled", false)
        .WithDescription("Whether the table is tiered into the lakehouse.");

    public static readonly ConfigOption<bool> TableDataLakeHistoricalPartitionEnabled = ConfigOption.Bool("table.datalake.historical-partition.enabled", false)
        .WithDescription("Whether writes to expired partitions go to a historical partition in the lake.");

    public static readonly ConfigOption<DataLakeFormat?> TableDataLakeFormat = ConfigOption.OptionalEnum<DataLakeFormat>("table.datalake.format")
        .WithDescription("Lakehouse format of the table; set from the cluster's datalake.format when the table is created.");

    public static readonly ConfigOption<TimeSpan> TableDataLakeFreshness = ConfigOption.Duration("table.datalake.freshness", TimeSpan.FromMinutes(3))
        .WithDescription("Target delay between a write and its arrival in the lake.");

    public static readonly ConfigOption<bool> TableDataLakeAutoCompaction = ConfigOption.Bool("table.datalake.auto-compaction", false)
        .WithDescription("Whether tiering compacts lake files.");

    public static readonly ConfigOption<bool> TableDataLakeAutoExpireSnapshot = ConfigOption.Bool("table.datalake.auto-expire-snapshot", false)
        .WithDescription("Whether tiering expires old lake snapshots of the table.");

    public static readonly ConfigOption<MergeEngineType?> TableMergeEngine = ConfigOption.OptionalEnum<MergeEngineType>("table.merge-engine")
        .WithDescription("Merge engine of a primary-key table: FIRST_ROW, VERSIONED or AGGREGATION; last row wins when not set.");

    public static readonly ConfigOption<string?> TableMergeEngineVersionColumn = ConfigOption.OptionalString("table.merge-engine.versioned.ver-column")
        .WithDescription("Version column (INT, BIGINT, TIMESTAMP or TIMESTAMP_LTZ) of the VERSIONED merge engine.");

    public static readonly ConfigOption<DeleteBehavior> TableDeleteBehavior = ConfigOption.Enum("table.delete.behavior", DeleteBehavior.Allow)
        .WithDescription("What deletes do on a primary-key table: ALLOW, IGNORE or DISABLE.");

    public static readonly ConfigOption<long> TableAutoIncrementCacheSize = ConfigOption.Long("table.auto-increment.cache-size", 100_000L).WithMin(1L)
        .WithDescription("Auto-increment ids a bucket reserves at once.");

    public static readonly ConfigOption<ChangelogImage> TableChangelogImage = ConfigOption.Enum("table.changelog.image", ChangelogImage.Full)
        .WithDescription("Changelog of a primary-key table: FULL (-U and +U) or WAL (+U only).");

    public static readonly ConfigOption<string?> TableStatisticsColumns = ConfigOption.OptionalString("table.statistics.columns")
        .WithDescription("Columns with batch statistics for filter pushdown: * for all, or a comma-separated list.");

    // ---------------------------------------------------------------------------------------------------------------
    // Registry
    // ---------------------------------------------------------------------------------------------------------------

    private static readonly Lazy<FrozenDictionary<string, IConfigOption>> ByKey = new(() =>
        typeof(ConfigOptions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(IConfigOption).IsAssignableFrom(f.FieldType))
            .Select(f => (IConfigOption)f.GetValue(null)!)
            .ToFrozenDictionary(o => o.Key, StringComparer.Ordinal));

    /// <summary>Every option of this catalogue by key.</summary>
    public static IReadOnlyDictionary<string, IConfigOption> All => ByKey.Value;

    /// <summary>The <c>table.*</c> options a table's properties may contain.</summary>
    public static IReadOnlyDictionary<string, IConfigOption> TableOptions => TableOptionsByKey.Value;

    /// <summary>The <c>client.*</c> options.</summary>
    public static IReadOnlyDictionary<string, IConfigOption> ClientOptions => ClientOptionsByKey.Value;

    private static readonly Lazy<FrozenDictionary<string, IConfigOption>> TableOptionsByKey = new(() =>
        ByKey.Value.Where(kv => kv.Key.StartsWith(TablePrefix, StringComparison.Ordinal)).ToFrozenDictionary(StringComparer.Ordinal));

    private static readonly Lazy<FrozenDictionary<string, IConfigOption>> ClientOptionsByKey = new(() =>
        ByKey.Value.Where(kv => kv.Key.StartsWith(ClientPrefix, StringComparison.Ordinal)).ToFrozenDictionary(StringComparer.Ordinal));

    /// <summary>The table options that ALTER TABLE may change.</summary>
    public static IReadOnlyList<string> AlterableTableOptions { get; } =
    [
        TableDataLakeEnabled.Key, TableDataLakeHistoricalPartitionEnabled.Key, TableDataLakeFreshness.Key,
        TableDataLakeAutoCompaction.Key, TableLogTtl.Key, TableTieredLogLocalSegments.Key, TableLogLocalTtl.Key,
        TableAutoPartitionEnabled.Key, TableAutoPartitionNumRetention.Key, TableAutoPartitionNumPrecreate.Key,
        TableStatisticsColumns.Key, TableKvStandbyReplicaEnabled.Key,
    ];

    /// <summary>Finds an option by key (exact).</summary>
    public static IConfigOption? Find(string key) => ByKey.Value.GetValueOrDefault(key);

    /// <summary>True for keys stored in a table's properties (the <c>table.</c> prefix).</summary>
    public static bool IsTableStorageOption(string key) => key.StartsWith(TablePrefix, StringComparison.Ordinal);
}
