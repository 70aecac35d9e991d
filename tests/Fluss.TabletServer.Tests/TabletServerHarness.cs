using Fluss.Arrow;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Rpc;
using Fluss.Rpc.Messages;
using Fluss.TabletServer;
using Fluss.Types;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fluss.Tests.TabletServer;

/// <summary>
/// A real tablet server on loopback port 0 over a temporary data directory, driven through the generated gRPC
/// clients; the test plays the coordinator (NotifyLeaderAndIsr, UpdateMetadata, StopReplica).
/// </summary>
internal sealed class TabletServerHarness : IAsyncDisposable
{
    public const long TableId = 7;
    public const int SchemaId = 1;
    public const int ServerId = 1;
    public static readonly TablePath OrdersPath = new("fluss", "orders");

    public static readonly Schema TableSchema = Schema.NewBuilder()
        .Column("id", new IntType())
        .Column("name", new StringType())
        .Column("amount", new BigIntType())
        .Build();

    public static RowType RowType => TableSchema.RowType;

    private readonly Action<Configuration>? _configure;
    private readonly TimeProvider _time;
    private readonly bool _ownsDirectory;
    private GrpcChannel? _channel;

    private TabletServerHarness(string dataDir, bool ownsDirectory, Action<Configuration>? configure, TimeProvider time)
    {
        DataDir = dataDir;
        _ownsDirectory = ownsDirectory;
        _configure = configure;
        _time = time;
    }

    public string DataDir { get; }

    public Fluss.TabletServer.TabletServer Server { get; private set; } = null!;

    public TabletService.TabletServiceClient Tablet { get; private set; } = null!;

    public AdminReadOnlyService.AdminReadOnlyServiceClient Admin { get; private set; } = null!;

    public static string NewTempDir()
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluss-ts-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static async Task<TabletServerHarness> StartAsync(Action<Configuration>? configure = null, TimeProvider? time = null, string? dataDir = null)
    {
        var harness = new TabletServerHarness(dataDir ?? NewTempDir(), dataDir is null, configure, time ?? TimeProvider.System);
        await harness.StartServerAsync();
        return harness;
    }

    public Configuration BuildConfiguration()
    {
        var config = new Configuration()
            .SetString("tablet-server.id", ServerId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .SetString("bind.listeners", "FLUSS://127.0.0.1:0")
            .SetString("data.dir", DataDir);
        _configure?.Invoke(config);
        return config;
    }

    private async Task StartServerAsync()
    {
        Server = await Fluss.TabletServer.TabletServer.StartAsync(new TabletServerOptions(BuildConfiguration()) { TimeProvider = _time });
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Server.Port}", new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
        Tablet = new TabletService.TabletServiceClient(_channel);
        Admin = new AdminReadOnlyService.AdminReadOnlyServiceClient(_channel);
    }

