using Fluss.Bucketing;
using Fluss.Client;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Rows.Paimon;
using Fluss.Tests.Client.Support;
using Fluss.Types;

namespace Fluss.Tests.Client;

/// <summary>The upsert writer against an in-process fake cluster that stores KV batches per bucket.</summary>
public class UpsertWriterTests
{
    private static GenericRow User(int id, string? name = null, long? score = null) => GenericRow.Of(id, name ?? "user-" + id, score ?? id * 10L);

    private static Task<FakeSession> StartAsync(TablePath path, TableDescriptor descriptor, Func<FlussClientOptions, FlussClientOptions>? configure = null) =>
        FakeSession.StartAsync(path, descriptor, configure);

    /// <summary>The records of every batch the fake applied to a bucket: key, and row bytes (null for a delete).</summary>
    private static List<(byte[] Key, byte[]? Row)> Records(FakeKv kv)
    {
        var result = new List<(byte[], byte[]?)>();
        foreach (var bytes in kv.Batches)
        {
            foreach (var r in new KvRecordBatch(bytes).Records) result.Add((r.Key.ToArray(), r.IsDelete ? null : r.Row.ToArray()));
        }
        return result;
    }

    private static GenericRow Decode(RowType type, byte[] row) => GenericRow.CopyOf(new CompactedRow(type, row), type);

    [Fact]
    public async Task UpsertAsync_TinyIntKey_EncodedCompactedAndRoutedAsFlussVector()
    {
        // Fluss's bucketing test vector: the key bytes {0, 10} go to bucket 1 of 7. Two TINYINT key columns (0, 10)
        // encode to exactly these bytes.
        var schema = Schema.NewBuilder()
            .Column("a", new TinyIntType(isNullable: false))
            .Column("b", new TinyIntType(isNullable: false))
            .Column("v", new StringType())
            .PrimaryKey("a", "b")
            .Build();
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(schema, 7));
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();

        var result = await writer.UpsertAsync(GenericRow.Of((sbyte)0, (sbyte)10, "x"));

