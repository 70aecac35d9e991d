using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Fluss.Client;
using Fluss.DuckDB;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Data;

/// <summary>
/// An ADO.NET connection to a Fluss cluster (<c>Bootstrap Servers=HOST:PORT</c>): commands run SQL over the
/// cluster's tables with DuckDB, where <c>db.table</c> is the union of the lake snapshot and the live log tail,
/// <c>db."table$lake"</c> the lake only and <c>db."table$changelog"</c> the change log (see
/// <see cref="FlussDuckDBConnection"/>). Reads only: there are no transactions. Like every ADO.NET connection, use it
/// from one thread at a time.
/// </summary>
public sealed class FlussDbConnection : DbConnection
{
    private string _connectionString = "";
    private FlussDuckDBConnection? _session;
    private ConnectionState _state = ConnectionState.Closed;

    public FlussDbConnection()
    {
    }

    public FlussDbConnection(string connectionString) => ConnectionString = connectionString;

    /// <exception cref="ArgumentException">The string has an unknown key or an invalid value.</exception>
    [AllowNull]
    public override string ConnectionString
    {
        get => _connectionString;
        set
        {
            if (_state != ConnectionState.Closed) throw new InvalidOperationException("The connection string cannot change while the connection is open.");
            _ = new FlussConnectionStringBuilder(value ?? "");
            _connectionString = value ?? "";
        }
    }

    /// <summary>Fluss has databases but no current one: name tables as <c>database.table</c>.</summary>
    public override string Database => "";

    /// <summary>The bootstrap servers.</summary>
    public override string DataSource => new FlussConnectionStringBuilder(_connectionString).BootstrapServers;

    public override string ServerVersion => "Fluss.Lake";

    public override ConnectionState State => _state;

    /// <summary>
    /// The Fluss tables the last command read and what each contributed (lake snapshot, lake files and rows, log tail
    /// records); empty before the first command.
    /// </summary>
    public IReadOnlyList<FlussBoundTable> LastBinding => _session?.LastBinding ?? [];

    /// <summary>The SQL session of an open connection.</summary>
    internal FlussDuckDBConnection Session => _session ?? throw new InvalidOperationException("The connection is not open; call Open or OpenAsync first.");

