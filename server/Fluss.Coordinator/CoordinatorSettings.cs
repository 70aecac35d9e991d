using System.Globalization;
using Fluss.Config;
using Fluss.Coordinator.Store;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.MetadataStore;

namespace Fluss.Coordinator;

/// <summary>
/// The coordinator's options read from a <see cref="Configuration"/> with Fluss's keys, checked once at start-up so
/// that a bad value fails there with the key and the rule in the message.
/// </summary>
internal sealed record CoordinatorSettings
{
    /// <summary>The id the coordinator has in metadata responses (Fluss uses 0).</summary>
    public const int CoordinatorNodeId = 0;

    /// <summary>The listeners to bind (port 0 = any free port); the internal one is the coordinator's address.</summary>
    public required IReadOnlyList<Listener> BindListeners { get; init; }

    /// <summary>Advertised addresses by listener name (from <c>advertised.listeners</c>), when they differ from the bound ones.</summary>
    public required IReadOnlyDictionary<string, Listener> AdvertisedListeners { get; init; }

    public required string InternalListenerName { get; init; }

    public required string DataDir { get; init; }

    public required int DefaultBucketNumber { get; init; }

    public required int DefaultReplicationFactor { get; init; }

    public required int MaxBucketNum { get; init; }

    public required TimeSpan SessionTimeout { get; init; }

    public required int MaxRequestSize { get; init; }

    public required string ZooKeeperRoot { get; init; }

    public required string? RemoteDataDir { get; init; }

    public required DataLakeFormat? DataLakeFormat { get; init; }

    public required bool DataLakeEnabled { get; init; }

    public required bool AllowLogTables { get; init; }

    public required bool AllowKvTables { get; init; }

    /// <summary>How long a tiering service may stay silent about a table it tiers (<c>lake.tiering.service-timeout</c>).</summary>
    public required TimeSpan LakeTieringServiceTimeout { get; init; }

    public static CoordinatorSettings From(Configuration conf)
    {
        ArgumentNullException.ThrowIfNull(conf);
        var internalName = conf.Get(ConfigOptions.InternalListenerName);
        var bind = BindListenersOf(conf, internalName);
        IReadOnlyList<Listener> advertised;
        try
        {
            advertised = Listener.ParseList(conf.Get(ConfigOptions.AdvertisedListeners));
        }
        catch (FormatException e)
        {
            throw new InvalidConfigException($"Invalid '{ConfigOptions.AdvertisedListeners.Key}': {e.Message}");
        }
        foreach (var a in advertised)
        {
            if (bind.All(b => b.Name != a.Name))
                throw new InvalidConfigException(
                    $"Invalid '{ConfigOptions.AdvertisedListeners.Key}': advertised listener name {a.Name} is not included in listeners {Listener.FormatList(bind)}.");
        }

        var sessionTimeout = conf.Get(ConfigOptions.ZooKeeperSessionTimeout);
        if (sessionTimeout < TimeSpan.FromMilliseconds(1) || sessionTimeout.TotalMilliseconds > int.MaxValue)
            throw new InvalidConfigException(
                $"Invalid '{ConfigOptions.ZooKeeperSessionTimeout.Key}': {sessionTimeout} must be between 1 ms and {int.MaxValue} ms.");
        var maxRequest = conf.Get(ConfigOptions.NettyServerMaxRequestSize).Bytes;
        if (maxRequest < 1024)
            throw new InvalidConfigException($"Invalid '{ConfigOptions.NettyServerMaxRequestSize.Key}': {maxRequest} bytes is too small; use at least 1kb.");

        var lakeFormat = conf.Get(ConfigOptions.DataLakeFormatOption);
        var tieringTimeout = conf.Get(CoordinatorServerOptions.LakeTieringServiceTimeout);
        if (tieringTimeout < TimeSpan.FromMilliseconds(1))
            throw new InvalidConfigException(
                $"Invalid '{CoordinatorServerOptions.LakeTieringServiceTimeout.Key}': {tieringTimeout} must be at least 1 ms.");
        return new CoordinatorSettings
        {
            BindListeners = bind,
            AdvertisedListeners = advertised.ToDictionary(a => a.Name, StringComparer.Ordinal),
            InternalListenerName = internalName,
            DataDir = conf.Get(ConfigOptions.DataDir),
            DefaultBucketNumber = conf.Get(ConfigOptions.DefaultBucketNumber),
            DefaultReplicationFactor = conf.Get(ConfigOptions.DefaultReplicationFactor),
            MaxBucketNum = conf.Get(ConfigOptions.MaxBucketNum),
            SessionTimeout = sessionTimeout,
            MaxRequestSize = (int)Math.Min(maxRequest, int.MaxValue),
            ZooKeeperRoot = conf.Get(ConfigOptions.ZooKeeperRoot),
            RemoteDataDir = conf.Get(ConfigOptions.RemoteDataDir),
            DataLakeFormat = lakeFormat,
            DataLakeEnabled = conf.Get(ConfigOptions.DataLakeEnabled) ?? lakeFormat is not null,
            AllowLogTables = conf.Get(ConfigOptions.LogTableAllowCreation),
            AllowKvTables = conf.Get(ConfigOptions.KvTableAllowCreation),
            LakeTieringServiceTimeout = tieringTimeout,
        };
    }

