using Fluss.Metadata;

namespace Fluss.Storage.Kv.Merge;

/// <summary>
/// The AGGREGATION merge engine: the first row of a key is stored as written; each later row is combined with the
/// stored one column by column with the column's aggregate function (primary-key columns keep the last value,
/// columns without a function use <c>last_value_ignore_nulls</c>). A partial write aggregates only its target
/// columns and keeps the others; a delete (behaviour ALLOW) removes the row, or for a partial write nulls the
/// target non-key columns and removes the row only when every other column is null.
/// </summary>
internal sealed class AggregateRowMerger : IRowMerger
{
    private readonly Schema _schema;
    private readonly short _schemaId;
    private readonly FieldAggregator[] _aggregators;
    private readonly RowCodec _codec;
    private readonly bool[]? _target;
    private readonly bool[] _primaryKey;
    private readonly Dictionary<string, AggregateRowMerger> _partial;

    public AggregateRowMerger(Schema schema, short schemaId, DeleteBehavior deleteBehavior)
        : this(schema, schemaId, deleteBehavior, null, [])
    {
    }

    private AggregateRowMerger(Schema schema, short schemaId, DeleteBehavior deleteBehavior, bool[]? target, Dictionary<string, AggregateRowMerger> partial)
    {
        _schema = schema;
        _schemaId = schemaId;
        DeleteBehavior = deleteBehavior;
        _target = target;
        _partial = partial;
        var rowType = schema.RowType;
        _primaryKey = new bool[rowType.FieldCount];
        foreach (var pk in schema.PrimaryKeyIndexes) _primaryKey[pk] = true;
        _aggregators = new FieldAggregator[rowType.FieldCount];
        for (var i = 0; i < _aggregators.Length; i++)
        {
            var function = _primaryKey[i]
                ? new AggFunction(AggFunctionType.LastValue)
                : schema.Columns[i].AggFunction ?? new AggFunction(AggFunctionType.LastValueIgnoreNulls);
            _aggregators[i] = new FieldAggregator(i, rowType.GetTypeAt(i), function);
        }
        _codec = new RowCodec(rowType);
    }

    public DeleteBehavior DeleteBehavior { get; }

    public byte[] Merge(byte[]? oldValue, byte[] newValue)
    {
        if (oldValue is null) return newValue;
        var stored = _codec.ReadOld(oldValue);
        var written = _codec.ReadNew(newValue);
        _codec.Begin();
        for (var i = 0; i < _aggregators.Length; i++)
        {
            if (_target is null || _target[i]) _aggregators[i].Aggregate(stored, written, _codec.Writer);
            else _codec.Copy(stored, i);
        }
        return _codec.Finish(_schemaId);
    }

    public byte[]? Delete(byte[] oldValue) =>
        _target is null ? null : _codec.DeleteTargetColumns(oldValue, _target, _primaryKey, _schemaId);

    public void Dispose()
    {
        _codec.Dispose();
        if (_target is not null) return;
        foreach (var merger in _partial.Values) merger._codec.Dispose();
        _partial.Clear();
    }

    public IRowMerger ForTargetColumns(int[]? targetColumns)
    {
        if (_target is not null)
            throw new InvalidOperationException("A partial aggregate merger is already configured with its target columns.");
        if (targetColumns is null) return this;
        var key = string.Join(',', targetColumns);
        if (!_partial.TryGetValue(key, out var merger))
        {
            var target = RowMergers.CheckTargetColumns(_schema, targetColumns, "Partial aggregate");
            if (_partial.Count >= 16)
            {
                foreach (var old in _partial.Values) old._codec.Dispose();
                _partial.Clear();
            }
            merger = new AggregateRowMerger(_schema, _schemaId, DeleteBehavior, target, _partial);
            _partial[key] = merger;
        }
        return merger;
    }
}
