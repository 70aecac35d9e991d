using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Microsoft.Extensions.Logging;

namespace Fluss.Tiering.Host;

/// <summary>
/// <c>fluss-tiering</c>: runs the tiering service in the foreground until SIGTERM or Ctrl+C. Arguments follow
/// Fluss's tiering job: <c>--fluss.&lt;key&gt;</c> (client keys, e.g. <c>--fluss.bootstrap.servers</c>),
/// <c>--datalake.&lt;key&gt;</c> (lake format and its options), <c>--lake.tiering.&lt;key&gt;</c>, plus
/// <c>--hangfire.*</c> and <c>--workers</c>. Exit codes: 0 stopped cleanly, 1 failed, 2 bad arguments.
/// </summary>
internal static class TieringHost
{
    private static readonly string[] Prefixes = ["fluss.", "datalake.", "lake.tiering.", "hangfire."];

    public static async Task<int> RunAsync(string[] args)
    {
        var bootstrap = new Option<string?>("--fluss.bootstrap.servers") { Description = "host:port of the cluster's servers (the coordinator is found through them)" };
        var format = new Option<string?>("--datalake.format") { Description = "Lake format: paimon" };
        var warehouse = new Option<string?>("--datalake.paimon.warehouse") { Description = "Warehouse directory of the Paimon lake" };
        var storage = new Option<string?>("--hangfire.storage") { Description = "Job storage: inmemory (default) or postgresql (shared by several tiering processes)" };
        var connection = new Option<string?>("--hangfire.postgresql.connection-string") { Description = "Npgsql connection string of the shared job storage" };
        var dashboard = new Option<int?>("--hangfire.dashboard.port") { Description = "Serve the Hangfire dashboard on this loopback port (0 = any free port)" };
        var workers = new Option<int?>("--workers") { Description = "Tables tiered at the same time by this process (default 4)" };
        var root = new RootCommand(
            "fluss-tiering: tiers Fluss lake tables into the lake (Paimon). Further options: --fluss.<client key> value, " +
            "--datalake.paimon.<key> value, --lake.tiering.<key> value (poll.table.interval, heartbeat.interval, " +
            "bucket.max-bytes-per-round, bucket.parallelism), --hangfire.postgresql.schema NAME.")
        {
            bootstrap, format, warehouse, storage, connection, dashboard, workers,
        };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((parse, ct) =>
        {
            Configuration conf;
            try
            {
                conf = BuildConfiguration(parse.UnmatchedTokens);
                Set(conf, "bootstrap.servers", parse.GetValue(bootstrap));
                Set(conf, "datalake.format", parse.GetValue(format));
                Set(conf, PaimonLakeStorage.WarehouseKey, parse.GetValue(warehouse));
                Set(conf, TieringOptions.Storage.Key, parse.GetValue(storage));
                Set(conf, TieringOptions.PostgreSqlConnectionString.Key, parse.GetValue(connection));
                Set(conf, TieringOptions.DashboardPort.Key, parse.GetValue(dashboard)?.ToString(CultureInfo.InvariantCulture));
                Set(conf, TieringOptions.Workers.Key, parse.GetValue(workers)?.ToString(CultureInfo.InvariantCulture));
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(2);
            }
            return RunServiceAsync(conf, ct);
        });
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>Turns <c>--prefix.key value</c> / <c>--prefix.key=value</c> tokens into configuration keys.</summary>
    /// <exception cref="FormatException">An unknown argument or a key without a value.</exception>
    internal static Configuration BuildConfiguration(IReadOnlyList<string> tokens)
    {
        var conf = new Configuration();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal))
                throw new FormatException($"unexpected argument '{token}'; options look like --fluss.<key> value, --datalake.<key> value or --lake.tiering.<key> value");
            var name = token[2..];
            string value;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new FormatException($"option '--{name}' needs a value");
                value = tokens[++i];
            }
            if (!Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal) && name.Length > p.Length))
                throw new FormatException($"unknown option '--{name}'; use --fluss.<key>, --datalake.<key>, --lake.tiering.<key> or --hangfire.<key> (see --help)");
            conf.SetString(name.StartsWith("fluss.", StringComparison.Ordinal) ? name["fluss.".Length..] : name, value);
        }
        return conf;
    }

    private static void Set(Configuration conf, string key, string? value)
    {
        if (value is not null) conf.SetString(key, value);
    }

    private static async Task<int> RunServiceAsync(Configuration conf, CancellationToken ct)
    {
        using var logs = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(LogLevel.Information));
        TieringServiceOptions options;
        try
        {
            var lake = PaimonLakeStorage.FromConfiguration(conf)
                ?? throw new InvalidConfigException("--datalake.format is not set; the tiering service needs a lake (--datalake.format paimon --datalake.paimon.warehouse DIR).");
            options = TieringServiceOptions.FromConfiguration(conf, lake) with { LoggerFactory = logs };
        }
        catch (FlussException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        TieringService service;
        try
        {
            service = await TieringService.StartAsync(options, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is FlussException or IOException or InvalidOperationException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"error: cannot start the tiering service: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        Console.WriteLine($"fluss-tiering ready: {service.Name}, bootstrap servers {options.BootstrapServers}, lake {options.LakeStorage.Format} at {options.LakeStorage.Warehouse}" +
            (service.DashboardUrl is { } url ? $", dashboard {url}" : ""));
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine("stopping");
        await service.DisposeAsync().ConfigureAwait(false);
        Console.WriteLine("stopped");
        return 0;
    }
}
