using Fluss.Config;
using Fluss.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.Client;

/// <summary>How an append writer picks the bucket of a row when the table has no bucket key.</summary>
public enum BucketAssignerKind
{
    /// <summary>Stay on one bucket until its batch is closed, then move to another (Fluss's default, STICKY).</summary>
    Sticky,

    /// <summary>Rotate over the available buckets row by row (ROUND_ROBIN).</summary>
    RoundRobin,
}

/// <summary>
/// Client settings. Defaults are Fluss's; <see cref="FromConfiguration"/> reads them from Fluss's option keys
/// (<c>bootstrap.servers</c>, <c>client.request-timeout</c>, <c>client.writer.*</c>, <c>client.scanner.log.*</c>,
/// <c>client.lookup.*</c>).
/// </summary>
public sealed record FlussClientOptions
{
    /// <summary><c>bootstrap.servers</c>: comma-separated <c>host:port</c> of any servers of the cluster.</summary>
    public string BootstrapServers { get; init; } = "127.0.0.1:9123";

    /// <summary><c>client.request-timeout</c> (30 s): deadline of every request, and of connecting.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>client.writer.batch-size</c> (2 MiB): estimated size at which a bucket's batch is closed.</summary>
    public int WriterBatchSize { get; init; } = 2 * 1024 * 1024;

    /// <summary><c>client.writer.batch-timeout</c> (100 ms): longest time a batch waits for more rows.</summary>
    public TimeSpan WriterBatchTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>client.writer.buffer.memory-size</c> (64 MiB): rows buffered per writer before appends wait.</summary>
    public long WriterBufferMemory { get; init; } = 64L * 1024 * 1024;

    /// <summary><c>client.writer.acks</c> (all = -1): -1 all in-sync replicas, 1 the leader, 0 none.</summary>
    public int WriterAcks { get; init; } = -1;

    /// <summary><c>client.writer.retries</c> (int.MaxValue): resends of a batch that failed with a retriable error.</summary>
    public int WriterRetries { get; init; } = int.MaxValue;

