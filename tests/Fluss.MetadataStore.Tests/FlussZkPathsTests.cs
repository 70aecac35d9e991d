using Fluss.MetadataStore;

namespace Fluss.Tests.MetadataStore;

public class FlussZkPathsTests
{
    private readonly FlussZkPaths _paths = new();

    [Fact]
    public void DefaultRoot_IsFlussAndKeyIsFlussKey()
    {
        Assert.Equal("/fluss", FlussZkPaths.DefaultRoot);
        Assert.Equal("zookeeper.path.root", FlussZkPaths.RootConfigKey);
        Assert.Equal("/fluss", _paths.Root);
    }

    [Fact]
    public void MetadataPaths_MatchFlussLayout()
    {
        Assert.Equal("/fluss/metadata/databases", _paths.Databases());
        Assert.Equal("/fluss/metadata/databases/shop", _paths.Database("shop"));
        Assert.Equal("/fluss/metadata/databases/shop/tables", _paths.Tables("shop"));
        Assert.Equal("/fluss/metadata/databases/shop/tables/orders", _paths.Table("shop", "orders"));
        Assert.Equal("/fluss/metadata/databases/shop/tables/orders/schemas/2", _paths.Schema("shop", "orders", 2));
        Assert.Equal("/fluss/metadata/databases/shop/tables/orders/partitions/2024$eu", _paths.Partition("shop", "orders", "2024$eu"));
        Assert.Equal("/fluss/metadata/databases/shop/tables/orders/auto_inc/col_3", _paths.AutoIncrementColumn("shop", "orders", 3));
        Assert.Equal("/fluss/metadata/table_seqid", _paths.TableSequenceId());
        Assert.Equal("/fluss/metadata/partition_seqid", _paths.PartitionSequenceId());
        Assert.Equal("/fluss/metadata/writer_id", _paths.WriterId());
    }

    [Fact]
    public void ServerAndBucketPaths_MatchFlussLayout()
    {
        Assert.Equal("/fluss/coordinators/ids/c1", _paths.CoordinatorId("c1"));
        Assert.Equal("/fluss/coordinators/election", _paths.CoordinatorElection());
        Assert.Equal("/fluss/coordinators/active", _paths.CoordinatorLeader());
        Assert.Equal("/fluss/coordinators/epoch", _paths.CoordinatorEpoch());
        Assert.Equal("/fluss/tabletservers/seqid", _paths.ServerSequenceId());
        Assert.Equal("/fluss/tabletservers/ids/3", _paths.ServerId(3));
        Assert.Equal("/fluss/tabletservers/server_tags", _paths.ServerTags());
        Assert.Equal("/fluss/tabletservers/tables/150001", _paths.TableId(150001));
        Assert.Equal("/fluss/tabletservers/partitions/17", _paths.PartitionId(17));
        Assert.Equal("/fluss/tabletservers/tables/5/buckets", _paths.Buckets(5));
        Assert.Equal("/fluss/tabletservers/tables/5/buckets/3/leader_isr", _paths.LeaderAndIsr(5, null, 3));
        Assert.Equal("/fluss/tabletservers/partitions/7/buckets/3/leader_isr", _paths.LeaderAndIsr(5, 7, 3));
        Assert.Equal("/fluss/tabletservers/tables/5/buckets/0/snapshots/12", _paths.BucketSnapshot(5, null, 0, 12));
        Assert.Equal("/fluss/tabletservers/tables/5/buckets/0/snapshot_seqid", _paths.BucketSnapshotSequenceId(5, null, 0));
        Assert.Equal("/fluss/tabletservers/partitions/9/buckets/1/remote_logs", _paths.BucketRemoteLogs(5, 9, 1));
        Assert.Equal("/fluss/tabletservers/tables/5/laketable", _paths.LakeTable(5));
    }

