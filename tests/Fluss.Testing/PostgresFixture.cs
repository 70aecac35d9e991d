namespace Fluss.Testing;

/// <summary>
/// An xunit fixture owning one <see cref="PostgresServer"/>. Share it by a collection: in the test project declare
/// <c>[CollectionDefinition(PostgresFixture.CollectionName)] public sealed class PostgresCollection : ICollectionFixture&lt;PostgresFixture&gt;;</c>
/// and mark test classes <c>[Collection(PostgresFixture.CollectionName)]</c>, taking the fixture in their constructor.
/// Tests that share the server keep apart by creating their own databases (<see cref="PostgresServer.CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    /// <summary>The collection name test projects use for their PostgreSQL collection.</summary>
    public const string CollectionName = "PostgreSQL";

    private PostgresServer? _server;

    /// <summary>The running server.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not been started.");

    /// <summary>Connection string of the server's default database.</summary>
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}
