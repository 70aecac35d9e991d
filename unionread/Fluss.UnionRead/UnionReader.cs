using System.Runtime.CompilerServices;
using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.UnionRead;

/// <summary>
/// Union read of Fluss tables (Fluss's union read): the table's committed lake snapshot plus, per bucket, the Fluss
/// log from the snapshot's lake offset (the first offset not in the lake) to the high watermark, so one read sees the
/// full history and the latest rows.
/// <list type="bullet">
/// <item>Log tables: the lake rows, then the log tail rows; each row exactly once.</item>
/// <item>Primary-key tables: the tail's changelog folded by key (last change wins; -U and -D remove the key)
/// overrides the lake: lake rows of keys the tail changed are replaced by the key's latest row, or dropped when it was
/// deleted. Memory is proportional to the distinct keys in the tail, not to the lake.</item>
/// <item>Tables without a lake snapshot (datalake not enabled, or never tiered): log tables read their whole log;
/// primary-key tables read their current key state by folding the whole changelog from the earliest offset, which
/// holds every key in memory.</item>
/// </list>
/// Batch reads go through a <see cref="UnionReadPlan"/>, one consistent cut captured once; streaming reads continue
/// from the lake snapshot's offsets. All output batches own their memory. Thread-safe: reads may run concurrently.
/// </summary>
public sealed class UnionReader
{
    private readonly FlussConnection _connection;
    private readonly ILakeStorage? _lake;

    /// <param name="connection">The cluster connection (metadata, lake snapshots, offsets and the log).</param>
    /// <param name="lakeStorage">The cluster's lake, or null for a cluster without one (then tables with a lake snapshot cannot be read).</param>
    public UnionReader(FlussConnection connection, ILakeStorage? lakeStorage = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _lake = lakeStorage;
    }

    /// <summary>The row type of Fluss's <c>$changelog</c> virtual table over <paramref name="columns"/>.</summary>
    /// <remarks>
    /// <c>_change_type STRING NOT NULL</c> (<c>insert</c>, <c>update_before</c>, <c>update_after</c>, <c>delete</c>;
    /// appends of log tables are <c>insert</c>), <c>_log_offset BIGINT NOT NULL</c>,
    /// <c>_commit_timestamp TIMESTAMP_LTZ(3) NOT NULL</c>, then the columns.
    /// </remarks>
    public static RowType ChangelogRowType(RowType columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var fields = new List<DataField>(columns.FieldCount + 3)
        {
            new(ChangeTypeColumn, new StringType(false)),
            new(LogOffsetColumn, new BigIntType(false)),
            new(CommitTimestampColumn, new LocalZonedTimestampType(3, false)),
        };
        fields.AddRange(columns.Fields);
        return new RowType(fields);
    }

    /// <summary>Name of the change-type column of <c>$changelog</c>.</summary>
    public const string ChangeTypeColumn = "_change_type";

    /// <summary>Name of the log-offset column of <c>$changelog</c>.</summary>
    public const string LogOffsetColumn = "_log_offset";

    /// <summary>Name of the commit-timestamp column of <c>$changelog</c>.</summary>
    public const string CommitTimestampColumn = "_commit_timestamp";

    // -------------------------------------------------------------------------------------------------- planning

    /// <summary>
    /// Captures one consistent cut of the table: its committed lake snapshot (id, per-bucket lake offsets and data
    /// files) and then each bucket's high watermark. Each bucket's tail is [lake offset, high watermark), or
    /// [earliest offset, high watermark) when the lake has nothing of the bucket.
    /// </summary>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    /// <exception cref="InvalidTableException">The table is partitioned (not supported yet).</exception>
    /// <exception cref="ArgumentException">A column or bucket does not exist, or a column is named twice.</exception>
    /// <exception cref="InvalidOperationException">The table has a lake snapshot but this reader has no lake storage.</exception>
    public async Task<UnionReadPlan> PlanAsync(TablePath path, UnionReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new UnionReadOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRowsPerBatch, nameof(options));
        var table = (await _connection.GetTableAsync(path, cancellationToken).ConfigureAwait(false)).Info;
        if (table.IsPartitioned)
            throw new InvalidTableException($"Table {path} is partitioned; union reads of partitioned tables are not supported yet.");
        var columns = ResolveColumns(table, options.Columns);
        var buckets = ResolveBuckets(table, options.Buckets);
        var tailColumns = columns.ToList();
        if (table.HasPrimaryKey)
        {
            foreach (var key in table.PrimaryKeys)
            {
                if (!tailColumns.Contains(key)) tailColumns.Add(key);
            }
        }

