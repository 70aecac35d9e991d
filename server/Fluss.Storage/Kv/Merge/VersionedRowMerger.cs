using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Storage.Kv.Merge;

/// <summary>
/// The VERSIONED merge engine: a written row replaces the stored one when its version column is at least the
/// stored version (a null version counts as the smallest); otherwise nothing changes. No partial updates.
/// </summary>
internal sealed class VersionedRowMerger : IRowMerger
{
    private readonly int _column;
    private readonly DataType _type;
    private readonly RowCodec _codec;

    public VersionedRowMerger(Schema schema, string versionColumn, DeleteBehavior deleteBehavior)
    {
        _column = schema.IndexOf(versionColumn);
        if (_column < 0)
            throw new InvalidConfigException($"The version column '{versionColumn}' of the VERSIONED merge engine does not exist in the schema.");
        _type = schema.RowType.GetTypeAt(_column);
        if (_type is not (IntType or BigIntType or TimestampType or LocalZonedTimestampType))
            throw new InvalidConfigException($"The version column '{versionColumn}' of the VERSIONED merge engine must be INT, BIGINT, TIMESTAMP or TIMESTAMP_LTZ, but is {_type}.");
        _codec = new RowCodec(schema.RowType);
        DeleteBehavior = deleteBehavior;
    }

    public DeleteBehavior DeleteBehavior { get; }

    public byte[] Merge(byte[]? oldValue, byte[] newValue)
    {
        if (oldValue is null) return newValue;
        return Compare(_codec.ReadOld(oldValue), _codec.ReadNew(newValue)) <= 0 ? newValue : oldValue;
    }

    private int Compare(IRow stored, IRow written)
    {
        var storedNull = stored.IsNullAt(_column);
        var writtenNull = written.IsNullAt(_column);
        if (storedNull || writtenNull) return storedNull == writtenNull ? 0 : storedNull ? -1 : 1;
        return _type switch
        {
            IntType => stored.GetInt(_column).CompareTo(written.GetInt(_column)),
            BigIntType => stored.GetLong(_column).CompareTo(written.GetLong(_column)),
            TimestampType t => CompareTimestamps(stored.GetTimestampNtz(_column, t.Precision), written.GetTimestampNtz(_column, t.Precision)),
            LocalZonedTimestampType t => CompareTimestamps(stored.GetTimestampLtz(_column, t.Precision), written.GetTimestampLtz(_column, t.Precision)),
            _ => 0,
        };
    }

    private static int CompareTimestamps(TimestampNtz a, TimestampNtz b) =>
        a.Millisecond != b.Millisecond ? a.Millisecond.CompareTo(b.Millisecond) : a.NanoOfMillisecond.CompareTo(b.NanoOfMillisecond);

    private static int CompareTimestamps(TimestampLtz a, TimestampLtz b) =>
        a.EpochMillisecond != b.EpochMillisecond ? a.EpochMillisecond.CompareTo(b.EpochMillisecond) : a.NanoOfMillisecond.CompareTo(b.NanoOfMillisecond);

    public byte[]? Delete(byte[] oldValue) =>
        throw new InvalidOperationException("DELETE is not supported for the versioned merge engine.");

    public IRowMerger ForTargetColumns(int[]? targetColumns) =>
        targetColumns is null
            ? this
            : throw new FlussException(FlussErrorCode.InvalidTargetColumn, "Partial update is not supported for the versioned merge engine.");

    public void Dispose() => _codec.Dispose();
}
