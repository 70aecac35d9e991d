using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Fluss.Data;
using Fluss.DuckDB;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary><c>fluss sql</c>: SQL over Fluss tables, as a table, JSON lines or CSV.</summary>
internal static class SqlCommands
{
    public const string WarehouseEnv = "FLUSS_LAKE_WAREHOUSE";

    private enum Format
    {
        Table,
        Json,
        Csv,
    }

    public static Command Build(CliContext ctx)
    {
        var text = new Argument<string?>("SQL")
        {
            Description = "The statement (DuckDB's SQL); without it, statements are read from standard input, one per line",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = new Option<bool>("--json") { Description = "One JSON object per row" };
        var csv = new Option<bool>("--csv") { Description = "CSV with a header line" };
        var warehouse = new Option<string?>("--lake-warehouse")
        {
            Description = $"Directory of the cluster's Paimon warehouse (default: ${WarehouseEnv}, else the one the cluster names)",
        };
        var sql = new Command("sql",
            "Query Fluss tables with SQL: DB.TABLE is the union of the lake and the live log, DB.\"TABLE$lake\" the lake only, "
            + "DB.\"TABLE$changelog\" every change with _change_type, _log_offset and _commit_timestamp")
        { text, json, csv, warehouse };
        sql.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            if (parse.GetValue(json) && parse.GetValue(csv)) throw new FormatException("--json and --csv exclude each other; choose one");
            var format = parse.GetValue(json) ? Format.Json : parse.GetValue(csv) ? Format.Csv : Format.Table;
            var builder = new FlussConnectionStringBuilder { BootstrapServers = parse.GetValue(ctx.Bootstrap)! };
            var lake = parse.GetValue(warehouse) ?? Environment.GetEnvironmentVariable(WarehouseEnv);
            if (!string.IsNullOrWhiteSpace(lake)) builder.LakeWarehouse = Path.GetFullPath(lake);

            var statement = parse.GetValue(text);
            await using var connection = new FlussDbConnection(builder.ConnectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            if (statement is not null) return await RunAsync(ctx, connection, statement, format, lineNumber: null, ct).ConfigureAwait(false);

            var line = 0;
            while (await ctx.In.ReadLineAsync(ct).ConfigureAwait(false) is { } input)
            {
                line++;
                var trimmed = input.Trim();
                if (trimmed.Length == 0 || trimmed.StartsWith("--", StringComparison.Ordinal)) continue;
                var code = await RunAsync(ctx, connection, input, format, line, ct).ConfigureAwait(false);
                if (code != 0) return code;
            }
            return 0;
        }));
        return sql;
    }

    /// <summary>Runs one statement and prints its rows; a SQL error is the user's: message, position, exit code 1.</summary>
    private static async Task<int> RunAsync(CliContext ctx, FlussDbConnection connection, string statement, Format format, int? lineNumber, CancellationToken ct)
    {
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            do
            {
                var rows = await PrintAsync(ctx, reader, format, ct).ConfigureAwait(false);
                if (format == Format.Table && reader.FieldCount > 0)
                    await ctx.Error.WriteLineAsync(rows == 1 ? "1 row" : $"{rows.ToString(CultureInfo.InvariantCulture)} rows").ConfigureAwait(false);
            }
            while (await reader.NextResultAsync(ct).ConfigureAwait(false));
            return 0;
        }
        catch (FlussSqlException e)
        {
            var where = lineNumber is { } n ? $" (input line {n.ToString(CultureInfo.InvariantCulture)})" : "";
            await ctx.Error.WriteLineAsync($"error{where}: {e.Message}").ConfigureAwait(false);
            if (e.Position is { } position) await ctx.Error.WriteAsync(Caret(statement, position)).ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            await ctx.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The statement's line holding <paramref name="position"/> and a caret under it, each indented by two spaces.</summary>
    internal static string Caret(string statement, int position)
    {
        position = Math.Clamp(position, 0, statement.Length);
        var start = statement.LastIndexOf('\n', Math.Max(0, position - 1)) + 1;
        if (position == 0) start = 0;
        var end = statement.IndexOf('\n', position);
        var line = statement[start..(end < 0 ? statement.Length : end)].TrimEnd('\r');
        var column = position - start;
        var pad = new StringBuilder();
        for (var i = 0; i < column && i < line.Length; i++) pad.Append(line[i] == '\t' ? '\t' : ' ');
        return $"  {line}\n  {pad}^\n";
    }

    private static async Task<long> PrintAsync(CliContext ctx, DbDataReader reader, Format format, CancellationToken ct)
    {
        if (reader.FieldCount == 0) return 0;
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        Table? grid = null;
        if (format == Format.Table)
        {
            grid = new Table();
            foreach (var name in names) grid.AddColumn(Markup.Escape(name));
        }
        if (format == Format.Csv) await ctx.Out.WriteLineAsync(string.Join(',', names.Select(Csv))).ConfigureAwait(false);
        long count = 0;
        var values = new object?[names.Length];
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            switch (format)
            {
                case Format.Json:
                    await ctx.Out.WriteLineAsync(JsonLine(names, values)).ConfigureAwait(false);
                    break;
                case Format.Csv:
                    await ctx.Out.WriteLineAsync(string.Join(',', values.Select(v => v is null ? "" : Csv(Text(v))))).ConfigureAwait(false);
                    break;
                default:
                    grid!.AddRow(values.Select(v => Markup.Escape(v is null ? "null" : Text(v))).ToArray());
                    break;
            }
            count++;
        }
        if (grid is not null) ctx.Console.Write(grid);
        return count;
    }

    /// <summary>
    /// One row as a JSON object: numbers for integers and floating point, strings for DECIMAL (exact), DATE, TIME and
    /// timestamps (ISO 8601; TIMESTAMP_LTZ with <c>Z</c>), base64 for BINARY/BYTES, null for NULL.
    /// </summary>
    internal static string JsonLine(IReadOnlyList<string> names, IReadOnlyList<object?> values)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, JsonRows.OutputOptions))
        {
            w.WriteStartObject();
            for (var i = 0; i < names.Count; i++)
            {
                w.WritePropertyName(names[i]);
                switch (values[i])
                {
                    case null: w.WriteNullValue(); break;
                    case bool b: w.WriteBooleanValue(b); break;
                    case sbyte or byte or short or ushort or int or uint or long: w.WriteNumberValue(Convert.ToInt64(values[i], CultureInfo.InvariantCulture)); break;
                    case ulong u: w.WriteNumberValue(u); break;
                    case BigInteger big: w.WriteRawValue(big.ToString(CultureInfo.InvariantCulture)); break;
                    case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
                    case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
                    case byte[] bytes: w.WriteBase64StringValue(bytes); break;
                    case var v: w.WriteStringValue(Text(v!)); break;
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>A value as text: ISO 8601 for dates and times, invariant numbers, base64 for bytes.</summary>
    internal static string Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "HH:mm:ss" : "HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString(dt.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => Text(dto.UtcDateTime) + "Z",
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.</summary>
    internal static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
