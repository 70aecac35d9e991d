using System.Data;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Fluss.Client;
using Fluss.DuckDB.Sql;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.UnionRead;
using static Fluss.DuckDB.Sql.SqlText;

namespace Fluss.DuckDB;

/// <summary>
/// A DuckDB database (in memory, private to this object) in which Fluss tables can be queried with SQL:
/// <c>db.table</c> is the union read of the table's lake snapshot and its live log tail, <c>db."table$lake"</c> only
/// the lake snapshot, and <c>db."table$changelog"</c> every change in the Fluss log with <c>_change_type</c>,
/// <c>_log_offset</c> and <c>_commit_timestamp</c>. Before a statement runs, the Fluss tables it names are planned
/// once each (one consistent cut per table) and appear as views in a DuckDB schema named after the Fluss database:
/// lake Parquet files are scanned by DuckDB itself (<c>read_parquet</c>), primary-key rows are deduplicated in SQL,
/// and the tail (kept between statements, fetched incrementally) is a DuckDB table filled through the Appender.
/// Other names are DuckDB's own, so Fluss tables can be joined with anything DuckDB reads. One statement at a time.
/// </summary>
public sealed class FlussDuckDBConnection : IAsyncDisposable, IDisposable
{
    /// <summary>The table property that names a lake table's Paimon warehouse.</summary>
    public const string PaimonWarehouseProperty = "table.datalake.paimon.warehouse";

    private readonly bool _ownsFluss;
    private readonly FlussDuckDBOptions _options;
    private readonly Dictionary<TablePath, TailCache> _tails = [];
    private readonly Dictionary<string, UnionReader> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<TablePath, string> _warehouses = [];
    private readonly string _tailDirectory = Path.Combine(Path.GetTempPath(), "fluss-sql-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<(string Schema, string View), string> _viewBodies = [];
    private HashSet<(string Schema, string View)> _views = [];
    private readonly HashSet<string> _schemas = new(StringComparer.OrdinalIgnoreCase);
    private BindContext _lastBind = BindContext.Empty;
    private int _disposed;

    private FlussDuckDBConnection(FlussConnection fluss, bool ownsFluss, DuckDBConnection duck, FlussDuckDBOptions options)
    {
        Fluss = fluss;
        _ownsFluss = ownsFluss;
        DuckDB = duck;
        _options = options;
    }

    /// <summary>The Fluss connection tables are read with.</summary>
    public FlussConnection Fluss { get; }

    /// <summary>
    /// The DuckDB connection. Commands created on it see the views of the Fluss tables bound by the last
    /// <see cref="BindAsync"/>.
    /// </summary>
    public DuckDBConnection DuckDB { get; }

    /// <summary>The Fluss tables the last statement read, as they were bound.</summary>
    public IReadOnlyList<FlussBoundTable> LastBinding => _lastBind.Tables;

    /// <summary>Opens a DuckDB database over the cluster of <paramref name="connection"/> (which stays the caller's).</summary>
    public static Task<FlussDuckDBConnection> OpenAsync(FlussConnection connection, FlussDuckDBOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open(connection, ownsFluss: false, options ?? new FlussDuckDBOptions()));
    }

