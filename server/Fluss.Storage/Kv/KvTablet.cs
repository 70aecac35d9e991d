using System.Globalization;
using Fluss.Arrow;
using Fluss.Bucketing;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Storage.Kv.Merge;
using Fluss.Storage.Log;
using RocksDbSharp;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Storage.Kv;

/// <summary>
/// The key-value state of one primary-key bucket leader: a RocksDB instance in <c>kv-{bucket}/db</c> (key = the
/// encoded primary key, value = <c>[int16 schema id][CompactedRow]</c>) fed through the bucket's changelog.
/// </summary>
/// <remarks>
/// A write (<see cref="PutAsLeader"/>) runs under the tablet's lock: each record's stored value is read from the
/// pre-write buffer, else RocksDB; the table's merge engine produces the new value; the changelog records
/// (+I; -U and +U, or only +U with the WAL image; -D) go into ONE Arrow changelog batch appended to the log tablet
/// (an empty batch when nothing changed, so offsets and writer sequences still advance), and the new values wait in
/// the pre-write buffer tagged with their changelog offsets. <see cref="AdvanceHighWatermark"/> writes the buffered
/// values below the new high watermark into RocksDB and only then moves the log's high watermark, never beyond what
/// RocksDB holds: lookups (RocksDB only) and log readers (up to the high watermark) see a change together.
/// Recovery always starts from an empty directory: an optional checkpoint copy, then the changelog replayed from the
/// checkpoint's offset (up to the high watermark into RocksDB, beyond it into the pre-write buffer).
/// </remarks>
public sealed class KvTablet : IDisposable
{
    /// <summary>The name of the RocksDB directory inside the tablet directory.</summary>
    public const string DbDirectoryName = "db";

    /// <summary>The prefix of a KV tablet directory (<c>kv-{bucket}</c>).</summary>
    public const string KvTabletDirPrefix = "kv-";

    private const int RecoveryReadBytes = 16 * 1024 * 1024;

    private readonly Lock _writeLock = new();
    private readonly ReaderWriterLockSlim _lifetime = new(LockRecursionPolicy.SupportsRecursion);
    private readonly LogTablet _log;
    private readonly RocksDbKv _db;
    private readonly KvPreWriteBuffer _buffer = new();
    private readonly IRowMerger _merger;
    private readonly IKeyEncoder _keyEncoder;
    private readonly CompactedRow _rowReader;
    private readonly CompactedRow _changelogRow;
    private readonly ArrowBatchBuilder _changelogRows;
    private readonly ArrowLogBatchBuilder _changelogBuilder;
    private readonly List<ChangeType> _changeTypes = [];
    private readonly int[] _primaryKeyIndexes;
    private readonly short _schemaId;
    private readonly bool _walImage;
    private readonly WriteBatch _flushBatch = new();
    private byte[] _valueScratch = new byte[256];
    private byte[] _oldScratch = new byte[256];

    // Stored values of the current batch's keys, read before its records are applied (see PrefetchOldValues).
    private const int MinPrefetchRecords = 8;
    private int[] _prefetchKeyStarts = [];
    private int[] _prefetchKeyLengths = [];
    private int[] _prefetchStarts = [];
    private int[] _prefetchLengths = [];
    private byte[] _prefetchValues = new byte[4096];
    private int _prefetched;
    private int _recordIndex;
    private long _flushedLogOffset;
    private bool _closed;

    private KvTablet(string directory, LogTablet log, TableInfo table, RocksDbKv db)
    {
        Directory = directory;
        _log = log;
        _db = db;
        Table = table;
        TableBucket = log.TableBucket;
        _schemaId = checked((short)table.SchemaId);
        _merger = RowMergers.Create(table);
        _keyEncoder = PrimaryKeyEncoder(table);
        _rowReader = new CompactedRow(table.RowType);
        _changelogRow = new CompactedRow(table.RowType);
        _changelogRows = new ArrowBatchBuilder(table.RowType);
        var compression = table.TableConfig.ArrowCompression;
        _changelogBuilder = new ArrowLogBatchBuilder(compression.Type, compression.Level > 0 ? compression.Level : ArrowLogBatchBuilder.DefaultZstdLevel);
        _primaryKeyIndexes = table.Schema.PrimaryKeyIndexes;
        _walImage = table.TableConfig.ChangelogImage == ChangelogImage.Wal;
    }

