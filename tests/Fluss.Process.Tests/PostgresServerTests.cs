using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fluss.Testing;
using Npgsql;

namespace Fluss.Process.Tests;

[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

/// <summary>The private PostgreSQL server the tests start themselves: one shared by the collection, and some of their own.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class PostgresServerTests(PostgresFixture fixture)
{
    private PostgresServer Server => fixture.Server;

    [Fact]
    public async Task ConnectionString_OfFixtureServer_RunsSelectOneOnLoopbackDefaultDatabase()
    {
        var parts = new NpgsqlConnectionStringBuilder(Server.ConnectionString);
        Assert.Equal("127.0.0.1", parts.Host);
        Assert.Equal(Server.Port, parts.Port);
        Assert.Equal(PostgresServer.UserName, parts.Username);
        Assert.Equal(PostgresServer.DefaultDatabase, parts.Database);

        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(1, await ScalarAsync<int>(connection, "select 1"));
        Assert.Equal(PostgresServer.DefaultDatabase, await ScalarAsync<string>(connection, "select current_database()"));
        Assert.Equal("127.0.0.1/32", await ScalarAsync<string>(connection, "select inet_server_addr()::text"));
    }

    [Fact]
    public async Task Server_OfFixture_UsesItsOwnDataDirectoryAndPort()
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(Server.DataDirectory, await ScalarAsync<string>(connection, "show data_directory"));
        Assert.Equal(Server.Port.ToString(CultureInfo.InvariantCulture), await ScalarAsync<string>(connection, "show port"));
        Assert.StartsWith(Path.GetTempPath(), Server.WorkDirectory, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Server.DataDirectory));
    }

    [Fact]
    public void Postmaster_OfFixtureServer_RunsAsNonRootUser()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(Server.DataDirectory, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
        var postmasterUid = RealUid($"/proc/{pid}/status");
        Assert.NotEqual(0, postmasterUid);
        var ourUid = RealUid("/proc/self/status");
        if (ourUid != 0) Assert.Equal(ourUid, postmasterUid);
    }

    [Fact]
    public async Task CreateDatabaseAsync_TableInsertAndSelect_ReadsRowsBackInThatDatabaseOnly()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..10];
        var cs = await Server.CreateDatabaseAsync(name);
        Assert.Equal(name, new NpgsqlConnectionStringBuilder(cs).Database);

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal(name, await ScalarAsync<string>(connection, "select current_database()"));
            await ExecuteAsync(connection, "create table jobs (id int primary key, name text not null, due timestamptz)");
            var due = new DateTime(2024, 5, 17, 8, 30, 0, DateTimeKind.Utc);
            for (var i = 1; i <= 3; i++)
            {
                await using var insert = new NpgsqlCommand("insert into jobs values ($1, $2, $3)", connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = i });
                insert.Parameters.Add(new NpgsqlParameter { Value = "job-" + i });
                insert.Parameters.Add(new NpgsqlParameter { Value = due.AddMinutes(i) });
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }

            var rows = new List<(int, string, DateTime)>();
            await using var select = new NpgsqlCommand("select id, name, due from jobs order by id desc", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetDateTime(2)));
            Assert.Equal([(3, "job-3", due.AddMinutes(3)), (2, "job-2", due.AddMinutes(2)), (1, "job-1", due.AddMinutes(1))], rows);
        }

        await using var other = new NpgsqlConnection(Server.ConnectionString);
        await other.OpenAsync();
        Assert.True(await ScalarAsync<bool>(other, "select to_regclass('jobs') is null"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_TwiceWithOneName_FailsTheSecondTime()
    {
        var name = "d_" + Guid.NewGuid().ToString("N")[..10];
        await Server.CreateDatabaseAsync(name);
        var e = await Assert.ThrowsAsync<PostgresException>(() => Server.CreateDatabaseAsync(name));
        Assert.Equal(PostgresErrorCodes.DuplicateDatabase, e.SqlState);
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("x\"; drop database fluss; --")]
    [InlineData("1abc")]
    [InlineData("")]
    public async Task CreateDatabaseAsync_NameNotPlainIdentifier_ThrowsArgumentException(string name)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Server.CreateDatabaseAsync(name));
        Assert.Contains("not a plain lower-case identifier", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_WithWrongPassword_IsRejected()
    {
        var wrong = new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Password = "wrong", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(wrong);
        var e = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, e.SqlState);
    }

    [Fact]
    public async Task StartAsync_TwoServersAtOnce_RunIndependentlyOnDifferentPorts()
    {
        var starts = await Task.WhenAll(PostgresServer.StartAsync(), PostgresServer.StartAsync());
        await using var a = starts[0];
        await using var b = starts[1];
        Assert.NotEqual(a.Port, b.Port);
        Assert.NotEqual(a.WorkDirectory, b.WorkDirectory);

        foreach (var (server, value) in new[] { (a, "from-a"), (b, "from-b") })
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await ExecuteAsync(connection, "create table t (v text)");
            await ExecuteAsync(connection, $"insert into t values ('{value}')");
        }
        foreach (var (server, value) in new[] { (a, "from-a"), (b, "from-b") })
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            Assert.Equal(value, await ScalarAsync<string>(connection, "select string_agg(v, ',') from t"));
        }
    }

    [Fact]
    public async Task DisposeAsync_WithOpenSession_StopsServerDeletesDirectoryAndFreesPort()
    {
        var server = await PostgresServer.StartAsync();
        var port = server.Port;
        var dir = server.WorkDirectory;
        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
        await open.OpenAsync();
        await using (var begin = new NpgsqlCommand("begin; create table pending (v int)", open))
            await begin.ExecuteNonQueryAsync();

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"fast shutdown took {stopwatch.Elapsed}");

        Assert.False(Directory.Exists(dir));
        await Assert.ThrowsAnyAsync<Exception>(() => ScalarAsync<int>(open, "select 1"));
        using (var client = new TcpClient())
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.Equal(port, ((IPEndPoint)listener.LocalEndpoint).Port);

        await server.DisposeAsync(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(() => server.CreateDatabaseAsync("after_dispose"));
    }

    [Fact]
    public void FindBinDirectory_NoServerBinaries_ThrowsNamingTheDebianPackage()
    {
        var root = Directory.CreateTempSubdirectory("fluss-pgbin-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "15", "bin"));
            File.WriteAllText(Path.Combine(root, "15", "bin", "psql"), "");
            var e = Assert.Throws<InvalidOperationException>(() => PostgresServer.FindBinDirectory(root));
            Assert.Contains("install the Debian package postgresql", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InvalidOperationException>(() => PostgresServer.FindBinDirectory(Path.Combine(root, "missing")));
            Assert.Contains("install the Debian package postgresql", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FindBinDirectory_SeveralVersions_PicksNewestMajorThatHasTheServerBinaries()
    {
        var root = Directory.CreateTempSubdirectory("fluss-pgbin-").FullName;
        try
        {
            foreach (var (version, complete) in new[] { ("9.6", true), ("13", true), ("15", true), ("17", false), ("common", true) })
            {
                var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
                foreach (var exe in complete ? new[] { "initdb", "pg_ctl", "postgres" } : ["initdb", "pg_ctl"])
                    File.WriteAllText(Path.Combine(bin, exe), "");
            }
            Assert.Equal(Path.Combine(root, "15", "bin"), PostgresServer.FindBinDirectory(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int RealUid(string statusFile) =>
        int.Parse(File.ReadLines(statusFile).First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
