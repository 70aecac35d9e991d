using Fluss.Client;
using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;

namespace Fluss.Tiering.Internal;

/// <summary>A table the coordinator handed to this tiering service for one round.</summary>
/// <param name="TableId">The table's id when it was handed out (a re-created table has another id).</param>
/// <param name="Path">The table's path.</param>
/// <param name="TieringEpoch">The epoch of this assignment; requests with an older epoch are fenced.</param>
/// <param name="CoordinatorEpoch">The coordinator epoch the assignment came with, echoed in heartbeats.</param>
internal sealed record TieringAssignment(long TableId, TablePath Path, long TieringEpoch, int CoordinatorEpoch);

/// <summary>The coordinator's committed lake snapshot of a table: the lake holds, per bucket, [log start, offset).</summary>
internal sealed record CommittedLakeSnapshot(long TableId, long SnapshotId, IReadOnlyDictionary<int, long> BucketOffsets);

/// <summary>How a table's round ends, as reported in a heartbeat.</summary>
internal enum RoundReport
{
    /// <summary>The round committed (or had nothing to commit).</summary>
    Finished,

    /// <summary>The round committed part of the log and stopped early (its per-round size limit); the rest is due at once.</summary>
    ForceFinished,

    /// <summary>The round failed; the coordinator hands the table out again with a new epoch.</summary>
    Failed,
}

/// <summary>Statistics of a finished round, reported to the coordinator.</summary>
internal readonly record struct RoundStats(long FileSize, long RecordCount);

/// <summary>
/// The coordinator calls of the tiering service (Fluss's lake tiering RPCs). Errors are typed
/// <see cref="FlussException"/>s with the coordinator's code (FENCED_TIERING_EPOCH_EXCEPTION for a stale epoch).
/// </summary>
internal interface ITieringCoordinator
{
    /// <summary>Asks for a table to tier; null when none is due.</summary>
    Task<TieringAssignment?> RequestTableAsync(CancellationToken cancellationToken);

    /// <summary>Tells the coordinator the round of <paramref name="table"/> is alive.</summary>
    /// <exception cref="FlussException">The heartbeat was refused (FENCED_TIERING_EPOCH_EXCEPTION, or the coordinator changed).</exception>
    Task HeartbeatAsync(TieringAssignment table, CancellationToken cancellationToken);

    /// <summary>Reports the end of the round of <paramref name="table"/>.</summary>
    /// <exception cref="FlussException">The report was refused.</exception>
    Task ReportAsync(TieringAssignment table, RoundReport report, RoundStats stats, CancellationToken cancellationToken);

    /// <summary>The coordinator's latest committed lake snapshot of the table, or null when it has none.</summary>
    Task<CommittedLakeSnapshot?> GetLakeSnapshotAsync(TablePath path, CancellationToken cancellationToken);

    /// <summary>Phase 1: the coordinator writes the offsets file of the round and returns its path.</summary>
    Task<string> PrepareAsync(TieringAssignment table, IReadOnlyDictionary<int, long> bucketEndOffsets, CancellationToken cancellationToken);

    /// <summary>
    /// Phase 2: records a lake snapshot and its offsets file. <paramref name="tieringEpoch"/> is null when an
    /// interrupted earlier round's lake snapshot is registered (repair).
    /// </summary>
    Task CommitAsync(long tableId, long snapshotId, string offsetsPath, long? tieringEpoch, CancellationToken cancellationToken);
}

/// <summary>The tiering RPCs over a client connection (coordinator found and re-found by the client's metadata).</summary>
internal sealed class FlussTieringCoordinator(FlussConnection connection) : ITieringCoordinator
{
    private readonly ClientContext _context = connection.Context;

