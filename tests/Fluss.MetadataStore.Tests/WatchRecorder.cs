using System.Threading.Channels;
using Fluss.MetadataStore;

namespace Fluss.Tests.MetadataStore;

/// <summary>Collects the events of one watcher delegate so tests can await them.</summary>
public sealed class WatchRecorder
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>();

    public WatchRecorder() => Watcher = e => _events.Writer.TryWrite(e);

    /// <summary>The delegate to pass to reads; the same instance every time, so the store deduplicates it.</summary>
    public Action<WatchEvent> Watcher { get; }

    public async Task<WatchEvent> NextAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no watch event within {Timeout}");
        }
    }

    /// <summary>Events received so far and not yet taken.</summary>
    public List<WatchEvent> Drain()
    {
        var list = new List<WatchEvent>();
        while (_events.Reader.TryRead(out var e)) list.Add(e);
        return list;
    }
}
