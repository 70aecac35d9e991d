using RocksDbSharp;

namespace Fluss.Storage.Kv;

/// <summary>
/// One RocksDB instance (default column family) holding a KV tablet's committed state. Writes skip RocksDB's own
/// write-ahead log: the changelog is the log, and recovery rebuilds the state from a snapshot and the changelog.
/// RocksDB is thread-safe; the owner keeps reads and close apart.
/// </summary>
internal sealed class RocksDbKv : IDisposable
{
    private readonly RocksDb _db;
    private readonly WriteOptions _writeOptions = new WriteOptions().DisableWal(1);
    private readonly ReadOptions _readOptions = new();

    // The default column family, for the C calls that name one (a non-owning wrapper, destroyed on close).
    private readonly IntPtr _defaultColumnFamily;

    private RocksDbKv(RocksDb db, string path)
    {
        _db = db;
        Path = path;
        _defaultColumnFamily = Native.Instance.rocksdb_get_default_column_family_handle(db.Handle);
    }

    public string Path { get; }

    /// <summary>Opens (creating when missing) the database in <paramref name="path"/>.</summary>
    public static RocksDbKv Open(string path)
    {
        Directory.CreateDirectory(path);
        return new RocksDbKv(RocksDb.Open(KvRocksDbOptions.Create(), path), path);
    }

    public byte[]? Get(ReadOnlySpan<byte> key) => _db.Get(key);