    /// <summary>Connects to the cluster and opens a DuckDB database over it; disposing closes both.</summary>
    /// <exception cref="FlussException">NETWORK when no bootstrap server answers within the request timeout.</exception>
    public static async Task<FlussDuckDBConnection> OpenAsync(FlussClientOptions clientOptions, FlussDuckDBOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fluss = await FlussConnection.ConnectAsync(clientOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            return Open(fluss, ownsFluss: true, options ?? new FlussDuckDBOptions());
        }
        catch
        {
            await fluss.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static FlussDuckDBConnection Open(FlussConnection fluss, bool ownsFluss, FlussDuckDBOptions options)
    {
        var builder = new DuckDBConnectionStringBuilder { DataSource = DuckDBConnectionStringBuilder.InMemoryDataSource, ErrorsAsJson = true };
        if (options.Threads is { } threads) builder.Threads = threads;
        if (options.MemoryLimit is { } limit) builder.MemoryLimit = limit;
        var duck = new DuckDBConnection(builder.ConnectionString);
        try
        {
            duck.Open();
            // Offline and deterministic: no extension downloads, TIMESTAMP_LTZ shown in UTC.
            TailCache.Execute(duck, "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; SET TimeZone = 'UTC';");
        }
        catch
        {
            duck.Dispose();
            throw;
        }
        return new FlussDuckDBConnection(fluss, ownsFluss, duck, options);
    }

    /// <summary>
    /// Finds the Fluss tables <paramref name="sql"/> names (<c>db.table</c>, <c>db."table$lake"</c>,
    /// <c>db."table$changelog"</c>; identifiers quoted or not, matched case-insensitively when unambiguous), plans each
    /// once and makes its views current. Names that are not Fluss tables are left to DuckDB.
    /// </summary>
    /// <returns>The Fluss tables bound, with what each read.</returns>
    /// <exception cref="FlussSqlException">A <c>$lake</c> view of a table without a lake, or an ambiguous name.</exception>
    /// <exception cref="LakeFileNotFoundException">A data file of a lake snapshot does not exist.</exception>
    /// <exception cref="FlussException">The cluster could not be reached or refused a request.</exception>
    public async Task<IReadOnlyList<FlussBoundTable>> BindAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var names = SqlText.FindQualifiedNames(sql);
        var context = new BindContext();
        var views = new HashSet<(string, string)>();
        if (names.Count > 0)
        {
            var references = await ResolveAsync(sql, names, context, cancellationToken).ConfigureAwait(false);
            foreach (var group in references.GroupBy(r => r.Path))
                await BindTableAsync(sql, group.Key, group.ToList(), context, views, cancellationToken).ConfigureAwait(false);
        }
        foreach (var (schema, view) in _views.Where(v => !views.Contains(v)))
        {
            _viewBodies.Remove((schema, view));
            TailCache.Execute(DuckDB, $"DROP VIEW IF EXISTS {Quote(schema)}.{Quote(view)}");
        }
        _views = views;
        _lastBind = context;
        return context.Tables;
    }

    /// <summary>
    /// Binds the Fluss tables of <paramref name="sql"/> and runs it. Parameters are DuckDB's (<c>$name</c>,
    /// <c>$1</c>, <c>?</c>); <c>@name</c> works too for the names given.
    /// </summary>
    /// <exception cref="FlussSqlException">DuckDB refused the statement (syntax, unknown table or column, types, ...).</exception>
    public async Task<DuckDBDataReader> ExecuteReaderAsync(string sql, IEnumerable<DuckDBParameter>? parameters = null, CancellationToken cancellationToken = default)
    {
        var list = parameters?.ToList() ?? [];
        await BindAsync(sql, cancellationToken).ConfigureAwait(false);
        var command = CreateCommand(sql, list);
        return Execute(sql, () => command.ExecuteReader());
    }

    /// <summary>Binds and runs a statement that returns one value (the first column of the first row), or null.</summary>
    public async Task<object?> ExecuteScalarAsync(string sql, IEnumerable<DuckDBParameter>? parameters = null, CancellationToken cancellationToken = default)
    {
        await using var reader = await ExecuteReaderAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
    }

    /// <summary>
    /// A DuckDB command for an already bound statement: <c>@name</c> parameters rewritten to DuckDB's <c>$name</c>
    /// and parameter names without their prefix.
    /// </summary>
    internal DuckDBCommand CreateCommand(string sql, IReadOnlyList<DuckDBParameter> parameters)
    {
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parameters)
        {
            if (string.IsNullOrEmpty(p.ParameterName)) continue;
            p.ParameterName = p.ParameterName.TrimStart('@', '$', ':');
            named.Add(p.ParameterName);
        }
        var command = DuckDB.CreateCommand();
        command.CommandText = SqlText.RewriteAtParameters(sql, named);
        foreach (var p in parameters) command.Parameters.Add(p);
        return command;
    }

    /// <summary>Runs a DuckDB call, turning its errors into <see cref="FlussSqlException"/> (or a lost lake file).</summary>
    internal T Execute<T>(string sql, Func<T> run)
    {
        try
        {
            return run();
        }
        catch (DuckDBException e)
        {
            throw Translate(e, sql);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("number of parameters", StringComparison.OrdinalIgnoreCase))
        {
            throw new FlussSqlException("Parameter", $"{e.Message}: give a value for every parameter ($name, $1 or ?) of the statement.", null, sql, e);
        }
    }

    // ------------------------------------------------------------------------------------------------ resolution

    private sealed record Reference(TablePath Path, FlussTableView View, QualifiedName Name);

