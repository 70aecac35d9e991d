using Fluss.Client;
using Fluss.Metadata;

namespace Fluss.Tests.Client.Support;

/// <summary>A fake cluster with one table, a connection to it and the client's handle of the table.</summary>
internal sealed class FakeSession : IAsyncDisposable
{
    private FakeSession(FakeCluster cluster, FakeTable fake, FlussConnection connection, FlussTable table)
    {
        Cluster = cluster;
        Fake = fake;
        Connection = connection;
        Table = table;
    }

    public FakeCluster Cluster { get; }

    public FakeState State => Cluster.State;

    public FakeTable Fake { get; }

    public FlussConnection Connection { get; }

    public FlussTable Table { get; }

    /// <summary>Starts the fake with the table and connects with <see cref="FlussConnectionTests.Fast"/> options, adjusted by <paramref name="configure"/>.</summary>
    public static async Task<FakeSession> StartAsync(TablePath path, TableDescriptor descriptor, Func<FlussClientOptions, FlussClientOptions>? configure = null)
    {
        var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(path, descriptor);
        var options = FlussConnectionTests.Fast(cluster.Address);
        var connection = await FlussConnection.ConnectAsync(configure is null ? options : configure(options));
        return new FakeSession(cluster, fake, connection, await connection.GetTableAsync(path));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
