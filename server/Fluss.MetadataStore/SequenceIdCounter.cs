using System.Buffers.Binary;

namespace Fluss.MetadataStore;

/// <summary>
/// A cluster-wide counter in one node, as Fluss allocates table, partition, writer, KV-snapshot and auto-increment
/// ids (Fluss's <c>ZkSequenceIDCounter</c> over Curator's <c>DistributedAtomicLong</c>): the node holds the value as
/// 8 bytes big-endian; a missing or empty node counts as 0. An increment reads the value with its version and
/// writes value + delta conditioned on that version (creating the node, and its parents, when missing), retrying on
/// a conflict. <see cref="GetAndIncrementAsync"/> returns the value before the increment, so the first id is 0.
/// </summary>
public sealed class SequenceIdCounter
{
    private const int MaxAttempts = 64;
    private readonly IMetadataStore _store;

    public SequenceIdCounter(IMetadataStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        MetadataPath.Validate(path);
        _store = store;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The current value (0 when the node does not exist).</summary>
    public async Task<long> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        var data = await _store.TryGetAsync(Path, null, cancellationToken).ConfigureAwait(false);
        return data is null ? 0 : Decode(Path, data.Data);
    }

    /// <summary>Atomically adds 1 and returns the previous value.</summary>
    public Task<long> GetAndIncrementAsync(CancellationToken cancellationToken = default) => GetAndAddAsync(1, cancellationToken);

    /// <summary>Atomically adds <paramref name="delta"/> and returns the previous value.</summary>
    public async Task<long> GetAndAddAsync(long delta, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await _store.TryGetAsync(Path, null, cancellationToken).ConfigureAwait(false);
            var previous = current is null ? 0 : Decode(Path, current.Data);
            var next = Encode(previous + delta);
            try
            {
                if (current is null)
                    await _store.CreateRecursiveAsync(Path, next, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
                else
                    await _store.SetAsync(Path, next, current.Stat.Version, cancellationToken).ConfigureAwait(false);
                return previous;
            }
            catch (MetadataStoreException e) when (e.Code is MetadataStoreErrorCode.BadVersion or MetadataStoreErrorCode.NodeExists or MetadataStoreErrorCode.NoNode)
            {
                if (attempt >= MaxAttempts)
                    throw new MetadataStoreException(e.Code, Path, $"failed to increment the sequence id counter {Path}: {MaxAttempts} attempts lost to concurrent updates", e);
                // Lost a race with another incrementer: back off a little (longer the more we lose), then retry.
                await Task.Delay(Random.Shared.Next(0, Math.Min(attempt, 10) + 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The node content for a value: 8 bytes, big-endian.</summary>
    public static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>The value of a counter node; empty data is 0.</summary>
    public static long Decode(string path, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return 0;
        if (data.Length < 8)
            throw new MetadataStoreException(MetadataStoreErrorCode.DataInconsistency, path, $"counter node {path} holds {data.Length} bytes; expected 8 (big-endian long)");
        return BinaryPrimitives.ReadInt64BigEndian(data);
    }
}
