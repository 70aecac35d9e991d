using Fluss.Bucketing;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Rpc.Messages;
using Fluss.Storage.Kv;
using Fluss.Types;
using Google.Protobuf;

namespace Fluss.Tests.TabletServer;

/// <summary>PutKv, Lookup, PrefixLookup and LimitScan over real gRPC against one tablet server leading the buckets.</summary>
public class KvTabletServiceTests
{
    private const long KvTableId = 8;

    private static readonly Schema KvSchema = Schema.NewBuilder()
        .Column("id", new IntType(false)).Column("name", new StringType()).Column("amount", new BigIntType())
        .PrimaryKey("id").Build();

    private static readonly Schema CompositeSchema = Schema.NewBuilder()
        .Column("a", new IntType(false)).Column("b", new StringType(false)).Column("v", new BigIntType())
        .PrimaryKey("a", "b").Build();

    private sealed class KvTable
    {
        private readonly IKeyEncoder _pk;
        private readonly IKeyEncoder _bucketKey;

        public KvTable(Schema schema, string[] bucketKeys, IReadOnlyDictionary<string, string>? properties = null)
        {
            var builder = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(1, bucketKeys);
            if (properties is not null) builder.Properties(properties);
            Descriptor = builder.Build();
            Info = TableInfo.Of(TabletServerHarness.OrdersPath, KvTableId, TabletServerHarness.SchemaId, Descriptor, null, 0, 0);
            _pk = KvTablet.PrimaryKeyEncoder(Info);
            _bucketKey = KeyEncoders.ForBucketKey(Info.RowType, Info.BucketKeys, null);
        }

        public TableDescriptor Descriptor { get; }

        public TableInfo Info { get; }

        public byte[] Key(params object?[] row) => _pk.EncodeKey(Full(row));

        public byte[] Prefix(params object?[] row) => _bucketKey.EncodeKey(Full(row));

        private GenericRow Full(object?[] row)
        {
            var full = new GenericRow(Info.RowType.FieldCount);
            for (var i = 0; i < row.Length; i++) full[i] = row[i];
            return full;
        }

        public byte[] Row(params object?[] values)
        {
            using var writer = new CompactedRowWriter(Info.RowType.FieldCount);
            writer.WriteRow(GenericRow.Of(values), Info.RowType);
            return writer.ToArray();
        }

        public GenericRow Decode(ByteString value)
        {
            var (schemaId, row) = ValueEncoder.Decode(value.Memory);
            Assert.Equal(TabletServerHarness.SchemaId, schemaId);
            return GenericRow.CopyOf(new CompactedRow(Info.RowType, row), Info.RowType);
        }

        public byte[] Batch(IEnumerable<object?[]> upserts, IEnumerable<object?[]>? deletes = null, long writerId = -1, int sequence = -1)
        {
            using var builder = new KvRecordBatchBuilder(TabletServerHarness.SchemaId);
            foreach (var row in upserts) builder.Append(Key(row), Row(row));
            foreach (var key in deletes ?? []) builder.AppendDelete(Key(key));
            builder.SetWriterState(writerId, sequence);
            return builder.BuildToArray();
        }
    }

    private static async Task LeadAsync(TabletServerHarness h, KvTable table, int leaderEpoch = 0)
    {
        var result = await h.NotifyAsync(TabletServerHarness.LeaderAndIsr(0, leaderEpoch: leaderEpoch, descriptor: table.Descriptor, tableId: KvTableId));
        Assert.False(result.HasErrorCode && result.ErrorCode != 0, result.ErrorMessage);
    }

    private static async Task<PbPutKvRespForBucket> PutAsync(TabletServerHarness h, byte[] batch, int acks = -1, int[]? targetColumns = null, long tableId = KvTableId)
    {
        var request = new PutKvRequest { Acks = acks, TableId = tableId, TimeoutMs = 30_000 };
        if (targetColumns is not null) request.TargetColumns.AddRange(targetColumns);
        request.BucketsReq.Add(new PbPutKvReqForBucket { BucketId = 0, Records = ByteString.CopyFrom(batch) });
        return Assert.Single((await h.Tablet.PutKvAsync(request)).BucketsResp);
    }

