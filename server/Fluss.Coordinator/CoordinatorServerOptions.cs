using Fluss.Config;
using Fluss.Lake;
using Fluss.MetadataStore;
using Fluss.Storage.Remote;
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
/// <c>allow.create.log.tables</c>, <c>allow.create.kv.tables</c>, <c>lake.tiering.service-timeout</c>.
/// </summary>
public sealed record CoordinatorServerOptions
{
    /// <summary>
    /// How long a tiering service may stay silent about a table it tiers before the table is handed to another one
    /// (Fluss's fixed 2 minutes, configurable here).
    /// </summary>
    public static readonly ConfigOption<TimeSpan> LakeTieringServiceTimeout = ConfigOption.Duration("lake.tiering.service-timeout", TimeSpan.FromMinutes(2))
        .WithDescription("How long a tiering service may send no heartbeat for a table it tiers before the table is pending again.");

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

    /// <summary>
    /// The cluster's lake (for example <c>PaimonLakeStorage.FromConfiguration(conf)</c>), where tables with
    /// <c>table.datalake.enabled=true</c> get their lake table. Null: the cluster has no lake, and such tables are
    /// refused with LAKE_STORAGE_NOT_CONFIGURED. When <c>datalake.format</c> is not configured, the lake's format is used.
    /// </summary>
    public ILakeStorage? LakeStorage { get; init; }

    /// <summary>The file system of <c>remote.data.dir</c> (lake offsets files); null means the local file system.</summary>
    public IFileSystem? RemoteFileSystem { get; init; }

    /// <summary>Source of the random start of replica placement; tests may fix it.</summary>
    internal Random? AssignmentRandom { get; init; }
}
