using Apache.Arrow;

namespace Fluss.Arrow;

/// <summary>Measures of Arrow record batches.</summary>
public static class ArrowBatches
{
    /// <summary>Bytes of all buffers of the batch's columns, children included: the memory the batch holds.</summary>
    public static long BufferBytes(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long size = 0;
        for (var i = 0; i < batch.ColumnCount; i++) size += BufferBytes(batch.Column(i).Data);
        return size;
    }

    private static long BufferBytes(ArrayData data)
    {
        long total = 0;
        if (data.Buffers is { } buffers)
        {
            foreach (var buffer in buffers) total += buffer.Length;
        }
        if (data.Children is { } children)
        {
            foreach (var child in children) total += BufferBytes(child);
        }
        return total;
    }
}
