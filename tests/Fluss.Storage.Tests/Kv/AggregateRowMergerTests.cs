using System.Numerics;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Storage.Kv.Merge;
using Fluss.Types;

namespace Fluss.Storage.Tests.Kv;

public class AggregateRowMergerTests
{
    private static readonly Dictionary<string, string> Aggregation = new() { ["table.merge-engine"] = "aggregation" };

    private static KvHarness Table(params (string Name, DataType Type, AggFunction? Function)[] columns)
    {
        var builder = Schema.NewBuilder().Column("id", new IntType(false));
        foreach (var (name, type, function) in columns)
        {
            if (function is null) builder.Column(name, type);
            else builder.Column(name, type, function);
        }
        return new KvHarness(builder.PrimaryKey("id").Build(), Aggregation);
    }

    private static AggFunction F(AggFunctionType type) => new(type);

    /// <summary>Writes the rows for key 1 in order and returns the committed result.</summary>
    private static GenericRow? Run(KvHarness h, params object?[][] rows)
    {
        foreach (var row in rows) h.Upsert([1, .. row]);
        h.Commit();
        return h.Lookup(1);
    }

    [Fact]
    public void Merge_NumericFunctions_CombineAndSkipNulls()
    {
        using var h = Table(
            ("s", new IntType(), F(AggFunctionType.Sum)),
            ("p", new BigIntType(), F(AggFunctionType.Product)),
            ("mx", new DoubleType(), F(AggFunctionType.Max)),
            ("mn", new SmallIntType(), F(AggFunctionType.Min)),
            ("t", new TinyIntType(), F(AggFunctionType.Sum)),
            ("f", new FloatType(), F(AggFunctionType.Product)));
        var result = Run(h,
            [5, 2L, 1.5, (short)7, (sbyte)100, 2f],
            [null, null, null, null, null, null],
            [-3, 4L, -2.0, (short)-1, (sbyte)100, 0.5f],
            [10, 3L, 9.25, (short)3, (sbyte)1, null]);
        // TINYINT sums wrap around like Java's byte arithmetic: 100 + 100 = -56.
        Assert.Equal(GenericRow.Of(1, 12, 24L, 9.25, (short)-1, (sbyte)-55, 1f), result);
    }

    [Fact]
    public void Merge_IntegerSumOverflow_WrapsAround()
    {
        using var h = Table(("s", new IntType(), F(AggFunctionType.Sum)));
        Assert.Equal(GenericRow.Of(1, int.MinValue), Run(h, [int.MaxValue], [1]));
    }

    [Fact]
    public void Merge_DecimalSumAndProduct_RoundHalfUpAndNullOnOverflow()
    {
        var d = new DecimalType(5, 2);
        using var h = Table(("s", d, F(AggFunctionType.Sum)), ("p", d, F(AggFunctionType.Product)), ("big", new DecimalType(4, 0), F(AggFunctionType.Sum)));
        var result = Run(h,
            [FlussDecimal.FromUnscaledLong(125, 5, 2), FlussDecimal.FromUnscaledLong(125, 5, 2), FlussDecimal.FromUnscaledLong(9000, 4, 0)],
            [FlussDecimal.FromUnscaledLong(250, 5, 2), FlussDecimal.FromUnscaledLong(-250, 5, 2), FlussDecimal.FromUnscaledLong(1000, 4, 0)]);
        // 1.25 + 2.50 = 3.75; 1.25 * -2.50 = -3.125 -> -3.13 (half away from zero); 9000 + 1000 needs 5 digits -> null.
        Assert.Equal(GenericRow.Of(1, FlussDecimal.FromUnscaledLong(375, 5, 2), FlussDecimal.FromUnscaledLong(-313, 5, 2), null), result);
    }

    [Fact]
    public void Merge_ValueSelectionFunctions_FollowFlussSemantics()
    {
        using var h = Table(
            ("lv", new StringType(), F(AggFunctionType.LastValue)),
            ("lvin", new StringType(), F(AggFunctionType.LastValueIgnoreNulls)),
            ("fv", new StringType(), F(AggFunctionType.FirstValue)),
            ("fvin", new StringType(), F(AggFunctionType.FirstValueIgnoreNulls)),
            ("dflt", new StringType(), null));
        var result = Run(h, [null, "a", null, null, "a"], ["b", "b", "b", "b", "b"], [null, null, "c", "c", null]);
        // first_value keeps the first non-null accumulator as Fluss does (a null first value is replaced).
        Assert.Equal(GenericRow.Of(1, null, "b", "b", "b", "b"), result);
    }

