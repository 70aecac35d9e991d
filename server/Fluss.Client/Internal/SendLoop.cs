using Fluss.Errors;

namespace Fluss.Client.Internal;

/// <summary>
/// A background send loop (of a writer, or of a connection's lookups): runs a step until stopped, with a wake-up
/// signal, and keeps track of the requests the steps started so that stopping waits for them. A step that fails
/// unexpectedly is reported and run again after the back-off.
/// </summary>
internal sealed class SendLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _requests = [];
    private Task? _loop;

    /// <summary>Wakes the loop when it waits for work.</summary>
    public AsyncSignal Wake { get; } = new();

    /// <summary>Starts running <paramref name="step"/> until it returns false or the loop is stopped.</summary>
    public void Start(Func<CancellationToken, Task<bool>> step, TimeSpan backoff, Action<Exception> onFailure) =>
        _loop = Task.Run(() => RunAsync(step, backoff, onFailure));

    /// <summary>A request the loop started; stopping waits for it.</summary>
    public void Track(Task request)
    {
        lock (_lock) _requests.Add(request);
        _ = request.ContinueWith(t =>
        {
            lock (_lock) _requests.Remove(t);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Stops the loop (cancelling what it waits for) and waits for it and its requests.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Wake.Set();
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        Task[] requests;
        lock (_lock) requests = [.. _requests];
        try
        {
            await Task.WhenAll(requests).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or FlussException)
        {
        }
        _stop.Dispose();
    }

    private async Task RunAsync(Func<CancellationToken, Task<bool>> step, TimeSpan backoff, Action<Exception> onFailure)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (!await step(token).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                onFailure(e);
                try
                {
                    await Task.Delay(backoff, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
