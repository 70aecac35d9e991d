using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Cluster.Tests;

/// <summary>Upsert writer, lookupers and the changelog scan of primary-key tables against a real in-process cluster.</summary>
public sealed class PrimaryKeyTableTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private FlussConnection Conn => fixture.Connection;

    private static GenericRow User(int id, string? name, long? score) => GenericRow.Of(id, name, score);

    private static Schema UsersSchema() => Schema.NewBuilder()
        .Column("id", new IntType(isNullable: false))
        .Column("name", new StringType())
        .Column("score", new BigIntType())
        .PrimaryKey("id")
        .Build();

    private async Task<FlussTable> CreateTableAsync(Schema schema, int buckets = 3, string[]? bucketKeys = null, params (string Key, string Value)[] properties)
    {
        var db = ClusterFixture.NewDatabaseName("pkdb");
        await Conn.Admin.CreateDatabaseAsync(db);
        var path = new TablePath(db, "t");
        var builder = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets, bucketKeys ?? []);
        foreach (var (k, v) in properties) builder.Property(k, v);
        await Conn.Admin.CreateTableAsync(path, builder.Build());
        return await Conn.GetTableAsync(path);
    }

    private static async Task<List<ScanRecord>> ChangelogAsync(FlussTable table)
    {
        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var records = new List<ScanRecord>();
        await foreach (var r in scanner.ReadRecordsAsync(timeout.Token)) records.Add(r);
        return records;
    }

    private static string Describe(ScanRecord r) => $"{r.ChangeType.ToShortString()}{r.Row}";

    [Fact]
    public async Task UpsertUpdateDelete_LookupsSeeTheLastAcknowledgedState()
    {
        var table = await CreateTableAsync(UsersSchema());
        var model = new Dictionary<int, GenericRow>();
        await using (var writer = table.NewUpsertWriter())
        {
            var acks = new List<Task>();
            for (var i = 0; i < 100; i++)
            {
                model[i] = User(i, "user-" + i, i);
                acks.Add(writer.UpsertAsync(model[i]));
            }
            for (var i = 0; i < 100; i += 3)
            {
                model[i] = User(i, null, i * 100L);
                acks.Add(writer.UpsertAsync(model[i]));
            }
            for (var i = 0; i < 100; i += 5)
            {
                model.Remove(i);
                acks.Add(writer.DeleteAsync(User(i, null, null)));
            }
            await writer.FlushAsync();
            await Task.WhenAll(acks);
        }

        var lookuper = table.NewLookuper();
        var rows = await Task.WhenAll(Enumerable.Range(0, 110).Select(i => lookuper.LookupAsync(GenericRow.Of(i))));
        for (var i = 0; i < 110; i++)
        {
            if (model.TryGetValue(i, out var expected)) Assert.Equal(expected, rows[i]);
            else Assert.Null(rows[i]);
        }
    }

    [Fact]
    public async Task Changelog_UpsertUpdateDelete_InsertUpdateBeforeAfterAndDelete()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 1);
        await using (var writer = table.NewUpsertWriter())
        {
            await writer.UpsertAsync(User(1, "a", 1));
            await writer.UpsertAsync(User(2, "b", 2));
            await writer.UpsertAsync(User(1, "a2", 10));
            var deleted = await writer.DeleteAsync(User(2, null, null));
            Assert.Equal(0, deleted.Bucket);
            Assert.True(deleted.LogEndOffset > 0, $"the delete reports the changelog's end offset, got {deleted.LogEndOffset}");
        }

        var changelog = await ChangelogAsync(table);

        Assert.Equal(["+I(1, a, 1)", "+I(2, b, 2)", "-U(1, a, 1)", "+U(1, a2, 10)", "-D(2, b, 2)"], changelog.Select(Describe));
        Assert.Equal(changelog.Select((_, i) => (long)i), changelog.Select(r => r.Offset));
        Assert.Equal(User(1, "a2", 10), await table.NewLookuper().LookupAsync(GenericRow.Of(1)));
    }

    [Fact]
    public async Task Changelog_ProjectedScan_KeepsTheChangeTypes()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 1);
        await using (var writer = table.NewUpsertWriter())
        {
            await writer.UpsertAsync(User(1, "a", 1));
            await writer.UpsertAsync(User(1, "b", 2));
            await writer.DeleteAsync(User(1, null, null));
        }

        await using var scanner = table.NewLogScanner(new LogScanOptions { StopAtEnd = true, Columns = ["score", "id"] });
        var records = new List<ScanRecord>();
        await foreach (var r in scanner.ReadRecordsAsync()) records.Add(r);

        Assert.Equal(["+I(1, 1)", "-U(1, 1)", "+U(2, 1)", "-D(2, 1)"], records.Select(Describe));
    }

    [Fact]
    public async Task PrefixLookup_BucketKeyPrefixOfPrimaryKey_EveryRowWithThatPrefix()
    {
        var schema = Schema.NewBuilder()
            .Column("user", new IntType(isNullable: false))
            .Column("seq", new IntType(isNullable: false))
            .Column("page", new StringType())
            .PrimaryKey("user", "seq")
            .Build();
        var table = await CreateTableAsync(schema, buckets: 4, bucketKeys: ["user"]);
        var rows = Enumerable.Range(0, 60).Select(i => GenericRow.Of(i % 5, i, "/p/" + i)).ToList();
        await using (var writer = table.NewUpsertWriter())
        {
            foreach (var r in rows) _ = writer.UpsertAsync(r);
            await writer.DeleteAsync(GenericRow.Of(3, 3, null));
            await writer.FlushAsync();
        }

        var lookuper = table.NewPrefixLookuper(["user"]);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(u => lookuper.LookupAsync(GenericRow.Of(u))));

        for (var u = 0; u < 5; u++)
        {
            var expected = rows.Where(r => (int)r[0]! == u && !((int)r[1]! == 3)).OrderBy(r => (int)r[1]!);
            Assert.Equal(expected, results[u].Cast<GenericRow>().OrderBy(r => (int)r[1]!));
        }
        Assert.Empty(results[5]);
        Assert.Throws<ArgumentException>(() => table.NewPrefixLookuper(["seq"]));
    }

    [Fact]
    public async Task PartialUpdate_TargetColumns_OtherColumnsKeepTheirValues()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 2);
        await using (var full = table.NewUpsertWriter())
            await full.UpsertAsync(User(1, "alice", 10));
        await using (var partial = table.NewUpsertWriter(new UpsertWriteOptions { TargetColumns = ["id", "score"] }))
        {
            await partial.UpsertAsync(User(1, "ignored", 20));
            await partial.UpsertAsync(User(2, "ignored", 5));
        }

        var lookuper = table.NewLookuper();
        Assert.Equal(User(1, "alice", 20), await lookuper.LookupAsync(GenericRow.Of(1)));
        Assert.Equal(User(2, null, 5), await lookuper.LookupAsync(GenericRow.Of(2)));
        Assert.Throws<ArgumentException>(() => table.NewUpsertWriter(new UpsertWriteOptions { TargetColumns = ["name", "score"] }));
    }

    [Fact]
    public async Task MergeEngine_FirstRow_KeepsTheFirstRowAndLogsOnlyInserts()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 1, properties: ("table.merge-engine", "first_row"));
        await using (var writer = table.NewUpsertWriter())
        {
            await writer.UpsertAsync(User(1, "first", 1));
            await writer.UpsertAsync(User(1, "second", 2));
        }

        Assert.Equal(User(1, "first", 1), await table.NewLookuper().LookupAsync(GenericRow.Of(1)));
        Assert.Equal(["+I(1, first, 1)"], (await ChangelogAsync(table)).Select(Describe));
    }

    [Fact]
    public async Task MergeEngine_Versioned_KeepsTheHighestVersion()
    {
        var schema = Schema.NewBuilder()
            .Column("id", new IntType(isNullable: false))
            .Column("name", new StringType())
            .Column("ver", new BigIntType())
            .PrimaryKey("id")
            .Build();
        var table = await CreateTableAsync(schema, buckets: 1,
            properties: [("table.merge-engine", "versioned"), ("table.merge-engine.versioned.ver-column", "ver")]);
        await using (var writer = table.NewUpsertWriter())
        {
            await writer.UpsertAsync(GenericRow.Of(1, "v5", 5L));
            await writer.UpsertAsync(GenericRow.Of(1, "v3", 3L));
            var lookuper = table.NewLookuper();
            Assert.Equal(GenericRow.Of(1, "v5", 5L), await lookuper.LookupAsync(GenericRow.Of(1)));
            await writer.UpsertAsync(GenericRow.Of(1, "v7", 7L));
            Assert.Equal(GenericRow.Of(1, "v7", 7L), await lookuper.LookupAsync(GenericRow.Of(1)));
        }
    }

    [Fact]
    public async Task MergeEngine_Aggregation_AggregatesPerColumn()
    {
        var schema = Schema.NewBuilder()
            .Column("id", new IntType(isNullable: false))
            .Column("total", new BigIntType(), new AggFunction(AggFunctionType.Sum))
            .Column("top", new IntType(), new AggFunction(AggFunctionType.Max))
            .Column("tags", new StringType(), AggFunction.ListAgg(";"))
            .PrimaryKey("id")
            .Build();
        var table = await CreateTableAsync(schema, buckets: 2, properties: ("table.merge-engine", "aggregation"));
        await using (var writer = table.NewUpsertWriter())
        {
            await writer.UpsertAsync(GenericRow.Of(1, 10L, 3, "a"));
            await writer.UpsertAsync(GenericRow.Of(1, 5L, 9, "b"));
            await writer.UpsertAsync(GenericRow.Of(1, 1L, 4, null));
        }

        Assert.Equal(GenericRow.Of(1, 16L, 9, "a;b"), await table.NewLookuper().LookupAsync(GenericRow.Of(1)));
    }

    [Fact]
    public async Task Delete_FirstRowTableWithDeletesDisabled_FailsTypedAndChangesNothing()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 1,
            properties: [("table.merge-engine", "first_row"), ("table.delete.behavior", "disable")]);
        await using var writer = table.NewUpsertWriter();
        await writer.UpsertAsync(User(1, "kept", 1));

        var error = await Assert.ThrowsAnyAsync<FlussException>(() => writer.DeleteAsync(User(1, null, null)));

        Assert.Equal(FlussErrorCode.DeletionDisabled, error.ErrorCode);
        Assert.False(error.IsRetriable);
        Assert.Equal(User(1, "kept", 1), await table.NewLookuper().LookupAsync(GenericRow.Of(1)));
        await writer.UpsertAsync(User(2, "after", 2));
        Assert.Equal(User(2, "after", 2), await table.NewLookuper().LookupAsync(GenericRow.Of(2)));
        Assert.Equal(["+I(1, kept, 1)", "+I(2, after, 2)"], (await ChangelogAsync(table)).Select(Describe));
    }

    [Fact]
    public async Task BadInput_NullOrMissingKey_ArgumentExceptionNamingTheColumn()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 1);
        await using var writer = table.NewUpsertWriter();
        var lookuper = table.NewLookuper();

        var nullKey = await Assert.ThrowsAsync<ArgumentException>(() => writer.UpsertAsync(GenericRow.Of(null, "x", 1L)));
        Assert.Contains("'id'", nullKey.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => lookuper.LookupAsync(GenericRow.Of()));
        Assert.Contains("missing id", missing.Message, StringComparison.Ordinal);
        var nullLookup = await Assert.ThrowsAsync<ArgumentException>(() => lookuper.LookupAsync(GenericRow.Of([null])));
        Assert.Contains("'id'", nullLookup.Message, StringComparison.Ordinal);

        await writer.UpsertAsync(User(1, "ok", 1));
        Assert.Equal(["+I(1, ok, 1)"], (await ChangelogAsync(table)).Select(Describe));
    }

    [Fact]
    public async Task BadInput_LogTable_PutAndLookupFailWithNonPrimaryKeyTable()
    {
        var table = await CreateTableAsync(Schema.NewBuilder().Column("id", new IntType(isNullable: false)).Column("name", new StringType()).Build());

        Assert.Equal(FlussErrorCode.NonPrimaryKeyTable, Assert.Throws<FlussException>(() => table.NewUpsertWriter()).ErrorCode);
        Assert.Equal(FlussErrorCode.NonPrimaryKeyTable, Assert.Throws<FlussException>(() => table.NewLookuper()).ErrorCode);
        Assert.Equal(FlussErrorCode.NonPrimaryKeyTable, Assert.Throws<FlussException>(() => table.NewPrefixLookuper(["id"])).ErrorCode);
    }

    [Fact]
    public async Task AppendWriter_PrimaryKeyTable_Rejected()
    {
        var table = await CreateTableAsync(UsersSchema(), buckets: 1);

        Assert.Throws<InvalidTableException>(() => table.NewAppendWriter());
    }
}

