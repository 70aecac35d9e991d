using Fluss.Client;
using Fluss.Client.Writer;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Tests.Client.Support;
using Fluss.Types;

namespace Fluss.Tests.Client.Writer;

public class BucketAssignerTests
{
    // Buckets Fluss computes for these keys (compacted key + Fluss murmur; Paimon BinaryRow + Paimon hash),
    // the same reference vectors the bucketing functions are checked against.
    [Theory]
    [InlineData(null, 1000, 7, 0)]
    [InlineData(null, 1000, 16, 3)]
    [InlineData(null, 1000, 128, 19)]
    [InlineData(null, 1, 7, 4)]
    [InlineData(null, 1, 16, 12)]
    [InlineData(null, 1, 128, 108)]
    [InlineData("lance", 1000, 16, 3)]
    [InlineData("paimon", 1000, 7, 2)]
    [InlineData("paimon", 1000, 16, 5)]
    [InlineData("paimon", 1, 16, 14)]
    [InlineData("paimon", 1, 128, 30)]
    public void Hash_IntBucketKey_FlussExactBucket(string? lakeFormat, int id, int buckets, int expected)
    {
        var properties = lakeFormat is null ? null : new Dictionary<string, string> { ["table.datalake.format"] = lakeFormat };
        var table = TestTables.OrdersTable(buckets, ["id"], properties);
        using var assigner = BucketAssigners.For(table, BucketAssignerKind.Sticky, () => [], new Random(1));

        Assert.IsType<HashBucketAssigner>(assigner);
        Assert.False(assigner.AbortIfBatchFull);
        Assert.Equal(expected, assigner.Assign(GenericRow.Of(id, "whatever", 5L)));
    }

    [Theory]
    [InlineData(null, 7, 1)]
    [InlineData(null, 16, 3)]
    [InlineData(null, 128, 19)]
    [InlineData("paimon", 7, 6)]
    [InlineData("paimon", 16, 10)]
    [InlineData("paimon", 128, 90)]
    public void Hash_CompositeBucketKey_FlussExactBucket(string? lakeFormat, int buckets, int expected)
    {
        var schema = Schema.NewBuilder()
            .Column("id", new IntType(isNullable: false))
            .Column("name", new StringType(isNullable: false))
            .Column("amount", new BigIntType())
            .Build();
        var properties = lakeFormat is null ? null : new Dictionary<string, string> { ["table.datalake.format"] = lakeFormat };
        var table = TestTables.Info(TestTables.Descriptor(schema, buckets, ["id", "name"], properties));
        using var assigner = BucketAssigners.For(table, BucketAssignerKind.RoundRobin, () => [], new Random(1));

        Assert.Equal(expected, assigner.Assign(GenericRow.Of(42, "Alice", 99L)));
    }

    [Fact]
    public void Hash_SameKey_SameBucketWhateverTheOtherColumns()
    {
        var table = TestTables.OrdersTable(16, ["id"]);
        using var assigner = BucketAssigners.For(table, BucketAssignerKind.Sticky, () => [], new Random(1));
        var buckets = Enumerable.Range(0, 20).Select(i => assigner.Assign(GenericRow.Of(77, "n" + i, (long)i))).Distinct();
        Assert.Single(buckets);
    }

    [Fact]
    public void For_NoBucketKey_UsesConfiguredKind()
    {
        var table = TestTables.OrdersTable(4);
        using var sticky = BucketAssigners.For(table, BucketAssignerKind.Sticky, () => [], new Random(1));
        using var roundRobin = BucketAssigners.For(table, BucketAssignerKind.RoundRobin, () => [], new Random(1));
        Assert.IsType<StickyBucketAssigner>(sticky);
        Assert.True(sticky.AbortIfBatchFull);
        Assert.IsType<RoundRobinBucketAssigner>(roundRobin);
        Assert.False(roundRobin.AbortIfBatchFull);
    }

    [Fact]
    public void Sticky_StaysOnBucketUntilNewBatch_ThenMovesToAnother()
    {
        var assigner = new StickyBucketAssigner(4, () => [0, 1, 2, 3], new Random(3));
        var first = assigner.Assign(null);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(first, assigner.Assign(null)));

        assigner.OnNewBatch(first);
        var second = assigner.Assign(null);
        Assert.NotEqual(first, second);
        Assert.InRange(second, 0, 3);

        // A new batch reported for a bucket that is no longer the sticky one changes nothing.
        assigner.OnNewBatch(first);
        Assert.Equal(second, assigner.Assign(null));
    }

    [Fact]
    public void Sticky_OnlyAvailableBuckets_AreChosen()
    {
        var assigner = new StickyBucketAssigner(8, () => [2, 5], new Random(7));
        var seen = new HashSet<int>();
        for (var i = 0; i < 40; i++)
        {
            var bucket = assigner.Assign(null);
            seen.Add(bucket);
            assigner.OnNewBatch(bucket);
        }
        Assert.Equal([2, 5], seen.Order());
    }

    [Fact]
    public void Sticky_SingleAvailableBucket_AlwaysThatOne()
    {
        var assigner = new StickyBucketAssigner(8, () => [6], new Random(7));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(6, assigner.Assign(null));
            assigner.OnNewBatch(6);
        }
    }

    [Fact]
    public void Sticky_NoAvailableBucket_PicksAnyBucketOfTheTable()
    {
        var assigner = new StickyBucketAssigner(3, () => [], new Random(7));
        for (var i = 0; i < 20; i++)
        {
            var bucket = assigner.Assign(null);
            Assert.InRange(bucket, 0, 2);
            assigner.OnNewBatch(bucket);
        }
    }

    [Fact]
    public void RoundRobin_CyclesOverAvailableBuckets()
    {
        var assigner = new RoundRobinBucketAssigner(6, () => [1, 3, 4], startCounter: 0);
        var buckets = Enumerable.Range(0, 7).Select(_ => assigner.Assign(null)).ToArray();
        Assert.Equal([1, 3, 4, 1, 3, 4, 1], buckets);
    }

    [Fact]
    public void RoundRobin_CounterWrapsToNonNegative()
    {
        var assigner = new RoundRobinBucketAssigner(5, () => [], startCounter: int.MaxValue);
        var buckets = Enumerable.Range(0, 4).Select(_ => assigner.Assign(null)).ToArray();
        Assert.All(buckets, b => Assert.InRange(b, 0, 4));
        Assert.Equal([int.MaxValue % 5, 0, 1, 2], buckets);
    }
}
