using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Fluss.Arrow;
using Fluss.Client;
using Fluss.Data;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using ParquetSharp;
using RecordBatch = Apache.Arrow.RecordBatch;

namespace Fluss.Cli.Bench;

/// <summary>
/// <c>union-read</c>: an aggregate query with GROUP BY through the ADO.NET provider over a table whose rows are
/// mostly tiered to the lake and partly only in the log tail. Baseline: DuckDB running the same query over the same
/// rows in plain Parquet files (ZSTD, the lake's row-group size), in this process.
/// </summary>
internal static class UnionReadScenario
{
    public const string Name = "union-read";
    private const int RowGroupRows = 122_880;
    private const int WarmRuns = 3;
    private static readonly Schema s_schema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, category INT, amount DOUBLE, qty INT, note STRING").Build();

    public static async Task<BenchResult> RunAsync(BenchSession s, CancellationToken ct)
    {
        var lake = (PaimonLakeStorage)s.Lake;
        var total = s.Options.UnionRows;
        var tail = total * s.Options.TailPercent / 100;
        var tiered = total - tail;
        var table = await s.CreateTableAsync(s.NewTablePath("union"), s_schema, s.Options.Buckets, lake: false, ct).ConfigureAwait(false);
        var window = s.Connection.Options.WriterBufferMemory / 64;
        var notes = Enumerable.Range(0, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"note-{i:D7}")).ToArray();
        IRow Row(long r) => new UnionRow(r, notes);

