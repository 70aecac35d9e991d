using System.Globalization;
using Fluss.Bucketing;
using Fluss.Lake.Paimon.Data;
using Fluss.Lake.Paimon.Manifest;
using Fluss.Lake.Paimon.Schema;
using Fluss.Lake.Paimon.Table;
using Fluss.Rows;
using Fluss.Rows.Paimon;
using Fluss.Types;

namespace Fluss.Lake.Paimon;

/// <summary>
/// Writes a Paimon table in a filesystem catalog, readable by Java Paimon: Parquet data files per bucket (primary-key
/// tables: sorted by key, one row per key, increasing sequence numbers, level 0, plus an input changelog file), Avro
/// manifests, and snapshots created atomically without ever replacing one. One writer per bucket at a time.
/// </summary>
/// <remarks>
/// Typical use: <see cref="WriteAsync"/> one file per bucket, then <see cref="CommitAsync"/> them all with the
/// caller's commit user, identifier and snapshot properties. <see cref="LatestSnapshotOfUserAsync"/> tells whether a
/// commit of an earlier attempt landed.
/// </remarks>
public sealed class PaimonTableWriter
{
    /// <summary>Merge the base manifests of a snapshot into one when it has at least this many (Paimon's default).</summary>
    private const int ManifestMergeMinCount = 30;

    private readonly TableStore _store;
    private readonly TableSchema _schema;
    private readonly PartitionCodec _partitions;
    private readonly RowType _rowType;
    private readonly string _uuid = Guid.NewGuid().ToString();
    private readonly object _seqLock = new();
    private Task<Dictionary<(string Partition, int Bucket), long>>? _nextSequence;
    private int _fileCounter;
    private int _manifestCounter;
    private int _manifestListCounter;

    private PaimonTableWriter(TableStore store, TableSchema schema)
    {
        _store = store;
        _schema = schema;
        _partitions = new PartitionCodec(schema);
        _rowType = schema.RowType();
        if (!schema.Option("file.format", "parquet").Equals("parquet", StringComparison.OrdinalIgnoreCase))
            throw new PaimonUnsupportedFeatureException($"{schema.Option("file.format", "")} data files", $"Table '{store.TablePath}' uses file.format={schema.Option("file.format", "")}; this writer writes only Parquet.");
        if (schema.IsPrimaryKeyTable && schema.Bucket <= 0)
            throw new PaimonUnsupportedFeatureException("dynamic or postpone buckets", $"Primary-key table '{store.TablePath}' has bucket={schema.Bucket}; this writer supports only a fixed bucket count.");
        if (schema.IsPrimaryKeyTable && schema.BoolOption("deletion-vectors.enabled"))
            throw new PaimonUnsupportedFeatureException("deletion vectors", $"Table '{store.TablePath}' enables deletion vectors; level-0 files written without compaction would stay invisible to batch readers.");
        var engine = schema.Option("merge-engine", "deduplicate");
        if (schema.IsPrimaryKeyTable && engine is not ("deduplicate" or "partial-update"))
            throw new PaimonUnsupportedFeatureException($"{engine} merge engine", $"Table '{store.TablePath}' uses merge-engine={engine}; this writer supports deduplicate and partial-update tables.");
        if (schema.BoolOption("row-tracking.enabled") || schema.BoolOption("data-evolution.enabled"))
            throw new PaimonUnsupportedFeatureException("row tracking", $"Table '{store.TablePath}' enables row tracking or data evolution, which this writer does not support.");
    }

    /// <summary>The table directory.</summary>
    public string TablePath => _store.TablePath;

    /// <summary>The table's columns (schema the writer writes with).</summary>
    public RowType RowType => _rowType;

    public long SchemaId => _schema.Id;

    public IReadOnlyList<string> PrimaryKeys => _schema.PrimaryKeys;

    public IReadOnlyList<string> PartitionKeys => _schema.PartitionKeys;

    /// <summary>The bucket count; -1 for a bucket-unaware append table.</summary>
    public int Buckets => _schema.Bucket;

    public IReadOnlyDictionary<string, string> Options => _schema.Options;

