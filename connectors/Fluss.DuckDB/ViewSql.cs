using System.Globalization;
using System.Text;
using Fluss.Lake;
using Fluss.Rows;
using Fluss.Types;
using Fluss.UnionRead;
using static Fluss.DuckDB.Sql.SqlText;

namespace Fluss.DuckDB;

/// <summary>
/// The SQL of the views that stand for Fluss tables. Lake files are scanned by DuckDB (<c>read_parquet</c>); the tail
/// comes from the <see cref="TailCache"/> table. Every view has exactly the table's columns, with the types of
/// <see cref="DuckTypes.SqlType"/>.
/// </summary>
internal static class ViewSql
{
    /// <summary>Change types that leave a row in place: +A (0), +I (1) and +U (3).</summary>
    private const string LiveKinds = "0, 1, 3";

    /// <summary>
    /// The union read: log tables the lake rows then the tail rows; primary-key tables the lake rows (latest change
    /// per key, deletes dropped) whose key the tail did not touch, then the tail's live rows (last change per key).
    /// </summary>
    public static string Union(UnionReadPlan plan, TailCache tail, IReadOnlyDictionary<int, (long Start, long End)> tailRanges, bool tailHasRows)
    {
        var rowType = plan.Table.RowType;
        var lake = LakeSelect(plan);
        var tailFilter = tail.FilterFor(tailRanges);
        if (!plan.IsPrimaryKeyTable)
        {
            var parts = new List<string>();
            if (lake is not null) parts.Add(lake);
            if (tailHasRows) parts.Add($"SELECT {TailColumns(rowType)} FROM {tail.Source}{Where(tailFilter)}");
            return parts.Count == 0 ? Empty(rowType) : string.Join("\nUNION ALL\n", parts);
        }

        if (!tailHasRows) return lake ?? Empty(rowType);
        var keys = plan.Table.PrimaryKeys;
        var sql = new StringBuilder("WITH ");
        if (lake is not null) sql.Append("__lake AS (").Append(lake).Append("),\n");
        sql.Append("__tail AS (SELECT ").Append(TailColumns(rowType)).Append(", ").Append(Quote(TailCache.KindColumn))
            .Append(" FROM ").Append(tail.Source).Append(Where(tailFilter))
            .Append(" QUALIFY row_number() OVER (PARTITION BY ").Append(string.Join(", ", keys.Select(Quote)))
            .Append(" ORDER BY ").Append(Quote(TailCache.OffsetColumn)).Append(" DESC) = 1)\n");
        if (lake is not null)
        {
            sql.Append("SELECT ").Append(Columns(rowType, "l.")).Append(" FROM __lake l ANTI JOIN __tail t ON ")
                .Append(string.Join(" AND ", keys.Select(k => $"l.{Quote(k)} = t.{Quote(k)}")))
                .Append("\nUNION ALL\n");
        }
        sql.Append("SELECT ").Append(Columns(rowType, "")).Append(" FROM __tail WHERE ").Append(Quote(TailCache.KindColumn)).Append(" IN (").Append(LiveKinds).Append(')');
        return sql.ToString();
    }

    /// <summary>Only the lake snapshot's rows (Fluss's <c>$lake</c>); no rows without a snapshot.</summary>
    public static string Lake(UnionReadPlan plan) => LakeSelect(plan) ?? Empty(plan.Table.RowType);

    /// <summary>Fluss's <c>$changelog</c>: <c>_change_type</c>, <c>_log_offset</c>, <c>_commit_timestamp</c>, then the columns.</summary>
    public static string Changelog(RowType rowType, TailCache tail, IReadOnlyDictionary<int, (long Start, long End)> ranges)
    {
        if (!tail.HasRows)
        {
            return $"SELECT CAST(NULL AS VARCHAR) AS {Quote(UnionReader.ChangeTypeColumn)}, CAST(NULL AS BIGINT) AS {Quote(UnionReader.LogOffsetColumn)}, "
                + $"CAST(NULL AS TIMESTAMPTZ) AS {Quote(UnionReader.CommitTimestampColumn)}, "
                + string.Join(", ", rowType.Fields.Select(f => $"CAST(NULL AS {DuckTypes.SqlType(f.Type)}) AS {Quote(f.Name)}")) + " WHERE false";
        }
        var kind = Quote(TailCache.KindColumn);
        return $"SELECT CASE {kind} WHEN {(int)ChangeType.UpdateBefore} THEN 'update_before' WHEN {(int)ChangeType.UpdateAfter} THEN 'update_after' "
            + $"WHEN {(int)ChangeType.Delete} THEN 'delete' ELSE 'insert' END AS {Quote(UnionReader.ChangeTypeColumn)}, "
            + $"{Quote(TailCache.OffsetColumn)} AS {Quote(UnionReader.LogOffsetColumn)}, "
            + $"timezone('UTC', {Quote(TailCache.TimestampColumn)}) AS {Quote(UnionReader.CommitTimestampColumn)}, "
            + $"{TailColumns(rowType)} FROM {tail.Source}{Where(tail.FilterFor(ranges))}";
    }

