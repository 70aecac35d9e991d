using Fluss.Errors;
using Fluss.Storage.Log;
using Microsoft.Extensions.Logging;

namespace Fluss.TabletServer;

/// <summary>
/// The tablet server's periodic work on the injected clock: high-watermark checkpoints
/// (<c>log.replica.high-watermark.checkpoint-interval</c>), recovery-point checkpoints
/// (<c>log.flush.offset.checkpoint-interval</c>), TTL retention by each table's <c>table.log.ttl</c>
/// (<c>log.retention.check-interval</c>) and expiry of idle idempotent writers
/// (<c>server.writer-id.expiration-check-interval</c>). Runs never overlap; after <see cref="DisposeAsync"/> none runs.
/// </summary>
internal sealed class BackgroundTasks : IAsyncDisposable
{
    private readonly TabletServerSettings _settings;
    private readonly LogManager _logManager;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _runLock = new();
    private readonly List<ITimer> _timers = [];
    private bool _stopped;

    public BackgroundTasks(TabletServerSettings settings, LogManager logManager, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _logManager = logManager;
        _time = time;
        _logger = logger;
    }

    public void Start()
    {
        lock (_runLock)
        {
            if (_stopped || _timers.Count > 0) return;
            Schedule("high-watermark checkpoint", _settings.HighWatermarkCheckpointInterval, CheckpointHighWatermarks);
            Schedule("recovery-point checkpoint", _settings.RecoveryPointCheckpointInterval, _logManager.CheckpointRecoveryPoints);
            Schedule("log retention", _settings.RetentionCheckInterval, () => RunRetention());
            Schedule("writer expiry", _settings.WriterIdExpirationCheckInterval, ExpireWriters);
        }
    }

    /// <summary>Writes the high-watermark checkpoint now.</summary>
    public void CheckpointHighWatermarks() => _logManager.CheckpointHighWatermarks();

    /// <summary>One TTL retention pass now; returns the number of segments deleted.</summary>
    public int RunRetention()
    {
        var deleted = _logManager.DeleteExpiredSegments();
        if (deleted > 0) _logger.RetentionDeleted(deleted);
        return deleted;
    }

    private void ExpireWriters()
    {
        var removed = _logManager.RemoveExpiredWriters();
        if (removed > 0) _logger.WritersExpired(removed);
    }

    private void Schedule(string name, TimeSpan period, Action action) =>
        _timers.Add(_time.CreateTimer(_ => Run(name, action), null, period, period));

    private void Run(string name, Action action)
    {
        lock (_runLock)
        {
            if (_stopped) return;
            try
            {
                action();
            }
            catch (Exception e) when (e is IOException or FlussException or UnauthorizedAccessException or ObjectDisposedException or InvalidOperationException)
            {
                _logger.BackgroundTaskFailed(name, e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ITimer[] timers;
        lock (_runLock)
        {
            _stopped = true;
            timers = [.. _timers];
            _timers.Clear();
        }
        foreach (var timer in timers) await timer.DisposeAsync().ConfigureAwait(false);
    }
}
