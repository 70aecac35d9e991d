using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Records.Log;
using Fluss.Types;

namespace Fluss.Client.Scanner;

/// <summary>
/// A column projection by name. Fluss's servers require the projected field indexes in table order without
/// duplicates, so <see cref="PushedDown"/> is the sorted list sent with the fetch, and the decoded columns are
/// rearranged into the order the caller asked for (<see cref="OutputToPushed"/>).
/// </summary>
internal sealed class ScanProjection
{
    private ScanProjection(int[] requested, RowType tableType)
    {
        Requested = requested;
        PushedDown = requested.Order().ToArray();
        OutputToPushed = requested.Select(i => System.Array.BinarySearch(PushedDown, i)).ToArray();
        PushedRowType = tableType.Project(PushedDown);
        OutputRowType = tableType.Project(requested);
        NeedsReorder = !requested.SequenceEqual(PushedDown);
    }

    /// <summary>Table field indexes in the requested order.</summary>
    public int[] Requested { get; }

    /// <summary>Table field indexes in table order: what the fetch request carries.</summary>
    public int[] PushedDown { get; }

    /// <summary>For output column i, its position among the pushed-down columns.</summary>
    public int[] OutputToPushed { get; }

    public RowType PushedRowType { get; }

    public RowType OutputRowType { get; }

    public bool NeedsReorder { get; }

    /// <summary>The projection of <paramref name="columns"/>, or null when they are all columns in table order.</summary>
    /// <exception cref="ArgumentException">The list is empty, names an unknown column, or names one twice.</exception>
    public static ScanProjection? Create(RowType tableType, IReadOnlyList<string>? columns, string table)
    {
        if (columns is null) return null;
        if (columns.Count == 0) throw new ArgumentException("The projection must name at least one column.", nameof(columns));
        var indexes = new int[columns.Count];
        var seen = new HashSet<int>();
        for (var i = 0; i < columns.Count; i++)
        {
            var index = tableType.IndexOf(columns[i]);
            if (index < 0)
                throw new ArgumentException($"Table {table} has no column '{columns[i]}'; its columns are {string.Join(", ", tableType.FieldNames)}.", nameof(columns));
            if (!seen.Add(index))
                throw new ArgumentException($"The projection names column '{columns[i]}' twice.", nameof(columns));
            indexes[i] = index;
        }
        if (indexes.Length == tableType.FieldCount && indexes.Select((v, i) => v == i).All(x => x)) return null;
        return new ScanProjection(indexes, tableType);
    }
}

/// <summary>How fetched batches of a table are decoded.</summary>
internal sealed class ReadContext
{
    public ReadContext(RowType tableType, ScanProjection? projection, bool checkCrc)
    {
        Projection = projection;
        ReadRowType = projection?.PushedRowType ?? tableType;
        OutputRowType = projection?.OutputRowType ?? tableType;
        ReadSchema = ArrowSchemas.ToArrowSchema(ReadRowType);
        OutputSchema = ArrowSchemas.ToArrowSchema(OutputRowType);
        // A projected batch is rewritten by the server, so its CRC no longer covers what is sent.
        CheckCrc = checkCrc && projection is null;
    }

    public ScanProjection? Projection { get; }

    /// <summary>The columns the server sends, in table order.</summary>
    public RowType ReadRowType { get; }

    public Apache.Arrow.Schema ReadSchema { get; }

    /// <summary>The columns the reader gets, in the requested order.</summary>
    public RowType OutputRowType { get; }

    public Apache.Arrow.Schema OutputSchema { get; }

    public bool CheckCrc { get; }
}