        // The lake snapshot first, then the high watermarks: the offsets of any snapshot are at most the high
        // watermarks that follow it, so the tail ranges are never negative, whatever tiering commits meanwhile.
        LakeSnapshot? snapshot = null;
        LakeFilePlan? files = null;
        ILakeTableSource? source = null;
        if (table.TableConfig.IsDataLakeEnabled)
        {
            try
            {
                snapshot = await _connection.Admin.GetLakeSnapshotAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (LakeTableSnapshotNotExistException)
            {
                // Never tiered: everything is still in the log.
            }
        }
        if (snapshot is not null)
        {
            if (snapshot.TableId != table.TableId)
                throw new InvalidOperationException($"The lake snapshot of {path} belongs to table id {snapshot.TableId}, not {table.TableId}; the table was re-created, plan again.");
            source = await OpenSourceAsync(path, snapshot.SnapshotId, cancellationToken).ConfigureAwait(false);
            var all = await source.PlanFilesAsync(snapshot.SnapshotId, cancellationToken).ConfigureAwait(false);
            if (!all.Layout.BucketAware && options.Buckets is not null)
                throw new ArgumentException($"The lake table of {path} is bucket-unaware (a log table without bucket keys): its files mix all buckets, so a read of some buckets cannot be planned; read all buckets.", nameof(options));
            files = all.Layout.BucketAware ? all with { Files = all.Files.Where(f => buckets.Contains(f.Bucket)).ToList() } : all;
        }

        var ends = await _connection.Admin.ListOffsetsAsync(path, buckets, OffsetSpec.Latest, cancellationToken).ConfigureAwait(false);
        var lakeOffsets = snapshot?.BucketOffsets ?? new Dictionary<int, long>();
        var withoutLake = buckets.Where(b => !lakeOffsets.TryGetValue(b, out var o) || o < 0).ToArray();
        var earliest = withoutLake.Length == 0
            ? new Dictionary<int, long>()
            : await _connection.Admin.ListOffsetsAsync(path, withoutLake, OffsetSpec.Earliest, cancellationToken).ConfigureAwait(false);
        var tail = new List<TailRange>(buckets.Length);
        foreach (var b in buckets)
        {
            var fromLake = lakeOffsets.TryGetValue(b, out var lakeOffset) && lakeOffset >= 0;
            var start = fromLake ? lakeOffset : earliest[b];
            tail.Add(new TailRange(b, start, Math.Max(start, ends[b]), fromLake));
        }
        return new UnionReadPlan(table, columns, tailColumns, buckets, buckets.Length == table.NumBuckets ? null : buckets, snapshot?.SnapshotId, snapshot?.CommitTime, files, tail, options.MaxRowsPerBatch)
        {
            LakeSource = source,
        };
    }