    /// <summary>What a statement was bound against, for its results and its error messages.</summary>
    private sealed class BindContext
    {
        public static readonly BindContext Empty = new();

        public IReadOnlyList<string>? Databases { get; set; }
        public Dictionary<string, IReadOnlyList<string>> TablesByDatabase { get; } = new(StringComparer.Ordinal);
        public List<FlussBoundTable> Tables { get; } = [];
        public List<(string Database, string Name, int Position)> Unresolved { get; } = [];
        public HashSet<string> LakeFiles { get; } = new(StringComparer.Ordinal);
    }

    private async Task<List<Reference>> ResolveAsync(string sql, IReadOnlyList<QualifiedName> names, BindContext context, CancellationToken ct)
    {
        var references = new List<Reference>();
        context.Databases = await Fluss.Admin.ListDatabasesAsync(ct).ConfigureAwait(false);
        foreach (var name in names)
        {
            var database = Match(context.Databases, name.Schema, "database", sql, name.Position);
            if (database is null) continue;
            if (!context.TablesByDatabase.TryGetValue(database, out var tables))
            {
                try
                {
                    tables = await Fluss.Admin.ListTablesAsync(database, ct).ConfigureAwait(false);
                }
                catch (DatabaseNotExistException)
                {
                    tables = [];
                }
                context.TablesByDatabase[database] = tables;
            }
            var (tableName, view) = SplitView(name.Name);
            var table = Match(tables, tableName, "table", sql, name.Position);
            if (table is null)
            {
                // Perhaps alias.column; if DuckDB finds no such table either, the error names the Fluss tables.
                context.Unresolved.Add((database, name.Name, name.Position));
                EnsureSchema(database);
                continue;
            }
            references.Add(new Reference(new TablePath(database, table), view, name));
        }
        return references;
    }

    private static (string Table, FlussTableView View) SplitView(string name)
    {
        if (name.EndsWith("$lake", StringComparison.OrdinalIgnoreCase)) return (name[..^"$lake".Length], FlussTableView.Lake);
        if (name.EndsWith("$changelog", StringComparison.OrdinalIgnoreCase)) return (name[..^"$changelog".Length], FlussTableView.Changelog);
        return (name, FlussTableView.Union);
    }

    /// <summary>The exact name, else the only one equal ignoring case (SQL identifiers are case-insensitive in DuckDB).</summary>
    private static string? Match(IReadOnlyList<string> candidates, string name, string what, string sql, int position)
    {
        if (candidates.Contains(name, StringComparer.Ordinal)) return name;
        var matches = candidates.Where(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count > 1)
            throw new FlussSqlException("Catalog", $"The {what} name {name} is ambiguous: it matches {string.Join(" and ", matches)}, which differ only in case.", position, sql);
        return matches.Count == 1 ? matches[0] : null;
    }

    // ------------------------------------------------------------------------------------------------ binding

