using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Fluss.Client;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Process.Tests;

/// <summary>The real <c>fluss</c> and <c>fluss-server</c> executables, started, used, killed and restarted.</summary>
public sealed class LocalClusterProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "fluss-proc-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    private async Task<(FlussProcess Process, string Bootstrap)> StartLocalAsync(int port)
    {
        var process = FlussProcess.Start(FlussProcess.FlussCli, "local", "start", "--data-dir", _dataDir, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--tablet-servers", "2", "-D", "zookeeper.client.session-timeout=3 s");
        await process.WaitForOutputAsync("ready", StartTimeout);
        return (process, $"127.0.0.1:{port}");
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Fluss(string bootstrap, string? stdin, params string[] args) =>
        FlussProcess.RunAsync(FlussProcess.FlussCli, stdin, CommandTimeout, ["--bootstrap-servers", bootstrap, .. args]);

    [Fact]
    public async Task LocalStart_CliCommands_WriteScanAndStopCleanlyOnSigterm()
    {
        var (server, bootstrap) = await StartLocalAsync(FlussProcess.FreePort());
        await using (server)
        {
            Assert.Equal(0, (await Fluss(bootstrap, null, "database", "create", "shop")).ExitCode);
            var create = await Fluss(bootstrap, null, "table", "create", "shop.orders", "--schema", "id BIGINT NOT NULL, name STRING, amount DECIMAL(10, 2)", "--buckets", "2");
            Assert.True(create.ExitCode == 0, create.Stderr);

            var lines = string.Join('\n', Enumerable.Range(1, 50).Select(i => $"{{\"id\": {i}, \"name\": \"n{i}\", \"amount\": \"{i}.25\"}}")) + "\n{\"id\": \"oops\"}\n";
            var write = await Fluss(bootstrap, lines, "write", "shop.orders");
            Assert.Equal(1, write.ExitCode);
            Assert.Contains("50 rows acknowledged", write.Stdout, StringComparison.Ordinal);
            Assert.Contains("line 51", write.Stderr, StringComparison.Ordinal);

            var scan = await Fluss(bootstrap, null, "scan", "shop.orders", "--json");
            Assert.True(scan.ExitCode == 0, scan.Stderr);
            var rows = scan.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(50, rows.Count);
            Assert.All(rows, r => Assert.Equal("+A", r.GetProperty("_change_type").GetString()));
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), rows.Select(r => r.GetProperty("id").GetInt64()).Order());
            Assert.Equal("7.25", rows.Single(r => r.GetProperty("id").GetInt64() == 7).GetProperty("amount").GetString());

            var projected = await Fluss(bootstrap, null, "scan", "shop.orders", "--columns", "name", "--json", "--limit", "5");
            var first = projected.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(5, first.Length);
            Assert.All(first, l => Assert.False(JsonDocument.Parse(l).RootElement.TryGetProperty("id", out _)));

            var partitioned = await Fluss(bootstrap, null, "table", "create", "shop.parts", "--schema", "id BIGINT NOT NULL, day STRING", "--partition-key", "day");
            Assert.Equal(1, partitioned.ExitCode);
            Assert.Contains("not supported yet", partitioned.Stderr, StringComparison.Ordinal);
            var badType = await Fluss(bootstrap, null, "table", "create", "shop.bad", "--schema", "id BIGINTT");
            Assert.Equal(1, badType.ExitCode);
            Assert.Contains("BIGINTT", badType.Stderr, StringComparison.Ordinal);
            var listed = await Fluss(bootstrap, null, "table", "list", "shop", "--json");
            Assert.Equal("[\"orders\"]", listed.Stdout.Trim());

            var unknown = await Fluss(bootstrap, null, "scan", "shop.nothing");
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("shop.nothing", unknown.Stderr, StringComparison.Ordinal);

            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("stopped", server.Output, StringComparison.Ordinal);
        }

        // A second start on the same data dir recovers everything written before.
        var (again, bootstrap2) = await StartLocalAsync(FlussProcess.FreePort());
        await using (again)
        {
            var scan = await Fluss(bootstrap2, null, "scan", "shop.orders", "--json");
            Assert.Equal(50, scan.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    [Fact]
    public async Task SigKill_DuringAcksAllWrites_EveryAcknowledgedRowSurvivesExactlyOnce()
    {
        var port = FlussProcess.FreePort();
        var (server, bootstrap) = await StartLocalAsync(port);
        var acknowledged = new ConcurrentDictionary<long, AppendResult>();
        long issued;
        await using (server)
        {
            await using var conn = await FlussConnection.ConnectAsync(new FlussClientOptions
            {
                BootstrapServers = bootstrap,
                WriterAcks = -1,
                RequestTimeout = TimeSpan.FromSeconds(5),
                WriterDeliveryTimeout = TimeSpan.FromSeconds(5),
            });
            await conn.Admin.CreateDatabaseAsync("crash");
            var path = new TablePath("crash", "events");
            await conn.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder()
                .Schema(Schema.NewBuilder().Columns("id BIGINT NOT NULL, payload STRING").Build()).DistributedBy(4).Build());
            var table = await conn.GetTableAsync(path);
            var writer = table.NewAppendWriter();
            var pending = new ConcurrentQueue<Task>();
            var id = 0L;
            var stop = false;
            // A writer keeps appending; once enough rows are acknowledged the cluster is killed while it still writes.
            var writing = Task.Run(async () =>
            {
                while (!Volatile.Read(ref stop) && id < 5_000_000)
                {
                    var rowId = id;
                    Task<AppendResult> append;
                    try
                    {
                        append = writer.AppendAsync(GenericRow.Of(rowId, "payload-" + rowId));
                    }
                    catch (Exception)
                    {
                        break;
                    }
                    Interlocked.Increment(ref id);
                    pending.Enqueue(append.ContinueWith(t =>
                    {
                        if (t.IsCompletedSuccessfully) acknowledged[rowId] = t.Result;
                    }, TaskScheduler.Default));
                    if (rowId % 500 == 0) await Task.Delay(1);
                }
            });
            await Testing.Wait.UntilAsync(() => acknowledged.Count >= 20_000 || writing.IsCompleted, TimeSpan.FromSeconds(120), "20,000 acknowledged rows");
            server.Kill();
            issued = Interlocked.Read(ref id);
            await Task.Delay(500);
            Volatile.Write(ref stop, true);
            await writing;
            await Task.WhenAny(Task.WhenAll(pending.ToArray()), Task.Delay(TimeSpan.FromSeconds(30)));
            try { await writer.DisposeAsync(); }
            catch (Exception) { }
        }

        var ackedIds = acknowledged.Keys.ToHashSet();
        Assert.True(ackedIds.Count >= 20_000);
        Assert.True(issued > ackedIds.Count, "the kill should land while writes are still in flight");
        var (restarted, bootstrap2) = await StartLocalAsync(port);
        await using (restarted)
        {
            await using var conn = await FlussConnection.ConnectAsync(bootstrap2);
            var table = await conn.GetTableAsync(new TablePath("crash", "events"));
            var seen = new Dictionary<long, int>();
            await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true, Columns = ["id"] });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await foreach (var r in scanner.ReadRecordsAsync(timeout.Token))
            {
                var rowId = r.Row.GetLong(0);
                seen[rowId] = seen.GetValueOrDefault(rowId) + 1;
            }
            var missing = ackedIds.Where(i => !seen.ContainsKey(i)).Take(10).ToList();
            Assert.True(missing.Count == 0, $"acknowledged rows lost after SIGKILL: {string.Join(", ", missing)}");
            output.WriteLine($"rows issued {issued}, acknowledged before SIGKILL {ackedIds.Count}, found after restart {seen.Count}");
            var duplicated = seen.Where(kv => kv.Value > 1).Select(kv => kv.Key).Take(10).ToList();
            Assert.True(duplicated.Count == 0, $"rows stored twice: {string.Join(", ", duplicated)}");
        }
    }

    [Fact]
    public async Task SplitProcesses_CoordinatorAndTabletServer_ServeTheCli()
    {
        var coordinatorPort = FlussProcess.FreePort();
        var coordinator = FlussProcess.Start(FlussProcess.FlussServer, "coordinator",
            "-D", $"bind.listeners=FLUSS://127.0.0.1:{coordinatorPort}", "-D", $"data.dir={_dataDir}/coordinator",
            "-D", "zookeeper.client.session-timeout=3 s");
        await using (coordinator)
        {
            await coordinator.WaitForOutputAsync("ready", StartTimeout);
            var tablet = FlussProcess.Start(FlussProcess.FlussServer, "tablet",
                "-D", "tablet-server.id=7", "-D", "bind.listeners=FLUSS://127.0.0.1:0", "-D", $"data.dir={_dataDir}/tablet-7",
                "-D", $"coordinator.address=127.0.0.1:{coordinatorPort}", "-D", "zookeeper.client.session-timeout=3 s");
            await using (tablet)
            {
                await tablet.WaitForOutputAsync("ready", StartTimeout);
                var bootstrap = $"127.0.0.1:{coordinatorPort}";
                await Testing.Wait.UntilAsync(async () =>
                {
                    var r = await Fluss(bootstrap, null, "database", "create", "split");
                    return r.ExitCode == 0;
                }, TimeSpan.FromSeconds(60), "the coordinator to accept commands");
                Assert.Equal(0, (await Fluss(bootstrap, null, "table", "create", "split.t", "--schema", "id INT NOT NULL")).ExitCode);
                var write = await Fluss(bootstrap, "{\"id\": 1}\n{\"id\": 2}\n", "write", "split.t");
                Assert.True(write.ExitCode == 0, write.Stderr);
                var scan = await Fluss(bootstrap, null, "scan", "split.t", "--json");
                Assert.Equal(2, scan.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
                Assert.Equal(0, await tablet.TerminateAsync(TimeSpan.FromSeconds(30)));
            }
            Assert.Equal(0, await coordinator.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task FlussServer_InvalidConfiguration_FailsNamingTheKey()
    {
        var (code, stdout, stderr) = await FlussProcess.RunAsync(FlussProcess.FlussServer, null, CommandTimeout,
            "tablet", "-D", "data.dir=" + _dataDir, "-D", "bind.listeners=FLUSS://127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains("tablet-server.id", stdout + stderr, StringComparison.Ordinal);
    }
}
