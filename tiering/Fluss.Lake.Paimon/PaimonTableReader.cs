using System.Runtime.CompilerServices;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Lake.Paimon.Data;
using Fluss.Lake.Paimon.Manifest;
using Fluss.Lake.Paimon.Schema;
using Fluss.Lake.Paimon.Table;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Lake.Paimon;

/// <summary>
/// Reads a Paimon table (ours or written by Java Paimon) at its latest or a given snapshot, as a batch read:
/// append tables file by file; primary-key tables merged by key and sequence number per bucket with the table's merge
/// engine (deduplicate, partial-update, first-row), retractions dropped; columns mapped to the snapshot's schema by
/// field id (renamed, added, dropped, reordered columns). Features it cannot read correctly (deletion-vector
/// files, ORC or Avro data files, aggregation, sequence fields, data evolution) are refused with
/// <see cref="PaimonUnsupportedFeatureException"/>.
/// </summary>
/// <remarks>
/// Like Java Paimon's batch scan, level-0 files are skipped for tables with deletion vectors or the first-row merge
/// engine: those engines publish rows through compaction.
/// </remarks>
public sealed class PaimonTableReader
{
    private readonly TableStore _store;

    private PaimonTableReader(TableStore store, TableSchema latest)
    {
        _store = store;
        LatestSchema = latest;
    }

    internal TableSchema LatestSchema { get; }

    public string TablePath => _store.TablePath;

    /// <summary>Column names of the latest schema.</summary>
    public IReadOnlyList<string> ColumnNames => LatestSchema.Fields.Select(f => f.Name).ToList();

    /// <summary>The latest schema's columns (fails if one has a type this reader does not support).</summary>
    public RowType RowType => LatestSchema.RowType();

    public IReadOnlyList<string> PrimaryKeys => LatestSchema.PrimaryKeys;

    public IReadOnlyList<string> PartitionKeys => LatestSchema.PartitionKeys;

    public IReadOnlyDictionary<string, string> Options => LatestSchema.Options;

    /// <exception cref="PaimonNotFoundException">No table exists at the path.</exception>
    public static async Task<PaimonTableReader> OpenAsync(IPaimonFileIO io, string tablePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        var store = new TableStore(io, tablePath);
        var schema = await store.LatestSchemaAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new PaimonNotFoundException($"No Paimon table exists at '{tablePath}' (no schema/schema-N file).");
        return new PaimonTableReader(store, schema);
    }

    public async Task<PaimonSnapshot?> LatestSnapshotAsync(CancellationToken cancellationToken = default) =>
        (await _store.LatestSnapshotAsync(cancellationToken).ConfigureAwait(false))?.ToPublic();