    /// <summary>
    /// Creates the table (<c>schema/schema-0</c>, written atomically) or, if it exists with the same columns, keys
    /// and bucketing, opens it.
    /// </summary>
    /// <exception cref="PaimonTableExistsException">A table with a different definition exists at the path.</exception>
    /// <exception cref="ArgumentException">The definition is invalid.</exception>
    public static async Task<PaimonTableWriter> CreateTableAsync(IPaimonFileIO io, string tablePath, PaimonTableDefinition definition,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(definition);
        var schema = BuildSchema(definition);
        var store = new TableStore(io, tablePath);
        var existing = await store.LatestSchemaAsync(cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            var path = PaimonPaths.Combine(store.SchemaDir, "schema-0");
            if (await io.TryCreateAtomicAsync(path, schema.ToJson(), cancellationToken).ConfigureAwait(false))
                return new PaimonTableWriter(store, schema);
            existing = await store.LatestSchemaAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new PaimonException($"Could not create '{path}' and no schema exists there.");
        }
        var mismatch = Difference(existing, schema);
        if (mismatch is not null)
            throw new PaimonTableExistsException($"A Paimon table with a different definition exists at '{tablePath}': {mismatch}.");
        return new PaimonTableWriter(store, existing);
    }

    /// <summary>Opens an existing table for writing with its latest schema.</summary>
    /// <exception cref="PaimonNotFoundException">No table exists at the path.</exception>
    public static async Task<PaimonTableWriter> OpenAsync(IPaimonFileIO io, string tablePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        var store = new TableStore(io, tablePath);
        var schema = await store.LatestSchemaAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new PaimonNotFoundException($"No Paimon table exists at '{tablePath}' (no schema/schema-N file).");
        return new PaimonTableWriter(store, schema);
    }

