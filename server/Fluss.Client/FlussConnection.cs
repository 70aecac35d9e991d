using System.Collections.Concurrent;
using Fluss.Client.Internal;
using Fluss.Client.Lookup;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Client;

/// <summary>
/// A connection to a Fluss cluster: the servers are learned from the bootstrap servers, connections (one HTTP/2
/// channel per server) are reused, and table metadata is cached and refreshed when it turns out stale. Disposing
/// closes the writers (delivering what they buffer) and scanners made from it, and fails lookups not yet answered.
/// </summary>
public sealed class FlussConnection : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly ConcurrentDictionary<object, byte> _resources = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lookupsLock = new();
    private LookupClient? _lookups;
    private int _disposed;

    private FlussConnection(ClientContext context)
    {
        _context = context;
        Admin = new FlussAdmin(context);
    }

    public FlussClientOptions Options => _context.Options;

    public FlussAdmin Admin { get; }

    /// <summary>Connects with the given options.</summary>
    /// <exception cref="InvalidConfigException">The options are invalid.</exception>
    /// <exception cref="FlussException">NETWORK naming the bootstrap servers when none answers within the request timeout.</exception>
    public static async Task<FlussConnection> ConnectAsync(FlussClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var context = new ClientContext(options);
        try
        {
            await context.Metadata.BootstrapAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            context.Dispose();
            throw;
        }
        return new FlussConnection(context);
    }

    /// <summary>Connects to <paramref name="bootstrapServers"/> (comma-separated host:port) with default options.</summary>
    public static Task<FlussConnection> ConnectAsync(string bootstrapServers, CancellationToken cancellationToken = default) =>
        ConnectAsync(new FlussClientOptions { BootstrapServers = bootstrapServers }, cancellationToken);

    /// <summary>The table with its current metadata.</summary>
    /// <exception cref="TableNotExistException">The table does not exist.</exception>
    public async Task<FlussTable> GetTableAsync(TablePath path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var table = await _context.Metadata.RefreshTableAsync(path, cancellationToken).ConfigureAwait(false);
        return new FlussTable(_context, this, table.Info);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var resource in _resources.Keys.ToList())
        {
            if (resource is IAsyncDisposable disposable) await disposable.DisposeAsync().ConfigureAwait(false);
        }
        LookupClient? lookups;
        lock (_lookupsLock) lookups = _lookups;
        if (lookups is not null) await lookups.DisposeAsync().ConfigureAwait(false);
        _context.Dispose();
    }

    /// <summary>The connection's lookup batching and send loop, started on first use.</summary>
    internal LookupClient Lookups
    {
        get
        {
            lock (_lookupsLock)
            {
                ThrowIfDisposed();
                return _lookups ??= new LookupClient(_context);
            }
        }
    }

    /// <summary>The connection's shared state, for in-repository services that speak RPCs the public API does not offer.</summary>
    internal ClientContext Context => _context;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    internal void Track(object resource) => _resources.TryAdd(resource, 0);

    internal void Forget(object resource) => _resources.TryRemove(resource, out _);
}
