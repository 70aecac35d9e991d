using Fluss.Lake;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Fluss.Tiering.Internal;

/// <summary>What the jobs of one tiering service run: claiming tables and tiering them.</summary>
internal sealed class TieringWorker
{
    /// <summary>Tables claimed by one poll at most.</summary>
    private const int MaxClaimsPerPoll = 8;

    private readonly ITieringCoordinator _coordinator;
    private readonly ITieringLogSource _logs;
    private readonly ILakeStorage _lake;
    private readonly RoundSettings _settings;
    private readonly ILogger _log;
    private readonly Func<JobStorage> _storage;

    public TieringWorker(ITieringCoordinator coordinator, ITieringLogSource logs, ILakeStorage lake, RoundSettings settings, ILogger log, Func<JobStorage> storage)
    {
        _coordinator = coordinator;
        _logs = logs;
        _lake = lake;
        _settings = settings;
        _log = log;
        _storage = storage;
    }

    /// <summary>Raised after every round (tests and measurements).</summary>
    public event Action<TieringRoundResult>? RoundCompleted;

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var storage = _storage();
        var free = Math.Min(MaxClaimsPerPoll, HangfireSetup.FreeRoundWorkers(storage));
        for (var i = 0; i < free; i++)
        {
            TieringAssignment? table;
            try
            {
                table = await _coordinator.RequestTableAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Errors.FlussException or HttpRequestException)
            {
                TieringLog.PollFailed(_log, e.Message);
                return;
            }
            if (table is null) return;
            TieringLog.Claimed(_log, table.Path, table.TableId, table.TieringEpoch);
            try
            {
                HangfireSetup.EnqueueRound(storage, table);
            }
            catch
            {
                // The table would otherwise stay assigned to nobody until the coordinator's heartbeat timeout.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _coordinator.ReportAsync(table, RoundReport.Failed, default, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception report) when (report is Errors.FlussException or OperationCanceledException)
                {
                    TieringLog.ReportFailed(_log, table.Path, table.TieringEpoch, report.Message);
                }
                throw;
            }
        }
    }

    public async Task TierTableAsync(TieringAssignment table, CancellationToken cancellationToken)
    {
        var round = new TieringRound(table, _coordinator, _logs, _lake, _settings, _log);
        var result = await round.RunAsync(cancellationToken).ConfigureAwait(false);
        TieringMetrics.Record(result);
        RoundCompleted?.Invoke(result);
    }
}
