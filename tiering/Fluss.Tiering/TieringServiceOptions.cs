using Fluss.Client;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Lake;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.Tiering;

/// <summary>Where the tiering service keeps its Hangfire jobs.</summary>
public enum TieringJobStorage
{
    /// <summary>In this process only (the default; what <c>fluss local start</c> uses).</summary>
    InMemory,

    /// <summary>A PostgreSQL database shared by several tiering processes, which then share the work.</summary>
    PostgreSql,
}

/// <summary>
/// Settings of a <see cref="TieringService"/>. <see cref="FromConfiguration"/> reads them from the keys in
/// <see cref="TieringOptions"/> (Fluss's <c>bootstrap.servers</c> and client keys, <c>lake.tiering.*</c>,
/// <c>hangfire.*</c>).
/// </summary>
public sealed record TieringServiceOptions
{
    /// <summary>Comma-separated <c>host:port</c> of the cluster's servers (the coordinator is found through them).</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The lake the tables are tiered into (the cluster's lake storage).</summary>
    public required ILakeStorage LakeStorage { get; init; }

    /// <summary>Other client settings (timeouts, fetch sizes); their bootstrap servers are replaced by <see cref="BootstrapServers"/>.</summary>
    public FlussClientOptions? Client { get; init; }

    /// <summary><c>hangfire.storage</c> (inmemory).</summary>
    public TieringJobStorage JobStorage { get; init; } = TieringJobStorage.InMemory;

    /// <summary><c>hangfire.postgresql.connection-string</c>: required with <see cref="TieringJobStorage.PostgreSql"/>.</summary>
    public string? PostgreSqlConnectionString { get; init; }

    /// <summary><c>hangfire.postgresql.schema</c> (hangfire): the schema of Hangfire's tables.</summary>
    public string PostgreSqlSchema { get; init; } = "hangfire";

    /// <summary>
    /// <c>lake.tiering.poll.table.interval</c> (1 s; Fluss's <c>tiering.poll.table.interval</c>): how often the
    /// coordinator is asked for tables to tier. Whole seconds dividing a minute, or whole minutes dividing an hour.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>lake.tiering.workers</c> (4): rounds this process runs at the same time.</summary>
    public int Workers { get; init; } = 4;

    /// <summary><c>lake.tiering.heartbeat.interval</c> (3 s): heartbeats of a running round to the coordinator.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>lake.tiering.bucket.max-bytes-per-round</c> (256 MiB): a bucket's round stops reading once it holds this many
    /// bytes of Arrow data; the round commits what it read and the table is due again at once.
    /// </summary>
    public long MaxBytesPerBucketRound { get; init; } = 256L << 20;

    /// <summary><c>lake.tiering.bucket.parallelism</c> (2): buckets of one round read and written at the same time.</summary>
    public int BucketParallelism { get; init; } = 2;

    /// <summary><c>hangfire.dashboard.port</c>: serve the Hangfire dashboard on this loopback port (0 = any free port); null = no dashboard.</summary>
    public int? DashboardPort { get; init; }

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Crash-point hook of tests (null: the <c>FLUSS_TIERING_TEST_PAUSE_AT</c> environment variable).</summary>
    internal Func<string, CancellationToken, Task>? FaultHook { get; init; }

