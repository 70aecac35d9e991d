using System.Data.Common;
using Fluss.Lake;
using Fluss.Metadata;

namespace Fluss.DuckDB;

/// <summary>Options of a <see cref="FlussDuckDBConnection"/>.</summary>
public sealed record FlussDuckDBOptions
{
    /// <summary>
    /// The cluster's lake, used to find the data files of lake snapshots. When null, <see cref="LakeWarehouse"/> is
    /// used, else the Paimon warehouse the table's properties name (<c>table.datalake.paimon.warehouse</c>).
    /// </summary>
    public ILakeStorage? LakeStorage { get; init; }

    /// <summary>The directory of the cluster's Paimon warehouse, when <see cref="LakeStorage"/> is not given.</summary>
    public string? LakeWarehouse { get; init; }

    /// <summary>DuckDB worker threads; null lets DuckDB use every core.</summary>
    public int? Threads { get; init; }

    /// <summary>DuckDB's memory limit, e.g. <c>4GB</c>; null keeps DuckDB's default (80% of RAM).</summary>
    public string? MemoryLimit { get; init; }
}

/// <summary>How a Fluss table appears in SQL.</summary>
public enum FlussTableView
{
    /// <summary><c>db.table</c>: the union read of the lake snapshot and the live log tail.</summary>
    Union,

    /// <summary><c>db."table$lake"</c>: only the lake snapshot.</summary>
    Lake,

    /// <summary><c>db."table$changelog"</c>: every change in the Fluss log, with <c>_change_type</c>, <c>_log_offset</c> and <c>_commit_timestamp</c>.</summary>
    Changelog,
}

/// <summary>A Fluss table a statement reads, as it was bound for that statement (one consistent cut per table).</summary>
/// <param name="Path">The Fluss table.</param>
/// <param name="View">Which view of it.</param>
/// <param name="SqlName">The name the statement used, as DuckDB sees it (<c>"db"."table$lake"</c>).</param>
/// <param name="LakeSnapshotId">The lake snapshot read, or null when there is none.</param>
/// <param name="LakeFiles">Lake data files scanned (0 for <see cref="FlussTableView.Changelog"/>).</param>
/// <param name="LakeRows">Rows in those files (for primary-key tables: changes, before keeping the latest per key).</param>
/// <param name="TailRows">Log records read from the Fluss log (0 for <see cref="FlussTableView.Lake"/>).</param>
public sealed record FlussBoundTable(TablePath Path, FlussTableView View, string SqlName, long? LakeSnapshotId, int LakeFiles, long LakeRows, long TailRows);

/// <summary>
/// An error in a SQL statement, reported by DuckDB: a syntax error, an unknown table or column, a type mismatch, a
/// failed conversion. <see cref="Position"/> is where in the statement the problem is, when known.
/// </summary>
public sealed class FlussSqlException : DbException
{
    public FlussSqlException(string errorType, string message, int? position, string statement, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorType = errorType;
        Position = position;
        Statement = statement;
    }

    /// <summary>DuckDB's error class: <c>Parser</c>, <c>Binder</c>, <c>Catalog</c>, <c>Conversion</c>, <c>IO</c>, ...</summary>
    public string ErrorType { get; }

    /// <summary>The zero-based character offset in <see cref="Statement"/> the error points at, or null.</summary>
    public int? Position { get; }

    /// <summary>The statement that failed.</summary>
    public string Statement { get; }
}
