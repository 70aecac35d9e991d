namespace Fluss.Tests.Coordinator.Support;

/// <summary>Polls a condition until it holds or a deadline passes (tests never sleep a fixed time).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T last;
        while (true)
        {
            last = await read();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}; last value: {last}");
            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        ValueAsync(() => Task.FromResult(condition()), ok => ok, what, timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ValueAsync(condition, ok => ok, what, timeout);
}