        // 1. The rows that go to the lake: written, then tiered until the lake holds all of them.
        using (var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"union-read: writing {tiered:N0} rows to tier"), tiered))
            await AppendScenario.AppendRowsAsync(table, 0, tiered, Row, step, window, ct).ConfigureAwait(false);
        await s.TieringAsync(ct).ConfigureAwait(false);
        var buckets = Enumerable.Range(0, table.Info.NumBuckets).ToArray();
        var ends = await s.Connection.Admin.ListOffsetsAsync(table.Path, buckets, OffsetSpec.Latest, ct).ConfigureAwait(false);
        using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"union-read: tiering {tiered:N0} rows"), 1))
        {
            await s.Connection.Admin.AlterTableAsync(table.Path, [TableChange.Set("table.datalake.enabled", "true")], cancellationToken: ct).ConfigureAwait(false);
            await s.WaitForLakeAsync(table, ends, TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
        }
        // 2. The tail: written with tiering stopped, so it stays only in the log.
        await s.StopTieringAsync().ConfigureAwait(false);
        if (tail > 0)
        {
            using var step = s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"union-read: writing {tail:N0} rows of log tail"), tail);
            await AppendScenario.AppendRowsAsync(table, tiered, tail, Row, step, window, ct).ConfigureAwait(false);
        }

        // 3. The system: the query through the ADO.NET provider, once cold, then warm.
        var sqlName = $"{table.Path.DatabaseName}.{table.Path.TableName}";
        var threads = Environment.ProcessorCount;
        var connectionString = new FlussConnectionStringBuilder { BootstrapServers = s.Cluster!.BootstrapServers, LakeWarehouse = lake.Warehouse, Threads = threads }.ConnectionString;
        List<Group> systemGroups;
        TimeSpan systemCold, systemWarm;
        long lakeRows, tailRows;
        using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"union-read: GROUP BY over {total:N0} rows through the ADO.NET provider"), 1))
        {
            await using var connection = new FlussDbConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            (systemGroups, systemCold, systemWarm) = await TimeQueryAsync(connection, Query(sqlName), ct).ConfigureAwait(false);
            var bound = connection.LastBinding.Single();
            lakeRows = bound.LakeRows;
            tailRows = bound.TailRows;
        }

        // 4. The baseline: the same rows exported to plain Parquet, the same query in DuckDB.
        var dir = Path.Combine(s.DataDir, "bench-baseline-union-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        List<Group> baselineGroups;
        TimeSpan baselineCold, baselineWarm;
        long parquetBytes;
        try
        {
            using (s.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"union-read baseline: exporting {total:N0} rows to plain Parquet"), 1))
                await ExportAsync(table, dir, ct).ConfigureAwait(false);
            parquetBytes = Directory.EnumerateFiles(dir).Sum(f => new FileInfo(f).Length);
            using (s.Progress.Step("union-read baseline: the same query in DuckDB over the Parquet files", 1))
            {
                var builder = new DuckDBConnectionStringBuilder { DataSource = DuckDBConnectionStringBuilder.InMemoryDataSource, Threads = threads };
                await using var duck = new DuckDBConnection(builder.ConnectionString);
                await duck.OpenAsync(ct).ConfigureAwait(false);
                var files = $"read_parquet('{Path.Combine(dir, "*.parquet").Replace("'", "''", StringComparison.Ordinal)}')";
                (baselineGroups, baselineCold, baselineWarm) = await TimeQueryAsync(duck, Query(files), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Compare(systemGroups, baselineGroups, total);

        var result = new BenchResult(Name);
        result.System["rows"] = total;
        result.System["lake_rows"] = lakeRows;
        result.System["tail_rows"] = tailRows;
        result.System["groups"] = systemGroups.Count;
        result.System["cold_seconds"] = systemCold.TotalSeconds;
        result.System["warm_seconds"] = systemWarm.TotalSeconds;
        result.System["rows_per_s"] = Stats.PerSecond(total, systemWarm);
        result.Baseline["rows"] = total;
        result.Baseline["parquet_mb"] = Stats.Mb(parquetBytes);
        result.Baseline["cold_seconds"] = baselineCold.TotalSeconds;
        result.Baseline["warm_seconds"] = baselineWarm.TotalSeconds;
        result.Baseline["rows_per_s"] = Stats.PerSecond(total, baselineWarm);
        result.Ratio = baselineWarm.TotalSeconds / systemWarm.TotalSeconds;
        result.RatioMeaning = "DuckDB on plain Parquet time / provider time (warm, median of 3)";
        result.Params["rows"] = total;
        result.Params["tail_percent"] = s.Options.TailPercent;
        result.Params["buckets"] = table.Info.NumBuckets;
        result.Params["query"] = Query("T");
        result.Params["duckdb_threads"] = threads;
        result.Params["warm_runs"] = WarmRuns;
        result.Params["goal"] = "ratio >= 0.8";
        return result;
    }

    private static string Query(string table) =>
        $"SELECT category, count(*) AS n, sum(amount) AS total, avg(qty) AS avg_qty FROM {table} GROUP BY category ORDER BY category";

    private sealed record Group(int? Category, long Count, double Total, double? AvgQty);

    /// <summary>Runs the query once (cold) and <see cref="WarmRuns"/> more times; returns its result and the cold and median warm times.</summary>
    private static async Task<(List<Group> Groups, TimeSpan Cold, TimeSpan Warm)> TimeQueryAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var groups = await QueryAsync(connection, sql, ct).ConfigureAwait(false);
        var cold = clock.Elapsed;
        var warm = new List<TimeSpan>();
        for (var i = 0; i < WarmRuns; i++)
        {
            clock.Restart();
            await QueryAsync(connection, sql, ct).ConfigureAwait(false);
            warm.Add(clock.Elapsed);
        }
        warm.Sort();
        return (groups, cold, warm[warm.Count / 2]);
    }

    private static async Task<List<Group>> QueryAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var groups = new List<Group>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            groups.Add(new Group(
                reader.IsDBNull(0) ? null : Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
                reader.IsDBNull(2) ? 0 : Convert.ToDouble(reader.GetValue(2), CultureInfo.InvariantCulture),
                reader.IsDBNull(3) ? null : Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture)));
        }
        return groups;
    }

    /// <summary>Both answers must agree (counts exactly, sums and averages up to rounding) and cover every row.</summary>
    private static void Compare(List<Group> system, List<Group> baseline, long total)
    {
        if (system.Sum(g => g.Count) != total || baseline.Sum(g => g.Count) != total || system.Count != baseline.Count)
            throw new IOException($"the union read counted {system.Sum(g => g.Count):N0} rows in {system.Count} groups, DuckDB on Parquet {baseline.Sum(g => g.Count):N0} in {baseline.Count}; {total:N0} were written");
        for (var i = 0; i < system.Count; i++)
        {
            var (a, b) = (system[i], baseline[i]);
            if (a.Category != b.Category || a.Count != b.Count || !Close(a.Total, b.Total) || !Close(a.AvgQty ?? 0, b.AvgQty ?? 0))
                throw new IOException($"the union read and DuckDB on Parquet disagree on group {a.Category}: {a} vs {b}");
        }

        static bool Close(double x, double y) => Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)));
    }

    /// <summary>Writes every row of the table's log (all of it, lake and tail) to one Parquet file per bucket.</summary>
    private static async Task ExportAsync(FlussTable table, string dir, CancellationToken ct)
    {
        var schema = ArrowSchemas.ToArrowSchema(table.Info.RowType);
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Zstd).MaxRowGroupLength(RowGroupRows).Build();
        var writers = new Dictionary<int, ParquetSharp.Arrow.FileWriter>();
        try
        {
            var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });
            await using (scanner.ConfigureAwait(false))
            {
                await foreach (var batch in scanner.ReadBatchesAsync(ct).ConfigureAwait(false))
                {
                    using (batch)
                    {
                        if (!writers.TryGetValue(batch.Bucket, out var writer))
                            writers[batch.Bucket] = writer = new ParquetSharp.Arrow.FileWriter(Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"bucket-{batch.Bucket}.parquet")), schema, properties);
                        writer.WriteBufferedRecordBatch(new RecordBatch(schema, Enumerable.Range(0, batch.Batch.ColumnCount).Select(batch.Batch.Column), batch.RowCount));
                    }
                }
            }
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                writer.Close();
                writer.Dispose();
            }
        }
    }

    /// <summary>Row r: id r, 100 categories, an amount, a quantity and a note from a pool (values mixed from r).</summary>
    private sealed class UnionRow(long r, string[] notes) : BenchRow(5)
    {
        public override long GetLong(int pos) => r;

        public override int GetInt(int pos) => pos == 1 ? (int)(WideRows.Mix(r, 1) % 100) : (int)(WideRows.Mix(r, 3) % 50);

        public override double GetDouble(int pos) => (WideRows.Mix(r, 2) % 1_000_000) / 100.0;

        public override string GetString(int pos) => notes[WideRows.Mix(r, 4) % (ulong)notes.Length];
    }
}