    /// <summary>Stops the server cleanly and starts a new one on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await StopServerAsync();
        await StartServerAsync();
    }

    /// <summary>Kills the server abruptly (no clean shutdown) and starts a new one on the same data directory.</summary>
    public async Task KillAndRestartAsync()
    {
        _channel?.Dispose();
        _channel = null;
        await Server.KillAsync();
        await StartServerAsync();
    }

    public async Task StopServerAsync()
    {
        _channel?.Dispose();
        _channel = null;
        await Server.StopAsync();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Coordinator messages
    // ---------------------------------------------------------------------------------------------------------

    public static TableDescriptor Descriptor(int buckets = 2, IReadOnlyDictionary<string, string>? properties = null)
    {
        var builder = TableDescriptor.NewBuilder().Schema(TableSchema).DistributedBy(buckets);
        if (properties is not null) builder.Properties(properties);
        return builder.Build();
    }

    public static PbTableMetadata TableMetadata(TableDescriptor? descriptor = null, long tableId = TableId, TablePath? path = null)
    {
        path ??= OrdersPath;
        return new PbTableMetadata
        {
            TablePath = new PbTablePath { DatabaseName = path.DatabaseName, TableName = path.TableName },
            TableId = tableId,
            SchemaId = SchemaId,
            TableJson = ByteString.CopyFrom((descriptor ?? Descriptor()).ToJsonBytes()),
            CreatedTime = 1_700_000_000_000,
            ModifiedTime = 1_700_000_000_000,
        };
    }

    public static PbNotifyLeaderAndIsrReqForBucket LeaderAndIsr(int bucket, int leader = ServerId, int leaderEpoch = 0, int[]? replicas = null, int[]? isr = null,
        TableDescriptor? descriptor = null, long tableId = TableId)
    {
        var entry = new PbNotifyLeaderAndIsrReqForBucket
        {
            PhysicalTablePath = new PbPhysicalTablePath { DatabaseName = OrdersPath.DatabaseName, TableName = OrdersPath.TableName },
            TableBucket = new PbTableBucket { TableId = tableId, BucketId = bucket },
            Leader = leader,
            LeaderEpoch = leaderEpoch,
            BucketEpoch = leaderEpoch,
            TableMetadata = TableMetadata(descriptor, tableId),
        };
        entry.Replicas.AddRange(replicas ?? [ServerId]);
        entry.Isr.AddRange(isr ?? replicas ?? [ServerId]);
        return entry;
    }

    public async Task<PbNotifyLeaderAndIsrRespForBucket> NotifyAsync(PbNotifyLeaderAndIsrReqForBucket entry, int coordinatorEpoch = 1)
    {
        var request = new NotifyLeaderAndIsrRequest { CoordinatorEpoch = coordinatorEpoch };
        request.NotifyBucketsLeaderReq.Add(entry);
        var response = await Tablet.NotifyLeaderAndIsrAsync(request);
        return Assert.Single(response.NotifyBucketsLeaderResp);
    }

    /// <summary>Makes this server the leader of the given buckets (RF=1).</summary>
    public async Task LeadAsync(params int[] buckets)
    {
        foreach (var bucket in buckets)
        {
            var result = await NotifyAsync(LeaderAndIsr(bucket));
            Assert.False(result.HasErrorCode && result.ErrorCode != 0, result.ErrorMessage);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Data plane
    // ---------------------------------------------------------------------------------------------------------

    public async Task<PbProduceLogRespForBucket> ProduceAsync(int bucket, ReadOnlyMemory<byte> records, int acks = -1, int timeoutMs = 30_000, long tableId = TableId)
    {
        var request = new ProduceLogRequest { Acks = acks, TableId = tableId, TimeoutMs = timeoutMs };
        request.BucketsReq.Add(new PbProduceLogReqForBucket { BucketId = bucket, Records = ByteString.CopyFrom(records.Span) });
        var response = await Tablet.ProduceLogAsync(request);
        return Assert.Single(response.BucketsResp);
    }

    public static FetchLogRequest FetchRequest(int bucket, long offset, int maxFetchBytes = 1 << 20, int[]? projection = null, int followerId = -1, long tableId = TableId)
    {
        var table = new PbFetchLogReqForTable { TableId = tableId, ProjectionPushdownEnabled = projection is not null };
        if (projection is not null) table.ProjectedFields.AddRange(projection);
        table.BucketsReq.Add(new PbFetchLogReqForBucket { BucketId = bucket, FetchOffset = offset, MaxFetchBytes = maxFetchBytes });
        var request = new FetchLogRequest { FollowerServerId = followerId, MaxBytes = 16 << 20 };
        request.TablesReq.Add(table);
        return request;
    }

    public async Task<PbFetchLogRespForBucket> FetchAsync(int bucket, long offset, int maxFetchBytes = 1 << 20, int[]? projection = null, int followerId = -1)
    {
        var response = await Tablet.FetchLogAsync(FetchRequest(bucket, offset, maxFetchBytes, projection, followerId));
        return Assert.Single(Assert.Single(response.TablesResp).BucketsResp);
    }

    public async Task<PbListOffsetsRespForBucket> ListOffsetAsync(int bucket, int offsetType, long? timestamp = null, int followerId = -1)
    {
        var request = new ListOffsetsRequest { FollowerServerId = followerId, OffsetType = offsetType, TableId = TableId };
        request.BucketId.Add(bucket);
        if (timestamp is { } ts) request.StartTimestamp = ts;
        var response = await Tablet.ListOffsetsAsync(request);
        return Assert.Single(response.BucketsResp);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Records
    // ---------------------------------------------------------------------------------------------------------

    public static List<GenericRow> MakeRows(int start, int count, int nameLength = 8) =>
        Enumerable.Range(start, count)
            .Select(i => GenericRow.Of(i, $"n{i}-" + new string((char)('a' + (i % 26)), nameLength), (long)i * 1000))
            .ToList();

    public static byte[] Batch(IReadOnlyList<GenericRow> rows, long writerId = -1, int batchSequence = -1, ArrowCompressionType codec = ArrowCompressionType.None)
    {
        using var rowsBuilder = new ArrowBatchBuilder(RowType);
        foreach (var row in rows) rowsBuilder.Append(row);
        using var builder = new ArrowLogBatchBuilder(codec);
        return builder.BuildAppendOnly(rowsBuilder, new LogBatchHeader(SchemaId, writerId, batchSequence)).ToArray();
    }

    /// <summary>Every record of the fetched batches, decoded with <paramref name="rowType"/>.</summary>
    public static List<LogRecord> Decode(ByteString records, RowType? rowType = null)
    {
        var result = new List<LogRecord>();
        foreach (var batch in new LogRecords(records.Memory))
        {
            batch.EnsureValid();
            result.AddRange(batch.ReadRows(rowType ?? RowType));
        }
        return result;
    }

    public static List<LogRecordBatch> Batches(ByteString records)
    {
        var result = new List<LogRecordBatch>();
        foreach (var batch in new LogRecords(records.Memory)) result.Add(batch);
        return result;
    }

    public static FlussErrorCode CodeOf(RpcException e) => RpcErrors.FromRpcException(e, "test").ErrorCode;

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await Server.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

internal static class ErrorAssert
{
    public static void Code(FlussErrorCode expected, int? actual, string? message = null) =>
        Assert.True(actual == (int)expected, $"Expected error {expected} ({(int)expected}) but got {actual}: {message}");

    public static void NoError(bool hasCode, int code, string? message) =>
        Assert.True(!hasCode || code == 0, $"Unexpected error {(FlussErrorCode)code}: {message}");
}