        Assert.Equal(1, result.Bucket);
        var (key, row) = Assert.Single(Records(fake.Kv[1]));
        Assert.Equal(new byte[] { 0, 10 }, key);
        Assert.Equal(GenericRow.Of((sbyte)0, (sbyte)10, "x"), Decode(table.Info.RowType, row!));
        Assert.Equal(1, result.LogEndOffset);
    }

    [Fact]
    public async Task UpsertAsync_ManyKeys_EachStoredInTheBucketOfItsKeyBytes()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 5));
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => writer.UpsertAsync(User(i))));

        using var encoder = new CompactedKeyEncoder(table.Info.RowType, ["id"]);
        for (var i = 0; i < 200; i++)
        {
            var key = encoder.EncodeKey(User(i));
            Assert.Equal(FlussBucketingFunction.Instance.Bucket(key, 5), results[i].Bucket);
            Assert.True(fake.Kv[results[i].Bucket].Values.ContainsKey(Convert.ToHexString(key)), $"key of row {i} is stored in bucket {results[i].Bucket}");
        }
        Assert.Equal(200, fake.Kv.Sum(k => k.Values.Count));
        Assert.True(fake.Kv.Count(k => k.Values.Count > 0) > 1, "the keys spread over several buckets");
    }

    [Fact]
    public async Task UpsertAsync_BucketKeyPrefixOfPrimaryKey_RoutedByTheBucketKeyOnly()
    {
        await using var session = await StartAsync(TestTables.Visits, TestTables.VisitsDescriptor(buckets: 8));
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();

        var rows = Enumerable.Range(0, 60).Select(i => GenericRow.Of(i % 6, i, "/page/" + i)).ToList();
        var results = await Task.WhenAll(rows.Select(r => writer.UpsertAsync(r)));

        using var bucketKey = new CompactedKeyEncoder(table.Info.RowType, ["user"]);
        using var primaryKey = new CompactedKeyEncoder(table.Info.RowType, ["user", "seq"]);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(FlussBucketingFunction.Instance.Bucket(bucketKey.EncodeKey(rows[i]), 8), results[i].Bucket);
            Assert.True(fake.Kv[results[i].Bucket].Values.ContainsKey(Convert.ToHexString(primaryKey.EncodeKey(rows[i]))));
        }
        foreach (var user in Enumerable.Range(0, 6))
            Assert.Single(results.Where((_, i) => (int)rows[i][0]! == user).Select(r => r.Bucket).Distinct());
    }

    [Fact]
    public async Task UpsertAsync_PaimonLakeTable_KeyIsPaimonBinaryRowAndBucketIsPaimons()
    {
        var descriptor = TestTables.Descriptor(TestTables.UsersSchema(), 6, properties:
            [new("table.datalake.format", "paimon"), new("table.kv.format-version", "2")]);
        await using var session = await StartAsync(TestTables.Users, descriptor);
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => writer.UpsertAsync(User(i))));

        var paimon = new PaimonKeyEncoder(table.Info.RowType, ["id"]);
        for (var i = 0; i < 30; i++)
        {
            var key = paimon.EncodeKey(User(i));
            Assert.Equal(PaimonBucketingFunction.Instance.Bucket(key, 6), results[i].Bucket);
            Assert.True(fake.Kv[results[i].Bucket].Values.ContainsKey(Convert.ToHexString(key)));
        }
    }

    [Fact]
    public async Task UpsertThenDelete_BatchesCarryRowsAndKeyOnlyDeletes()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var cluster = session.Cluster;
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();

        await writer.UpsertAsync(User(1));
        await writer.UpsertAsync(User(2));
        await writer.UpsertAsync(User(1, "renamed", 99));
        var deleted = await writer.DeleteAsync(GenericRow.Of(2, null, null));

        Assert.Equal(0, deleted.Bucket);
        var records = Records(fake.Kv[0]);
        Assert.Equal(4, records.Count);
        Assert.Equal(User(1, "renamed", 99), Decode(table.Info.RowType, records[2].Row!));
        Assert.Null(records[3].Row);
        Assert.Equal(new CompactedKeyEncoder(table.Info.RowType, ["id"]).EncodeKey(User(2)), records[3].Key);
        var stored = Assert.Single(fake.Kv[0].Values.Values);
        Assert.Equal(1, ValueEncoder.ReadSchemaId(stored));
        Assert.Equal(User(1, "renamed", 99), Decode(table.Info.RowType, ValueEncoder.RowOf(stored).ToArray()));
        Assert.All(cluster.State.PutKvRequests, r => Assert.Empty(r.TargetColumns));
    }

    [Fact]
    public async Task PartialUpdate_TargetColumns_SentAsIndexesAndOtherColumnsWrittenAsNull()
    {
        var schema = Schema.NewBuilder()
            .Column("id", new IntType(isNullable: false))
            .Column("name", new StringType())
            .Column("score", new BigIntType())
            .Column("note", new StringType())
            .PrimaryKey("id")
            .Build();
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(schema, 1));
        var cluster = session.Cluster;
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter(new UpsertWriteOptions { TargetColumns = ["score", "id"] });

        await writer.UpsertAsync(GenericRow.Of(7, "ignored", 70L, "also ignored"));
        await writer.DeleteAsync(GenericRow.Of(7, null, null, null));

        Assert.Equal(["score", "id"], writer.TargetColumns);
        Assert.All(cluster.State.PutKvRequests, r => Assert.Equal([2, 0], r.TargetColumns));
        var records = Records(fake.Kv[0]);
        Assert.Equal(GenericRow.Of(7, null, 70L, null), Decode(table.Info.RowType, records[0].Row!));
        Assert.Null(records[1].Row);
    }

    [Fact]
    public async Task UpsertAsync_NullOrMissingPrimaryKey_ThrowsNamingTheColumnBeforeAnyRequest()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 2));
        var cluster = session.Cluster;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();

        var nullKey = await Assert.ThrowsAsync<ArgumentException>(() => writer.UpsertAsync(GenericRow.Of(null, "x", 1L)));
        Assert.Contains("'id'", nullKey.Message, StringComparison.Ordinal);
        var nullDelete = await Assert.ThrowsAsync<ArgumentException>(() => writer.DeleteAsync(GenericRow.Of(null, null, null)));
        Assert.Contains("'id'", nullDelete.Message, StringComparison.Ordinal);
        var shortRow = await Assert.ThrowsAsync<ArgumentException>(() => writer.UpsertAsync(GenericRow.Of(1)));
        Assert.Contains("id, name, score", shortRow.Message, StringComparison.Ordinal);
        var wrongType = await Assert.ThrowsAsync<ArgumentException>(() => writer.UpsertAsync(GenericRow.Of(1L, "x", 1L)));
        Assert.Contains("'id'", wrongType.Message, StringComparison.Ordinal);

        await writer.FlushAsync();
        Assert.Empty(cluster.State.PutKvRequests);
    }

    [Fact]
    public async Task DeleteAsync_ReadsOnlyThePrimaryKeyColumns()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var fake = session.Fake;
        var table = session.Table;
        await using var writer = table.NewUpsertWriter();
        await writer.UpsertAsync(User(3));

        // The non-key values are of the wrong types: a delete does not read them.
        await writer.DeleteAsync(GenericRow.Of(3, 42, "not a long"));

        Assert.Empty(fake.Kv[0].Values);
    }

    [Fact]
    public async Task NewUpsertWriter_LogTable_ThrowsNonPrimaryKeyTableWithoutRequests()
    {
        await using var session = await StartAsync(TestTables.Orders, TestTables.Descriptor(TestTables.OrdersSchema(), 2));
        var cluster = session.Cluster;
        var table = session.Table;

        var error = Assert.Throws<FlussException>(() => table.NewUpsertWriter());

        Assert.Equal(FlussErrorCode.NonPrimaryKeyTable, error.ErrorCode);
        Assert.Contains("shop.orders", error.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.State.PutKvRequests);
    }

    [Theory]
    [InlineData(new[] { "name", "score" }, "primary-key columns (id)")]
    [InlineData(new[] { "id", "nope" }, "no column 'nope'")]
    [InlineData(new[] { "id", "id" }, "'id' twice")]
    public async Task NewUpsertWriter_InvalidTargetColumns_ThrowsSayingWhy(string[] columns, string expected)
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var table = session.Table;

        var error = Assert.Throws<ArgumentException>(() => table.NewUpsertWriter(new UpsertWriteOptions { TargetColumns = columns }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewUpsertWriter_PartialUpdateWithNotNullColumn_Throws()
    {
        var schema = Schema.NewBuilder()
            .Column("id", new IntType(isNullable: false))
            .Column("name", new StringType(isNullable: false))
            .Column("score", new BigIntType())
            .PrimaryKey("id")
            .Build();
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(schema, 1));
        var table = session.Table;

        var error = Assert.Throws<ArgumentException>(() => table.NewUpsertWriter(new UpsertWriteOptions { TargetColumns = ["id", "score"] }));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("nullable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertAsync_BucketRejected_EveryRowOfThatBucketFailsWithTheTypedError()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 3));
        var cluster = session.Cluster;
        var fake = session.Fake;
        var table = session.Table;
        cluster.State.PutKvFault = (bucket, _) => bucket == 0 ? FlussErrorCode.DeletionDisabled : null;
        await using var writer = table.NewUpsertWriter();

        var tasks = Enumerable.Range(0, 30).Select(i => writer.DeleteAsync(User(i))).ToList();
        var flush = await Assert.ThrowsAnyAsync<FlussException>(() => writer.FlushAsync());

        Assert.Equal(FlussErrorCode.DeletionDisabled, flush.ErrorCode);
        var failed = 0;
        foreach (var task in tasks)
        {
            try
            {
                var result = await task;
                Assert.NotEqual(0, result.Bucket);
            }
            catch (FlussException e)
            {
                Assert.Equal(FlussErrorCode.DeletionDisabled, e.ErrorCode);
                failed++;
            }
        }
        Assert.True(failed > 0, "some keys belong to bucket 0");
        Assert.Empty(fake.Kv[0].Batches);
    }

    [Fact]
    public async Task UpsertAsync_ResponseLost_ResentWithSameWriterIdAndSequenceAndAppliedOnce()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var cluster = session.Cluster;
        var fake = session.Fake;
        var table = session.Table;
        cluster.State.DropPutKvResponses = 1;
        await using var writer = table.NewUpsertWriter();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => writer.UpsertAsync(User(i))));
        await writer.FlushAsync();

        Assert.Equal(2, cluster.State.PutKvRequests.Count);
        var first = cluster.State.PutKvRequests[0].BucketsReq[0].Records;
        var second = cluster.State.PutKvRequests[1].BucketsReq[0].Records;
        Assert.Equal(first, second);
        var batch = new KvRecordBatch(first.ToByteArray());
        Assert.Equal(1, batch.WriterId);
        Assert.Equal(0, batch.BatchSequence);
        Assert.Equal(5, batch.RecordCount);
        Assert.Single(fake.Kv[0].Batches);
        Assert.Equal(5, fake.Kv[0].Values.Count);
    }

    [Fact]
    public async Task UpsertAsync_NotLeaderOnce_RefreshesMetadataAndResends()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 1));
        var cluster = session.Cluster;
        var fake = session.Fake;
        var table = session.Table;
        cluster.State.PutKvFault = (_, attempt) => attempt == 1 ? FlussErrorCode.NotLeaderOrFollower : null;
        var metadataBefore = cluster.State.MetadataRequests;
        await using var writer = table.NewUpsertWriter();

        var result = await writer.UpsertAsync(User(1));

        Assert.Equal(1, result.LogEndOffset);
        Assert.Equal(2, cluster.State.PutKvAttempts[0]);
        Assert.True(cluster.State.MetadataRequests > metadataBefore);
        Assert.Single(fake.Kv[0].Values);
    }

    [Fact]
    public async Task DisposeAsync_DeliversBufferedRowsThenRejectsNewOnes()
    {
        await using var session = await StartAsync(TestTables.Users, TestTables.Descriptor(TestTables.UsersSchema(), 2),
            o => o with { WriterBatchTimeout = TimeSpan.FromMinutes(5) });
        var fake = session.Fake;
        var table = session.Table;
        var writer = table.NewUpsertWriter();
        var tasks = Enumerable.Range(0, 10).Select(i => writer.UpsertAsync(User(i))).ToList();

        await writer.DisposeAsync();

        await Task.WhenAll(tasks);
        Assert.Equal(10, fake.Kv.Sum(k => k.Values.Count));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.UpsertAsync(User(11)));
    }
}