    /// <summary>
    /// Reads the value of <paramref name="key"/> into <paramref name="buffer"/> (grown when too small) without an
    /// intermediate copy; returns the value length, or -1 when the key is absent.
    /// </summary>
    public unsafe int GetInto(ReadOnlySpan<byte> key, ref byte[] buffer)
    {
        var native = Native.Instance;
        IntPtr slice;
        IntPtr error;
        fixed (byte* k = key)
            slice = native.rocksdb_get_pinned(_db.Handle, _readOptions.Handle, k, (UIntPtr)key.Length, out error);
        if (error != IntPtr.Zero) throw new RocksDbException(error);
        if (slice == IntPtr.Zero) return -1;
        try
        {
            var value = native.rocksdb_pinnableslice_value(slice, out var size);
            var length = checked((int)size);
            if (buffer.Length < length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
            new ReadOnlySpan<byte>((void*)value, length).CopyTo(buffer);
            return length;
        }
        finally
        {
            native.rocksdb_pinnableslice_destroy(slice);
        }
    }

    /// <summary>
    /// Reads the values of many keys, given as ranges of <paramref name="keyBytes"/>, with batched MultiGets into
    /// <paramref name="values"/> (grown when too small): value <c>i</c> is at <c>valueStarts[i]</c> with length
    /// <c>valueLengths[i]</c>, -1 for an absent key. Keys that fall into one data block are served by one read of it.
    /// </summary>
    public unsafe void MultiGetInto(ReadOnlySpan<byte> keyBytes, ReadOnlySpan<int> keyStarts, ReadOnlySpan<int> keyLengths,
        ref byte[] values, Span<int> valueStarts, Span<int> valueLengths)
    {
        const int Chunk = 4096;
        var count = keyStarts.Length;
        if (count == 0) return;
        var native = Native.Instance;
        var size = Math.Min(count, Chunk);
        var keyPointers = new IntPtr[size];
        var keySizes = new UIntPtr[size];
        var slices = new IntPtr[size];
        var errors = new IntPtr[size];
        var written = 0;
        fixed (byte* keyBase = keyBytes)
        fixed (IntPtr* sliceBase = slices)
        {
            for (var from = 0; from < count; from += Chunk)
            {
                var n = Math.Min(Chunk, count - from);
                for (var i = 0; i < n; i++)
                {
                    keyPointers[i] = (IntPtr)(keyBase + keyStarts[from + i]);
                    keySizes[i] = (UIntPtr)keyLengths[from + i];
                }
                native.rocksdb_batched_multi_get_cf(_db.Handle, _readOptions.Handle, _defaultColumnFamily, (UIntPtr)n, keyPointers, keySizes, (IntPtr)sliceBase, errors, 0);
                try
                {
                    for (var i = 0; i < n; i++)
                    {
                        if (errors[i] != IntPtr.Zero)
                        {
                            var error = errors[i];
                            errors[i] = IntPtr.Zero;
                            throw new RocksDbException(error);
                        }
                        if (slices[i] == IntPtr.Zero)
                        {
                            valueStarts[from + i] = 0;
                            valueLengths[from + i] = -1;
                            continue;
                        }
                        var value = native.rocksdb_pinnableslice_value(slices[i], out var length);
                        var len = checked((int)length);
                        if (values.Length - written < len) Array.Resize(ref values, Math.Max(written + len, values.Length * 2));
                        new ReadOnlySpan<byte>((void*)value, len).CopyTo(values.AsSpan(written));
                        valueStarts[from + i] = written;
                        valueLengths[from + i] = len;
                        written += len;
                    }
                }
                finally
                {
                    for (var i = 0; i < n; i++)
                    {
                        if (slices[i] != IntPtr.Zero) native.rocksdb_pinnableslice_destroy(slices[i]);
                        if (errors[i] != IntPtr.Zero) native.rocksdb_free(errors[i]);
                        slices[i] = IntPtr.Zero;
                        errors[i] = IntPtr.Zero;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The values of <paramref name="keys"/> in key order, null where a key is absent, read with one batched
    /// MultiGet straight from the callers' memory (no key copies; each value copied once out of RocksDB).
    /// </summary>
    public unsafe byte[]?[] MultiGet(ReadOnlySpan<ReadOnlyMemory<byte>> keys)
    {
        var count = keys.Length;
        var result = new byte[]?[count];
        if (count == 0) return result;
        var native = Native.Instance;
        var pins = new System.Buffers.MemoryHandle[count];
        var keyPointers = new IntPtr[count];
        var keySizes = new UIntPtr[count];
        var slices = new IntPtr[count];
        var errors = new IntPtr[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                pins[i] = keys[i].Pin();
                keyPointers[i] = (IntPtr)pins[i].Pointer;
                keySizes[i] = (UIntPtr)keys[i].Length;
            }
            fixed (IntPtr* values = slices)
                native.rocksdb_batched_multi_get_cf(_db.Handle, _readOptions.Handle, _defaultColumnFamily, (UIntPtr)count, keyPointers, keySizes, (IntPtr)values, errors, 0);
            for (var i = 0; i < count; i++)
            {
                if (errors[i] != IntPtr.Zero)
                {
                    var error = errors[i];
                    errors[i] = IntPtr.Zero;
                    throw new RocksDbException(error);
                }
                if (slices[i] == IntPtr.Zero) continue;
                var value = native.rocksdb_pinnableslice_value(slices[i], out var size);
                result[i] = new ReadOnlySpan<byte>((void*)value, checked((int)size)).ToArray();
            }
            return result;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                pins[i].Dispose();
                if (slices[i] != IntPtr.Zero) native.rocksdb_pinnableslice_destroy(slices[i]);
                if (errors[i] != IntPtr.Zero) native.rocksdb_free(errors[i]);
            }
        }
    }

    /// <summary>The values of every key that starts with <paramref name="prefix"/>, in key order.</summary>
    public List<byte[]> PrefixScan(ReadOnlySpan<byte> prefix)
    {
        var result = new List<byte[]>();
        using var iterator = _db.NewIterator();
        for (iterator.Seek(prefix); iterator.Valid(); iterator.Next())
        {
            if (!iterator.GetKeySpan().StartsWith(prefix)) break;
            result.Add(iterator.Value());
        }
        return result;
    }

    /// <summary>The first <paramref name="limit"/> values in key order.</summary>
    public List<byte[]> Scan(int limit)
    {
        var result = new List<byte[]>();
        using var iterator = _db.NewIterator();
        for (iterator.SeekToFirst(); iterator.Valid() && result.Count < limit; iterator.Next())
            result.Add(iterator.Value());
        return result;
    }

    /// <summary>Every key and value, in key order.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> All()
    {
        using var iterator = _db.NewIterator();
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            yield return KeyValuePair.Create(iterator.Key(), iterator.Value());
    }

    /// <summary>Applies puts (non-null value) and deletes (null value) atomically.</summary>
    public void Write(IEnumerable<(byte[] Key, byte[]? Value)> entries)
    {
        using var batch = new WriteBatch();
        foreach (var (key, value) in entries)
        {
            if (value is null) batch.Delete(key);
            else batch.Put(key, value);
        }
        if (batch.Count() > 0) _db.Write(batch, _writeOptions);
    }

    /// <summary>Applies <paramref name="batch"/> (when not empty) with this database's write options.</summary>
    public void Write(WriteBatch batch)
    {
        if (batch.Count() > 0) _db.Write(batch, _writeOptions);
    }

    public void Put(byte[] key, byte[] value) => _db.Put(key, value, null, _writeOptions);

    /// <summary>Writes a consistent copy of the database into <paramref name="directory"/> (which must not exist), memtables flushed first.</summary>
    public void Checkpoint(string directory)
    {
        using var checkpoint = _db.Checkpoint();
        checkpoint.Save(directory, 0);
    }

    public void Dispose()
    {
        Native.Instance.rocksdb_column_family_handle_destroy(_defaultColumnFamily);
        _db.Dispose();
    }
}
