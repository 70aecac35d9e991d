using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Fluss.Storage.Log;

/// <summary>
/// An append-only file of fixed-size big-endian entries, the layout of Fluss's sparse index files. The file holds
/// exactly the entries written (no preallocation), so a reopened file's length tells how many there are. While the
/// segment is active the entries are also kept in memory for lookups; an inactive segment's index is searched in
/// the file. Thread-safe.
/// </summary>
internal abstract class IndexFile : IDisposable
{
    private readonly object _lock = new();
    private SafeFileHandle? _handle;
    private byte[]? _cache;
    private int _entries;

    protected IndexFile(string path, long baseOffset, int maxIndexSize, int entrySize, bool cacheInMemory)
    {
        Path = path;
        BaseOffset = baseOffset;
        EntrySize = entrySize;
        MaxEntries = Math.Max(1, maxIndexSize / entrySize);
        _handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(_handle);
        LengthWasExact = length % entrySize == 0;
        _entries = (int)Math.Min(length / entrySize, int.MaxValue / entrySize);
        if (cacheInMemory) LoadCache();
    }

    public string Path { get; private set; }

    public long BaseOffset { get; }

    public int EntrySize { get; }

    public int MaxEntries { get; }

    /// <summary>False when the file length was not a whole number of entries when opened (a torn write).</summary>
    public bool LengthWasExact { get; }

    public int Entries
    {
        get
        {
            lock (_lock) return _entries;
        }
    }

    public virtual bool IsFull
    {
        get
        {
            lock (_lock) return _entries >= MaxEntries;
        }
    }

    /// <summary>Keeps the entries in memory (for the active segment).</summary>
    public void LoadCache()
    {
        lock (_lock)
        {
            if (_cache is not null) return;
            var cache = new byte[Math.Max(EntrySize * 64, _entries * EntrySize)];
            var read = _entries == 0 ? 0 : RandomAccess.Read(Handle, cache.AsSpan(0, _entries * EntrySize), 0);
            if (read < _entries * EntrySize) _entries = read / EntrySize;
            _cache = cache;
        }
    }

    /// <summary>Drops the in-memory copy (the segment became inactive).</summary>
    public void DropCache()
    {
        lock (_lock) _cache = null;
    }

    public void Flush()
    {
        lock (_lock)
        {
            if (_handle is not null) RandomAccess.FlushToDisk(_handle);
        }
    }

    /// <summary>Renames the file (the handle stays valid).</summary>
    public void RenameTo(string path)
    {
        lock (_lock)
        {
            if (File.Exists(Path)) File.Move(Path, path, overwrite: true);
            Path = path;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _handle?.Dispose();
            _handle = null;
            _cache = null;
        }
    }

    public void DeleteFile()
    {
        Dispose();
        File.Delete(Path);
    }

    protected object Sync => _lock;

    private SafeFileHandle Handle => _handle ?? throw new ObjectDisposedException(GetType().Name, $"The index file {Path} is closed.");

    /// <summary>Reads entry <paramref name="slot"/> (caller holds the lock).</summary>
    protected void ReadEntry(int slot, Span<byte> entry)
    {
        if (_cache is not null)
        {
            _cache.AsSpan(slot * EntrySize, EntrySize).CopyTo(entry);
            return;
        }
        var read = RandomAccess.Read(Handle, entry[..EntrySize], (long)slot * EntrySize);
        if (read < EntrySize) throw new IOException($"Index file {Path} is shorter than its {_entries} entries.");
    }

    /// <summary>Number of entries (caller holds the lock).</summary>
    protected int Count => _entries;

    /// <summary>Appends one entry (caller holds the lock).</summary>
    protected void AppendEntry(ReadOnlySpan<byte> entry)
    {
        if (_entries >= MaxEntries)
            throw new InvalidOperationException($"Attempt to append to a full index {Path} ({_entries} entries).");
        RandomAccess.Write(Handle, entry, (long)_entries * EntrySize);
        if (_cache is not null)
        {
            var needed = (_entries + 1) * EntrySize;
            if (needed > _cache.Length)
            {
                var grown = new byte[Math.Max(needed, Math.Min(_cache.Length * 2, MaxEntries * EntrySize))];
                _cache.AsSpan(0, _entries * EntrySize).CopyTo(grown);
                _cache = grown;
            }
            entry.CopyTo(_cache.AsSpan(_entries * EntrySize));
        }
        _entries++;
    }

