using System.Collections.Concurrent;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Testing;
using Fluss.Tiering.Internal;
using Fluss.Tiering.Tests.Support;

namespace Fluss.Tiering.Tests;

[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

/// <summary>
/// The Hangfire plumbing of the service against a fake coordinator and logs: the recurring poll claims due tables,
/// their rounds run on workers of any service sharing the job storage, and each assignment runs once.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class TieringServiceTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly Schema LogSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING").Build();
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<(FakeCoordinator Coordinator, FakeLogs Logs, PaimonLakeStorage Lake, List<TableInfo> Tables)> TablesAsync(int count, int rowsEach)
    {
        var coordinator = new FakeCoordinator();
        var logs = new FakeLogs();
        var lake = new PaimonLakeStorage(_dir.Path);
        var tables = new List<TableInfo>();
        for (var t = 0; t < count; t++)
        {
            var descriptor = TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(2).Build();
            var info = TableInfo.Of(new TablePath("shop", "t" + t), 100 + t, 1, descriptor, null, 0, 0);
            await lake.CreateTableAsync(info.TablePath, descriptor);
            coordinator.AddTable(info.TableId, info.TablePath);
            var log = logs.Add(info);
            log.Append(Enumerable.Range(1, rowsEach).Select(i => GenericRow.Of((long)i, $"{t}-{i}")).ToArray());
            tables.Add(info);
        }
        return (coordinator, logs, lake, tables);
    }

    private static TieringServiceOptions Options(PaimonLakeStorage lake, int workers = 2) => new()
    {
        BootstrapServers = "127.0.0.1:1",
        LakeStorage = lake,
        Workers = workers,
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task StartAsync_InMemoryStorage_PollClaimsEveryDueTableAndTiersItOnce()
    {
        var (coordinator, logs, lake, tables) = await TablesAsync(count: 5, rowsEach: 7);
        var rounds = new ConcurrentBag<TieringRoundResult>();
        await using var service = await TieringService.StartAsync(Options(lake), null, coordinator, logs, CancellationToken.None);
        service.Worker.RoundCompleted += rounds.Add;

        await Wait.UntilAsync(() => tables.All(t => coordinator.Snapshot(t.TableId) is not null), TimeSpan.FromSeconds(60), "every table tiered");

        foreach (var t in tables)
        {
            Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), await LakeIdsAsync(lake, t.TablePath));
            Assert.Single(rounds, r => r.Table.TableId == t.TableId && r.Outcome == RoundOutcome.Committed);
        }
    }

    [Fact]
    public async Task TwoServices_SharedPostgreSqlStorage_RunEachAssignmentOnceAndTierEveryTable()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("tiering_" + Guid.NewGuid().ToString("N")[..8]);
        var (coordinator, logs, lake, tables) = await TablesAsync(count: 8, rowsEach: 5);
        var rounds = new ConcurrentBag<(string Service, TieringRoundResult Result)>();
        var shared = Options(lake) with { JobStorage = TieringJobStorage.PostgreSql, PostgreSqlConnectionString = connectionString };
        await using var a = await TieringService.StartAsync(shared, null, coordinator, logs, CancellationToken.None);
        await using var b = await TieringService.StartAsync(shared, null, coordinator, logs, CancellationToken.None);
        a.Worker.RoundCompleted += r => rounds.Add(("a", r));
        b.Worker.RoundCompleted += r => rounds.Add(("b", r));

        await Wait.UntilAsync(() => tables.All(t => coordinator.Snapshot(t.TableId) is not null), TimeSpan.FromSeconds(90), "every table tiered");

        var assignments = rounds.Select(r => (r.Result.Table.TableId, r.Result.Table.TieringEpoch)).ToList();
        Assert.Equal(assignments.Count, assignments.Distinct().Count());
        foreach (var t in tables)
        {
            Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), await LakeIdsAsync(lake, t.TablePath));
            Assert.Single(rounds, r => r.Result.Table.TableId == t.TableId && r.Result.Outcome == RoundOutcome.Committed);
        }
        output.WriteLine($"rounds run by a: {rounds.Count(r => r.Service == "a")}, by b: {rounds.Count(r => r.Service == "b")}");
    }

    [Fact]
    public async Task StartAsync_DashboardPort_ServesTheHangfireDashboardOnLoopback()
    {
        var (coordinator, logs, lake, _) = await TablesAsync(count: 1, rowsEach: 1);
        await using var service = await TieringService.StartAsync(Options(lake) with { DashboardPort = 0 }, null, coordinator, logs, CancellationToken.None);

        Assert.NotNull(service.DashboardUrl);
        Assert.Equal("127.0.0.1", service.DashboardUrl.Host);
        using var http = new HttpClient();
        var page = await http.GetStringAsync(service.DashboardUrl);
        Assert.Contains("Fluss tiering", page, StringComparison.Ordinal);
    }

    private static async Task<List<long>> LakeIdsAsync(PaimonLakeStorage lake, TablePath path)
    {
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, lake.TableLocation(path));
        var ids = new List<long>();
        await foreach (var row in reader.ReadRowsAsync()) ids.Add((long)row[0]!);
        ids.Sort();
        return ids;
    }
}
