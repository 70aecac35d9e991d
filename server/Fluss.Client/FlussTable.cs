using Fluss.Client.Internal;
using Fluss.Metadata;

namespace Fluss.Client;

/// <summary>A table of the cluster: creates writers and scanners for it.</summary>
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
