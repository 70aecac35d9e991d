using Fluss.Arrow;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Rows;
using Fluss.Tests.Client.Support;
using static Fluss.Tests.Client.FlussConnectionTests;

namespace Fluss.Tests.Client;

/// <summary>The scanner against an in-process fake cluster.</summary>
public class LogScannerTests
{
    private static GenericRow Row(int i) => GenericRow.Of(i, "name-" + i, (long)i * 10);

    private static async Task<(FakeCluster Cluster, FlussConnection Connection, FlussTable Table)> SetUpAsync(int buckets, int rows, FlussClientOptions? options = null)
    {
        var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), buckets));
        var connection = await FlussConnection.ConnectAsync(options ?? Fast(cluster.Address) with { NoKeyAssigner = BucketAssignerKind.RoundRobin, WriterBatchSize = 450 });
        var table = await connection.GetTableAsync(TestTables.Orders);
        if (rows > 0)
        {
            await using var writer = table.NewAppendWriter();
            for (var i = 0; i < rows; i++) _ = writer.AppendAsync(Row(i));
            await writer.FlushAsync();
        }
        return (cluster, connection, table);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items, int? take = null)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
            if (list.Count == take) break;
        }
        return list;
    }

    [Fact]
    public async Task ReadRecordsAsync_StopAtEnd_ReadsEveryRowOnceThenCompletes()
    {
        var (cluster, connection, table) = await SetUpAsync(3, 60);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });

        var records = await ToListAsync(scanner.ReadRecordsAsync());

        Assert.Equal(Enumerable.Range(0, 60).Select(Row).OrderBy(r => r.GetInt(0)), records.Select(r => (GenericRow)r.Row).OrderBy(r => r.GetInt(0)));
        foreach (var bucket in records.GroupBy(r => r.Bucket))
            Assert.Equal(Enumerable.Range(0, bucket.Count()).Select(i => (long)i), bucket.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal(ChangeType.AppendOnly, r.ChangeType));
        Assert.All(records, r => Assert.True(r.Timestamp >= 1_700_000_000_000));
        Assert.True(cluster.State.FetchRequests.Count > 0);
        Assert.All(cluster.State.FetchRequests, f => Assert.Equal(-1, f.FollowerServerId));
    }

    [Fact]
    public async Task ReadBatchesAsync_Projection_PushedDownInTableOrder_ColumnsInRequestedOrder()
    {
        var (cluster, connection, table) = await SetUpAsync(1, 8);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { Columns = ["amount", "id"], StopAtEnd = true });

        var batches = await ToListAsync(scanner.ReadBatchesAsync());
        var rows = new List<(long Amount, int Id)>();
        foreach (var batch in batches)
        {
            using (batch)
            {
                Assert.Equal(["amount", "id"], batch.RowType.FieldNames);
                var reader = new ArrowRowReader(batch.Batch, batch.RowType);
                for (var i = 0; i < batch.RowCount; i++) rows.Add((reader.GetRow(i).GetLong(0), reader.GetRow(i).GetInt(1)));
            }
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (i * 10L, i)), rows);
        var request = cluster.State.FetchRequests[0].TablesReq[0];
        Assert.True(request.ProjectionPushdownEnabled);
        Assert.Equal([0, 2], request.ProjectedFields);
        Assert.Equal(["amount", "id"], scanner.RowType.FieldNames);
    }

    [Fact]
    public async Task ReadRecordsAsync_StartOffset_SkipsEarlierRecordsOfTheFirstBatch()
    {
        var (cluster, connection, table) = await SetUpAsync(1, 10, null);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { Start = StartPosition.Offset(3), StopAtEnd = true });

        var records = await ToListAsync(scanner.ReadRecordsAsync());

        Assert.Equal(Enumerable.Range(3, 7).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(3, 7).Select(Row), records.Select(r => (GenericRow)r.Row));
        Assert.Equal(3, cluster.State.FetchRequests[0].TablesReq[0].BucketsReq[0].FetchOffset);
    }

    [Fact]
    public async Task ReadRecordsAsync_OffsetOutOfRange_ThrowsTypedError()
    {
        var (cluster, connection, table) = await SetUpAsync(1, 2);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { Start = StartPosition.Offset(50) });

        var error = await Assert.ThrowsAsync<LogOffsetOutOfRangeException>(() => ToListAsync(scanner.ReadRecordsAsync()));
        Assert.Contains("50", error.Message, StringComparison.Ordinal);
        Assert.Contains("bucket 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadRecordsAsync_NotLeaderOnce_RefreshesAndContinues()
    {
        var (cluster, connection, table) = await SetUpAsync(2, 20);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        cluster.State.FetchFault = (bucket, attempt) => bucket == 1 && attempt == 1 ? FlussErrorCode.NotLeaderOrFollower : null;
        var metadataBefore = cluster.State.MetadataRequests;
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });

        var records = await ToListAsync(scanner.ReadRecordsAsync());

        Assert.Equal(20, records.Count);
        Assert.True(cluster.State.MetadataRequests > metadataBefore);
        Assert.True(cluster.State.FetchAttempts[1] >= 2);
    }

    [Fact]
    public async Task ReadRecordsAsync_LatestStart_SeesOnlyRowsWrittenAfterwards()
    {
        var (cluster, connection, table) = await SetUpAsync(1, 5);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { Start = StartPosition.Latest });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reading = ToListAsync(scanner.ReadRecordsAsync(timeout.Token), take: 3);

        await WaitUntil(() => cluster.State.FetchRequests.Count > 0);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 100; i < 103; i++) _ = writer.AppendAsync(Row(i));
            await writer.FlushAsync();
        }
        var records = await reading;

        Assert.Equal([5L, 6, 7], records.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(100, 3).Select(Row), records.Select(r => (GenericRow)r.Row));
    }

    [Fact]
    public async Task ReadRecordsAsync_SecondEnumeration_ContinuesAfterTheLastRecordRead()
    {
        var (cluster, connection, table) = await SetUpAsync(1, 10);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });

        var first = await ToListAsync(scanner.ReadRecordsAsync(), take: 4);
        var rest = await ToListAsync(scanner.ReadRecordsAsync());

        Assert.Equal([0L, 1, 2, 3], first.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), rest.Select(r => r.Offset));
    }

    [Fact]
    public async Task ReadRecordsAsync_TimestampStart_UsesListOffsets()
    {
        var (cluster, connection, table) = await SetUpAsync(1, 0);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using (var writer = table.NewAppendWriter())
        {
            // Three flushes, three log batches: offsets 0-2, 3-5 and 6-9.
            foreach (var (from, count) in new[] { (0, 3), (3, 3), (6, 4) })
            {
                for (var i = from; i < from + count; i++) _ = writer.AppendAsync(Row(i));
                await writer.FlushAsync();
            }
        }
        var batches = cluster.State.Tables[TestTables.Orders].Logs[0].Batches.Select(b => new Records.Log.LogRecordBatch(b)).ToList();
        Assert.Equal([0L, 3, 6], batches.Select(b => b.BaseOffset));
        await using var scanner = table.NewLogScanner(new LogScanOptions { Start = StartPosition.Timestamp(batches[2].CommitTimestamp), StopAtEnd = true });

        var records = await ToListAsync(scanner.ReadRecordsAsync());

        Assert.Equal([6L, 7, 8, 9], records.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal(batches[2].CommitTimestamp, r.Timestamp));
    }

    [Fact]
    public async Task ReadBatchesAsync_StopAtEndOnEmptyTable_CompletesWithoutFetching()
    {
        var (cluster, connection, table) = await SetUpAsync(2, 0);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true, Buckets = [1] });

        Assert.Empty(await ToListAsync(scanner.ReadBatchesAsync()));
        Assert.Empty(cluster.State.FetchRequests);
    }

    [Fact]
    public async Task ReadRecordsAsync_PerBucketStartAndStopOffsets_ReadsExactlyThoseRanges()
    {
        var (cluster, connection, table) = await SetUpAsync(2, 40);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        List<ScanRecord> all;
        await using (var full = table.NewLogScanner(new LogScanOptions { StopAtEnd = true }))
            all = await ToListAsync(full.ReadRecordsAsync());
        var ends = all.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.Max(r => r.Offset) + 1);
        Assert.Equal([0, 1], ends.Keys.Order());
        Assert.All(ends.Values, end => Assert.True(end >= 8, $"each bucket needs a few rows, got {end}"));

        // Bucket 0 from offset 3 (StartOffsets), bucket 1 from the earliest (Start); both stop before their last rows.
        var stops = new Dictionary<int, long> { [0] = ends[0] - 2, [1] = 5 };
        await using var scanner = table.NewLogScanner(new LogScanOptions { StartOffsets = new Dictionary<int, long> { [0] = 3 }, StopOffsets = stops });
        var records = await ToListAsync(scanner.ReadRecordsAsync());

        var expected = all.Where(r => r.Bucket == 0 ? r.Offset >= 3 && r.Offset < stops[0] : r.Offset < stops[1])
            .Select(r => (r.Bucket, r.Offset, (GenericRow)r.Row)).OrderBy(r => r.Bucket).ThenBy(r => r.Offset);
        Assert.Equal(expected, records.Select(r => (r.Bucket, r.Offset, (GenericRow)r.Row)).OrderBy(r => r.Bucket).ThenBy(r => r.Offset));
    }

    /// <summary>Small writer batches, and fetches of one batch per bucket: a scan takes many fetches.</summary>
    private static FlussClientOptions OneBatchPerFetch(FakeCluster cluster) =>
        Fast(cluster.Address) with { NoKeyAssigner = BucketAssignerKind.RoundRobin, WriterBatchSize = 450, FetchMaxBytesForBucket = 1 };

    private static async Task<(FakeCluster Cluster, FlussConnection Connection, FlussTable Table)> SetUpOneBatchPerFetchAsync(int buckets, int rows)
    {
        var cluster = await FakeCluster.StartAsync();
        cluster.State.AddTable(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), buckets));
        var connection = await FlussConnection.ConnectAsync(OneBatchPerFetch(cluster));
        var table = await connection.GetTableAsync(TestTables.Orders);
        await using var writer = table.NewAppendWriter();
        for (var i = 0; i < rows; i++) _ = writer.AppendAsync(Row(i));
        await writer.FlushAsync();
        return (cluster, connection, table);
    }

    private static List<Records.Log.LogRecordBatch> StoredBatches(FakeCluster cluster, int bucket)
    {
        lock (cluster.State.Lock)
            return cluster.State.Tables[TestTables.Orders].Logs[bucket].Batches.Select(b => new Records.Log.LogRecordBatch(b)).ToList();
    }

    [Fact]
    public async Task ReadRecordsAsync_StopOffsetsAcrossManyFetches_ReturnsExactlyTheRangeInOffsetOrder()
    {
        var (cluster, connection, table) = await SetUpOneBatchPerFetchAsync(2, 80);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        List<ScanRecord> all;
        await using (var full = table.NewLogScanner(new LogScanOptions { StopAtEnd = true }))
            all = await ToListAsync(full.ReadRecordsAsync());
        Assert.Equal(80, all.Count);
        var batches0 = StoredBatches(cluster, 0);
        var batches1 = StoredBatches(cluster, 1);
        Assert.True(batches0.Count >= 5 && batches1.Count >= 5, $"each bucket needs several batches, got {batches0.Count} and {batches1.Count}");
        Assert.True(batches0[3].RecordCount >= 2, "the stop offset should fall inside a batch");

        // Bucket 0 from inside its first batch to inside its fourth; bucket 1 from its second batch to the end of its fourth.
        var starts = new Dictionary<int, long> { [0] = 1, [1] = batches1[1].BaseOffset };
        var stops = new Dictionary<int, long> { [0] = batches0[3].BaseOffset + 1, [1] = batches1[3].NextOffset };
        var fetchesBefore = cluster.State.FetchRequests.Count;
        await using var scanner = table.NewLogScanner(new LogScanOptions { StartOffsets = starts, StopOffsets = stops });
        var records = await ToListAsync(scanner.ReadRecordsAsync());

        foreach (var bucket in new[] { 0, 1 })
        {
            var expected = all.Where(r => r.Bucket == bucket).OrderBy(r => r.Offset).Where(r => r.Offset >= starts[bucket] && r.Offset < stops[bucket]).Select(r => (r.Offset, (GenericRow)r.Row));
            Assert.Equal(expected, records.Where(r => r.Bucket == bucket).Select(r => (r.Offset, (GenericRow)r.Row)));
        }
        Assert.Equal(stops[0] - starts[0] + stops[1] - starts[1], records.Count);
        Assert.True(cluster.State.FetchRequests.Count - fetchesBefore >= 3, "the range takes several fetches of one batch");
        Assert.All(cluster.State.FetchRequests.Skip(fetchesBefore).SelectMany(f => f.TablesReq[0].BucketsReq), r => Assert.True(r.FetchOffset < stops[r.BucketId], $"bucket {r.BucketId} was fetched at {r.FetchOffset}, at or past its stop offset"));
    }

    [Fact]
    public async Task ReadRecordsAsync_CorruptBatchInTheSecondResponse_DeliversTheFirstResponseThenTheTypedError()
    {
        var (cluster, connection, table) = await SetUpOneBatchPerFetchAsync(1, 40);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        var stored = StoredBatches(cluster, 0);
        Assert.True(stored.Count >= 3, $"the log needs several batches, got {stored.Count}");
        lock (cluster.State.Lock)
            cluster.State.Tables[TestTables.Orders].Logs[0].Batches[1][^3] ^= 0x5A;
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });

        var offsets = new List<long>();
        var error = await Assert.ThrowsAsync<CorruptMessageException>(async () =>
        {
            await foreach (var record in scanner.ReadRecordsAsync()) offsets.Add(record.Offset);
        });

        Assert.Contains("crc", error.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, (int)stored[0].NextOffset).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task ReadRecordsAsync_SecondEnumerationAfterTheFetcherRanAhead_ContinuesAfterTheLastRecordRead()
    {
        var (cluster, connection, table) = await SetUpOneBatchPerFetchAsync(1, 60);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        Assert.True(StoredBatches(cluster, 0).Count >= 4);
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });

        var first = await ToListAsync(scanner.ReadRecordsAsync(), take: 3);
        var batches = new List<ScanBatch>();
        await foreach (var batch in scanner.ReadBatchesAsync())
        {
            batches.Add(batch);
            if (batches.Count == 2) break;
        }
        var rest = await ToListAsync(scanner.ReadRecordsAsync());

        Assert.Equal([0L, 1, 2], first.Select(r => r.Offset));
        Assert.Equal(3, batches[0].BaseOffset);
        Assert.Equal(batches[0].BaseOffset + batches[0].RowCount, batches[1].BaseOffset);
        var resume = batches[1].BaseOffset + batches[1].RowCount;
        Assert.Equal(Enumerable.Range((int)resume, 60 - (int)resume).Select(i => (long)i), rest.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range((int)resume, 60 - (int)resume).Select(Row), rest.Select(r => (GenericRow)r.Row));
        foreach (var b in batches) b.Dispose();
    }

    [Fact]
    public async Task ReadBatchesAsync_StopOffsetsAtTheStartOffsets_CompletesWithoutFetching()
    {
        var (cluster, connection, table) = await SetUpAsync(2, 10);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;
        var fetchesBefore = cluster.State.FetchRequests.Count;
        await using var scanner = table.NewLogScanner(new LogScanOptions
        {
            StartOffsets = new Dictionary<int, long> { [0] = 2, [1] = 0 },
            StopOffsets = new Dictionary<int, long> { [0] = 2, [1] = 0 },
        });

        Assert.Empty(await ToListAsync(scanner.ReadBatchesAsync()));
        Assert.Equal(fetchesBefore, cluster.State.FetchRequests.Count);
    }

    [Fact]
    public async Task NewLogScanner_InvalidPerBucketOffsets_Refused()
    {
        var (cluster, connection, table) = await SetUpAsync(2, 0);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;

        var missing = Assert.Throws<ArgumentException>(() => table.NewLogScanner(new LogScanOptions { StopOffsets = new Dictionary<int, long> { [0] = 1 } }));
        Assert.Contains("bucket 1", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => table.NewLogScanner(new LogScanOptions { StopAtEnd = true, StopOffsets = new Dictionary<int, long> { [0] = 1, [1] = 1 } }));
        var notScanned = Assert.Throws<ArgumentException>(() => table.NewLogScanner(new LogScanOptions { Buckets = [0], StartOffsets = new Dictionary<int, long> { [1] = 0 } }));
        Assert.Contains("bucket 1", notScanned.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.NewLogScanner(new LogScanOptions { StartOffsets = new Dictionary<int, long> { [0] = -1 } }));
    }

    [Fact]
    public async Task NewLogScanner_UnknownColumnOrBucket_Refused()
    {
        var (cluster, connection, table) = await SetUpAsync(2, 0);
        await using var clusterScope = cluster;
        await using var connectionScope = connection;

        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => table.NewLogScanner(new LogScanOptions { Columns = ["nope"] })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.NewLogScanner(new LogScanOptions { Buckets = [2] }));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not become true in time.");
            await Task.Delay(10);
        }
    }
}
