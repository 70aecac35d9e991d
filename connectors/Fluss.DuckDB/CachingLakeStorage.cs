using Apache.Arrow;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Types;

namespace Fluss.DuckDB;

/// <summary>
/// A lake storage that remembers the data files of the snapshots it planned: a lake snapshot never changes once
/// committed, so a statement that reads the same snapshot as the one before skips reading the lake's metadata
/// (snapshot, manifest list, manifests). Everything else goes to the wrapped storage.
/// </summary>
internal sealed class CachingLakeStorage(ILakeStorage inner) : ILakeStorage
{
    /// <summary>Snapshots remembered per table: the current one and the one before (read while the next is committed).</summary>
    private const int SnapshotsPerTable = 2;

    private readonly Lock _lock = new();
    private readonly Dictionary<TablePath, List<LakeFilePlan>> _plans = [];

    public string Format => inner.Format;

    public string Warehouse => inner.Warehouse;

    public Task CreateTableAsync(TablePath path, TableDescriptor descriptor, CancellationToken cancellationToken = default) =>
        inner.CreateTableAsync(path, descriptor, cancellationToken);

    public Task<ILakeTableWriter> OpenWriterAsync(TablePath path, CancellationToken cancellationToken = default) =>
        inner.OpenWriterAsync(path, cancellationToken);

    public Task<ILakeTableSource> OpenSourceAsync(TablePath path, CancellationToken cancellationToken = default) =>
        Task.FromResult<ILakeTableSource>(new Source(this, path));

    private LakeFilePlan? Cached(TablePath path, long snapshotId)
    {
        lock (_lock) return _plans.TryGetValue(path, out var plans) ? plans.Find(p => p.SnapshotId == snapshotId) : null;
    }

    private void Remember(TablePath path, LakeFilePlan plan)
    {
        lock (_lock)
        {
            if (!_plans.TryGetValue(path, out var plans)) _plans[path] = plans = [];
            plans.RemoveAll(p => p.SnapshotId == plan.SnapshotId);
            plans.Add(plan);
            if (plans.Count > SnapshotsPerTable) plans.RemoveAt(0);
        }
    }

    /// <summary>A table's source that opens the wrapped one only when something is not remembered.</summary>
    private sealed class Source(CachingLakeStorage owner, TablePath path) : ILakeTableSource
    {
        private ILakeTableSource? _inner;

        public string Location => _inner?.Location ?? path.ToString();

        public RowType RowType => Inner().GetAwaiter().GetResult().RowType;

        public IReadOnlyList<string> PrimaryKeys => Inner().GetAwaiter().GetResult().PrimaryKeys;

        public async Task<LakeSnapshotInfo?> LatestSnapshotAsync(CancellationToken cancellationToken = default) =>
            await (await Inner(cancellationToken).ConfigureAwait(false)).LatestSnapshotAsync(cancellationToken).ConfigureAwait(false);

        public async Task<LakeFilePlan> PlanFilesAsync(long snapshotId, CancellationToken cancellationToken = default)
        {
            if (owner.Cached(path, snapshotId) is { } cached) return cached;
            var plan = await (await Inner(cancellationToken).ConfigureAwait(false)).PlanFilesAsync(snapshotId, cancellationToken).ConfigureAwait(false);
            owner.Remember(path, plan);
            return plan;
        }

        public async IAsyncEnumerable<RecordBatch> ReadAsync(long snapshotId, IReadOnlyList<string>? columns = null, IReadOnlyCollection<int>? buckets = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var inner = await Inner(cancellationToken).ConfigureAwait(false);
            await foreach (var batch in inner.ReadAsync(snapshotId, columns, buckets, cancellationToken).ConfigureAwait(false))
                yield return batch;
        }

        private async Task<ILakeTableSource> Inner(CancellationToken cancellationToken = default) =>
            _inner ??= await owner.InnerSourceAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private Task<ILakeTableSource> InnerSourceAsync(TablePath path, CancellationToken cancellationToken) => inner.OpenSourceAsync(path, cancellationToken);
}
