using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Cluster.Tests;

/// <summary>Admin, append and scan through the real client against a real in-process cluster.</summary>
public sealed class LogTableEndToEndTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private FlussConnection Conn => fixture.Connection;

    private async Task<TablePath> CreateTableAsync(string columns, int buckets = 3, string? bucketKey = null, Action<TableDescriptor.Builder>? configure = null)
    {
        var db = ClusterFixture.NewDatabaseName("logdb");
        await Conn.Admin.CreateDatabaseAsync(db);
        var path = new TablePath(db, "events");
        var builder = TableDescriptor.NewBuilder().Schema(Schema.NewBuilder().Columns(columns).Build());
        builder.DistributedBy(buckets, bucketKey is null ? [] : [bucketKey]);
        configure?.Invoke(builder);
        await Conn.Admin.CreateTableAsync(path, builder.Build());
        return path;
    }

    private static async Task<List<ScanRecord>> ScanAllAsync(FlussTable table, LogScanOptions? options = null)
    {
        await using var scanner = table.NewLogScanner((options ?? new LogScanOptions()) with { StopAtEnd = true });
        var records = new List<ScanRecord>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var r in scanner.ReadRecordsAsync(timeout.Token)) records.Add(r);
        return records;
    }

    [Fact]
    public async Task AdminCalls_DatabaseAndTableLifecycle_AreVisible()
    {
        var path = await CreateTableAsync("id BIGINT NOT NULL, name STRING");
        Assert.Contains(path.DatabaseName, await Conn.Admin.ListDatabasesAsync());
        Assert.Equal(["events"], await Conn.Admin.ListTablesAsync(path.DatabaseName));
        Assert.True(await Conn.Admin.TableExistsAsync(path));
        var info = await Conn.Admin.GetTableInfoAsync(path);
        Assert.Equal(3, info.NumBuckets);
        Assert.Equal(["id", "name"], info.RowType.FieldNames);

        await Assert.ThrowsAsync<DatabaseNotEmptyException>(() => Conn.Admin.DropDatabaseAsync(path.DatabaseName));
        await Conn.Admin.DropTableAsync(path);
        Assert.False(await Conn.Admin.TableExistsAsync(path));
        await Conn.Admin.DropDatabaseAsync(path.DatabaseName);
        Assert.DoesNotContain(path.DatabaseName, await Conn.Admin.ListDatabasesAsync());
    }

    [Fact]
    public async Task AppendAndScan_EveryScalarType_RoundTrips()
    {
        var path = await CreateTableAsync(
            "id INT NOT NULL, b BOOLEAN, t TINYINT, s SMALLINT, l BIGINT, f FLOAT, d DOUBLE, c CHAR(3), str STRING, " +
            "bin BINARY(2), bytes BYTES, dec DECIMAL(10, 2), big DECIMAL(30, 4), dt DATE, tm TIME(3), ts TIMESTAMP(6), ltz TIMESTAMP_LTZ(3)");
        var table = await Conn.GetTableAsync(path);
        var expected = new Dictionary<int, GenericRow>();
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < 500; i++)
            {
                var row = i % 7 == 0
                    ? GenericRow.Of(i, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
                    : GenericRow.Of(i, i % 2 == 0, (sbyte)(i % 100), (short)(i * 3), i * 1_000_000_007L, i / 3f, i / 7d, "abc", $"row {i} ✓",
                        new byte[] { (byte)i, 1 }, new byte[i % 5], FlussDecimal.FromUnscaledLong(i * 101L, 10, 2),
                        FlussDecimal.Parse($"{i}12345678901234567890.1234", 30, 4), 20_000 + i, i * 1000, new TimestampNtz(1_700_000_000_000 + i, i % 1000 * 1000),
                        new TimestampLtz(1_700_000_000_000 + i));
                expected[i] = row;
                _ = writer.AppendAsync(row);
            }
            await writer.FlushAsync();
        }

        var records = await ScanAllAsync(table);
        Assert.Equal(500, records.Count);
        Assert.All(records, r => Assert.Equal(ChangeType.AppendOnly, r.ChangeType));
        foreach (var r in records)
        {
            var actual = GenericRow.CopyOf(r.Row, table.Info.RowType);
            Assert.Equal(expected[actual.GetInt(0)], actual);
        }
        Assert.Equal(500, records.Select(r => (r.Bucket, r.Offset)).Distinct().Count());
    }

    [Fact]
    public async Task Scan_WithProjection_ReturnsOnlyTheColumnsInTheGivenOrder()
    {
        var path = await CreateTableAsync("id BIGINT NOT NULL, name STRING, amount DOUBLE, note STRING");
        var table = await Conn.GetTableAsync(path);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < 300; i++) _ = writer.AppendAsync(GenericRow.Of((long)i, $"n{i}", i * 1.5, "x"));
            await writer.FlushAsync();
        }
        var records = await ScanAllAsync(table, new LogScanOptions { Columns = ["amount", "id"] });
        Assert.Equal(300, records.Count);
        foreach (var r in records)
        {
            Assert.Equal(2, r.Row.FieldCount);
            Assert.Equal(r.Row.GetLong(1) * 1.5, r.Row.GetDouble(0));
        }
    }

    [Fact]
    public async Task Scan_FromLatest_SeesOnlyNewRows_AndFollowsTheTail()
    {
        var path = await CreateTableAsync("id BIGINT NOT NULL", buckets: 1);
        var table = await Conn.GetTableAsync(path);
        await using var writer = table.NewAppendWriter();
        for (var i = 0; i < 10; i++) _ = writer.AppendAsync(GenericRow.Of((long)i));
        await writer.FlushAsync();

        await using var scanner = table.NewLogScanner(new LogScanOptions { Start = StartPosition.Latest });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<long>();
        var reading = Task.Run(async () =>
        {
            await foreach (var r in scanner.ReadRecordsAsync(timeout.Token))
            {
                seen.Add(r.Row.GetLong(0));
                if (seen.Count == 5) break;
            }
        });
        await Task.Delay(300);
        for (var i = 100; i < 105; i++) _ = writer.AppendAsync(GenericRow.Of((long)i));
        await writer.FlushAsync();
        await reading;
        Assert.Equal([100L, 101, 102, 103, 104], seen);
    }

    [Fact]
    public async Task ListOffsets_EarliestAndLatest_BracketTheWrittenRows()
    {
        var path = await CreateTableAsync("id BIGINT NOT NULL", buckets: 2);
        var table = await Conn.GetTableAsync(path);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < 100; i++) _ = writer.AppendAsync(GenericRow.Of((long)i));
            await writer.FlushAsync();
        }
        var earliest = await Conn.Admin.ListOffsetsAsync(path, [0, 1], OffsetSpec.Earliest);
        var latest = await Conn.Admin.ListOffsetsAsync(path, [0, 1], OffsetSpec.Latest);
        Assert.Equal(0, earliest[0] + earliest[1]);
        Assert.Equal(100, latest[0] + latest[1]);
    }

    [Fact]
    public async Task UnknownDatabaseOrTable_FailsWithTypedErrorsNamingThem()
    {
        var e1 = await Assert.ThrowsAsync<TableNotExistException>(() => Conn.GetTableAsync(new TablePath("nodb", "nothing")));
        Assert.Contains("nothing", e1.Message, StringComparison.Ordinal);
        var e2 = await Assert.ThrowsAsync<DatabaseNotExistException>(() => Conn.Admin.ListTablesAsync("no_such_db"));
        Assert.Contains("no_such_db", e2.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DatabaseNotExistException>(() =>
            Conn.Admin.CreateTableAsync(new TablePath("no_such_db", "t"), TableDescriptor.NewBuilder().Schema(Schema.NewBuilder().Columns("a INT").Build()).Build()));
    }

    [Fact]
    public async Task CreateTable_InvalidDefinitions_AreRejectedByName()
    {
        var db = ClusterFixture.NewDatabaseName("bad");
        await Conn.Admin.CreateDatabaseAsync(db);
        Assert.Contains("INTT", Assert.ThrowsAny<FormatException>(() => Schema.NewBuilder().Columns("a INTT").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("a", Assert.ThrowsAny<Exception>(() => Schema.NewBuilder().Columns("a INT, a STRING").Build()).Message, StringComparison.Ordinal);
        var pk = Assert.ThrowsAny<Exception>(() => Schema.NewBuilder().Columns("a INT").PrimaryKey("zz").Build());
        Assert.Contains("zz", pk.Message, StringComparison.Ordinal);

        var partitioned = TableDescriptor.NewBuilder().Schema(Schema.NewBuilder().Columns("a INT, p STRING").Build()).PartitionedBy("p").Build();
        var e = await Assert.ThrowsAsync<InvalidTableException>(() => Conn.Admin.CreateTableAsync(new TablePath(db, "parts"), partitioned));
        Assert.Contains("not supported yet", e.Message, StringComparison.Ordinal);
        Assert.False(await Conn.Admin.TableExistsAsync(new TablePath(db, "parts")));
    }

    [Fact]
    public async Task Append_RowsThatDoNotFitTheSchema_AreRejectedNamingTheColumn()
    {
        var path = await CreateTableAsync("id BIGINT NOT NULL, name STRING");
        var table = await Conn.GetTableAsync(path);
        await using var writer = table.NewAppendWriter();
        var missing = Assert.ThrowsAny<ArgumentException>(() => { _ = writer.AppendAsync(GenericRow.Of(null, "x")); });
        Assert.Contains("id", missing.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => { _ = writer.AppendAsync(GenericRow.Of("not a long", "x")); });
        Assert.ThrowsAny<ArgumentException>(() => { _ = writer.AppendAsync(GenericRow.Of(1L, "x", "extra")); });
        // the writer still works after rejected rows
        var ok = await writer.AppendAsync(GenericRow.Of(1L, "fine"));
        Assert.True(ok.BaseOffset >= 0);
    }
}

public sealed class ScanErrorTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Scan_FromAnOffsetBeyondTheEnd_FailsWithOffsetOutOfRange()
    {
        var db = ClusterFixture.NewDatabaseName("range");
        await fixture.Connection.Admin.CreateDatabaseAsync(db);
        var path = new TablePath(db, "t");
        await fixture.Connection.Admin.CreateTableAsync(path,
            TableDescriptor.NewBuilder().Schema(Schema.NewBuilder().Columns("id BIGINT NOT NULL").Build()).DistributedBy(1).Build());
        var table = await fixture.Connection.GetTableAsync(path);
        await using (var writer = table.NewAppendWriter())
        {
            for (var i = 0; i < 10; i++) _ = writer.AppendAsync(GenericRow.Of((long)i));
            await writer.FlushAsync();
        }
        await using var scanner = table.NewLogScanner(new LogScanOptions { Start = StartPosition.Offset(1_000), StopAtEnd = false });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<LogOffsetOutOfRangeException>(async () =>
        {
            await foreach (var _ in scanner.ReadRecordsAsync(timeout.Token)) { }
        });
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);

        // the cluster keeps serving the table
        await using var ok = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });
        var count = 0;
        await foreach (var _ in ok.ReadRecordsAsync(timeout.Token)) count++;
        Assert.Equal(10, count);
    }
}
