using System.Text;
using System.Text.Json;
using Fluss.Errors;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>
/// The columns of a table with their stable column ids, the optional primary key, the optional auto-increment
/// column, and the highest field id handed out so far (nested ROW fields get ids too). Built with
/// <see cref="NewBuilder"/>; <see cref="Builder.Build"/> validates as Fluss does and throws
/// <see cref="InvalidTableException"/> naming the offending column. Primary-key columns become NOT NULL.
/// </summary>
public sealed class Schema : IEquatable<Schema>
{
    /// <summary>Column id of columns that have none yet.</summary>
    public const int UnknownColumnId = -1;

    private readonly Dictionary<string, int> _indexByName;

    private Schema(IReadOnlyList<Column> columns, PrimaryKey? primaryKey, int highestFieldId, IReadOnlyList<string> autoIncrementColumnNames)
    {
        Columns = Normalize(columns, primaryKey, autoIncrementColumnNames, highestFieldId);
        PrimaryKey = primaryKey;
        AutoIncrementColumnNames = autoIncrementColumnNames;
        HighestFieldId = highestFieldId;
        RowType = new RowType(Columns.Select(c => new DataField(c.Name, c.DataType, c.ColumnId)).ToArray());
        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Columns.Count; i++)
            _indexByName[Columns[i].Name] = i;
    }

    /// <summary>A schema without columns.</summary>
    public static Schema Empty { get; } = NewBuilder().Build();

    public IReadOnlyList<Column> Columns { get; }

    public PrimaryKey? PrimaryKey { get; }

    public bool HasPrimaryKey => PrimaryKey is not null;

    public IReadOnlyList<string> AutoIncrementColumnNames { get; }

    /// <summary>The row type of the table: one field per column, field id = column id.</summary>
    public RowType RowType { get; }

    public int HighestFieldId { get; }

    public IReadOnlyList<string> ColumnNames => Columns.Select(c => c.Name).ToArray();

    public IReadOnlyList<int> ColumnIds => Columns.Select(c => c.ColumnId).ToArray();

    public IReadOnlyList<string> PrimaryKeyColumnNames => PrimaryKey?.ColumnNames ?? [];

    /// <summary>Indexes of the primary-key columns in key order (empty without primary key).</summary>
    public int[] PrimaryKeyIndexes => PrimaryKeyColumnNames.Select(IndexOf).ToArray();

    /// <summary>Column ids of the auto-increment columns.</summary>
    public int[] AutoIncrementColumnIds =>
        Columns.Where(c => AutoIncrementColumnNames.Contains(c.Name)).Select(c => c.ColumnId).ToArray();

    /// <summary>Index of the column with this exact name, or -1.</summary>
    public int IndexOf(string columnName) => _indexByName.TryGetValue(columnName, out var i) ? i : -1;

    /// <summary>The column with this name; throws <see cref="ArgumentException"/> naming it when absent.</summary>
    public Column GetColumn(string columnName)
    {
        var i = IndexOf(columnName);
        if (i < 0)
            throw new ArgumentException($"Column '{columnName}' does not exist in the schema; the columns are [{string.Join(", ", ColumnNames)}].", nameof(columnName));
        return Columns[i];
    }

    /// <summary>Indexes of the named columns; throws <see cref="ArgumentException"/> naming an unknown column.</summary>
    public int[] GetColumnIndexes(IReadOnlyList<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        var result = new int[columnNames.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = IndexOf(columnNames[i]);
            if (result[i] < 0)
                throw new ArgumentException($"Column '{columnNames[i]}' does not exist in the schema; the columns are [{string.Join(", ", ColumnNames)}].", nameof(columnNames));
        }

        return result;
    }

    public AggFunction? GetAggFunction(string columnName) => IndexOf(columnName) is var i and >= 0 ? Columns[i].AggFunction : null;

    /// <summary>The row type of the given columns (for example the key columns), in the given order.</summary>
    public RowType KeyRowType(IReadOnlyList<int> indexes) => RowType.Project(indexes);

    public static Builder NewBuilder() => new();

    /// <summary>
    /// A schema from a column list such as <c>id BIGINT NOT NULL, name STRING COMMENT 'user name'</c>
    /// (see <see cref="DataTypeParser.ParseColumns"/>) and an optional primary key.
    /// </summary>
    public static Schema FromColumnList(string columns, params string[] primaryKey)
    {
        var builder = NewBuilder().Columns(columns);
        if (primaryKey is { Length: > 0 })
            builder.PrimaryKey(primaryKey);
        return builder.Build();
    }

    /// <summary>Fluss's schema JSON (<c>version</c>, <c>columns</c>, <c>primary_key</c>, <c>auto_increment_column</c>, <c>highest_field_id</c>).</summary>
    public string ToJson() => JsonSupport.Write(w => MetadataJson.WriteSchema(w, this));

    public byte[] ToJsonBytes() => JsonSupport.WriteBytes(w => MetadataJson.WriteSchema(w, this));

    /// <summary>Reads Fluss's schema JSON; throws <see cref="JsonException"/> for malformed JSON and <see cref="InvalidTableException"/> for an invalid schema.</summary>
    public static Schema FromJson(string json) => JsonSupport.Read(json, "Schema", MetadataJson.ReadSchema);

    public static Schema FromJson(ReadOnlySpan<byte> utf8Json) => JsonSupport.Read(utf8Json, "Schema", MetadataJson.ReadSchema);

    public bool Equals(Schema? other) =>
        other is not null && Columns.SequenceEqual(other.Columns) && Equals(PrimaryKey, other.PrimaryKey)
        && AutoIncrementColumnNames.SequenceEqual(other.AutoIncrementColumnNames) && HighestFieldId == other.HighestFieldId;

    public override bool Equals(object? obj) => obj is Schema s && Equals(s);

    public override int GetHashCode() => HashCode.Combine(Columns.Count, HighestFieldId, PrimaryKey);

    public override string ToString()
    {
        var sb = new StringBuilder("(");
        sb.AppendJoin(", ", Columns);
        if (PrimaryKey is not null)
            sb.Append(", ").Append(PrimaryKey);
        return sb.Append(')').ToString();
    }

    private static List<Column> Normalize(IReadOnlyList<Column> columns, PrimaryKey? primaryKey, IReadOnlyList<string> autoIncrement, int highestFieldId)
    {
        CheckFieldIds(columns, highestFieldId);
        var names = columns.Select(c => c.Name).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.Add(name))
                throw new InvalidTableException($"Column '{name}' is defined more than once; column names must be unique (columns: [{string.Join(", ", names)}]).");
        }

        if (primaryKey is null)
        {
            if (autoIncrement.Count > 0)
                throw new InvalidTableException($"Auto-increment column '{autoIncrement[0]}' needs a primary-key table; define a primary key.");
            return [.. columns];
        }

        var pkSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pk in primaryKey.ColumnNames)
        {
            if (!pkSeen.Add(pk))
                throw new InvalidTableException($"Primary key column '{pk}' is listed more than once in {primaryKey}.");
            if (!seen.Contains(pk))
                throw new InvalidTableException($"Primary key column '{pk}' does not exist in the table; the columns are [{string.Join(", ", names)}].");
        }

        foreach (var ai in autoIncrement)
        {
            if (!seen.Contains(ai))
                throw new InvalidTableException($"Auto-increment column '{ai}' does not exist in the table; the columns are [{string.Join(", ", names)}].");
            if (pkSeen.Contains(ai))
                throw new InvalidTableException($"Auto-increment column '{ai}' cannot be part of the primary key.");
        }

        var result = new List<Column>(columns.Count);
        foreach (var column in columns)
        {
            if (column.AggFunction is not null && pkSeen.Contains(column.Name))
                throw new InvalidTableException(
                    $"Primary key column '{column.Name}' cannot have an aggregate function ({column.AggFunction}); primary key columns are never aggregated.");
            if (autoIncrement.Contains(column.Name) && column.DataType.Root is not (DataTypeRoot.Int or DataTypeRoot.BigInt))
                throw new InvalidTableException($"Auto-increment column '{column.Name}' must be INT or BIGINT, but is {column.DataType}.");
            result.Add(pkSeen.Contains(column.Name) && column.DataType.IsNullable
                ? column.WithDataType(column.DataType.AsNotNull())
                : column);
        }

        return result;
    }

    private static void CheckFieldIds(IReadOnlyList<Column> columns, int highestFieldId)
    {
        var ids = CollectFieldIds(columns);
        var distinct = ids.Distinct().Count();
        if (distinct != ids.Count)
        {
            var duplicate = ids.GroupBy(i => i).First(g => g.Count() > 1).Key;
            throw new InvalidTableException(
                $"All field ids (including nested fields) must be unique; found {distinct} unique ids among {ids.Count} fields (id {duplicate} repeats).");
        }

        var max = ids.Count == 0 ? -1 : ids.Max();
        if (columns.Count > 0 && highestFieldId < max)
            throw new InvalidTableException(
                $"The highest field id ({highestFieldId}) must be at least the largest field id in use ({max}), including nested fields.");
    }

    internal static List<int> CollectFieldIds(IEnumerable<Column> columns)
    {
        var ids = new List<int>();
        foreach (var c in columns)
        {
            ids.Add(c.ColumnId);
            DataTypeChecks.CollectNestedFieldIds(c.DataType, ids);
        }

        return ids;
    }

    /// <summary>Collects columns, primary key and auto-increment column; <see cref="Build"/> validates.</summary>
    public sealed class Builder
    {
        private readonly List<Column> _columns = [];
        private readonly List<string> _autoIncrement = [];
        private PrimaryKey? _primaryKey;
        private int _highestFieldId = -1;

        internal Builder() { }

        /// <summary>Adopts all columns (with their ids), the primary key, the auto-increment column and the highest field id.</summary>
        public Builder FromSchema(Schema schema)
        {
            ArgumentNullException.ThrowIfNull(schema);
            if (_columns.Count > 0 || _autoIncrement.Count > 0 || _primaryKey is not null)
                throw new InvalidOperationException("FromSchema must be the first call on a schema builder.");
            FromColumns(schema.Columns);
            _highestFieldId = schema.HighestFieldId;
            _autoIncrement.AddRange(schema.AutoIncrementColumnNames);
            _primaryKey = schema.PrimaryKey;
            return this;
        }

        /// <summary>
        /// Adds columns as they are. Either all columns carry ids (they are kept, and the highest field id becomes the
        /// largest id in use) or none does (ids are assigned in order, as for schemas written before column ids).
        /// </summary>
        public Builder FromColumns(IEnumerable<Column> columns)
        {
            ArgumentNullException.ThrowIfNull(columns);
            var input = columns.ToList();
            var allSet = input.All(c => c.ColumnId != UnknownColumnId);
            var noneSet = input.All(c => c.ColumnId == UnknownColumnId);
            if (!allSet && !noneSet)
                throw new InvalidTableException(
                    $"Either all columns have a column id or none has; columns without id: [{string.Join(", ", input.Where(c => c.ColumnId == UnknownColumnId).Select(c => c.Name))}].");
            if (allSet && input.Count > 0)
            {
                if (_columns.Count > 0)
                    throw new InvalidOperationException("Columns with ids must be adopted (FromColumns/FromSchema) before other columns are added.");
                _columns.AddRange(input);
                var ids = CollectFieldIds(input);
                _highestFieldId = ids.Count == 0 ? -1 : ids.Max();
            }
            else
            {
                foreach (var c in input)
                    _columns.Add(c.WithColumnId(++_highestFieldId));
            }

            return this;
        }

        /// <summary>Adds one column per field of the row type (new ids).</summary>
        public Builder FromRowType(RowType rowType)
        {
            ArgumentNullException.ThrowIfNull(rowType);
            foreach (var f in rowType.Fields)
                Column(f.Name, f.Type);
            return this;
        }

        /// <summary>Adds the columns of a column list such as <c>id BIGINT NOT NULL, name STRING COMMENT 'x'</c>.</summary>
        public Builder Columns(string columnList)
        {
            foreach (var f in DataTypeParser.ParseColumns(columnList))
            {
                Column(f.Name, f.Type);
                if (f.Description is not null)
                    WithComment(f.Description);
            }

            return this;
        }

        /// <summary>Adds a column with the next column id; nested ROW fields get fresh ids after it.</summary>
        public Builder Column(string name, DataType dataType) => AddColumn(name, dataType, null);

        /// <summary>Adds a column with an aggregate function (AGGREGATION merge engine).</summary>
        public Builder Column(string name, DataType dataType, AggFunction aggFunction)
        {
            ArgumentNullException.ThrowIfNull(aggFunction);
            return AddColumn(name, dataType, aggFunction);
        }

        private Builder AddColumn(string name, DataType dataType, AggFunction? aggFunction)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(dataType);
            var id = ++_highestFieldId;
            var type = DataTypeChecks.ReassignFieldIds(dataType, ref _highestFieldId);
            _columns.Add(new Column(name, type, null, id, aggFunction));
            return this;
        }

        /// <summary>Sets the comment of the column added last.</summary>
        public Builder WithComment(string? comment)
        {
            if (_columns.Count == 0)
                throw new InvalidOperationException("WithComment must follow a column definition, but no column has been added.");
            _columns[^1] = _columns[^1].WithComment(comment);
            return this;
        }

        public Builder PrimaryKey(params string[] columnNames) => PrimaryKey((IEnumerable<string>)columnNames);

        /// <summary>Sets the primary key with Fluss's generated constraint name <c>PK_col1_col2</c>.</summary>
        public Builder PrimaryKey(IEnumerable<string> columnNames)
        {
            ArgumentNullException.ThrowIfNull(columnNames);
            var list = columnNames.ToList();
            return PrimaryKeyNamed(Metadata.PrimaryKey.DefaultConstraintName(list), list);
        }

        public Builder PrimaryKeyNamed(string constraintName, IEnumerable<string> columnNames)
        {
            ArgumentNullException.ThrowIfNull(columnNames);
            if (_primaryKey is not null)
                throw new InvalidTableException($"Multiple primary keys are not supported; the schema already has {_primaryKey}.");
            var list = columnNames.ToList();
            if (list.Count == 0)
                throw new InvalidTableException("A primary key needs at least one column.");
            if (string.IsNullOrWhiteSpace(constraintName))
                throw new InvalidTableException("The primary key constraint name must not be empty.");
            _primaryKey = new PrimaryKey(constraintName, list);
            return this;
        }

        /// <summary>Makes a column auto-increment (one per table, INT or BIGINT, not in the primary key).</summary>
        public Builder EnableAutoIncrement(string columnName)
        {
            ArgumentNullException.ThrowIfNull(columnName);
            if (_autoIncrement.Count > 0)
                throw new InvalidTableException($"Only one auto-increment column is supported; '{_autoIncrement[0]}' is one already.");
            _autoIncrement.Add(columnName);
            return this;
        }

        /// <summary>Overrides the highest field id (used when reading stored schemas).</summary>
        public Builder HighestFieldId(int highestFieldId)
        {
            _highestFieldId = highestFieldId;
            return this;
        }

        public Column? GetColumn(string name) => _columns.FirstOrDefault(c => c.Name == name);

        public Schema Build() => new([.. _columns], _primaryKey, _highestFieldId, [.. _autoIncrement]);
    }
}

