using Fluss.TabletServer.Replicas;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.TabletServer;

public sealed class AsyncSignalTests
{
    [Fact]
    public async Task Pulse_CompletesCurrentWaitersAndArmsANewWait()
    {
        var signal = new AsyncSignal();
        var before = signal.WaitTask;

        signal.Pulse();

        await before.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(signal.WaitTask.IsCompleted);
        Assert.NotSame(before, signal.WaitTask);
    }

    [Fact]
    public async Task WaitUntilAsync_ConditionMetAfterPulse_ReturnsTrueWithoutTimeout()
    {
        var signal = new AsyncSignal();
        var clock = new FakeTimeProvider();
        var ready = false;

        var wait = SignalWait.WaitUntilAsync(() => ready, () => [signal.WaitTask], TimeSpan.FromMinutes(1), clock, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        ready = true;
        signal.Pulse();

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitUntilAsync_PulsesWithoutCondition_ReturnsFalseWhenTimeoutPasses()
    {
        var signal = new AsyncSignal();
        var clock = new FakeTimeProvider();

        var wait = SignalWait.WaitUntilAsync(() => false, () => [signal.WaitTask], TimeSpan.FromSeconds(10), clock, CancellationToken.None);
        signal.Pulse();
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(11));

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitUntilAsync_Cancelled_ReturnsFalsePromptly()
    {
        var signal = new AsyncSignal();
        using var cts = new CancellationTokenSource();

        var wait = SignalWait.WaitUntilAsync(() => false, () => [signal.WaitTask], TimeSpan.FromHours(1), TimeProvider.System, cts.Token);
        await cts.CancelAsync();

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
