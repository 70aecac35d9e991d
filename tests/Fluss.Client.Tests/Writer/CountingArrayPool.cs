using System.Buffers;

namespace Fluss.Tests.Client.Writer;

/// <summary>
/// An array pool for tests: hands out new arrays a little longer than asked (as pools do) and fails when an array
/// comes back that is not out (returned twice, or never rented).
/// </summary>
internal sealed class CountingArrayPool : ArrayPool<byte>
{
    private readonly Lock _lock = new();
    private readonly HashSet<byte[]> _out = [];
    private int _rented;
    private int _returned;

    public int Rented
    {
        get { lock (_lock) return _rented; }
    }

    public int Returned
    {
        get { lock (_lock) return _returned; }
    }

    public int Outstanding
    {
        get { lock (_lock) return _out.Count; }
    }

    public bool IsOut(byte[] array)
    {
        lock (_lock) return _out.Contains(array);
    }

    public override byte[] Rent(int minimumLength)
    {
        var array = new byte[minimumLength + 13];
        lock (_lock)
        {
            _out.Add(array);
            _rented++;
        }
        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        lock (_lock)
        {
            if (!_out.Remove(array)) throw new InvalidOperationException("An array came back to the pool that was not rented from it or was returned already.");
            _returned++;
        }
    }
}
