using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Tiering.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluss.Tiering.Tests.Support;

/// <summary>A lake table in a temp warehouse, a fake coordinator and a fake log, and rounds run over them.</summary>
internal sealed class RoundHarness : IDisposable
{
    private readonly TempDir _dir = new();

    private RoundHarness(TableInfo info)
    {
        Info = info;
        Lake = new PaimonLakeStorage(_dir.Path);
        Coordinator.AddTable(info.TableId, info.TablePath);
        Log = new FakeLog(info);
    }

    public TableInfo Info { get; }

    public PaimonLakeStorage Lake { get; }

    public FakeCoordinator Coordinator { get; } = new();

    public FakeLog Log { get; }

    public RoundSettings Settings { get; set; } = new() { HeartbeatInterval = TimeSpan.FromHours(1), Fault = (_, _) => Task.CompletedTask };

    public string TableDirectory => Lake.TableLocation(Info.TablePath);

    public static async Task<RoundHarness> CreateAsync(TableDescriptor descriptor, long tableId = 7)
    {
        var info = TableInfo.Of(new TablePath("shop", "t" + tableId), tableId, 1, descriptor, null, 0, 0);
        var harness = new RoundHarness(info);
        await harness.Lake.CreateTableAsync(info.TablePath, descriptor);
        return harness;
    }

    public Task<TieringRoundResult> RunAsync(TieringAssignment? table = null, Func<string, CancellationToken, Task>? fault = null, CancellationToken cancellationToken = default)
    {
        var settings = fault is null ? Settings : Settings with { Fault = fault };
        var round = new TieringRound(table ?? Coordinator.Assign(Info.TableId), Coordinator, Log, Lake, settings, NullLogger.Instance);
        return round.RunAsync(cancellationToken);
    }

    /// <summary>Every row of the lake table's latest snapshot.</summary>
    public async Task<List<GenericRow>> LakeRowsAsync()
    {
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, TableDirectory);
        var rows = new List<GenericRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    public async Task<List<long>> LakeIdsAsync() => (await LakeRowsAsync()).Select(r => (long)r[0]!).Order().ToList();

    /// <summary>Data and changelog files present in the table directory.</summary>
    public int ParquetFiles() => Directory.EnumerateFiles(TableDirectory, "*.parquet", SearchOption.AllDirectories).Count();

    public void Dispose() => _dir.Dispose();
}