    /// <summary>
    /// The lake rows of the plan's snapshot, read by DuckDB from the Parquet files; null without lake files. Primary-key
    /// files hold changes: the latest per key (largest sequence number) is kept unless it retracts the key. When every
    /// bucket has a single file, keys are already distinct and only retractions are dropped.
    /// </summary>
    public static string? LakeSelect(UnionReadPlan plan)
    {
        var files = plan.LakeFiles;
        if (files is null || files.Files.Count == 0) return null;
        var rowType = plan.Table.RowType;
        var scan = new StringBuilder("read_parquet([");
        for (var i = 0; i < files.Files.Count; i++)
        {
            if (i > 0) scan.Append(", ");
            scan.Append(Literal(files.Files[i].Path));
        }
        scan.Append("], hive_partitioning = false, binary_as_string = false)");
        var layout = files.Layout;
        if (!layout.IsPrimaryKeyTable) return $"SELECT {LakeColumns(rowType)} FROM {scan}";

        if (layout.MergeEngine is { } engine && !engine.Equals("deduplicate", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException($"The lake table of {plan.TablePath} uses the Paimon merge engine '{engine}'; SQL reads only lake tables with the deduplicate merge engine, which Fluss creates.");
        var kind = Quote(layout.ValueKindColumn!);
        var retract = string.Join(", ", layout.RetractValueKinds.Select(k => k.ToString(CultureInfo.InvariantCulture)));
        var singleFilePerBucket = files.Files.GroupBy(f => f.Bucket).All(g => g.Count() == 1);
        var source = singleFilePerBucket
            ? scan.ToString()
            : $"(SELECT * FROM {scan} QUALIFY row_number() OVER (PARTITION BY {string.Join(", ", layout.KeyColumns.Select(Quote))} ORDER BY {Quote(layout.SequenceNumberColumn!)} DESC) = 1)";
        return $"SELECT {LakeColumns(rowType)} FROM {source} WHERE {kind} NOT IN ({retract})";
    }

    /// <summary>No rows, with the table's columns and types.</summary>
    public static string Empty(RowType rowType) =>
        "SELECT " + string.Join(", ", rowType.Fields.Select(f => $"CAST(NULL AS {DuckTypes.SqlType(f.Type)}) AS {Quote(f.Name)}")) + " WHERE false";

    private static string Where(string? filter) => filter is null ? "" : $" WHERE {filter}";

    private static string Columns(RowType rowType, string prefix) => string.Join(", ", rowType.Fields.Select(f => prefix + Quote(f.Name)));

    /// <summary>Tail columns (Fluss's Arrow types in Parquet) cast to their SQL type.</summary>
    private static string TailColumns(RowType rowType) => string.Join(", ", rowType.Fields.Select(f => Cast(f.Name, f.Type)));

    /// <summary>
    /// A Parquet column as its SQL type. Arrow and Parquet timestamps here have no time zone: TIMESTAMP_LTZ values
    /// are UTC instants, made TIMESTAMPTZ in UTC whatever the session's time zone.
    /// </summary>
    private static string Cast(string name, DataType type) => type is LocalZonedTimestampType
        ? $"timezone('UTC', CAST({Quote(name)} AS TIMESTAMP)) AS {Quote(name)}"
        : $"CAST({Quote(name)} AS {DuckTypes.SqlType(type)}) AS {Quote(name)}";

    /// <summary>Lake columns cast to their SQL type (a cast to the type DuckDB already reads is free).</summary>
    private static string LakeColumns(RowType rowType) => string.Join(", ", rowType.Fields.Select(f =>
        DuckTypes.NeedsCastFromParquet(f.Type) ? Cast(f.Name, f.Type) : $"CAST({Quote(f.Name)} AS {DuckTypes.SqlType(f.Type)}) AS {Quote(f.Name)}"));
}
