using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Types;
using static Fluss.DuckDB.Sql.SqlText;

namespace Fluss.DuckDB;

/// <summary>
/// The log tail of one table kept in a DuckDB table between statements: per bucket the records of offsets
/// [From, To) with their bucket, offset, change type and commit time. Each statement asks for the ranges it needs;
/// only offsets not held yet are fetched from the tablet servers, and offsets below every needed start are deleted
/// (they reached the lake). Repeated queries over a table whose tail barely moved cost almost nothing.
/// </summary>
internal sealed class TailCache
{
    public const string Schema = "__fluss";
    public const string BucketColumn = "__fluss_bucket";
    public const string OffsetColumn = "__fluss_offset";
    public const string KindColumn = "__fluss_kind";
    public const string TimestampColumn = "__fluss_ts";

    private readonly Dictionary<int, Range> _ranges = [];

    public TailCache(TableInfo table)
    {
        Table = table;
        TableName = $"tail_{table.TableId.ToString(CultureInfo.InvariantCulture)}_{table.SchemaId.ToString(CultureInfo.InvariantCulture)}";
        QualifiedName = Quote(Schema) + "." + Quote(TableName);
    }

    /// <summary>The table (id and schema) the cache holds rows of.</summary>
    public TableInfo Table { get; }

    public string TableName { get; }

    /// <summary>The quoted <c>schema.table</c> of the DuckDB table.</summary>
    public string QualifiedName { get; }

    private RowType RowType => Table.RowType;

    /// <summary>Offsets [From, To) of a bucket held in the table, and how many records they are.</summary>
    public readonly record struct Range(long From, long To, long Rows);

    public bool IsCreated { get; private set; }

    /// <summary>The range held for <paramref name="bucket"/>, if any.</summary>
    public Range? RangeOf(int bucket) => _ranges.TryGetValue(bucket, out var r) ? r : null;

    public void Create(DuckDBConnection duck)
    {
        if (IsCreated) return;
        var sql = new StringBuilder();
        sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(Quote(Schema)).Append(";\n");
        sql.Append("CREATE OR REPLACE TABLE ").Append(QualifiedName).Append(" (")
            .Append(Quote(BucketColumn)).Append(" INTEGER, ")
            .Append(Quote(OffsetColumn)).Append(" BIGINT, ")
            .Append(Quote(KindColumn)).Append(" TINYINT, ")
            .Append(Quote(TimestampColumn)).Append(" TIMESTAMPTZ");
        foreach (var field in RowType.Fields)
            sql.Append(", ").Append(Quote(field.Name)).Append(' ').Append(DuckTypes.StorageType(field.Type));
        sql.Append(')');
        Execute(duck, sql.ToString());
        IsCreated = true;
    }

    public void Drop(DuckDBConnection duck)
    {
        if (!IsCreated) return;
        Execute(duck, "DROP TABLE IF EXISTS " + QualifiedName);
        _ranges.Clear();
        IsCreated = false;
    }

