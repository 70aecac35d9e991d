using Fluss.MetadataStore;

namespace Fluss.Tests.MetadataStore;

/// <summary>A store implementation under test, for <see cref="MetadataStoreContractTests"/>.</summary>
public interface IMetadataStoreTestTarget : IAsyncDisposable
{
    /// <summary>Opens a new session on the store under test.</summary>
    Task<IMetadataStore> OpenSessionAsync(TimeSpan? sessionTimeout = null);

    /// <summary>Makes the store expire a session, as it does when the session misses its heartbeats.</summary>
    Task ExpireSessionAsync(IMetadataStore session);
}