    /// <summary>The paths of Fluss's node layout under <see cref="ZooKeeperRoot"/>.</summary>
    public FlussZkPaths Paths() => new(ZooKeeperRoot);

    /// <summary>The directory of the embedded metadata store: <c>{data.dir}/coordinator/metadata</c>.</summary>
    public string MetadataDirectory => Path.Combine(DataDir, "coordinator", "metadata");

    private static List<Listener> BindListenersOf(Configuration conf, string internalName)
    {
        var listenersText = conf.Get(ConfigOptions.BindListeners);
        var host = conf.Get(ConfigOptions.CoordinatorHost);
        if (listenersText is not null && host is not null)
            throw new InvalidConfigException(
                $"Config options are incompatible. Only one of '{ConfigOptions.BindListeners.Key}' and '{ConfigOptions.CoordinatorHost.Key}' must be set.");
        if (listenersText is not null)
        {
            List<Listener> listeners;
            try
            {
                listeners = Listener.ParseList(listenersText);
            }
            catch (FormatException e)
            {
                throw new InvalidConfigException($"Invalid '{ConfigOptions.BindListeners.Key}': {e.Message}");
            }
            if (listeners.Count == 0)
                throw new InvalidConfigException($"'{ConfigOptions.BindListeners.Key}' is empty; set it to {ConfigOptions.DefaultListenerName}://host:port.");
            if (listeners.All(l => l.Name != internalName))
                throw new InvalidConfigException(
                    $"Internal listener name {internalName} ('{ConfigOptions.InternalListenerName.Key}') is not included in listeners {listenersText} ('{ConfigOptions.BindListeners.Key}').");
            var ports = listeners.Where(l => l.Port != 0).Select(l => l.Port).ToList();
            if (ports.Count != ports.Distinct().Count())
                throw new InvalidConfigException($"Invalid '{ConfigOptions.BindListeners.Key}': there is more than one endpoint with the same port, listeners: {listenersText}");
            return listeners;
        }
        if (conf.ContainsKey(ConfigOptions.InternalListenerName.Key))
            throw new InvalidConfigException(
                $"Config '{ConfigOptions.InternalListenerName.Key}' cannot be set without '{ConfigOptions.BindListeners.Key}'.");
        if (host is null)
            throw new InvalidConfigException(
                $"The '{ConfigOptions.BindListeners.Key}' is not configured; set it to {ConfigOptions.DefaultListenerName}://host:port (port 0 picks a free port).");
        var portText = conf.Get(ConfigOptions.CoordinatorPort);
        if (!int.TryParse(portText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
            throw new InvalidConfigException($"Invalid '{ConfigOptions.CoordinatorPort.Key}': '{portText}' is not a port number (0 to 65535).");
        return [new Listener(ConfigOptions.DefaultListenerName, host, port)];
    }
}