    public async Task<TieringAssignment?> RequestTableAsync(CancellationToken cancellationToken)
    {
        var request = new LakeTieringHeartbeatRequest { RequestTable = true };
        // Not retried after a network error: a lost answer would leave a table assigned to nobody until the
        // coordinator's heartbeat timeout hands it out again.
        var response = await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).LakeTieringHeartbeatAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
        if (response.TieringTable is not { } t) return null;
        return new TieringAssignment(t.TableId, new TablePath(t.TablePath.DatabaseName, t.TablePath.TableName), t.TieringEpoch, response.CoordinatorEpoch);
    }

    public async Task HeartbeatAsync(TieringAssignment table, CancellationToken cancellationToken)
    {
        var request = new LakeTieringHeartbeatRequest();
        request.TieringTables.Add(Heartbeat(table, null));
        var response = await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).LakeTieringHeartbeatAsync(request, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(response.TieringTableResp, table, "heartbeat");
    }

    public async Task ReportAsync(TieringAssignment table, RoundReport report, RoundStats stats, CancellationToken cancellationToken)
    {
        var request = new LakeTieringHeartbeatRequest();
        if (report == RoundReport.Failed)
        {
            request.FailedTables.Add(Heartbeat(table, null));
        }
        else
        {
            request.FinishedTables.Add(Heartbeat(table, stats));
            if (report == RoundReport.ForceFinished) request.ForceFinishedTables.Add(table.TableId);
        }
        var response = await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).LakeTieringHeartbeatAsync(request, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(report == RoundReport.Failed ? response.FailedTableResp : response.FinishedTableResp, table, "report");
    }

    public async Task<CommittedLakeSnapshot?> GetLakeSnapshotAsync(TablePath path, CancellationToken cancellationToken)
    {
        var request = new GetLakeSnapshotRequest { TablePath = new PbTablePath { DatabaseName = path.DatabaseName, TableName = path.TableName } };
        GetLakeSnapshotResponse response;
        try
        {
            response = await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).GetLakeSnapshotAsync(request, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        }
        catch (FlussException e) when (e.ErrorCode == FlussErrorCode.LakeSnapshotNotExist)
        {
            return null;
        }
        var offsets = new Dictionary<int, long>();
        foreach (var b in response.BucketSnapshots)
        {
            if (b.HasPartitionId) continue;
            if (b.HasLogOffset && b.LogOffset >= 0) offsets[b.BucketId] = b.LogOffset;
        }
        return new CommittedLakeSnapshot(response.TableId, response.SnapshotId, offsets);
    }

    public async Task<string> PrepareAsync(TieringAssignment table, IReadOnlyDictionary<int, long> bucketEndOffsets, CancellationToken cancellationToken)
    {
        var offsets = new PbTableOffsets
        {
            TableId = table.TableId,
            TablePath = new PbTablePath { DatabaseName = table.Path.DatabaseName, TableName = table.Path.TableName },
            TieringEpoch = table.TieringEpoch,
        };
        foreach (var (bucket, offset) in bucketEndOffsets.OrderBy(p => p.Key))
            offsets.BucketOffsets.Add(new PbBucketOffset { BucketId = bucket, LogEndOffset = offset });
        var request = new PrepareLakeTableSnapshotRequest();
        request.BucketOffsets.Add(offsets);
        // Retrying is harmless: a second offsets file with the same content is written and the first is never used.
        var response = await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).PrepareLakeTableSnapshotAsync(request, o), idempotent: true, cancellationToken).ConfigureAwait(false);
        var result = response.PrepareLakeTableResp.FirstOrDefault(r => !r.HasTableId || r.TableId == table.TableId)
            ?? throw new FlussException(FlussErrorCode.UnknownServerError, $"The coordinator did not answer the prepare of table {table.Path} (id {table.TableId}).");
        if (result.HasErrorCode && result.ErrorCode != 0)
            throw Error(result.ErrorCode, result.HasErrorMessage ? result.ErrorMessage : null, $"Preparing the lake snapshot of {table.Path}");
        if (!result.HasLakeTableOffsetsPath || result.LakeTableOffsetsPath.Length == 0)
            throw new FlussException(FlussErrorCode.UnknownServerError, $"The coordinator prepared the lake snapshot of {table.Path} but returned no offsets file path.");
        return result.LakeTableOffsetsPath;
    }

    public async Task CommitAsync(long tableId, long snapshotId, string offsetsPath, long? tieringEpoch, CancellationToken cancellationToken)
    {
        var metadata = new PbLakeTableSnapshotMetadata { TableId = tableId, SnapshotId = snapshotId, TieredBucketOffsetsFilePath = offsetsPath };
        if (tieringEpoch is { } epoch) metadata.TieringEpoch = epoch;
        var request = new CommitLakeTableSnapshotRequest();
        request.LakeTableSnapshotMetadata.Add(metadata);
        // Not retried after a network error: the next round finds the lake snapshot and registers it.
        var response = await _context.CallCoordinatorAsync((s, o) => _context.Channels.Coordinator(s).CommitLakeTableSnapshotAsync(request, o), idempotent: false, cancellationToken).ConfigureAwait(false);
        var result = response.TableResp.FirstOrDefault(r => r.TableId == tableId);
        if (result is { HasErrorCode: true } && result.ErrorCode != 0)
            throw Error(result.ErrorCode, result.HasErrorMessage ? result.ErrorMessage : null, $"Committing lake snapshot {snapshotId} of table id {tableId}");
    }

    private static PbHeartbeatReqForTable Heartbeat(TieringAssignment table, RoundStats? stats)
    {
        var heartbeat = new PbHeartbeatReqForTable { TableId = table.TableId, CoordinatorEpoch = table.CoordinatorEpoch, TieringEpoch = table.TieringEpoch };
        if (stats is { } s) heartbeat.LakeTieringStats = new PbLakeTieringStats { FileSize = s.FileSize, RecordCount = s.RecordCount };
        return heartbeat;
    }

    private static void ThrowIfRefused(IEnumerable<PbHeartbeatRespForTable> responses, TieringAssignment table, string what)
    {
        var response = responses.FirstOrDefault(r => r.TableId == table.TableId);
        if (response?.Error is { } error && error.ErrorCode != 0)
            throw Error(error.ErrorCode, error.HasErrorMessage ? error.ErrorMessage : null, $"The tiering {what} of {table.Path} (epoch {table.TieringEpoch})");
    }

    private static FlussException Error(int code, string? message, string context)
    {
        var errorCode = FlussErrors.FromCode(code);
        return FlussException.Create(errorCode, $"{context} was refused: {(string.IsNullOrEmpty(message) ? FlussErrors.DefaultMessage(errorCode) : message)}");
    }
}
