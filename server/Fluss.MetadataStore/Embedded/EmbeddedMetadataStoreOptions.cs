using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.MetadataStore;

/// <summary>Options of an <see cref="EmbeddedMetadataStore"/>.</summary>
public sealed record EmbeddedMetadataStoreOptions
{
    /// <summary>Directory holding the log and snapshot; null keeps everything in memory (tests, throw-away clusters).</summary>
    public string? Directory { get; init; }

    /// <summary>Clock for node times and session expiry; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Fsync the log on every commit (default). Turning it off loses the last commits on a machine crash, never consistency.</summary>
    public bool SyncOnCommit { get; init; } = true;

    /// <summary>Write a snapshot and empty the log after this many log records (default 10,000).</summary>
    public int SnapshotAfterRecords { get; init; } = 10_000;

    /// <summary>Write a snapshot and empty the log once it is this large (default 64 MiB).</summary>
    public long SnapshotAfterLogBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How often sessions are checked for expiry (default 100 ms); each operation checks too.</summary>
    public TimeSpan SessionCheckInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest node data in bytes (default 1,048,575, ZooKeeper's default <c>jute.maxbuffer</c>).</summary>
    public int MaxDataSize { get; init; } = 0xFFFFF;
}

/// <summary>Options of one session (store handle).</summary>
public sealed record MetadataSessionOptions
{
    /// <summary>Fluss's default <c>zookeeper.client.session-timeout</c>.</summary>
    public static readonly TimeSpan DefaultSessionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The session expires when the store hears nothing from it for this long (default 60 s).</summary>
    public TimeSpan SessionTimeout { get; init; } = DefaultSessionTimeout;

    /// <summary>
    /// Keep the session alive with a heartbeat every third of the timeout, as ZooKeeper clients ping (default true).
    /// Off, only operations and <see cref="EmbeddedMetadataStore.TouchSession"/> keep it alive: tests use this to
    /// simulate a process that stopped responding.
    /// </summary>
    public bool AutoHeartbeat { get; init; } = true;
}