    public override void Open() => OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <exception cref="ArgumentException">The connection string has no bootstrap servers.</exception>
    /// <exception cref="FlussException">NETWORK when no bootstrap server answers within the request timeout.</exception>
    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_state == ConnectionState.Open) throw new InvalidOperationException("The connection is already open.");
        var builder = new FlussConnectionStringBuilder(_connectionString);
        builder.Validate();
        _state = ConnectionState.Connecting;
        try
        {
            _session = await FlussDuckDBConnection.OpenAsync(
                new FlussClientOptions { BootstrapServers = builder.BootstrapServers, RequestTimeout = builder.RequestTimeout },
                new FlussDuckDBOptions { LakeWarehouse = builder.LakeWarehouse, Threads = builder.Threads },
                cancellationToken).ConfigureAwait(false);
            _state = ConnectionState.Open;
        }
        catch
        {
            _state = ConnectionState.Closed;
            throw;
        }
        OnStateChange(new StateChangeEventArgs(ConnectionState.Closed, ConnectionState.Open));
    }

    public override void Close()
    {
        if (_session is null) return;
        _session.Dispose();
        _session = null;
        _state = ConnectionState.Closed;
        OnStateChange(new StateChangeEventArgs(ConnectionState.Open, ConnectionState.Closed));
    }

    public override async Task CloseAsync()
    {
        if (_session is null) return;
        await _session.DisposeAsync().ConfigureAwait(false);
        _session = null;
        _state = ConnectionState.Closed;
        OnStateChange(new StateChangeEventArgs(ConnectionState.Open, ConnectionState.Closed));
    }

    public override void ChangeDatabase(string databaseName) =>
        throw new NotSupportedException("A Fluss connection has no current database; name tables as database.table.");

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        throw new NotSupportedException("Fluss SQL connections read tables; they have no transactions.");

    public new FlussDbCommand CreateCommand() => new() { Connection = this };

    protected override DbCommand CreateDbCommand() => CreateCommand();

    protected override DbProviderFactory DbProviderFactory => FlussClientFactory.Instance;

    // ------------------------------------------------------------------------------------------------ schema

    /// <summary>The collections <see cref="GetSchema(string, string?[])"/> answers.</summary>
    public override DataTable GetSchema() => GetSchema(DbMetaDataCollectionNames.MetaDataCollections);

    public override DataTable GetSchema(string collectionName) => GetSchema(collectionName, []);

    /// <summary>
    /// <c>MetaDataCollections</c>; <c>Tables</c> (TABLE_CATALOG = <c>fluss</c>, TABLE_SCHEMA = the database,
    /// TABLE_NAME, TABLE_TYPE = <c>BASE TABLE</c>, plus TABLE_KIND <c>LOG</c> or <c>PRIMARY KEY</c>, DATALAKE_ENABLED
    /// and BUCKETS; restrictions catalog, schema, table, type); <c>Columns</c> (TABLE_CATALOG, TABLE_SCHEMA,
    /// TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE as Fluss writes it, IS_NULLABLE, IS_PRIMARY_KEY;
    /// restrictions catalog, schema, table, column).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown collection.</exception>
    public override DataTable GetSchema(string collectionName, string?[] restrictionValues) =>
        GetSchemaAsync(collectionName, restrictionValues, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<DataTable> GetSchemaAsync(string collectionName, string?[] restrictionValues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collectionName);
        restrictionValues ??= [];
        if (collectionName.Equals(DbMetaDataCollectionNames.MetaDataCollections, StringComparison.OrdinalIgnoreCase))
        {
            var table = new DataTable(DbMetaDataCollectionNames.MetaDataCollections);
            table.Columns.Add(DbMetaDataColumnNames.CollectionName, typeof(string));
            table.Columns.Add(DbMetaDataColumnNames.NumberOfRestrictions, typeof(int));
            table.Columns.Add(DbMetaDataColumnNames.NumberOfIdentifierParts, typeof(int));
            table.Rows.Add(DbMetaDataCollectionNames.MetaDataCollections, 0, 0);
            table.Rows.Add("Tables", 4, 3);
            table.Rows.Add("Columns", 4, 4);
            return table;
        }
        if (collectionName.Equals("Tables", StringComparison.OrdinalIgnoreCase))
            return await TablesAsync(restrictionValues, cancellationToken).ConfigureAwait(false);
        if (collectionName.Equals("Columns", StringComparison.OrdinalIgnoreCase))
            return await ColumnsAsync(restrictionValues, cancellationToken).ConfigureAwait(false);
        throw new ArgumentException($"Unknown schema collection '{collectionName}'; the collections are MetaDataCollections, Tables and Columns.", nameof(collectionName));
    }

    private const string Catalog = "fluss";

    private async Task<DataTable> TablesAsync(string?[] restrictions, CancellationToken ct)
    {
        var result = new DataTable("Tables");
        foreach (var c in new[] { "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "TABLE_KIND" }) result.Columns.Add(c, typeof(string));
        result.Columns.Add("DATALAKE_ENABLED", typeof(bool));
        result.Columns.Add("BUCKETS", typeof(int));
        var type = Restriction(restrictions, 3);
        if (type is not null && !type.Equals("BASE TABLE", StringComparison.OrdinalIgnoreCase)) return result;
        await foreach (var info in TableInfosAsync(restrictions, ct).ConfigureAwait(false))
        {
            result.Rows.Add(Catalog, info.TablePath.DatabaseName, info.TablePath.TableName, "BASE TABLE", info.HasPrimaryKey ? "PRIMARY KEY" : "LOG",
                info.TableConfig.IsDataLakeEnabled, info.NumBuckets);
        }
        return result;
    }

    private async Task<DataTable> ColumnsAsync(string?[] restrictions, CancellationToken ct)
    {
        var result = new DataTable("Columns");
        foreach (var c in new[] { "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME" }) result.Columns.Add(c, typeof(string));
        result.Columns.Add("ORDINAL_POSITION", typeof(int));
        result.Columns.Add("DATA_TYPE", typeof(string));
        result.Columns.Add("IS_NULLABLE", typeof(string));
        result.Columns.Add("IS_PRIMARY_KEY", typeof(bool));
        var column = Restriction(restrictions, 3);
        await foreach (var info in TableInfosAsync(restrictions, ct).ConfigureAwait(false))
        {
            for (var i = 0; i < info.RowType.FieldCount; i++)
            {
                var field = info.RowType.Fields[i];
                if (column is not null && !column.Equals(field.Name, StringComparison.OrdinalIgnoreCase)) continue;
                result.Rows.Add(Catalog, info.TablePath.DatabaseName, info.TablePath.TableName, field.Name, i + 1, field.Type.AsNullable().ToString(),
                    field.Type.IsNullable ? "YES" : "NO", info.PrimaryKeys.Contains(field.Name));
            }
        }
        return result;
    }

    /// <summary>The tables matching the catalog, schema (database) and table restrictions, by database then name.</summary>
    private async IAsyncEnumerable<TableInfo> TableInfosAsync(string?[] restrictions, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var catalog = Restriction(restrictions, 0);
        if (catalog is not null && !catalog.Equals(Catalog, StringComparison.OrdinalIgnoreCase)) yield break;
        var schema = Restriction(restrictions, 1);
        var name = Restriction(restrictions, 2);
        var admin = Session.Fluss.Admin;
        foreach (var database in (await admin.ListDatabasesAsync(ct).ConfigureAwait(false)).Order(StringComparer.Ordinal))
        {
            if (schema is not null && !schema.Equals(database, StringComparison.OrdinalIgnoreCase)) continue;
            IReadOnlyList<string> tables;
            try
            {
                tables = await admin.ListTablesAsync(database, ct).ConfigureAwait(false);
            }
            catch (DatabaseNotExistException)
            {
                continue;
            }
            foreach (var table in tables.Order(StringComparer.Ordinal))
            {
                if (name is not null && !name.Equals(table, StringComparison.OrdinalIgnoreCase)) continue;
                TableInfo info;
                try
                {
                    info = await admin.GetTableInfoAsync(new TablePath(database, table), ct).ConfigureAwait(false);
                }
                catch (TableNotExistException)
                {
                    continue;
                }
                yield return info;
            }
        }
    }

    private static string? Restriction(string?[] restrictions, int index) =>
        index < restrictions.Length && !string.IsNullOrEmpty(restrictions[index]) ? restrictions[index] : null;

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
