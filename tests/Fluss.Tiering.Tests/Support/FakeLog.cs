using System.Runtime.CompilerServices;
using Fluss.Arrow;
using Fluss.Bucketing;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rows.Paimon;
using Fluss.Tiering.Internal;

namespace Fluss.Tiering.Tests.Support;

/// <summary>
/// A table's log in memory: per bucket, records with change types and commit timestamps, offsets 0..n-1. Rows are
/// routed to buckets by the Paimon bucketing of the bucket key (as the client does for Paimon lake tables), or
/// round-robin when the table has no bucket key. Read in batches of <see cref="BatchRows"/>.
/// </summary>
internal sealed class FakeLog : ITieringLogSource
{
    private readonly Lock _lock = new();
    private readonly List<(ChangeType Kind, GenericRow Row, long Timestamp)>[] _buckets;
    private int _next;

    public FakeLog(TableInfo info)
    {
        Info = info;
        _buckets = Enumerable.Range(0, info.NumBuckets).Select(_ => new List<(ChangeType, GenericRow, long)>()).ToArray();
    }

    public TableInfo Info { get; }

    public int BatchRows { get; set; } = 3;

    /// <summary>Batches handed out and not disposed yet.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    private int _outstanding;

    public long Count(int bucket)
    {
        lock (_lock) return _buckets[bucket].Count;
    }

    public IReadOnlyDictionary<int, long> HighWatermarks()
    {
        lock (_lock) return Enumerable.Range(0, _buckets.Length).ToDictionary(b => b, b => (long)_buckets[b].Count);
    }

    public void Append(ChangeType kind, GenericRow row)
    {
        var bucket = BucketOf(row);
        lock (_lock) _buckets[bucket].Add((kind, row, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    public void Append(params GenericRow[] rows)
    {
        foreach (var r in rows) Append(Info.HasPrimaryKey ? ChangeType.Insert : ChangeType.AppendOnly, r);
    }

    private int BucketOf(GenericRow row)
    {
        if (Info.BucketKeys.Count == 0) return Interlocked.Increment(ref _next) % Info.NumBuckets;
        using var encoder = new PaimonKeyEncoder(Info.RowType, Info.BucketKeys);
        return PaimonBucketingFunction.Instance.Bucket(encoder.Encode(row), Info.NumBuckets);
    }

    public Task<ITieringTableLog> OpenTableAsync(TablePath path, long expectedTableId, CancellationToken cancellationToken)
    {
        if (path != Info.TablePath || expectedTableId != Info.TableId) throw new TableNotExistException($"Table {path} (id {expectedTableId}) does not exist.");
        return Task.FromResult<ITieringTableLog>(new TableLog(this));
    }

    private sealed class TableLog(FakeLog log) : ITieringTableLog
    {
        public TableInfo Info => log.Info;

        public Task<IReadOnlyDictionary<int, long>> OffsetsAsync(IReadOnlyCollection<int> buckets, bool latest, CancellationToken cancellationToken)
        {
            lock (log._lock)
                return Task.FromResult<IReadOnlyDictionary<int, long>>(buckets.ToDictionary(b => b, b => latest ? (long)log._buckets[b].Count : 0L));
        }

        public async IAsyncEnumerable<TieringBatch> ReadAsync(int bucket, long startOffset, long endOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var offset = startOffset;
            while (offset < endOffset)
            {
                cancellationToken.ThrowIfCancellationRequested();
                List<(ChangeType Kind, GenericRow Row, long Timestamp)> slice;
                lock (log._lock)
                {
                    var records = log._buckets[bucket];
                    if (offset >= records.Count) yield break;
                    slice = records.Skip((int)offset).Take(log.BatchRows).ToList();
                }
                using var builder = new ArrowBatchBuilder(Info.RowType);
                foreach (var r in slice) builder.Append(r.Row);
                var kinds = Info.HasPrimaryKey ? slice.Select(r => r.Kind).ToArray() : null;
                Interlocked.Increment(ref log._outstanding);
                yield return new TieringBatch(builder.Build(), kinds, offset, slice.Min(r => r.Timestamp), new Release(log));
                offset += slice.Count;
                await Task.Yield();
            }
        }
    }

    private sealed class Release(FakeLog log) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) Interlocked.Decrement(ref log._outstanding);
        }
    }
}
