using System.Globalization;

namespace Fluss.Process.Tests;

/// <summary>fluss-server reads Fluss keys from a YAML file, and -D overrides win over the file.</summary>
public sealed class ServerConfigurationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fluss-conf-" + Guid.NewGuid().ToString("N")[..10]);

    public ServerConfigurationTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task Coordinator_FromYamlFileWithOverride_ListensOnTheOverriddenPort()
    {
        var port = FlussProcess.FreePort();
        var yaml = Path.Combine(_dir, "server.yaml");
        await File.WriteAllTextAsync(yaml, $"""
            # Fluss keys, flat or nested
            bind.listeners: FLUSS://127.0.0.1:1
            data:
              dir: {_dir}/coordinator
            default.bucket.number: 2
            """);
        var server = FlussProcess.Start(FlussProcess.FlussServer, "coordinator", "--config", yaml,
            "-D", $"bind.listeners=FLUSS://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        await using (server)
        {
            await server.WaitForOutputAsync($"ready on port {port}", TimeSpan.FromSeconds(60));
            Assert.True(Directory.Exists(Path.Combine(_dir, "coordinator", "coordinator", "metadata")), "data.dir from the nested YAML keys");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task Coordinator_MissingConfigFile_FailsClearly()
    {
        var (code, stdout, stderr) = await FlussProcess.RunAsync(FlussProcess.FlussServer, null, TimeSpan.FromSeconds(60),
            "coordinator", "--config", Path.Combine(_dir, "nope.yaml"));
        Assert.Equal(1, code);
        Assert.Contains("nope.yaml", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Coordinator_PaimonWithoutWarehouse_FailsNamingTheKey()
    {
        var (code, stdout, stderr) = await FlussProcess.RunAsync(FlussProcess.FlussServer, null, TimeSpan.FromSeconds(60),
            "coordinator", "-D", "bind.listeners=FLUSS://127.0.0.1:0", "-D", $"data.dir={_dir}", "-D", "datalake.format=paimon");
        Assert.Equal(1, code);
        Assert.Contains("datalake.paimon.warehouse", stdout + stderr, StringComparison.Ordinal);
    }
}