    private static IReadOnlyList<string> ResolveColumns(TableInfo table, IReadOnlyList<string>? columns)
    {
        if (columns is null) return table.RowType.FieldNames.ToList();
        if (columns.Count == 0) throw new ArgumentException("The read must name at least one column.", nameof(columns));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (table.RowType.IndexOf(c) < 0)
                throw new ArgumentException($"Table {table.TablePath} has no column '{c}'; its columns are {string.Join(", ", table.RowType.FieldNames)}.", nameof(columns));
            if (!seen.Add(c)) throw new ArgumentException($"Column '{c}' is named twice.", nameof(columns));
        }
        return columns.ToList();
    }

    private static int[] ResolveBuckets(TableInfo table, IReadOnlyList<int>? buckets)
    {
        if (buckets is null) return Enumerable.Range(0, table.NumBuckets).ToArray();
        if (buckets.Count == 0) throw new ArgumentException("The read must name at least one bucket.", nameof(buckets));
        foreach (var b in buckets)
        {
            if ((uint)b >= (uint)table.NumBuckets)
                throw new ArgumentException($"Table {table.TablePath} has buckets 0 to {table.NumBuckets - 1}; there is no bucket {b}.", nameof(buckets));
        }
        return buckets.Distinct().Order().ToArray();
    }

    private async Task<ILakeTableSource> OpenSourceAsync(TablePath path, long snapshotId, CancellationToken cancellationToken)
    {
        if (_lake is null)
            throw new InvalidOperationException($"Table {path} has lake snapshot {snapshotId}, but this union reader was created without lake storage; pass the cluster's ILakeStorage.");
        return await _lake.OpenSourceAsync(path, cancellationToken).ConfigureAwait(false);
    }

    // -------------------------------------------------------------------------------------------------- batch reads

    /// <summary>
    /// The merged rows of the plan's cut, with exactly <see cref="UnionReadPlan.Columns"/>: log tables the lake rows
    /// then the tail rows; primary-key tables one row per live key (lake rows whose key the tail changed are replaced
    /// or dropped, then the tail's live rows).
    /// </summary>
    /// <exception cref="LakeFileNotFoundException">A data file of the lake snapshot is missing.</exception>
    /// <exception cref="LogOffsetOutOfRangeException">Part of a tail range is no longer in the log.</exception>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(UnionReadPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.IsPrimaryKeyTable)
        {
            await foreach (var batch in ReadLakeAsync(plan, cancellationToken).ConfigureAwait(false))
                yield return batch;
            using var tailBuilder = new ArrowBatchBuilder(plan.RowType);
            await foreach (var scan in ScanAsync(plan, plan.Columns, null, cancellationToken).ConfigureAwait(false))
            {
                using (scan)
                {
                    tailBuilder.AppendBatch(scan.Batch);
                }
                if (tailBuilder.RowCount >= plan.MaxRowsPerBatch) yield return tailBuilder.Build();
            }
            if (tailBuilder.RowCount > 0) yield return tailBuilder.Build();
            yield break;
        }

        using var changes = new KeyedChanges(plan.TailRowType, plan.Table.PrimaryKeys);
        await foreach (var scan in ScanAsync(plan, plan.TailColumns, null, cancellationToken).ConfigureAwait(false))
        {
            using (scan)
            {
                var reader = new ArrowRowReader(scan.Batch, plan.TailRowType);
                for (var i = 0; i < scan.RowCount; i++) changes.Apply(reader.GetRow(i), scan.ChangeTypeAt(i));
            }
        }

        var width = plan.Columns.Count;
        using var builder = new ArrowBatchBuilder(plan.RowType);
        if (plan.LakeSnapshotId is { } snapshotId)
        {
            var source = plan.LakeSource!;
            await foreach (var lake in source.ReadAsync(snapshotId, plan.TailColumns, plan.LakeBuckets, cancellationToken).ConfigureAwait(false))
            {
                using (lake)
                {
                    var reader = new ArrowRowReader(lake, plan.TailRowType);
                    for (var i = 0; i < lake.Length; i++)
                    {
                        var row = reader.GetRow(i);
                        if (changes.Decides(row)) continue;
                        builder.Append(new PrefixRow<ArrowRow>(row, width));
                        if (builder.RowCount >= plan.MaxRowsPerBatch) yield return builder.Build();
                    }
                }
            }
        }
        foreach (var row in changes.LiveRows())
        {
            builder.Append(new PrefixRow<GenericRow>(row, width));
            if (builder.RowCount >= plan.MaxRowsPerBatch) yield return builder.Build();
        }
        if (builder.RowCount > 0) yield return builder.Build();
    }

    /// <summary>
    /// The plan's log tail as it is, bucket batch by bucket batch, with <see cref="UnionReadPlan.TailColumns"/> and
    /// each row's change type and offset: for an engine that scans <see cref="UnionReadPlan.LakeFiles"/> itself and
    /// merges (per key, the tail's last change wins over the lake; <c>-U</c>/<c>-D</c> remove the key).
    /// </summary>
    /// <exception cref="LogOffsetOutOfRangeException">Part of a tail range is no longer in the log.</exception>
    public async IAsyncEnumerable<ChangeBatch> ReadTailAsync(UnionReadPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await foreach (var scan in ScanAsync(plan, plan.TailColumns, null, cancellationToken).ConfigureAwait(false))
        {
            using (scan)
            {
                yield return Copy(scan, plan.TailRowType);
            }
        }
    }

    /// <summary>
    /// Only the lake rows of the plan's lake snapshot (Fluss's <c>$lake</c> view), merged, with exactly
    /// <see cref="UnionReadPlan.Columns"/>; nothing when the plan has no lake snapshot.
    /// </summary>
    /// <exception cref="LakeFileNotFoundException">A data file of the lake snapshot is missing.</exception>
    public async IAsyncEnumerable<RecordBatch> ReadLakeAsync(UnionReadPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.LakeSnapshotId is not { } snapshotId) yield break;
        var source = plan.LakeSource!;
        using var builder = new ArrowBatchBuilder(plan.RowType);
        await foreach (var lake in source.ReadAsync(snapshotId, plan.Columns, plan.LakeBuckets, cancellationToken).ConfigureAwait(false))
        {
            using (lake)
            {
                builder.AppendBatch(lake);
            }
            if (builder.RowCount >= plan.MaxRowsPerBatch) yield return builder.Build();
        }
        if (builder.RowCount > 0) yield return builder.Build();
    }

    /// <summary>
    /// The table's <c>$lake</c> view: the rows of its committed lake snapshot (as the coordinator records it), merged,
    /// with <paramref name="columns"/> (all when null); nothing when the table was never tiered.
    /// </summary>
    /// <exception cref="InvalidTableException">The table is not a lake table.</exception>
    public async IAsyncEnumerable<RecordBatch> ReadLakeAsync(TablePath path, IReadOnlyList<string>? columns = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(path, new UnionReadOptions { Columns = columns }, cancellationToken).ConfigureAwait(false);
        if (!plan.Table.TableConfig.IsDataLakeEnabled)
            throw new InvalidTableException($"Table {path} is not a lake table (table.datalake.enabled is false), so it has no $lake view.");
        await foreach (var batch in ReadLakeAsync(plan, cancellationToken).ConfigureAwait(false))
            yield return batch;
    }

    /// <summary>
    /// The table's <c>$changelog</c> view (bounded): every change in the Fluss log from each bucket's earliest offset
    /// to its high watermark when the read starts, as batches of <see cref="ChangelogRowType"/> over
    /// <paramref name="columns"/> (all when null), one bucket's consecutive records per batch. The lake is not read.
    /// </summary>
    /// <exception cref="LogOffsetOutOfRangeException">Records were removed by retention while being read.</exception>
    public async IAsyncEnumerable<RecordBatch> ReadChangelogAsync(TablePath path, IReadOnlyList<string>? columns = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var table = await _connection.GetTableAsync(path, cancellationToken).ConfigureAwait(false);
        var resolved = ResolveColumns(table.Info, columns);
        var rowType = UnionReadPlan.Project(table.Info.RowType, resolved);
        await using var scanner = table.NewLogScanner(new LogScanOptions { Columns = resolved, Start = StartPosition.Earliest, StopAtEnd = true });
        await foreach (var scan in scanner.ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
        {
            using (scan)
            {
                yield return ChangelogBatches.Build(scan.Batch, rowType, scan.ChangeTypeAt, scan.BaseOffset, scan.Timestamp);
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- streaming

    /// <summary>
    /// Streaming union read: the rows of the table's committed lake snapshot (inserts, <see cref="ChangeBatch.FromLake"/>),
    /// then each bucket's log followed from the snapshot's lake offset (or the earliest offset when the lake has
    /// nothing of the bucket) with the changes as they come, until cancelled. The lake snapshot and its offsets come
    /// from one coordinator record, so no change is missed or repeated at the switch. Columns are exactly
    /// <see cref="UnionReadOptions.Columns"/>.
    /// </summary>
    /// <exception cref="LakeFileNotFoundException">A data file of the lake snapshot is missing.</exception>
    /// <exception cref="LogOffsetOutOfRangeException">A lake offset is no longer in the log.</exception>
    public async IAsyncEnumerable<ChangeBatch> ReadStreamingAsync(TablePath path, UnionReadOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(path, options, cancellationToken).ConfigureAwait(false);
        var insert = plan.IsPrimaryKeyTable ? ChangeType.Insert : ChangeType.AppendOnly;
        await foreach (var lake in ReadLakeAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            var kinds = new ChangeType[lake.Length];
            System.Array.Fill(kinds, insert);
            yield return new ChangeBatch(lake, plan.RowType, kinds, fromLake: true, bucket: -1, baseOffset: -1, commitTimestamp: -1);
        }
        var starts = plan.Tail.ToDictionary(r => r.Bucket, r => r.StartOffset);
        await foreach (var scan in ScanAsync(plan, plan.Columns, starts, cancellationToken).ConfigureAwait(false))
        {
            using (scan)
            {
                yield return Copy(scan, plan.RowType);
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- log

    /// <summary>
    /// The plan's tail ranges (<paramref name="followFrom"/> null), or with <paramref name="followFrom"/> every plan
    /// bucket followed without end from those offsets.
    /// </summary>
    private async IAsyncEnumerable<ScanBatch> ScanAsync(UnionReadPlan plan, IReadOnlyList<string> columns, IReadOnlyDictionary<int, long>? followFrom,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LogScanOptions options;
        if (followFrom is null)
        {
            var ranges = plan.Tail.Where(r => r.OffsetCount > 0).ToList();
            if (ranges.Count == 0) yield break;
            options = new LogScanOptions
            {
                Columns = columns,
                Buckets = ranges.Select(r => r.Bucket).ToArray(),
                StartOffsets = ranges.ToDictionary(r => r.Bucket, r => r.StartOffset),
                StopOffsets = ranges.ToDictionary(r => r.Bucket, r => r.EndOffset),
            };
        }
        else
        {
            options = new LogScanOptions { Columns = columns, Buckets = plan.Buckets, StartOffsets = followFrom };
        }
        var table = await _connection.GetTableAsync(plan.TablePath, cancellationToken).ConfigureAwait(false);
        if (table.Info.TableId != plan.Table.TableId)
            throw new TableNotExistException($"Table {plan.TablePath} was dropped and re-created (table id {plan.Table.TableId} is now {table.Info.TableId}); plan the read again.");
        await using var scanner = table.NewLogScanner(options);
        await foreach (var scan in scanner.ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
            yield return scan;
    }

    private static ChangeBatch Copy(ScanBatch scan, RowType rowType)
    {
        using var builder = new ArrowBatchBuilder(rowType);
        builder.AppendBatch(scan.Batch);
        var kinds = new ChangeType[scan.RowCount];
        for (var i = 0; i < kinds.Length; i++) kinds[i] = scan.ChangeTypeAt(i);
        return new ChangeBatch(builder.Build(), rowType, kinds, fromLake: false, scan.Bucket, scan.BaseOffset, scan.Timestamp);
    }
}