    [Fact]
    public void OtherPaths_MatchFlussLayout()
    {
        Assert.Equal("/fluss/fluss-acls/TABLE/shop.orders", _paths.ResourceAcl("TABLE", "shop.orders"));
        Assert.Equal("/fluss/fluss-acl-changes/acl_changes_", _paths.AclChangeNotificationPrefix());
        Assert.Equal("/fluss/config/server/global", _paths.ConfigEntity());
        Assert.Equal("/fluss/config/changes/config_change_", _paths.ConfigChangeNotificationPrefix());
        Assert.Equal("/fluss/cluster/rebalance", _paths.Rebalance());
        Assert.Equal("/fluss/producers/p1", _paths.Producer("p1"));
        Assert.Equal("/fluss/leases/kv_snapshot/l1", _paths.KvSnapshotLease("l1"));
    }

    [Theory]
    [InlineData("/", "/metadata/table_seqid")]
    [InlineData("/my/cluster", "/my/cluster/metadata/table_seqid")]
    [InlineData("/my/cluster/", "/my/cluster/metadata/table_seqid")]
    [InlineData("fluss-b", "/fluss-b/metadata/table_seqid")]
    public void Root_IsNormalized(string root, string expected) => Assert.Equal(expected, new FlussZkPaths(root).TableSequenceId());

    [Fact]
    public void Root_Invalid_Throws()
    {
        Assert.Throws<MetadataStoreException>(() => new FlussZkPaths("/a//b"));
    }

    [Fact]
    public void Relative_StripsTheRoot()
    {
        Assert.Equal("/metadata", _paths.Relative("/fluss/metadata"));
        Assert.Null(_paths.Relative("/flussy/metadata"));
        Assert.Null(_paths.Relative("/fluss"));
        Assert.Equal("/x", new FlussZkPaths("/").Relative("/x"));
    }

    [Fact]
    public void TryParseTable_AcceptsTableNodesOnly()
    {
        Assert.True(_paths.TryParseTable("/fluss/metadata/databases/shop/tables/orders", out var db, out var table));
        Assert.Equal(("shop", "orders"), (db, table));
        Assert.False(_paths.TryParseTable("/fluss/metadata/databases/shop/tables/orders/schemas/1", out _, out _));
        Assert.False(_paths.TryParseTable("/fluss/metadata/databases/shop", out _, out _));
        Assert.False(_paths.TryParseTable("/fluss/metadata/databases/shop/tables/", out _, out _));
        Assert.False(_paths.TryParseTable("/other/metadata/databases/shop/tables/orders", out _, out _));
        Assert.False(_paths.TryParseTable("/fluss/metadata/databases/sh op/tables/orders", out _, out _));
    }

    [Fact]
    public void TryParseSchemaAndPartition_AsFluss()
    {
        Assert.True(_paths.TryParseSchema("/fluss/metadata/databases/shop/tables/orders/schemas/3", out var db, out var t, out var id));
        Assert.Equal(("shop", "orders", 3), (db, t, id));
        Assert.False(_paths.TryParseSchema("/fluss/metadata/databases/shop/tables/orders/schemas/x", out _, out _, out _));
        Assert.True(_paths.TryParsePartition("/fluss/metadata/databases/shop/tables/orders/partitions/2024$eu", out db, out t, out var p));
        Assert.Equal(("shop", "orders", "2024$eu"), (db, t, p));
        Assert.False(_paths.TryParsePartition("/fluss/metadata/databases/shop/tables/orders/partitions/bad name", out _, out _, out _));
        Assert.False(_paths.TryParsePartition("/fluss/metadata/databases/shop/tables/orders", out _, out _, out _));
    }

    [Theory]
    [InlineData("orders", true)]
    [InlineData("a-b_C9", true)]
    [InlineData("", false)]
    [InlineData("a.b", false)]
    [InlineData("ä", false)]
    public void IsValidName_AsFlussTablePath(string name, bool valid) => Assert.Equal(valid, FlussZkPaths.IsValidName(name));

    [Fact]
    public void IsValidName_LengthLimit200()
    {
        Assert.True(FlussZkPaths.IsValidName(new string('a', 200)));
        Assert.False(FlussZkPaths.IsValidName(new string('a', 201)));
    }
}