    /// <summary>
    /// Makes the table hold at least [start, end) of every bucket in <paramref name="needed"/>, and nothing below the
    /// starts: fetches what is missing from the log (bounded scans up to the given ends, which are high watermarks
    /// captured at planning) and deletes what is below.
    /// </summary>
    /// <returns>The number of records fetched.</returns>
    public async Task<long> SyncAsync(FlussTable table, DuckDBConnection duck, IReadOnlyDictionary<int, (long Start, long End)> needed, CancellationToken ct)
    {
        if (table.Info.TableId != Table.TableId)
            throw new TableNotExistException($"Table {Table.TablePath} was dropped and re-created while being read (table id {Table.TableId} is now {table.Info.TableId}); run the query again.");
        Create(duck);
        var deletes = new List<string>();
        var fetchStart = new Dictionary<int, long>();
        var fetchEnd = new Dictionary<int, long>();
        foreach (var (bucket, (start, end)) in needed)
        {
            var bucketText = bucket.ToString(CultureInfo.InvariantCulture);
            if (!_ranges.TryGetValue(bucket, out var held) || start < held.From || start > held.To)
            {
                // Nothing useful held (or a gap before or after it): start the bucket over.
                if (held.Rows > 0 || _ranges.ContainsKey(bucket))
                    deletes.Add($"{Quote(BucketColumn)} = {bucketText}");
                held = new Range(start, start, 0);
            }
            else if (start > held.From)
            {
                deletes.Add($"({Quote(BucketColumn)} = {bucketText} AND {Quote(OffsetColumn)} < {start.ToString(CultureInfo.InvariantCulture)})");
                held = held with { From = start, Rows = -1 };
            }
            _ranges[bucket] = held;
            if (end > held.To)
            {
                fetchStart[bucket] = held.To;
                fetchEnd[bucket] = end;
            }
        }
        if (deletes.Count > 0)
        {
            Execute(duck, $"DELETE FROM {QualifiedName} WHERE {string.Join(" OR ", deletes)}");
            RecountUnknown(duck);
        }
        if (fetchStart.Count == 0) return 0;

        var fetched = new Dictionary<int, long>();
        var options = new LogScanOptions
        {
            Buckets = fetchStart.Keys.Order().ToArray(),
            StartOffsets = fetchStart,
            StopOffsets = fetchEnd,
        };
        long total = 0;
        try
        {
            await using var scanner = table.NewLogScanner(options);
            using var appender = duck.CreateAppender(Schema, TableName);
            await foreach (var batch in scanner.ReadBatchesAsync(ct).ConfigureAwait(false))
            {
                using (batch)
                {
                    TailAppender.Append(appender, batch.Batch, batch.RowType, batch.Bucket, batch.BaseOffset,
                        i => (byte)batch.ChangeTypeAt(i), DateTimeOffset.FromUnixTimeMilliseconds(batch.Timestamp));
                    fetched[batch.Bucket] = fetched.GetValueOrDefault(batch.Bucket) + batch.RowCount;
                    total += batch.RowCount;
                }
            }
        }
        catch
        {
            // Part of a range may have been appended: forget everything rather than hold a range twice.
            Drop(duck);
            throw;
        }
        foreach (var (bucket, end) in fetchEnd)
        {
            var held = _ranges[bucket];
            _ranges[bucket] = new Range(held.From, end, held.Rows + fetched.GetValueOrDefault(bucket));
        }
        return total;
    }

    /// <summary>
    /// A SQL condition keeping exactly [start, end) of each bucket of <paramref name="wanted"/>, or null when the
    /// table holds exactly those ranges and nothing else.
    /// </summary>
    public string? FilterFor(IReadOnlyDictionary<int, (long Start, long End)> wanted)
    {
        var exact = _ranges.Count == wanted.Count && wanted.All(w => _ranges.TryGetValue(w.Key, out var r) && r.From == w.Value.Start && r.To == w.Value.End);
        if (exact) return null;
        if (wanted.Count == 0) return "false";
        return string.Join(" OR ", wanted.OrderBy(w => w.Key).Select(w =>
            $"({Quote(BucketColumn)} = {w.Key.ToString(CultureInfo.InvariantCulture)} AND {Quote(OffsetColumn)} >= {w.Value.Start.ToString(CultureInfo.InvariantCulture)} AND {Quote(OffsetColumn)} < {w.Value.End.ToString(CultureInfo.InvariantCulture)})"));
    }

    /// <summary>Records held within [start, end) of each bucket (exact when the held range is that range).</summary>
    public long RowsWithin(IReadOnlyDictionary<int, (long Start, long End)> wanted, DuckDBConnection duck)
    {
        var filter = FilterFor(wanted);
        if (filter is null) return _ranges.Values.Sum(r => r.Rows);
        using var cmd = duck.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {QualifiedName} WHERE {filter}";
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private void RecountUnknown(DuckDBConnection duck)
    {
        var unknown = _ranges.Where(r => r.Value.Rows < 0).Select(r => r.Key).ToList();
        if (unknown.Count == 0) return;
        using var cmd = duck.CreateCommand();
        cmd.CommandText = $"SELECT {Quote(BucketColumn)}, count(*) FROM {QualifiedName} GROUP BY ALL";
        var counts = new Dictionary<int, long>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read()) counts[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        foreach (var bucket in unknown) _ranges[bucket] = _ranges[bucket] with { Rows = counts.GetValueOrDefault(bucket) };
    }

    internal static void Execute(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
