using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;
using Spectre.Console;

namespace Fluss.Cli;

/// <summary>The <c>fluss</c> command tree. Exit codes: 0 success, 1 failure or "not found", 2 usage error.</summary>
internal static class CliApp
{
    public const string BootstrapEnv = "FLUSS_BOOTSTRAP_SERVERS";
    public const string DefaultBootstrap = "127.0.0.1:9123";

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var bootstrap = new Option<string>("--bootstrap-servers")
        {
            Description = $"HOST:PORT[,HOST:PORT...] of any Fluss server (default: ${BootstrapEnv}, else {DefaultBootstrap})",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(BootstrapEnv) is { Length: > 0 } env ? env : DefaultBootstrap,
        };
        var root = new RootCommand("fluss: the Fluss.Lake command-line tool");
        root.Options.Add(bootstrap);
        var ctx = new CliContext(bootstrap, stdin, stdout, stderr);
        root.Subcommands.Add(LocalCommands.Build(ctx));
        root.Subcommands.Add(DatabaseCommands.Build(ctx));
        root.Subcommands.Add(TableCommands.Build(ctx));
        root.Subcommands.Add(DataCommands.BuildWrite(ctx));
        root.Subcommands.Add(DataCommands.BuildScan(ctx));
        root.Subcommands.Add(LookupCommands.Build(ctx));
        root.Subcommands.Add(LakeCommands.Build(ctx));
        root.Subcommands.Add(SqlCommands.Build(ctx));
        root.Subcommands.Add(Bench.BenchCommand.Build(ctx));

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        var parse = root.Parse(args);
        return await parse.InvokeAsync(config).ConfigureAwait(false);
    }
}

/// <summary>What every command needs: the global options and the console streams.</summary>
internal sealed class CliContext(Option<string> bootstrap, TextReader stdin, TextWriter stdout, TextWriter stderr)
{
    public Option<string> Bootstrap { get; } = bootstrap;
    public TextReader In { get; } = stdin;
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });

    public Task<FlussConnection> ConnectAsync(ParseResult parse, CancellationToken ct) =>
        FlussConnection.ConnectAsync(parse.GetValue(Bootstrap)!, ct);

    /// <summary>Runs a command body, turning Fluss and input errors into a message on stderr and exit code 1.</summary>
    public async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (FlussException e)
        {
            await Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or JsonException or IOException)
        {
            await Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    public static TablePath ParseTablePath(string text)
    {
        try
        {
            return TablePath.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or FlussException)
        {
            throw new FormatException($"'{text}' is not a table name; write DATABASE.TABLE ({e.Message})", e);
        }
    }

    public static string[] SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string FormatTime(long epochMillis) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMillis).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