/// <summary>Writers and lookupers of a primary-key table ride out a tablet server restart.</summary>
public sealed class PrimaryKeyRestartTests
{
    [Fact]
    public async Task TabletServerRestarts_PendingLookupsAreAnsweredFromTheRecoveredState()
    {
        await using var cluster = await Testing.TestCluster.StartAsync(tabletServers: 2);
        await using var conn = await cluster.ConnectAsync();
        await conn.Admin.CreateDatabaseAsync("restart");
        var path = new TablePath("restart", "users");
        await conn.Admin.CreateTableAsync(path, TableDescriptor.NewBuilder()
            .Schema(Schema.NewBuilder().Columns("id INT NOT NULL, name STRING").PrimaryKey("id").Build())
            .DistributedBy(4, [])
            .Build());
        var table = await conn.GetTableAsync(path);
        await using (var writer = table.NewUpsertWriter())
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i => writer.UpsertAsync(GenericRow.Of(i, "v1-" + i))));
            await Task.WhenAll(Enumerable.Range(0, 40).Where(i => i % 2 == 0).Select(i => writer.UpsertAsync(GenericRow.Of(i, "v2-" + i))));
        }
        var lookuper = table.NewLookuper();
        var stopped = cluster.Cluster.TabletServers.Keys.Min();

        await cluster.Cluster.StopTabletServerAsync(stopped);
        var pending = Task.WhenAll(Enumerable.Range(0, 40).Select(i => lookuper.LookupAsync(GenericRow.Of(i))));
        await cluster.Cluster.StartTabletServerAsync(stopped);
        var rows = await pending.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => GenericRow.Of(i, (i % 2 == 0 ? "v2-" : "v1-") + i)), rows);
        await using (var writer = table.NewUpsertWriter())
            await writer.DeleteAsync(GenericRow.Of(3, null));
        Assert.Null(await lookuper.LookupAsync(GenericRow.Of(3)));
    }
}
