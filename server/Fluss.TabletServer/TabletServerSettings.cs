using System.Globalization;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Storage.Log;

namespace Fluss.TabletServer;

/// <summary>A host and port pair, as written in listener strings and <c>coordinator.address</c>.</summary>
internal readonly record struct HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses <c>host:port</c> (IPv6 hosts in brackets); the message of a failure names <paramref name="key"/>.</summary>
    public static HostPort Parse(string text, string key, bool allowPortZero)
    {
        var value = text.Trim();
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
            throw new InvalidConfigException($"Invalid value '{text}' for '{key}': expected HOST:PORT, for example 127.0.0.1:9123.");
        var host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535 || (port == 0 && !allowPortZero))
            throw new InvalidConfigException($"Invalid value '{text}' for '{key}': the port must be a number from {(allowPortZero ? 0 : 1)} to 65535.");
        if (host.Length == 0)
            throw new InvalidConfigException($"Invalid value '{text}' for '{key}': the host is empty.");
        return new HostPort(host, port);
    }
}

/// <summary>
/// The tablet server's settings, read from its configuration and validated at start-up (every failure names the
/// key and the rule).
/// </summary>
internal sealed record TabletServerSettings
{
    /// <summary>Host the server binds to when neither <c>bind.listeners</c> nor <c>tablet-server.host</c> is set.</summary>
    public const string DefaultBindHost = "127.0.0.1";

    public required int ServerId { get; init; }

    public required HostPort Bind { get; init; }

    /// <summary>The host published to the coordinator and to clients (the advertised listener, else the bind host).</summary>
    public required string AdvertisedHost { get; init; }

    /// <summary>The advertised port, or null to publish the bound port.</summary>
    public int? AdvertisedPort { get; init; }

    public string? Rack { get; init; }

    public required string DataDir { get; init; }

    /// <summary>Where to register; null runs the server without a coordinator (it waits for requests only).</summary>
    public HostPort? CoordinatorAddress { get; init; }

    public required TimeSpan SessionTimeout { get; init; }

    public required int MaxRequestSize { get; init; }

    public required LogTabletOptions LogOptions { get; init; }

    public required TimeSpan HighWatermarkCheckpointInterval { get; init; }

    public required TimeSpan RecoveryPointCheckpointInterval { get; init; }

    public required TimeSpan RetentionCheckInterval { get; init; }

    public required int MinInSyncReplicas { get; init; }

    public required TimeSpan WriterIdExpirationCheckInterval { get; init; }

    /// <summary><c>remote.data.dir</c>: where KV snapshots go; null disables KV snapshots (recovery replays the whole changelog).</summary>
    public string? RemoteDataDir { get; init; }

    /// <summary><c>kv.snapshot.interval</c>: how often each KV tablet leader snapshots its state (zero disables).</summary>
    public TimeSpan KvSnapshotInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>kv.snapshot.num-retained</c>: completed KV snapshots kept per bucket.</summary>
    public int KvSnapshotNumRetained { get; init; } = 2;

    public static TabletServerSettings FromConfiguration(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var serverId = configuration.Get(ConfigOptions.TabletServerId)
            ?? throw new InvalidConfigException($"Missing '{ConfigOptions.TabletServerId.Key}': every tablet server needs a unique id (an integer >= 0).");

        var bind = ReadBind(configuration);
        var (advertisedHost, advertisedPort) = ReadAdvertised(configuration, bind);

        HostPort? coordinator = null;
        var coordinatorText = configuration.Get(TabletServerOptions.CoordinatorAddress);
        if (!string.IsNullOrWhiteSpace(coordinatorText))
            coordinator = HostPort.Parse(coordinatorText, TabletServerOptions.CoordinatorAddress.Key, allowPortZero: false);

        var sessionTimeout = configuration.Get(ConfigOptions.ZooKeeperSessionTimeout);
        if (sessionTimeout < TimeSpan.FromMilliseconds(30))
            throw new InvalidConfigException($"Invalid value {sessionTimeout} for '{ConfigOptions.ZooKeeperSessionTimeout.Key}': the session timeout must be at least 30 ms.");

        var maxRequest = configuration.Get(ConfigOptions.NettyServerMaxRequestSize);
        if (maxRequest.Bytes is < 1024 or > int.MaxValue)
            throw new InvalidConfigException($"Invalid value {maxRequest} for '{ConfigOptions.NettyServerMaxRequestSize.Key}': it must be from 1 KiB to 2 GiB.");

        var dataDir = configuration.Get(ConfigOptions.DataDir);
        if (string.IsNullOrWhiteSpace(dataDir))
            throw new InvalidConfigException($"Invalid value for '{ConfigOptions.DataDir.Key}': the data directory must not be empty.");

        return new TabletServerSettings
        {
            ServerId = serverId,
            Bind = bind,
            AdvertisedHost = advertisedHost,
            AdvertisedPort = advertisedPort,
            Rack = configuration.Get(ConfigOptions.TabletServerRack),
            DataDir = Path.GetFullPath(dataDir),
            CoordinatorAddress = coordinator,
            SessionTimeout = sessionTimeout,
            MaxRequestSize = (int)maxRequest.Bytes,
            LogOptions = LogTabletOptions.FromConfiguration(configuration),
            HighWatermarkCheckpointInterval = Positive(configuration, ConfigOptions.LogReplicaHighWatermarkCheckpointInterval),
            RecoveryPointCheckpointInterval = Positive(configuration, ConfigOptions.LogFlushOffsetCheckpointInterval),
            RetentionCheckInterval = Positive(configuration, ConfigOptions.LogRetentionCheckInterval),
            MinInSyncReplicas = configuration.Get(ConfigOptions.LogReplicaMinInSyncReplicasNumber),
            WriterIdExpirationCheckInterval = Positive(configuration, ConfigOptions.WriterIdExpirationCheckInterval),
            RemoteDataDir = string.IsNullOrWhiteSpace(configuration.Get(ConfigOptions.RemoteDataDir)) ? null : configuration.Get(ConfigOptions.RemoteDataDir),
            KvSnapshotInterval = NotNegative(configuration, ConfigOptions.KvSnapshotInterval),
            KvSnapshotNumRetained = configuration.Get(ConfigOptions.KvMaxRetainedSnapshots),
        };
    }

