using System.CommandLine;
using System.Text.Json;
using Fluss.Client;
using Fluss.Rows;
using Fluss.Types;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary>
/// <c>fluss lookup DB.TABLE --key JSON | --prefix JSON [--json]</c>: rows of a primary-key table by primary key, or
/// all rows with given bucket-key values. Exit code 1 when nothing is found.
/// </summary>
internal static class LookupCommands
{
    public static Command Build(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Primary-key table to look up" };
        var key = new Option<string?>("--key") { Description = "The primary key as a JSON object, e.g. '{\"id\": 1}'" };
        var prefix = new Option<string?>("--prefix") { Description = "The bucket key (a prefix of the primary key) as a JSON object: prints every row with it" };
        var json = new Option<bool>("--json") { Description = "One JSON object per row" };
        var lookup = new Command("lookup", "Print the row with a primary key, or the rows with a bucket-key prefix; exit code 1 when there is none")
        {
            name, key, prefix, json,
        };
        lookup.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var keyText = parse.GetValue(key);
            var prefixText = parse.GetValue(prefix);
            if (keyText is null == prefixText is null)
            {
                await ctx.Error.WriteLineAsync("error: give exactly one of --key and --prefix").ConfigureAwait(false);
                return 2;
            }
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var table = await conn.GetTableAsync(path, ct).ConfigureAwait(false);
            IReadOnlyList<IRow> rows;
            if (keyText is not null)
            {
                var lookuper = table.NewLookuper();
                var row = await lookuper.LookupAsync(KeyRow(keyText, lookuper.KeyType, "--key", "primary key"), ct).ConfigureAwait(false);
                rows = row is null ? [] : [row];
            }
            else
            {
                var lookuper = table.NewPrefixLookuper(table.Info.BucketKeys);
                rows = await lookuper.LookupAsync(KeyRow(prefixText!, lookuper.KeyType, "--prefix", "bucket key"), ct).ConfigureAwait(false);
            }
            if (rows.Count == 0) return 1;
            await PrintAsync(ctx, rows, table.Info.RowType, parse.GetValue(json)).ConfigureAwait(false);
            return 0;
        }));
        return lookup;
    }

    /// <summary>A key row from a JSON object that has exactly the key's columns.</summary>
    /// <exception cref="FormatException">Not an object, a column missing, unknown or null, or a value of the wrong type.</exception>
    internal static GenericRow KeyRow(string text, RowType keyType, string option, string what)
    {
        using var doc = ParseJson(text, option);
        var obj = doc.RootElement;
        if (obj.ValueKind != JsonValueKind.Object)
            throw new FormatException($"{option} expects a JSON object with the {what} columns {string.Join(", ", keyType.FieldNames)}");
        var row = new GenericRow(keyType.FieldCount);
        foreach (var property in obj.EnumerateObject())
        {
            var i = keyType.IndexOf(property.Name);
            if (i < 0)
                throw new FormatException($"{option} has column '{property.Name}', which is not in the {what} ({string.Join(", ", keyType.FieldNames)})");
            row[i] = JsonRows.ParseValue(property.Value, keyType.GetTypeAt(i), property.Name)
                ?? throw new FormatException($"{option}: {what} column '{property.Name}' cannot be null");
        }
        for (var i = 0; i < keyType.FieldCount; i++)
        {
            if (row[i] is null) throw new FormatException($"{option} is missing {what} column '{keyType.Fields[i].Name}'");
        }
        return row;
    }

    private static JsonDocument ParseJson(string text, string option)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{option} is not valid JSON: {e.Message}", e);
        }
    }

    private static async Task PrintAsync(CliContext ctx, IReadOnlyList<IRow> rows, RowType type, bool asJson)
    {
        if (asJson)
        {
            foreach (var row in rows) await ctx.Out.WriteLineAsync(JsonRows.ToJsonLine(row, type)).ConfigureAwait(false);
            return;
        }
        var grid = new Table();
        foreach (var f in type.Fields) grid.AddColumn(Markup.Escape(f.Name));
        foreach (var row in rows)
            grid.AddRow(Enumerable.Range(0, type.FieldCount).Select(c => Markup.Escape(JsonRows.Display(row, c, type.GetTypeAt(c)))).ToArray());
        ctx.Console.Write(grid);
    }
}