    [Fact]
    public void Merge_ListAggBoolAndStringMinMax_Combine()
    {
        using var h = Table(
            ("l", new StringType(), F(AggFunctionType.ListAgg)),
            ("ld", new StringType(), AggFunction.ListAgg("|")),
            ("sa", new StringType(), AggFunction.StringAgg("; ")),
            ("band", new BooleanType(), F(AggFunctionType.BoolAnd)),
            ("bor", new BooleanType(), F(AggFunctionType.BoolOr)),
            ("smax", new StringType(), F(AggFunctionType.Max)),
            ("smin", new StringType(), F(AggFunctionType.Min)));
        var result = Run(h,
            ["x", "x", "x", true, false, "b", "b"],
            [null, "y", "y", null, null, "é", "a"],
            ["z", "z", null, false, true, "c", "ab"]);
        Assert.Equal(GenericRow.Of(1, "x,z", "x|y|z", "x; y", false, true, "é", "a"), result);
    }

    [Fact]
    public void Merge_TimestampAndDateMax_ComparesValues()
    {
        using var h = Table(("ts", new TimestampType(6), F(AggFunctionType.Max)), ("d", new DateType(), F(AggFunctionType.Min)), ("ltz", new LocalZonedTimestampType(3), F(AggFunctionType.Max)));
        var result = Run(h,
            [new TimestampNtz(1000, 5), 100, new TimestampLtz(5)],
            [new TimestampNtz(1000, 7), 50, new TimestampLtz(3)],
            [new TimestampNtz(999, 999_999), 70, new TimestampLtz(9)]);
        Assert.Equal(GenericRow.Of(1, new TimestampNtz(1000, 7), 50, new TimestampLtz(9)), result);
    }

    [Fact]
    public void Merge_PartialAggregation_AggregatesTargetColumnsOnly()
    {
        using var h = Table(("a", new BigIntType(), F(AggFunctionType.Sum)), ("b", new BigIntType(), F(AggFunctionType.Sum)));
        h.Upsert([1, 1L, 10L]);
        h.Kv.PutAsLeader(h.Batch().Upsert(1, 5L, 99L).Build(), [0, 1]);
        h.Commit();
        Assert.Equal(GenericRow.Of(1, 6L, 10L), h.Lookup(1));
    }

    [Fact]
    public void Delete_DefaultIgnore_KeepsRow_AllowRemovesRow()
    {
        using (var ignore = Table(("a", new BigIntType(), F(AggFunctionType.Sum))))
        {
            ignore.Upsert([1, 1L]);
            Assert.Equal(0, ignore.Delete([1]).RecordCount);
        }
        var schema = Schema.NewBuilder().Column("id", new IntType(false)).Column("a", new BigIntType(), F(AggFunctionType.Sum)).PrimaryKey("id").Build();
        using var allow = new KvHarness(schema, new Dictionary<string, string> { ["table.merge-engine"] = "aggregation", ["table.delete.behavior"] = "allow" });
        allow.Upsert([1, 1L]);
        allow.Upsert([1, 2L]);
        allow.Delete([1]);
        allow.Commit();
        Assert.Null(allow.Lookup(1));
        Assert.Equal(ChangeType.Delete, allow.Changelog()[^1].Type);
        Assert.Equal(GenericRow.Of(1, 3L), allow.Changelog()[^1].Row);
    }

    [Fact]
    public void Constructor_IncompatibleType_FailsWithInvalidConfig()
    {
        var schema = Schema.NewBuilder().Column("id", new IntType(false)).Column("b", new StringType(), F(AggFunctionType.BoolOr)).PrimaryKey("id").Build();
        var e = Assert.Throws<Errors.InvalidConfigException>(() => new AggregateRowMerger(schema, 1, DeleteBehavior.Ignore));
        Assert.Contains("bool_or", e.Message);
    }

    [Theory]
    [InlineData(0.0f, -0.0f, 1)]
    [InlineData(float.NaN, float.PositiveInfinity, 1)]
    [InlineData(float.NaN, float.NaN, 0)]
    [InlineData(-1f, 2f, -1)]
    public void JavaCompare_Floats_MatchesJavaFloatCompare(float a, float b, int expected) =>
        Assert.Equal(expected, Math.Sign(FieldAggregator.JavaCompare(a, b)));

    [Theory]
    [InlineData(3125, 1, 313)]
    [InlineData(-3125, 1, -313)]
    [InlineData(3124, 1, 312)]
    [InlineData(-3135, 1, -314)]
    [InlineData(-3149, 2, -31)]
    public void RoundHalfUp_AwayFromZeroOnTies(long value, int scale, long expected) =>
        Assert.Equal(new BigInteger(expected), FieldAggregator.RoundHalfUp(new BigInteger(value), scale));
}