    public async Task<PaimonSnapshot> SnapshotAsync(long snapshotId, CancellationToken cancellationToken = default) =>
        (await _store.SnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false)).ToPublic();

    /// <summary>All snapshots still present, oldest first.</summary>
    public async Task<IReadOnlyList<PaimonSnapshot>> SnapshotsAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<PaimonSnapshot>();
        foreach (var id in await _store.SnapshotIdsAsync(cancellationToken).ConfigureAwait(false))
            result.Add((await _store.SnapshotAsync(id, cancellationToken).ConfigureAwait(false)).ToPublic());
        return result;
    }

    public async Task<PaimonSnapshot?> LatestSnapshotOfUserAsync(string commitUser, CancellationToken cancellationToken = default) =>
        (await _store.LatestSnapshotOfUserAsync(commitUser, cancellationToken).ConfigureAwait(false))?.ToPublic();

    /// <summary>The row type of a read: the projected columns of the snapshot's schema.</summary>
    public async Task<RowType> ReadRowTypeAsync(PaimonReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (schema, _) = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        return Project(schema, options?.Columns).Type;
    }

    /// <summary>The rows of the table (boxed internal values in the projected column order), partition by partition and bucket by bucket.</summary>
    public async IAsyncEnumerable<GenericRow> ReadRowsAsync(PaimonReadOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (schema, snapshot) = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        if (snapshot is null) yield break;
        var (_, names) = Project(schema, options?.Columns);
        var plan = await PlanAsync(schema, snapshot, cancellationToken).ConfigureAwait(false);
        foreach (var split in plan)
        {
            if (options?.Buckets is { } buckets && !buckets.Contains(split.Bucket)) continue;
            foreach (var row in await ReadSplitAsync(schema, split, names, cancellationToken).ConfigureAwait(false))
                yield return row;
        }
    }

    /// <summary>The rows as Arrow record batches (Fluss's Arrow mapping of the projected columns), one or more per bucket.</summary>
    public async IAsyncEnumerable<RecordBatch> ReadBatchesAsync(PaimonReadOptions? options = null, int maxRowsPerBatch = 65536,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRowsPerBatch);
        var type = await ReadRowTypeAsync(options, cancellationToken).ConfigureAwait(false);
        using var builder = new ArrowBatchBuilder(type);
        await foreach (var row in ReadRowsAsync(options, cancellationToken).ConfigureAwait(false))
        {
            builder.Append(row);
            if (builder.RowCount >= maxRowsPerBatch) yield return builder.Build();
        }
        if (builder.RowCount > 0) yield return builder.Build();
    }

    private async Task<(TableSchema Schema, Snapshot? Snapshot)> ResolveAsync(PaimonReadOptions? options, CancellationToken ct)
    {
        Snapshot? snapshot;
        if (options?.SnapshotId is { } id)
        {
            try
            {
                snapshot = await _store.SnapshotAsync(id, ct).ConfigureAwait(false);
            }
            catch (PaimonNotFoundException)
            {
                throw new PaimonNotFoundException($"Snapshot {id} of '{TablePath}' does not exist (it may have expired).");
            }
        }
        else
        {
            snapshot = await _store.LatestSnapshotAsync(ct).ConfigureAwait(false);
        }
        var schema = snapshot is null ? LatestSchema : await _store.SchemaAsync(snapshot.SchemaId, ct).ConfigureAwait(false);
        return (schema, snapshot);
    }

    private static (RowType Type, IReadOnlyList<string> Names) Project(TableSchema schema, IReadOnlyList<string>? columns)
    {
        var names = columns ?? schema.Fields.Select(f => f.Name).ToList();
        foreach (var n in names)
        {
            if (schema.IndexOf(n) < 0)
                throw new ArgumentException($"Column '{n}' does not exist; the table's columns are {string.Join(", ", schema.Fields.Select(f => f.Name))}.", nameof(columns));
        }
        return (schema.RowTypeOf(names), names);
    }

    // -------------------------------------------------------------------------------------------- planning

    /// <summary>A live data file of a snapshot with its full path.</summary>
    internal sealed record PlannedFile(string Path, int Bucket, DataFileMeta Meta);

    /// <summary>The schema of snapshot <paramref name="snapshotId"/> and its live data files, bucket by bucket.</summary>
    internal async Task<(TableSchema Schema, List<PlannedFile> Files)> PlanFilesAsync(long snapshotId, CancellationToken ct)
    {
        var (schema, snapshot) = await ResolveAsync(new PaimonReadOptions { SnapshotId = snapshotId }, ct).ConfigureAwait(false);
        var files = new List<PlannedFile>();
        var partitions = new PartitionCodec(schema);
        foreach (var split in await PlanAsync(schema, snapshot!, ct).ConfigureAwait(false))
        {
            var directory = SplitDirectory(partitions, split);
            foreach (var file in split.Files)
                files.Add(new PlannedFile(file.ExternalPath ?? PaimonPaths.Combine(directory, file.FileName), split.Bucket, file));
        }
        return (schema, files);
    }

    private string SplitDirectory(PartitionCodec partitions, Split split) =>
        PaimonPaths.Combine(TablePath, partitions.Directory(partitions.Deserialize(split.Partition)) + (split.Bucket == -2 ? "bucket-postpone" : "bucket-" + split.Bucket));

    private sealed record Split(byte[] Partition, int Bucket, List<DataFileMeta> Files);

    private async Task<List<Split>> PlanAsync(TableSchema schema, Snapshot snapshot, CancellationToken ct)
    {
        CheckTableFeatures(schema);
        var isPk = schema.IsPrimaryKeyTable;
        var dvEnabled = schema.BoolOption("deletion-vectors.enabled");
        var firstRow = schema.Option("merge-engine", "deduplicate") == "first-row";
        var skipLevel0 = isPk && (firstRow || (dvEnabled && !schema.BoolOption("deletion-vectors.merge-on-read")));
        var entries = await _store.LiveEntriesAsync(snapshot, ct).ConfigureAwait(false);

        var dvFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in await _store.IndexEntriesAsync(snapshot, ct).ConfigureAwait(false))
        {
            if (index.IndexType != "DELETION_VECTORS") continue; // hash and global indexes do not change rows
            foreach (var r in index.DeletionVectorRanges ?? []) dvFiles.Add(Convert.ToHexString(index.Partition) + "|" + index.Bucket + "|" + r.DataFileName);
        }

        var splits = new Dictionary<(string, int), Split>();
        var order = new List<(string, int)>();
        foreach (var e in entries)
        {
            if (e.Bucket == -2) continue; // postpone bucket: invisible to batch reads until rescaled
            if (skipLevel0 && e.File.Level == 0) continue;
            if (e.File.WriteCols is not null)
                throw new PaimonUnsupportedFeatureException("data evolution", $"Table '{TablePath}' has files that hold only some columns (data evolution); this reader does not merge them.");
            var ext = Path.GetExtension(e.File.FileName).TrimStart('.').ToLowerInvariant();
            if (ext != "parquet")
                throw new PaimonUnsupportedFeatureException($"{ext.ToUpperInvariant()} data files", $"Table '{TablePath}' has the data file {e.File.FileName}; this reader reads only Parquet data files.");
            if (dvFiles.Contains(Convert.ToHexString(e.Partition) + "|" + e.Bucket + "|" + e.File.FileName))
                throw new PaimonUnsupportedFeatureException("deletion vectors", $"Table '{TablePath}' has deletion vectors for {e.File.FileName}; this reader does not apply deletion vectors yet.");
            var key = (Convert.ToHexString(e.Partition), e.Bucket);
            if (!splits.TryGetValue(key, out var split))
            {
                split = new Split(e.Partition, e.Bucket, []);
                splits[key] = split;
                order.Add(key);
            }
            split.Files.Add(e.File);
        }
        return order.Select(k => splits[k]).ToList();
    }

    private void CheckTableFeatures(TableSchema schema)
    {
        var engine = schema.Option("merge-engine", "deduplicate");
        if (schema.IsPrimaryKeyTable && engine is not ("deduplicate" or "partial-update" or "first-row"))
            throw new PaimonUnsupportedFeatureException($"{engine} merge engine", $"Table '{TablePath}' uses merge-engine={engine}; this reader supports deduplicate, partial-update and first-row.");
        if (schema.IsPrimaryKeyTable && schema.Options.ContainsKey("sequence.field"))
            throw new PaimonUnsupportedFeatureException("sequence.field", $"Table '{TablePath}' orders records by sequence.field={schema.Options["sequence.field"]}; this reader orders only by Paimon's sequence numbers.");
        if (engine == "partial-update" && schema.Options.Keys.Any(k => k.EndsWith(".sequence-group", StringComparison.Ordinal) || k.EndsWith(".aggregate-function", StringComparison.Ordinal)))
            throw new PaimonUnsupportedFeatureException("partial-update sequence groups", $"Table '{TablePath}' uses partial-update sequence groups or aggregate functions, which this reader does not support.");
        if (schema.BoolOption("data-evolution.enabled"))
            throw new PaimonUnsupportedFeatureException("data evolution", $"Table '{TablePath}' enables data evolution, which this reader does not support.");
    }

    // -------------------------------------------------------------------------------------------- reading

    /// <summary>One record of a data file: its values in the read schema's order, sequence number and row kind.</summary>
    private readonly record struct Record(object?[] Values, long Sequence, sbyte Kind, int FileOrder);

    private async Task<List<GenericRow>> ReadSplitAsync(TableSchema schema, Split split, IReadOnlyList<string> projection, CancellationToken ct)
    {
        var partitions = new PartitionCodec(schema);
        var partition = partitions.Deserialize(split.Partition);
        var directory = SplitDirectory(partitions, split);
        var isPk = schema.IsPrimaryKeyTable;
        // PK tables also read the key columns, which the merge needs; every merge engine works column by column.
        var readNames = isPk
            ? schema.Fields.Select(f => f.Name).Where(n => projection.Contains(n) || schema.TrimmedPrimaryKeys.Contains(n)).ToList()
            : projection.ToList();
        var readIndex = readNames.Select(schema.IndexOf).ToArray();
        var partitionPos = readNames.Select(n => partitions.Keys.ToList().IndexOf(n)).ToArray();

        var records = new List<Record>();
        var fileOrder = 0;
        foreach (var file in split.Files)
        {
            var fileSchema = await _store.SchemaAsync(file.SchemaId, ct).ConfigureAwait(false);
            var path = file.ExternalPath ?? PaimonPaths.Combine(directory, file.FileName);
            var what = $"Data file '{path}'";
            // Map each read column to the file's column by field id.
            var fileNames = new List<string>();
            var fileTypes = new List<DataType>();
            var slot = new int[readNames.Count];
            for (var i = 0; i < readNames.Count; i++)
            {
                slot[i] = -1;
                if (partitionPos[i] >= 0) continue;
                var field = schema.Fields[readIndex[i]];
                var fileField = fileSchema.Fields.FirstOrDefault(f => f.Id == field.Id);
                if (fileField is null) continue; // added after the file was written: null
                slot[i] = fileNames.Count;
                fileNames.Add(fileField.Name);
                fileTypes.Add(fileField.RequireType());
            }
            var seqSlot = -1;
            var kindSlot = -1;
            if (isPk)
            {
                seqSlot = fileNames.Count;
                fileNames.Add(ParquetTypes.SequenceNumber);
                fileTypes.Add(new BigIntType(false));
                kindSlot = fileNames.Count;
                fileNames.Add(ParquetTypes.ValueKind);
                fileTypes.Add(new TinyIntType(false));
            }
            object?[]?[] columns;
            long rows;
            try
            {
                await using var stream = await _store.IO.OpenReadAsync(path, ct).ConfigureAwait(false);
                (columns, rows) = ParquetDataReader.Read(stream, fileNames, fileTypes, what);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new LakeFileNotFoundException(path, $"{what} is listed by the snapshot but does not exist; the lake table has lost data.", e);
            }
            catch (ParquetSharp.ParquetException e)
            {
                throw new PaimonException($"{what} is not a readable Parquet file: {e.Message}", e);
            }
            if (rows != file.RowCount)
                throw new PaimonException($"{what} has {rows} rows but its manifest entry says {file.RowCount}.");
            if (isPk && (columns[seqSlot] is null || columns[kindSlot] is null))
                throw new PaimonException($"{what} lacks _SEQUENCE_NUMBER or _VALUE_KIND; it is not a primary-key data file.");
            for (var r = 0; r < rows; r++)
            {
                var values = new object?[readNames.Count];
                for (var i = 0; i < readNames.Count; i++)
                {
                    var field = schema.Fields[readIndex[i]];
                    if (partitionPos[i] >= 0) values[i] = partition[partitionPos[i]];
                    else if (slot[i] >= 0 && columns[slot[i]] is { } col) values[i] = Cast(col[r], fileTypes[slot[i]], field.RequireType(), field.Name);
                }
                records.Add(isPk
                    ? new Record(values, (long)columns[seqSlot]![r]!, (sbyte)columns[kindSlot]![r]!, fileOrder)
                    : new Record(values, 0, 0, fileOrder));
            }
            fileOrder++;
        }

        if (!isPk) return records.Select(r => new GenericRow(r.Values)).ToList();

        var merged = Merge(schema, records, readNames);
        var projectPos = projection.Select(n => readNames.IndexOf(n)).ToArray();
        return merged.Select(v => new GenericRow(projectPos.Select(p => v[p]).ToArray())).ToList();
    }

    private static List<object?[]> Merge(TableSchema schema, List<Record> records, IReadOnlyList<string> names)
    {
        var keyPos = schema.TrimmedPrimaryKeys.Select(k => names.ToList().IndexOf(k)).ToArray();
        var engine = schema.Option("merge-engine", "deduplicate");
        var ignoreDelete = schema.BoolOption("ignore-delete") || schema.BoolOption("first-row.ignore-delete") || schema.BoolOption("deduplicate.ignore-delete")
            || schema.BoolOption("partial-update.ignore-delete");
        var removeOnDelete = schema.BoolOption("partial-update.remove-record-on-delete");
        records.Sort((a, b) =>
        {
            for (var i = 0; i < keyPos.Length; i++)
            {
                var x = a.Values[keyPos[i]];
                var y = b.Values[keyPos[i]];
                var c = x is null || y is null ? (x is null ? (y is null ? 0 : -1) : 1) : ValueComparer.Compare(x, y);
                if (c != 0) return c;
            }
            var s = a.Sequence.CompareTo(b.Sequence);
            return s != 0 ? s : a.FileOrder.CompareTo(b.FileOrder);
        });
        var result = new List<object?[]>();
        var start = 0;
        while (start < records.Count)
        {
            var end = start + 1;
            while (end < records.Count && SameKey(records[start], records[end], keyPos)) end++;
            var row = engine switch
            {
                "first-row" => FirstRow(records, start, end),
                "partial-update" => PartialUpdate(records, start, end, ignoreDelete, removeOnDelete),
                _ => Deduplicate(records, start, end, ignoreDelete),
            };
            if (row is not null) result.Add(row);
            start = end;
        }
        return result;
    }

    private static bool SameKey(Record a, Record b, int[] keyPos)
    {
        foreach (var p in keyPos)
        {
            var x = a.Values[p];
            var y = b.Values[p];
            if (x is null || y is null)
            {
                if (x is not null || y is not null) return false;
            }
            else if (ValueComparer.Compare(x, y) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsRetract(sbyte kind) => kind is 1 or 3;

    private static object?[]? Deduplicate(List<Record> records, int start, int end, bool ignoreDelete)
    {
        for (var i = end - 1; i >= start; i--)
        {
            if (ignoreDelete && IsRetract(records[i].Kind)) continue;
            return IsRetract(records[i].Kind) ? null : records[i].Values;
        }
        return null;
    }

    private static object?[]? FirstRow(List<Record> records, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (!IsRetract(records[i].Kind)) return records[i].Values;
        }
        return null;
    }

    private static object?[]? PartialUpdate(List<Record> records, int start, int end, bool ignoreDelete, bool removeOnDelete)
    {
        object?[]? row = null;
        for (var i = start; i < end; i++)
        {
            var r = records[i];
            if (IsRetract(r.Kind))
            {
                if (ignoreDelete) continue;
                if (removeOnDelete && r.Kind == 3)
                {
                    row = null;
                    continue;
                }
                throw new PaimonException("A partial-update table holds a delete record; Paimon reads such tables only with ignore-delete or partial-update.remove-record-on-delete.");
            }
            row ??= new object?[r.Values.Length];
            for (var c = 0; c < row.Length; c++)
            {
                if (r.Values[c] is not null) row[c] = r.Values[c];
            }
        }
        return row;
    }

    /// <summary>Converts a value written under an older schema to the column's current type.</summary>
    private static object? Cast(object? value, DataType from, DataType to, string column)
    {
        if (value is null || from.Copy(true) == to.Copy(true)) return value;
        try
        {
            return (value, to) switch
            {
                (sbyte or short or int or long, TinyIntType) => Convert.ToSByte(value, System.Globalization.CultureInfo.InvariantCulture),
                (sbyte or short or int or long, SmallIntType) => Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture),
                (sbyte or short or int or long, IntType) => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
                (sbyte or short or int or long, BigIntType) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
                (sbyte or short or int or long or float, DoubleType) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
                (sbyte or short or int or long, FloatType) => Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture),
                (double d, FloatType) => (float)d,
                (FlussDecimal d, DecimalType t) => FlussDecimal.Parse(d.ToString(), t.Precision, t.Scale),
                (sbyte or short or int or long, DecimalType t) => FlussDecimal.Parse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!, t.Precision, t.Scale),
                (string s, StringType or CharType) => s,
                (bool b, StringType or CharType) => b ? "true" : "false",
                (sbyte or short or int or long or FlussDecimal, StringType or CharType) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                (TimestampNtz t, TimestampType p) => Truncate(t, p.Precision),
                (TimestampLtz t, LocalZonedTimestampType p) => Truncate(t, p.Precision),
                (byte[] b, BytesType or BinaryType) => b,
                _ => throw new PaimonUnsupportedFeatureException("schema evolution type change",
                    $"Column '{column}' changed type from {from} to {to}; this reader does not convert such values."),
            };
        }
        catch (OverflowException e)
        {
            throw new PaimonException($"Column '{column}' holds {value}, which does not fit its current type {to}.", e);
        }
    }

    private static TimestampNtz Truncate(TimestampNtz t, int precision) => new(TruncateMillis(t.Millisecond, precision), TruncateNanos(t.NanoOfMillisecond, precision));

    private static TimestampLtz Truncate(TimestampLtz t, int precision) => new(TruncateMillis(t.EpochMillisecond, precision), TruncateNanos(t.NanoOfMillisecond, precision));

    private static long TruncateMillis(long millis, int precision) => precision >= 3 ? millis : millis - ((millis % 1000 + 1000) % 1000 % (long)Math.Pow(10, 3 - precision));

    private static int TruncateNanos(int nanos, int precision) => precision <= 3 ? 0 : nanos - nanos % (int)Math.Pow(10, 9 - precision);
}
