using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Lake.Paimon.Data;

/// <summary>
/// The rows of several Arrow record batches of one row type, addressed by a global row index, with the change type
/// of each row. Values are read in place; strings and binaries as spans of the Arrow buffers.
/// </summary>
internal sealed class RowSource
{
    private readonly ArrowRowReader[] _readers;
    private readonly RecordBatch[] _batches;
    private readonly int[] _batchOf;
    private readonly int[] _rowOf;
    private readonly ChangeType[] _kinds;

    public RowSource(RowType rowType, IReadOnlyList<PaimonWriteBatch> batches)
    {
        RowType = rowType;
        var expected = ArrowSchemas.ToArrowSchema(rowType);
        _readers = new ArrowRowReader[batches.Count];
        _batches = new RecordBatch[batches.Count];
        var total = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            var batch = batches[b].Rows ?? throw new ArgumentException($"Batch {b} has no rows.", nameof(batches));
            if (batch.ColumnCount != rowType.FieldCount)
                throw new ArgumentException($"Batch {b} has {batch.ColumnCount} columns but the table has {rowType.FieldCount} ({string.Join(", ", rowType.FieldNames)}).", nameof(batches));
            for (var c = 0; c < batch.ColumnCount; c++)
            {
                var actual = batch.Schema.FieldsList[c];
                if (actual.Name != rowType.Fields[c].Name)
                    throw new ArgumentException($"Batch {b} column {c} is '{actual.Name}' but the table's column {c} is '{rowType.Fields[c].Name}'.", nameof(batches));
                if (actual.DataType.TypeId != expected.FieldsList[c].DataType.TypeId)
                    throw new ArgumentException($"Batch {b} column '{actual.Name}' is Arrow {actual.DataType.Name} but {rowType.Fields[c].Type} needs {expected.FieldsList[c].DataType.Name}.", nameof(batches));
            }
            var kinds = batches[b].ChangeTypes;
            if (!kinds.IsEmpty && kinds.Length != batch.Length)
                throw new ArgumentException($"Batch {b} has {batch.Length} rows but {kinds.Length} change types.", nameof(batches));
            _readers[b] = new ArrowRowReader(batch, rowType);
            _batches[b] = batch;
            total += batch.Length;
        }
        Count = total;
        _batchOf = new int[total];
        _rowOf = new int[total];
        _kinds = new ChangeType[total];
        var g = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            var kinds = batches[b].ChangeTypes.Span;
            for (var r = 0; r < _batches[b].Length; r++, g++)
            {
                _batchOf[g] = b;
                _rowOf[g] = r;
                _kinds[g] = kinds.IsEmpty ? ChangeType.AppendOnly : kinds[r];
            }
        }
    }

    public RowType RowType { get; }

    public int Count { get; }

    public ChangeType Kind(int g) => _kinds[g];

    /// <summary>Whether <paramref name="rows"/> are consecutive global row indexes (a range in source order).</summary>
    public static bool IsContiguous(ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty) return false;
        var first = rows[0];
        for (var i = 1; i < rows.Length; i++)
        {
            if (rows[i] != first + i) return false;
        }
        return true;
    }

    /// <summary>
    /// The pieces of Arrow column <paramref name="col"/> that hold global rows <paramref name="first"/> to
    /// <paramref name="first"/> + <paramref name="count"/> - 1, batch by batch: the column's data, the first row
    /// within it and how many rows of it.
    /// </summary>
    public List<(ArrayData Data, int Row, int Count)> Segments(int first, int count, int col)
    {
        var segments = new List<(ArrayData, int, int)>();
        var g = first;
        var end = first + count;
        while (g < end)
        {
            var b = _batchOf[g];
            var row = _rowOf[g];
            var take = Math.Min(end - g, _batches[b].Length - row);
            segments.Add((_batches[b].Column(col).Data, row, take));
            g += take;
        }
        return segments;
    }

    /// <summary>Paimon's RowKind byte: 0 = +I, 1 = -U, 2 = +U, 3 = -D.</summary>
    public sbyte RowKind(int g) => _kinds[g] switch
    {
        ChangeType.AppendOnly or ChangeType.Insert => 0,
        ChangeType.UpdateBefore => 1,
        ChangeType.UpdateAfter => 2,
        ChangeType.Delete => 3,
        var k => throw new ArgumentOutOfRangeException(nameof(g), k, "Unknown change type."),
    };

    public bool IsNull(int g, int col) => _readers[_batchOf[g]].IsNullAt(_rowOf[g], col);
    public bool GetBoolean(int g, int col) => _readers[_batchOf[g]].GetBoolean(_rowOf[g], col);
    public sbyte GetByte(int g, int col) => _readers[_batchOf[g]].GetByte(_rowOf[g], col);
    public short GetShort(int g, int col) => _readers[_batchOf[g]].GetShort(_rowOf[g], col);
    public int GetInt(int g, int col) => _readers[_batchOf[g]].GetInt(_rowOf[g], col);
    public long GetLong(int g, int col) => _readers[_batchOf[g]].GetLong(_rowOf[g], col);
    public float GetFloat(int g, int col) => _readers[_batchOf[g]].GetFloat(_rowOf[g], col);
    public double GetDouble(int g, int col) => _readers[_batchOf[g]].GetDouble(_rowOf[g], col);
    public FlussDecimal GetDecimal(int g, int col, int p, int s) => _readers[_batchOf[g]].GetDecimal(_rowOf[g], col, p, s);
    public TimestampNtz GetTimestampNtz(int g, int col) => _readers[_batchOf[g]].GetTimestampNtz(_rowOf[g], col);
    public TimestampLtz GetTimestampLtz(int g, int col) => _readers[_batchOf[g]].GetTimestampLtz(_rowOf[g], col);

    /// <summary>The UTF-8 bytes of a string, or the bytes of a binary value, in place.</summary>
    public ReadOnlySpan<byte> GetBytes(int g, int col)
    {
        var array = _batches[_batchOf[g]].Column(col);
        var row = _rowOf[g];
        if (array is BinaryArray binary) return binary.GetBytes(row);
        var data = array.Data;
        var width = ((Apache.Arrow.Types.FixedSizeBinaryType)data.DataType).ByteWidth;
        return data.Buffers[1].Span.Slice((data.Offset + row) * width, width);
    }

    /// <summary>The value as a boxed internal value (null for SQL NULL).</summary>
    public object? Get(int g, int col) => RowAccess.Get(_readers[_batchOf[g]].GetRow(_rowOf[g]), col, RowType.Fields[col].Type);

    /// <summary>A reusable row view positioned with <see cref="Cursor.MoveTo"/>.</summary>
    public Cursor NewCursor() => new(this);

    /// <summary>A mutable <see cref="IRow"/> over one row of the source (one allocation for many rows).</summary>
    internal sealed class Cursor(RowSource source) : IRow
    {
        private int _g;

        public void MoveTo(int g) => _g = g;

        public int FieldCount => source.RowType.FieldCount;
        public bool IsNullAt(int pos) => source.IsNull(_g, pos);
        public bool GetBoolean(int pos) => source.GetBoolean(_g, pos);
        public sbyte GetByte(int pos) => source.GetByte(_g, pos);
        public short GetShort(int pos) => source.GetShort(_g, pos);
        public int GetInt(int pos) => source.GetInt(_g, pos);
        public long GetLong(int pos) => source.GetLong(_g, pos);
        public float GetFloat(int pos) => source.GetFloat(_g, pos);
        public double GetDouble(int pos) => source.GetDouble(_g, pos);
        public string GetString(int pos) => System.Text.Encoding.UTF8.GetString(source.GetBytes(_g, pos));
        public byte[] GetBinary(int pos) => source.GetBytes(_g, pos).ToArray();
        public FlussDecimal GetDecimal(int pos, int precision, int scale) => source.GetDecimal(_g, pos, precision, scale);
        public TimestampNtz GetTimestampNtz(int pos, int precision) => source.GetTimestampNtz(_g, pos);
        public TimestampLtz GetTimestampLtz(int pos, int precision) => source.GetTimestampLtz(_g, pos);
    }
}
