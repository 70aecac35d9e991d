using Fluss.Errors;
using Fluss.Lake;
using Microsoft.Extensions.Logging;

namespace Fluss.Tiering.Internal;

/// <summary>What a round needs besides its table: settings, clock, log and the crash-point hook.</summary>
internal sealed record RoundSettings
{
    /// <summary>The commit user of tiering snapshots in the lake (Fluss's <c>__fluss_lake_tiering</c>).</summary>
    public const string CommitUser = "__fluss_lake_tiering";

    /// <summary>The lake snapshot property naming the coordinator's offsets file.</summary>
    public const string OffsetsProperty = "fluss-offsets";

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A bucket stops reading once its batches hold this many Arrow bytes; the rest goes to the next round.</summary>
    public long MaxBytesPerBucket { get; init; } = 256L << 20;

    /// <summary>Buckets read and written at the same time.</summary>
    public int BucketParallelism { get; init; } = 2;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Func<string, CancellationToken, Task> Fault { get; init; } = FaultInjection.Hook(null);
}

/// <summary>How a round ended.</summary>
internal enum RoundOutcome
{
    /// <summary>Lake and coordinator committed.</summary>
    Committed,

    /// <summary>No bucket had new records; nothing was committed.</summary>
    NothingNew,

    /// <summary>Another writer committed to the lake first; this round's files were removed.</summary>
    Conflict,

    /// <summary>A newer assignment of the table fenced this round.</summary>
    Fenced,

    /// <summary>The round failed and was reported failed.</summary>
    Failed,

    /// <summary>The service stopped during the round.</summary>
    Cancelled,

    /// <summary>A test hook simulated a crash: nothing was cleaned up or reported.</summary>
    Crashed,
}

/// <summary>The result of one round, for logs, tests and measurements.</summary>
internal sealed record TieringRoundResult(
    TieringAssignment Table,
    RoundOutcome Outcome,
    long? LakeSnapshotId,
    long? RepairedSnapshotId,
    long Rows,
    long Bytes,
    int Files,
    TimeSpan Duration,
    IReadOnlyDictionary<int, long> EndOffsets,
    TimeSpan? MaxLag,
    Exception? Error)
{
    /// <summary>Time spent reading buckets and writing their lake files (summed over buckets), for measurements.</summary>
    public (TimeSpan Read, TimeSpan Write) BucketTime { get; init; }
}

/// <summary>
/// One tiering round of one table (Fluss's tiering source, reader and committer in one): repair a lake commit the
/// coordinator missed, read each bucket from its tiered offset to the high watermark, write one lake file per
/// bucket, then prepare (coordinator) -> commit (lake, only on top of the snapshot seen at the start) -> commit
/// (coordinator). The round keeps no state: everything is re-read from the coordinator and the lake.
/// </summary>
internal sealed class TieringRound
{
    private readonly TieringAssignment _table;
    private readonly ITieringCoordinator _coordinator;
    private readonly ITieringLogSource _logs;
    private readonly ILakeStorage _lake;
    private readonly RoundSettings _settings;
    private readonly ILogger _log;
    private readonly Lock _filesLock = new();
    private readonly List<LakeWriteResult> _files = [];
    private volatile Exception? _fenced;
    private long _readTicks;
    private long _writeTicks;

    public TieringRound(TieringAssignment table, ITieringCoordinator coordinator, ITieringLogSource logs, ILakeStorage lake, RoundSettings settings, ILogger log)
    {
        _table = table;
        _coordinator = coordinator;
        _logs = logs;
        _lake = lake;
        _settings = settings;
        _log = log;
    }

    private Fluss.Metadata.TablePath Name => _table.Path;

    public async Task<TieringRoundResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = _settings.Time.GetTimestamp();
        using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopHeartbeats = new CancellationTokenSource();
        Task heartbeats = Task.CompletedTask;
        ILakeTableWriter? writer = null;
        var lakeCommitted = false;
        long? snapshotId = null;
        long? repaired = null;
        long rows = 0, bytes = 0;
        var offsets = new Dictionary<int, long>();
        TimeSpan? maxLag = null;

