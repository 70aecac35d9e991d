using Fluss.Bucketing;
using Fluss.Rows.Compacted;
using Fluss.Types;

namespace Fluss.Rows.Paimon;

/// <summary>
/// Encodes key fields as a Paimon BinaryRow (row kind +I, no arity prefix), the key encoding of tables whose data
/// lake format is Paimon, so that the Fluss bucket of a key equals its Paimon bucket.
/// </summary>
/// <remarks>
/// Null key fields follow Fluss: a null in a nullable field only sets the null bit and zeroes the slot, even for
/// non-compact DECIMAL and TIMESTAMP fields (Paimon's own writer would also reserve variable-part bytes for those).
/// </remarks>
public sealed class PaimonKeyEncoder : IKeyEncoder, IDisposable
{
    private readonly int[] _positions;
    private readonly RowField[] _fields;
    private readonly BinaryRowWriter _writer;

    /// <summary>Encodes the fields named <paramref name="keyNames"/> of rows of <paramref name="rowType"/>, in that order.</summary>
    public PaimonKeyEncoder(RowType rowType, IReadOnlyList<string> keyNames)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        _positions = CompactedKeyEncoder.ResolveKeys(rowType, keyNames);
        _fields = new RowField[_positions.Length];
        for (var i = 0; i < _positions.Length; i++)
        {
            var field = rowType.Fields[_positions[i]];
            _fields[i] = RowField.Of(field.Name, field.Type);
        }
        KeyType = rowType.Project(_positions);
        _writer = new BinaryRowWriter(_positions.Length);
    }

    /// <summary>The key fields in key order; read key bytes with <c>new BinaryRow(KeyType, bytes)</c>.</summary>
    public RowType KeyType { get; }

    public byte[] EncodeKey(IRow row) => Encode(row).ToArray();

    /// <exception cref="ArgumentException">A NOT NULL key field of the row is null.</exception>
    public ReadOnlySpan<byte> Encode(IRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _writer.Reset();
        for (var i = 0; i < _positions.Length; i++)
        {
            var pos = _positions[i];
            if (row.IsNullAt(pos))
            {
                if (!_fields[i].IsNullable)
                    throw new ArgumentException($"Key field '{_fields[i].Name}' ({_fields[i].Type}) is NOT NULL but the row holds null.", nameof(row));
                _writer.SetNullAt(i);
                continue;
            }
            _writer.WriteField(row, pos, i, _fields[i]);
        }
        return _writer.WrittenSpan;
    }

    public void Dispose() => _writer.Dispose();
}
