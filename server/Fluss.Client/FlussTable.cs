using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Client;

/// <summary>A table of the cluster: creates writers, scanners and lookupers for it.</summary>
public sealed class FlussTable
{
    private readonly ClientContext _context;
    private readonly FlussConnection _connection;

    internal FlussTable(ClientContext context, FlussConnection connection, TableInfo info)
    {
        _context = context;
        _connection = connection;
        Info = info;
    }

    public TableInfo Info { get; }

    public TablePath Path => Info.TablePath;

    /// <summary>A writer of rows to this log table.</summary>
    /// <exception cref="Errors.InvalidTableException">The table has a primary key, is partitioned, or has a log format other than ARROW.</exception>
    public AppendWriter NewAppendWriter()
    {
        _connection.ThrowIfDisposed();
        var writer = new AppendWriter(_context, Info, _connection.Forget);
        _connection.Track(writer);
        return writer;
    }

    /// <summary>A writer of upserts and deletes by primary key (a partial-update writer with target columns).</summary>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE: the table is a log table.</exception>
    /// <exception cref="Errors.InvalidTableException">The table is partitioned or has a KV format other than COMPACTED.</exception>
    /// <exception cref="ArgumentException">The target columns are invalid (unknown, repeated, without the whole primary key, or leaving out a NOT NULL column).</exception>
    public UpsertWriter NewUpsertWriter(UpsertWriteOptions? options = null)
    {
        _connection.ThrowIfDisposed();
        var writer = new UpsertWriter(_context, Info, options, _connection.Forget);
        _connection.Track(writer);
        return writer;
    }

    /// <summary>A lookuper of rows by primary key.</summary>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE: the table is a log table.</exception>
    /// <exception cref="Errors.InvalidTableException">The table is partitioned or has a KV format other than COMPACTED.</exception>
    public Lookuper NewLookuper()
    {
        _connection.ThrowIfDisposed();
        return new Lookuper(Info, _connection.Lookups);
    }

    /// <summary>A lookuper of all rows with given bucket-key values; <paramref name="lookupColumns"/> must be the bucket key, a prefix of the primary key.</summary>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE: the table is a log table.</exception>
    /// <exception cref="ArgumentException">The lookup columns are not the bucket key, or the bucket key is not a proper prefix of the primary key.</exception>
    public PrefixLookuper NewPrefixLookuper(IReadOnlyList<string> lookupColumns)
    {
        _connection.ThrowIfDisposed();
        return new PrefixLookuper(Info, _connection.Lookups, lookupColumns);
    }

    /// <summary>A scanner of this table's log.</summary>
    /// <exception cref="ArgumentException">The options name an unknown column or bucket.</exception>
    /// <exception cref="Errors.InvalidTableException">The table is partitioned or has a log format other than ARROW.</exception>
    public LogScanner NewLogScanner(LogScanOptions? options = null)
    {
        _connection.ThrowIfDisposed();
        var scanner = new LogScanner(_context, Info, options, _connection.Forget);
        _connection.Track(scanner);
        return scanner;
    }
}
