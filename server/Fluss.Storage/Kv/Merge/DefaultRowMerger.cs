using Fluss.Metadata;

namespace Fluss.Storage.Kv.Merge;

/// <summary>The default merge engine: the last written row wins; partial updates and deletes are supported.</summary>
internal sealed class DefaultRowMerger(Schema schema, short schemaId, DeleteBehavior deleteBehavior) : IRowMerger
{
    private readonly Dictionary<string, PartialUpdater> _partial = [];

    public DeleteBehavior DeleteBehavior => deleteBehavior;

    public byte[] Merge(byte[]? oldValue, byte[] newValue) => newValue;

    public byte[]? Delete(byte[] oldValue) => null;

    public void Dispose()
    {
        foreach (var updater in _partial.Values) updater.Dispose();
        _partial.Clear();
    }

    public IRowMerger ForTargetColumns(int[]? targetColumns)
    {
        if (targetColumns is null || RowMergers.CoversAllFields(schema.RowType.FieldCount, targetColumns)) return this;
        var key = string.Join(',', targetColumns);
        if (!_partial.TryGetValue(key, out var updater))
        {
            if (_partial.Count >= 16) Dispose();
            updater = new PartialUpdater(schema, schemaId, targetColumns, deleteBehavior);
            _partial[key] = updater;
        }
        return updater;
    }
}

/// <summary>
/// A partial update of the default merge engine: target columns come from the written row, the others keep their
/// stored values (null for a new row); a delete nulls the target columns that are not part of the primary key and
/// removes the row only when every other column is null.
/// </summary>
internal sealed class PartialUpdater : IRowMerger
{
    private readonly short _schemaId;
    private readonly bool[] _target;
    private readonly bool[] _primaryKey;
    private readonly bool _primaryKeyOnly;
    private readonly RowCodec _codec;

    public PartialUpdater(Schema schema, short schemaId, int[] targetColumns, DeleteBehavior deleteBehavior)
    {
        _target = RowMergers.CheckTargetColumns(schema, targetColumns, "Partial update");
        _schemaId = schemaId;
        _primaryKey = new bool[_target.Length];
        foreach (var pk in schema.PrimaryKeyIndexes) _primaryKey[pk] = true;
        _primaryKeyOnly = _target.AsSpan().SequenceEqual(_primaryKey);
        _codec = new RowCodec(schema.RowType);
        DeleteBehavior = deleteBehavior;
    }

    public DeleteBehavior DeleteBehavior { get; }

    public byte[] Merge(byte[]? oldValue, byte[] newValue)
    {
        if (_primaryKeyOnly && oldValue is not null) return oldValue;
        var written = _codec.ReadNew(newValue);
        var stored = oldValue is null ? null : _codec.ReadOld(oldValue);
        _codec.Begin();
        for (var i = 0; i < _target.Length; i++)
        {
            if (_target[i]) _codec.Copy(written, i);
            else if (stored is null) _codec.WriteNull(i);
            else _codec.Copy(stored, i);
        }
        return _codec.Finish(_schemaId);
    }

    public byte[]? Delete(byte[] oldValue) => _codec.DeleteTargetColumns(oldValue, _target, _primaryKey, _schemaId);

    public IRowMerger ForTargetColumns(int[]? targetColumns) =>
        throw new InvalidOperationException("A partial updater is already configured with its target columns.");

    public void Dispose() => _codec.Dispose();
}

/// <summary>The FIRST_ROW merge engine: the first row of a key is kept; later writes change nothing; no partial updates.</summary>
internal sealed class FirstRowMerger(DeleteBehavior deleteBehavior) : IRowMerger
{
    public DeleteBehavior DeleteBehavior => deleteBehavior;

    public byte[] Merge(byte[]? oldValue, byte[] newValue) => oldValue ?? newValue;

    public byte[]? Delete(byte[] oldValue) =>
        throw new InvalidOperationException("DELETE is not supported for the first_row merge engine.");

    public IRowMerger ForTargetColumns(int[]? targetColumns) =>
        targetColumns is null
            ? this
            : throw new Errors.FlussException(Errors.FlussErrorCode.InvalidTargetColumn, "Partial update is not supported for the first_row merge engine.");

    public void Dispose()
    {
    }
}
