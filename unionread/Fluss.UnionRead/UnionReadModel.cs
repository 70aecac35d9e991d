using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Lake;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.UnionRead;

/// <summary>What a union read returns.</summary>
public sealed record UnionReadOptions
{
    /// <summary>Columns by name, in output order (the batches have exactly these columns); null reads all columns.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Buckets to read; null reads every bucket.</summary>
    public IReadOnlyList<int>? Buckets { get; init; }

    /// <summary>The most rows per merged output batch (tail batches of <see cref="UnionReader.ReadTailAsync"/> keep their own size).</summary>
    public int MaxRowsPerBatch { get; init; } = 8192;
}

/// <summary>The log offsets of one bucket that a union read takes from the Fluss log: [<see cref="StartOffset"/>, <see cref="EndOffset"/>).</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="StartOffset">The bucket's lake offset (the first offset not in the lake), or its earliest offset when the lake has none.</param>
/// <param name="EndOffset">The bucket's high watermark at planning time (exclusive).</param>
/// <param name="StartsAtLakeOffset">True when <see cref="StartOffset"/> is the lake offset of the plan's lake snapshot.</param>
public readonly record struct TailRange(int Bucket, long StartOffset, long EndOffset, bool StartsAtLakeOffset)
{
    /// <summary>The offsets in the range (records plus any empty batches' offsets), 0 when empty.</summary>
    public long OffsetCount => Math.Max(0, EndOffset - StartOffset);
}

/// <summary>
/// One consistent cut of a table, captured once by <see cref="UnionReader.PlanAsync"/>: the committed lake snapshot
/// (id, files, per-bucket lake offsets) and each bucket's high watermark. Reading a plan gives the same rows however
/// late it is read and whatever the tiering service commits meanwhile (as long as the lake snapshot and the log
/// range are still retained).
/// </summary>
public sealed class UnionReadPlan
{
    internal UnionReadPlan(TableInfo table, IReadOnlyList<string> columns, IReadOnlyList<string> tailColumns, IReadOnlyList<int> buckets,
        IReadOnlyList<int>? lakeBuckets, long? lakeSnapshotId, DateTimeOffset? lakeCommitTime, LakeFilePlan? lakeFiles, IReadOnlyList<TailRange> tail, int maxRowsPerBatch)
    {
        Table = table;
        Columns = columns;
        RowType = Project(table.RowType, columns);
        TailColumns = tailColumns;
        TailRowType = Project(table.RowType, tailColumns);
        Buckets = buckets;
        LakeBuckets = lakeBuckets;
        LakeSnapshotId = lakeSnapshotId;
        LakeCommitTime = lakeCommitTime;
        LakeFiles = lakeFiles;
        Tail = tail;
        MaxRowsPerBatch = maxRowsPerBatch;
    }

    /// <summary>The table as it was at planning.</summary>
    public TableInfo Table { get; }

    public TablePath TablePath => Table.TablePath;

    /// <summary>Whether rows are merged by primary key (a primary-key table).</summary>
    public bool IsPrimaryKeyTable => Table.HasPrimaryKey;

    /// <summary>The output columns, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The Fluss row type of the output batches.</summary>
    public RowType RowType { get; }

    /// <summary>
    /// The columns of the tail batches of <see cref="UnionReader.ReadTailAsync"/>: <see cref="Columns"/>, followed
    /// for primary-key tables by the primary key columns that <see cref="Columns"/> leaves out (needed to merge).
    /// </summary>
    public IReadOnlyList<string> TailColumns { get; }

    /// <summary>The Fluss row type of <see cref="TailColumns"/>.</summary>
    public RowType TailRowType { get; }

    /// <summary>The buckets read.</summary>
    public IReadOnlyList<int> Buckets { get; }

    /// <summary>The lake snapshot read, or null when the table has none (not a lake table, or never tiered).</summary>
    public long? LakeSnapshotId { get; }

    /// <summary>When the lake snapshot was committed to the coordinator, if known.</summary>
    public DateTimeOffset? LakeCommitTime { get; }

