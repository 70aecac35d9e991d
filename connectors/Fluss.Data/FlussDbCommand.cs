using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using DuckDB.NET.Data;

namespace Fluss.Data;

/// <summary>
/// A SQL statement over Fluss tables (DuckDB's dialect; name tables <c>database.table</c>,
/// <c>database."table$lake"</c>, <c>database."table$changelog"</c>). Each execution plans the Fluss tables it names
/// once (one consistent cut per table) and runs in DuckDB. <see cref="DbCommand.CommandTimeout"/> (seconds, default
/// 30, 0 = none) bounds the whole execution.
/// </summary>
public sealed class FlussDbCommand : DbCommand
{
    private readonly FlussDbParameterCollection _parameters = new();
    private string _text = "";
    private DuckDBCommand? _running;

    public FlussDbCommand()
    {
    }

    public FlussDbCommand(string commandText, FlussDbConnection? connection = null)
    {
        CommandText = commandText;
        Connection = connection;
    }

    [AllowNull]
    public override string CommandText
    {
        get => _text;
        set => _text = value ?? "";
    }

    public override int CommandTimeout { get; set; } = 30;

    /// <summary>Only <see cref="CommandType.Text"/>.</summary>
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
                throw new NotSupportedException($"Fluss commands are SQL text; {value} is not supported.");
        }
    }

    public override bool DesignTimeVisible { get; set; }

    public override UpdateRowSource UpdatedRowSource { get; set; } = UpdateRowSource.None;

    public new FlussDbConnection? Connection { get; set; }

    protected override DbConnection? DbConnection
    {
        get => Connection;
        set => Connection = value switch
        {
            null => null,
            FlussDbConnection c => c,
            _ => throw new InvalidCastException($"A Fluss command needs a FlussDbConnection, not {value.GetType().Name}."),
        };
    }

    public new FlussDbParameterCollection Parameters => _parameters;

    protected override DbParameterCollection DbParameterCollection => _parameters;

    protected override DbTransaction? DbTransaction
    {
        get => null;
        set
        {
            if (value is not null) throw new NotSupportedException("Fluss SQL connections have no transactions.");
        }
    }

    public new FlussDbParameter CreateParameter() => new();

    protected override DbParameter CreateDbParameter() => CreateParameter();

    public override void Prepare()
    {
    }

    /// <summary>Interrupts the DuckDB query this command is running, if any.</summary>
    public override void Cancel() => _running?.Cancel();

    public new FlussDbDataReader ExecuteReader() => (FlussDbDataReader)ExecuteDbDataReader(CommandBehavior.Default);

    public new FlussDbDataReader ExecuteReader(CommandBehavior behavior) => (FlussDbDataReader)ExecuteDbDataReader(behavior);

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
        ExecuteDbDataReaderAsync(behavior, CancellationToken.None).GetAwaiter().GetResult();

    /// <exception cref="Fluss.DuckDB.FlussSqlException">DuckDB refused the statement (syntax, unknown table or column, types, ...).</exception>
    /// <exception cref="Fluss.Lake.LakeFileNotFoundException">A data file of a lake snapshot is missing.</exception>
    /// <exception cref="Fluss.Errors.FlussException">The cluster could not be reached within the request timeout, or refused a request.</exception>
    /// <exception cref="OperationCanceledException">The command timed out or was cancelled.</exception>
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        var connection = Connection ?? throw new InvalidOperationException("The command has no connection.");
        var session = connection.Session;
        if (string.IsNullOrWhiteSpace(_text)) throw new InvalidOperationException("The command has no text.");
        using var timeout = CommandTimeout > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(CommandTimeout)) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await session.BindAsync(_text, linked.Token).ConfigureAwait(false);
        var duck = session.CreateCommand(_text, _parameters.Items.Select(ToDuckDB).ToList());
        _running = duck;
        try
        {
            DuckDBDataReader reader;
            using (linked.Token.Register(() => duck.Cancel()))
            {
                reader = session.Execute(_text, () => duck.ExecuteReader());
            }
            linked.Token.ThrowIfCancellationRequested();
            return new FlussDbDataReader(reader, duck, behavior.HasFlag(CommandBehavior.CloseConnection) ? connection : null);
        }
        catch
        {
            duck.Dispose();
            throw;
        }
        finally
        {
            _running = null;
        }
    }

    /// <summary>Runs the statement; the rows it changed (DuckDB's own tables), or -1.</summary>
    public override int ExecuteNonQuery()
    {
        using var reader = ExecuteReader();
        while (reader.NextResult())
        {
        }
        return reader.RecordsAffected;
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        await using var reader = await ExecuteDbDataReaderAsync(CommandBehavior.Default, cancellationToken).ConfigureAwait(false);
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
        }
        return reader.RecordsAffected;
    }

    /// <summary>The first column of the first row, or null.</summary>
    public override object? ExecuteScalar()
    {
        using var reader = ExecuteReader();
        return reader.Read() ? reader.GetValue(0) : null;
    }

    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        await using var reader = await ExecuteDbDataReaderAsync(CommandBehavior.Default, cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetValue(0) : null;
    }

    private static DuckDBParameter ToDuckDB(FlussDbParameter p)
    {
        var value = p.Value switch
        {
            null or DBNull => null,
            Enum e => Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), System.Globalization.CultureInfo.InvariantCulture),
            char c => c.ToString(),
            var v => v,
        };
        return string.IsNullOrEmpty(p.ParameterName) ? new DuckDBParameter { Value = value } : new DuckDBParameter(p.ParameterName, value);
    }
}