    internal static TableSchema BuildSchema(PaimonTableDefinition d)
    {
        var columns = d.Columns ?? throw new ArgumentException("The table needs columns.", nameof(d));
        if (columns.FieldCount == 0) throw new ArgumentException("The table needs at least one column.", nameof(d));
        var names = columns.FieldNames.ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count) throw new ArgumentException("Column names must be unique.", nameof(d));
        foreach (var (what, keys) in new[] { ("Primary key", d.PrimaryKeys), ("Partition key", d.PartitionKeys), ("Bucket key", d.BucketKeys) })
        {
            foreach (var k in keys)
            {
                if (!names.Contains(k)) throw new ArgumentException($"{what} column '{k}' is not a column of the table ({string.Join(", ", names)}).", nameof(d));
            }
        }
        if (d.Buckets == 0 || d.Buckets < -1) throw new ArgumentException($"Buckets must be positive, or -1 for a bucket-unaware append table; got {d.Buckets}.", nameof(d));
        if (d.PrimaryKeys.Count > 0 && d.Buckets < 1) throw new ArgumentException("A primary-key table needs a fixed bucket count.", nameof(d));
        if (d.PrimaryKeys.Count == 0 && d.Buckets > 0 && d.BucketKeys.Count == 0)
            throw new ArgumentException("A fixed-bucket append table needs bucket keys.", nameof(d));
        if (d.PrimaryKeys.Count > 0)
        {
            foreach (var p in d.PartitionKeys)
            {
                if (!d.PrimaryKeys.Contains(p)) throw new ArgumentException($"Partition key '{p}' must be part of the primary key.", nameof(d));
            }
            var trimmed = d.PrimaryKeys.Where(k => !d.PartitionKeys.Contains(k)).ToList();
            foreach (var b in d.BucketKeys)
            {
                if (!trimmed.Contains(b)) throw new ArgumentException($"Bucket key '{b}' must be part of the primary key without the partition keys.", nameof(d));
            }
        }
        foreach (var f in columns.Fields)
        {
            if (!f.Type.IsScalar) throw new ArgumentException($"Column '{f.Name}' has the nested type {f.Type}; this writer supports only scalar columns.", nameof(d));
        }
        var fields = columns.Fields.Select((f, i) => new PaimonField(i, f.Name, d.PrimaryKeys.Contains(f.Name) ? f.Type.AsNotNull() : f.Type, null, f.Description)).ToList();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in d.Options) options[k] = v;
        options["bucket"] = d.Buckets.ToString(CultureInfo.InvariantCulture);
        if (d.BucketKeys.Count > 0) options["bucket-key"] = string.Join(",", d.BucketKeys);
        else options.Remove("bucket-key");
        options["partition.legacy-name"] = "false";
        options["file.format"] = "parquet";
        options.TryAdd("file.compression", "zstd");
        options.TryAdd("manifest.compression", "zstd");
        if (d.PrimaryKeys.Count > 0) options["changelog-producer"] = "input";
        var schema = new TableSchema(0, fields, fields.Count - 1, d.PartitionKeys.ToList(), d.PrimaryKeys.ToList(), options, d.Comment,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _ = new PartitionCodec(schema); // validates the partition key types
        return schema;
    }

    private static string? Difference(TableSchema existing, TableSchema wanted)
    {
        if (existing.Fields.Count != wanted.Fields.Count
            || existing.Fields.Zip(wanted.Fields).Any(p => p.First.Name != p.Second.Name || p.First.Type != p.Second.Type))
            return $"columns ({string.Join(", ", existing.Fields.Select(f => $"{f.Name} {f.Type?.ToString() ?? f.UnsupportedType}"))}) instead of ({string.Join(", ", wanted.Fields.Select(f => $"{f.Name} {f.Type}"))})";
        if (!existing.PrimaryKeys.SequenceEqual(wanted.PrimaryKeys)) return $"primary key ({string.Join(", ", existing.PrimaryKeys)})";
        if (!existing.PartitionKeys.SequenceEqual(wanted.PartitionKeys)) return $"partition keys ({string.Join(", ", existing.PartitionKeys)})";
        if (existing.Bucket != wanted.Bucket) return $"bucket={existing.Bucket}";
        if (!existing.BucketKeys.SequenceEqual(wanted.BucketKeys)) return $"bucket keys ({string.Join(", ", existing.BucketKeys)})";
        return null;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /// <summary>
    /// Writes the rows, all of one partition, as one data file of <paramref name="bucket"/> (bucket-unaware tables
    /// write to bucket 0 whatever is given). Primary-key tables: the changes are sorted by key, the last change per
    /// key is kept in the data file, and all changes go to a changelog file. The file is not visible until committed.
    /// </summary>
    /// <exception cref="ArgumentException">No rows; rows of several partitions; a row whose bucket key hashes to another bucket; a retraction in an append table.</exception>
    public async Task<PaimonDataFile> WriteAsync(int bucket, IReadOnlyList<PaimonWriteBatch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var source = new RowSource(_rowType, batches);
        if (source.Count == 0) throw new ArgumentException("There are no rows to write.", nameof(batches));
        var totalBuckets = _schema.Bucket;
        if (totalBuckets > 0 && (bucket < 0 || bucket >= totalBuckets))
            throw new ArgumentOutOfRangeException(nameof(bucket), bucket, $"The table has {totalBuckets} buckets.");
        var paimonBucket = totalBuckets > 0 ? bucket : 0;

        var partition = PartitionOf(source);
        var partitionBytes = _partitions.Serialize(partition);
        CheckBucket(source, paimonBucket, totalBuckets);
        var directory = PaimonPaths.Combine(TablePath, _partitions.Directory(partition) + "bucket-" + paimonBucket.ToString(CultureInfo.InvariantCulture));

        var isPk = _schema.IsPrimaryKeyTable;
        if (!isPk)
        {
            for (var g = 0; g < source.Count; g++)
            {
                if (source.Kind(g) is not (ChangeType.AppendOnly or ChangeType.Insert))
                    throw new ArgumentException($"Row {g} is a {source.Kind(g).ToShortString()} change; an append table takes only appended rows.", nameof(batches));
            }
        }

        var baseSeq = await ReserveSequenceAsync(Convert.ToHexString(partitionBytes), paimonBucket, source.Count, cancellationToken).ConfigureAwait(false);
        DataFileMeta data;
        DataFileMeta? changelog = null;
        if (isPk)
        {
            var sorted = SortedLastChanges(source);
            data = await WriteKeyValueFileAsync(directory, "data-", source, sorted, baseSeq, cancellationToken).ConfigureAwait(false);
            if (_schema.Option("changelog-producer", "none") == "input")
            {
                var all = Enumerable.Range(0, source.Count).ToArray();
                changelog = await WriteKeyValueFileAsync(directory, "changelog-", source, all, baseSeq, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            data = await WriteAppendFileAsync(directory, source, baseSeq, cancellationToken).ConfigureAwait(false);
        }
        return new PaimonDataFile(_partitions.Describe(partition), partitionBytes, paimonBucket, totalBuckets, data, changelog, directory);
    }

    private GenericRow PartitionOf(RowSource source)
    {
        var keys = _partitions.Keys;
        var values = new object?[keys.Count];
        var positions = keys.Select(k => _rowType.IndexOf(k)).ToArray();
        for (var i = 0; i < keys.Count; i++) values[i] = source.Get(0, positions[i]);
        for (var g = 1; g < source.Count; g++)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                var v = source.Get(g, positions[i]);
                if (!Equals(v, values[i]))
                    throw new ArgumentException($"Rows of one data file must share their partition, but row {g} has {keys[i]}={v ?? "null"} and row 0 has {values[i] ?? "null"}.");
            }
        }
        return new GenericRow(values);
    }

    private void CheckBucket(RowSource source, int bucket, int totalBuckets)
    {
        if (totalBuckets <= 0) return;
        using var encoder = new PaimonKeyEncoder(_rowType, _schema.BucketKeys.ToList());
        var cursor = source.NewCursor();
        for (var g = 0; g < source.Count; g++)
        {
            cursor.MoveTo(g);
            var actual = PaimonBucketingFunction.Instance.Bucket(encoder.Encode(cursor), totalBuckets);
            if (actual != bucket)
                throw new ArgumentException($"Row {g} belongs to bucket {actual} of {totalBuckets} by its bucket key ({string.Join(", ", _schema.BucketKeys)}), not to bucket {bucket}.");
        }
    }

    /// <summary>Reserves <paramref name="count"/> sequence numbers of a bucket, continuing after the committed files.</summary>
    private async Task<long> ReserveSequenceAsync(string partition, int bucket, int count, CancellationToken ct)
    {
        Task<Dictionary<(string, int), long>> load;
        lock (_seqLock) load = _nextSequence ??= LoadNextSequencesAsync(ct);
        Dictionary<(string, int), long> next;
        try
        {
            next = await load.ConfigureAwait(false);
        }
        catch
        {
            lock (_seqLock)
            {
                if (ReferenceEquals(_nextSequence, load)) _nextSequence = null;
            }
            throw;
        }
        lock (_seqLock)
        {
            var k = (partition, bucket);
            var first = next.GetValueOrDefault(k);
            next[k] = first + count;
            return first;
        }
    }

    private async Task<Dictionary<(string, int), long>> LoadNextSequencesAsync(CancellationToken ct)
    {
        var next = new Dictionary<(string, int), long>();
        var latest = await _store.LatestSnapshotAsync(ct).ConfigureAwait(false);
        if (latest is null) return next;
        foreach (var e in await _store.LiveEntriesAsync(latest, ct).ConfigureAwait(false))
        {
            var key = (Convert.ToHexString(e.Partition), e.Bucket);
            var after = e.File.MaxSequenceNumber + 1;
            if (!next.TryGetValue(key, out var n) || after > n) next[key] = after;
        }
        return next;
    }

    /// <summary>Row indexes sorted by primary key, keeping only the last change of each key.</summary>
    private int[] SortedLastChanges(RowSource source)
    {
        var keyPositions = _schema.TrimmedPrimaryKeys.Select(k => _rowType.IndexOf(k)).ToArray();
        if (keyPositions.Length == 1 && SortedLastChangesOfIntegerKey(source, keyPositions[0]) is { } fast) return fast;
        var comparer = new KeyComparer(source, keyPositions);
        var order = Enumerable.Range(0, source.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = comparer.Compare(a, b);
            return c != 0 ? c : a.CompareTo(b);
        });
        var result = new List<int>(order.Length);
        for (var i = 0; i < order.Length; i++)
        {
            if (i + 1 < order.Length && comparer.Compare(order[i], order[i + 1]) == 0) continue;
            result.Add(order[i]);
        }
        return result.ToArray();
    }

    /// <summary>
    /// <see cref="SortedLastChanges"/> for a key of one integer column without nulls (the common BIGINT or INT id):
    /// the keys are read once into an array and sorted as numbers with the rows alongside, instead of comparing
    /// rows field by field through the source on every comparison; of the rows of one key the last one is kept.
    /// Null when the key column is of another type or holds a null.
    /// </summary>
    private int[]? SortedLastChangesOfIntegerKey(RowSource source, int column)
    {
        if (_rowType.Fields[column].Type is not (TinyIntType or SmallIntType or IntType or BigIntType or DateType or TimeType)) return null;
        var type = _rowType.Fields[column].Type;
        var n = source.Count;
        var keys = new long[n];
        var order = new int[n];
        for (var g = 0; g < n; g++)
        {
            if (source.IsNull(g, column)) return null;
            keys[g] = type switch
            {
                BigIntType => source.GetLong(g, column),
                TinyIntType => source.GetByte(g, column),
                SmallIntType => source.GetShort(g, column),
                _ => source.GetInt(g, column),
            };
            order[g] = g;
        }
        Array.Sort(keys, order);
        var result = new List<int>(n);
        for (var i = 0; i < n;)
        {
            // The sort is not stable: of a run of equal keys, the row that came last is the latest change.
            var last = order[i];
            var j = i + 1;
            for (; j < n && keys[j] == keys[i]; j++) last = Math.Max(last, order[j]);
            result.Add(last);
            i = j;
        }
        return result.ToArray();
    }

    private string NewFileName(string prefix) =>
        prefix + _uuid + "-" + Interlocked.Increment(ref _fileCounter).ToString(CultureInfo.InvariantCulture) + ".parquet";

    private async Task<DataFileMeta> WriteAppendFileAsync(string directory, RowSource source, long baseSeq, CancellationToken ct)
    {
        var columns = _rowType.Fields.Select((f, i) => new OutColumn { Name = f.Name, FieldId = _schema.Fields[i].Id, Type = f.Type, SourceColumn = i, CollectStats = true }).ToList();
        var selection = Enumerable.Range(0, source.Count).ToArray();
        var name = NewFileName("data-");
        var (size, stats) = await WriteParquetAsync(PaimonPaths.Combine(directory, name), source, selection, columns, ct).ConfigureAwait(false);
        return new DataFileMeta
        {
            FileName = name,
            FileSize = size,
            RowCount = source.Count,
            MinKey = SimpleStats.EmptyRow,
            MaxKey = SimpleStats.EmptyRow,
            KeyStats = SimpleStats.Empty,
            ValueStats = ToSimpleStats(stats, 0, columns.Count, _rowType),
            MinSequenceNumber = baseSeq,
            MaxSequenceNumber = baseSeq + source.Count - 1,
            SchemaId = _schema.Id,
            Level = 0,
            CreationTimeMillis = LocalNowMillis(),
            DeleteRowCount = 0,
            FileSource = 0,
        };
    }

    private async Task<DataFileMeta> WriteKeyValueFileAsync(string directory, string prefix, RowSource source, int[] selection, long baseSeq, CancellationToken ct)
    {
        var keyNames = _schema.TrimmedPrimaryKeys;
        var keyPositions = keyNames.Select(k => _rowType.IndexOf(k)).ToArray();
        var seqs = new long[selection.Length];
        var kinds = new sbyte[selection.Length];
        long deletes = 0;
        for (var i = 0; i < selection.Length; i++)
        {
            seqs[i] = baseSeq + selection[i];
            kinds[i] = source.RowKind(selection[i]);
            if (kinds[i] is 1 or 3) deletes++;
        }
        var columns = new List<OutColumn>();
        foreach (var p in keyPositions)
        {
            var f = _schema.Fields[p];
            columns.Add(new OutColumn { Name = ParquetTypes.KeyPrefix + f.Name, FieldId = ParquetTypes.KeyFieldIdStart + f.Id, Type = _rowType.Fields[p].Type, SourceColumn = p, CollectStats = true });
        }
        columns.Add(new OutColumn { Name = ParquetTypes.SequenceNumber, FieldId = ParquetTypes.SequenceNumberFieldId, Type = new BigIntType(false), Longs = seqs });
        columns.Add(new OutColumn { Name = ParquetTypes.ValueKind, FieldId = ParquetTypes.ValueKindFieldId, Type = new TinyIntType(false), Bytes = kinds });
        for (var i = 0; i < _rowType.FieldCount; i++)
            columns.Add(new OutColumn { Name = _rowType.Fields[i].Name, FieldId = _schema.Fields[i].Id, Type = _rowType.Fields[i].Type, SourceColumn = i, CollectStats = true });

        var name = NewFileName(prefix);
        var (size, stats) = await WriteParquetAsync(PaimonPaths.Combine(directory, name), source, selection, columns, ct).ConfigureAwait(false);
        var keyType = _schema.RowTypeOf(keyNames);
        using var encoder = new PaimonKeyEncoder(_rowType, keyNames.ToList());
        var cursor = source.NewCursor();
        cursor.MoveTo(selection[0]);
        var minKey = BinaryRow.SerializeWithArity(encoder.Encode(cursor), keyNames.Count);
        cursor.MoveTo(selection[^1]);
        var maxKey = BinaryRow.SerializeWithArity(encoder.Encode(cursor), keyNames.Count);
        return new DataFileMeta
        {
            FileName = name,
            FileSize = size,
            RowCount = selection.Length,
            MinKey = minKey,
            MaxKey = maxKey,
            KeyStats = ToSimpleStats(stats, 0, keyNames.Count, keyType),
            ValueStats = ToSimpleStats(stats, keyNames.Count + 2, _rowType.FieldCount, _rowType),
            MinSequenceNumber = seqs.Min(),
            MaxSequenceNumber = seqs.Max(),
            SchemaId = _schema.Id,
            Level = 0,
            CreationTimeMillis = LocalNowMillis(),
            DeleteRowCount = deletes,
            FileSource = 0,
        };
    }

    private async Task<(long Size, ColumnStats?[] Stats)> WriteParquetAsync(string path, RowSource source, int[] selection, List<OutColumn> columns, CancellationToken ct)
    {
        ColumnStats?[] stats;
        await using var stream = await _store.IO.CreateAsync(path, ct).ConfigureAwait(false);
        if (stream is FileStream file)
        {
            // A local file takes the Parquet bytes as they are written: no copy of the whole file in memory first.
            stats = ParquetDataWriter.Write(file, source, selection, columns);
            await file.FlushAsync(ct).ConfigureAwait(false);
            return (file.Position, stats);
        }
        using (var buffer = new MemoryStream())
        {
            stats = ParquetDataWriter.Write(buffer, source, selection, columns);
            buffer.Position = 0;
            await buffer.CopyToAsync(stream, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            return (buffer.Length, stats);
        }
    }

    private static SimpleStats ToSimpleStats(ColumnStats?[] stats, int start, int count, RowType type)
    {
        var min = new object?[count];
        var max = new object?[count];
        var nulls = new long?[count];
        for (var i = 0; i < count; i++)
        {
            var s = stats[start + i]!.Value;
            min[i] = s.Min;
            max[i] = s.Max;
            nulls[i] = s.NullCount;
        }
        var nullable = StatsRows.Nullable(type);
        return new SimpleStats(StatsRows.Serialize(new GenericRow(min), nullable), StatsRows.Serialize(new GenericRow(max), nullable), nulls);
    }

    /// <summary>Paimon stores creation times as local wall-clock LocalDateTime millis.</summary>
    private static long LocalNowMillis()
    {
        var now = DateTimeOffset.Now;
        return now.ToUnixTimeMilliseconds() + (long)now.Offset.TotalMilliseconds;
    }

    // ------------------------------------------------------------------------------------------------ committing

    /// <summary>
    /// Commits the files as one APPEND snapshot (also when there are none, so that the properties are recorded) and
    /// returns its id. The snapshot file is created atomically and never replaces another; then the LATEST hint is
    /// updated.
    /// </summary>
    /// <param name="commitUser">A stable identity of the logical writer (Fluss tiering uses <c>__fluss_lake_tiering</c>).</param>
    /// <param name="commitIdentifier">The commit's identifier, increasing per commit user.</param>
    /// <param name="properties">Snapshot properties, such as <c>fluss-offsets</c>.</param>
    /// <param name="expectedLatestSnapshotId">
    /// When set, commit only on top of this snapshot (0 = the table has no snapshot yet): if another writer committed
    /// since, the commit is refused with <see cref="PaimonCommitConflictException"/> instead of landing after it.
    /// </param>
    /// <exception cref="PaimonCommitConflictException">Another writer created the snapshot id first, or the latest snapshot is not the expected one; nothing was committed.</exception>
    public async Task<long> CommitAsync(IReadOnlyCollection<PaimonDataFile> files, string commitUser, long commitIdentifier,
        IReadOnlyDictionary<string, string>? properties = null, long? expectedLatestSnapshotId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrEmpty(commitUser);
        foreach (var f in files)
        {
            if (!string.Equals(PaimonPaths.Parent(f.Path).TrimEnd('/'), f.Directory.TrimEnd('/'), StringComparison.Ordinal)
                || !f.Directory.StartsWith(TablePath, StringComparison.Ordinal))
                throw new ArgumentException($"File {f.FileName} was not written for table '{TablePath}'.", nameof(files));
        }
        var ct = cancellationToken;
        var latest = await _store.LatestSnapshotAsync(ct).ConfigureAwait(false);
        var latestSchema = await _store.LatestSchemaAsync(ct).ConfigureAwait(false) ?? _schema;
        var newId = (latest?.Id ?? 0) + 1;
        if (expectedLatestSnapshotId is { } expected && expected != newId - 1)
            throw new PaimonCommitConflictException(
                $"Table '{TablePath}' is at snapshot {newId - 1}, not at the expected snapshot {expected}: another writer committed since; nothing was committed.", newId - 1);
        var written = new List<string>();
        try
        {
            // Base: the previous snapshot's data manifests (merged into one when there are many).
            List<ManifestFileMeta> baseManifests = latest is null ? [] : await _store.DataManifestsAsync(latest, ct).ConfigureAwait(false);
            if (baseManifests.Count >= ManifestMergeMinCount)
            {
                var live = await _store.LiveEntriesAsync(latest!, ct).ConfigureAwait(false);
                baseManifests = live.Count == 0 ? [] : [await WriteManifestAsync(live, written, ct).ConfigureAwait(false)];
            }
            var baseList = await WriteManifestListAsync(baseManifests, written, ct).ConfigureAwait(false);

            var adds = files.Select(f => new ManifestEntry(FileKind.Add, f.PartitionBytes, f.Bucket, f.TotalBuckets, f.Data)).ToList();
            List<ManifestFileMeta> delta = adds.Count == 0 ? [] : [await WriteManifestAsync(adds, written, ct).ConfigureAwait(false)];
            var deltaList = await WriteManifestListAsync(delta, written, ct).ConfigureAwait(false);

            var changes = files.Where(f => f.Changelog is not null)
                .Select(f => new ManifestEntry(FileKind.Add, f.PartitionBytes, f.Bucket, f.TotalBuckets, f.Changelog!)).ToList();
            (string Name, long Size)? changelogList = null;
            if (changes.Count > 0)
            {
                var manifest = await WriteManifestAsync(changes, written, ct).ConfigureAwait(false);
                changelogList = await WriteManifestListAsync([manifest], written, ct).ConfigureAwait(false);
            }

            var deltaRecords = files.Sum(f => f.Data.RowCount);
            var snapshot = new Snapshot
            {
                Id = newId,
                SchemaId = latestSchema.Id,
                BaseManifestList = baseList.Name,
                BaseManifestListSize = baseList.Size,
                DeltaManifestList = deltaList.Name,
                DeltaManifestListSize = deltaList.Size,
                ChangelogManifestList = changelogList?.Name,
                ChangelogManifestListSize = changelogList?.Size,
                IndexManifest = latest?.IndexManifest,
                CommitUser = commitUser,
                CommitIdentifier = commitIdentifier,
                CommitKind = "APPEND",
                TimeMillis = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                TotalRecordCount = (latest?.TotalRecordCount ?? 0) + deltaRecords,
                DeltaRecordCount = deltaRecords,
                ChangelogRecordCount = changelogList is null ? null : changes.Sum(c => c.File.RowCount),
                Watermark = latest?.Watermark,
                Statistics = latest?.Statistics,
                Properties = properties is null ? new Dictionary<string, string>() : new Dictionary<string, string>(properties),
                NextRowId = latest?.NextRowId,
            };
            var snapshotPath = PaimonPaths.Combine(_store.SnapshotDir, Snapshot.FileName(newId));
            if (!await _store.IO.TryCreateAtomicAsync(snapshotPath, snapshot.ToJson(), ct).ConfigureAwait(false))
            {
                throw new PaimonCommitConflictException(
                    $"Snapshot {newId} of '{TablePath}' was created by another writer while this commit (user {commitUser}, identifier {commitIdentifier}) was prepared; nothing was committed. Re-read the latest snapshot before committing again.",
                    newId);
            }
            written.Clear();
            await UpdateHintsAsync(newId, ct).ConfigureAwait(false);
            return newId;
        }
        finally
        {
            foreach (var path in written)
            {
                try
                {
                    await _store.IO.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // An orphan manifest is harmless; snapshot expiration or maintenance removes it.
                }
            }
        }
    }

    private async Task UpdateHintsAsync(long newId, CancellationToken ct)
    {
        try
        {
            await _store.IO.OverwriteAsync(PaimonPaths.Combine(_store.SnapshotDir, "LATEST"), Snapshot.HintBytes(newId), ct).ConfigureAwait(false);
            var earliest = PaimonPaths.Combine(_store.SnapshotDir, "EARLIEST");
            if (!await _store.IO.ExistsAsync(earliest, ct).ConfigureAwait(false))
            {
                var ids = await _store.SnapshotIdsAsync(ct).ConfigureAwait(false);
                await _store.IO.OverwriteAsync(earliest, Snapshot.HintBytes(ids.Count > 0 ? ids[0] : newId), ct).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // Hints are best effort: readers check LATEST and fall back to listing the snapshot directory.
        }
    }

    private async Task<ManifestFileMeta> WriteManifestAsync(List<ManifestEntry> entries, List<string> written, CancellationToken ct)
    {
        var bytes = ManifestIo.WriteManifest(entries);
        var name = "manifest-" + _uuid + "-" + Interlocked.Increment(ref _manifestCounter).ToString(CultureInfo.InvariantCulture);
        var path = PaimonPaths.Combine(_store.ManifestDir, name);
        await WriteNewFileAsync(path, bytes, ct).ConfigureAwait(false);
        written.Add(path);
        return new ManifestFileMeta(
            name,
            bytes.Length,
            entries.Count(e => e.Kind == FileKind.Add),
            entries.Count(e => e.Kind == FileKind.Delete),
            _partitions.Stats(entries.Select(e => e.Partition)),
            entries.Max(e => e.File.SchemaId),
            entries.Min(e => e.Bucket),
            entries.Max(e => e.Bucket),
            entries.Min(e => e.File.Level),
            entries.Max(e => e.File.Level));
    }

    private async Task<(string Name, long Size)> WriteManifestListAsync(List<ManifestFileMeta> metas, List<string> written, CancellationToken ct)
    {
        var bytes = ManifestIo.WriteManifestList(metas);
        var name = "manifest-list-" + _uuid + "-" + Interlocked.Increment(ref _manifestListCounter).ToString(CultureInfo.InvariantCulture);
        var path = PaimonPaths.Combine(_store.ManifestDir, name);
        await WriteNewFileAsync(path, bytes, ct).ConfigureAwait(false);
        written.Add(path);
        return (name, bytes.Length);
    }

    private async Task WriteNewFileAsync(string path, byte[] bytes, CancellationToken ct)
    {
        await using var s = await _store.IO.CreateAsync(path, ct).ConfigureAwait(false);
        await s.WriteAsync(bytes, ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /// <summary>The latest snapshot, or null if nothing was committed.</summary>
    public async Task<PaimonSnapshot?> LatestSnapshotAsync(CancellationToken cancellationToken = default) =>
        (await _store.LatestSnapshotAsync(cancellationToken).ConfigureAwait(false))?.ToPublic();

    /// <summary>
    /// The newest snapshot committed by <paramref name="commitUser"/>, or null. A round that committed to Paimon but
    /// not to its coordinator is recognized by this snapshot's identifier and properties.
    /// </summary>
    public async Task<PaimonSnapshot?> LatestSnapshotOfUserAsync(string commitUser, CancellationToken cancellationToken = default) =>
        (await _store.LatestSnapshotOfUserAsync(commitUser, cancellationToken).ConfigureAwait(false))?.ToPublic();
}