    private async Task BindTableAsync(string sql, TablePath path, List<Reference> references, BindContext context, HashSet<(string, string)> views, CancellationToken ct)
    {
        var kinds = references.Select(r => r.View).ToHashSet();
        var reader = await ReaderForAsync(path, ct).ConfigureAwait(false);
        UnionReadPlan plan;
        try
        {
            plan = await reader.PlanAsync(path, null, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("lake storage", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Table {path} has data in the lake, but the lake's location is unknown: give the lake storage or the Paimon warehouse directory "
                + "(FlussDuckDBOptions.LakeWarehouse, or 'Lake Warehouse=DIR' in an ADO.NET connection string).", e);
        }
        var table = plan.Table;
        if (kinds.Contains(FlussTableView.Lake) && !table.TableConfig.IsDataLakeEnabled)
        {
            var where = references.First(r => r.View == FlussTableView.Lake).Name;
            throw new FlussSqlException("Catalog",
                $"Table {path} is not a lake table (table.datalake.enabled is false), so it has no $lake view; query {path} instead, or enable the datalake "
                + $"with: fluss table alter {path} --property table.datalake.enabled=true",
                where.Position, sql);
        }
        if (kinds.Contains(FlussTableView.Union) || kinds.Contains(FlussTableView.Lake)) CheckLakeFiles(plan, context);

        IReadOnlyDictionary<int, (long Start, long End)> unionRanges = plan.Tail.ToDictionary(r => r.Bucket, r => (r.StartOffset, r.EndOffset));
        Dictionary<int, (long Start, long End)>? changelogRanges = null;
        if (kinds.Contains(FlussTableView.Changelog))
        {
            var earliest = await Fluss.Admin.ListOffsetsAsync(path, plan.Buckets.ToArray(), OffsetSpec.Earliest, ct).ConfigureAwait(false);
            changelogRanges = plan.Tail.ToDictionary(r => r.Bucket, r => (Math.Min(earliest[r.Bucket], r.EndOffset), r.EndOffset));
        }

        TailCache? tail = null;
        if (kinds.Contains(FlussTableView.Union) || changelogRanges is not null)
        {
            var needed = new Dictionary<int, (long Start, long End)>();
            foreach (var (bucket, range) in unionRanges)
            {
                var start = kinds.Contains(FlussTableView.Union) ? range.Start : long.MaxValue;
                if (changelogRanges is not null) start = Math.Min(start, changelogRanges[bucket].Start);
                needed[bucket] = (start, range.End);
            }
            tail = CacheFor(table);
            await tail.SyncAsync(c => Fluss.GetTableAsync(path, c), DuckDB, needed, ct).ConfigureAwait(false);
        }

        EnsureSchema(path.DatabaseName);
        foreach (var view in kinds)
        {
            var viewName = view switch
            {
                FlussTableView.Lake => path.TableName + "$lake",
                FlussTableView.Changelog => path.TableName + "$changelog",
                _ => path.TableName,
            };
            long tailRows = 0;
            string body;
            switch (view)
            {
                case FlussTableView.Union:
                    tailRows = tail!.RowsWithin(unionRanges, DuckDB);
                    body = ViewSql.Union(plan, tail, unionRanges, tail.HasRows && tailRows > 0);
                    break;
                case FlussTableView.Changelog:
                    tailRows = tail!.RowsWithin(changelogRanges!, DuckDB);
                    body = ViewSql.Changelog(table.RowType, tail, changelogRanges!);
                    break;
                default:
                    body = ViewSql.Lake(plan);
                    break;
            }
            var qualified = $"{Quote(path.DatabaseName)}.{Quote(viewName)}";
            var key = (path.DatabaseName, viewName);
            if (!_viewBodies.TryGetValue(key, out var current) || current != body)
            {
                _viewBodies.Remove(key);
                TailCache.Execute(DuckDB, $"CREATE OR REPLACE VIEW {qualified} AS\n{body}");
                _viewBodies[key] = body;
            }
            views.Add(key);
            var files = view == FlussTableView.Changelog ? [] : plan.LakeFiles?.Files ?? [];
            context.Tables.Add(new FlussBoundTable(path, view, qualified, plan.LakeSnapshotId, files.Count, files.Sum(f => f.RowCount), tailRows));
        }
    }

    private void CheckLakeFiles(UnionReadPlan plan, BindContext context)
    {
        if (plan.LakeFiles is not { } files) return;
        foreach (var file in files.Files)
        {
            var local = LocalPath(file.Path, plan);
            if (!File.Exists(local))
                throw new LakeFileNotFoundException(file.Path,
                    $"Lake snapshot {files.SnapshotId} of table {plan.TablePath} lists the data file {file.Path}, which does not exist: the lake table has lost data, "
                    + "so the table cannot be read completely. Restore the file, or let the tiering service write a new snapshot after repairing the lake.");
            context.LakeFiles.Add(file.Path);
        }
    }

    private static string LocalPath(string path, UnionReadPlan plan)
    {
        if (!path.Contains("://", StringComparison.Ordinal)) return path;
        if (path.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return new Uri(path).LocalPath;
        throw new NotSupportedException($"The lake files of {plan.TablePath} are at {path}; SQL reads lake files on the local file system only.");
    }

    private TailCache CacheFor(TableInfo table)
    {
        if (_tails.TryGetValue(table.TablePath, out var cache) && cache.Table.TableId == table.TableId && cache.Table.SchemaId == table.SchemaId)
            return cache;
        cache?.Drop();
        cache = new TailCache(table, _tailDirectory);
        _tails[table.TablePath] = cache;
        return cache;
    }

    private void EnsureSchema(string database)
    {
        if (_schemas.Contains(database)) return;
        TailCache.Execute(DuckDB, $"CREATE SCHEMA IF NOT EXISTS {Quote(database)}");
        _schemas.Add(database);
    }

    private async Task<UnionReader> ReaderForAsync(TablePath path, CancellationToken ct)
    {
        if (_options.LakeStorage is { } lake) return Reader(lake.Warehouse, () => lake);
        if (_options.LakeWarehouse is { } warehouse) return Reader(warehouse, () => new PaimonLakeStorage(warehouse));
        if (!_warehouses.TryGetValue(path, out var fromTable))
        {
            var info = await Fluss.Admin.GetTableInfoAsync(path, ct).ConfigureAwait(false);
            fromTable = info.Properties.TryGetValue(PaimonWarehouseProperty, out var w) && !string.IsNullOrWhiteSpace(w) ? w : "";
            // Remembered only once known: a table may name its lake when the datalake is enabled later.
            if (fromTable.Length > 0) _warehouses[path] = fromTable;
        }
        return fromTable.Length > 0 ? Reader(fromTable, () => new PaimonLakeStorage(fromTable)) : Reader("", () => null);
    }

    private UnionReader Reader(string key, Func<ILakeStorage?> lake)
    {
        if (!_readers.TryGetValue(key, out var reader))
        {
            reader = new UnionReader(Fluss, lake() is { } storage ? new CachingLakeStorage(storage) : null);
            _readers[key] = reader;
        }
        return reader;
    }

    // ------------------------------------------------------------------------------------------------ errors

    private Exception Translate(DuckDBException e, string sql)
    {
        var (type, message, position, fields) = ParseError(e.Message);
        if (type == "IO")
        {
            var lost = _lastBind.LakeFiles.FirstOrDefault(f => message.Contains(f, StringComparison.Ordinal));
            if (lost is not null)
                return new LakeFileNotFoundException(lost, $"The lake data file {lost} could not be read: {message}. The lake table has lost data, so the table cannot be read completely.", e);
        }
        if (type == "Catalog" && fields.TryGetValue("type", out var kind) && kind == "Table" && fields.TryGetValue("name", out var missing))
            message = MissingTable(missing, position) ?? message;
        else if (type == "Catalog" && message.Contains("does not exist because schema", StringComparison.Ordinal))
            message += DatabaseHint();
        return new FlussSqlException(type, $"{type} Error: {message}", position, sql, e);
    }

    /// <summary>A message for a table DuckDB did not find that the statement named in a Fluss database.</summary>
    private string? MissingTable(string name, int? position)
    {
        var unresolved = _lastBind.Unresolved;
        var match = unresolved.FirstOrDefault(u => u.Position == position);
        if (match.Database is null) match = unresolved.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));
        if (match.Database is null) return null;
        var tables = _lastBind.TablesByDatabase.GetValueOrDefault(match.Database) ?? [];
        return $"Table {match.Database}.{match.Name} does not exist; the tables of Fluss database {match.Database} are: "
            + (tables.Count == 0 ? "(none)" : string.Join(", ", tables.Order(StringComparer.Ordinal))) + ".";
    }

