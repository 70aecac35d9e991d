using Apache.Arrow;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Arrow;

/// <summary>
/// Builds Arrow record batches from Fluss rows (or whole Arrow columns) for one <see cref="Types.RowType"/>. Column
/// buffers are pooled and reused after <see cref="Build"/> or <see cref="Clear"/>, so one builder serves many
/// batches without per-row allocations. Values are converted exactly as Fluss's Arrow writers do. Not thread-safe.
/// </summary>
public sealed class ArrowBatchBuilder : IDisposable
{
    private readonly ColumnWriter[] _columns;
    private readonly long _emptyBodySize;
    private long _bodySize;
    private bool _disposed;

    public ArrowBatchBuilder(RowType rowType)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        RowType = rowType;
        Schema = ArrowSchemas.ToArrowSchema(rowType);
        _columns = new ColumnWriter[rowType.FieldCount];
        for (var i = 0; i < _columns.Length; i++)
            _columns[i] = new ColumnWriter(rowType.Fields[i].Name, rowType.Fields[i].Type);
        _emptyBodySize = _bodySize = MeasureBody();
    }

    public RowType RowType { get; }

    /// <summary>The Arrow schema of the batches (see <see cref="ArrowSchemas.ToArrowSchema"/>).</summary>
    public Schema Schema { get; }

    /// <summary>Rows appended since the last <see cref="Build"/> or <see cref="Clear"/>.</summary>
    public int RowCount { get; private set; }

    /// <summary>The size of the uncompressed Arrow IPC body of the rows so far (buffers padded to 8 bytes).</summary>
    public long EstimatedBodySize => _bodySize;

    private long MeasureBody()
    {
        long size = 0;
        foreach (var c in _columns) size += c.BodySize;
        return size;
    }

    /// <summary>Appends one row. Field i is read with the getter of column i's type; a failed row leaves the builder unchanged.</summary>
    /// <exception cref="ArgumentException">The row has the wrong field count, a null in a NOT NULL column, or a value that does not fit its column.</exception>
    public void Append<TRow>(TRow row) where TRow : IRow
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (row is null) throw new ArgumentNullException(nameof(row));
        if (row.FieldCount != _columns.Length)
            throw new ArgumentException($"The row has {row.FieldCount} fields but the row type {RowType} has {_columns.Length}.", nameof(row));
        var i = 0;
        try
        {
            for (; i < _columns.Length; i++) _columns[i].AppendFrom(row, i);
        }
        catch
        {
            for (var j = 0; j < i; j++) _columns[j].RemoveLast();
            throw;
        }
        RowCount++;
        _bodySize = MeasureBody();
    }

    /// <summary>
    /// Appends all rows of whole Arrow columns, one array per field, all of the same length and of exactly the Arrow
    /// type the field maps to. Values are copied column by column.
    /// </summary>
    public void AppendColumns(IReadOnlyList<IArrowArray> columns)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != _columns.Length)
            throw new ArgumentException($"Expected {_columns.Length} columns for {RowType} but got {columns.Count}.", nameof(columns));
        var length = columns.Count == 0 ? 0 : columns[0].Length;
        for (var i = 0; i < columns.Count; i++)
        {
            var data = columns[i].Data;
            var expected = _columns[i].ArrowType;
            if (!ColumnKinds.TryGet(data.DataType, out var kind, out var width) || kind != _columns[i].Kind || width != _columns[i].ByteWidth
                || !SameDecimal(data.DataType, expected))
                throw new ArgumentException($"Column {i} ('{_columns[i].Name}') must be an Arrow {expected.Name} array for {_columns[i].FlussType}, but is {data.DataType.Name}.", nameof(columns));
            if (data.Length != length)
                throw new ArgumentException($"All columns must have the same length; column 0 has {length} rows but column {i} has {data.Length}.", nameof(columns));
            if (!_columns[i].IsNullable && data.GetNullCount() > 0)
                throw new ArgumentException($"Column '{_columns[i].Name}' is {_columns[i].FlussType} but the appended column has nulls.", nameof(columns));
        }
        for (var i = 0; i < columns.Count; i++) _columns[i].AppendArray(columns[i].Data);
        RowCount += length;
        _bodySize = MeasureBody();
    }

    /// <summary>Appends all rows of a record batch whose schema matches this builder's.</summary>
    public void AppendBatch(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        AppendColumns(batch.Arrays.ToArray());
    }

    /// <summary>Returns the rows appended so far as a record batch that owns copies of the data, and clears the builder.</summary>
    public RecordBatch Build()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var arrays = new IArrowArray[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            var c = _columns[i].ToIpcColumn();
            var validity = c.NullCount > 0 ? new ArrowBuffer(c.Validity.ToArray()) : ArrowBuffer.Empty;
            ArrowBuffer[] buffers = c.Kind.IsVariableWidth()
                ? [validity, new ArrowBuffer(c.Values.ToArray()), new ArrowBuffer(c.Data.ToArray())]
                : [validity, new ArrowBuffer(c.Values.ToArray())];
            arrays[i] = ArrowArrayFactory.BuildArray(new ArrayData(_columns[i].ArrowType, c.Length, c.NullCount, 0, buffers, null));
        }
        var batch = new RecordBatch(Schema, arrays, RowCount);
        Clear();
        return batch;
    }

    /// <summary>Drops all appended rows, keeping the buffers for reuse.</summary>
    public void Clear()
    {
        foreach (var c in _columns) c.Clear();
        RowCount = 0;
        _bodySize = _emptyBodySize;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var c in _columns) c.Dispose();
    }

    /// <summary>The column buffers as they stand, valid until the next append or clear.</summary>
    internal void GetIpcColumns(Span<IpcColumn> destination)
    {
        for (var i = 0; i < _columns.Length; i++) destination[i] = _columns[i].ToIpcColumn();
    }

    internal int ColumnCount => _columns.Length;

    private static bool SameDecimal(Apache.Arrow.Types.IArrowType actual, Apache.Arrow.Types.IArrowType expected) =>
        actual is not Apache.Arrow.Types.Decimal128Type a || expected is not Apache.Arrow.Types.Decimal128Type e
        || (a.Precision == e.Precision && a.Scale == e.Scale);
}
