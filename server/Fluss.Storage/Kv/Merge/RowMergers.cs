using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Storage.Kv.Merge;

/// <summary>Creates the row merger of a table from its merge engine and delete behaviour.</summary>
internal static class RowMergers
{
    /// <summary>The merger of <paramref name="table"/> (a primary-key table).</summary>
    /// <exception cref="InvalidConfigException">The merge engine settings are invalid.</exception>
    public static IRowMerger Create(TableInfo table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var config = table.TableConfig;
        var deleteBehavior = config.DeleteBehavior;
        var schemaId = checked((short)table.SchemaId);
        switch (config.MergeEngineType)
        {
            case null:
                return new DefaultRowMerger(table.Schema, schemaId, deleteBehavior ?? DeleteBehavior.Allow);
            case MergeEngineType.FirstRow:
                return new FirstRowMerger(RequireNoAllow(deleteBehavior, "first_row"));
            case MergeEngineType.Versioned:
                var column = config.MergeEngineVersionColumn
                    ?? throw new InvalidConfigException($"'table.merge-engine.versioned.ver-column' must be set for the VERSIONED merge engine of table {table.TablePath}.");
                return new VersionedRowMerger(table.Schema, column, RequireNoAllow(deleteBehavior, "versioned"));
            case MergeEngineType.Aggregation:
                return new AggregateRowMerger(table.Schema, schemaId, deleteBehavior ?? DeleteBehavior.Ignore);
            default:
                throw new InvalidConfigException($"Unsupported merge engine {config.MergeEngineType} of table {table.TablePath}.");
        }
    }

    private static DeleteBehavior RequireNoAllow(DeleteBehavior? behavior, string engine) =>
        behavior == DeleteBehavior.Allow
            ? throw new InvalidConfigException($"DELETE is not supported for the {engine} merge engine; set 'table.delete.behavior' to IGNORE or DISABLE.")
            : behavior ?? DeleteBehavior.Ignore;

    /// <summary>Whether <paramref name="targetColumns"/> names every field of a row of <paramref name="fieldCount"/> fields.</summary>
    public static bool CoversAllFields(int fieldCount, int[] targetColumns)
    {
        if (targetColumns.Length < fieldCount) return false;
        var seen = new bool[fieldCount];
        foreach (var c in targetColumns)
        {
            if ((uint)c >= (uint)fieldCount) return false;
            seen[c] = true;
        }
        return Array.TrueForAll(seen, x => x);
    }

    /// <summary>Checks partial-update target columns: in range, including the primary key, other columns nullable.</summary>
    /// <exception cref="FlussException">INVALID_TARGET_COLUMN naming the problem.</exception>
    public static bool[] CheckTargetColumns(Schema schema, int[] targetColumns, string what)
    {
        var fieldCount = schema.RowType.FieldCount;
        var target = new bool[fieldCount];
        foreach (var c in targetColumns)
        {
            if ((uint)c >= (uint)fieldCount)
                throw new FlussException(FlussErrorCode.InvalidTargetColumn,
                    $"Target column index {c} is out of range: the table has {fieldCount} columns ({string.Join(", ", schema.ColumnNames)}).");
            target[c] = true;
        }
        var names = schema.ColumnNames;
        foreach (var pk in schema.PrimaryKeyIndexes)
        {
            if (!target[pk])
                throw new FlussException(FlussErrorCode.InvalidTargetColumn,
                    $"The target write columns [{string.Join(", ", targetColumns.Select(i => names[i]))}] must contain the primary key columns [{string.Join(", ", schema.PrimaryKeyColumnNames)}].");
        }
        var pkSet = schema.PrimaryKeyIndexes;
        for (var i = 0; i < fieldCount; i++)
        {
            if (!pkSet.Contains(i) && !schema.RowType.GetTypeAt(i).IsNullable)
                throw new FlussException(FlussErrorCode.InvalidTargetColumn,
                    $"{what} requires all columns except the primary key to be nullable, but column {names[i]} is NOT NULL.");
        }
        return target;
    }
}
