using Fluss.Testing;

namespace Fluss.Cli.Tests;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>The non-empty lines of standard output.</summary>
    public IReadOnlyList<string> Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>One in-process cluster shared by the CLI tests; each test uses its own database.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    private static int s_counter;
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(tabletServers: 2);

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    /// <summary>Runs <c>fluss ARGS</c> in process against the cluster with <paramref name="stdin"/> as standard input.</summary>
    public async Task<CliResult> RunWithInputAsync(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--bootstrap-servers", Cluster.BootstrapServers], new StringReader(stdin), output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync("", args);

    /// <summary>Runs a command that must succeed.</summary>
    public async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await RunWithInputAsync("", args);
        Assert.True(result.ExitCode == 0, $"fluss {string.Join(' ', args)} failed: {result}");
        return result;
    }

    /// <summary>A fresh database for one test.</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref s_counter)}";
        await RunOkAsync("database", "create", name);
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "cli";
}
