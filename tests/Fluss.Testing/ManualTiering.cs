using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Grpc.Net.Client;

namespace Fluss.Testing;

/// <summary>
/// One tiering round done by hand, the way the tiering service does it, for tests that need lake snapshots at exact
/// points: each bucket's log from its lake offset (or the earliest) to its high watermark becomes one lake data file
/// (with change types for primary-key tables); then PrepareLakeTableSnapshot, the lake commit with the offsets file
/// as <c>fluss-offsets</c> on top of the snapshot seen, and CommitLakeTableSnapshot without a tiering epoch (as a
/// repair registers a round). Use tables with a long <c>table.datalake.freshness</c> so the embedded service stays away.
/// </summary>
public static class ManualTiering
{
    /// <summary>Runs the round; returns the new lake snapshot id and each bucket's tiered offset (its high watermark).</summary>
    public static async Task<(long SnapshotId, IReadOnlyDictionary<int, long> Offsets)> TierOnceAsync(
        FlussConnection connection, ILakeStorage lake, string bootstrapServers, TablePath path)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(lake);
        var table = await connection.GetTableAsync(path).ConfigureAwait(false);
        var info = table.Info;
        IReadOnlyDictionary<int, long> previous = new Dictionary<int, long>();
        try
        {
            previous = (await connection.Admin.GetLakeSnapshotAsync(path).ConfigureAwait(false)).BucketOffsets;
        }
        catch (LakeTableSnapshotNotExistException)
        {
        }
        var buckets = Enumerable.Range(0, info.NumBuckets).ToArray();
        var ends = await connection.Admin.ListOffsetsAsync(path, buckets, OffsetSpec.Latest).ConfigureAwait(false);
        var toRead = buckets.Where(b => ends[b] > previous.GetValueOrDefault(b, 0)).ToArray();

        var writer = await lake.OpenWriterAsync(path).ConfigureAwait(false);
        var files = new List<LakeWriteResult>();
        if (toRead.Length > 0)
        {
            var scanned = new List<ScanBatch>();
            try
            {
                await using (var scanner = table.NewLogScanner(new LogScanOptions
                {
                    Buckets = toRead,
                    StartOffsets = toRead.ToDictionary(b => b, b => previous.GetValueOrDefault(b, 0)),
                    StopOffsets = toRead.ToDictionary(b => b, b => ends[b]),
                }))
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    await foreach (var batch in scanner.ReadBatchesAsync(timeout.Token).ConfigureAwait(false)) scanned.Add(batch);
                }
                foreach (var bucket in scanned.Where(b => b.RowCount > 0).GroupBy(b => b.Bucket))
                {
                    var rows = bucket.Select(b => new LakeWriteBatch(b.Batch,
                        info.HasPrimaryKey ? Enumerable.Range(0, b.RowCount).Select(b.ChangeTypeAt).ToArray() : default)).ToList();
                    files.Add(await writer.WriteAsync(bucket.Key, rows).ConfigureAwait(false));
                }
            }
            finally
            {
                foreach (var b in scanned) b.Dispose();
            }
        }

        using var channel = GrpcChannel.ForAddress("http://" + bootstrapServers);
        var coordinator = new CoordinatorService.CoordinatorServiceClient(channel);
        var offsets = new PbTableOffsets { TableId = info.TableId, TablePath = new PbTablePath { DatabaseName = path.DatabaseName, TableName = path.TableName } };
        foreach (var b in buckets) offsets.BucketOffsets.Add(new PbBucketOffset { BucketId = b, LogEndOffset = ends[b] });
        var prepare = new PrepareLakeTableSnapshotRequest();
        prepare.BucketOffsets.Add(offsets);
        var prepared = (await coordinator.PrepareLakeTableSnapshotAsync(prepare).ConfigureAwait(false)).PrepareLakeTableResp.Single();
        if (prepared.HasErrorCode && prepared.ErrorCode != 0)
            throw new InvalidOperationException($"PrepareLakeTableSnapshot of {path} failed: {prepared.ErrorCode} {prepared.ErrorMessage}");

        var latest = await writer.LatestSnapshotAsync().ConfigureAwait(false);
        var snapshotId = await writer.CommitAsync(files, "__fluss_lake_tiering", (latest?.CommitIdentifier ?? 0) + 1,
            new Dictionary<string, string> { ["fluss-offsets"] = prepared.LakeTableOffsetsPath }, latest?.SnapshotId ?? 0).ConfigureAwait(false);
        var commit = new CommitLakeTableSnapshotRequest();
        commit.LakeTableSnapshotMetadata.Add(new PbLakeTableSnapshotMetadata
        {
            TableId = info.TableId,
            SnapshotId = snapshotId,
            TieredBucketOffsetsFilePath = prepared.LakeTableOffsetsPath,
        });
        var committed = (await coordinator.CommitLakeTableSnapshotAsync(commit).ConfigureAwait(false)).TableResp.Single();
        if (committed.HasErrorCode && committed.ErrorCode != 0)
            throw new InvalidOperationException($"CommitLakeTableSnapshot of {path} failed: {committed.ErrorCode} {committed.ErrorMessage}");
        return (snapshotId, ends);
    }
}
