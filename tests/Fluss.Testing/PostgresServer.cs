using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Fluss.Testing;

/// <summary>
/// A private PostgreSQL server for tests, started from the Debian <c>postgresql</c> package's binaries in a fresh temp
/// directory on a free loopback port (its unix socket inside that directory), with one database created. It talks
/// TCP on 127.0.0.1 only, with password authentication. When the tests run as root the server runs as the
/// <c>postgres</c> OS user, since PostgreSQL refuses to run as root. Disposing stops it (fast shutdown) and deletes
/// the directory.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    /// <summary>Where the Debian packages install the server binaries, one folder per major version.</summary>
    internal const string PackageRoot = "/usr/lib/postgresql";

    /// <summary>The OS user the server runs as when the tests run as root.</summary>
    internal const string ServiceOsUser = "postgres";

    /// <summary>The host the server listens on.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>The superuser name of every test server.</summary>
    public const string UserName = "fluss";

    /// <summary>The database created at start, which <see cref="ConnectionString"/> names.</summary>
    public const string DefaultDatabase = "fluss";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDirectory;
    private readonly bool _asServiceUser;
    private readonly List<string> _issuedConnectionStrings = [];
    private readonly Lock _lock = new();
    private int _disposed;

    private PostgresServer(string binDirectory, bool asServiceUser, string workDirectory, int port, string password)
    {
        _binDirectory = binDirectory;
        _asServiceUser = asServiceUser;
        WorkDirectory = workDirectory;
        Port = port;
        Password = password;
        ConnectionString = ConnectionStringFor(DefaultDatabase);
    }

    /// <summary>The temp directory holding the data directory, the unix socket and the server log.</summary>
    public string WorkDirectory { get; }

    /// <summary>The PostgreSQL data directory (inside <see cref="WorkDirectory"/>).</summary>
    public string DataDirectory => Path.Combine(WorkDirectory, "data");

    /// <summary>The server log file.</summary>
    public string LogFile => Path.Combine(WorkDirectory, "postgres.log");

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The password of <see cref="UserName"/>, random per server.</summary>
    public string Password { get; }

    /// <summary>Npgsql connection string of the database created at start (<see cref="DefaultDatabase"/>).</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Starts a new server and waits until it accepts connections. Throws <see cref="InvalidOperationException"/>
    /// naming the Debian package to install when the PostgreSQL binaries are missing.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("The PostgreSQL test server runs the Debian postgresql package's binaries: it needs Linux.");
        var binDirectory = FindBinDirectory(PackageRoot);
        var asServiceUser = Environment.IsPrivilegedProcess;
        var workDirectory = Path.Combine(Path.GetTempPath(), "fluss-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (asServiceUser)
        {
            if (!File.ReadLines("/etc/passwd").Any(line => line.StartsWith(ServiceOsUser + ":", StringComparison.Ordinal)))
                throw new InvalidOperationException(
                    $"The tests run as root, so PostgreSQL must run as the '{ServiceOsUser}' OS user, which does not exist: install the Debian package postgresql.");
            CheckTraversableByServiceUser(Path.GetTempPath());
        }

        Directory.CreateDirectory(workDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        PostgresServer? server = null;
        try
        {
            Directory.CreateDirectory(Path.Combine(workDirectory, "socket"));
            var passwordFile = Path.Combine(workDirectory, "password");
            await File.WriteAllTextAsync(passwordFile, password + "\n", cancellationToken).ConfigureAwait(false);
            if (asServiceUser)
                await RunCheckedAsync("chown", ["-R", ServiceOsUser + ":", workDirectory], asServiceUser: false, workDirectory, cancellationToken).ConfigureAwait(false);

            await RunCheckedAsync(Path.Combine(binDirectory, "initdb"),
                ["-D", Path.Combine(workDirectory, "data"), "-U", UserName, "--pwfile=" + passwordFile,
                 "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
                asServiceUser, workDirectory, cancellationToken).ConfigureAwait(false);
            File.Delete(passwordFile);

            // The port is free when picked but may be taken before the server binds it: pick another then.
            for (var attempt = 1; ; attempt++)
            {
                server = new PostgresServer(binDirectory, asServiceUser, workDirectory, FreeLoopbackPort(), password);
                var (exitCode, output) = await server.PgCtlStartAsync(cancellationToken).ConfigureAwait(false);
                if (exitCode == 0) break;
                var log = server.ReadLogTail();
                if (attempt < 5 && log.Contains("could not bind", StringComparison.Ordinal)) continue;
                throw new InvalidOperationException(
                    $"PostgreSQL did not start on port {server.Port} (pg_ctl exit code {exitCode}).\n{output}\nServer log:\n{log}");
            }

            await Wait.UntilAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(server.ConnectionStringFor("postgres", pooling: false));
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("select 1", connection);
                return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 1;
            }, TimeSpan.FromSeconds(30), $"PostgreSQL on {Host}:{server.Port} to accept connections").ConfigureAwait(false);

            await server.ExecuteAdminAsync($"CREATE DATABASE \"{DefaultDatabase}\"", cancellationToken).ConfigureAwait(false);
            server.Issue(server.ConnectionString);
            return server;
        }
        catch
        {
            if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
            else DeleteDirectory(workDirectory);
            throw;
        }
    }

    /// <summary>Creates a fresh database and returns its Npgsql connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DatabaseName().IsMatch(name))
            throw new ArgumentException($"Database name '{name}' is not a plain lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters).", nameof(name));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await ExecuteAdminAsync($"CREATE DATABASE \"{name}\"", cancellationToken).ConfigureAwait(false);
        var connectionString = ConnectionStringFor(name);
        Issue(connectionString);
        return connectionString;
    }

    /// <summary>Stops the server with a fast shutdown (open sessions are ended) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        string[] issued;
        lock (_lock) issued = [.. _issuedConnectionStrings];
        foreach (var cs in issued)
        {
            await using var connection = new NpgsqlConnection(cs);
            NpgsqlConnection.ClearPool(connection);
        }

        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            var (exitCode, _) = await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
                ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"], _asServiceUser, WorkDirectory, CancellationToken.None).ConfigureAwait(false);
            if (exitCode != 0) KillPostmaster();
        }
        DeleteDirectory(WorkDirectory);
    }

    /// <summary>The folder of the newest PostgreSQL major version under <paramref name="packageRoot"/> that has the server binaries.</summary>
    internal static string FindBinDirectory(string packageRoot)
    {
        var newest = (Directory.Exists(packageRoot) ? Directory.GetDirectories(packageRoot) : [])
            .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: Version.TryParse(AsVersion(Path.GetFileName(dir)), out var v) ? v : null))
            .Where(c => c.Version is not null && new[] { "initdb", "pg_ctl", "postgres" }.All(exe => File.Exists(Path.Combine(c.Dir, exe))))
            .OrderByDescending(c => c.Version)
            .FirstOrDefault();
        return newest.Dir ?? throw new InvalidOperationException(
            $"The PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found under {packageRoot}/<version>/bin: " +
            "install the Debian package postgresql (scripts/prereqs.sh does).");

        static string AsVersion(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";
    }

    private string ConnectionStringFor(string database, bool pooling = true) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = UserName,
        Password = Password,
        Database = database,
        Pooling = pooling,
    }.ConnectionString;

    private void Issue(string connectionString)
    {
        lock (_lock) _issuedConnectionStrings.Add(connectionString);
    }

    private async Task ExecuteAdminAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres", pooling: false));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<(int ExitCode, string Output)> PgCtlStartAsync(CancellationToken cancellationToken)
    {
        // pg_ctl hands these options to the server through a shell: quote the socket path.
        var options = string.Join(' ',
            "-p " + Port.ToString(CultureInfo.InvariantCulture),
            "-k '" + Path.Combine(WorkDirectory, "socket") + "'",
            "-c listen_addresses=" + Host,
            "-c max_connections=200",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off");
        return RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options], _asServiceUser, WorkDirectory, cancellationToken);
    }

    private string ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 30)));
        }
        catch (IOException e)
        {
            return "(no log: " + e.Message + ")";
        }
    }

    private void KillPostmaster()
    {
        try
        {
            var pidLine = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First();
            using var postmaster = System.Diagnostics.Process.GetProcessById(int.Parse(pidLine.Trim(), CultureInfo.InvariantCulture));
            postmaster.Kill();
            postmaster.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static void CheckTraversableByServiceUser(string tempPath)
    {
        for (var dir = new DirectoryInfo(tempPath); dir is not null; dir = dir.Parent)
        {
            if (!dir.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
                throw new InvalidOperationException(
                    $"The temp directory {tempPath} is not reachable by the '{ServiceOsUser}' OS user that runs PostgreSQL when the tests run as root " +
                    $"({dir.FullName} has no execute permission for others): point TMPDIR to a directory it can reach.");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 5 && Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static async Task RunCheckedAsync(string executable, IReadOnlyList<string> arguments, bool asServiceUser, string workingDirectory, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync(executable, arguments, asServiceUser, workingDirectory, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed with exit code {exitCode}:\n{output}");
    }

    /// <summary>Runs a command to completion (as the service OS user through runuser if asked) and returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, IReadOnlyList<string> arguments, bool asServiceUser, string workingDirectory, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(asServiceUser ? "runuser" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (asServiceUser)
        {
            foreach (var a in new[] { "-u", ServiceOsUser, "--", executable }) psi.ArgumentList.Add(a);
        }
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        foreach (var name in new[] { "PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGPASSWORD" }) psi.Environment.Remove(name);

        using var process = new System.Diagnostics.Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run {psi.FileName}: {e.Message}", e);
        }
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Path.GetFileName(executable)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }
        output.Append(await stdout.ConfigureAwait(false)).Append(await stderr.ConfigureAwait(false));
        return (process.ExitCode, output.ToString());
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
