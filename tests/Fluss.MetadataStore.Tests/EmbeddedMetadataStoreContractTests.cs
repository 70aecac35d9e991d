using Fluss.MetadataStore;

namespace Fluss.Tests.MetadataStore;

/// <summary>An embedded store as a contract test target; sessions are expired through the store.</summary>
public sealed class EmbeddedTestTarget(EmbeddedMetadataStore store, IDisposable? owned = null) : IMetadataStoreTestTarget
{
    public EmbeddedMetadataStore Store { get; } = store;

    public Task<IMetadataStore> OpenSessionAsync(TimeSpan? sessionTimeout = null) =>
        Store.OpenSessionAsync(new MetadataSessionOptions { SessionTimeout = sessionTimeout ?? MetadataSessionOptions.DefaultSessionTimeout });

    public Task ExpireSessionAsync(IMetadataStore session) => Store.ExpireSessionAsync(session.SessionId);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        owned?.Dispose();
    }

    public static async Task<IMetadataStoreTestTarget> InMemoryAsync() =>
        new EmbeddedTestTarget(await EmbeddedMetadataStore.OpenAsync(new EmbeddedMetadataStoreOptions()));

    public static async Task<IMetadataStoreTestTarget> DurableAsync()
    {
        var dir = new TempDirectory();
        return new EmbeddedTestTarget(await EmbeddedMetadataStore.OpenAsync(new EmbeddedMetadataStoreOptions { Directory = dir.Path, SnapshotAfterRecords = 50 }), dir);
    }
}

/// <summary>The contract against the in-memory embedded store.</summary>
public sealed class EmbeddedInMemoryMetadataStoreContractTests() : MetadataStoreContractTests(EmbeddedTestTarget.InMemoryAsync);

/// <summary>The contract against the durable embedded store (log, fsync, snapshots every 50 records).</summary>
public sealed class EmbeddedDurableMetadataStoreContractTests() : MetadataStoreContractTests(EmbeddedTestTarget.DurableAsync);
