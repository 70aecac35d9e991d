using Fluss.Arrow;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Lake;
using Fluss.Lake.Paimon;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Tiering.Tests.Support;
using Fluss.Types;

namespace Fluss.Tiering.Tests;

/// <summary>The Paimon adapter of <see cref="ILakeStorage"/>: Fluss table -> Paimon table mapping, conditional commit, abort.</summary>
public class PaimonLakeStorageTests
{
    private static readonly Schema LogSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, user_name STRING, amount INT").Build();
    private static readonly Schema PkSchema = Schema.NewBuilder().Columns("id BIGINT NOT NULL, v STRING").PrimaryKey("id").Build();

    [Fact]
    public void Definition_LogTableWithoutBucketKey_IsBucketUnawareAppendTable()
    {
        var d = PaimonLakeStorage.Definition(TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(3)
            .Property("table.datalake.enabled", "true").CustomProperty("owner", "ops").Build());

        Assert.Equal(-1, d.Buckets);
        Assert.Empty(d.BucketKeys);
        Assert.Empty(d.PrimaryKeys);
        Assert.Equal(["id", "user_name", "amount"], d.Columns.FieldNames);
        Assert.Equal("false", d.Options["partition.legacy-name"]);
        Assert.False(d.Options.ContainsKey("changelog-producer"));
        Assert.Equal("true", d.Options["fluss.table.datalake.enabled"]);
        Assert.Equal("ops", d.Options["fluss.owner"]);
    }

    [Fact]
    public void Definition_LogTableWithBucketKey_UsesFlussBucketCountAndKeys()
    {
        var d = PaimonLakeStorage.Definition(TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(4, "user_name").Build());

        Assert.Equal(4, d.Buckets);
        Assert.Equal(["user_name"], d.BucketKeys);
        Assert.Empty(d.PrimaryKeys);
    }

    [Fact]
    public void Definition_PrimaryKeyTable_HasPrimaryKeyBucketsAndInputChangelog()
    {
        var d = PaimonLakeStorage.Definition(TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(3).Build());

        Assert.Equal(["id"], d.PrimaryKeys);
        Assert.Equal(3, d.Buckets);
        Assert.Equal(["id"], d.BucketKeys);
        Assert.Equal("input", d.Options["changelog-producer"]);
    }

    [Fact]
    public void Definition_PaimonProperty_PassesThroughWithoutPrefixButNotDistribution()
    {
        var d = PaimonLakeStorage.Definition(TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(2)
            .CustomProperty("paimon.snapshot.num-retained.max", "7").Build());
        Assert.Equal("7", d.Options["snapshot.num-retained.max"]);

        var e = Assert.Throws<InvalidTableException>(() => PaimonLakeStorage.Definition(TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(2)
            .CustomProperty("paimon.bucket", "9").Build()));
        Assert.Contains("paimon.bucket", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTable_SameLayoutAgain_SucceedsAndOtherLayoutIsRefused()
    {
        using var dir = new TempDir();
        var lake = new PaimonLakeStorage(dir.Path);
        var path = new TablePath("shop", "orders");
        var descriptor = TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(2, "id").Build();

        await lake.CreateTableAsync(path, descriptor);
        await lake.CreateTableAsync(path, descriptor);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "shop.db", "orders", "schema")));

