using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Tests.Model;

public class TablePathTests
{
    [Fact]
    public void Validate_ValidNames_PassAndPrint()
    {
        var path = TablePath.Of("db_2-abc3", "table-1_abc_2");
        path.Validate();
        Assert.True(path.IsValid);
        Assert.Equal("db_2-abc3.table-1_abc_2", path.ToString());
        var longName = new string('a', 200);
        Assert.True(TablePath.Of(longName, longName).IsValid);
    }

    [Fact]
    public void Validate_ReservedPrefix_Rejected()
    {
        var path = TablePath.Of("db_2", "__table-1");
        Assert.True(path.IsValid); // well-formed; only Validate refuses the reserved prefix
        var ex = Assert.Throws<InvalidTableException>(path.Validate);
        Assert.Contains("Table name __table-1 is invalid: '__' is not allowed as prefix", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string?, string> InvalidNames() => new()
    {
        { "*abc", "'*abc' contains one or more characters other than ASCII alphanumerics, '_' and '-'" },
        { "table.abc", "'table.abc' contains one or more characters other than" },
        { null, "null string is not allowed" },
        { "", "the empty string is not allowed" },
        { " ", "' ' contains one or more characters other than" },
        { ".", "'.' is not allowed" },
        { "..", "'..' is not allowed" },
        { "ä", "'ä' contains one or more characters other than" },
        { new string('a', 201), $"the length of '{new string('a', 201)}' is longer than the max allowed length 200" },
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Validate_InvalidName_RejectedForTableAndDatabase(string? name, string reason)
    {
        var table = new TablePath("db", name!);
        Assert.False(table.IsValid);
        var tableEx = Assert.Throws<InvalidTableException>(table.Validate);
        Assert.Contains($"Table name {name} is invalid: {reason}", tableEx.Message, StringComparison.Ordinal);

        var db = new TablePath(name!, "table");
        Assert.False(db.IsValid);
        var dbEx = Assert.Throws<FlussException>(db.Validate);
        Assert.Equal(FlussErrorCode.InvalidDatabase, dbEx.ErrorCode);
        Assert.Contains($"Database name {name} is invalid: {reason}", dbEx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_QualifiedAndBareNames()
    {
        Assert.Equal(TablePath.Of("shop", "orders"), TablePath.Parse("shop.orders"));
        Assert.Equal(TablePath.Of("fluss", "orders"), TablePath.Parse("orders"));
    }

    [Fact]
    public void PhysicalTablePath_ToStringAndValidity()
    {
        var table = PhysicalTablePath.Of(TablePath.Of("db", "t"));
        var partition = PhysicalTablePath.Of("db", "t", "2024$us");
        Assert.Equal("db.t", table.ToString());
        Assert.Equal("db.t(p=2024$us)", partition.ToString());
        Assert.True(partition.IsValid);
        Assert.False(PhysicalTablePath.Of("db", "t", "2024$u s").IsValid);
        Assert.NotEqual(table, partition);
        Assert.Equal(partition, PhysicalTablePath.Of(TablePath.Of("db", "t"), "2024$us"));
    }

    [Fact]
    public void TableBucket_EqualityAndToString()
    {
        Assert.Equal(new TableBucket(1, 2), new TableBucket(1, null, 2));
        Assert.NotEqual(new TableBucket(1, 2), new TableBucket(1, 0, 2));
        Assert.Equal("TableBucket{tableId=1, bucket=2}", new TableBucket(1, 2).ToString());
        Assert.Equal("TableBucket{tableId=1, partitionId=7, bucket=2}", new TableBucket(1, 7, 2).ToString());
        var set = new HashSet<TableBucket> { new(5, 3, 1), new(5, 3, 1) };
        Assert.Single(set);
    }

    [Fact]
    public void ResolvedPartitionSpec_NamesAndQualifiedNames()
    {
        // From Fluss's ResolvedPartitionSpecTest.
        var one = ResolvedPartitionSpec.FromPartitionSpec(["a"], new PartitionSpec(new Dictionary<string, string> { ["a"] = "1" }));
        Assert.Equal("1", one.PartitionName);
        Assert.Equal("a=1", one.QualifiedName);
        Assert.Equal(one, ResolvedPartitionSpec.FromQualifiedName(one.QualifiedName));

        var two = ResolvedPartitionSpec.FromPartitionSpec(["a", "b"], new PartitionSpec(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }));
        Assert.Equal("1$2", two.PartitionName);
        Assert.Equal("a=1/b=2", two.QualifiedName);
        Assert.Equal(["a", "b"], two.PartitionKeys);
        Assert.Equal(["1", "2"], two.PartitionValues);
        Assert.Equal(two, ResolvedPartitionSpec.FromQualifiedName("a=1/b=2"));
        Assert.Equal(two, ResolvedPartitionSpec.FromPartitionName(["a", "b"], "1$2"));
        Assert.Equal(two.ToPartitionSpec(), new PartitionSpec(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }));
        Assert.True(two.Contains(ResolvedPartitionSpec.FromPartitionValue("b", "2")));
        Assert.False(two.Contains(ResolvedPartitionSpec.FromPartitionValue("b", "3")));
        var ex = Assert.Throws<FlussException>(() => two.Contains(ResolvedPartitionSpec.FromPartitionValue("c", "3")));
        Assert.Equal(FlussErrorCode.PartitionSpecInvalid, ex.ErrorCode);
    }

    [Fact]
    public void ResolvedPartitionSpec_MismatchedCounts_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new ResolvedPartitionSpec(["a", "b"], ["1"]));
        Assert.Throws<FormatException>(() => ResolvedPartitionSpec.FromQualifiedName("a=1/b"));
    }

    [Fact]
    public void ValidatePartitionSpec_RulesOfFluss()
    {
        var path = TablePath.Of("db", "t");
        PartitionRules.ValidatePartitionSpec(path, ["dt", "region"], new PartitionSpec(new Dictionary<string, string> { ["region"] = "us", ["dt"] = "20240101" }), isCreate: true);

        var wrongCount = Assert.Throws<FlussException>(() =>
            PartitionRules.ValidatePartitionSpec(path, ["dt", "region"], new PartitionSpec(new Dictionary<string, string> { ["dt"] = "1" }), true));
        Assert.Equal(FlussErrorCode.PartitionSpecInvalid, wrongCount.ErrorCode);

        var missingKey = Assert.Throws<FlussException>(() =>
            PartitionRules.ValidatePartitionSpec(path, ["dt"], new PartitionSpec(new Dictionary<string, string> { ["day"] = "1" }), true));
        Assert.Contains("does not contain partition key 'dt'", missingKey.Message, StringComparison.Ordinal);

        var badValue = Assert.Throws<FlussException>(() => PartitionRules.ValidatePartitionValues(["2024-01-01", "a/b"], true));
        Assert.Contains("The partition value a/b is invalid: 'a/b' contains one or more characters other than", badValue.Message, StringComparison.Ordinal);

        var reserved = Assert.Throws<FlussException>(() => PartitionRules.ValidatePartitionValues(["__historical__"], isCreate: true));
        Assert.Contains("'__' is not allowed as prefix", reserved.Message, StringComparison.Ordinal);
        PartitionRules.ValidatePartitionValues(["__historical__"], isCreate: false);
    }
}
