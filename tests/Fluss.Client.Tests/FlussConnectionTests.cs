using System.Diagnostics;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Tests.Client.Support;

namespace Fluss.Tests.Client;

public class FlussConnectionTests
{
    internal static FlussClientOptions Fast(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        RequestTimeout = TimeSpan.FromSeconds(5),
        WriterBatchTimeout = TimeSpan.FromMilliseconds(5),
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
        RetryBackoff = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task ConnectAsync_NoServerAnswers_FailsWithinTimeoutNamingTheServers()
    {
        var a = FakeCluster.ClosedPort();
        var b = FakeCluster.ClosedPort();
        var options = Fast($"127.0.0.1:{a},127.0.0.1:{b}") with { RequestTimeout = TimeSpan.FromSeconds(1) };
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<FlussException>(() => FlussConnection.ConnectAsync(options));

        Assert.Equal(FlussErrorCode.Network, error.ErrorCode);
        Assert.Contains($"127.0.0.1:{a}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{b}", error.Message, StringComparison.Ordinal);
        Assert.Contains("bootstrap", error.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ConnectAsync_SecondBootstrapServerAnswers_Connects()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.State.Databases["shop"] = DatabaseDescriptor.Empty;
        await using var connection = await FlussConnection.ConnectAsync(Fast($"127.0.0.1:{FakeCluster.ClosedPort()},{cluster.Address}"));
        Assert.Equal(1, cluster.State.MetadataRequests);
        Assert.Equal(["shop"], await connection.Admin.ListDatabasesAsync());
    }

    [Fact]
    public async Task ConnectAsync_InvalidOptions_FailBeforeConnecting() =>
        await Assert.ThrowsAsync<InvalidConfigException>(() => FlussConnection.ConnectAsync(new FlussClientOptions { BootstrapServers = "nohost" }));

    [Fact]
    public async Task GetTableAsync_MissingTable_ThrowsTableNotExist()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));

        var error = await Assert.ThrowsAsync<TableNotExistException>(() => connection.GetTableAsync(new TablePath("shop", "missing")));
        Assert.Contains("shop.missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTableAsync_ExistingTable_HasItsInfo()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 3));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));

        var table = await connection.GetTableAsync(TestTables.Orders);

        Assert.Equal(TestTables.Orders, table.Path);
        Assert.Equal(100, table.Info.TableId);
        Assert.Equal(3, table.Info.NumBuckets);
        Assert.Equal(["id", "name", "amount"], table.Info.RowType.FieldNames);
    }
}