    private static async Task<List<Records.Log.LogRecord>> ChangelogAsync(TabletServerHarness h, KvTable table)
    {
        var response = await h.Tablet.FetchLogAsync(TabletServerHarness.FetchRequest(0, 0, tableId: KvTableId));
        var bucket = Assert.Single(Assert.Single(response.TablesResp).BucketsResp);
        return TabletServerHarness.Decode(bucket.Records, table.Info.RowType);
    }

    private static async Task<long> HighWatermarkAsync(TabletServerHarness h)
    {
        var request = new ListOffsetsRequest { FollowerServerId = -1, OffsetType = 1, TableId = KvTableId };
        request.BucketId.Add(0);
        return Assert.Single((await h.Tablet.ListOffsetsAsync(request)).BucketsResp).Offset;
    }

    private static async Task<PbLookupRespForBucket> LookupAsync(TabletServerHarness h, long tableId, params byte[][] keys)
    {
        var request = new LookupRequest { TableId = tableId };
        var bucket = new PbLookupReqForBucket { BucketId = 0 };
        foreach (var key in keys) bucket.Keys.Add(ByteString.CopyFrom(key));
        request.BucketsReq.Add(bucket);
        return Assert.Single((await h.Tablet.LookupAsync(request)).BucketsResp);
    }

    private static async Task<List<GenericRow?>> LookupRowsAsync(TabletServerHarness h, KvTable table, params int[] ids)
    {
        var result = await LookupAsync(h, KvTableId, ids.Select(id => table.Key(id)).ToArray());
        ErrorAssert.NoError(result.HasErrorCode, result.ErrorCode, result.ErrorMessage);
        return result.Values.Select(v => v.HasValues ? table.Decode(v.Values) : null).ToList();
    }

