using System.Text;
using Fluss.Arrow;
using Fluss.Config;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rpc.Messages;

namespace Fluss.Tests.Coordinator.Support;

/// <summary>A coordinator with a Paimon lake in its temp directory, and the calls a tiering service makes.</summary>
internal static class LakeSupport
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ServiceTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A coordinator (fake clock) with <c>remote.data.dir</c> and a Paimon warehouse under its data dir, one tablet server and database <c>shop</c>.</summary>
    public static async Task<CoordinatorHarness> StartAsync(Func<string, ILakeStorage?>? lake = null)
    {
        var h = await CoordinatorHarness.StartAsync(conf =>
        {
            conf.SetString(ConfigOptions.RemoteDataDir.Key, RemoteDir(conf));
            conf.SetString("lake.tiering.service-timeout", "10 s");
        }, lake ?? (dir => new PaimonLakeStorage(Path.Combine(dir, "warehouse"))));
        await h.AddTabletServersAsync(1);
        await h.CreateDatabaseAsync("shop");
        return h;
    }

    public static string RemoteDir(Configuration conf) => Path.Combine(conf.Get(ConfigOptions.DataDir), "remote");

    /// <summary>A log table with the datalake enabled (freshness 30 s).</summary>
    public static TableDescriptor LakeLog(int buckets = 3, bool lake = true)
    {
        var b = TableDescriptor.NewBuilder().Schema(Tables.LogSchema()).DistributedBy(buckets);
        if (lake) b.Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "30 s");
        return b.Build();
    }

    public static PbTablePath PbPath(TablePath p) => new() { DatabaseName = p.DatabaseName, TableName = p.TableName };

    public static async Task<long> TableIdAsync(CoordinatorHarness h, TablePath path) =>
        (await h.Admin.GetTableInfoAsync(new GetTableInfoRequest { TablePath = PbPath(path) })).TableId;

    /// <summary>Waits out the freshness and asks for a table, as a tiering service does.</summary>
    public static async Task<PbLakeTieringTableInfo> ClaimAsync(CoordinatorHarness h)
    {
        h.Clock!.Advance(Freshness);
        var response = await h.Coordinator.LakeTieringHeartbeatAsync(new LakeTieringHeartbeatRequest { RequestTable = true });
        Assert.NotNull(response.TieringTable);
        return response.TieringTable;
    }

    public static PbHeartbeatReqForTable Round(CoordinatorHarness h, long tableId, long epoch) =>
        new() { TableId = tableId, TieringEpoch = epoch, CoordinatorEpoch = h.Server.CoordinatorEpoch };

    public static async Task<PbPrepareLakeTableRespForTable> PrepareAsync(CoordinatorHarness h, TablePath path, long tableId, long? epoch,
        IReadOnlyDictionary<int, long> offsets, bool ignorePrevious = false)
    {
        var table = new PbTableOffsets { TableId = tableId, TablePath = PbPath(path) };
        if (epoch is { } e) table.TieringEpoch = e;
        foreach (var (bucket, offset) in offsets)
            table.BucketOffsets.Add(new PbBucketOffset { BucketId = bucket, LogEndOffset = offset });
        var request = new PrepareLakeTableSnapshotRequest();
        request.BucketOffsets.Add(table);
        if (ignorePrevious) request.IgnorePreviousTableOffsets = true;
        return (await h.Coordinator.PrepareLakeTableSnapshotAsync(request)).PrepareLakeTableResp.Single();
    }

    public static async Task<PbCommitLakeTableSnapshotRespForTable> CommitAsync(CoordinatorHarness h, long tableId, long snapshotId, string offsetsPath,
        long? epoch, long? earliestToKeep = null)
    {
        var metadata = new PbLakeTableSnapshotMetadata { TableId = tableId, SnapshotId = snapshotId, TieredBucketOffsetsFilePath = offsetsPath };
        if (epoch is { } e) metadata.TieringEpoch = e;
        if (earliestToKeep is { } k) metadata.EarliestSnapshotIdToKeep = k;
        var request = new CommitLakeTableSnapshotRequest();
        request.LakeTableSnapshotMetadata.Add(metadata);
        return (await h.Coordinator.CommitLakeTableSnapshotAsync(request)).TableResp.Single();
    }

    /// <summary>Writes rows into bucket 0 of the lake table and commits them with the offsets file path, as tiering does.</summary>
    public static async Task<long> LakeCommitAsync(ILakeStorage lake, TablePath path, string offsetsPath, params (int Id, string Name, long Amount)[] rows)
    {
        var writer = await lake.OpenWriterAsync(path);
        using var builder = new ArrowBatchBuilder(Tables.LogSchema().RowType);
        foreach (var (id, name, amount) in rows)
            builder.Append(GenericRow.Of(id, name, amount));
        var file = await writer.WriteAsync(0, [new LakeWriteBatch(builder.Build())]);
        var latest = await writer.LatestSnapshotAsync();
        return await writer.CommitAsync([file], "__fluss_lake_tiering", latest?.SnapshotId + 1 ?? 1,
            new Dictionary<string, string> { ["fluss-offsets"] = offsetsPath }, latest?.SnapshotId ?? 0);
    }

    public static string ReadText(string path) => Encoding.UTF8.GetString(File.ReadAllBytes(path));
}