    /// <summary>The lake snapshot's data files in the plan's buckets and their layout, or null without a lake snapshot.</summary>
    public LakeFilePlan? LakeFiles { get; }

    /// <summary>The log range read from each bucket, in bucket order.</summary>
    public IReadOnlyList<TailRange> Tail { get; }

    internal int MaxRowsPerBatch { get; }

    /// <summary>The lake table the plan reads (set when the plan has a lake snapshot).</summary>
    internal ILakeTableSource? LakeSource { get; init; }

    /// <summary>The buckets to read from the lake, or null for all of them.</summary>
    internal IReadOnlyList<int>? LakeBuckets { get; }

    internal static RowType Project(RowType table, IReadOnlyList<string> columns)
    {
        var fields = new DataField[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            fields[i] = table.Fields.First(f => f.Name == columns[i]);
        }
        return new RowType(fields);
    }
}

/// <summary>
/// Rows with their change types: a batch of the Fluss log tail (one bucket, consecutive offsets) or of the lake
/// snapshot (lake rows are inserts and have no log offset). The batch owns its memory.
/// </summary>
public sealed class ChangeBatch
{
    private readonly ChangeType[]? _changeTypes;

    internal ChangeBatch(RecordBatch batch, RowType rowType, ChangeType[]? changeTypes, bool fromLake, int bucket, long baseOffset, long commitTimestamp)
    {
        Batch = batch;
        RowType = rowType;
        _changeTypes = changeTypes;
        FromLake = fromLake;
        Bucket = bucket;
        BaseOffset = baseOffset;
        CommitTimestamp = commitTimestamp;
    }

    /// <summary>The rows, with the read's columns.</summary>
    public RecordBatch Batch { get; }

    /// <summary>The Fluss row type of <see cref="Batch"/>.</summary>
    public RowType RowType { get; }

    public int RowCount => Batch.Length;

    /// <summary>True for rows of the lake snapshot, false for rows of the Fluss log.</summary>
    public bool FromLake { get; }

    /// <summary>The bucket of a log batch; -1 for lake rows (a lake batch may hold several buckets).</summary>
    public int Bucket { get; }

    /// <summary>The log offset of the first row of a log batch; -1 for lake rows.</summary>
    public long BaseOffset { get; }

    /// <summary>The commit time of a log batch (epoch milliseconds); -1 for lake rows.</summary>
    public long CommitTimestamp { get; }

    /// <summary>The change type of row <paramref name="row"/>: lake rows of primary-key tables are inserts, of log tables appends.</summary>
    public ChangeType ChangeTypeAt(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {RowCount} rows.");
        return _changeTypes?[row] ?? ChangeType.AppendOnly;
    }

    /// <summary>The log offset of row <paramref name="row"/> of a log batch.</summary>
    /// <exception cref="InvalidOperationException">The batch holds lake rows, which have no log offset.</exception>
    public long OffsetAt(int row)
    {
        if (FromLake) throw new InvalidOperationException("Lake rows have no log offset.");
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {RowCount} rows.");
        return BaseOffset + row;
    }

    /// <summary>
    /// The batch in the shape of Fluss's <c>$changelog</c> virtual table: <c>_change_type</c>, <c>_log_offset</c>,
    /// <c>_commit_timestamp</c>, then the batch's columns (see <see cref="UnionReader.ChangelogRowType"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch holds lake rows, which have no log offset.</exception>
    public RecordBatch ToChangelogBatch()
    {
        if (FromLake) throw new InvalidOperationException("Lake rows have no log offset; only log batches have a $changelog form.");
        return ChangelogBatches.Build(Batch, RowType, ChangeTypeAt, BaseOffset, CommitTimestamp);
    }
}