    /// <summary>
    /// Creates the KV tablet of <paramref name="log"/>'s bucket in <paramref name="directory"/>: any old local state
    /// is deleted, the RocksDB checkpoint in <paramref name="checkpointDirectory"/> (if given) is copied in, and the
    /// changelog from <paramref name="recoverFromOffset"/> on is replayed.
    /// </summary>
    /// <param name="directory">The tablet directory, <c>.../{table}-{id}/kv-{bucket}</c>; see <see cref="TabletDirectoryOf"/>.</param>
    /// <param name="log">The bucket's changelog.</param>
    /// <param name="table">The primary-key table.</param>
    /// <param name="checkpointDirectory">A local copy of a KV snapshot's files, or null to start empty.</param>
    /// <param name="recoverFromOffset">The changelog offset the checkpoint covers (0 without one).</param>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE for a log table; KV_STORAGE when the changelog needed is gone.</exception>
    public static KvTablet Create(string directory, LogTablet log, TableInfo table, string? checkpointDirectory = null, long recoverFromOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(table);
        if (!table.HasPrimaryKey)
            throw new FlussException(FlussErrorCode.NonPrimaryKeyTable, $"Table {table.TablePath} has no primary key, so bucket {log.TableBucket} has no KV tablet.");
        var dbPath = Path.Combine(directory, DbDirectoryName);
        if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        System.IO.Directory.CreateDirectory(directory);
        if (checkpointDirectory is not null) CopyDirectory(checkpointDirectory, dbPath);
        var db = RocksDbKv.Open(dbPath);
        KvTablet? tablet = null;
        try
        {
            tablet = new KvTablet(directory, log, table, db);
            tablet.Recover(recoverFromOffset);
            return tablet;
        }
        catch
        {
            if (tablet is not null) tablet.Dispose();
            else db.Dispose();
            throw;
        }
    }

