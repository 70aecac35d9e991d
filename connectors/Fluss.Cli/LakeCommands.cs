using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary><c>fluss lake status | read</c>.</summary>
internal static class LakeCommands
{
    public static Command Build(CliContext ctx)
    {
        var lake = new Command("lake", "Lakehouse tiering: how far tables are tiered, and reading lake tables");
        lake.Subcommands.Add(BuildStatus(ctx));
        lake.Subcommands.Add(BuildRead(ctx));
        return lake;
    }

    private static Command BuildStatus(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Lake table" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var status = new Command("status",
            "Show a table's lake snapshot, and per bucket the tiered offset, the high watermark and the lag between them") { name, json };
        status.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var info = await conn.Admin.GetTableInfoAsync(path, ct).ConfigureAwait(false);
            LakeSnapshot? snapshot = null;
            try
            {
                snapshot = await conn.Admin.GetLakeSnapshotAsync(path, ct).ConfigureAwait(false);
            }
            catch (LakeTableSnapshotNotExistException)
            {
                // nothing tiered yet: every bucket is at offset 0 in the lake
            }
            var buckets = Enumerable.Range(0, info.NumBuckets).ToList();
            var highWatermarks = await conn.Admin.ListOffsetsAsync(path, buckets, OffsetSpec.Latest, ct).ConfigureAwait(false);
            var rows = buckets.Select(b =>
            {
                var tiered = snapshot?.BucketOffsets.GetValueOrDefault(b) ?? 0;
                var hw = highWatermarks.GetValueOrDefault(b);
                return (Bucket: b, Tiered: tiered, HighWatermark: hw, Lag: Math.Max(0, hw - tiered));
            }).ToList();

            if (parse.GetValue(json))
            {
                await ctx.Out.WriteLineAsync(StatusJson(info, snapshot, rows)).ConfigureAwait(false);
                return 0;
            }
            var enabled = info.TableConfig.IsDataLakeEnabled;
            await ctx.Out.WriteLineAsync($"table {path.DatabaseName}.{path.TableName}: datalake {(enabled ? "enabled" : "disabled")}").ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(snapshot is null
                ? "lake snapshot: none yet"
                : $"lake snapshot: {snapshot.SnapshotId.ToString(CultureInfo.InvariantCulture)}"
                  + (snapshot.CommitTime is { } t ? $", last tiered at {CliContext.FormatTime(t.ToUnixTimeMilliseconds())}" : "")).ConfigureAwait(false);
            var grid = new Table().AddColumn("bucket").AddColumn("tiered offset").AddColumn("high watermark").AddColumn("lag");
            foreach (var r in rows)
                grid.AddRow(Num(r.Bucket), Num(r.Tiered), Num(r.HighWatermark), Num(r.Lag));
            ctx.Console.Write(grid);
            await ctx.Out.WriteLineAsync($"total lag: {Num(rows.Sum(r => r.Lag))} records").ConfigureAwait(false);
            return 0;
        }));
        return status;
    }

    internal static string StatusJson(TableInfo info, LakeSnapshot? snapshot, IReadOnlyList<(int Bucket, long Tiered, long HighWatermark, long Lag)> rows)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, JsonRows.OutputOptions))
        {
            w.WriteStartObject();
            w.WriteString("table", $"{info.TablePath.DatabaseName}.{info.TablePath.TableName}");
            w.WriteNumber("table_id", info.TableId);
            w.WriteBoolean("datalake_enabled", info.TableConfig.IsDataLakeEnabled);
            if (snapshot is null) w.WriteNull("snapshot_id");
            else w.WriteNumber("snapshot_id", snapshot.SnapshotId);
            if (snapshot?.CommitTime is { } t) w.WriteString("last_tiering_time", CliContext.FormatTime(t.ToUnixTimeMilliseconds()));
            else w.WriteNull("last_tiering_time");
            w.WriteNumber("lag", rows.Sum(r => r.Lag));
            w.WriteStartArray("buckets");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("bucket", r.Bucket);
                w.WriteNumber("tiered_offset", r.Tiered);
                w.WriteNumber("high_watermark", r.HighWatermark);
                w.WriteNumber("lag", r.Lag);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    private static Command BuildRead(CliContext ctx)
    {
        var dir = new Argument<string>("TABLE_DIR") { Description = "Directory of a Paimon table, e.g. {warehouse}/db.db/table" };
        var snapshot = new Option<long?>("--snapshot") { Description = "Read this snapshot (default: the latest)" };
        var columns = new Option<string?>("--columns") { Description = "Columns to read c1,c2 (in this order)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per row with the table's columns" };
        var read = new Command("read", "Read the rows of a Paimon table directory (written by this cluster or by Java Paimon)") { dir, snapshot, columns, json };
        read.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var location = Path.GetFullPath(parse.GetValue(dir)!);
            if (!Directory.Exists(location))
                throw new FormatException($"'{location}' is not a directory; give the directory of a Paimon table ({{warehouse}}/DB.db/TABLE)");
            var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, location, ct).ConfigureAwait(false);
            var projection = CliContext.SplitList(parse.GetValue(columns));
            foreach (var c in projection)
            {
                if (!reader.ColumnNames.Contains(c))
                    throw new FormatException($"unknown column '{c}'; the table has {string.Join(", ", reader.ColumnNames)}");
            }
            var options = new PaimonReadOptions
            {
                SnapshotId = parse.GetValue(snapshot),
                Columns = projection.Length > 0 ? projection : null,
            };
            var type = await reader.ReadRowTypeAsync(options, ct).ConfigureAwait(false);
            var asJson = parse.GetValue(json);
            Table? grid = null;
            long count = 0;
            await foreach (var row in reader.ReadRowsAsync(options, ct).ConfigureAwait(false))
            {
                if (asJson)
                {
                    await ctx.Out.WriteLineAsync(JsonRows.ToJsonLine(row, type)).ConfigureAwait(false);
                }
                else
                {
                    if (grid is null)
                    {
                        grid = new Table();
                        foreach (var f in type.Fields) grid.AddColumn(Markup.Escape(f.Name));
                    }
                    var cells = new string[type.FieldCount];
                    for (var c = 0; c < type.FieldCount; c++) cells[c] = Markup.Escape(JsonRows.Display(row, c, type.GetTypeAt(c)));
                    grid.AddRow(cells);
                }
                count++;
            }
            if (grid is not null) ctx.Console.Write(grid);
            if (!asJson) await ctx.Error.WriteLineAsync($"{Num(count)} rows").ConfigureAwait(false);
            return 0;
        }));
        return read;
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