    /// <summary><c>client.writer.request-max-size</c> (10 MiB): largest produce request.</summary>
    public int WriterRequestMaxSize { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>client.writer.max-inflight-requests-per-bucket</c> (5; at most 5 with idempotence).</summary>
    public int MaxInflightRequestsPerBucket { get; init; } = 5;

    /// <summary><c>client.writer.enable-idempotence</c> (true): writer id plus batch sequences, no duplicates on retry.</summary>
    public bool EnableIdempotence { get; init; } = true;

    /// <summary><c>client.writer.bucket.no-key-assigner</c> (STICKY): bucket choice for tables without bucket key.</summary>
    public BucketAssignerKind NoKeyAssigner { get; init; } = BucketAssignerKind.Sticky;

    /// <summary>
    /// Longest time from a batch's creation to its acknowledgement, retries included; then its rows fail with the
    /// last error. Not a Fluss option (Fluss retries without bound); 2 minutes.
    /// </summary>
    public TimeSpan WriterDeliveryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Pause before a failed request is retried or metadata is fetched again. Not a Fluss option; 100 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>client.scanner.log.fetch.max-bytes</c> (16 MiB): bytes one fetch response may hold.</summary>
    public int FetchMaxBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary><c>client.scanner.log.fetch.max-bytes-for-bucket</c> (1 MiB): bytes per bucket in one fetch.</summary>
    public int FetchMaxBytesForBucket { get; init; } = 1024 * 1024;

    /// <summary><c>client.scanner.log.fetch.min-bytes</c> (1 byte): the server waits until this much is available.</summary>
    public int FetchMinBytes { get; init; } = 1;

    /// <summary><c>client.scanner.log.fetch.wait-max-time</c> (500 ms): longest server-side wait of a fetch.</summary>
    public TimeSpan FetchMaxWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>client.scanner.log.check-crc</c> (true): verify the CRC of fetched batches (not of projected ones).</summary>
    public bool ScannerCheckCrc { get; init; } = true;

    /// <summary>Decoded batches a scanner buffers ahead of its reader. Not a Fluss option; 16.</summary>
    public int ScannerBufferedBatches { get; init; } = 16;

    /// <summary><c>client.lookup.max-batch-size</c> (128): keys of one bucket sent together in one lookup request.</summary>
    public int LookupMaxBatchSize { get; init; } = 128;

    /// <summary><c>client.lookup.batch-timeout</c> (100 ms): longest time a lookup waits for more lookups of its bucket.</summary>
    public TimeSpan LookupBatchTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>client.lookup.max-inflight-requests</c> (128): lookup requests of a connection awaiting answers.</summary>
    public int LookupMaxInflightRequests { get; init; } = 128;

    /// <summary><c>client.lookup.queue-size</c> (25600): lookups of a connection not yet answered; more wait for room.</summary>
    public int LookupQueueSize { get; init; } = 25600;

    /// <summary><c>client.lookup.max-retries</c> (int.MaxValue): resends of a lookup that failed with a retriable error.</summary>
    public int LookupMaxRetries { get; init; } = int.MaxValue;

    /// <summary>
    /// Longest time from a lookup's start to its answer, retries included; then it fails with the last error. Not a
    /// Fluss option (Fluss retries without bound); 2 minutes.
    /// </summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Clock of batching, retries and back-off (RPC deadlines always use the system clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the client logs retries and metadata refreshes.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Reads the options from Fluss's keys; absent keys keep Fluss's defaults.</summary>
    /// <exception cref="InvalidConfigException">A value is invalid; the message names the key.</exception>
    public static FlussClientOptions FromConfiguration(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            var defaults = new FlussClientOptions();
            var bootstrap = configuration.Get(ConfigOptions.BootstrapServers);
            return new FlussClientOptions
            {
                BootstrapServers = bootstrap is { Count: > 0 } ? string.Join(',', bootstrap) : defaults.BootstrapServers,
                RequestTimeout = configuration.Get(ConfigOptions.ClientRequestTimeout),
                WriterBatchSize = ToInt(configuration.Get(ConfigOptions.ClientWriterBatchSize), ConfigOptions.ClientWriterBatchSize.Key),
                WriterBatchTimeout = configuration.Get(ConfigOptions.ClientWriterBatchTimeout),
                WriterBufferMemory = configuration.Get(ConfigOptions.ClientWriterBufferMemorySize).Bytes,
                WriterAcks = ParseAcks(configuration.Get(ConfigOptions.ClientWriterAcks)),
                WriterRetries = configuration.Get(ConfigOptions.ClientWriterRetries),
                WriterRequestMaxSize = ToInt(configuration.Get(ConfigOptions.ClientWriterRequestMaxSize), ConfigOptions.ClientWriterRequestMaxSize.Key),
                MaxInflightRequestsPerBucket = configuration.Get(ConfigOptions.ClientWriterMaxInflightRequestsPerBucket),
                EnableIdempotence = configuration.Get(ConfigOptions.ClientWriterEnableIdempotence),
                NoKeyAssigner = configuration.Get(ConfigOptions.ClientWriterBucketNoKeyAssigner) == Config.NoKeyAssigner.RoundRobin
                    ? BucketAssignerKind.RoundRobin
                    : BucketAssignerKind.Sticky,
                FetchMaxBytes = ToInt(configuration.Get(ConfigOptions.ClientScannerLogFetchMaxBytes), ConfigOptions.ClientScannerLogFetchMaxBytes.Key),
                FetchMaxBytesForBucket = ToInt(configuration.Get(ConfigOptions.ClientScannerLogFetchMaxBytesForBucket), ConfigOptions.ClientScannerLogFetchMaxBytesForBucket.Key),
                FetchMinBytes = ToInt(configuration.Get(ConfigOptions.ClientScannerLogFetchMinBytes), ConfigOptions.ClientScannerLogFetchMinBytes.Key),
                FetchMaxWait = configuration.Get(ConfigOptions.ClientScannerLogFetchWaitMaxTime),
                ScannerCheckCrc = configuration.Get(ConfigOptions.ClientScannerLogCheckCrc),
                LookupMaxBatchSize = configuration.Get(ConfigOptions.ClientLookupMaxBatchSize),
                LookupBatchTimeout = configuration.Get(ConfigOptions.ClientLookupBatchTimeout),
                LookupMaxInflightRequests = configuration.Get(ConfigOptions.ClientLookupMaxInflightSize),
                LookupQueueSize = configuration.Get(ConfigOptions.ClientLookupQueueSize),
                LookupMaxRetries = configuration.Get(ConfigOptions.ClientLookupMaxRetries),
            };
        }
        catch (FlussException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new InvalidConfigException($"Invalid client configuration: {e.Message}");
        }
    }

