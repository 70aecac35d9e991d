using Fluss.Config;
using Fluss.MetadataStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.Coordinator;

/// <summary>
/// How to start a <see cref="CoordinatorServer"/>. The <see cref="Configuration"/> uses Fluss's keys:
/// <c>bind.listeners</c> (for example <c>FLUSS://127.0.0.1:0</c>; port 0 picks a free port) or the older
/// <c>coordinator.host</c>/<c>coordinator.port</c>, <c>advertised.listeners</c>, <c>internal.listener.name</c>,
/// <c>data.dir</c>, <c>default.bucket.number</c>, <c>default.replication.factor</c>, <c>max.bucket.num</c>,
/// <c>zookeeper.client.session-timeout</c> (tablet-server liveness), <c>netty.server.max-request-size</c>,
/// <c>zookeeper.path.root</c>, <c>remote.data.dir</c>, <c>datalake.enabled</c>/<c>datalake.format</c>,
/// <c>allow.create.log.tables</c>, <c>allow.create.kv.tables</c>.
/// </summary>
public sealed record CoordinatorServerOptions
{
    /// <summary>The server configuration (Fluss keys). Invalid values fail <see cref="CoordinatorServer.StartAsync"/> naming the key.</summary>
    public Configuration Configuration { get; init; } = new();

    /// <summary>
    /// The metadata store to use. It is not disposed by the coordinator. When null, the coordinator opens (and owns)
    /// an embedded durable store at <c>{data.dir}/coordinator/metadata</c>, which survives restarts.
    /// </summary>
    public EmbeddedMetadataStore? MetadataStore { get; init; }

    /// <summary>Clock for session expiry, registration and creation times; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Source of the random start of replica placement; tests may fix it.</summary>
    internal Random? AssignmentRandom { get; init; }
}