    /// <summary>Keeps the first <paramref name="entries"/> entries (caller holds the lock).</summary>
    protected void TruncateToEntries(int entries)
    {
        entries = Math.Clamp(entries, 0, _entries);
        RandomAccess.SetLength(Handle, (long)entries * EntrySize);
        _entries = entries;
    }

    /// <summary>
    /// Removes the entries with offsets at or above <paramref name="offset"/>; <paramref name="offsetAt"/> gives the
    /// offset of a slot.
    /// </summary>
    protected void TruncateToOffset(long offset, Func<int, long> offsetAt)
    {
        lock (Sync)
        {
            var slot = LargestLowerBound(offset, offsetAt);
            var keep = slot < 0 ? 0 : offsetAt(slot) == offset ? slot : slot + 1;
            TruncateToEntries(keep);
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Reset()
    {
        lock (Sync) TruncateToEntries(0);
    }

    /// <summary>
    /// The last slot whose key is at most <paramref name="target"/>, or -1 (caller holds the lock). Keys must be
    /// ascending in slot order.
    /// </summary>
    protected int LargestLowerBound(long target, Func<int, long> key)
    {
        if (_entries == 0 || key(0) > target) return -1;
        int lo = 0, hi = _entries - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (key(mid) <= target) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    protected int RelativeOffset(long offset)
    {
        var relative = offset - BaseOffset;
        if (relative < 0 || relative > int.MaxValue)
            throw new InvalidOperationException($"Offset {offset} cannot be stored relative to base offset {BaseOffset} in {Path}.");
        return (int)relative;
    }
}

/// <summary>The offset index: entries of (int32 offset relative to the segment base, int32 file position), big-endian.</summary>
internal sealed class OffsetIndex : IndexFile
{
    public const int Size = 8;
    private readonly Func<int, long> _offsetAt;

    public OffsetIndex(string path, long baseOffset, int maxIndexSize, bool cacheInMemory)
        : base(path, baseOffset, maxIndexSize, Size, cacheInMemory)
    {
        _offsetAt = OffsetAt;
    }

    /// <summary>The offset of the last entry, or the base offset when empty.</summary>
    public long LastOffset
    {
        get
        {
            lock (Sync) return Count == 0 ? BaseOffset : Entry(Count - 1).Offset;
        }
    }

    public (long Offset, int Position) LastEntry
    {
        get
        {
            lock (Sync) return Count == 0 ? (BaseOffset, 0) : Entry(Count - 1);
        }
    }

    /// <summary>The entry with the largest offset at most <paramref name="targetOffset"/>, or (base offset, 0).</summary>
    public (long Offset, int Position) Lookup(long targetOffset)
    {
        lock (Sync)
        {
            var slot = LargestLowerBound(targetOffset, _offsetAt);
            return slot < 0 ? (BaseOffset, 0) : Entry(slot);
        }
    }

    public (long Offset, int Position) EntryAt(int slot)
    {
        lock (Sync) return Entry(slot);
    }

    public bool CanAppendOffset(long offset) => offset - BaseOffset is >= 0 and <= int.MaxValue;

    public void Append(long offset, int position)
    {
        lock (Sync)
        {
            if (Count > 0 && offset <= Entry(Count - 1).Offset)
                throw new InvalidOperationException($"Attempt to append offset {offset} to {Path} no larger than the last offset {Entry(Count - 1).Offset}.");
            Span<byte> entry = stackalloc byte[Size];
            BinaryPrimitives.WriteInt32BigEndian(entry, RelativeOffset(offset));
            BinaryPrimitives.WriteInt32BigEndian(entry[4..], position);
            AppendEntry(entry);
        }
    }

    /// <summary>Removes the entries with offsets at or above <paramref name="offset"/>.</summary>
    public void TruncateTo(long offset) => TruncateToOffset(offset, _offsetAt);

    /// <summary>Checks the length, and that the first and last entries lie at or above the base offset, ascend and point into a <paramref name="logSize"/>-byte log; null when sane.</summary>
    public string? SanityCheck(int logSize)
    {
        lock (Sync)
        {
            if (!LengthWasExact) return $"the length of {Path} is not a multiple of {Size}";
            if (Count == 0) return null;
            var first = Entry(0);
            var last = Entry(Count - 1);
            if (first.Offset < BaseOffset || last.Offset < first.Offset || (Count > 1 && last.Offset == first.Offset))
                return $"the offsets of {Path} ({first.Offset} .. {last.Offset}) do not ascend from the base offset {BaseOffset}";
            if (first.Position < 0 || last.Position < first.Position || last.Position > logSize)
                return $"the positions of {Path} ({first.Position} .. {last.Position}) do not fit the {logSize}-byte log";
            return null;
        }
    }

    private (long Offset, int Position) Entry(int slot)
    {
        Span<byte> entry = stackalloc byte[Size];
        ReadEntry(slot, entry);
        return (BaseOffset + BinaryPrimitives.ReadInt32BigEndian(entry), BinaryPrimitives.ReadInt32BigEndian(entry[4..]));
    }

    private long OffsetAt(int slot) => Entry(slot).Offset;
}

/// <summary>
/// The time index: entries of (int64 largest commit timestamp so far, int32 offset relative to the segment base),
/// big-endian; timestamps and offsets both ascend. Like Fluss, it counts as full one entry early.
/// </summary>
internal sealed class TimeIndex : IndexFile
{
    public const int Size = 12;
    private readonly Func<int, long> _timestampAt;
    private readonly Func<int, long> _offsetAt;

    public TimeIndex(string path, long baseOffset, int maxIndexSize, bool cacheInMemory)
        : base(path, baseOffset, maxIndexSize, Size, cacheInMemory)
    {
        _timestampAt = slot => Entry(slot).Timestamp;
        _offsetAt = slot => Entry(slot).Offset;
    }

    public override bool IsFull
    {
        get
        {
            lock (Sync) return Count >= MaxEntries - 1;
        }
    }

    /// <summary>The last entry, or (-1, base offset) when empty.</summary>
    public (long Timestamp, long Offset) LastEntry
    {
        get
        {
            lock (Sync) return Count == 0 ? (-1L, BaseOffset) : Entry(Count - 1);
        }
    }

    /// <summary>The entry with the largest timestamp at most <paramref name="timestamp"/>, or (-1, base offset).</summary>
    public (long Timestamp, long Offset) Lookup(long timestamp)
    {
        lock (Sync)
        {
            var slot = LargestLowerBound(timestamp, _timestampAt);
            return slot < 0 ? (-1L, BaseOffset) : Entry(slot);
        }
    }

    /// <summary>Appends (timestamp, offset) when the timestamp is larger than the last entry's.</summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck = false)
    {
        lock (Sync)
        {
            if (!skipFullCheck && Count >= MaxEntries - 1)
                throw new InvalidOperationException($"Attempt to append to a full time index {Path} ({Count} entries).");
            if (Count > 0)
            {
                var last = Entry(Count - 1);
                if (offset < last.Offset || timestamp <= last.Timestamp) return;
            }
            if (Count >= MaxEntries) return;
            Span<byte> entry = stackalloc byte[Size];
            BinaryPrimitives.WriteInt64BigEndian(entry, timestamp);
            BinaryPrimitives.WriteInt32BigEndian(entry[8..], RelativeOffset(offset));
            AppendEntry(entry);
        }
    }

    /// <summary>Removes the entries with offsets at or above <paramref name="offset"/>.</summary>
    public void TruncateTo(long offset) => TruncateToOffset(offset, _offsetAt);

    /// <summary>Checks the length, and that the first and last entries ascend from the base offset; null when sane.</summary>
    public string? SanityCheck()
    {
        lock (Sync)
        {
            if (!LengthWasExact) return $"the length of {Path} is not a multiple of {Size}";
            if (Count == 0) return null;
            var first = Entry(0);
            var last = Entry(Count - 1);
            if (first.Offset < BaseOffset || last.Offset < first.Offset || last.Timestamp < first.Timestamp)
                return $"the entries of {Path} ({first.Timestamp} -> {first.Offset} .. {last.Timestamp} -> {last.Offset}) do not ascend from the base offset {BaseOffset}";
            return null;
        }
    }

    private (long Timestamp, long Offset) Entry(int slot)
    {
        Span<byte> entry = stackalloc byte[Size];
        ReadEntry(slot, entry);
        return (BinaryPrimitives.ReadInt64BigEndian(entry), BaseOffset + BinaryPrimitives.ReadInt32BigEndian(entry[8..]));
    }
}
