using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Tiering.Internal;

namespace Fluss.Tiering.Tests.Support;

/// <summary>
/// The coordinator's side of tiering as Fluss defines it, in memory: a tiering epoch per assignment (older epochs
/// fenced), offsets files merged with the previous snapshot's offsets, lake snapshots committed per table, and a
/// repair registration (no epoch) accepted only when it moves the table forward.
/// </summary>
internal sealed class FakeCoordinator : ITieringCoordinator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, TableState> _tables = [];
    private readonly Dictionary<string, Dictionary<int, long>> _offsetFiles = new(StringComparer.Ordinal);
    private int _files;

    public List<(long TableId, long Epoch, RoundReport Report, RoundStats Stats)> Reports { get; } = [];

    public List<(long TableId, long SnapshotId, long? Epoch)> Commits { get; } = [];

    public int Heartbeats { get; private set; }

    private sealed class TableState(long id, TablePath path)
    {
        public long Id { get; } = id;
        public TablePath Path { get; } = path;
        public long Epoch { get; set; }
        public bool Pending { get; set; } = true;
        public CommittedLakeSnapshot? Snapshot { get; set; }
    }

    public void AddTable(long tableId, TablePath path)
    {
        lock (_lock) _tables[tableId] = new TableState(tableId, path);
    }

    /// <summary>Hands the table out with a new epoch (as after a heartbeat timeout), fencing the previous one.</summary>
    public TieringAssignment Assign(long tableId)
    {
        lock (_lock)
        {
            var t = _tables[tableId];
            t.Epoch++;
            t.Pending = false;
            return new TieringAssignment(t.Id, t.Path, t.Epoch, CoordinatorEpoch: 1);
        }
    }

    public CommittedLakeSnapshot? Snapshot(long tableId)
    {
        lock (_lock) return _tables[tableId].Snapshot;
    }

    public Task<TieringAssignment?> RequestTableAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var t = _tables.Values.FirstOrDefault(x => x.Pending);
            return Task.FromResult(t is null ? null : Assign(t.Id));
        }
    }

    public Task HeartbeatAsync(TieringAssignment table, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Heartbeats++;
            CheckEpoch(table.TableId, table.TieringEpoch);
        }
        return Task.CompletedTask;
    }

    public Task ReportAsync(TieringAssignment table, RoundReport report, RoundStats stats, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            CheckEpoch(table.TableId, table.TieringEpoch);
            Reports.Add((table.TableId, table.TieringEpoch, report, stats));
            _tables[table.TableId].Pending = report != RoundReport.Finished;
        }
        return Task.CompletedTask;
    }

    public Task<CommittedLakeSnapshot?> GetLakeSnapshotAsync(TablePath path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var t = _tables.Values.Single(x => x.Path == path);
            return Task.FromResult(t.Snapshot);
        }
    }

    public Task<string> PrepareAsync(TieringAssignment table, IReadOnlyDictionary<int, long> bucketEndOffsets, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            CheckEpoch(table.TableId, table.TieringEpoch);
            var merged = new Dictionary<int, long>(_tables[table.TableId].Snapshot?.BucketOffsets ?? new Dictionary<int, long>());
            foreach (var (b, o) in bucketEndOffsets) merged[b] = o;
            var path = $"remote/lake/{table.Path.DatabaseName}/{table.Path.TableName}-{table.TableId}/metadata/{++_files}.offsets";
            _offsetFiles[path] = merged;
            return Task.FromResult(path);
        }
    }

    public Task CommitAsync(long tableId, long snapshotId, string offsetsPath, long? tieringEpoch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var t = _tables[tableId];
            if (tieringEpoch is { } epoch) CheckEpoch(tableId, epoch);
            else if (t.Snapshot is not null && snapshotId <= t.Snapshot.SnapshotId)
                throw new FlussException(FlussErrorCode.InvalidConfig, $"Lake snapshot {snapshotId} does not move table {tableId} forward.");
            if (!_offsetFiles.TryGetValue(offsetsPath, out var offsets))
                throw new FlussException(FlussErrorCode.UnknownServerError, $"No offsets file {offsetsPath}.");
            t.Snapshot = new CommittedLakeSnapshot(tableId, snapshotId, offsets);
            Commits.Add((tableId, snapshotId, tieringEpoch));
        }
        return Task.CompletedTask;
    }

    private void CheckEpoch(long tableId, long epoch)
    {
        var current = _tables[tableId].Epoch;
        if (epoch != current)
            throw new FlussException(FlussErrorCode.FencedTieringEpoch, $"Tiering epoch {epoch} of table {tableId} is stale; the current epoch is {current}.");
    }
}
