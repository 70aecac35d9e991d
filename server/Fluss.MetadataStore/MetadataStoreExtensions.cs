namespace Fluss.MetadataStore;

/// <summary>Recipes on top of <see cref="IMetadataStore"/> that work the same on every implementation.</summary>
public static class MetadataStoreExtensions
{
    /// <summary>
    /// Creates a node, first creating any missing ancestors as empty persistent nodes (Curator's
    /// <c>creatingParentsIfNeeded</c>). Ancestors created concurrently by others are fine; the node itself must not
    /// exist (<see cref="MetadataStoreErrorCode.NodeExists"/>). Returns the actual path.
    /// </summary>
    public static async Task<string> CreateRecursiveAsync(this IMetadataStore store, string path, ReadOnlyMemory<byte> data,
        CreateMode mode = CreateMode.Persistent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        MetadataPath.Validate(path, mode.IsSequential());
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await store.CreateAsync(path, data, mode, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode && attempt < 3)
            {
                // A parent is missing (or was deleted concurrently): create the ancestors, then try again.
                await EnsurePathAsync(store, MetadataPath.Parent(path.EndsWith('/') ? path + "x" : path), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Makes sure the node and all its ancestors exist, creating missing ones as empty persistent nodes.</summary>
    public static async Task EnsurePathAsync(this IMetadataStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        MetadataPath.Validate(path);
        if (path == MetadataPath.Root) return;
        if (await store.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false) is not null) return;
        var at = 0;
        while (at >= 0)
        {
            at = path.IndexOf('/', at + 1);
            var prefix = at < 0 ? path : path[..at];
            try
            {
                await store.CreateAsync(prefix, ReadOnlyMemory<byte>.Empty, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NodeExists)
            {
                // there already, perhaps created concurrently
            }
        }
    }

    /// <summary>
    /// Deletes a node and everything below it (Curator's <c>deletingChildrenIfNeeded</c>): children first, then the
    /// node with <paramref name="expectedVersion"/>. Not atomic: concurrent creations below the node are retried a few
    /// times. Returns false when the node did not exist.
    /// </summary>
    public static async Task<bool> DeleteRecursiveAsync(this IMetadataStore store, string path, int expectedVersion = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        MetadataPath.Validate(path);
        for (var attempt = 0; ; attempt++)
        {
            IReadOnlyList<string> children;
            try
            {
                children = await store.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
            {
                return false;
            }
            foreach (var child in children)
                await DeleteRecursiveAsync(store, MetadataPath.Combine(path, child), -1, cancellationToken).ConfigureAwait(false);
            try
            {
                await store.DeleteAsync(path, expectedVersion, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
            {
                return false;
            }
            catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NotEmpty && attempt < 5)
            {
                // a child appeared meanwhile: go again
            }
        }
    }

    /// <summary>The node's data and stat, or null when it does not exist.</summary>
    public static async Task<NodeData?> TryGetAsync(this IMetadataStore store, string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            return await store.GetAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NoNode)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts a cache of the subtree at <paramref name="path"/> that keeps itself current with one-shot watches and
    /// reports every change as a <see cref="TreeCacheEvent"/> (Curator's <c>CuratorCache</c>). See <see cref="MetadataTreeCache"/>.
    /// </summary>
    public static Task<MetadataTreeCache> WatchTreeAsync(this IMetadataStore store, string path, int? maxDepth = null, CancellationToken cancellationToken = default) =>
        MetadataTreeCache.StartAsync(store, path, maxDepth, cancellationToken);
}
