using Fluss.Client.Lookup;

namespace Fluss.Tests.Client.Lookup;

public class LookupRoomTests
{
    [Fact]
    public async Task EnterAsync_Full_WaitsForARelease()
    {
        var room = new LookupRoom(2);
        Assert.True(room.EnterAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        Assert.True(room.EnterAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);

        var third = room.EnterAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);

        room.Release();
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, room.Used);
    }

    [Fact]
    public async Task EnterAsync_WaiterCancelled_HoldsNoPlace()
    {
        var room = new LookupRoom(1);
        Assert.True(room.EnterAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        using var cancel = new CancellationTokenSource();
        var cancelled = room.EnterAsync(cancel.Token).AsTask();
        var waiting = room.EnterAsync(CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        room.Release();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, room.Used);
        Assert.False(room.EnterAsync(CancellationToken.None).AsTask().IsCompleted, "the room is full again");
    }

    [Fact]
    public async Task EnterAsync_ManyConcurrentCallers_NeverMoreInsideThanTheCapacity()
    {
        const int Capacity = 4;
        var room = new LookupRoom(Capacity);
        var inside = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await room.EnterAsync(CancellationToken.None);
                var now = Interlocked.Increment(ref inside);
                var seen = Volatile.Read(ref most);
                while (now > seen && Interlocked.CompareExchange(ref most, now, seen) != seen) seen = Volatile.Read(ref most);
                if (i % 16 == 0) await Task.Yield();
                Interlocked.Decrement(ref inside);
                room.Release();
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.InRange(most, 1, Capacity);
        Assert.Equal(0, room.Used);
    }
}