    /// <summary>Checks the values and their combinations as Fluss's writer does.</summary>
    /// <exception cref="InvalidConfigException">What is wrong, with the Fluss key.</exception>
    public void Validate()
    {
        _ = BootstrapAddresses();
        Positive(RequestTimeout, ConfigOptions.ClientRequestTimeout.Key);
        Positive(WriterBatchSize, ConfigOptions.ClientWriterBatchSize.Key);
        NotNegative(WriterBatchTimeout, ConfigOptions.ClientWriterBatchTimeout.Key);
        Positive(WriterBufferMemory, ConfigOptions.ClientWriterBufferMemorySize.Key);
        if (WriterAcks is not (-1 or 0 or 1))
            throw new InvalidConfigException($"{ConfigOptions.ClientWriterAcks.Key} must be all (-1), 0 or 1, but is {WriterAcks}.");
        if (WriterRetries < 0)
            throw new InvalidConfigException($"{ConfigOptions.ClientWriterRetries.Key} must not be negative, but is {WriterRetries}.");
        Positive(WriterRequestMaxSize, ConfigOptions.ClientWriterRequestMaxSize.Key);
        Positive(MaxInflightRequestsPerBucket, ConfigOptions.ClientWriterMaxInflightRequestsPerBucket.Key);
        if (EnableIdempotence)
        {
            var idem = ConfigOptions.ClientWriterEnableIdempotence.Key;
            if (MaxInflightRequestsPerBucket > MaxInflightForIdempotence)
                throw new InvalidConfigException(
                    $"{ConfigOptions.ClientWriterMaxInflightRequestsPerBucket.Key} ({MaxInflightRequestsPerBucket}) must be at most {MaxInflightForIdempotence} when {idem} is true, to keep batches in order.");
            if (WriterAcks != -1)
                throw new InvalidConfigException(
                    $"{ConfigOptions.ClientWriterAcks.Key} must be 'all' (-1) when {idem} is true, but is {WriterAcks}; set it to all or disable idempotence.");
            if (WriterRetries == 0)
                throw new InvalidConfigException($"{ConfigOptions.ClientWriterRetries.Key} must not be 0 when {idem} is true.");
        }
        Positive(WriterDeliveryTimeout, "writer delivery timeout");
        NotNegative(RetryBackoff, "retry backoff");
        Positive(FetchMaxBytes, ConfigOptions.ClientScannerLogFetchMaxBytes.Key);
        Positive(FetchMaxBytesForBucket, ConfigOptions.ClientScannerLogFetchMaxBytesForBucket.Key);
        if (FetchMinBytes < 0)
            throw new InvalidConfigException($"{ConfigOptions.ClientScannerLogFetchMinBytes.Key} must not be negative, but is {FetchMinBytes}.");
        NotNegative(FetchMaxWait, ConfigOptions.ClientScannerLogFetchWaitMaxTime.Key);
        Positive(ScannerBufferedBatches, "scanner buffered batches");
        Positive(LookupMaxBatchSize, ConfigOptions.ClientLookupMaxBatchSize.Key);
        NotNegative(LookupBatchTimeout, ConfigOptions.ClientLookupBatchTimeout.Key);
        Positive(LookupMaxInflightRequests, ConfigOptions.ClientLookupMaxInflightSize.Key);
        Positive(LookupQueueSize, ConfigOptions.ClientLookupQueueSize.Key);
        if (LookupMaxRetries < 0)
            throw new InvalidConfigException($"{ConfigOptions.ClientLookupMaxRetries.Key} must not be negative, but is {LookupMaxRetries}.");
        Positive(LookupTimeout, "lookup timeout");
        if (TimeProvider is null) throw new InvalidConfigException("The time provider must not be null.");
        if (LoggerFactory is null) throw new InvalidConfigException("The logger factory must not be null.");
    }

    /// <summary>Fluss's limit of in-flight requests per bucket for an idempotent writer.</summary>
    internal const int MaxInflightForIdempotence = 5;

    /// <summary>The bootstrap servers as host and port.</summary>
    /// <exception cref="InvalidConfigException">The list is empty or an entry is not host:port.</exception>
    internal IReadOnlyList<(string Host, int Port)> BootstrapAddresses()
    {
        var key = ConfigOptions.BootstrapServers.Key;
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new InvalidConfigException($"{key} is empty; give at least one host:port of the cluster.");
        var result = new List<(string, int)>();
        foreach (var raw in BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var entry = raw;
            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0) entry = entry[(scheme + 3)..];
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1
                || !int.TryParse(entry.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                || port is <= 0 or > 65535)
                throw new InvalidConfigException($"{key} entry '{raw}' is not host:port (for example 127.0.0.1:9123).");
            var host = entry[..colon];
            if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
            result.Add((host, port));
        }
        if (result.Count == 0)
            throw new InvalidConfigException($"{key} is empty; give at least one host:port of the cluster.");
        return result;
    }

    private static int ParseAcks(string acks) => acks.Trim().ToLowerInvariant() switch
    {
        "all" or "-1" => -1,
        "0" => 0,
        "1" => 1,
        _ => throw new InvalidConfigException($"{ConfigOptions.ClientWriterAcks.Key} must be all, -1, 0 or 1, but is '{acks}'."),
    };

    private static int ToInt(MemorySize size, string key) =>
        size.Bytes <= int.MaxValue
            ? (int)size.Bytes
            : throw new InvalidConfigException($"{key} is {size} but must be below 2 GiB.");

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero) throw new InvalidConfigException($"{key} must be positive, but is {value}.");
    }

    private static void NotNegative(TimeSpan value, string key)
    {
        if (value < TimeSpan.Zero) throw new InvalidConfigException($"{key} must not be negative, but is {value}.");
    }

    private static void Positive(long value, string key)
    {
        if (value <= 0) throw new InvalidConfigException($"{key} must be positive, but is {value}.");
    }
}
