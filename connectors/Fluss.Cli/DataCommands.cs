using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fluss.Client;
using Fluss.Rows;
using Fluss.Types;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary><c>fluss write</c> and <c>fluss scan</c>.</summary>
internal static class DataCommands
{
    public static Command BuildWrite(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Table to write to" };
        var file = new Option<FileInfo?>("--file") { Description = "JSON lines file (default: standard input)" };
        var columns = new Option<string?>("--columns")
        {
            Description = "Primary-key tables: a partial update of these columns c1,c2 (they must include the primary key); other columns keep their values",
        };
        var write = new Command("write",
            "Write rows given as JSON lines (one object per row, column names as keys): appended to a log table; upserted into a " +
            "primary-key table, where a line with \"_op\": \"delete\" deletes the row with its key columns' values")
        { name, file, columns };
        write.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            var targets = CliContext.SplitList(parse.GetValue(columns));
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var table = await conn.GetTableAsync(path, ct).ConfigureAwait(false);
            if (targets.Length > 0 && !table.Info.HasPrimaryKey)
                throw new FormatException($"--columns makes a partial update, which only primary-key tables have; {path} is a log table");
            var input = parse.GetValue(file) is { } f ? new StreamReader(f.FullName) : ctx.In;
            var pending = new List<(long Line, Task Ack)>();
            var rejected = new List<string>();
            long lineNo = 0;
            await using (var sink = table.Info.HasPrimaryKey ? (IRowSink)new UpsertSink(table, targets) : new AppendSink(table))
            {
                try
                {
                    while (await input.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                    {
                        lineNo++;
                        if (string.IsNullOrWhiteSpace(line)) continue;
                        Task ack;
                        try
                        {
                            using var doc = JsonDocument.Parse(line);
                            ack = sink.Write(doc.RootElement, ct);
                        }
                        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
                        {
                            rejected.Add($"line {lineNo}: {e.Message}");
                            continue;
                        }
                        pending.Add((lineNo, ack));
                    }
                    try
                    {
                        await sink.FlushAsync(ct).ConfigureAwait(false);
                    }
                    catch (Exception) when (pending.Any(p => p.Ack.IsFaulted))
                    {
                        // reported per line below
                    }
                }
                finally
                {
                    if (input != ctx.In) input.Dispose();
                }
            }
            long acknowledged = 0;
            foreach (var (line, ack) in pending)
            {
                try
                {
                    await ack.ConfigureAwait(false);
                    acknowledged++;
                }
                catch (Exception e)
                {
                    rejected.Add($"line {line}: {e.Message}");
                }
            }
            await ctx.Out.WriteLineAsync($"{acknowledged} rows acknowledged").ConfigureAwait(false);
            foreach (var r in rejected.Take(100)) await ctx.Error.WriteLineAsync($"rejected {r}").ConfigureAwait(false);
            if (rejected.Count > 100) await ctx.Error.WriteLineAsync($"... and {rejected.Count - 100} more rejected rows").ConfigureAwait(false);
            return rejected.Count == 0 ? 0 : 1;
        }));
        return write;
    }

    public static Command BuildScan(CliContext ctx)
    {
        var name = new Argument<string>("DB.TABLE") { Description = "Table to read" };
        var columns = new Option<string?>("--columns") { Description = "Columns to read c1,c2 (projection pushed to the server)" };
        var from = new Option<string>("--from") { Description = "earliest, latest or an offset", DefaultValueFactory = _ => "earliest" };
        var follow = new Option<bool>("--follow") { Description = "Keep reading new rows until interrupted" };
        var limit = new Option<long?>("--limit") { Description = "Stop after N rows" };
        var json = new Option<bool>("--json") { Description = "One JSON object per row with _bucket, _offset and _change_type" };
        var scan = new Command("scan", "Read a table's log (of a primary-key table: its changelog, with +I, -U, +U and -D change types)") { name, columns, from, follow, limit, json };
        scan.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var path = CliContext.ParseTablePath(parse.GetValue(name)!);
            var start = ParseStart(parse.GetValue(from)!);
            var max = parse.GetValue(limit);
            if (max is < 0) throw new FormatException("--limit must not be negative");
            await using var conn = await ctx.ConnectAsync(parse, ct).ConfigureAwait(false);
            var table = await conn.GetTableAsync(path, ct).ConfigureAwait(false);
            var projection = CliContext.SplitList(parse.GetValue(columns));
            foreach (var c in projection)
                if (table.Info.RowType.IndexOf(c) < 0)
                    throw new FormatException($"unknown column '{c}'; the table has {string.Join(", ", table.Info.RowType.FieldNames)}");
            var options = new LogScanOptions
            {
                Columns = projection.Length > 0 ? projection : null,
                Start = start,
                StopAtEnd = !parse.GetValue(follow),
            };
            await using var scanner = table.NewLogScanner(options);
            var asJson = parse.GetValue(json);
            var streaming = parse.GetValue(follow);
            Table? grid = null;
            RowType? rowType = null;
            long count = 0;
            if (max == 0) return 0;
            await foreach (var batch in scanner.ReadBatchesAsync(ct).ConfigureAwait(false))
            {
                using (batch)
                {
                    rowType ??= batch.RowType;
                    var reader = new Fluss.Arrow.ArrowRowReader(batch.Batch, batch.RowType);
                    for (var i = 0; i < batch.Batch.Length; i++)
                    {
                        var row = reader.GetRow(i);
                        var change = batch.ChangeTypeAt(i).ToShortString();
                        var offset = batch.OffsetAt(i);
                        if (asJson)
                        {
                            await ctx.Out.WriteLineAsync(RowJson(row, batch.RowType, batch.Bucket, offset, change)).ConfigureAwait(false);
                        }
                        else if (streaming)
                        {
                            await ctx.Out.WriteLineAsync(RowText(row, batch.RowType, batch.Bucket, offset, change)).ConfigureAwait(false);
                        }
                        else
                        {
                            grid ??= NewGrid(batch.RowType);
                            var cells = new List<string> { batch.Bucket.ToString(CultureInfo.InvariantCulture), offset.ToString(CultureInfo.InvariantCulture), change };
                            for (var c = 0; c < batch.RowType.FieldCount; c++) cells.Add(Markup.Escape(JsonRows.Display(row, c, batch.RowType.GetTypeAt(c))));
                            grid.AddRow(cells.ToArray());
                        }
                        if (++count == max) goto done;
                    }
                }
            }
        done:
            if (grid is not null) ctx.Console.Write(grid);
            if (!asJson && !streaming) await ctx.Error.WriteLineAsync($"{count} rows").ConfigureAwait(false);
            return 0;
        }));
        return scan;
    }

    internal static StartPosition ParseStart(string text) => text.Trim().ToLowerInvariant() switch
    {
        "earliest" => StartPosition.Earliest,
        "latest" => StartPosition.Latest,
        var s when long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) => StartPosition.Offset(offset),
        _ => throw new FormatException($"--from expects earliest, latest or a non-negative offset, got '{text}'"),
    };

    private static Table NewGrid(RowType type)
    {
        var grid = new Table().AddColumn("_bucket").AddColumn("_offset").AddColumn("_change_type");
        foreach (var f in type.Fields) grid.AddColumn(Markup.Escape(f.Name));
        return grid;
    }

    internal static string RowJson(IRow row, RowType type, int bucket, long offset, string changeType) =>
        JsonRows.ToJsonLine(row, type, w =>
        {
            w.WriteNumber("_bucket", bucket);
            w.WriteNumber("_offset", offset);
            w.WriteString("_change_type", changeType);
        });

    private static string RowText(IRow row, RowType type, int bucket, long offset, string changeType)
    {
        var parts = new List<string> { $"[{bucket}:{offset}] {changeType}" };
        for (var c = 0; c < type.FieldCount; c++) parts.Add($"{type.Fields[c].Name}={JsonRows.Display(row, c, type.GetTypeAt(c))}");
        return string.Join(' ', parts);
    }
}