    private string DatabaseHint() =>
        _lastBind.Databases is { } dbs ? $" The Fluss databases are: {(dbs.Count == 0 ? "(none)" : string.Join(", ", dbs))}." : "";

    /// <summary>DuckDB's JSON error (<c>errors_as_json</c>): type, message, position and the other fields.</summary>
    internal static (string Type, string Message, int? Position, Dictionary<string, string> Fields) ParseError(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = text.IndexOf('{', StringComparison.Ordinal);
        if (start >= 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(text[start..]);
                foreach (var p in doc.RootElement.EnumerateObject())
                    fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            catch (JsonException)
            {
                fields.Clear();
            }
        }
        if (!fields.TryGetValue("exception_message", out var message))
        {
            var colon = text.IndexOf(" Error: ", StringComparison.Ordinal);
            return colon > 0 ? (text[..colon], text[(colon + " Error: ".Length)..], null, fields) : ("Unknown", text, null, fields);
        }
        var type = fields.GetValueOrDefault("exception_type", "Unknown");
        int? position = fields.TryGetValue("position", out var p2) && int.TryParse(p2, NumberStyles.None, CultureInfo.InvariantCulture, out var pos) ? pos : null;
        return (type, message.Replace('\n', ' '), position, fields);
    }

    // ------------------------------------------------------------------------------------------------ lifetime

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        DuckDB.Dispose();
        foreach (var tail in _tails.Values) tail.Drop();
        try
        {
            if (Directory.Exists(_tailDirectory)) Directory.Delete(_tailDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        if (_ownsFluss) await Fluss.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
