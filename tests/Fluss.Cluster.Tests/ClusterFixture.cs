using Fluss.Client;
using Fluss.Testing;

namespace Fluss.Cluster.Tests;

/// <summary>One in-process cluster (3 tablet servers) shared by the tests of a class; each test uses its own tables.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private TestCluster? _cluster;
    private FlussConnection? _connection;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public FlussConnection Connection => _connection ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(tabletServers: 3);
        _connection = await _cluster.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    private static int s_counter;

    /// <summary>A fresh database name for one test.</summary>
    public static string NewDatabaseName(string prefix) => $"{prefix}_{Interlocked.Increment(ref s_counter)}";
}
