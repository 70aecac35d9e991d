using System.Globalization;
using Fluss.Errors;

namespace Fluss.Metadata;

/// <summary>
/// The name of a table: database and table. Names (and partition values) follow Fluss's rules: 1 to 200 characters of
/// ASCII letters, digits, '_' and '-', not "." or "..", and user names may not start with "__" (reserved for internal
/// objects). <see cref="ToString"/> gives <c>db.table</c>.
/// </summary>
public sealed record TablePath(string DatabaseName, string TableName)
{
    /// <summary>The database used when none is given.</summary>
    public const string DefaultDatabaseName = "fluss";

    /// <summary>Longest database, table or partition-value name (names become directory names).</summary>
    public const int MaxNameLength = 200;

    /// <summary>Prefix reserved for internal databases, tables and partitions.</summary>
    public const string InternalNamePrefix = "__";

    public static TablePath Of(string databaseName, string tableName) => new(databaseName, tableName);

    /// <summary>Parses <c>db.table</c>, or a bare <c>table</c> in <see cref="DefaultDatabaseName"/>.</summary>
    public static TablePath Parse(string qualifiedName)
    {
        ArgumentNullException.ThrowIfNull(qualifiedName);
        var dot = qualifiedName.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new TablePath(DefaultDatabaseName, qualifiedName) : new TablePath(qualifiedName[..dot], qualifiedName[(dot + 1)..]);
    }

    /// <summary>True when both names are well-formed (the internal prefix is not checked here).</summary>
    public bool IsValid => DetectInvalidName(DatabaseName) is null && DetectInvalidName(TableName) is null;

    /// <summary>Checks both names, including the reserved "__" prefix.</summary>
    /// <exception cref="FlussException">INVALID_DATABASE (16) for a bad database name.</exception>
    /// <exception cref="InvalidTableException">A bad table name.</exception>
    public void Validate()
    {
        ValidateDatabaseName(DatabaseName);
        ValidateTableName(TableName);
    }

    public static void ValidateDatabaseName(string? databaseName)
    {
        var error = DetectInvalidName(databaseName) ?? DetectReservedPrefix(databaseName);
        if (error is not null)
            throw FlussException.Create(FlussErrorCode.InvalidDatabase, $"Database name {databaseName} is invalid: {error}");
    }

    public static void ValidateTableName(string? tableName)
    {
        var error = DetectInvalidName(tableName) ?? DetectReservedPrefix(tableName);
        if (error is not null)
            throw new InvalidTableException($"Table name {tableName} is invalid: {error}");
    }

    /// <summary>Why a name starting with the reserved prefix is refused, or null.</summary>
    public static string? DetectReservedPrefix(string? name) =>
        name is not null && name.StartsWith(InternalNamePrefix, StringComparison.Ordinal)
            ? $"'{InternalNamePrefix}' is not allowed as prefix, since it is reserved for internal databases, tables and partitions"
            : null;

    /// <summary>Why a name is not well-formed, or null when it is.</summary>
    public static string? DetectInvalidName(string? name)
    {
        if (name is null)
            return "null string is not allowed";
        if (name.Length == 0)
            return "the empty string is not allowed";
        if (name == ".")
            return "'.' is not allowed";
        if (name == "..")
            return "'..' is not allowed";
        if (name.Length > MaxNameLength)
            return $"the length of '{name}' is longer than the max allowed length {MaxNameLength}";
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
                return $"'{name}' contains one or more characters other than ASCII alphanumerics, '_' and '-'";
        }

        return null;
    }

    public override string ToString() => DatabaseName + "." + TableName;
}

/// <summary>A table or one partition of it: the unit that owns buckets. <see cref="ToString"/> gives <c>db.t(p=name)</c>.</summary>
public sealed record PhysicalTablePath(TablePath TablePath, string? PartitionName = null)
{
    public static PhysicalTablePath Of(TablePath tablePath, string? partitionName = null) => new(tablePath, partitionName);

    public static PhysicalTablePath Of(string databaseName, string tableName, string? partitionName) =>
        new(new TablePath(databaseName, tableName), partitionName);

    public string DatabaseName => TablePath.DatabaseName;

    public string TableName => TablePath.TableName;

    /// <summary>True when the names and every partition value are well-formed.</summary>
    public bool IsValid =>
        TablePath.IsValid
        && (PartitionName is null || PartitionName.Split(ResolvedPartitionSpec.Separator).All(v => TablePath.DetectInvalidName(v) is null));

    public override string ToString() => PartitionName is null ? TablePath.ToString() : $"{TablePath}(p={PartitionName})";
}

/// <summary>One bucket of a table, or of one partition of a partitioned table.</summary>
public readonly record struct TableBucket(long TableId, long? PartitionId, int Bucket)
{
    public TableBucket(long tableId, int bucket) : this(tableId, null, bucket) { }

    public override string ToString() =>
        PartitionId is null
            ? string.Create(CultureInfo.InvariantCulture, $"TableBucket{{tableId={TableId}, bucket={Bucket}}}")
            : string.Create(CultureInfo.InvariantCulture, $"TableBucket{{tableId={TableId}, partitionId={PartitionId}, bucket={Bucket}}}");
}
