using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Fluss.TabletServer.Metadata;
using Google.Protobuf;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class TabletServerMetadataCacheTests
{
    [Fact]
    public void Update_BucketsMergedPerBucketAndServersReplaced()
    {
        var cache = new TabletServerMetadataCache();
        var first = new UpdateMetadataRequest();
        first.TabletServers.Add(new PbServerNode { NodeId = 1, Host = "a", Port = 1 });
        first.TabletServers.Add(new PbServerNode { NodeId = 2, Host = "b", Port = 2 });
        var table = TableMetadata();
        table.BucketMetadata.Add(new PbBucketMetadata { BucketId = 0, LeaderId = 1 });
        table.BucketMetadata.Add(new PbBucketMetadata { BucketId = 1, LeaderId = 2 });
        first.TableMetadata.Add(table);
        cache.Update(first);

        var second = new UpdateMetadataRequest();
        second.TabletServers.Add(new PbServerNode { NodeId = 1, Host = "a", Port = 1 });
        var moved = TableMetadata();
        moved.BucketMetadata.Add(new PbBucketMetadata { BucketId = 1, LeaderId = 1 });
        second.TableMetadata.Add(moved);
        cache.Update(second);

        Assert.Equal([1], cache.TabletServers.Select(s => s.NodeId));
        Assert.True(cache.TryGetTable(OrdersPath, out var cached));
        Assert.Equal(1, cached.Buckets[0].LeaderId);
        Assert.Equal(1, cached.Buckets[1].LeaderId);
        Assert.Equal(2, cached.Info.NumBuckets);
    }

    [Fact]
    public void Update_TableRecreatedUnderSamePath_OldIdEvicted()
    {
        var cache = new TabletServerMetadataCache();
        var first = new UpdateMetadataRequest();
        first.TableMetadata.Add(TableMetadata(tableId: 7));
        cache.Update(first);
        var second = new UpdateMetadataRequest();
        second.TableMetadata.Add(TableMetadata(tableId: 8));

        var evicted = cache.Update(second);

        Assert.Equal([7L], evicted);
        Assert.False(cache.TryGetTable(7, out _));
        Assert.True(cache.TryGetTable(OrdersPath, out var table));
        Assert.Equal(8, table.Info.TableId);
    }

    [Fact]
    public void Update_InvalidTableJson_ThrowsAndLeavesCacheUnchanged()
    {
        var cache = new TabletServerMetadataCache();
        var good = new UpdateMetadataRequest();
        good.TabletServers.Add(new PbServerNode { NodeId = 1 });
        good.TableMetadata.Add(TableMetadata());
        cache.Update(good);
        var bad = new UpdateMetadataRequest();
        var broken = TableMetadata(tableId: 9, path: new TablePath("fluss", "broken"));
        broken.TableJson = ByteString.CopyFromUtf8("{not json");
        bad.TableMetadata.Add(broken);

        Assert.ThrowsAny<FlussException>(() => cache.Update(bad));

        Assert.Single(cache.TabletServers);
        Assert.True(cache.TryGetTable(TableId, out _));
        Assert.False(cache.TryGetTable(9, out _));
    }
}