/// <summary>Builds batches in the shape of Fluss's <c>$changelog</c> virtual table.</summary>
internal static class ChangelogBatches
{
    public static RecordBatch Build(RecordBatch rows, RowType rowType, Func<int, ChangeType> changeTypeAt, long baseOffset, long commitTimestamp)
    {
        using var builder = new ArrowBatchBuilder(UnionReader.ChangelogRowType(rowType));
        var reader = new ArrowRowReader(rows, rowType);
        var ts = new TimestampLtz(commitTimestamp, 0);
        for (var i = 0; i < rows.Length; i++)
            builder.Append(new ChangelogRow(reader.GetRow(i), ChangelogNames.Of(changeTypeAt(i)), baseOffset + i, ts));
        return builder.Build();
    }
}

/// <summary>The <c>_change_type</c> values of Fluss's <c>$changelog</c> virtual table.</summary>
internal static class ChangelogNames
{
    public const string Insert = "insert";
    public const string UpdateBefore = "update_before";
    public const string UpdateAfter = "update_after";
    public const string Delete = "delete";

    /// <summary>Appends of log tables and inserts are both <c>insert</c>.</summary>
    public static string Of(ChangeType type) => type switch
    {
        ChangeType.AppendOnly or ChangeType.Insert => Insert,
        ChangeType.UpdateBefore => UpdateBefore,
        ChangeType.UpdateAfter => UpdateAfter,
        ChangeType.Delete => Delete,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown change type."),
    };
}

/// <summary>A <c>$changelog</c> row: three metadata fields, then the fields of a log row.</summary>
internal readonly struct ChangelogRow(ArrowRow row, string changeType, long offset, TimestampLtz timestamp) : IRow
{
    public int FieldCount => row.FieldCount + 3;
    public bool IsNullAt(int pos) => pos >= 3 && row.IsNullAt(pos - 3);
    public bool GetBoolean(int pos) => row.GetBoolean(pos - 3);
    public sbyte GetByte(int pos) => row.GetByte(pos - 3);
    public short GetShort(int pos) => row.GetShort(pos - 3);
    public int GetInt(int pos) => row.GetInt(pos - 3);
    public long GetLong(int pos) => pos == 1 ? offset : row.GetLong(pos - 3);
    public float GetFloat(int pos) => row.GetFloat(pos - 3);
    public double GetDouble(int pos) => row.GetDouble(pos - 3);
    public string GetString(int pos) => pos == 0 ? changeType : row.GetString(pos - 3);
    public byte[] GetBinary(int pos) => row.GetBinary(pos - 3);
    public FlussDecimal GetDecimal(int pos, int precision, int scale) => row.GetDecimal(pos - 3, precision, scale);
    public TimestampNtz GetTimestampNtz(int pos, int precision) => row.GetTimestampNtz(pos - 3, precision);
    public TimestampLtz GetTimestampLtz(int pos, int precision) => pos == 2 ? timestamp : row.GetTimestampLtz(pos - 3, precision);
}

/// <summary>The first <c>count</c> fields of a row.</summary>
internal readonly struct PrefixRow<TRow>(TRow row, int count) : IRow where TRow : IRow
{
    public int FieldCount => count;
    public bool IsNullAt(int pos) => row.IsNullAt(pos);
    public bool GetBoolean(int pos) => row.GetBoolean(pos);
    public sbyte GetByte(int pos) => row.GetByte(pos);
    public short GetShort(int pos) => row.GetShort(pos);
    public int GetInt(int pos) => row.GetInt(pos);
    public long GetLong(int pos) => row.GetLong(pos);
    public float GetFloat(int pos) => row.GetFloat(pos);
    public double GetDouble(int pos) => row.GetDouble(pos);
    public string GetString(int pos) => row.GetString(pos);
    public byte[] GetBinary(int pos) => row.GetBinary(pos);
    public FlussDecimal GetDecimal(int pos, int precision, int scale) => row.GetDecimal(pos, precision, scale);
    public TimestampNtz GetTimestampNtz(int pos, int precision) => row.GetTimestampNtz(pos, precision);
    public TimestampLtz GetTimestampLtz(int pos, int precision) => row.GetTimestampLtz(pos, precision);
}
