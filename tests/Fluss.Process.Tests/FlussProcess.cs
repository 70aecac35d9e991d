using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Fluss.Process.Tests;

/// <summary>A real Fluss executable (<c>fluss</c> or <c>fluss-server</c>) run as a child process.</summary>
public sealed class FlussProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _lock = new();

    private FlussProcess(System.Diagnostics.Process process) => _process = process;

    public int Pid => _process.Id;

    public string Output { get { lock (_lock) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>The path of an executable's dll, built next to this test assembly's configuration.</summary>
    public static string DllOf(string project, string assembly)
    {
        var root = Testing.RepoRoot.Find();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(root, project, "bin", configuration, "net10.0", assembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built", path);
    }

    public static string FlussCli => DllOf(Path.Combine("connectors", "Fluss.Cli"), "fluss");

    public static string FlussServer => DllOf(Path.Combine("server", "Fluss.Server.Host"), "fluss-server");

    public static string FlussTiering => DllOf(Path.Combine("tiering", "Fluss.Tiering.Host"), "fluss-tiering");

    public static FlussProcess Start(string dll, params string[] args) => Start(dll, null, args);

    /// <summary>Starts the executable with extra environment variables.</summary>
    public static FlussProcess Start(string dll, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = new System.Diagnostics.Process { StartInfo = psi, EnableRaisingEvents = true };
        var fp = new FlussProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (fp._lock) fp._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (fp._lock) fp._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return fp;
    }

    /// <summary>Runs a command to completion and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string dll, string? stdin, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fluss {string.Join(' ', args)} did not finish within {timeout}; output: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits until the process prints a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return;
            if (_process.HasExited) throw new InvalidOperationException($"process exited with {_process.ExitCode} before printing '{text}': {Output}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"process did not print '{text}' within {timeout}: {Output}");
    }

    /// <summary>SIGKILL: the process gets no chance to flush or clean up.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, then waits for a clean exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return _process.ExitCode;
        if (NativeMethods.Kill(_process.Id, NativeMethods.SigTerm) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed");
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

internal static partial class NativeMethods
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
