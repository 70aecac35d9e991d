namespace Fluss.TabletServer.Replicas;

/// <summary>
/// A level-free wake-up signal: <see cref="WaitTask"/> completes at the next <see cref="Pulse"/>. A waiter takes
/// the task first, then checks its condition, then awaits the task, so no pulse between check and wait is lost.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse.</summary>
    public Task WaitTask => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every current waiter.</summary>
    public void Pulse()
    {
        var fired = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        fired.TrySetResult();
    }
}

/// <summary>Waiting on signals with a deadline measured by a <see cref="TimeProvider"/>.</summary>
internal static class SignalWait
{
    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking it only when one of the signals pulses.
    /// Returns false when the timeout passes first; cancellation ends the wait early with false as well.
    /// </summary>
    public static async Task<bool> WaitUntilAsync(
        Func<bool> condition, Func<IReadOnlyList<Task>> currentSignals, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        while (true)
        {
            var signals = currentSignals();
            if (condition()) return true;
            var remaining = timeout - time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero || cancellationToken.IsCancellationRequested) return false;
            if (!await WaitAnyAsync(signals, remaining, time, cancellationToken).ConfigureAwait(false))
                return condition();
        }
    }

    /// <summary>Waits for any of the tasks; false when the timeout passes or the token is cancelled first.</summary>
    public static async Task<bool> WaitAnyAsync(IReadOnlyList<Task> signals, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, stop.Token);
        var all = new Task[signals.Count + 1];
        for (var i = 0; i < signals.Count; i++) all[i] = signals[i];
        all[^1] = delay;
        var first = await Task.WhenAny(all).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        return first != delay;
    }
}
