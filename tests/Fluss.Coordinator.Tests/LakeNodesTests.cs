using System.Text;
using Fluss.Coordinator.Lake;
using Fluss.Coordinator.Store;
using Fluss.Metadata;

namespace Fluss.Tests.Coordinator;

/// <summary>The lake offsets file and the lake table node, against Fluss's JSON.</summary>
public class LakeNodesTests
{
    private static TableBucketOffsets Offsets(long tableId, params (long? Partition, int Bucket, long Offset)[] entries) =>
        new(tableId, entries.ToDictionary(e => new TableBucket(tableId, e.Partition, e.Bucket), e => e.Offset));

    // Vectors of Fluss's TableBucketOffsetsJsonSerdeTest.
    public static TheoryData<string, long, (long?, int, long)[]> FlussVectors => new()
    {
        { "{\"version\":1,\"table_id\":1}", 1, [] },
        { "{\"version\":1,\"table_id\":4,\"bucket_offsets\":[100,200,300]}", 4, [(null, 0, 100), (null, 1, 200), (null, 2, 300)] },
        { "{\"version\":1,\"table_id\":5,\"bucket_offsets\":[100,-1,300,-1,500]}", 5, [(null, 0, 100), (null, 2, 300), (null, 4, 500)] },
        {
            "{\"version\":1,\"table_id\":6,\"partition_offsets\":[{\"partition_id\":1,\"bucket_offsets\":[100,200]},{\"partition_id\":2,\"bucket_offsets\":[300,400]}]}",
            6, [(1L, 0, 100), (1L, 1, 200), (2L, 0, 300), (2L, 1, 400)]
        },
        {
            "{\"version\":1,\"table_id\":7,\"partition_offsets\":[{\"partition_id\":1,\"bucket_offsets\":[100,-1,300]},{\"partition_id\":2,\"bucket_offsets\":[-1,400,-1,600]}]}",
            7, [(1L, 0, 100), (1L, 2, 300), (2L, 1, 400), (2L, 3, 600)]
        },
    };

    [Theory]
    [MemberData(nameof(FlussVectors))]
    public void TableBucketOffsets_FlussVectors_WrittenAndReadExactly(string json, long tableId, (long?, int, long)[] entries)
    {
        // entries in reverse order: the output must not depend on the order offsets were added in
        var offsets = Offsets(tableId, [.. entries.Reverse()]);
        Assert.Equal(json, Encoding.UTF8.GetString(offsets.ToJson()));
        var read = TableBucketOffsets.FromJson(Encoding.UTF8.GetBytes(json));
        Assert.Equal(tableId, read.TableId);
        Assert.Equal(offsets.Offsets.OrderBy(kv => kv.Key.ToString()), read.Offsets.OrderBy(kv => kv.Key.ToString()));
    }

    [Fact]
    public void TableBucketOffsets_MergedWith_NewerOffsetsWinOthersKept()
    {
        var merged = Offsets(3, (null, 0, 10), (null, 1, 20)).MergedWith(Offsets(3, (null, 1, 25), (null, 2, 30)));
        Assert.Equal("{\"version\":1,\"table_id\":3,\"bucket_offsets\":[10,25,30]}", Encoding.UTF8.GetString(merged.ToJson()));
    }

    [Theory]
    [InlineData("{\"version\":2,\"table_id\":1}", "version 2")]
    [InlineData("{\"version\":1}", "table_id")]
    [InlineData("{\"version\":1,\"table_id\":1,\"bucket_offsets\":[1],\"partition_offsets\":[]}", "both")]
    [InlineData("{\"version\":1,\"table_id\":1,\"bucket_offsets\":[\"x\"]}", "integers")]
    [InlineData("[1,2]", "JSON object")]
    public void TableBucketOffsets_Malformed_InvalidDataNamingTheProblem(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => TableBucketOffsets.FromJson(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void LakeTableNode_Json_FlussVersion2Layout()
    {
        var node = new LakeTableNode([new LakeSnapshotEntry(3, "/r/a.offsets", null), new LakeSnapshotEntry(4, "/r/b.offsets", "/r/c.offsets")]);
        const string json = "{\"version\":2,\"lake_snapshots\":[{\"snapshot_id\":3,\"tiered_offsets\":\"/r/a.offsets\"},"
            + "{\"snapshot_id\":4,\"tiered_offsets\":\"/r/b.offsets\",\"readable_offsets\":\"/r/c.offsets\"}]}";
        Assert.Equal(json, Encoding.UTF8.GetString(node.ToJson()));
        var read = LakeTableNode.FromJson(Encoding.UTF8.GetBytes(json));
        Assert.Equal(node.Snapshots, read.Snapshots);
        Assert.Equal(4, read.Latest!.SnapshotId);
        var v1 = Assert.Throws<InvalidDataException>(() => LakeTableNode.FromJson(Encoding.UTF8.GetBytes("{\"version\":1,\"snapshot_id\":1,\"buckets\":[]}")));
        Assert.Contains("version 1", v1.Message);
    }

    [Fact]
    public void LakeTableNode_Add_RetentionAsFluss()
    {
        var s1 = new LakeSnapshotEntry(1, "f1", null);
        var s2 = new LakeSnapshotEntry(2, "f2", "f1");
        var s3 = new LakeSnapshotEntry(3, "f3", null);
        var node = new LakeTableNode([s1, s2]);

        var (onlyLatest, dropped) = node.Add(s3, null);
        Assert.Equal([s3], onlyLatest.Snapshots);
        Assert.Equal([s1, s2], dropped);
        Assert.Equal(["f1", "f2"], onlyLatest.UnreferencedFiles(dropped));

        var (fromTwo, droppedOne) = node.Add(s3, 2);
        Assert.Equal([s2, s3], fromTwo.Snapshots);
        Assert.Equal([s1], droppedOne);
        Assert.Empty(fromTwo.UnreferencedFiles(droppedOne)); // f1 is still s2's readable offsets

        var (all, none) = node.Add(s3, -1);
        Assert.Equal([s1, s2, s3], all.Snapshots);
        Assert.Empty(none);
    }
}
