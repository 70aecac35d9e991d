using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary><c>fluss database create NAME | drop NAME [--cascade] | list [--json]</c>.</summary>
internal static class DatabaseCommands
{
    public static Command Build(CliContext ctx)
    {
        var database = new Command("database", "Create, drop and list databases");

        var createName = new Argument<string>("NAME") { Description = "Database name" };
        var create = new Command("create", "Create a database") { createName };
        create.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var name = parse.GetValue(createName)!;
            await conn.Admin.CreateDatabaseAsync(name, cancellationToken: ct).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync($"created database {name}").ConfigureAwait(false);
            return 0;
        }));

        var dropName = new Argument<string>("NAME") { Description = "Database name" };
        var cascade = new Option<bool>("--cascade") { Description = "Also drop every table in the database" };
        var drop = new Command("drop", "Drop a database") { dropName, cascade };
        drop.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var name = parse.GetValue(dropName)!;
            await conn.Admin.DropDatabaseAsync(name, cascade: parse.GetValue(cascade), cancellationToken: ct).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync($"dropped database {name}").ConfigureAwait(false);
            return 0;
        }));

        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List databases") { json };
        list.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var names = await conn.Admin.ListDatabasesAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await ctx.Out.WriteLineAsync(JsonSerializer.Serialize(names)).ConfigureAwait(false);
            }
            else
            {
                var table = new Table().AddColumn("database");
                foreach (var n in names) table.AddRow(Markup.Escape(n));
                ctx.Console.Write(table);
            }
            return 0;
        }));

        database.Subcommands.Add(create);
        database.Subcommands.Add(drop);
        database.Subcommands.Add(list);
        return database;
    }
}
