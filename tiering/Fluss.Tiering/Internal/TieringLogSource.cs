using System.Runtime.CompilerServices;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Tiering.Internal;

/// <summary>
/// Consecutive log records of one bucket read by a round: an Arrow batch with all the table's columns, and for
/// changelogs the change type of each row. Dispose it once written (its memory may be pooled).
/// </summary>
internal sealed class TieringBatch(RecordBatch rows, ReadOnlyMemory<ChangeType> changeTypes, long baseOffset, long timestamp, IDisposable? owner) : IDisposable
{
    public RecordBatch Rows { get; } = rows;

    /// <summary>Empty for log tables (all rows appended).</summary>
    public ReadOnlyMemory<ChangeType> ChangeTypes { get; } = changeTypes;

    /// <summary>The log offset of the first row; row i has offset <c>BaseOffset + i</c>.</summary>
    public long BaseOffset { get; } = baseOffset;

    /// <summary>The commit time of the records (epoch milliseconds).</summary>
    public long Timestamp { get; } = timestamp;

    public int RowCount => Rows.Length;

    /// <summary>The offset after the last row.</summary>
    public long NextOffset => BaseOffset + Rows.Length;

    /// <summary>Bytes of the Arrow buffers (the memory the batch holds).</summary>
    public long SizeBytes { get; } = ArrowBatches.BufferBytes(rows);

    public void Dispose() => owner?.Dispose();
}

/// <summary>Where a round reads a table's log.</summary>
internal interface ITieringLogSource
{
    /// <summary>The table's current metadata and log.</summary>
    /// <exception cref="TableNotExistException">The table is gone, or was re-created (its id is not <paramref name="expectedTableId"/>).</exception>
    Task<ITieringTableLog> OpenTableAsync(TablePath path, long expectedTableId, CancellationToken cancellationToken);
}

/// <summary>The log of one table.</summary>
internal interface ITieringTableLog
{
    TableInfo Info { get; }

    /// <summary>The log start offsets (<paramref name="latest"/> false) or high watermarks (true) of the buckets.</summary>
    Task<IReadOnlyDictionary<int, long>> OffsetsAsync(IReadOnlyCollection<int> buckets, bool latest, CancellationToken cancellationToken);

    /// <summary>
    /// The records of <paramref name="bucket"/> from <paramref name="startOffset"/> in offset order; completes once a
    /// batch reaches <paramref name="endOffset"/> (the last batch may hold records beyond it).
    /// </summary>
    IAsyncEnumerable<TieringBatch> ReadAsync(int bucket, long startOffset, long endOffset, CancellationToken cancellationToken);
}

/// <summary>Reads tables through the client: ListOffsets and one bounded log scanner per bucket.</summary>
internal sealed class FlussTieringLogSource(FlussConnection connection) : ITieringLogSource
{
    public async Task<ITieringTableLog> OpenTableAsync(TablePath path, long expectedTableId, CancellationToken cancellationToken)
    {
        var table = await connection.GetTableAsync(path, cancellationToken).ConfigureAwait(false);
        if (table.Info.TableId != expectedTableId)
            throw new TableNotExistException($"Table {path} was dropped and re-created (table id {expectedTableId} is now {table.Info.TableId}); its round is void.");
        return new TableLog(connection, table);
    }

    private sealed class TableLog(FlussConnection connection, FlussTable table) : ITieringTableLog
    {
        public TableInfo Info => table.Info;

        public async Task<IReadOnlyDictionary<int, long>> OffsetsAsync(IReadOnlyCollection<int> buckets, bool latest, CancellationToken cancellationToken) =>
            await connection.Admin.ListOffsetsAsync(table.Path, buckets, latest ? OffsetSpec.Latest : OffsetSpec.Earliest, cancellationToken).ConfigureAwait(false);

        public async IAsyncEnumerable<TieringBatch> ReadAsync(int bucket, long startOffset, long endOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (startOffset >= endOffset) yield break;
            var changelog = table.Info.HasPrimaryKey;
            var scanner = table.NewLogScanner(new LogScanOptions { Buckets = [bucket], Start = StartPosition.Offset(startOffset), StopAtEnd = true });
            await using (scanner.ConfigureAwait(false))
            {
                await foreach (var batch in scanner.ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (batch.RowCount == 0 || batch.BaseOffset >= endOffset)
                    {
                        batch.Dispose();
                        if (batch.BaseOffset >= endOffset) yield break;
                        continue;
                    }
                    ChangeType[]? kinds = null;
                    if (changelog)
                    {
                        kinds = new ChangeType[batch.RowCount];
                        for (var i = 0; i < kinds.Length; i++) kinds[i] = batch.ChangeTypeAt(i);
                    }
                    var next = batch.BaseOffset + batch.RowCount;
                    yield return new TieringBatch(batch.Batch, kinds, batch.BaseOffset, batch.Timestamp, batch);
                    if (next >= endOffset) yield break;
                }
            }
        }
    }
}
