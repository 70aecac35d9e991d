using System.Text.Json;
using Fluss.Client;
using Fluss.Types;

namespace Fluss.Cli;

/// <summary>Where <c>fluss write</c> sends the rows of its JSON lines.</summary>
internal interface IRowSink : IAsyncDisposable
{
    /// <summary>Parses one JSON object and buffers its write; the task completes when the write is acknowledged.</summary>
    /// <exception cref="FormatException">The line is not a valid row for the table; the message says why.</exception>
    Task Write(JsonElement line, CancellationToken cancellationToken);

    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>Log tables: every line is appended.</summary>
internal sealed class AppendSink(FlussTable table) : IRowSink
{
    private readonly AppendWriter _writer = table.NewAppendWriter();

    public Task Write(JsonElement line, CancellationToken cancellationToken)
    {
        if (line.ValueKind == JsonValueKind.Object && line.TryGetProperty(UpsertSink.OpKey, out _))
            throw new FormatException($"\"{UpsertSink.OpKey}\" is for primary-key tables; {table.Path} is a log table, whose rows are only appended");
        return _writer.AppendAsync(JsonRows.Parse(line, table.Info.RowType), cancellationToken);
    }

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}

/// <summary>
/// Primary-key tables: a line is an upsert, or with <c>"_op": "delete"</c> a delete by its key columns; with target
/// columns every write is a partial update of those columns.
/// </summary>
internal sealed class UpsertSink : IRowSink
{
    public const string OpKey = "_op";

    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { OpKey };

    private readonly RowType _rowType;
    private readonly IReadOnlyList<string> _primaryKey;
    private readonly HashSet<string>? _targets;
    private readonly UpsertWriter _writer;

    public UpsertSink(FlussTable table, IReadOnlyList<string> targetColumns)
    {
        _rowType = table.Info.RowType;
        _primaryKey = table.Info.PrimaryKeys;
        try
        {
            _writer = table.NewUpsertWriter(new UpsertWriteOptions { TargetColumns = targetColumns.Count > 0 ? targetColumns : null });
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"--columns: {e.Message}", e);
        }
        _targets = targetColumns.Count > 0 ? new HashSet<string>(targetColumns, StringComparer.Ordinal) : null;
    }

    public Task Write(JsonElement line, CancellationToken cancellationToken)
    {
        if (line.ValueKind != JsonValueKind.Object)
            throw new FormatException($"expected a JSON object with the columns {string.Join(", ", _rowType.FieldNames)}, got {line.ValueKind.ToString().ToLowerInvariant()}");
        var delete = IsDelete(line);
        if (_targets is not null)
        {
            foreach (var property in line.EnumerateObject())
            {
                if (property.Name != OpKey && _rowType.IndexOf(property.Name) >= 0 && !_targets.Contains(property.Name))
                    throw new FormatException($"column '{property.Name}' is not among --columns ({string.Join(", ", _targets)})");
            }
        }
        var required = delete ? _primaryKey : (IReadOnlyCollection<string>?)_targets;
        var row = JsonRows.Parse(line, _rowType, Ignored, required);
        return delete ? _writer.DeleteAsync(row, cancellationToken) : _writer.UpsertAsync(row, cancellationToken);
    }

    private static bool IsDelete(JsonElement line)
    {
        if (!line.TryGetProperty(OpKey, out var op)) return false;
        var text = op.ValueKind == JsonValueKind.String ? op.GetString() : op.GetRawText();
        return text switch
        {
            "delete" => true,
            "upsert" => false,
            _ => throw new FormatException($"unknown {OpKey} {op.GetRawText()}; use \"upsert\" or \"delete\""),
        };
    }

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
