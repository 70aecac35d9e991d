using RocksDbSharp;

namespace Fluss.Storage.Kv;

/// <summary>
/// The values a KV tablet has written to its changelog but not yet to RocksDB, each tagged with the changelog
/// offset of the record that produced it. Reads see the newest entry of a key (a delete has no value); a flush
/// hands out, in offset order, the entries below a bound and forgets them; a truncation drops the entries at or
/// above an offset and brings back the older entry of each key still pending. Not thread-safe.
/// </summary>
/// <remarks>
/// Entries live in two reused arrays that work as queues (appended at the tail, flushed from the head, truncated
/// from the tail): a slot array and a byte arena holding each entry's key followed by its value. A chained hash
/// index over the slots finds the newest entry of a key. Nothing is allocated per entry, so a large batch of
/// writes creates no garbage that outlives it.
/// </remarks>
internal sealed class KvPreWriteBuffer
{
    private const int NoSlot = -1;

    private Slot[] _slots = new Slot[64];
    private int _slotHead;
    private int _slotTail;
    private byte[] _arena = new byte[4096];
    private int _arenaHead;
    private int _arenaTail;

    // Hash index of the newest slot of each key: _buckets[hash & mask] is the first slot of a chain, linked by Slot.Next.
    private int[] _buckets = NewBuckets(64);
    private int _indexed;
    private long _maxOffset = -1;

    private struct Slot
    {
        public int Start;
        public int KeyLength;

        /// <summary>The value length; -1 for a delete.</summary>
        public int ValueLength;

        public long Offset;

        /// <summary>The older pending slot of the same key, or <see cref="NoSlot"/>.</summary>
        public int Previous;

        /// <summary>The next slot in the hash chain (only for indexed slots).</summary>
        public int Next;

        public uint Hash;

        /// <summary>Whether this slot is the newest of its key (it is in the hash index).</summary>
        public bool Indexed;
    }

    public int Count => _slotTail - _slotHead;

    /// <summary>Bytes of keys and values waiting to be flushed.</summary>
    public long PendingBytes => _arenaTail - _arenaHead;

    /// <summary>Records <paramref name="value"/> (null = delete) for <paramref name="key"/> at changelog offset <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">The offset is not above every offset in the buffer.</exception>
    public void Put(byte[] key, byte[]? value, long offset) => Put(key, value, value is null, offset);

    /// <summary>Records <paramref name="value"/> (ignored when <paramref name="isDelete"/>) for <paramref name="key"/> at changelog offset <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">The offset is not above every offset in the buffer.</exception>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isDelete, long offset)
    {
        if (offset <= _maxOffset)
            throw new ArgumentException($"Pre-write buffer offsets must increase: the buffer holds offset {_maxOffset}, the new entry has {offset}.", nameof(offset));
        var valueLength = isDelete ? -1 : value.Length;
        var bytes = key.Length + Math.Max(0, valueLength);
        EnsureArena(bytes);
        EnsureSlot();
        var start = _arenaTail;
        key.CopyTo(_arena.AsSpan(start));
        if (valueLength > 0) value.CopyTo(_arena.AsSpan(start + key.Length));
        _arenaTail += bytes;

        var hash = Hash(key);
        var previous = Find(key, hash);
        if (previous != NoSlot) Unindex(previous);
        var index = _slotTail++;
        _slots[index] = new Slot
        {
            Start = start,
            KeyLength = key.Length,
            ValueLength = valueLength,
            Offset = offset,
            Previous = previous,
            Next = NoSlot,
            Hash = hash,
        };
        Index(index);
        _maxOffset = offset;
    }

    /// <summary>
    /// Whether the buffer knows the key; <paramref name="value"/> is then its newest value, valid until the buffer
    /// changes, and <paramref name="isDelete"/> tells a pending delete.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value, out bool isDelete)
    {
        var slot = Find(key, Hash(key));
        if (slot == NoSlot)
        {
            value = default;
            isDelete = false;
            return false;
        }
        ref readonly var s = ref _slots[slot];
        isDelete = s.ValueLength < 0;
        value = isDelete ? default : _arena.AsMemory(s.Start + s.KeyLength, s.ValueLength);
        return true;
    }