/// <summary>A column: name, type, optional comment, stable column id and optional aggregate function.</summary>
public sealed class Column : IEquatable<Column>
{
    public Column(string name, DataType dataType, string? comment = null, int columnId = Schema.UnknownColumnId, AggFunction? aggFunction = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(dataType);
        Name = name;
        DataType = dataType;
        Comment = comment;
        ColumnId = columnId;
        AggFunction = aggFunction;
    }

    public string Name { get; }

    public DataType DataType { get; }

    public string? Comment { get; }

    public int ColumnId { get; }

    public AggFunction? AggFunction { get; }

    public Column WithComment(string? comment) => new(Name, DataType, comment, ColumnId, AggFunction);

    public Column WithDataType(DataType dataType) => new(Name, dataType, Comment, ColumnId, AggFunction);

    public Column WithColumnId(int columnId) => new(Name, DataType, Comment, columnId, AggFunction);

    public Column WithAggFunction(AggFunction? aggFunction) => new(Name, DataType, Comment, ColumnId, aggFunction);

    public bool Equals(Column? other) =>
        other is not null && other.Name == Name && other.DataType == DataType && other.Comment == Comment
        && other.ColumnId == ColumnId && Equals(other.AggFunction, AggFunction);

    public override bool Equals(object? obj) => obj is Column c && Equals(c);

