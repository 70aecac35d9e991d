using System.Globalization;
using System.Text;
using Apache.Arrow;
using DuckDB.NET.Data;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using static Fluss.DuckDB.Sql.SqlText;
using AT = Apache.Arrow.Types;
using Schema = Apache.Arrow.Schema;

namespace Fluss.DuckDB;

/// <summary>
/// The log tail of one table kept between statements as Parquet segment files that DuckDB scans: each segment holds
/// the records one fetch read (the Fluss Arrow batches written as they came, plus each record's bucket, offset,
/// change type and commit time). Per bucket the segments hold the offsets [From, To); a statement asks for the
/// ranges it needs, only offsets not held yet are fetched from the tablet servers, and offsets that reached the
/// lake are filtered out (and dropped when the segments are compacted). Repeated queries over a table whose tail
/// barely moved fetch almost nothing, and no tail row is ever materialized in .NET.
/// </summary>
internal sealed class TailCache
{
    public const string BucketColumn = "__fluss_bucket";
    public const string OffsetColumn = "__fluss_offset";
    public const string KindColumn = "__fluss_kind";
    public const string TimestampColumn = "__fluss_ts";

    /// <summary>Segments allowed before they are merged into one.</summary>
    private const int MaxSegments = 8;

    /// <summary>Rows per Parquet row group: DuckDB scans row groups in parallel.</summary>
    private const int RowGroupRows = 122_880;

    private static readonly AT.TimestampType CommitTimeType = new(AT.TimeUnit.Millisecond, (string?)null);

    private readonly string _directory;
    private readonly Dictionary<int, Range> _ranges = [];
    private readonly List<Segment> _segments = [];
    private int _fileCounter;

    public TailCache(TableInfo table, string directory)
    {
        Table = table;
        _directory = directory;
    }

    /// <summary>The table (id and schema) the cache holds records of.</summary>
    public TableInfo Table { get; }

    /// <summary>Offsets [From, To) of a bucket held (contiguously) in the segments.</summary>
    public readonly record struct Range(long From, long To);

    /// <summary>A segment file and, per bucket, the offsets [Min, Max] and count of the records it holds.</summary>
    private sealed record Segment(string Path, Dictionary<int, (long Min, long Max, long Rows)> Buckets)
    {
        public long Rows => Buckets.Values.Sum(b => b.Rows);
    }

    /// <summary>Whether any record is held.</summary>
    public bool HasRows => _segments.Count > 0;

    /// <summary>The DuckDB table expression reading the segments (only valid with <see cref="HasRows"/>).</summary>
    public string Source =>
        "read_parquet([" + string.Join(", ", _segments.Select(s => Literal(s.Path))) + "], hive_partitioning = false, binary_as_string = false)";

    /// <summary>
    /// Makes the segments hold [start, end) of every bucket in <paramref name="needed"/>: fetches what is missing from
    /// the log (bounded scans up to the given ends, high watermarks captured at planning), forgets segments wholly
    /// below the starts, and merges the segments when there are many or they hold mostly records no longer needed.
    /// Per bucket, every offset of [From, To) is held exactly once (older records may linger below From, and are
    /// filtered out); offsets are only ever fetched above To, and a need below From starts the cache over.
    /// </summary>
    public async Task SyncAsync(Func<CancellationToken, Task<FlussTable>> table, DuckDBConnection duck,
        IReadOnlyDictionary<int, (long Start, long End)> needed, CancellationToken ct)
    {
        var startOver = needed.Any(n => _ranges.TryGetValue(n.Key, out var held) && (n.Value.Start < held.From || n.Value.Start > held.To));
        if (startOver) Drop();
        var from = new Dictionary<int, long>();
        var to = new Dictionary<int, long>();
        foreach (var (bucket, (start, end)) in needed)
        {
            var held = _ranges.TryGetValue(bucket, out var h) ? h : new Range(start, start);
            _ranges[bucket] = held;
            if (end <= held.To) continue;
            from[bucket] = held.To;
            to[bucket] = end;
        }
        if (from.Count > 0)
        {
            var source = await table(ct).ConfigureAwait(false);
            if (source.Info.TableId != Table.TableId)
                throw new TableNotExistException($"Table {Table.TablePath} was dropped and re-created while being read (table id {Table.TableId} is now {source.Info.TableId}); run the query again.");
            await FetchAsync(source, from, to, ct).ConfigureAwait(false);
            foreach (var (bucket, end) in to) _ranges[bucket] = _ranges[bucket] with { To = end };
        }

        Forget(needed);
        var total = _segments.Sum(s => s.Rows);
        if (_segments.Count > MaxSegments || (_segments.Count > 1 && total > 2 * _segments.Sum(s => Within(s, needed)))) Compact(duck, needed);
    }