        TieringRoundResult Result(RoundOutcome outcome, Exception? error = null) =>
            new(_table, outcome, snapshotId, repaired, rows, bytes, _files.Count, _settings.Time.GetElapsedTime(started), offsets, maxLag, error)
            {
                BucketTime = (TimeSpan.FromTicks(Interlocked.Read(ref _readTicks)), TimeSpan.FromTicks(Interlocked.Read(ref _writeTicks))),
            };

        try
        {
            // A job that waited in the queue past its assignment learns it here, before doing any work.
            await _coordinator.HeartbeatAsync(_table, round.Token).ConfigureAwait(false);
            heartbeats = HeartbeatLoopAsync(round, stopHeartbeats.Token);

            writer = await _lake.OpenWriterAsync(_table.Path, round.Token).ConfigureAwait(false);
            var committed = await _coordinator.GetLakeSnapshotAsync(_table.Path, round.Token).ConfigureAwait(false);
            if (committed is not null && committed.TableId != _table.TableId)
                throw new TableNotExistException($"Table {Name} was re-created (id {_table.TableId} is now {committed.TableId}); its round is void.");
            var lakeLatest = await writer.LatestSnapshotAsync(round.Token).ConfigureAwait(false);
            var lakeTiering = await writer.LatestSnapshotOfUserAsync(RoundSettings.CommitUser, round.Token).ConfigureAwait(false);

            // 1. Repair: a round that committed to the lake but not to the coordinator left a newer tiering snapshot.
            if (lakeTiering is not null && (committed is null || lakeTiering.SnapshotId > committed.SnapshotId))
            {
                if (!lakeTiering.Properties.TryGetValue(RoundSettings.OffsetsProperty, out var offsetsPath) || string.IsNullOrEmpty(offsetsPath))
                    throw new InvalidOperationException(
                        $"Lake snapshot {lakeTiering.SnapshotId} of {Name} was committed by {RoundSettings.CommitUser} without the '{RoundSettings.OffsetsProperty}' property; the lake table was written by something else than the tiering service.");
                await _coordinator.CommitAsync(_table.TableId, lakeTiering.SnapshotId, offsetsPath, tieringEpoch: null, round.Token).ConfigureAwait(false);
                repaired = lakeTiering.SnapshotId;
                TieringLog.Repaired(_log, Name, lakeTiering.SnapshotId, offsetsPath);
                committed = await _coordinator.GetLakeSnapshotAsync(_table.Path, round.Token).ConfigureAwait(false);
                if (committed is null || committed.SnapshotId < lakeTiering.SnapshotId)
                    throw new FlussException(FlussErrorCode.UnknownServerError,
                        $"The coordinator accepted lake snapshot {lakeTiering.SnapshotId} of {Name} but reports snapshot {committed?.SnapshotId.ToString() ?? "none"}.");
            }

            // 2. Read [tiered offset, high watermark) of every bucket and write one lake file per bucket.
            var log = await _logs.OpenTableAsync(_table.Path, _table.TableId, round.Token).ConfigureAwait(false);
            var buckets = Enumerable.Range(0, log.Info.NumBuckets).ToArray();
            var earliest = await log.OffsetsAsync(buckets, latest: false, round.Token).ConfigureAwait(false);
            var latest = await log.OffsetsAsync(buckets, latest: true, round.Token).ConfigureAwait(false);
            var work = new List<(int Bucket, long Start, long End)>();
            foreach (var b in buckets)
            {
                var start = earliest.GetValueOrDefault(b);
                if (committed is not null && committed.BucketOffsets.TryGetValue(b, out var tiered)) start = Math.Max(start, tiered);
                var end = latest.GetValueOrDefault(b);
                if (end > start) work.Add((b, start, end));
            }

            var results = new BucketResult?[work.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, work.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _settings.BucketParallelism), CancellationToken = round.Token },
                async (i, ct) => results[i] = await TierBucketAsync(writer, log, work[i].Bucket, work[i].Start, work[i].End, ct).ConfigureAwait(false)).ConfigureAwait(false);

            var done = results.Where(r => r is not null).Select(r => r!).ToList();
            if (done.Count == 0)
            {
                TieringLog.NothingNew(_log, Name, _table.TieringEpoch);
                await ReportAsync(RoundReport.Finished, default).ConfigureAwait(false);
                return Result(RoundOutcome.NothingNew);
            }
            foreach (var r in done)
            {
                offsets[r.Bucket] = r.NextOffset;
                rows += r.File.RowCount;
                bytes += r.File.FileSize;
            }
            var partial = done.Any(r => r.Capped);

            // 3. Two-phase commit.
            var offsetsFile = await _coordinator.PrepareAsync(_table, offsets, round.Token).ConfigureAwait(false);
            await _settings.Fault(FaultInjection.BeforeLakeCommit, round.Token).ConfigureAwait(false);
            var identifier = (lakeTiering?.CommitIdentifier ?? 0) + 1;
            var properties = new Dictionary<string, string>(StringComparer.Ordinal) { [RoundSettings.OffsetsProperty] = offsetsFile };
            List<LakeWriteResult> files;
            lock (_filesLock) files = [.. _files];
            try
            {
                // Never cancelled half-way: whether the snapshot landed must be known before files are removed.
                snapshotId = await writer.CommitAsync(files, RoundSettings.CommitUser, identifier, properties, lakeLatest?.SnapshotId ?? 0, CancellationToken.None).ConfigureAwait(false);
            }
            catch (LakeCommitConflictException e)
            {
                TieringLog.CommitConflict(_log, Name, _table.TieringEpoch, e.Message);
                await AbortAsync(writer).ConfigureAwait(false);
                await ReportAsync(RoundReport.Failed, default).ConfigureAwait(false);
                return Result(RoundOutcome.Conflict, e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Unknown whether the snapshot landed: look for it before deciding.
                var mine = await writer.LatestSnapshotOfUserAsync(RoundSettings.CommitUser, CancellationToken.None).ConfigureAwait(false);
                if (mine is null || mine.CommitIdentifier != identifier || !mine.Properties.TryGetValue(RoundSettings.OffsetsProperty, out var p) || p != offsetsFile)
                    throw;
                snapshotId = mine.SnapshotId;
            }
            lakeCommitted = true;
            var committedAt = _settings.Time.GetUtcNow().ToUnixTimeMilliseconds();
            maxLag = TimeSpan.FromMilliseconds(Math.Max(0, committedAt - done.Min(r => r.MinTimestamp)));
            var minLag = TimeSpan.FromMilliseconds(Math.Max(0, committedAt - done.Max(r => r.MaxTimestamp)));

            await _settings.Fault(FaultInjection.BeforeCoordinatorCommit, round.Token).ConfigureAwait(false);
            try
            {
                await _coordinator.CommitAsync(_table.TableId, snapshotId.Value, offsetsFile, _table.TieringEpoch, round.Token).ConfigureAwait(false);
            }
            catch (FlussException e)
            {
                TieringLog.CoordinatorCommitFailed(_log, Name, snapshotId.Value, e.Message);
                if (IsFencing(e)) return Result(RoundOutcome.Fenced, e);
                await ReportAsync(RoundReport.Failed, default).ConfigureAwait(false);
                return Result(RoundOutcome.Failed, e);
            }
            var durationMs = (long)_settings.Time.GetElapsedTime(started).TotalMilliseconds;
            var note = partial ? " (size limit reached; the rest follows at once)" : "";
            TieringLog.Committed(_log, Name, _table.TieringEpoch, snapshotId.Value, rows, bytes, files.Count, done.Count,
                durationMs, (long)minLag.TotalMilliseconds, (long)maxLag.Value.TotalMilliseconds, note);
            await ReportAsync(partial ? RoundReport.ForceFinished : RoundReport.Finished, new RoundStats(bytes, rows)).ConfigureAwait(false);
            return Result(RoundOutcome.Committed);
        }
        catch (SimulatedCrashException e)
        {
            return Result(RoundOutcome.Crashed, e);
        }
        catch (Exception e) when ((_fenced is not null && e is OperationCanceledException) || IsFencing(e))
        {
            var reason = _fenced ?? e;
            TieringLog.Fenced(_log, Name, _table.TieringEpoch, reason.Message);
            if (!lakeCommitted && writer is not null) await AbortAsync(writer).ConfigureAwait(false);
            return Result(RoundOutcome.Fenced, reason);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            TieringLog.Cancelled(_log, Name, _table.TieringEpoch);
            if (!lakeCommitted && writer is not null) await AbortAsync(writer).ConfigureAwait(false);
            await ReportAsync(RoundReport.Failed, default).ConfigureAwait(false);
            return Result(RoundOutcome.Cancelled, e);
        }
        catch (Exception e)
        {
            TieringLog.RoundFailed(_log, e, Name, _table.TieringEpoch);
            if (!lakeCommitted && writer is not null) await AbortAsync(writer).ConfigureAwait(false);
            await ReportAsync(RoundReport.Failed, default).ConfigureAwait(false);
            return Result(RoundOutcome.Failed, e);
        }
        finally
        {
            await stopHeartbeats.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
        }
    }

    private sealed record BucketResult(int Bucket, LakeWriteResult File, long NextOffset, long MinTimestamp, long MaxTimestamp, bool Capped);

    private async Task<BucketResult?> TierBucketAsync(ILakeTableWriter writer, ITieringTableLog log, int bucket, long start, long end, CancellationToken ct)
    {
        var batches = new List<TieringBatch>();
        var started = _settings.Time.GetTimestamp();
        try
        {
            long held = 0;
            var capped = false;
            await foreach (var batch in log.ReadAsync(bucket, start, end, ct).ConfigureAwait(false))
            {
                batches.Add(batch);
                held += batch.SizeBytes;
                if (held >= _settings.MaxBytesPerBucket && batch.NextOffset < end)
                {
                    capped = true;
                    break;
                }
            }
            if (batches.Count == 0) return null;
            var lakeBatches = new LakeWriteBatch[batches.Count];
            long minTs = long.MaxValue, maxTs = long.MinValue;
            for (var i = 0; i < batches.Count; i++)
            {
                lakeBatches[i] = new LakeWriteBatch(batches[i].Rows, batches[i].ChangeTypes);
                minTs = Math.Min(minTs, batches[i].Timestamp);
                maxTs = Math.Max(maxTs, batches[i].Timestamp);
            }
            var read = _settings.Time.GetTimestamp();
            Interlocked.Add(ref _readTicks, _settings.Time.GetElapsedTime(started, read).Ticks);
            var file = await writer.WriteAsync(bucket, lakeBatches, ct).ConfigureAwait(false);
            Interlocked.Add(ref _writeTicks, _settings.Time.GetElapsedTime(read).Ticks);
            lock (_filesLock) _files.Add(file);
            return new BucketResult(bucket, file, batches[^1].NextOffset, minTs, maxTs, capped);
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    private async Task HeartbeatLoopAsync(CancellationTokenSource round, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_settings.HeartbeatInterval, _settings.Time, stop).ConfigureAwait(false);
                await _coordinator.HeartbeatAsync(_table, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (FlussException e) when (!e.IsRetriable)
            {
                // The assignment is gone (fenced by a newer epoch, table dropped, coordinator replaced).
                _fenced = e;
                await round.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e)
            {
                TieringLog.HeartbeatFailed(_log, Name, _table.TieringEpoch, e.Message);
            }
        }
    }

    private async Task AbortAsync(ILakeTableWriter writer)
    {
        List<LakeWriteResult> files;
        lock (_filesLock) files = [.. _files];
        if (files.Count == 0) return;
        try
        {
            await writer.AbortAsync(files, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Orphan files are invisible to readers (no snapshot references them).
            TieringLog.ReportFailed(_log, Name, _table.TieringEpoch, "removing uncommitted files failed: " + e.Message);
        }
    }

    private async Task ReportAsync(RoundReport report, RoundStats stats)
    {
        if (_fenced is not null) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _coordinator.ReportAsync(_table, report, stats, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FlussException or OperationCanceledException)
        {
            TieringLog.ReportFailed(_log, Name, _table.TieringEpoch, e.Message);
        }
    }

    private static bool IsFencing(Exception e) => e is FlussException { ErrorCode: FlussErrorCode.FencedTieringEpoch };
}