        var other = TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(5, "id").Build();
        var e = await Assert.ThrowsAsync<FlussException>(() => lake.CreateTableAsync(path, other));
        Assert.Equal(FlussErrorCode.LakeTableAlreadyExist, e.ErrorCode);
    }

    [Fact]
    public async Task OpenWriter_MissingTable_FailsWithLakeStorageNotConfigured()
    {
        using var dir = new TempDir();
        var e = await Assert.ThrowsAsync<FlussException>(() => new PaimonLakeStorage(dir.Path).OpenWriterAsync(new TablePath("shop", "nothing")));
        Assert.Equal(FlussErrorCode.LakeStorageNotConfigured, e.ErrorCode);
        Assert.Contains("shop.nothing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_StaleExpectedSnapshot_IsRefusedAndCommitsNothing()
    {
        using var dir = new TempDir();
        var lake = new PaimonLakeStorage(dir.Path);
        var path = new TablePath("shop", "events");
        await lake.CreateTableAsync(path, TableDescriptor.NewBuilder().Schema(LogSchema).DistributedBy(1).Build());
        var first = await lake.OpenWriterAsync(path);
        var second = await lake.OpenWriterAsync(path);
        var a = await first.WriteAsync(0, [Batch(GenericRow.Of(1L, "a", 1))]);
        var b = await second.WriteAsync(0, [Batch(GenericRow.Of(2L, "b", 2))]);

        var id = await first.CommitAsync([a], "__fluss_lake_tiering", 1, new Dictionary<string, string> { ["fluss-offsets"] = "f1" }, expectedLatestSnapshotId: 0);
        Assert.Equal(1, id);
        await Assert.ThrowsAsync<LakeCommitConflictException>(() =>
            second.CommitAsync([b], "__fluss_lake_tiering", 1, new Dictionary<string, string> { ["fluss-offsets"] = "f2" }, expectedLatestSnapshotId: 0));

        var latest = await second.LatestSnapshotOfUserAsync("__fluss_lake_tiering");
        Assert.NotNull(latest);
        Assert.Equal(1, latest.SnapshotId);
        Assert.Equal(1, latest.CommitIdentifier);
        Assert.Equal("f1", latest.Properties["fluss-offsets"]);
        Assert.Equal([1L], await ReadIdsAsync(lake, path));

        // On top of the right snapshot the same files commit.
        Assert.Equal(2, await second.CommitAsync([b], "__fluss_lake_tiering", 2, new Dictionary<string, string>(), expectedLatestSnapshotId: 1));
        Assert.Equal([1L, 2L], await ReadIdsAsync(lake, path));
    }

    [Fact]
    public async Task Abort_PrimaryKeyFiles_DeletesDataAndChangelogFiles()
    {
        using var dir = new TempDir();
        var lake = new PaimonLakeStorage(dir.Path);
        var path = new TablePath("shop", "state");
        await lake.CreateTableAsync(path, TableDescriptor.NewBuilder().Schema(PkSchema).DistributedBy(1).Build());
        var writer = await lake.OpenWriterAsync(path);
        var rows = new[] { GenericRow.Of(1L, "x"), GenericRow.Of(1L, "y") };
        var file = await writer.WriteAsync(0, [new LakeWriteBatch(Batch(PkSchema.RowType, rows), new[] { ChangeType.Insert, ChangeType.UpdateAfter })]);
        var bucketDir = Path.GetDirectoryName(file.Path)!;
        Assert.True(File.Exists(file.Path));
        Assert.Equal(2, Directory.GetFiles(bucketDir).Length); // data + changelog

        await writer.AbortAsync([file]);

        Assert.Empty(Directory.GetFiles(bucketDir));
        Assert.Null(await writer.LatestSnapshotAsync());
    }

    [Fact]
    public void FromConfiguration_FormatAndWarehouse_AreRequiredTogether()
    {
        Assert.Null(PaimonLakeStorage.FromConfiguration(new Configuration()));
        var noWarehouse = new Configuration().SetString("datalake.format", "paimon");
        var e = Assert.Throws<InvalidConfigException>(() => PaimonLakeStorage.FromConfiguration(noWarehouse));
        Assert.Contains(PaimonLakeStorage.WarehouseKey, e.Message, StringComparison.Ordinal);
        using var dir = new TempDir();
        var lake = PaimonLakeStorage.FromConfiguration(new Configuration().SetString("datalake.format", "paimon").SetString(PaimonLakeStorage.WarehouseKey, "file://" + dir.Path));
        Assert.NotNull(lake);
        Assert.Equal(dir.Path, lake.Warehouse);
    }

    private static LakeWriteBatch Batch(params GenericRow[] rows) => new(Batch(LogSchema.RowType, rows));

    private static Apache.Arrow.RecordBatch Batch(RowType type, IEnumerable<GenericRow> rows)
    {
        using var builder = new ArrowBatchBuilder(type);
        foreach (var r in rows) builder.Append(r);
        return builder.Build();
    }

    private static async Task<List<long>> ReadIdsAsync(PaimonLakeStorage lake, TablePath path)
    {
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, lake.TableLocation(path));
        var ids = new List<long>();
        await foreach (var row in reader.ReadRowsAsync()) ids.Add((long)row[0]!);
        ids.Sort();
        return ids;
    }
}