    [Fact]
    public async Task PutKv_ThenLookup_ReturnsValuesInKeyOrderWithAbsentKeysMissing()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);

        var put = await PutAsync(h, table.Batch([[1, "a", 10L], [2, "b", 20L]]));
        ErrorAssert.NoError(put.HasErrorCode, put.ErrorCode, put.ErrorMessage);
        Assert.Equal(2L, put.LogEndOffset);

        var rows = await LookupRowsAsync(h, table, 2, 9, 1);
        Assert.Equal([GenericRow.Of(2, "b", 20L), null, GenericRow.Of(1, "a", 10L)], rows);

        put = await PutAsync(h, table.Batch([[1, "a2", 11L]], [[2]]));
        Assert.Equal(5L, put.LogEndOffset);
        var changelog = await ChangelogAsync(h, table);
        Assert.Equal([ChangeType.Insert, ChangeType.Insert, ChangeType.UpdateBefore, ChangeType.UpdateAfter, ChangeType.Delete], changelog.Select(r => r.ChangeType));
        Assert.Equal(GenericRow.Of(1, "a2", 11L), changelog[3].Row);
    }

    [Fact]
    public async Task PutKv_AcksOneAndZero_AnswerWithLogEndOffset()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        Assert.Equal(1L, (await PutAsync(h, table.Batch([[1, "a", 1L]]), acks: 1)).LogEndOffset);
        Assert.Equal(2L, (await PutAsync(h, table.Batch([[2, "b", 2L]]), acks: 0)).LogEndOffset);
        Assert.Equal(2, (await LookupRowsAsync(h, table, 1, 2)).Count(r => r is not null));
    }

    [Fact]
    public async Task PutKv_IdempotentRetry_IsAcknowledgedOnce()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        var batch = table.Batch([[1, "a", 1L]], writerId: 5, sequence: 0);
        var first = await PutAsync(h, batch);
        var retry = await PutAsync(h, batch);
        ErrorAssert.NoError(retry.HasErrorCode, retry.ErrorCode, retry.ErrorMessage);
        Assert.Equal(first.LogEndOffset, retry.LogEndOffset);
        Assert.Single(await ChangelogAsync(h, table));
    }

    [Fact]
    public async Task PrefixLookup_BucketKeyPrefixOfPrimaryKey_ReturnsMatchingRows()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(CompositeSchema, ["a"]);
        await LeadAsync(h, table);
        await PutAsync(h, table.Batch([[1, "x", 1L], [1, "y", 2L], [2, "x", 3L]]));

        var request = new PrefixLookupRequest { TableId = KvTableId };
        var bucket = new PbPrefixLookupReqForBucket { BucketId = 0 };
        bucket.Keys.Add(ByteString.CopyFrom(table.Prefix(1)));
        bucket.Keys.Add(ByteString.CopyFrom(table.Prefix(3)));
        request.BucketsReq.Add(bucket);
        var result = Assert.Single((await h.Tablet.PrefixLookupAsync(request)).BucketsResp);
        ErrorAssert.NoError(result.HasErrorCode, result.ErrorCode, result.ErrorMessage);
        Assert.Equal(2, result.ValueLists.Count);
        Assert.Equal([GenericRow.Of(1, "x", 1L), GenericRow.Of(1, "y", 2L)], result.ValueLists[0].Values.Select(table.Decode));
        Assert.Empty(result.ValueLists[1].Values);
    }

    [Fact]
    public async Task PrefixLookup_BucketKeyNotPrefixOfPrimaryKey_FailsClearly()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(CompositeSchema, ["b"]);
        await LeadAsync(h, table);
        var request = new PrefixLookupRequest { TableId = KvTableId };
        var bucket = new PbPrefixLookupReqForBucket { BucketId = 0 };
        bucket.Keys.Add(ByteString.CopyFrom(table.Prefix(0, "x")));
        request.BucketsReq.Add(bucket);
        var result = Assert.Single((await h.Tablet.PrefixLookupAsync(request)).BucketsResp);
        ErrorAssert.Code(FlussErrorCode.InvalidTable, result.ErrorCode, result.ErrorMessage);
        Assert.Contains("leading part of its primary key", result.ErrorMessage);
    }

    [Fact]
    public async Task LimitScan_PrimaryKeyTableAndLogTable_ReturnValuesOrBatches()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        await PutAsync(h, table.Batch([[3, "c", 3L], [1, "a", 1L], [2, "b", 2L]]));
        var kv = await h.Tablet.LimitScanAsync(new LimitScanRequest { TableId = KvTableId, BucketId = 0, Limit = 2 });
        Assert.False(kv.HasErrorCode, kv.ErrorMessage);
        Assert.False(kv.IsLogTable);
        var batch = new ValueRecordBatch(kv.Records.Memory);
        Assert.Equal(2, batch.RecordCount);

        await h.LeadAsync(1);
        await h.ProduceAsync(1, TabletServerHarness.Batch(TabletServerHarness.MakeRows(0, 5)));
        var log = await h.Tablet.LimitScanAsync(new LimitScanRequest { TableId = TabletServerHarness.TableId, BucketId = 1, Limit = 3 });
        Assert.True(log.IsLogTable);
        Assert.Equal(5, TabletServerHarness.Decode(log.Records).Count);
    }

    [Fact]
    public async Task PutKvAndLookup_OnLogTable_FailWithNonPrimaryKeyTable()
    {
        await using var h = await TabletServerHarness.StartAsync();
        await h.LeadAsync(0);
        var table = new KvTable(KvSchema, ["id"]);
        var put = await PutAsync(h, table.Batch([[1, "a", 1L]]), tableId: TabletServerHarness.TableId);
        ErrorAssert.Code(FlussErrorCode.NonPrimaryKeyTable, put.ErrorCode, put.ErrorMessage);
        var lookup = await LookupAsync(h, TabletServerHarness.TableId, table.Key(1));
        ErrorAssert.Code(FlussErrorCode.NonPrimaryKeyTable, lookup.ErrorCode, lookup.ErrorMessage);
        Assert.Equal(0L, (await h.ListOffsetAsync(0, 1)).Offset);
    }

    [Fact]
    public async Task PutKv_BadInput_FailsTypedAndLeavesCommittedStateUnchanged()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        await PutAsync(h, table.Batch([[1, "a", 1L]]));

        // A row whose primary key column is null.
        using (var builder = new KvRecordBatchBuilder(TabletServerHarness.SchemaId))
        {
            builder.Append(table.Key(2), [0x01, 0x00, 0x01, 0x61, 0x02]);
            var nullKey = await PutAsync(h, builder.BuildToArray());
            ErrorAssert.Code(FlussErrorCode.CorruptRecord, nullKey.ErrorCode, nullKey.ErrorMessage);
        }
        // A batch whose checksum does not match.
        var corrupt = table.Batch([[3, "c", 3L]]);
        corrupt[^1] ^= 0x7F;
        ErrorAssert.Code(FlussErrorCode.CorruptMessage, (await PutAsync(h, corrupt)).ErrorCode);
        // A partial update without the primary key.
        var partial = await PutAsync(h, table.Batch([[1, null, 5L]]), targetColumns: [2]);
        ErrorAssert.Code(FlussErrorCode.InvalidTargetColumn, partial.ErrorCode, partial.ErrorMessage);

        Assert.Equal([GenericRow.Of(1, "a", 1L), null, null], await LookupRowsAsync(h, table, 1, 2, 3));
        Assert.Equal(1L, await HighWatermarkAsync(h));
    }

    [Theory]
    [InlineData("first_row")]
    [InlineData("versioned")]
    public async Task PutKv_DeleteOnEngineWithDeleteDisabled_FailsWithDeletionDisabled(string engine)
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"], new Dictionary<string, string>
        {
            ["table.merge-engine"] = engine,
            ["table.merge-engine.versioned.ver-column"] = "amount",
            ["table.delete.behavior"] = "disable",
        });
        await LeadAsync(h, table);
        await PutAsync(h, table.Batch([[1, "a", 1L]]));
        var delete = await PutAsync(h, table.Batch([[2, "b", 2L]], [[1]]));
        ErrorAssert.Code(FlussErrorCode.DeletionDisabled, delete.ErrorCode, delete.ErrorMessage);
        Assert.Equal([GenericRow.Of(1, "a", 1L), null], await LookupRowsAsync(h, table, 1, 2));
    }

    [Fact]
    public async Task PartialUpdate_TargetColumns_KeepsOtherColumns()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        await PutAsync(h, table.Batch([[1, "a", 1L]]));
        var put = await PutAsync(h, table.Batch([[1, null, 99L], [2, null, 7L]]), targetColumns: [0, 2]);
        ErrorAssert.NoError(put.HasErrorCode, put.ErrorCode, put.ErrorMessage);
        Assert.Equal([GenericRow.Of(1, "a", 99L), GenericRow.Of(2, null, 7L)], await LookupRowsAsync(h, table, 1, 2));
    }

    [Fact]
    public async Task KillAndRestart_RebuildsStateFromChangelog()
    {
        await using var h = await TabletServerHarness.StartAsync();
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        for (var i = 0; i < 20; i++) await PutAsync(h, table.Batch([[i % 7, "v" + i, (long)i]], i % 5 == 4 ? [[i % 3]] : null));
        var before = await LookupRowsAsync(h, table, Enumerable.Range(0, 8).ToArray());

        await h.KillAndRestartAsync();
        await LeadAsync(h, table, leaderEpoch: 1);
        Assert.Equal(before, await LookupRowsAsync(h, table, Enumerable.Range(0, 8).ToArray()));
        var put = await PutAsync(h, table.Batch([[100, "after", 1L]]));
        ErrorAssert.NoError(put.HasErrorCode, put.ErrorCode, put.ErrorMessage);
    }

    [Fact]
    public async Task Restart_WithKvSnapshot_RestoresFromSnapshotAndReplaysTail()
    {
        var remote = TabletServerHarness.NewTempDir();
        await using var h = await TabletServerHarness.StartAsync(c => c.SetString("remote.data.dir", remote).SetString("kv.snapshot.interval", "0s"));
        var table = new KvTable(KvSchema, ["id"]);
        await LeadAsync(h, table);
        await PutAsync(h, table.Batch([[1, "a", 1L], [2, "b", 2L]]));
        Assert.Equal(1, await h.Server.ReplicaManager.SnapshotKvTabletsAsync());
        Assert.True(File.Exists(Path.Combine(remote, "kv", "fluss", "orders-8", "0", "snap-1", "_METADATA")));
        await PutAsync(h, table.Batch([[3, "c", 3L]], [[1]]));
        var before = await LookupRowsAsync(h, table, 1, 2, 3);

        await h.KillAndRestartAsync();
        await LeadAsync(h, table, leaderEpoch: 1);
        Assert.Equal(before, await LookupRowsAsync(h, table, 1, 2, 3));
        Assert.Equal([null, GenericRow.Of(2, "b", 2L), GenericRow.Of(3, "c", 3L)], before);
    }
}
