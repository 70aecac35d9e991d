namespace Fluss.Arrow;

/// <summary>
/// The buffers of one flat column, exactly as many bytes as the IPC body needs: <see cref="Validity"/> holds
/// ceil(length / 8) bytes when <see cref="NullCount"/> &gt; 0 (empty otherwise), <see cref="Values"/> the fixed-width
/// values (or boolean bits, or int32 offsets starting at 0 for variable-width columns) and <see cref="Data"/> the
/// bytes of variable-width columns.
/// </summary>
internal readonly struct IpcColumn(ColumnKind kind, int length, int nullCount, ReadOnlyMemory<byte> validity, ReadOnlyMemory<byte> values, ReadOnlyMemory<byte> data)
{
    public ColumnKind Kind { get; } = kind;
    public int Length { get; } = length;
    public int NullCount { get; } = nullCount;
    public ReadOnlyMemory<byte> Validity { get; } = validity;
    public ReadOnlyMemory<byte> Values { get; } = values;
    public ReadOnlyMemory<byte> Data { get; } = data;
}