    private static TimeSpan NotNegative(Configuration configuration, ConfigOption<TimeSpan> option)
    {
        var value = configuration.Get(option);
        return value >= TimeSpan.Zero
            ? value
            : throw new InvalidConfigException($"Invalid value {value} for '{option.Key}': it must not be negative.");
    }

    private static TimeSpan Positive(Configuration configuration, ConfigOption<TimeSpan> option)
    {
        var value = configuration.Get(option);
        return value > TimeSpan.Zero
            ? value
            : throw new InvalidConfigException($"Invalid value {value} for '{option.Key}': it must be positive.");
    }

    private static HostPort ReadBind(Configuration configuration)
    {
        var listeners = configuration.Get(ConfigOptions.BindListeners);
        var legacyHost = configuration.Get(ConfigOptions.TabletServerHost);
        if (!string.IsNullOrWhiteSpace(listeners))
        {
            if (!string.IsNullOrWhiteSpace(legacyHost))
                throw new InvalidConfigException(
                    $"Config options are incompatible: set only one of '{ConfigOptions.BindListeners.Key}' and '{ConfigOptions.TabletServerHost.Key}'.");
            var internalName = configuration.Get(ConfigOptions.InternalListenerName);
            var parsed = ParseListeners(listeners, ConfigOptions.BindListeners.Key, allowPortZero: true);
            foreach (var (name, endpoint) in parsed)
                if (name == internalName) return endpoint;
            throw new InvalidConfigException(
                $"Invalid value '{listeners}' for '{ConfigOptions.BindListeners.Key}': the internal listener '{internalName}' ('{ConfigOptions.InternalListenerName.Key}') is not among the listeners.");
        }

        var portText = configuration.Get(ConfigOptions.TabletServerPort);
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new InvalidConfigException($"Invalid value '{portText}' for '{ConfigOptions.TabletServerPort.Key}': the port must be a number from 0 to 65535.");
        return new HostPort(string.IsNullOrWhiteSpace(legacyHost) ? DefaultBindHost : legacyHost.Trim(), port);
    }

    private static (string Host, int? Port) ReadAdvertised(Configuration configuration, HostPort bind)
    {
        var advertised = configuration.Get(ConfigOptions.AdvertisedListeners);
        if (!string.IsNullOrWhiteSpace(advertised))
        {
            var internalName = configuration.Get(ConfigOptions.InternalListenerName);
            foreach (var (name, endpoint) in ParseListeners(advertised, ConfigOptions.AdvertisedListeners.Key, allowPortZero: false))
                if (name == internalName) return (endpoint.Host, endpoint.Port);
        }
        var host = bind.Host is "0.0.0.0" or "::" or "[::]" ? Environment.MachineName : bind.Host;
        return (host, null);
    }

    /// <summary>Parses <c>NAME://host:port</c> entries separated by commas.</summary>
    internal static List<(string Name, HostPort Endpoint)> ParseListeners(string text, string key, bool allowPortZero)
    {
        var result = new List<(string, HostPort)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var sep = part.IndexOf("://", StringComparison.Ordinal);
            if (sep <= 0)
                throw new InvalidConfigException($"Invalid listener '{part}' in '{key}': expected NAME://HOST:PORT, for example FLUSS://127.0.0.1:9123.");
            var name = part[..sep];
            if (result.Exists(l => l.Item1 == name))
                throw new InvalidConfigException($"Invalid value '{text}' for '{key}': the listener name '{name}' appears twice.");
            result.Add((name, HostPort.Parse(part[(sep + 3)..], key, allowPortZero)));
        }
        if (result.Count == 0)
            throw new InvalidConfigException($"Invalid value '{text}' for '{key}': no listener is given.");
        return result;
    }
}
