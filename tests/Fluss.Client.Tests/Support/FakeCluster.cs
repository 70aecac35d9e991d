using System.Net;
using System.Net.Sockets;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fluss.Tests.Client.Support;

/// <summary>
/// An in-process gRPC server that plays coordinator and one tablet server (node 1) with in-memory logs, following
/// the contract's semantics (idempotent appends by writer id and batch sequence, projection pushdown, long poll,
/// list offsets), with hooks to inject faults at the RPC boundary.
/// </summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeCluster(WebApplication app, FakeState state, int port)
    {
        _app = app;
        State = state;
        Port = port;
    }

    public FakeState State { get; }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<FakeCluster> StartAsync()
    {
        var state = new FakeState();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
            o.Interceptors.Add<FlussErrorInterceptor>();
        });
        var app = builder.Build();
        app.MapGrpcService<FakeReadOnlyService>();
        app.MapGrpcService<FakeCoordinatorService>();
        app.MapGrpcService<FakeTabletService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        state.Port = port;
        return new FakeCluster(app, state, port);
    }

    /// <summary>A loopback port nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The fake cluster's data and fault hooks; all access under <see cref="Lock"/>.</summary>
internal sealed class FakeState
{
    public Lock Lock { get; } = new();

    public int Port { get; set; }

    /// <summary>Port the metadata reports for the coordinator (default: the fake itself).</summary>
    public int? CoordinatorPort { get; set; }

    public Dictionary<string, DatabaseDescriptor> Databases { get; } = new(StringComparer.Ordinal);

    public Dictionary<TablePath, FakeTable> Tables { get; } = [];

    public long NextWriterId { get; set; } = 1;

    public int MetadataRequests { get; set; }

    public int InitWriterRequests { get; set; }

    public int ProduceRequests { get; set; }

    public List<Rpc.Messages.FetchLogRequest> FetchRequests { get; } = [];

    /// <summary>Called per bucket of each produce request with the attempt number (1-based per bucket); a code fails that bucket.</summary>
    public Func<int, int, FlussErrorCode?>? ProduceFault { get; set; }

    /// <summary>Produce responses to lose after the records were appended (the client sees a network error).</summary>
    public int DropProduceResponses { get; set; }

    /// <summary>Called per bucket of each fetch with the attempt number; a code fails that bucket.</summary>
    public Func<int, int, FlussErrorCode?>? FetchFault { get; set; }

    public Dictionary<int, int> ProduceAttempts { get; } = [];

    /// <summary>PutKv requests received (copies), in order.</summary>
    public List<Rpc.Messages.PutKvRequest> PutKvRequests { get; } = [];

    /// <summary>Called per bucket of each PutKv request with the attempt number (1-based per bucket); a code fails that bucket.</summary>
    public Func<int, int, FlussErrorCode?>? PutKvFault { get; set; }

    /// <summary>PutKv responses to lose after the records were applied (the client sees a network error).</summary>
    public int DropPutKvResponses { get; set; }

    public Dictionary<int, int> PutKvAttempts { get; } = [];

    /// <summary>Lookup and PrefixLookup requests received (copies), in order.</summary>
    public List<Google.Protobuf.IMessage> LookupRequests { get; } = [];

    /// <summary>Called per bucket of each lookup request with the attempt number; a code fails that bucket.</summary>
    public Func<int, int, FlussErrorCode?>? LookupFault { get; set; }

    public Dictionary<int, int> LookupAttempts { get; } = [];

    /// <summary>When set, lookup requests are recorded at once but answered only after this task completes.</summary>
    public Task? LookupGate { get; set; }

    public Dictionary<int, int> FetchAttempts { get; } = [];

    /// <summary>Every AlterTable request received.</summary>
    public List<Rpc.Messages.AlterTableRequest> AlterRequests { get; } = [];

    /// <summary>What GetLakeSnapshot answers; null: LAKE_SNAPSHOT_NOT_EXIST.</summary>
    public Rpc.Messages.GetLakeSnapshotResponse? LakeSnapshot { get; set; }

    public FakeTable AddTable(TablePath path, TableDescriptor descriptor)
    {
        lock (Lock)
        {
            Databases.TryAdd(path.DatabaseName, DatabaseDescriptor.Empty);
            var table = new FakeTable(100 + Tables.Count, path, descriptor);
            Tables[path] = table;
            return table;
        }
    }
}

internal sealed class FakeTable(long id, TablePath path, TableDescriptor descriptor)
{
    public long Id { get; } = id;

    public TablePath Path { get; } = path;

    public TableDescriptor Descriptor { get; } = descriptor;

    public int SchemaId { get; } = 1;

    public FakeLog[] Logs { get; } = Enumerable.Range(0, descriptor.BucketCount!.Value).Select(_ => new FakeLog()).ToArray();

    public FakeKv[] Kv { get; } = Enumerable.Range(0, descriptor.BucketCount!.Value).Select(_ => new FakeKv()).ToArray();

    public TableInfo Info => TableInfo.Of(Path, Id, SchemaId, Descriptor, null, 0, 0);
}

/// <summary>One bucket's log: whole batches with their assigned base offsets, plus idempotent writer state.</summary>
internal sealed class FakeLog
{
    public List<byte[]> Batches { get; } = [];

    public long NextOffset { get; set; }

    public Dictionary<long, (int LastSequence, Dictionary<int, long> BaseOffsets)> Writers { get; } = [];

    public int RowCount => Batches.Sum(b => new Records.Log.LogRecordBatch(b).RecordCount);
}

/// <summary>One bucket's key-value state (last write wins), with idempotent writer state and a changelog offset.</summary>
internal sealed class FakeKv
{
    /// <summary>Stored values ([schema id][row]) by key, the key as hex.</summary>
    public SortedDictionary<string, byte[]> Values { get; } = new(StringComparer.Ordinal);

    public long LogEndOffset { get; set; }

    public Dictionary<long, int> LastSequences { get; } = [];

    /// <summary>Every batch applied, in order.</summary>
    public List<byte[]> Batches { get; } = [];
}
