using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Fluss.Config;
using Fluss.Coordinator;
using Fluss.Errors;
using Fluss.Lake.Paimon;
using Fluss.LocalCluster;
using Fluss.Server.Host;
using Microsoft.Extensions.Logging;

// fluss-server coordinator|tablet|local [--config FILE] [-D key=value ...]

var configFile = new Option<FileInfo?>("--config", "-c") { Description = "YAML file with Fluss configuration keys", Recursive = true };
var defines = new Option<string[]>("-D") { Description = "Configuration key=value, repeatable; wins over the file", Recursive = true };
var root = new RootCommand("fluss-server: run a Fluss.Lake coordinator, tablet server or local cluster");
root.Options.Add(configFile);
root.Options.Add(defines);

var coordinator = new Command("coordinator", "Run the coordinator server (embedded metadata store under data.dir)");
coordinator.SetAction((parse, ct) => HostRunner.RunAsync(parse, configFile, defines, async (conf, logs, token) =>
{
    var server = await CoordinatorServer.StartAsync(new CoordinatorServerOptions
    {
        Configuration = conf,
        LoggerFactory = logs,
        LakeStorage = PaimonLakeStorage.FromConfiguration(conf),
    }, token).ConfigureAwait(false);
    Console.WriteLine($"coordinator ready on port {server.Port}");
    return server;
}, ct));

var tablet = new Command("tablet", "Run a tablet server (needs tablet-server.id, data.dir and coordinator.address)");
tablet.SetAction((parse, ct) => HostRunner.RunAsync(parse, configFile, defines, async (conf, logs, token) =>
{
    var server = await Fluss.TabletServer.TabletServer.StartAsync(new Fluss.TabletServer.TabletServerOptions(conf) { LoggerFactory = logs }, token).ConfigureAwait(false);
    Console.WriteLine($"tablet server {server.ServerId} ready on port {server.Port}");
    return server;
}, ct));

var servers = new Option<int>("--tablet-servers") { Description = "Number of tablet servers", DefaultValueFactory = _ => 3 };
var local = new Command("local", "Run a coordinator and tablet servers in this process") { servers };
local.SetAction((parse, ct) => HostRunner.RunAsync(parse, configFile, defines, async (conf, logs, token) =>
{
    var dataDir = conf.Get(ConfigOptions.DataDir);
    var port = 9123;
    if (conf.GetString("port") is { } p) port = int.Parse(p, CultureInfo.InvariantCulture);
    var cluster = await FlussLocalCluster.StartAsync(new LocalClusterOptions
    {
        DataDir = Path.GetFullPath(dataDir),
        CoordinatorPort = port,
        TabletServers = parse.GetValue(servers),
        Settings = conf.ToDictionary(),
        LoggerFactory = logs,
    }, token).ConfigureAwait(false);
    Console.WriteLine($"local cluster ready: bootstrap servers {cluster.BootstrapServers}");
    return cluster;
}, ct));

root.Subcommands.Add(coordinator);
root.Subcommands.Add(tablet);
root.Subcommands.Add(local);
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

namespace Fluss.Server.Host
{
    /// <summary>Runs one server in the foreground until SIGINT/SIGTERM, then stops it cleanly.</summary>
    internal static class HostRunner
    {
        public static async Task<int> RunAsync(ParseResult parse, Option<FileInfo?> configFile, Option<string[]> defines,
            Func<Configuration, ILoggerFactory, CancellationToken, Task<IAsyncDisposable>> start, CancellationToken ct)
        {
            using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
                .SetMinimumLevel(LogLevel.Information));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            IAsyncDisposable server;
            try
            {
                var conf = ServerConfigLoader.Load(parse.GetValue(configFile)?.FullName, parse.GetValue(defines) ?? []);
                server = await start(conf, logs, stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FlussException or FormatException or FileNotFoundException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            Console.WriteLine("stopping");
            await server.DisposeAsync().ConfigureAwait(false);
            Console.WriteLine("stopped");
            return 0;
        }
    }
}
