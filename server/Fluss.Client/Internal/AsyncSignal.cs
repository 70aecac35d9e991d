namespace Fluss.Client.Internal;

/// <summary>An auto-reset wake-up signal for one waiting loop: a <see cref="Set"/> is never lost.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Waits until <see cref="Set"/> or the timeout (infinite allowed), then resets.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _signal);
        if (!signal.Task.IsCompleted && timeout != TimeSpan.Zero)
        {
            try
            {
                await signal.Task.WaitAsync(timeout < TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        if (signal.Task.IsCompleted)
            Interlocked.CompareExchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), signal);
    }
}