    /// <summary>
    /// A SQL condition keeping exactly [start, end) of each bucket of <paramref name="wanted"/>, or null when the
    /// segments hold exactly those records and nothing else.
    /// </summary>
    public string? FilterFor(IReadOnlyDictionary<int, (long Start, long End)> wanted)
    {
        if (_segments.All(s => s.Buckets.All(b => wanted.TryGetValue(b.Key, out var w) && Inside(b.Value, w)))) return null;
        if (wanted.Count == 0) return "false";
        return string.Join(" OR ", wanted.OrderBy(w => w.Key).Select(w =>
            $"({Quote(BucketColumn)} = {w.Key.ToString(CultureInfo.InvariantCulture)} AND {Quote(OffsetColumn)} >= {w.Value.Start.ToString(CultureInfo.InvariantCulture)} AND {Quote(OffsetColumn)} < {w.Value.End.ToString(CultureInfo.InvariantCulture)})"));
    }

    /// <summary>Records held within [start, end) of each bucket.</summary>
    public long RowsWithin(IReadOnlyDictionary<int, (long Start, long End)> wanted, DuckDBConnection duck)
    {
        if (!HasRows) return 0;
        if (_segments.All(s => s.Buckets.All(b => !wanted.TryGetValue(b.Key, out var w) || Inside(b.Value, w) || Outside(b.Value, w))))
            return _segments.Sum(s => Within(s, wanted));
        var filter = FilterFor(wanted);
        using var cmd = duck.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {Source}" + (filter is null ? "" : $" WHERE {filter}");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes the segment files.</summary>
    public void Drop()
    {
        foreach (var segment in _segments) TryDelete(segment.Path);
        _segments.Clear();
        _ranges.Clear();
    }

    // ------------------------------------------------------------------------------------------------ fetching

    /// <summary>Reads [from, to) of the buckets into one new segment; on failure nothing is kept of the fetch.</summary>
    private async Task FetchAsync(FlussTable table, Dictionary<int, long> from, Dictionary<int, long> to, CancellationToken ct)
    {
        var options = new LogScanOptions { Buckets = from.Keys.Order().ToArray(), StartOffsets = from, StopOffsets = to };
        var path = NewPath();
        var buckets = new Dictionary<int, (long Min, long Max, long Rows)>();
        ParquetSharp.Arrow.FileWriter? writer = null;
        Schema? schema = null;
        try
        {
            await using var scanner = table.NewLogScanner(options);
            await foreach (var batch in scanner.ReadBatchesAsync(ct).ConfigureAwait(false))
            {
                using (batch)
                {
                    if (batch.RowCount == 0) continue;
                    if (writer is null)
                    {
                        schema = SegmentSchema(batch.Batch.Schema);
                        Directory.CreateDirectory(_directory);
                        using var properties = new ParquetSharp.WriterPropertiesBuilder()
                            .Compression(ParquetSharp.Compression.Uncompressed)
                            .DisableDictionary()
                            .DisableStatistics()
                            .EnableStatistics(BucketColumn)
                            .EnableStatistics(OffsetColumn)
                            .MaxRowGroupLength(RowGroupRows)
                            .Build();
                        writer = new ParquetSharp.Arrow.FileWriter(path, schema, properties);
                    }
                    writer.WriteBufferedRecordBatch(WithMetadata(schema!, batch));
                    var last = batch.OffsetAt(batch.RowCount - 1);
                    buckets[batch.Bucket] = buckets.TryGetValue(batch.Bucket, out var b)
                        ? (Math.Min(b.Min, batch.BaseOffset), Math.Max(b.Max, last), b.Rows + batch.RowCount)
                        : (batch.BaseOffset, last, batch.RowCount);
                }
            }
            writer?.Close();
        }
        catch
        {
            writer?.Dispose();
            // Nothing of a failed fetch is kept; the held ranges still describe the other segments.
            TryDelete(path);
            throw;
        }
        writer?.Dispose();
        if (writer is not null) _segments.Add(new Segment(path, buckets));
    }

    /// <summary>The segment schema: bucket, offset, change type and commit time, then the table's Arrow columns.</summary>
    private static Schema SegmentSchema(Schema columns)
    {
        var builder = new Schema.Builder()
            .Field(new Field(BucketColumn, AT.Int32Type.Default, nullable: false))
            .Field(new Field(OffsetColumn, AT.Int64Type.Default, nullable: false))
            .Field(new Field(KindColumn, AT.Int8Type.Default, nullable: false))
            .Field(new Field(TimestampColumn, CommitTimeType, nullable: false));
        foreach (var field in columns.FieldsList) builder.Field(field);
        return builder.Build();
    }

    /// <summary>The batch with the metadata columns in front, built straight into Arrow buffers.</summary>
    private static RecordBatch WithMetadata(Schema schema, ScanBatch batch)
    {
        var n = batch.RowCount;
        var buckets = new int[n];
        var offsets = new long[n];
        var kinds = new sbyte[n];
        var times = new long[n];
        System.Array.Fill(buckets, batch.Bucket);
        System.Array.Fill(times, batch.Timestamp);
        for (var i = 0; i < n; i++)
        {
            offsets[i] = batch.BaseOffset + i;
            kinds[i] = (sbyte)batch.ChangeTypeAt(i);
        }
        var arrays = new List<IArrowArray>(schema.FieldsList.Count)
        {
            new Int32Array(Buffer(buckets), ArrowBuffer.Empty, n, 0, 0),
            new Int64Array(Buffer(offsets), ArrowBuffer.Empty, n, 0, 0),
            new Int8Array(Buffer(kinds), ArrowBuffer.Empty, n, 0, 0),
            new TimestampArray(CommitTimeType, Buffer(times), ArrowBuffer.Empty, n, 0, 0),
        };
        for (var c = 0; c < batch.Batch.ColumnCount; c++) arrays.Add(batch.Batch.Column(c));
        return new RecordBatch(schema, arrays, n);
    }

    private static ArrowBuffer Buffer<T>(T[] values) where T : struct =>
        new(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    // ------------------------------------------------------------------------------------------------ upkeep

    /// <summary>
    /// Drops the segments whose records all lie below the needed starts. Later segments hold later offsets of a
    /// bucket, so everything from a dropped record on is still held: From moves past it.
    /// </summary>
    private void Forget(IReadOnlyDictionary<int, (long Start, long End)> needed)
    {
        foreach (var segment in _segments.Where(s => s.Buckets.All(b => needed.TryGetValue(b.Key, out var w) && b.Value.Max < w.Start)).ToList())
        {
            TryDelete(segment.Path);
            _segments.Remove(segment);
            foreach (var (bucket, b) in segment.Buckets)
            {
                if (_ranges.TryGetValue(bucket, out var r) && b.Max + 1 > r.From) _ranges[bucket] = r with { From = b.Max + 1 };
            }
        }
    }

    /// <summary>Merges the segments into one that holds the records from the needed starts on.</summary>
    private void Compact(DuckDBConnection duck, IReadOnlyDictionary<int, (long Start, long End)> needed)
    {
        var path = NewPath();
        IReadOnlyDictionary<int, (long Start, long End)> keep = needed.ToDictionary(n => n.Key, n => (n.Value.Start, long.MaxValue));
        var filter = FilterFor(keep);
        var sql = new StringBuilder("COPY (SELECT * FROM ").Append(Source);
        if (filter is not null) sql.Append(" WHERE ").Append(filter);
        sql.Append(") TO ").Append(Literal(path)).Append($" (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE {RowGroupRows.ToString(CultureInfo.InvariantCulture)})");
        var buckets = new Dictionary<int, (long Min, long Max, long Rows)>();
        foreach (var segment in _segments)
        {
            foreach (var (bucket, b) in segment.Buckets)
            {
                if (!keep.TryGetValue(bucket, out var w)) continue;
                var min = Math.Max(b.Min, w.Start);
                var max = Math.Min(b.Max, w.End - 1);
                if (min > max) continue;
                var rows = Inside(b, w) ? b.Rows : -1;
                buckets[bucket] = buckets.TryGetValue(bucket, out var have)
                    ? (Math.Min(have.Min, min), Math.Max(have.Max, max), have.Rows < 0 || rows < 0 ? -1 : have.Rows + rows)
                    : (min, max, rows);
            }
        }
        TailCache.Execute(duck, sql.ToString());
        if (buckets.Values.Any(b => b.Rows < 0))
        {
            using var cmd = duck.CreateCommand();
            cmd.CommandText = $"SELECT {Quote(BucketColumn)}, count(*) FROM read_parquet({Literal(path)}) GROUP BY ALL";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var bucket = reader.GetInt32(0);
                buckets[bucket] = buckets[bucket] with { Rows = reader.GetInt64(1) };
            }
        }
        foreach (var segment in _segments) TryDelete(segment.Path);
        _segments.Clear();
        foreach (var (bucket, w) in keep)
        {
            if (_ranges.TryGetValue(bucket, out var r) && w.Start > r.From) _ranges[bucket] = r with { From = Math.Min(w.Start, r.To) };
        }
        if (buckets.Count > 0) _segments.Add(new Segment(path, buckets.Where(b => b.Value.Rows > 0).ToDictionary()));
        else TryDelete(path);
    }

    /// <summary>Records of a segment within the wanted ranges, counting partly covered buckets by their offset overlap (an estimate).</summary>
    private static long Within(Segment segment, IReadOnlyDictionary<int, (long Start, long End)> wanted)
    {
        long rows = 0;
        foreach (var (bucket, b) in segment.Buckets)
        {
            if (!wanted.TryGetValue(bucket, out var w) || Outside(b, w)) continue;
            rows += Inside(b, w) ? b.Rows : Math.Max(1, Math.Min(b.Max, w.End - 1) - Math.Max(b.Min, w.Start) + 1);
        }
        return rows;
    }

    private static bool Inside((long Min, long Max, long Rows) b, (long Start, long End) w) => b.Min >= w.Start && b.Max < w.End;

    private static bool Outside((long Min, long Max, long Rows) b, (long Start, long End) w) => b.Max < w.Start || b.Min >= w.End;

    private string NewPath() => Path.Combine(_directory,
        $"tail-{Table.TableId.ToString(CultureInfo.InvariantCulture)}-{Interlocked.Increment(ref _fileCounter).ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.parquet");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static void Execute(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
