using Fluss.Tiering.Internal;
using Hangfire;

namespace Fluss.Tiering;

/// <summary>
/// The Hangfire jobs of the tiering service. Hangfire stores calls of these methods (type, method and arguments) and
/// a worker of any tiering process on the same job storage runs them on that process's own service. Not meant to be
/// called directly.
/// </summary>
[ShortRetention]
public sealed class TieringJobs
{
    private readonly TieringWorker _worker;

    internal TieringJobs(TieringWorker worker) => _worker = worker;

    /// <summary>Recurring: asks the coordinator for tables due for tiering and queues one round per table.</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task PollAsync(CancellationToken cancellationToken) => _worker.PollAsync(cancellationToken);

    /// <summary>One tiering round of a table the coordinator handed out with <paramref name="tieringEpoch"/>.</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task TierTableAsync(long tableId, string database, string table, long tieringEpoch, int coordinatorEpoch, CancellationToken cancellationToken) =>
        _worker.TierTableAsync(new TieringAssignment(tableId, new Metadata.TablePath(database, table), tieringEpoch, coordinatorEpoch), cancellationToken);
}
