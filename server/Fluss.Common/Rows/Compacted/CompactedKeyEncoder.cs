using Fluss.Bucketing;
using Fluss.Types;

namespace Fluss.Rows.Compacted;

/// <summary>
/// Fluss's default key encoding: the key fields of a row in CompactedRow field encoding, concatenated in key order,
/// with no null bitset. Key fields must not be null. Because the encoding is a plain concatenation, the bytes of a
/// bucket key that is a leading part of the primary key are a prefix of the primary-key bytes (which makes prefix
/// lookups possible).
/// </summary>
public sealed class CompactedKeyEncoder : IKeyEncoder, IDisposable
{
    private readonly int[] _positions;
    private readonly RowField[] _fields;
    private readonly CompactedRowWriter _writer = new(0);

    /// <summary>Encodes the fields named <paramref name="keyNames"/> of rows of <paramref name="rowType"/>.</summary>
    /// <exception cref="ArgumentException">A key name is not a field of the row type.</exception>
    public CompactedKeyEncoder(RowType rowType, IReadOnlyList<string> keyNames)
        : this(rowType, ResolveKeys(rowType, keyNames))
    {
    }

    /// <summary>Encodes the fields at <paramref name="keyPositions"/> of rows of <paramref name="rowType"/>.</summary>
    public CompactedKeyEncoder(RowType rowType, IReadOnlyList<int> keyPositions)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        ArgumentNullException.ThrowIfNull(keyPositions);
        _positions = keyPositions.ToArray();
        _fields = new RowField[_positions.Length];
        for (var i = 0; i < _positions.Length; i++)
        {
            if ((uint)_positions[i] >= (uint)rowType.FieldCount)
                throw new ArgumentOutOfRangeException(nameof(keyPositions), _positions[i], $"The row type has {rowType.FieldCount} fields.");
            var field = rowType.Fields[_positions[i]];
            _fields[i] = RowField.Of(field.Name, field.Type);
        }
        KeyType = rowType.Project(_positions);
    }

    /// <summary>An encoder over all fields of <paramref name="rowType"/>, in order.</summary>
    public static CompactedKeyEncoder ForAllFields(RowType rowType)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        return new CompactedKeyEncoder(rowType, Enumerable.Range(0, rowType.FieldCount).ToArray());
    }

    /// <summary>The key fields, in key order; decode key bytes with <see cref="CompactedRow.FromKey"/> and this type.</summary>
    public RowType KeyType { get; }

    public byte[] EncodeKey(IRow row) => Encode(row).ToArray();

    /// <exception cref="ArgumentException">A key field of the row is null.</exception>
    public ReadOnlySpan<byte> Encode(IRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _writer.Reset();
        for (var i = 0; i < _positions.Length; i++)
        {
            var pos = _positions[i];
            if (row.IsNullAt(pos))
            {
                throw new ArgumentException(
                    $"Null value is not allowed for compacted key encoder in position {i} with type {_fields[i].Type}: key field '{_fields[i].Name}' of the row is null.",
                    nameof(row));
            }
            _writer.WriteField(row, pos, _fields[i]);
        }
        return _writer.WrittenSpan;
    }

    /// <summary>Decodes key bytes of this encoder back into the key fields.</summary>
    public CompactedRow DecodeKey(ReadOnlyMemory<byte> key) => CompactedRow.FromKey(KeyType, key);

    internal static int[] ResolveKeys(RowType rowType, IReadOnlyList<string> keyNames)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        ArgumentNullException.ThrowIfNull(keyNames);
        var positions = new int[keyNames.Count];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = rowType.IndexOf(keyNames[i]);
            if (positions[i] < 0)
                throw new ArgumentException($"Field {keyNames[i]} not found in input row type {rowType}.", nameof(keyNames));
        }
        return positions;
    }

    public void Dispose() => _writer.Dispose();
}