    /// <summary>The KV tablet directory next to a log tablet directory: <c>{table dir}/kv-{bucket}</c>.</summary>
    public static string TabletDirectoryOf(LogTablet log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var parent = System.IO.Directory.GetParent(log.Directory)?.FullName ?? throw new ArgumentException($"The log directory {log.Directory} has no parent.", nameof(log));
        return Path.Combine(parent, KvTabletDirPrefix + log.TableBucket.Bucket.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The encoder of the table's primary keys (the RocksDB keys), as clients encode them.</summary>
    public static IKeyEncoder PrimaryKeyEncoder(TableInfo table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var config = table.TableConfig;
        var lake = config.DataLakeFormat is { } format ? Config.FlussEnums.Name(format) : null;
        return KeyEncoders.ForPrimaryKey(table.RowType, table.PhysicalPrimaryKeys, lake, config.KvFormatVersion ?? 2, table.IsDefaultBucketKey);
    }

    public string Directory { get; }

    public TableBucket TableBucket { get; }

    public TableInfo Table { get; }

    /// <summary>The changelog offset up to which (exclusive) RocksDB holds every change.</summary>
    public long FlushedLogOffset => Volatile.Read(ref _flushedLogOffset);

    /// <summary>Number of changes waiting in the pre-write buffer.</summary>
    public int PendingCount
    {
        get
        {
            lock (_writeLock) return _buffer.Count;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writes
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Applies one KV record batch as the leader and appends its changelog to the log tablet. The batch is checked
    /// first (framing, checksum, records, schema id, each key against its row); on any error nothing is applied.
    /// A retry of a batch the writer already wrote is acknowledged with the original offsets and changes nothing.
    /// </summary>
    /// <param name="batch">One KvRecordBatch.</param>
    /// <param name="targetColumns">Partial update: the column indexes written (must include the primary key); null for all.</param>
    /// <param name="leaderEpoch">The leader epoch stamped on V2 batches.</param>
    /// <exception cref="CorruptMessageException">The batch framing or checksum is wrong, or a key is empty.</exception>
    /// <exception cref="CorruptRecordException">A record is malformed, a row's primary key is null or does not match its key.</exception>
    /// <exception cref="FlussException">SCHEMA_NOT_EXIST, INVALID_TARGET_COLUMN, DELETION_DISABLED, OUT_OF_ORDER_SEQUENCE, storage errors.</exception>
    public LogAppendInfo PutAsLeader(ReadOnlyMemory<byte> batch, int[]? targetColumns = null, int leaderEpoch = NoLeaderEpoch)
    {
        var records = new KvRecordBatch(batch);
        records.EnsureValid();
        var batchSchemaId = records.SchemaId;
        if (batchSchemaId < 0 || batchSchemaId > _schemaId)
            throw new FlussException(FlussErrorCode.SchemaNotExist, $"Invalid schema id {batchSchemaId} in the KV batch for {TableBucket}: the latest schema id of table {Table.TablePath} is {_schemaId}.");

        lock (_writeLock)
        {
            ThrowIfClosed();
            var merger = _merger.ForTargetColumns(targetColumns is { Length: > 0 } ? targetColumns : null);
            var start = _log.LogEndOffset;
            try
            {
                _changeTypes.Clear();
                _changelogRows.Clear();
                var offset = start;
                PrefetchOldValues(records, merger);
                _recordIndex = 0;
                foreach (var record in records.Records)
                {
                    if (record.Key.IsEmpty)
                        throw new CorruptMessageException($"A record of the KV batch for {TableBucket} has an empty key: primary-key tables need a non-null key.");
                    offset = record.IsDelete
                        ? ProcessDelete(record.Key, merger, offset)
                        : ProcessUpsert(record.Key, EncodeValue(batchSchemaId, record.Row), merger, offset);
                    _recordIndex++;
                }
                var header = new LogBatchHeader(_schemaId, records.WriterId, records.BatchSequence);
                var changelog = _changelogBuilder.BuildChangelog(_changelogRows, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_changeTypes), header);
                var info = _log.AppendAsLeader(changelog, leaderEpoch);
                if (info.IsDuplicate) _buffer.TruncateTo(start);
                return info;
            }
            catch
            {
                _buffer.TruncateTo(start);
                throw;
            }
            finally
            {
                _changelogRows.Clear();
                _changeTypes.Clear();
                _prefetched = 0;
            }
        }
    }

    private long ProcessDelete(ReadOnlySpan<byte> key, IRowMerger merger, long offset)
    {
        switch (merger.DeleteBehavior)
        {
            case DeleteBehavior.Ignore:
                return offset;
            case DeleteBehavior.Disable:
                throw new FlussException(FlussErrorCode.DeletionDisabled,
                    $"Delete operations are disabled for table {Table.TablePath}: its 'table.delete.behavior' is DISABLE; nothing of the batch for {TableBucket} was applied.");
        }
        if (!TryGetOld(key, out var old)) return offset;
        if (merger is DefaultRowMerger)
        {
            // A full-row delete always removes the row.
            AppendChange(ChangeType.Delete, old);
            _buffer.Put(key, default, isDelete: true, offset);
            return offset + 1;
        }
        var oldArray = old.ToArray();
        var result = merger.Delete(oldArray);
        if (result is null)
        {
            AppendChange(ChangeType.Delete, oldArray);
            _buffer.Put(key, default, isDelete: true, offset);
            return offset + 1;
        }
        return ApplyUpdate(key, oldArray, result, offset);
    }

    private long ProcessUpsert(ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value, IRowMerger merger, long offset)
    {
        ValidateRow(key, value);
        var fullRow = merger is DefaultRowMerger;
        if (_walImage && fullRow)
            return ApplyUpdate(key, null, value, offset);
        var found = TryGetOld(key, out var old);
        if (fullRow)
        {
            // The last row wins: no merge, and no copy of either value.
            if (!found)
            {
                AppendChange(ChangeType.Insert, value);
                _buffer.Put(key, value.Span, isDelete: false, offset);
                return offset + 1;
            }
            return ApplyUpdate(key, old, value, offset);
        }
        var oldArray = found ? old.ToArray() : null;
        var merged = merger.Merge(oldArray, value.ToArray());
        if (oldArray is null)
        {
            AppendChange(ChangeType.Insert, merged);
            _buffer.Put(key, merged, isDelete: false, offset);
            return offset + 1;
        }
        return ReferenceEquals(merged, oldArray) ? offset : ApplyUpdate(key, oldArray, merged, offset);
    }

    /// <param name="old">The stored value; null with the WAL image (the changelog carries no before image).</param>
    private long ApplyUpdate(ReadOnlySpan<byte> key, ReadOnlyMemory<byte>? old, ReadOnlyMemory<byte> value, long offset)
    {
        if (_walImage || old is null)
        {
            AppendChange(ChangeType.UpdateAfter, value);
            _buffer.Put(key, value.Span, isDelete: false, offset);
            return offset + 1;
        }
        AppendChange(ChangeType.UpdateBefore, old.Value);
        AppendChange(ChangeType.UpdateAfter, value);
        _buffer.Put(key, value.Span, isDelete: false, offset + 1);
        return offset + 2;
    }

    private void AppendChange(ChangeType type, ReadOnlyMemory<byte> value)
    {
        _changelogRow.PointTo(value[ValueEncoder.SchemaIdLength..]);
        _changelogRows.Append(_changelogRow);
        _changeTypes.Add(type);
    }

    /// <summary>The KV value of a written row, in a scratch buffer valid until the next record.</summary>
    private ReadOnlyMemory<byte> EncodeValue(short schemaId, ReadOnlySpan<byte> row)
    {
        var length = ValueEncoder.SchemaIdLength + row.Length;
        if (_valueScratch.Length < length) _valueScratch = new byte[Math.Max(length, _valueScratch.Length * 2)];
        ValueEncoder.Encode(schemaId, row, _valueScratch);
        return _valueScratch.AsMemory(0, length);
    }

    /// <summary>Checks an upserted row: well formed, primary key not null, and its key equal to the record's key.</summary>
    private void ValidateRow(ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value)
    {
        var row = value[ValueEncoder.SchemaIdLength..];
        var span = row.Span;
        foreach (var pk in _primaryKeyIndexes)
        {
            // Read the null bit itself: a reader of a NOT NULL column would not look at it.
            if ((pk >> 3) < span.Length && (span[pk >> 3] & (1 << (pk & 7))) != 0)
                throw new CorruptRecordException(
                    $"A row of the KV batch for {TableBucket} has a null value in primary key column '{Table.RowType.Fields[pk].Name}'; primary key columns must not be null.");
        }
        _rowReader.PointTo(row);
        var used = _rowReader.Validate();
        if (used != row.Length)
            throw new CorruptRecordException($"A row of the KV batch for {TableBucket} is corrupt: its fields end at byte {used} but the row has {row.Length} bytes.");
        if (!_keyEncoder.Encode(_rowReader).SequenceEqual(key))
            throw new CorruptRecordException(
                $"A record of the KV batch for {TableBucket} has a key that is not the encoded primary key of its row; encode keys with the table's primary-key encoder.");
    }

    /// <summary>
    /// Reads the stored values of the batch's keys from RocksDB up front, with batched MultiGets (keys sharing a
    /// data block share its read), when the records will need them; a record's key found in the pre-write buffer
    /// later takes the buffer's value instead.
    /// </summary>
    private void PrefetchOldValues(KvRecordBatch records, IRowMerger merger)
    {
        _prefetched = 0;
        // The WAL image of a last-row table reads stored values only for deletes: a point read each is enough.
        if (_walImage && merger is DefaultRowMerger) return;
        var count = records.RecordCount;
        if (count < MinPrefetchRecords) return;
        if (_prefetchKeyStarts.Length < count)
        {
            var size = Math.Max(count, _prefetchKeyStarts.Length * 2);
            _prefetchKeyStarts = new int[size];
            _prefetchKeyLengths = new int[size];
            _prefetchStarts = new int[size];
            _prefetchLengths = new int[size];
        }
        var bytes = records.Bytes.Span;
        var i = 0;
        foreach (var record in records.Records)
        {
            bytes.Overlaps(record.Key, out var at);
            _prefetchKeyStarts[i] = at;
            _prefetchKeyLengths[i] = record.Key.Length;
            i++;
        }
        _db.MultiGetInto(bytes, _prefetchKeyStarts.AsSpan(0, i), _prefetchKeyLengths.AsSpan(0, i), ref _prefetchValues,
            _prefetchStarts.AsSpan(0, i), _prefetchLengths.AsSpan(0, i));
        _prefetched = i;
    }

    /// <summary>
    /// The current value of <paramref name="key"/>: the pre-write buffer's newest entry, else RocksDB's. The memory
    /// is valid until the buffer changes or the next read; false when the key has no value (absent or deleted).
    /// </summary>
    private bool TryGetOld(ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value)
    {
        if (_buffer.TryGet(key, out value, out var isDelete)) return !isDelete;
        if (_recordIndex < _prefetched)
        {
            // RocksDB does not change while the batch is applied: the value read up front is current.
            var prefetched = _prefetchLengths[_recordIndex];
            value = prefetched < 0 ? default : _prefetchValues.AsMemory(_prefetchStarts[_recordIndex], prefetched);
            return prefetched >= 0;
        }
        var length = _db.GetInto(key, ref _oldScratch);
        value = length < 0 ? default : _oldScratch.AsMemory(0, length);
        return length >= 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Commit (high watermark) and flush
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Moves the log's high watermark towards <paramref name="candidate"/>: the buffered values below it are
    /// written into RocksDB first, and the high watermark never passes what RocksDB holds. Returns the high
    /// watermark now in effect.
    /// </summary>
    public long AdvanceHighWatermark(long candidate)
    {
        Flush(candidate);
        return _log.UpdateHighWatermark(Math.Min(candidate, FlushedLogOffset));
    }

    /// <summary>Writes the buffered values with changelog offsets below <paramref name="exclusiveUpToOffset"/> (capped at the log end) into RocksDB.</summary>
    public void Flush(long exclusiveUpToOffset)
    {
        lock (_writeLock)
        {
            if (_closed) return;
            var bound = Math.Min(exclusiveUpToOffset, _log.LogEndOffset);
            if (bound <= _flushedLogOffset) return;
            var count = _buffer.CountBelow(bound);
            if (count > 0)
            {
                _flushBatch.Clear();
                try
                {
                    _buffer.AddTo(_flushBatch, count);
                    _db.Write(_flushBatch);
                }
                finally
                {
                    _flushBatch.Clear();
                }
                _buffer.RemoveFlushed(count);
            }
            Volatile.Write(ref _flushedLogOffset, bound);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads (committed state only)
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>The stored values of <paramref name="keys"/> in key order; null for an absent key.</summary>
    public byte[]?[] MultiGet(byte[][] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var slices = new ReadOnlyMemory<byte>[keys.Length];
        for (var i = 0; i < keys.Length; i++) slices[i] = keys[i];
        return MultiGet(slices);
    }

    /// <summary>The stored values of <paramref name="keys"/> (e.g. slices of a request) in key order; null for an absent key.</summary>
    public byte[]?[] MultiGet(ReadOnlySpan<ReadOnlyMemory<byte>> keys)
    {
        _lifetime.EnterReadLock();
        try
        {
            ThrowIfClosed();
            return _db.MultiGet(keys);
        }
        finally
        {
            _lifetime.ExitReadLock();
        }
    }

    /// <summary>The stored values of every key starting with <paramref name="prefix"/>, in key order.</summary>
    public List<byte[]> PrefixLookup(byte[] prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return Read(() => _db.PrefixScan(prefix));
    }

    /// <summary>The first <paramref name="limit"/> stored values in key order.</summary>
    public List<byte[]> LimitScan(int limit) => Read(() => _db.Scan(Math.Max(0, limit)));

    /// <summary>Every stored key and value, in key order (a copy).</summary>
    public List<KeyValuePair<byte[], byte[]>> ReadAll() => Read(() => _db.All().ToList());

    private T Read<T>(Func<T> read)
    {
        _lifetime.EnterReadLock();
        try
        {
            ThrowIfClosed();
            return read();
        }
        finally
        {
            _lifetime.ExitReadLock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Snapshots and recovery
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Writes a RocksDB checkpoint of the committed state into <paramref name="directory"/> (must not exist) and
    /// returns the changelog offset it covers (exclusive): replaying the changelog from there rebuilds the rest.
    /// </summary>
    public long Checkpoint(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        lock (_writeLock)
        {
            ThrowIfClosed();
            _db.Checkpoint(directory);
            return _flushedLogOffset;
        }
    }

    private void Recover(long fromOffset)
    {
        var logStart = _log.LogStartOffset;
        if (fromOffset < logStart)
            throw new FlussException(FlussErrorCode.KvStorage,
                $"Cannot recover the KV state of {TableBucket}: the changelog from offset {fromOffset} is needed but the log starts at {logStart}.");
        var writer = new CompactedRowWriter(Table.RowType.FieldCount);
        try
        {
            // Committed changes go straight into RocksDB, the uncommitted tail into the pre-write buffer.
            var next = Replay(fromOffset, FetchIsolation.HighWatermark, writer, (key, value, _) => _pending.Add((key, value)));
            FlushPending();
            _flushedLogOffset = next;
            Replay(next, FetchIsolation.LogEnd, writer, (key, value, offset) => _buffer.Put(key, value, offset));
        }
        finally
        {
            writer.Dispose();
        }
    }

    private readonly List<(byte[] Key, byte[]? Value)> _pending = [];

    private void FlushPending()
    {
        if (_pending.Count == 0) return;
        _db.Write(_pending);
        _pending.Clear();
    }

    private long Replay(long from, FetchIsolation isolation, CompactedRowWriter writer, Action<byte[], byte[]?, long> apply)
    {
        var next = from;
        var rowType = Table.RowType;
        while (true)
        {
            using var data = _log.Read(next, RecoveryReadBytes, isolation, minOneMessage: true);
            if (data.IsEmpty) return next;
            foreach (var batch in new LogRecords(data.Records))
            {
                if (batch.NextOffset <= next) continue;
                if (batch.RecordCount > 0)
                {
                    foreach (var record in batch.ReadRows(rowType))
                    {
                        if (record.Offset < next || record.ChangeType == ChangeType.UpdateBefore) continue;
                        var key = _keyEncoder.EncodeKey(record.Row);
                        byte[]? value = null;
                        if (record.ChangeType != ChangeType.Delete)
                        {
                            writer.WriteRow(record.Row, rowType);
                            value = ValueEncoder.Encode(_schemaId, writer.WrittenSpan);
                        }
                        apply(key, value, record.Offset);
                    }
                }
                next = batch.NextOffset;
                if (_pending.Count >= 4096) FlushPending();
            }
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lifetime
    // ---------------------------------------------------------------------------------------------------------

    private void ThrowIfClosed()
    {
        if (_closed) throw new FlussException(FlussErrorCode.NotLeaderOrFollower, $"The KV tablet of {TableBucket} is closed: this server no longer leads the bucket.");
    }

    /// <summary>Closes RocksDB; buffered, uncommitted values are dropped (the changelog keeps them).</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            _lifetime.EnterWriteLock();
            try
            {
                if (_closed) return;
                _closed = true;
                _buffer.Clear();
                _db.Dispose();
                _merger.Dispose();
                _changelogRows.Dispose();
                _changelogBuilder.Dispose();
                _flushBatch.Dispose();
                (_keyEncoder as IDisposable)?.Dispose();
            }
            finally
            {
                _lifetime.ExitWriteLock();
            }
        }
    }

    public override string ToString() => $"KvTablet({TableBucket}, flushedLogOffset={FlushedLogOffset}, pending={_buffer.Count})";
}