/// <summary>Turns the records a fetch returned for one bucket into <see cref="ScanBatch"/>es.</summary>
internal static class ScanDecoder
{
    /// <summary>
    /// Decodes the complete batches in <paramref name="records"/>, keeping only rows at or after
    /// <paramref name="fetchOffset"/> and before <paramref name="endOffset"/>.
    /// </summary>
    /// <returns>The offset to fetch next.</returns>
    /// <exception cref="CorruptMessageException">A batch is corrupt (framing or CRC).</exception>
    /// <exception cref="CorruptRecordException">A batch's Arrow data is corrupt.</exception>
    /// <exception cref="RecordTooLargeException">The bytes hold no complete batch.</exception>
    public static long Decode(
        ReadOnlyMemory<byte> records, int bucket, long fetchOffset, long? endOffset, long highWatermark, ReadContext context, List<ScanBatch> output)
    {
        var next = fetchOffset;
        var any = false;
        foreach (var batch in new LogRecords(records))
        {
            any = true;
            if (batch.NextOffset <= fetchOffset) continue;
            if (endOffset is { } end && batch.BaseOffset >= end) break;
            if (context.CheckCrc) batch.EnsureValid();
            next = batch.NextOffset;
            if (batch.RecordCount == 0) continue;

            var arrow = batch.ReadArrow(context.ReadSchema);
            try
            {
                var first = (int)Math.Max(0, fetchOffset - batch.BaseOffset);
                var stop = endOffset is { } e ? (int)Math.Min(arrow.RowCount, e - batch.BaseOffset) : arrow.RowCount;
                if (stop <= first)
                {
                    arrow.Dispose();
                    continue;
                }
                var view = Shape(arrow.Batch, first, stop - first, context);
                output.Add(new ScanBatch(bucket, batch.BaseOffset + first, highWatermark, batch.CommitTimestamp, view, context.OutputRowType, arrow, first, batch.NextOffset));
            }
            catch
            {
                arrow.Dispose();
                throw;
            }
        }
        if (!any && !records.IsEmpty) throw NoCompleteBatch(records.Length, bucket, fetchOffset);
        return next;
    }

    /// <summary>
    /// The offset to fetch after <paramref name="records"/>, from the batch headers alone (no CRC check, no
    /// decompression): the same offset <see cref="Decode"/> returns when the batches are valid.
    /// </summary>
    /// <param name="hasRows">Whether <see cref="Decode"/> yields at least one row: some batch has records in [fetchOffset, endOffset).</param>
    /// <exception cref="CorruptMessageException">A batch's framing is corrupt.</exception>
    /// <exception cref="RecordTooLargeException">The bytes hold no complete batch.</exception>
    public static long NextOffset(ReadOnlyMemory<byte> records, int bucket, long fetchOffset, long? endOffset, out bool hasRows)
    {
        var next = fetchOffset;
        var any = false;
        hasRows = false;
        foreach (var batch in new LogRecords(records))
        {
            any = true;
            if (batch.NextOffset <= fetchOffset) continue;
            if (endOffset is { } end && batch.BaseOffset >= end) break;
            next = batch.NextOffset;
            var count = batch.RecordCount;
            if (count <= 0) continue;
            var first = Math.Max(0, fetchOffset - batch.BaseOffset);
            var stop = endOffset is { } e ? Math.Min(count, e - batch.BaseOffset) : count;
            hasRows |= stop > first;
        }
        if (!any && !records.IsEmpty) throw NoCompleteBatch(records.Length, bucket, fetchOffset);
        return next;
    }

    private static RecordTooLargeException NoCompleteBatch(int bytes, int bucket, long fetchOffset) =>
        new($"The {bytes} bytes fetched for bucket {bucket} at offset {fetchOffset} hold no complete log batch; raise client.scanner.log.fetch.max-bytes-for-bucket.");

    /// <summary>Slices rows [first, first + count) and puts the columns in the requested order.</summary>
    internal static RecordBatch Shape(RecordBatch batch, int first, int count, ReadContext context)
    {
        var reorder = context.Projection is { NeedsReorder: true } p ? p.OutputToPushed : null;
        if (first == 0 && count == batch.Length && reorder is null) return batch;
        var arrays = new IArrowArray[batch.ColumnCount];
        for (var i = 0; i < arrays.Length; i++)
        {
            var column = batch.Column(reorder is null ? i : reorder[i]);
            arrays[i] = first == 0 && count == batch.Length ? column : ArrowArrayFactory.Slice(column, first, count);
        }
        return new RecordBatch(context.OutputSchema, arrays, count);
    }
}
