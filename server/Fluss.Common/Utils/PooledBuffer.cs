using System.Buffers;

namespace Fluss.Utils;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>. Writers reuse one across many rows or
/// batches; <see cref="Dispose"/> returns it to the pool. Not thread-safe.
/// </summary>
internal sealed class PooledBuffer : IDisposable
{
    private byte[] _array;

    public PooledBuffer(int initialCapacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>The current backing array; it changes when the buffer grows.</summary>
    public byte[] Array
    {
        get
        {
            ObjectDisposedException.ThrowIf(_array.Length == 0, this);
            return _array;
        }
    }

    public int Capacity => _array.Length;

    /// <summary>Makes sure <paramref name="required"/> bytes fit, keeping the first <paramref name="used"/> bytes.</summary>
    public void EnsureCapacity(int used, int required)
    {
        if (required <= _array.Length) return;
        ObjectDisposedException.ThrowIf(_array.Length == 0, this);
        if (required < 0) throw new InvalidOperationException("A buffer cannot grow beyond 2 GiB.");
        var newSize = (int)Math.Min(Math.Max((long)_array.Length * 2, required), System.Array.MaxLength);
        if (newSize < required) throw new InvalidOperationException("A buffer cannot grow beyond 2 GiB.");
        var bigger = ArrayPool<byte>.Shared.Rent(newSize);
        _array.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
    }
}
