using System.Diagnostics;
using System.Globalization;
using Fluss.Data;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;
using Fluss.Types;

namespace Fluss.Tests.Data;

/// <summary>
/// Queries while the tiering service commits lake snapshots and a writer keeps changing the tables: every answer
/// must be the model's state at one single point of the write sequence (the plan's consistent cut), never a mix.
/// </summary>
public sealed class SqlConcurrencyTests
{
    [Fact]
    public async Task Queries_WhileWritingAndTiering_EachAnswerIsTheModelAtOnePointInTime()
    {
        await using var cluster = await TestCluster.StartAsync(tabletServers: 1);
        await using var admin = await cluster.ConnectAsync();
        await admin.Admin.CreateDatabaseAsync("live");
        // One bucket per table: a cut is then one offset per table, which makes "one point of the write sequence" exact.
        TableDescriptor Lake(Schema schema) => TableDescriptor.NewBuilder().Schema(schema).DistributedBy(1)
            .Property("table.datalake.enabled", "true").Property("table.datalake.freshness", "1 s").Build();
        await admin.Admin.CreateTableAsync(new TablePath("live", "pk"), Lake(Schema.NewBuilder()
            .Column("k", new IntType(false)).Column("v", new StringType()).Column("n", new BigIntType(false)).PrimaryKey("k").Build()));
        await admin.Admin.CreateTableAsync(new TablePath("live", "log"), Lake(Schema.NewBuilder()
            .Column("id", new BigIntType(false)).Column("k", new IntType(false)).Build()));

        var pkVersions = new List<string> { "" };
        var logVersions = new List<long> { 0 };
        int pkDone = 0, logDone = 0;
        var gate = new Lock();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var random = new Random(99);
            var state = new SortedDictionary<int, (string V, long N)>();
            var pk = await admin.GetTableAsync(new TablePath("live", "pk"));
            var log = await admin.GetTableAsync(new TablePath("live", "log"));
            await using var upserts = pk.NewUpsertWriter();
            await using var appends = log.NewAppendWriter();
            long id = 0;
            for (var op = 0; !stop.IsCancellationRequested; op++)
            {
                // The state after a write is recorded before the write is sent (it may become visible before its
                // acknowledgement arrives) and counted as done once acknowledged.
                var k = random.Next(20);
                Task write;
                if (random.Next(4) == 0)
                {
                    state.Remove(k);
                    lock (gate) pkVersions.Add(Canonical(state.Select(kv => $"{kv.Key}|{kv.Value.V}|{kv.Value.N}")));
                    write = upserts.DeleteAsync(GenericRow.Of(k, null, 0L));
                }
                else
                {
                    var row = ($"v{op}", random.NextInt64(1_000_000));
                    state[k] = row;
                    lock (gate) pkVersions.Add(Canonical(state.Select(kv => $"{kv.Key}|{kv.Value.V}|{kv.Value.N}")));
                    write = upserts.UpsertAsync(GenericRow.Of(k, row.Item1, row.Item2));
                }
                await Acked(write, upserts.FlushAsync);
                lock (gate) pkDone = pkVersions.Count - 1;
                lock (gate) logVersions.Add(id + 1);
                await Acked(appends.AppendAsync(GenericRow.Of(id++, k)), appends.FlushAsync);
                lock (gate) logDone = logVersions.Count - 1;
            }
        });

        await using var connection = new FlussDbConnection($"Bootstrap Servers={cluster.BootstrapServers}");
        await connection.OpenAsync();
        var snapshots = new HashSet<long>();
        var mixed = 0;
        var queries = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while ((snapshots.Count < 3 || queries < 20) && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                int pkFrom, logFrom;
                lock (gate) (pkFrom, logFrom) = (pkDone, logDone);

                var rows = await QueryAsync(connection, "SELECT k, v, n FROM live.pk ORDER BY k");
                var bound = connection.LastBinding.Single();
                var answer = Canonical(rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}"));
                var counts = (await QueryAsync(connection, "SELECT count(*), coalesce(max(id), -1), coalesce(sum(id), 0) FROM live.log")).Single();

                List<string> pkCandidates;
                List<long> logCandidates;
                lock (gate)
                {
                    pkCandidates = pkVersions.GetRange(pkFrom, pkVersions.Count - pkFrom);
                    logCandidates = logVersions.GetRange(logFrom, logVersions.Count - logFrom);
                }
                Assert.True(pkCandidates.Contains(answer),
                    $"query {queries}: the primary-key answer is none of the states {pkFrom}..{pkFrom + pkCandidates.Count - 1} of the writes around it: {answer}");
                var n = (long)counts[0]!;
                Assert.Contains(n, logCandidates);
                Assert.Equal(n - 1, (long)counts[1]!);
                Assert.Equal((decimal)(n * (n - 1) / 2), Convert.ToDecimal(counts[2], CultureInfo.InvariantCulture));

                if (bound.LakeSnapshotId is { } id) snapshots.Add(id);
                if (bound.LakeRows > 0 && bound.TailRows > 0) mixed++;
                queries++;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
        Assert.True(snapshots.Count >= 3, $"the tiering service committed {snapshots.Count} lake snapshots during {queries} queries in {clock.Elapsed}");
        Assert.True(mixed > 0, "no answer combined lake rows with live rows");
    }

    /// <summary>Sends a buffered write at once and waits for its acknowledgement.</summary>
    private static async Task Acked(Task write, Func<CancellationToken, Task> flush)
    {
        await flush(CancellationToken.None);
        await write;
    }

    private static string Canonical(IEnumerable<string> rows) => string.Join("\n", rows);

    private static async Task<List<object?[]>> QueryAsync(FlussDbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        return SqlFixture.ReadAll(reader);
    }
}
