namespace Fluss.Storage.Kv;

/// <summary>
/// The values a KV tablet has written to its changelog but not yet to RocksDB, each tagged with the changelog
/// offset of the record that produced it. Reads see the newest entry of a key (a null value is a delete); a flush
/// hands out, in offset order, the entries below a bound and forgets them; a truncation drops the entries at or
/// above an offset and brings back the older entry of each key still pending. Not thread-safe.
/// </summary>
internal sealed class KvPreWriteBuffer
{
    private readonly Dictionary<byte[], Entry> _latest = new(ByteArrayComparer.Instance);
    private readonly LinkedList<Entry> _entries = new();
    private long _maxOffset = -1;

    internal sealed class Entry(byte[] key, byte[]? value, long offset, Entry? previous)
    {
        public byte[] Key { get; } = key;

        /// <summary>The value, or null for a delete.</summary>
        public byte[]? Value { get; } = value;

        public long Offset { get; } = offset;

        public Entry? Previous { get; set; } = previous;

        public bool Flushed { get; set; }
    }

    public int Count => _entries.Count;

    /// <summary>Bytes of keys and values waiting to be flushed.</summary>
    public long PendingBytes { get; private set; }

    /// <summary>Records <paramref name="value"/> (null = delete) for <paramref name="key"/> at changelog offset <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">The offset is not above every offset in the buffer.</exception>
    public void Put(byte[] key, byte[]? value, long offset)
    {
        if (offset <= _maxOffset)
            throw new ArgumentException($"Pre-write buffer offsets must increase: the buffer holds offset {_maxOffset}, the new entry has {offset}.", nameof(offset));
        _latest.TryGetValue(key, out var previous);
        var entry = new Entry(key, value, offset, previous);
        _latest[key] = entry;
        _entries.AddLast(entry);
        _maxOffset = offset;
        PendingBytes += key.Length + (value?.Length ?? 0);
    }

    /// <summary>Whether the buffer knows the key; <paramref name="value"/> is then its newest value (null = deleted).</summary>
    public bool TryGet(byte[] key, out byte[]? value)
    {
        if (_latest.TryGetValue(key, out var entry))
        {
            value = entry.Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The entries with offsets below <paramref name="exclusiveUpToOffset"/>, oldest first (not removed).</summary>
    public List<Entry> EntriesBelow(long exclusiveUpToOffset)
    {
        var result = new List<Entry>();
        for (var node = _entries.First; node is not null && node.Value.Offset < exclusiveUpToOffset; node = node.Next)
            result.Add(node.Value);
        return result;
    }

    /// <summary>Forgets the first <paramref name="count"/> entries (they are in RocksDB now).</summary>
    public void RemoveFlushed(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var entry = _entries.First!.Value;
            _entries.RemoveFirst();
            entry.Flushed = true;
            entry.Previous = null;
            PendingBytes -= entry.Key.Length + (entry.Value?.Length ?? 0);
            if (_latest.TryGetValue(entry.Key, out var latest) && ReferenceEquals(latest, entry)) _latest.Remove(entry.Key);
        }
        if (_entries.Count == 0) _maxOffset = -1;
    }

    /// <summary>Drops every entry at or above <paramref name="offset"/>, restoring each key's older pending entry.</summary>
    public void TruncateTo(long offset)
    {
        while (_entries.Last is { } node && node.Value.Offset >= offset)
        {
            var entry = node.Value;
            _entries.RemoveLast();
            PendingBytes -= entry.Key.Length + (entry.Value?.Length ?? 0);
            if (_latest.TryGetValue(entry.Key, out var latest) && ReferenceEquals(latest, entry))
            {
                if (entry.Previous is { Flushed: false } previous) _latest[entry.Key] = previous;
                else _latest.Remove(entry.Key);
            }
        }
        _maxOffset = _entries.Last?.Value.Offset ?? -1;
    }

    /// <summary>Drops everything.</summary>
    public void Clear()
    {
        _latest.Clear();
        _entries.Clear();
        PendingBytes = 0;
        _maxOffset = -1;
    }
}

/// <summary>Compares byte arrays by content.</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
