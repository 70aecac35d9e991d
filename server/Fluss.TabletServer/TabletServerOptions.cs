using Fluss.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.TabletServer;

/// <summary>
/// What a <see cref="TabletServer"/> starts from: its configuration (Fluss's keys), a clock and a logger factory.
/// </summary>
/// <remarks>
/// Keys read: <c>tablet-server.id</c> (required), <c>bind.listeners</c> (<c>FLUSS://host:port</c>; port 0 picks a
/// free port; or the older <c>tablet-server.host</c> / <c>tablet-server.port</c>; default 127.0.0.1:0),
/// <c>advertised.listeners</c>, <c>internal.listener.name</c>, <c>tablet-server.rack</c>, <c>data.dir</c>,
/// <c>coordinator.address</c> (see <see cref="CoordinatorAddress"/>), <c>zookeeper.client.session-timeout</c>
/// (liveness session; heartbeats go every third of it), <c>netty.server.max-request-size</c> (largest request),
/// <c>log.segment.file-size</c>, <c>log.index.file-size</c>, <c>log.index.interval-size</c>,
/// <c>log.flush.interval-messages</c>, <c>log.retention.check-interval</c> (TTL retention pass, by each table's
/// <c>table.log.ttl</c>), <c>log.replica.high-watermark.checkpoint-interval</c>,
/// <c>log.flush.offset.checkpoint-interval</c> (recovery points), <c>log.replica.min-in-sync-replicas-number</c>,
/// <c>server.writer-id.expiration-time</c> and <c>server.writer-id.expiration-check-interval</c>.
/// </remarks>
public sealed record TabletServerOptions
{
    /// <summary>
    /// <c>coordinator.address</c>: HOST:PORT of the coordinator's gRPC endpoint that the tablet server registers with
    /// and heartbeats to. Fluss has no such key (its servers meet in ZooKeeper); here tablet servers never touch the
    /// metadata store and find the coordinator through this address. When unset, the server does not register and
    /// only answers the requests sent to it.
    /// </summary>
    public static readonly ConfigOption<string?> CoordinatorAddress = ConfigOption.OptionalString("coordinator.address")
        .WithDescription("HOST:PORT of the coordinator a tablet server registers with and heartbeats to.");

    public TabletServerOptions(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
    }

    /// <summary>The server's configuration (Fluss's keys); read once at start.</summary>
    public Configuration Configuration { get; init; }

    /// <summary>The clock of heartbeats, checkpoints, retention and long polls.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