    public override int GetHashCode() => HashCode.Combine(Name, DataType, Comment, ColumnId);

    public override string ToString()
    {
        var s = new DataField(Name, DataType).ToString();
        return Comment is null ? s : s + " COMMENT '" + Comment.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}

/// <summary>The primary key constraint; equality compares the column names only.</summary>
public sealed class PrimaryKey : IEquatable<PrimaryKey>
{
    public PrimaryKey(string constraintName, IReadOnlyList<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(constraintName);
        ArgumentNullException.ThrowIfNull(columnNames);
        ConstraintName = constraintName;
        ColumnNames = [.. columnNames];
    }

    public string ConstraintName { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The constraint name Fluss generates: <c>PK_</c> followed by the column names joined with '_'.</summary>
    public static string DefaultConstraintName(IEnumerable<string> columnNames) => "PK_" + string.Join('_', columnNames);

    public bool Equals(PrimaryKey? other) => other is not null && ColumnNames.SequenceEqual(other.ColumnNames);

    public override bool Equals(object? obj) => obj is PrimaryKey p && Equals(p);

    public override int GetHashCode() => ColumnNames.Count == 0 ? 0 : HashCode.Combine(ColumnNames.Count, ColumnNames[0]);

    public override string ToString() => $"CONSTRAINT {ConstraintName} PRIMARY KEY ({string.Join(", ", ColumnNames)})";
}
