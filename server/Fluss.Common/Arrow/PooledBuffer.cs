using System.Buffers;

namespace Fluss.Arrow;

/// <summary>
/// A growable byte buffer over arrays rented from <see cref="ArrayPool{T}.Shared"/>. Clearing keeps the capacity,
/// so one instance can be reused for many batches. Not thread-safe.
/// </summary>
internal sealed class PooledBuffer : IDisposable
{
    private static readonly byte[] Empty = [];

    private byte[] _array;
    private int _length;

    public PooledBuffer(int initialCapacity = 0)
    {
        _array = initialCapacity > 0 ? ArrayPool<byte>.Shared.Rent(initialCapacity) : Empty;
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    public int Capacity => _array.Length;

    public Span<byte> WrittenSpan => _array.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => new(_array, 0, _length);

    /// <summary>The whole backing array (its first <see cref="Length"/> bytes are written).</summary>
    public byte[] RawArray => _array;

    /// <summary>Makes room for <paramref name="sizeHint"/> more bytes and returns the free space after the written bytes.</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        EnsureFree(sizeHint);
        return _array.AsSpan(_length);
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_array.Length - _length))
            throw new ArgumentOutOfRangeException(nameof(count), count, "Cannot advance past the end of the buffer.");
        _length += count;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteZeros(int count)
    {
        GetSpan(count)[..count].Clear();
        _length += count;
    }

    /// <summary>Sets the written length (shrinking or growing; grown bytes are not cleared).</summary>
    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > _array.Length) EnsureFree(length - _length);
        _length = length;
    }

    public void Clear() => _length = 0;

    public void EnsureFree(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var required = (long)_length + count;
        if (required <= _array.Length) return;
        if (required > Array.MaxLength)
            throw new InvalidOperationException($"A buffer cannot grow beyond {Array.MaxLength} bytes; {required} bytes were requested.");
        var newSize = Math.Max(required, Math.Min((long)_array.Length * 2, Array.MaxLength));
        newSize = Math.Max(newSize, 256);
        var next = ArrayPool<byte>.Shared.Rent((int)newSize);
        _array.AsSpan(0, _length).CopyTo(next);
        Return();
        _array = next;
    }

    public void Dispose()
    {
        Return();
        _array = Empty;
        _length = 0;
    }

    private void Return()
    {
        if (_array.Length > 0) ArrayPool<byte>.Shared.Return(_array);
    }
}
