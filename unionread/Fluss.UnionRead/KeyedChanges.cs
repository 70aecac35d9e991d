using Fluss.Arrow;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Types;

namespace Fluss.UnionRead;

/// <summary>
/// A changelog folded by primary key: for each key its last change, a row for +I/+U/+A and a tombstone for -U/-D.
/// Keys are the compacted key bytes of the primary key columns of <see cref="RowType"/>. Memory is proportional to
/// the distinct keys of the folded changes.
/// </summary>
internal sealed class KeyedChanges : IDisposable
{
    private readonly Dictionary<byte[], GenericRow?> _changes = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], GenericRow?>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly CompactedKeyEncoder _encoder;

    public KeyedChanges(RowType rowType, IReadOnlyList<string> primaryKeys)
    {
        RowType = rowType;
        _encoder = new CompactedKeyEncoder(rowType, primaryKeys);
        _bySpan = _changes.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public RowType RowType { get; }

    /// <summary>Keys with a change (live or deleted).</summary>
    public int Count => _changes.Count;

    /// <summary>Folds one change: the last change of a key wins.</summary>
    public void Apply(ArrowRow row, ChangeType change)
    {
        var key = _encoder.Encode(row);
        var value = change is ChangeType.UpdateBefore or ChangeType.Delete ? null : GenericRow.CopyOf(row, RowType);
        _bySpan[key] = value;
    }

    /// <summary>Whether the changes decide the key of <paramref name="row"/> (so a lake row of that key is replaced or removed).</summary>
    public bool Decides(ArrowRow row) => _bySpan.ContainsKey(_encoder.Encode(row));

    /// <summary>The rows of the keys whose last change is not a removal.</summary>
    public IEnumerable<GenericRow> LiveRows()
    {
        foreach (var row in _changes.Values)
        {
            if (row is not null) yield return row;
        }
    }

    public void Dispose() => _encoder.Dispose();
}

/// <summary>Byte-array keys compared by content, looked up by span without allocating.</summary>
internal sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var h = new HashCode();
        h.AddBytes(alternate);
        return h.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
