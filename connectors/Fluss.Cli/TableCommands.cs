using System.CommandLine;
using System.Text.Json;
using Fluss.Errors;
using Fluss.Metadata;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary><c>fluss table create | alter | describe | drop | list</c>.</summary>
internal static class TableCommands
{
    public static Command Build(CliContext ctx)
    {
        var table = new Command("table", "Create, alter, describe, drop and list tables");
        table.Subcommands.Add(BuildCreate(ctx));
        table.Subcommands.Add(BuildAlter(ctx));
        table.Subcommands.Add(BuildDescribe(ctx));
        table.Subcommands.Add(BuildDrop(ctx));
        table.Subcommands.Add(BuildList(ctx));
        return table;
    }

    private static Command BuildCreate(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Table to create" };
        var schema = new Option<string>("--schema") { Description = "Columns, e.g. \"id BIGINT NOT NULL, name STRING, ts TIMESTAMP(3)\"", Required = true };
        var primaryKey = new Option<string?>("--primary-key") { Description = "Primary key columns c1,c2 (makes a primary-key table)" };
        var buckets = new Option<int?>("--buckets") { Description = "Number of buckets" };
        var bucketKey = new Option<string?>("--bucket-key") { Description = "Bucket key columns c1,c2" };
        var partitionKey = new Option<string?>("--partition-key") { Description = "Partition key column" };
        var property = new Option<string[]>("--property") { Description = "Table option key=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create a table") { name, schema, primaryKey, buckets, bucketKey, partitionKey, property };
        create.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            var builder = Schema.NewBuilder().Columns(parse.GetValue(schema)!);
            var pk = CliContext.SplitList(parse.GetValue(primaryKey));
            if (pk.Length > 0) builder.PrimaryKey(pk);
            var descriptor = TableDescriptor.NewBuilder().Schema(builder.Build());
            var bk = CliContext.SplitList(parse.GetValue(bucketKey));
            if (parse.GetValue(buckets) is { } n || bk.Length > 0) descriptor.DistributedBy(parse.GetValue(buckets), bk);
            var partitions = CliContext.SplitList(parse.GetValue(partitionKey));
            if (partitions.Length > 0) descriptor.PartitionedBy(partitions);
            foreach (var kv in parse.GetValue(property) ?? [])
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new FormatException($"--property expects key=value, got '{kv}'");
                descriptor.Property(kv[..eq].Trim(), kv[(eq + 1)..].Trim());
            }
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            await conn.Admin.CreateTableAsync(path, descriptor.Build(), cancellationToken: ct).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync($"created table {path.DatabaseName}.{path.TableName}").ConfigureAwait(false);
            return 0;
        }));
        return create;
    }

    private static Command BuildAlter(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Table to alter" };
        var property = new Option<string[]>("--property")
        {
            Description = "Set an alterable option key=value (repeatable): table.datalake.enabled, table.datalake.freshness, table.log.ttl, ...",
            AllowMultipleArgumentsPerToken = false,
        };
        var reset = new Option<string[]>("--reset") { Description = "Reset an option to its default (repeatable)", AllowMultipleArgumentsPerToken = false };
        var alter = new Command("alter", "Change a table's alterable options; other options are refused by name") { name, property, reset };
        alter.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            var changes = new List<Client.TableChange>();
            foreach (var kv in parse.GetValue(property) ?? [])
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new FormatException($"--property expects key=value, got '{kv}'");
                changes.Add(Client.TableChange.Set(kv[..eq].Trim(), kv[(eq + 1)..].Trim()));
            }
            foreach (var key in parse.GetValue(reset) ?? [])
            {
                if (string.IsNullOrWhiteSpace(key)) throw new FormatException("--reset expects an option key");
                changes.Add(Client.TableChange.Reset(key.Trim()));
            }
            if (changes.Count == 0) throw new FormatException("nothing to alter; give --property key=value or --reset key");
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            await conn.Admin.AlterTableAsync(path, changes, cancellationToken: ct).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync($"altered table {path.DatabaseName}.{path.TableName}").ConfigureAwait(false);
            return 0;
        }));
        return alter;
    }

    private static Command BuildDescribe(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Table to describe" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var describe = new Command("describe", "Show a table's schema, keys, buckets and options") { name, json };
        describe.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var info = await conn.Admin.GetTableInfoAsync(path, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await ctx.Out.WriteLineAsync(DescribeJson(info)).ConfigureAwait(false);
                return 0;
            }
            var columns = new Table().AddColumn("column").AddColumn("type").AddColumn("key");
            foreach (var c in info.Schema.Columns)
                columns.AddRow(Markup.Escape(c.Name), Markup.Escape(c.DataType.ToSummaryString()),
                    info.PrimaryKeys.Contains(c.Name) ? "PK" : info.BucketKeys.Contains(c.Name) ? "bucket" : "");
            ctx.Console.Write(columns);
            var props = new Table().AddColumn("property").AddColumn("value");
            props.AddRow("table id", info.TableId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            props.AddRow("schema id", info.SchemaId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            props.AddRow("kind", info.PrimaryKeys.Count > 0 ? "primary-key table" : "log table");
            props.AddRow("buckets", info.NumBuckets.ToString(System.Globalization.CultureInfo.InvariantCulture));
            props.AddRow("bucket key", Markup.Escape(string.Join(", ", info.BucketKeys)));
            props.AddRow("created", CliContext.FormatTime(info.CreatedTime));
            foreach (var (k, v) in info.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) props.AddRow(Markup.Escape(k), Markup.Escape(v));
            ctx.Console.Write(props);
            return 0;
        }));
        return describe;
    }

    internal static string DescribeJson(TableInfo info)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, JsonRows.OutputOptions))
        {
            w.WriteStartObject();
            w.WriteString("database", info.TablePath.DatabaseName);
            w.WriteString("table", info.TablePath.TableName);
            w.WriteNumber("table_id", info.TableId);
            w.WriteNumber("schema_id", info.SchemaId);
            w.WriteStartArray("columns");
            foreach (var c in info.Schema.Columns)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("type", c.DataType.ToString());
                if (c.Comment is not null) w.WriteString("comment", c.Comment);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteList(w, "primary_key", info.PrimaryKeys);
            WriteList(w, "bucket_key", info.BucketKeys);
            WriteList(w, "partition_key", info.PartitionKeys);
            w.WriteNumber("buckets", info.NumBuckets);
            w.WriteStartObject("properties");
            foreach (var (k, v) in info.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteNumber("created_time", info.CreatedTime);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteList(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static Command BuildDrop(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Table to drop" };
        var drop = new Command("drop", "Drop a table") { name };
        drop.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            await conn.Admin.DropTableAsync(path, cancellationToken: ct).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync($"dropped table {path.DatabaseName}.{path.TableName}").ConfigureAwait(false);
            return 0;
        }));
        return drop;
    }

    private static Command BuildList(CliContext ctx)
    {
        var db = new Argument<string>("DB") { Description = "Database" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List the tables of a database") { db, json };
        list.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var names = await conn.Admin.ListTablesAsync(parse.GetValue(db)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await ctx.Out.WriteLineAsync(JsonSerializer.Serialize(names)).ConfigureAwait(false);
            }
            else
            {
                var t = new Table().AddColumn("table");
                foreach (var n in names) t.AddRow(Markup.Escape(n));
                ctx.Console.Write(t);
            }
            return 0;
        }));
        return list;
    }
}