    /// <summary>Whether the buffer knows the key; <paramref name="value"/> is then its newest value (a copy; null = deleted).</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        if (!TryGet(key, out ReadOnlyMemory<byte> memory, out var isDelete))
        {
            value = null;
            return false;
        }
        value = isDelete ? null : memory.ToArray();
        return true;
    }

    /// <summary>The number of entries, from the oldest, with offsets below <paramref name="exclusiveUpToOffset"/>.</summary>
    public int CountBelow(long exclusiveUpToOffset)
    {
        var i = _slotHead;
        while (i < _slotTail && _slots[i].Offset < exclusiveUpToOffset) i++;
        return i - _slotHead;
    }

    /// <summary>Adds the oldest <paramref name="count"/> entries to <paramref name="batch"/> (puts and deletes, in offset order).</summary>
    public void AddTo(WriteBatch batch, int count)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (var i = _slotHead; i < _slotHead + count; i++)
        {
            ref readonly var s = ref _slots[i];
            var key = _arena.AsSpan(s.Start, s.KeyLength);
            if (s.ValueLength < 0) batch.Delete(key);
            else batch.Put(key, _arena.AsSpan(s.Start + s.KeyLength, s.ValueLength));
        }
    }

    /// <summary>The oldest <paramref name="count"/> entries as copies (null value = delete), in offset order.</summary>
    public List<(byte[] Key, byte[]? Value, long Offset)> Oldest(int count)
    {
        var result = new List<(byte[], byte[]?, long)>(count);
        for (var i = _slotHead; i < _slotHead + count; i++)
        {
            ref readonly var s = ref _slots[i];
            result.Add((_arena.AsSpan(s.Start, s.KeyLength).ToArray(), s.ValueLength < 0 ? null : _arena.AsSpan(s.Start + s.KeyLength, s.ValueLength).ToArray(), s.Offset));
        }
        return result;
    }

    /// <summary>Forgets the oldest <paramref name="count"/> entries (they are in RocksDB now).</summary>
    public void RemoveFlushed(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        for (var i = 0; i < count; i++)
        {
            var index = _slotHead;
            if (_slots[index].Indexed) Unindex(index);
            _slotHead++;
        }
        if (_slotHead == _slotTail) Reset();
        else _arenaHead = _slots[_slotHead].Start;
    }

    /// <summary>Drops every entry at or above <paramref name="offset"/>, restoring each key's older pending entry.</summary>
    public void TruncateTo(long offset)
    {
        while (_slotTail > _slotHead && _slots[_slotTail - 1].Offset >= offset)
        {
            var index = --_slotTail;
            ref var s = ref _slots[index];
            if (s.Indexed)
            {
                Unindex(index);
                // The older entry of the key is pending when it was not flushed (flushed slots lie below the head).
                if (s.Previous >= _slotHead) Index(s.Previous);
            }
            _arenaTail = s.Start;
        }
        if (_slotHead == _slotTail) Reset();
        else _maxOffset = _slots[_slotTail - 1].Offset;
    }

    /// <summary>Drops everything.</summary>
    public void Clear()
    {
        Reset();
        if (_slots.Length > 4096) _slots = new Slot[64];
        if (_arena.Length > 1 << 20) _arena = new byte[4096];
        if (_buckets.Length > 4096) _buckets = NewBuckets(64);
    }

    private void Reset()
    {
        if (_indexed > 0) Array.Fill(_buckets, NoSlot);
        _indexed = 0;
        _slotHead = _slotTail = 0;
        _arenaHead = _arenaTail = 0;
        _maxOffset = -1;
    }

    private static uint Hash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return (uint)hash.ToHashCode();
    }

    private int Find(ReadOnlySpan<byte> key, uint hash)
    {
        for (var i = _buckets[hash & (uint)(_buckets.Length - 1)]; i != NoSlot; i = _slots[i].Next)
        {
            ref readonly var s = ref _slots[i];
            if (s.Hash == hash && _arena.AsSpan(s.Start, s.KeyLength).SequenceEqual(key)) return i;
        }
        return NoSlot;
    }

    private void Index(int index)
    {
        if (_indexed + 1 > _buckets.Length * 3 / 4) Rehash(_buckets.Length * 2);
        ref var s = ref _slots[index];
        ref var bucket = ref _buckets[s.Hash & (uint)(_buckets.Length - 1)];
        s.Next = bucket;
        s.Indexed = true;
        bucket = index;
        _indexed++;
    }

    private void Unindex(int index)
    {
        ref var s = ref _slots[index];
        ref var link = ref _buckets[s.Hash & (uint)(_buckets.Length - 1)];
        while (link != index) link = ref _slots[link].Next;
        link = s.Next;
        s.Next = NoSlot;
        s.Indexed = false;
        _indexed--;
    }

    private void Rehash(int size)
    {
        _buckets = NewBuckets(size);
        var mask = (uint)(size - 1);
        for (var i = _slotHead; i < _slotTail; i++)
        {
            ref var s = ref _slots[i];
            if (!s.Indexed) continue;
            ref var bucket = ref _buckets[s.Hash & mask];
            s.Next = bucket;
            bucket = i;
        }
    }

    private static int[] NewBuckets(int size)
    {
        var buckets = new int[size];
        Array.Fill(buckets, NoSlot);
        return buckets;
    }

    /// <summary>Makes room for one more slot: moves the live slots to the front, or grows the array.</summary>
    private void EnsureSlot()
    {
        if (_slotTail < _slots.Length) return;
        var live = _slotTail - _slotHead;
        var shift = _slotHead;
        var target = live + 1 > _slots.Length / 2 ? new Slot[_slots.Length * 2] : _slots;
        Array.Copy(_slots, _slotHead, target, 0, live);
        _slots = target;
        _slotHead = 0;
        _slotTail = live;
        if (shift == 0) return;
        for (var i = 0; i < live; i++)
        {
            ref var s = ref _slots[i];
            s.Previous = s.Previous >= shift ? s.Previous - shift : NoSlot;
            if (s.Next != NoSlot) s.Next -= shift;
        }
        for (var b = 0; b < _buckets.Length; b++)
            if (_buckets[b] != NoSlot) _buckets[b] -= shift;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more arena bytes: moves the live bytes to the front, or grows the arena.</summary>
    private void EnsureArena(int bytes)
    {
        if (_arenaTail + bytes <= _arena.Length) return;
        var live = _arenaTail - _arenaHead;
        var needed = live + bytes;
        var shift = _arenaHead;
        var target = needed > _arena.Length / 2 ? new byte[Math.Max(needed, (int)Math.Min(Array.MaxLength, _arena.Length * 2L))] : _arena;
        Buffer.BlockCopy(_arena, _arenaHead, target, 0, live);
        _arena = target;
        _arenaHead = 0;
        _arenaTail = live;
        if (shift == 0) return;
        for (var i = _slotHead; i < _slotTail; i++) _slots[i].Start -= shift;
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