    /// <summary>
    /// Reads the options from a configuration holding Fluss client keys (<c>bootstrap.servers</c>, <c>client.*</c>),
    /// <c>lake.tiering.*</c> and <c>hangfire.*</c> keys.
    /// </summary>
    /// <exception cref="InvalidConfigException">A value is invalid or missing; the message names the key.</exception>
    public static TieringServiceOptions FromConfiguration(Configuration configuration, ILakeStorage lakeStorage)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(lakeStorage);
        var client = FlussClientOptions.FromConfiguration(configuration);
        if (configuration.Get(ConfigOptions.BootstrapServers) is not { Count: > 0 })
            throw new InvalidConfigException($"'{ConfigOptions.BootstrapServers.Key}' is not set; give the cluster's servers as host:port (the tiering job's --fluss.bootstrap.servers).");
        var storageText = configuration.Get(TieringOptions.Storage);
        var storage = storageText.Trim().ToLowerInvariant() switch
        {
            "inmemory" or "in-memory" or "memory" => TieringJobStorage.InMemory,
            "postgresql" or "postgres" => TieringJobStorage.PostgreSql,
            _ => throw new InvalidConfigException($"'{TieringOptions.Storage.Key}' is '{storageText}'; use inmemory or postgresql."),
        };
        var options = new TieringServiceOptions
        {
            BootstrapServers = client.BootstrapServers,
            LakeStorage = lakeStorage,
            Client = client,
            JobStorage = storage,
            PostgreSqlConnectionString = configuration.Get(TieringOptions.PostgreSqlConnectionString),
            PostgreSqlSchema = configuration.Get(TieringOptions.PostgreSqlSchema),
            PollInterval = configuration.Get(TieringOptions.PollTableInterval),
            Workers = configuration.Get(TieringOptions.Workers),
            HeartbeatInterval = configuration.Get(TieringOptions.HeartbeatInterval),
            MaxBytesPerBucketRound = configuration.Get(TieringOptions.MaxBytesPerBucketRound).Bytes,
            BucketParallelism = configuration.Get(TieringOptions.BucketParallelism),
            DashboardPort = configuration.Get(TieringOptions.DashboardPort),
        };
        options.Validate();
        return options;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="InvalidConfigException">What is wrong, with the key.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new InvalidConfigException($"'{ConfigOptions.BootstrapServers.Key}' is empty; give the cluster's servers as host:port.");
        if (LakeStorage is null) throw new InvalidConfigException("The tiering service needs a lake storage (datalake.format and its warehouse).");
        if (JobStorage == TieringJobStorage.PostgreSql && string.IsNullOrWhiteSpace(PostgreSqlConnectionString))
            throw new InvalidConfigException($"'{TieringOptions.Storage.Key}' is postgresql but '{TieringOptions.PostgreSqlConnectionString.Key}' is not set.");
        if (string.IsNullOrWhiteSpace(PostgreSqlSchema) || !PostgreSqlSchema.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new InvalidConfigException($"'{TieringOptions.PostgreSqlSchema.Key}' is '{PostgreSqlSchema}'; use letters, digits and '_'.");
        _ = Internal.HangfireSetup.CronOf(PollInterval);
        if (Workers is < 1 or > 256)
            throw new InvalidConfigException($"'{TieringOptions.Workers.Key}' is {Workers}; it must be between 1 and 256.");
        if (HeartbeatInterval <= TimeSpan.Zero)
            throw new InvalidConfigException($"'{TieringOptions.HeartbeatInterval.Key}' must be positive, but is {HeartbeatInterval}.");
        if (MaxBytesPerBucketRound <= 0)
            throw new InvalidConfigException($"'{TieringOptions.MaxBytesPerBucketRound.Key}' must be positive, but is {MaxBytesPerBucketRound}.");
        if (BucketParallelism is < 1 or > 64)
            throw new InvalidConfigException($"'{TieringOptions.BucketParallelism.Key}' is {BucketParallelism}; it must be between 1 and 64.");
        if (DashboardPort is < 0 or > 65535)
            throw new InvalidConfigException($"'{TieringOptions.DashboardPort.Key}' is {DashboardPort}; it must be a port number (0 = any free port).");
        if (LoggerFactory is null) throw new InvalidConfigException("The logger factory must not be null.");
        if (TimeProvider is null) throw new InvalidConfigException("The time provider must not be null.");
    }

    internal FlussClientOptions ClientOptions() =>
        (Client ?? new FlussClientOptions { BootstrapServers = BootstrapServers }) with { BootstrapServers = BootstrapServers, LoggerFactory = LoggerFactory };
}

/// <summary>The configuration keys of the tiering service.</summary>
public static class TieringOptions
{
    /// <summary>Prefix of the tiering keys, as in Fluss's tiering job arguments (<c>--lake.tiering.*</c>).</summary>
    public const string Prefix = "lake.tiering.";

    public static readonly ConfigOption<TimeSpan> PollTableInterval = ConfigOption.Duration(Prefix + "poll.table.interval", TimeSpan.FromSeconds(1))
        .WithFallbackKeys("tiering.poll.table.interval")
        .WithDescription("How often the coordinator is asked for a table to tier (Fluss's tiering.poll.table.interval).");

    public static readonly ConfigOption<int> Workers = ConfigOption.Int(Prefix + "workers", 4)
        .WithDescription("Tiering rounds this process runs at the same time (Hangfire workers).");

    public static readonly ConfigOption<TimeSpan> HeartbeatInterval = ConfigOption.Duration(Prefix + "heartbeat.interval", TimeSpan.FromSeconds(3))
        .WithDescription("Heartbeat interval of a running round.");

    public static readonly ConfigOption<MemorySize> MaxBytesPerBucketRound = ConfigOption.Memory(Prefix + "bucket.max-bytes-per-round", "256mb")
        .WithDescription("Arrow bytes a bucket's round reads at most; the rest follows in the next round, which is due at once.");

    public static readonly ConfigOption<int> BucketParallelism = ConfigOption.Int(Prefix + "bucket.parallelism", 2)
        .WithDescription("Buckets of one round read and written at the same time.");

    public static readonly ConfigOption<bool> Embedded = ConfigOption.Bool(Prefix + "embedded", true)
        .WithDescription("Whether a local cluster (fluss local start) runs the tiering service in its own process; false when separate fluss-tiering processes tier its tables.");

    public static readonly ConfigOption<string> Storage = ConfigOption.String("hangfire.storage", "inmemory")
        .WithDescription("Hangfire job storage: inmemory (one process) or postgresql (shared by several tiering processes).");

    public static readonly ConfigOption<string?> PostgreSqlConnectionString = ConfigOption.OptionalString("hangfire.postgresql.connection-string")
        .WithDescription("Npgsql connection string of the shared Hangfire database.");

    public static readonly ConfigOption<string> PostgreSqlSchema = ConfigOption.String("hangfire.postgresql.schema", "hangfire")
        .WithDescription("Schema of Hangfire's tables in the shared database.");

    public static readonly ConfigOption<int?> DashboardPort = ConfigOption.OptionalInt("hangfire.dashboard.port")
        .WithDescription("Serve the Hangfire dashboard on this loopback port (0 = any free port).");
}
