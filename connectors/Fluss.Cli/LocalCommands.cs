using System.CommandLine;
using System.Runtime.InteropServices;
using Fluss.LocalCluster;

namespace Fluss.Cli;

/// <summary><c>fluss local start [--data-dir DIR] [--port 9123] [--tablet-servers 3]</c>: a whole cluster in this process.</summary>
internal static class LocalCommands
{
    public static Command Build(CliContext ctx)
    {
        var local = new Command("local", "Run a local cluster in this process");
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Where the cluster keeps its data (default: ./fluss-data)" };
        var port = new Option<int>("--port") { Description = "Coordinator port clients bootstrap from", DefaultValueFactory = _ => 9123 };
        var servers = new Option<int>("--tablet-servers") { Description = "Number of tablet servers", DefaultValueFactory = _ => 3 };
        var set = new Option<string[]>("-D") { Description = "Configuration key=value (Fluss key names), repeatable" };
        var start = new Command("start", "Start a local cluster in the foreground; Ctrl+C stops it") { dataDir, port, servers, set };
        start.SetAction((parse, ct) => ctx.GuardAsync(async () =>
        {
            var n = parse.GetValue(servers);
            if (n < 1) throw new FormatException("--tablet-servers must be at least 1");
            var p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new FormatException("--port must be between 0 and 65535");
            var dir = parse.GetValue(dataDir)?.FullName ?? Path.GetFullPath("fluss-data");
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in parse.GetValue(set) ?? [])
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new FormatException($"-D expects key=value, got '{kv}'");
                settings[kv[..eq].Trim()] = kv[(eq + 1)..].Trim();
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

            await using var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions
            {
                DataDir = dir,
                CoordinatorPort = p,
                TabletServers = n,
                Settings = settings,
            }, stop.Token).ConfigureAwait(false);
            var lake = cluster.LakeStorage is { } l ? $", {l.Format} lake warehouse {l.Warehouse}" : "";
            await ctx.Out.WriteLineAsync($"Fluss local cluster ready: bootstrap servers {cluster.BootstrapServers}, {n} tablet servers, data dir {dir}{lake}").ConfigureAwait(false);
            await ctx.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await ctx.Out.WriteLineAsync("stopping").ConfigureAwait(false);
            await cluster.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync("stopped").ConfigureAwait(false);
            return 0;
        }));
        local.Subcommands.Add(start);
        return local;
    }
}
