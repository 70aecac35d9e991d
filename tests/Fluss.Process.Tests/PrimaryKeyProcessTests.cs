using System.Collections.Concurrent;
using System.Globalization;
using Fluss.Client;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Process.Tests;

/// <summary>Primary-key tables across a SIGKILL of the real local cluster process.</summary>
public sealed class PrimaryKeyProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "fluss-pkproc-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    private async Task<FlussProcess> StartAsync(int port)
    {
        var process = FlussProcess.Start(FlussProcess.FlussCli, "local", "start", "--data-dir", _dataDir, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--tablet-servers", "2", "-D", "zookeeper.client.session-timeout=3 s", "-D", "kv.snapshot.interval=2 s");
        await process.WaitForOutputAsync("ready", TimeSpan.FromSeconds(90));
        return process;
    }

    private sealed record Op(long Seq, bool Delete, long Value);

    [Fact]
    public async Task SigKill_DuringUpserts_LookupsMatchAcknowledgedOperations_AndChangelogReplaysToThem()
    {
        const int keys = 500;
        var port = FlussProcess.FreePort();
        var bootstrap = $"127.0.0.1:{port}";
        var ops = new ConcurrentDictionary<long, List<(Op Op, Task Ack)>>();
        long issued = 0;
        var server = await StartAsync(port);
        await using (server)
        {
            await using var conn = await FlussConnection.ConnectAsync(new FlussClientOptions
            {
                BootstrapServers = bootstrap,
                RequestTimeout = TimeSpan.FromSeconds(5),
                WriterDeliveryTimeout = TimeSpan.FromSeconds(5),
            });
            await conn.Admin.CreateDatabaseAsync("pk");
            var path = new TablePath("pk", "state");
            await conn.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder()
                .Schema(Schema.NewBuilder().Columns("id BIGINT NOT NULL, v BIGINT, note STRING").PrimaryKey("id").Build())
                .DistributedBy(4).Build());
            var table = await conn.GetTableAsync(path);
            var writer = table.NewUpsertWriter();
            var random = new Random(42);
            var stop = false;
            var acked = 0;
            var writing = Task.Run(async () =>
            {
                while (!Volatile.Read(ref stop))
                {
                    var seq = Interlocked.Increment(ref issued);
                    var key = (long)random.Next(keys);
                    var delete = random.Next(10) == 0;
                    Task ack;
                    try
                    {
                        ack = delete
                            ? writer.DeleteAsync(GenericRow.Of(key, null, null))
                            : writer.UpsertAsync(GenericRow.Of(key, seq, "n" + seq));
                    }
                    catch (Exception)
                    {
                        break;
                    }
                    _ = ack.ContinueWith(t => { if (t.IsCompletedSuccessfully) Interlocked.Increment(ref acked); }, TaskScheduler.Default);
                    var list = ops.GetOrAdd(key, _ => []);
                    lock (list) list.Add((new Op(seq, delete, seq), ack));
                    if (seq % 200 == 0) await Task.Delay(1);
                }
            });
            await Testing.Wait.UntilAsync(() => Volatile.Read(ref acked) >= 20_000 || writing.IsCompleted, TimeSpan.FromSeconds(120), "20,000 acknowledged operations");
            server.Kill();
            await Task.Delay(300);
            Volatile.Write(ref stop, true);
            await writing;
            await Task.WhenAny(Task.WhenAll(ops.Values.SelectMany(l => l.Select(x => x.Ack)).ToArray()).ContinueWith(_ => { }, TaskScheduler.Default),
                Task.Delay(TimeSpan.FromSeconds(30)));
            try { await writer.DisposeAsync(); }
            catch (Exception) { }
        }

        var restarted = await StartAsync(port);
        await using (restarted)
        {
            await using var conn = await FlussConnection.ConnectAsync(bootstrap);
            var table = await conn.GetTableAsync(new TablePath("pk", "state"));
            var lookuper = table.NewLookuper();
            // After the restart the leader may still commit the log tail it recovered (its high watermark catches up
            // with its log end), so lookups and the changelog are compared once they agree on the same cut.
            Dictionary<long, (long V, string Note)?> actual = [];
            Dictionary<long, (long V, string Note)> replayed = [];
            long changes = 0;
            for (var attempt = 0; attempt < 20; attempt++)
            {
                actual = await LookupAllAsync(lookuper, keys);
                (replayed, changes) = await ReplayChangelogAsync(table);
                var afterScan = await LookupAllAsync(lookuper, keys);
                if (afterScan.All(kv => actual[kv.Key] == kv.Value)
                    && actual.All(kv => kv.Value is null ? !replayed.ContainsKey(kv.Key) : replayed.TryGetValue(kv.Key, out var r) && r == kv.Value))
                    break;
                await Task.Delay(500);
            }

            // Each key's state must be the state after all its acknowledged operations, plus possibly some of the
            // unacknowledged ones that followed (they may have been applied before the kill).
            var ackedOps = 0;
            foreach (var (key, list) in ops)
            {
                var history = list.OrderBy(x => x.Op.Seq).ToList();
                var lastAcked = history.FindLastIndex(x => x.Ack.IsCompletedSuccessfully);
                ackedOps += history.Count(x => x.Ack.IsCompletedSuccessfully);
                var allowed = new List<(long V, string Note)?>();
                for (var n = lastAcked; n < history.Count; n++)
                    allowed.Add(n < 0 ? null : history[n].Op.Delete ? null : (history[n].Op.Value, "n" + history[n].Op.Value));
                if (lastAcked < 0) allowed.Add(null);
                Assert.True(allowed.Contains(actual[key]), $"key {key}: found {actual[key]?.ToString() ?? "absent"}, acknowledged history allows {string.Join(" | ", allowed.Select(a => a?.ToString() ?? "absent"))}");
            }
            foreach (var key in Enumerable.Range(0, keys).Select(k => (long)k).Where(k => !ops.ContainsKey(k)))
                Assert.Null(actual[key]);

            // Replaying the changelog gives exactly the looked-up state.
            foreach (var (key, state) in actual)
            {
                if (state is null) Assert.False(replayed.ContainsKey(key), $"key {key} absent in lookups but present in the replayed changelog");
                else Assert.Equal(state.Value, replayed[key]);
            }
            output.WriteLine($"operations issued {issued}, acknowledged {ackedOps}, changelog records {changes}, live keys {replayed.Count}");
        }
    }

    private static async Task<Dictionary<long, (long V, string Note)?>> LookupAllAsync(Lookuper lookuper, int keys)
    {
        var actual = new Dictionary<long, (long V, string Note)?>();
        for (long key = 0; key < keys; key++)
        {
            var row = await lookuper.LookupAsync(GenericRow.Of(key));
            actual[key] = row is null ? null : (row.GetLong(1), row.GetString(2));
        }
        return actual;
    }

    /// <summary>Replays the whole changelog, checking each record against the state before it.</summary>
    private static async Task<(Dictionary<long, (long V, string Note)> State, long Changes)> ReplayChangelogAsync(FlussTable table)
    {
        var replayed = new Dictionary<long, (long V, string Note)>();
        var lastOffset = new Dictionary<int, long>();
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        long changes = 0;
        await foreach (var r in scanner.ReadRecordsAsync(timeout.Token))
        {
            changes++;
            Assert.True(!lastOffset.TryGetValue(r.Bucket, out var prev) || r.Offset > prev, $"bucket {r.Bucket}: offset {r.Offset} after {prev}");
            lastOffset[r.Bucket] = r.Offset;
            var key = r.Row.GetLong(0);
            var value = (r.Row.GetLong(1), r.Row.GetString(2));
            switch (r.ChangeType)
            {
                case ChangeType.Insert:
                    Assert.False(replayed.ContainsKey(key), $"+I for key {key} that exists (offset {r.Offset})");
                    replayed[key] = value;
                    break;
                case ChangeType.UpdateBefore:
                case ChangeType.Delete:
                    Assert.True(replayed.TryGetValue(key, out var before) && before == value, $"{r.ChangeType} for key {key} does not match its current value (offset {r.Offset})");
                    replayed.Remove(key);
                    break;
                case ChangeType.UpdateAfter:
                    Assert.False(replayed.ContainsKey(key), $"+U for key {key} without -U (offset {r.Offset})");
                    replayed[key] = value;
                    break;
                default:
                    Assert.Fail($"unexpected change type {r.ChangeType}");
                    break;
            }
        }
        return (replayed, changes);
    }
}
