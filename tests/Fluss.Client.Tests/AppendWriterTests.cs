using Fluss.Arrow;
using Fluss.Client;
using Fluss.Client.Writer;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Tests.Client.Support;
using Fluss.Types;
using static Fluss.Tests.Client.FlussConnectionTests;

namespace Fluss.Tests.Client;

/// <summary>The writer against an in-process fake cluster, with faults injected at the RPC boundary.</summary>
public class AppendWriterTests
{
    private static GenericRow Row(int i) => GenericRow.Of(i, "name-" + i, (long)i * 10);

    private static List<GenericRow> StoredRows(FakeLog log, RowType rowType) =>
        log.Batches.SelectMany(b => new LogRecordBatch(b).ReadRows(rowType)).Select(r => r.Row).ToList();

    [Fact]
    public async Task AppendAsync_ThenFlush_RowsStoredOnceWithTheirOffsets()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 3));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { NoKeyAssigner = BucketAssignerKind.RoundRobin });
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var tasks = Enumerable.Range(0, 90).Select(i => writer.AppendAsync(Row(i))).ToList();
        await writer.FlushAsync();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(90, fake.Logs.Sum(l => l.RowCount));
        for (var b = 0; b < 3; b++)
        {
            var offsets = results.Where(r => r.Bucket == b).Select(r => r.BaseOffset).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets);
            var stored = StoredRows(fake.Logs[b], table.Info.RowType);
            var expected = results.Select((r, i) => (r, i)).Where(x => x.r.Bucket == b).Select(x => Row(x.i));
            Assert.Equal(expected, stored);
        }
        Assert.Equal(1, cluster.State.InitWriterRequests);
        var first = new LogRecordBatch(fake.Logs[0].Batches[0]);
        Assert.Equal(1, first.WriterId);
        Assert.Equal(0, first.BatchSequence);
        Assert.Equal(1, first.SchemaId);
    }

    [Fact]
    public async Task AppendAsync_NotLeaderOnFirstProduce_RefreshesMetadataAndResends()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        cluster.State.ProduceFault = (_, attempt) => attempt == 1 ? FlussErrorCode.NotLeaderOrFollower : null;
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        var metadataBefore = cluster.State.MetadataRequests;
        await using var writer = table.NewAppendWriter();

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => writer.AppendAsync(Row(i))));

        Assert.Equal([0L, 1, 2, 3, 4], results.Select(r => r.BaseOffset));
        Assert.Equal(Enumerable.Range(0, 5).Select(Row), StoredRows(fake.Logs[0], table.Info.RowType));
        Assert.True(cluster.State.MetadataRequests > metadataBefore, "the client refreshes its metadata after NOT_LEADER_OR_FOLLOWER");
        Assert.Equal(2, cluster.State.ProduceAttempts[0]);
    }

    [Fact]
    public async Task AppendAsync_ResponseLostAfterAppend_ResendIsDeduplicated()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        cluster.State.DropProduceResponses = 1;
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => writer.AppendAsync(Row(i))));
        await writer.FlushAsync();

        Assert.True(cluster.State.ProduceAttempts[0] >= 2, "the batch was sent again");
        Assert.Equal(Enumerable.Range(0, 4).Select(Row), StoredRows(fake.Logs[0], table.Info.RowType));
        Assert.Equal([0L, 1, 2, 3], results.Select(r => r.BaseOffset));
    }

    [Fact]
    public async Task AppendAsync_NonIdempotentResendAfterLostResponse_DuplicatesAsFlussDoes()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        cluster.State.DropProduceResponses = 1;
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { EnableIdempotence = false });
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        await writer.AppendAsync(Row(1));

        Assert.Equal(0, cluster.State.InitWriterRequests);
        Assert.Equal([Row(1), Row(1)], StoredRows(fake.Logs[0], table.Info.RowType));
        Assert.Equal(LogRecordBatchFormat.NoWriterId, new LogRecordBatch(fake.Logs[0].Batches[0]).WriterId);
    }

    [Fact]
    public async Task AppendAsync_NonRetriableError_FaultsRowsAndFlushThrows()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        cluster.State.ProduceFault = (_, attempt) => attempt == 1 ? FlussErrorCode.RecordTooLarge : null;
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { WriterBatchTimeout = TimeSpan.FromSeconds(10) });
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var rejected = Enumerable.Range(0, 3).Select(i => writer.AppendAsync(Row(i))).ToList();
        var flush = await Assert.ThrowsAsync<RecordTooLargeException>(() => writer.FlushAsync());
        foreach (var t in rejected) Assert.Same(flush, await Assert.ThrowsAsync<RecordTooLargeException>(() => t));

        // Later rows start again at batch sequence 0, which the server expects since it never took the first batch.
        var accepted = await writer.AppendAsync(Row(7));
        await writer.FlushAsync();
        Assert.Equal(0, accepted.BaseOffset);
        Assert.Equal([Row(7)], StoredRows(fake.Logs[0], table.Info.RowType));
        Assert.Equal(0, new LogRecordBatch(fake.Logs[0].Batches[0]).BatchSequence);
    }

    [Fact]
    public async Task AppendAsync_TinyBufferMemory_BackPressureStillDeliversEverything()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 2));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { WriterBufferMemory = 4096, WriterBatchSize = 1024 });
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var tasks = Enumerable.Range(0, 400).Select(i => writer.AppendAsync(Row(i))).ToList();
        await writer.FlushAsync();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(400, fake.Logs.Sum(l => l.RowCount));
        Assert.Equal(400, results.Select(r => (r.Bucket, r.BaseOffset)).Distinct().Count());
        var stored = fake.Logs.SelectMany(l => StoredRows(l, table.Info.RowType)).Select(r => r.GetInt(0)).Order();
        Assert.Equal(Enumerable.Range(0, 400), stored);
    }

    [Fact]
    public async Task AppendAsync_AcksZero_OffsetsUnknown()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { WriterAcks = 0, EnableIdempotence = false });
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var result = await writer.AppendAsync(Row(1));

        Assert.Equal(new AppendResult(0, -1), result);
        Assert.Equal(1, fake.Logs[0].RowCount);
    }

    [Fact]
    public async Task AppendAsync_UnknownBucketOnce_RetriesAfterRefresh()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        cluster.State.ProduceFault = (_, attempt) => attempt <= 2 ? FlussErrorCode.UnknownTableOrBucket : null;
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        Assert.Equal(0, (await writer.AppendAsync(Row(1))).BaseOffset);
        Assert.Equal(3, cluster.State.ProduceAttempts[0]);
        Assert.Equal(1, fake.Logs[0].RowCount);
    }

    [Fact]
    public async Task AppendAsync_InvalidRow_ThrowsBeforeBuffering()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var error = Assert.Throws<ArgumentException>(() => { _ = writer.AppendAsync(GenericRow.Of(null, "x", 1L)); });
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
        await writer.FlushAsync();
        Assert.Equal(0, cluster.State.ProduceRequests);
    }

    /// <summary>Rows of shop.orders (id INT NOT NULL, name STRING, amount BIGINT) that do not fit it.</summary>
    public static TheoryData<object?[], string> InvalidOrders() => new()
    {
        { [1, "x", 10], "'amount'" },
        { [null, "x", 1L], "'id'" },
        { ["1", "x", 1L], "'id'" },
        { [1, 5, 1L], "'name'" },
        { [1, "x"], "2 fields" },
        { [1, "x", 1L, 2], "4 fields" },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task AppendAsync_NonGenericRowWithInvalidValue_ValidatorsMessageAndWriterStillUsable(object?[] values, string names)
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { WriterBatchTimeout = TimeSpan.FromSeconds(10) });
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        var bad = new ViewRow(GenericRow.Of(values));
        var expected = Assert.Throws<ArgumentException>(() => new RowValidator(table.Info.RowType, table.Info.TablePath.ToString()).Validate(bad));

        var first = Enumerable.Range(0, 2).Select(i => writer.AppendAsync(new ViewRow(Row(i)))).ToList();
        var error = Assert.Throws<ArgumentException>(() => { _ = writer.AppendAsync(bad); });
        var rest = Enumerable.Range(2, 3).Select(i => writer.AppendAsync(new ViewRow(Row(i)))).ToList();
        await writer.FlushAsync();

        Assert.Equal(expected.Message, error.Message);
        Assert.Equal("row", error.ParamName);
        Assert.Contains(names, error.Message, StringComparison.Ordinal);
        Assert.Contains("shop.orders", error.Message, StringComparison.Ordinal);
        // The rows around the rejected one went into the same batch, with consecutive offsets.
        Assert.Equal([0L, 1, 2, 3, 4], (await Task.WhenAll(first.Concat(rest))).Select(r => r.BaseOffset));
        Assert.Equal(Enumerable.Range(0, 5).Select(Row), StoredRows(fake.Logs[0], table.Info.RowType));
        Assert.Single(fake.Logs[0].Batches);
    }

    [Fact]
    public async Task AppendAsync_NonGenericRow_EachValueReadOnce()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        var row = new ViewRow(Row(7));

        await writer.AppendAsync(row);

        Assert.Equal(3, row.Reads);
        Assert.Equal([Row(7)], StoredRows(fake.Logs[0], table.Info.RowType));
    }

    [Fact]
    public async Task AppendAsync_NonGenericRowTableWithBucketKey_KeyCheckedBeforeHashingAndFirstBadColumnNamed()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 16, ["amount"]));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        var validator = new RowValidator(table.Info.RowType, table.Info.TablePath.ToString());

        // Bucket key 'amount' invalid: named, not hashed.
        var badKey = new ViewRow(GenericRow.Of(1, "x", 10));
        var keyError = Assert.Throws<ArgumentException>(() => { _ = writer.AppendAsync(badKey); });
        Assert.Equal(Assert.Throws<ArgumentException>(() => validator.Validate(badKey)).Message, keyError.Message);
        Assert.Contains("'amount'", keyError.Message, StringComparison.Ordinal);

        // Both 'id' and the key invalid: the first column is named, as when the whole row is checked at once.
        var both = new ViewRow(GenericRow.Of("1", "x", 10));
        var bothError = Assert.Throws<ArgumentException>(() => { _ = writer.AppendAsync(both); });
        Assert.Contains("'id'", bothError.Message, StringComparison.Ordinal);
        Assert.Equal(Assert.Throws<ArgumentException>(() => validator.Validate(both)).Message, bothError.Message);

        // A valid row goes to the bucket of its key, like the same values as a GenericRow.
        var viaView = await writer.AppendAsync(new ViewRow(GenericRow.Of(1, "a", 1000L)));
        var viaGeneric = await writer.AppendAsync(GenericRow.Of(2, "b", 1000L));
        Assert.Equal(viaGeneric.Bucket, viaView.Bucket);
        Assert.Equal(2, fake.Logs[viaView.Bucket].RowCount);
        Assert.Equal(2, fake.Logs.Sum(l => l.RowCount));
    }

    [Fact]
    public async Task AppendAsync_TableWithBucketKey_RowGoesToHashedBucket()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 16, ["id"]));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();

        var result = await writer.AppendAsync(GenericRow.Of(1000, "a", 1L));

        Assert.Equal(3, result.Bucket);
        Assert.Equal(1, fake.Logs[3].RowCount);
    }

    [Fact]
    public async Task AppendBatchAsync_ArrowBatch_StoredAsOneLogBatch()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 2));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        using var builder = new ArrowBatchBuilder(table.Info.RowType);
        for (var i = 0; i < 10; i++) builder.Append(Row(i));
        using var records = builder.Build();

        var result = await writer.AppendBatchAsync(records, bucket: 1);

        Assert.Equal(new AppendResult(1, 0), result);
        var stored = Assert.Single(fake.Logs[1].Batches);
        Assert.Equal(10, new LogRecordBatch(stored).RecordCount);
        Assert.Equal(Enumerable.Range(0, 10).Select(Row), StoredRows(fake.Logs[1], table.Info.RowType));
    }

    [Fact]
    public async Task AppendBatchAsync_WrongColumnType_NamesColumn()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 2));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        var wrongType = RowType.Of(("id", new IntType(false)), ("name", new StringType()), ("amount", new IntType()));
        using var builder = new ArrowBatchBuilder(wrongType);
        builder.Append(GenericRow.Of(1, "a", 2));
        using var records = builder.Build();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendBatchAsync(records));
        Assert.Contains("'amount'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendBatchAsync_KeyTableRowsOfDifferentBuckets_Refused()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 16, ["id"]));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        using var builder = new ArrowBatchBuilder(table.Info.RowType);
        builder.Append(GenericRow.Of(1000, "a", 1L));
        builder.Append(GenericRow.Of(1, "b", 2L));
        using var records = builder.Build();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendBatchAsync(records));
        Assert.Contains("different buckets", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendBatchAsync(records, bucket: 3));
    }

    [Fact]
    public async Task DisposeAsync_DeliversBufferedRows()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var fake = cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 1));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address) with { WriterBatchTimeout = TimeSpan.FromMinutes(1) });
        var table = await connection.GetTableAsync(TestTables.Orders);
        var writer = table.NewAppendWriter();
        var pending = writer.AppendAsync(Row(5));

        await writer.DisposeAsync();

        Assert.Equal(new AppendResult(0, 0), await pending);
        Assert.Equal([Row(5)], StoredRows(fake.Logs[0], table.Info.RowType));
        Assert.Throws<ObjectDisposedException>(() => { _ = writer.AppendAsync(Row(6)); });
    }

    [Fact]
    public async Task NewAppendWriter_PrimaryKeyTable_IsRefused()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var schema = Schema.NewBuilder().Column("id", new IntType(false)).Column("v", new StringType()).PrimaryKey("id").Build();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(schema, 1, ["id"]));
        await using var connection = await FlussConnection.ConnectAsync(Fast(cluster.Address));
        var table = await connection.GetTableAsync(TestTables.Orders);

        var error = Assert.Throws<InvalidTableException>(table.NewAppendWriter);
        Assert.Contains("primary key", error.Message, StringComparison.Ordinal);
    }
}
