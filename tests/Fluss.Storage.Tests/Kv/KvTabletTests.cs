using Fluss.Errors;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Storage.Kv;
using Fluss.Storage.Remote;

namespace Fluss.Storage.Tests.Kv;

public class KvTabletTests
{
    private const string Columns = "id INT NOT NULL, v BIGINT, s STRING";

    private static Dictionary<string, string> Props(params (string Key, string Value)[] props) => props.ToDictionary(p => p.Key, p => p.Value);

    private static string Format(IEnumerable<Change> changes) => string.Join(" ", changes.Select(c => c.ToString()));

    [Fact]
    public void PutAsLeader_InsertUpdateDelete_ProducesFullChangelogWithOffsets()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        var insert = h.Upsert([1, 10L, "a"]);
        var update = h.Upsert([1, 11L, "b"]);
        var delete = h.Delete([1]);
        var absent = h.Delete([2]);

        Assert.Equal((0L, 0L), (insert.FirstOffset, insert.LastOffset));
        Assert.Equal((1L, 2L), (update.FirstOffset, update.LastOffset));
        Assert.Equal(3L, delete.FirstOffset);
        Assert.Equal(4L, absent.FirstOffset); // an empty batch still takes one offset
        Assert.Equal(0, absent.RecordCount);
        Assert.Equal(5L, h.Log.LogEndOffset);
        Assert.Equal("0:+I(1, 10, a) 1:-U(1, 10, a) 2:+U(1, 11, b) 3:-D(1, 11, b)", Format(h.Changelog()));
    }

    [Fact]
    public void PutAsLeader_SameKeyTwiceInOneBatch_ChainsThroughPreWriteBuffer()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Kv.PutAsLeader(h.Batch().Upsert(1, 1L, "x").Upsert(1, 2L, "y").Delete(1).Upsert(1, 3L, null).Build());
        Assert.Equal("0:+I(1, 1, x) 1:-U(1, 1, x) 2:+U(1, 2, y) 3:-D(1, 2, y) 4:+I(1, 3, null)", Format(h.Changelog()));
        h.Commit();
        Assert.Equal(GenericRow.Of(1, 3L, null), h.Lookup(1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("WAL")]
    public void PutAsLeader_LargeBatchesWithRepeatedKeys_SameChangelogAndStateAsOneRecordBatches(string image)
    {
        // Big batches over few keys, committed only in part between them, against the same records one per batch.
        var props = image.Length == 0 ? null : Props(("table.changelog.image", image));
        using var big = KvHarness.Of(Columns, ["id"], props);
        using var single = KvHarness.Of(Columns, ["id"], props);
        var random = new Random(5);
        for (var round = 0; round < 6; round++)
        {
            var batch = big.Batch();
            for (var i = 0; i < 700; i++)
            {
                var id = random.Next(40);
                var delete = random.Next(5) == 0;
                var row = new object?[] { id, (long)random.Next(), random.Next(3) == 0 ? null : new string('s', random.Next(200)) };
                if (delete) batch.Delete(id);
                else batch.Upsert(row);
                single.Kv.PutAsLeader(delete ? single.Batch().Delete(id).Build() : single.Batch().Upsert(row).Build());
            }
            big.Kv.PutAsLeader(batch.Build());
            // Commit a part only, so that pending entries stay behind flushed ones.
            big.Kv.AdvanceHighWatermark(big.Log.LogEndOffset - random.Next(300));
        }
        big.Commit();
        single.Commit();

        static IEnumerable<string> Changes(KvHarness h) => h.Changelog().Select(c => $"{ChangeTypes.ShortString(c.Type)}{c.Row}");
        Assert.Equal(Changes(single), Changes(big));
        Assert.Equal(single.All(), big.All());
        Assert.Equal(0, big.Kv.PendingCount);
    }

    [Fact]
    public void MultiGet_KeysSlicedFromOneBuffer_AnswersInKeyOrderWithNullsForAbsentKeys()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 10L, "a"], [3, 30L, "c"]);
        h.Commit();
        // The keys as a request carries them: slices of one buffer, with an absent key and a repeated one.
        var keys = new[] { h.Key(3), h.Key(2), h.Key(1), h.Key(3) };
        var buffer = keys.SelectMany(k => k).ToArray();
        var slices = new ReadOnlyMemory<byte>[keys.Length];
        for (int i = 0, at = 0; i < keys.Length; at += keys[i].Length, i++) slices[i] = buffer.AsMemory(at, keys[i].Length);

        var values = h.Kv.MultiGet(slices);

        Assert.Equal([GenericRow.Of(3, 30L, "c"), null, GenericRow.Of(1, 10L, "a"), GenericRow.Of(3, 30L, "c")], values.Select(h.Decode));
        Assert.Empty(h.Kv.MultiGet(ReadOnlySpan<ReadOnlyMemory<byte>>.Empty));
    }

    [Fact]
    public void PutAsLeader_WalImage_EmitsOnlyUpdateAfter()
    {
        using var h = KvHarness.Of(Columns, ["id"], Props(("table.changelog.image", "WAL")));
        h.Upsert([1, 10L, "a"]);
        h.Upsert([1, 11L, "b"]);
        h.Delete([1]);
        Assert.Equal("0:+U(1, 10, a) 1:+U(1, 11, b) 2:-D(1, 11, b)", Format(h.Changelog()));
    }

    [Fact]
    public void AdvanceHighWatermark_MakesLookupAndChangelogVisibleTogether()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 10L, "a"], [2, 20L, "b"]);

        Assert.Null(h.Lookup(1));
        Assert.Empty(h.Changelog(committedOnly: true));
        Assert.Equal(0L, h.Log.HighWatermark);
        Assert.Equal(2, h.Kv.PendingCount);

        Assert.Equal(2L, h.Commit());
        Assert.Equal(GenericRow.Of(1, 10L, "a"), h.Lookup(1));
        Assert.Equal(2, h.Changelog(committedOnly: true).Count);
        Assert.Equal(2L, h.Kv.FlushedLogOffset);
        Assert.Equal(0, h.Kv.PendingCount);
    }

    [Fact]
    public void AdvanceHighWatermark_PartialCandidate_FlushesOnlyBelowIt()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 10L, "a"]);
        h.Upsert([2, 20L, "b"]);
        Assert.Equal(1L, h.Kv.AdvanceHighWatermark(1));
        Assert.NotNull(h.Lookup(1));
        Assert.Null(h.Lookup(2));
        Assert.Single(h.Changelog(committedOnly: true));
    }

    [Fact]
    public void PutAsLeader_FirstRow_KeepsFirstAndIgnoresDeletes()
    {
        using var h = KvHarness.Of(Columns, ["id"], Props(("table.merge-engine", "first_row")));
        h.Upsert([1, 10L, "a"]);
        var second = h.Upsert([1, 11L, "b"]);
        h.Delete([1]);
        h.Commit();
        Assert.Equal("0:+I(1, 10, a)", Format(h.Changelog()));
        Assert.Equal(0, second.RecordCount);
        Assert.Equal(3L, h.Log.LogEndOffset);
        Assert.Equal(GenericRow.Of(1, 10L, "a"), h.Lookup(1));
    }

    [Theory]
    [InlineData("first_row")]
    [InlineData("versioned")]
    public void PutAsLeader_DeleteWithBehaviorDisable_FailsAndAppliesNothing(string engine)
    {
        using var h = KvHarness.Of(Columns, ["id"], Props(("table.merge-engine", engine), ("table.merge-engine.versioned.ver-column", "v"), ("table.delete.behavior", "disable")));
        h.Upsert([1, 10L, "a"]);
        h.Commit();
        var end = h.Log.LogEndOffset;

        var e = Assert.Throws<FlussException>(() => h.Kv.PutAsLeader(h.Batch().Upsert(2, 5L, "x").Delete(1).Build()));
        Assert.Equal(FlussErrorCode.DeletionDisabled, e.ErrorCode);
        Assert.Equal(end, h.Log.LogEndOffset);
        Assert.Equal(0, h.Kv.PendingCount);
        h.Upsert([3, 1L, "c"]);
        h.Commit();
        Assert.Null(h.Lookup(2));
        Assert.Equal(GenericRow.Of(1, 10L, "a"), h.Lookup(1));
        Assert.Equal("0:+I(1, 10, a) 1:+I(3, 1, c)", Format(h.Changelog()));
    }

    [Fact]
    public void PutAsLeader_DefaultEngineWithDeleteIgnore_SkipsDeletes()
    {
        using var h = KvHarness.Of(Columns, ["id"], Props(("table.delete.behavior", "ignore")));
        h.Upsert([1, 10L, "a"]);
        var delete = h.Delete([1]);
        Assert.Equal(0, delete.RecordCount);
        h.Commit();
        Assert.NotNull(h.Lookup(1));
    }

    [Fact]
    public void PutAsLeader_Versioned_KeepsRowWithLargestVersion()
    {
        using var h = KvHarness.Of(Columns, ["id"], Props(("table.merge-engine", "versioned"), ("table.merge-engine.versioned.ver-column", "v")));
        h.Upsert([1, 10L, "a"]);
        h.Upsert([1, 9L, "older"]);
        h.Upsert([1, null, "null version"]);
        h.Upsert([1, 10L, "same version"]);
        h.Upsert([1, 12L, "newer"]);
        h.Delete([1]); // IGNORE by default
        h.Commit();
        // Ignored writes still take one offset each (an empty changelog batch).
        Assert.Equal("0:+I(1, 10, a) 3:-U(1, 10, a) 4:+U(1, 10, same version) 5:-U(1, 10, same version) 6:+U(1, 12, newer)", Format(h.Changelog()));
        Assert.Equal(8L, h.Log.LogEndOffset);
        Assert.Equal(GenericRow.Of(1, 12L, "newer"), h.Lookup(1));
    }

    [Fact]
    public void PutAsLeader_Versioned_NullStoredVersionIsReplaced()
    {
        using var h = KvHarness.Of(Columns, ["id"], Props(("table.merge-engine", "versioned"), ("table.merge-engine.versioned.ver-column", "v")));
        h.Upsert([1, null, "a"]);
        h.Upsert([1, long.MinValue, "b"]);
        h.Commit();
        Assert.Equal(GenericRow.Of(1, long.MinValue, "b"), h.Lookup(1));
    }

    [Fact]
    public void PutAsLeader_PartialUpdate_KeepsOtherColumnsAndNullsThemForNewRows()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 10L, "a"]);
        h.Kv.PutAsLeader(h.Batch().Upsert(1, 99L, null).Upsert(2, 5L, null).Build(), [0, 1]);
        h.Commit();
        Assert.Equal(GenericRow.Of(1, 99L, "a"), h.Lookup(1));
        Assert.Equal(GenericRow.Of(2, 5L, null), h.Lookup(2));
        Assert.Equal("0:+I(1, 10, a) 1:-U(1, 10, a) 2:+U(1, 99, a) 3:+I(2, 5, null)", Format(h.Changelog()));
    }

    [Fact]
    public void PutAsLeader_PartialUpdateOfPrimaryKeyOnly_ChangesNothingForExistingRows()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 10L, "a"]);
        var info = h.Kv.PutAsLeader(h.Batch().Upsert(1, null, null).Build(), [0]);
        Assert.Equal(0, info.RecordCount);
    }

    [Fact]
    public void PutAsLeader_PartialUpdateWithoutPrimaryKey_FailsWithInvalidTargetColumn()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        var e = Assert.Throws<FlussException>(() => h.Kv.PutAsLeader(h.Batch().Upsert(1, 1L, null).Build(), [1]));
        Assert.Equal(FlussErrorCode.InvalidTargetColumn, e.ErrorCode);
        Assert.Contains("primary key", e.Message);
        Assert.Equal(0L, h.Log.LogEndOffset);
    }

    [Fact]
    public void PutAsLeader_PartialDelete_NullsTargetColumnsThenRemovesRowWhenAllOthersNull()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 10L, "a"]);
        h.Kv.PutAsLeader(h.Batch().Delete(1).Build(), [0, 1]);
        h.Commit();
        Assert.Equal(GenericRow.Of(1, null, "a"), h.Lookup(1));
        h.Kv.PutAsLeader(h.Batch().Delete(1).Build(), [0, 2]);
        h.Commit();
        Assert.Null(h.Lookup(1));
        Assert.Equal("0:+I(1, 10, a) 1:-U(1, 10, a) 2:+U(1, null, a) 3:-D(1, null, a)", Format(h.Changelog()));
    }

    [Fact]
    public void PutAsLeader_NullPrimaryKeyInRow_FailsAsCorruptRecordAndChangesNothing()
    {
        using var h = KvHarness.Of("id INT, v BIGINT", ["id"]);
        h.Upsert([1, 1L]);
        h.Commit();
        byte[] row = [0x01, 0x05]; // null bit of id set, v = 5
        var e = Assert.Throws<CorruptRecordException>(() => h.Kv.PutAsLeader(h.Batch().Upsert(2, 2L).Raw(h.Key(1), row).Build()));
        Assert.Contains("null value in primary key column 'id'", e.Message);
        Assert.Equal(1L, h.Log.LogEndOffset);
        Assert.Equal(0, h.Kv.PendingCount);
        Assert.Equal(GenericRow.Of(1, 1L), h.Lookup(1));
    }

    [Fact]
    public void PutAsLeader_KeyNotMatchingRow_FailsAsCorruptRecord()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        Assert.Throws<CorruptRecordException>(() => h.Kv.PutAsLeader(h.Batch().Raw(h.Key(2), h.RowBytes(1, 1L, "x")).Build()));
        Assert.Equal(0L, h.Log.LogEndOffset);
    }

    [Fact]
    public void PutAsLeader_CorruptChecksum_FailsAsCorruptMessage()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        var batch = h.Batch().Upsert(1, 1L, "x").Build();
        batch[^1] ^= 0x55;
        Assert.Throws<CorruptMessageException>(() => h.Kv.PutAsLeader(batch));
        Assert.Equal(0L, h.Log.LogEndOffset);
    }

    [Fact]
    public void PutAsLeader_UnknownSchemaId_FailsWithSchemaNotExist()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        using var builder = new KvRecordBatchBuilder(5);
        builder.Append(h.Key(1), h.RowBytes(1, 1L, "x"));
        var e = Assert.Throws<FlussException>(() => h.Kv.PutAsLeader(builder.BuildToArray()));
        Assert.Equal(FlussErrorCode.SchemaNotExist, e.ErrorCode);
    }

    [Fact]
    public void PutAsLeader_DuplicateIdempotentBatch_IsAcknowledgedWithoutChanges()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        var first = h.Kv.PutAsLeader(h.Batch(writerId: 42, sequence: 0).Upsert(1, 1L, "x").Build());
        var retry = h.Kv.PutAsLeader(h.Batch(writerId: 42, sequence: 0).Upsert(1, 1L, "x").Build());
        Assert.True(retry.IsDuplicate);
        Assert.Equal(first.FirstOffset, retry.FirstOffset);
        Assert.Equal(1L, h.Log.LogEndOffset);
        Assert.Equal(1, h.Kv.PendingCount);
        h.Kv.PutAsLeader(h.Batch(writerId: 42, sequence: 1).Upsert(1, 2L, "y").Build());
        h.Commit();
        Assert.Equal("0:+I(1, 1, x) 1:-U(1, 1, x) 2:+U(1, 2, y)", Format(h.Changelog()));
    }

    [Fact]
    public void PutAsLeader_OutOfOrderSequence_FailsAndRollsBackBuffer()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Kv.PutAsLeader(h.Batch(writerId: 42, sequence: 0).Upsert(1, 1L, "x").Build());
        var e = Assert.Throws<FlussException>(() => h.Kv.PutAsLeader(h.Batch(writerId: 42, sequence: 5).Upsert(1, 2L, "y").Build()));
        Assert.Equal(FlussErrorCode.OutOfOrderSequence, e.ErrorCode);
        Assert.Equal(1, h.Kv.PendingCount);
        h.Commit();
        Assert.Equal(GenericRow.Of(1, 1L, "x"), h.Lookup(1));
    }

    [Fact]
    public void PrefixLookup_BucketKeyPrefix_ReturnsRowsOfThatPrefixInKeyOrder()
    {
        using var h = KvHarness.Of("a INT NOT NULL, b STRING NOT NULL, v INT", ["a", "b"], bucketKeys: ["a"]);
        h.Upsert([1, "x", 1], [1, "y", 2], [2, "x", 3], [10, "z", 4]);
        h.Commit();
        var rows = h.Kv.PrefixLookup(h.BucketKey(1)).Select(v => h.Decode(v)!).ToList();
        Assert.Equal([GenericRow.Of(1, "x", 1), GenericRow.Of(1, "y", 2)], rows);
        Assert.Empty(h.Kv.PrefixLookup(h.BucketKey(3)));
    }

    [Fact]
    public void LimitScan_ReturnsFirstRowsInKeyOrder()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([3, 3L, "c"], [1, 1L, "a"], [2, 2L, "b"]);
        Assert.Empty(h.Kv.LimitScan(10));
        h.Commit();
        Assert.Equal(2, h.Kv.LimitScan(2).Count);
        Assert.Equal(3, h.Kv.LimitScan(100).Count);
    }

    [Fact]
    public void Create_AfterReopen_ReplaysChangelogIncludingUncommittedTail()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        h.Upsert([1, 1L, "a"], [2, 2L, "b"]);
        h.Commit();
        h.Upsert([1, 3L, "c"]);
        h.Delete([2]);
        var before = h.Log.HighWatermark;

        h.Reopen();
        Assert.Equal(before, h.Kv.FlushedLogOffset);
        Assert.Equal(GenericRow.Of(2, 2L, "b"), h.Lookup(2)); // the tail is not committed yet
        h.Commit();
        Assert.Equal([GenericRow.Of(1, 3L, "c")], h.All());
    }

    [Fact]
    public async Task SnapshotAsync_ThenRecoverFromSnapshotAndReplay_EqualsStateBefore()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        var store = new KvSnapshotStore(LocalFileSystem.Instance, h.RemoteDir, numRetained: 2);
        for (var i = 0; i < 50; i++) h.Upsert([i, (long)i, "v" + i]);
        h.Commit();
        var snapshot = await store.SnapshotAsync(h.Kv, h.Path);
        Assert.NotNull(snapshot);
        Assert.Equal(h.Log.HighWatermark, snapshot.LogOffset);
        Assert.Null(await store.SnapshotAsync(h.Kv, h.Path, snapshot.LogOffset)); // nothing new

        for (var i = 0; i < 50; i += 3) h.Delete([i]);
        for (var i = 40; i < 60; i++) h.Upsert([i, i * 10L, null]);
        h.Commit();
        var expected = h.All();

        var latest = await store.GetLatestAsync(h.Path, h.Kv.TableBucket);
        Assert.NotNull(latest);
        Assert.Equal(snapshot, latest with { Files = snapshot.Files });
        var local = h.Sub("download");
        await store.DownloadAsync(latest!, local);
        h.Reopen(local, latest!.LogOffset);
        Assert.Equal(expected, h.All());
    }

    [Fact]
    public async Task SnapshotAsync_KeepsRetainedCountAndWritesFlussMetadata()
    {
        using var h = KvHarness.Of(Columns, ["id"]);
        var store = new KvSnapshotStore(LocalFileSystem.Instance, h.RemoteDir, numRetained: 2);
        for (var round = 0; round < 3; round++)
        {
            h.Upsert([round, (long)round, "x"]);
            h.Commit();
            await store.SnapshotAsync(h.Kv, h.Path);
        }
        var dir = store.TabletDirectory(h.Path, h.Kv.TableBucket);
        Assert.EndsWith("/kv/db/t-7/0", dir);
        var names = (await LocalFileSystem.Instance.ListAsync(dir)).Select(e => e.Name).ToList();
        Assert.Equal(["snap-2", "snap-3"], names);
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "snap-3", "_METADATA"))).RootElement;
        Assert.Equal(1, json.GetProperty("version").GetInt32());
        Assert.Equal(7, json.GetProperty("table_id").GetInt64());
        Assert.Equal(0, json.GetProperty("bucket_id").GetInt32());
        Assert.Equal(3, json.GetProperty("snapshot_id").GetInt64());
        Assert.Equal(3, json.GetProperty("log_offset").GetInt64());
        Assert.True(json.GetProperty("kv_snapshot_handle").GetProperty("private_file_handles").GetArrayLength() > 0);
    }
}
