using static Fluss.Lake.Paimon.Tests.TestSupport;

namespace Fluss.Lake.Paimon.Tests;

/// <summary>Every Java-written fixture table reads back exactly the rows its README (or the writer's tests) lists.</summary>
public class JavaFixtureTests
{
    private const string TwoRoads = "Two roads diverged in a wood, and I took the one less traveled by, And that has made all the difference.";

    [Fact]
    public async Task Mor_LatestSnapshot_MergesUpdatesAndDeletesAcrossLevels()
    {
        var rows = await ReadAsync(Fixture("pk_table_scan_and_read_mor"));
        Assert.Equal(Sorted(
            "Bob|10|0|12.1", "David|10|0|17.1", "Emily|10|0|13.1", "Marco|10|0|21.1", "Marco2|10|0|31.1", "Skye|10|0|21",
            "Skye2|10|0|31", "Alice|10|1|19.1", TwoRoads + "|10|1|11", "Lucy|20|1|14.1", "Paul|20|1|18.1"), rows);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Mor_EarlierSnapshot_ReadsThatSnapshot(long snapshot)
    {
        var expected = snapshot switch
        {
            1 => Sorted(TwoRoads + "|10|1|11", "Alice|10|1|11.1", "Bob|10|0|12.1", "Emily|10|0|13.1", "Tony|10|0|14.1", "Alex|10|0|16.1",
                "David|10|0|17.1", "Lucy|20|1|14.1", "Paul|20|1|18.1"),
            2 or 3 => Sorted("Alice|10|1|19.1", TwoRoads + "|10|1|11", "Alex|10|0|16.1", "Bob|10|0|12.1", "David|10|0|17.1", "Emily|10|0|13.1",
                "Lucy|20|1|14.1", "Paul|20|1|18.1"),
            _ => Sorted("Alice|10|1|19.1", TwoRoads + "|10|1|11", "Alex|10|0|21.2", "Bob|10|0|12.1", "David|10|0|17.1", "Emily|10|0|13.1",
                "Skye|10|0|21", "Marco|10|0|21.1", "Lucy|20|1|14.1", "Paul|20|1|18.1"),
        };
        Assert.Equal(expected, await ReadAsync(Fixture("pk_table_scan_and_read_mor"), snapshot));
    }

    [Fact]
    public async Task Mor_Projection_ReturnsColumnsInRequestedOrder()
    {
        var rows = await ReadAsync(Fixture("pk_table_scan_and_read_mor"), 2, ["f3", "f0"]);
        Assert.Equal(Sorted("19.1|Alice", "11|" + TwoRoads, "16.1|Alex", "12.1|Bob", "17.1|David", "13.1|Emily", "14.1|Lucy", "18.1|Paul"), rows);
    }

    [Fact]
    public async Task FirstRow_BatchRead_KeepsFirstRowAndSkipsLevel0LikeJava()
    {
        var rows = await ReadAsync(Fixture("pk_table_scan_and_read_first_row"));
        Assert.Equal(Sorted("Alice|10|1|11.1", TwoRoads + "|10|1|11", "Alex|10|0|16.1", "Bob|10|0|12.1", "David|10|0|17.1",
            "Emily|10|0|13.1", "Tony|10|0|14.1", "Lucy|20|1|14.1", "Paul|20|1|18.1"), rows);
    }

    [Fact]
    public async Task PartialUpdate_Snapshot2_MergesNonNullFieldsAndIgnoresDeletes()
    {
        var rows = await ReadAsync(Fixture("pk_table_partial_update"));
        Assert.Equal(Sorted("0|1|100|true|new_apple", "1|0|2|false|null", "1|1|133.3|false|banana", "2|1|144.4|true|orange"), rows);
    }

    [Fact]
    public async Task PartialUpdate_Snapshot1_ReadsFirstCommit()
    {
        var rows = await ReadAsync(Fixture("pk_table_partial_update"), 1);
        Assert.Equal(Sorted("0|1|null|false|apple", "1|0|2|false|null", "1|1|null|true|banana"), rows);
    }

    private static readonly string[] ComplexRows =
    [
        "10|1|1234|2033-05-18 03:33:20.0|123456789987654321.45678|add",
        "20|1|-1234|1899-01-01 00:59:20.001001001|-123456789987654321.45678|bad",
        "10|1|19909|2033-05-18 03:33:20.000001001|12.30000|cat",
        "10|1|0|2008-12-28 00:00:00.000123456|null|dad",
        "10|1|100|2008-12-28 00:00:00.00012345|-123.45000|eat",
        "10|1|null|1899-01-01 00:59:20.001001001|0.00000|fat",
        "20|0|-100|null|0.00000|get",
        "10|1|20006|2024-10-10 10:10:10.1001001|1728551410100.10010|null",
    ];

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 7)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    public async Task AppendComplex_Snapshot_ReadsInt96TimestampsDecimalsAndBinaries(long snapshot, int rowCount)
    {
        var rows = await ReadAsync(Fixture("append_complex_data"), snapshot);
        Assert.Equal(Sorted(ComplexRows[..rowCount]), rows);
    }

    [Fact]
    public async Task AlterTable_Snapshot2_MapsOldFilesByFieldId()
    {
        var rows = await ReadAsync(Fixture("append_table_with_alter_table"));
        Assert.Equal(Sorted(
            "0|1|16|13|null|15|null", "0|1|26|23|null|25|null", "0|1|36|33|null|35|null",
            "0|1|66|63|517|65|618", "0|1|76|73|527|75|628", "0|1|86|83|537|85|638",
            "1|1|46|43|null|45|null", "1|1|56|53|null|55|null", "1|1|96|93|547|95|648", "1|1|106|103|557|105|658"), rows);
    }

    [Fact]
    public async Task AlterTable_Snapshot1_ReadsWithItsOwnSchema()
    {
        var rows = await ReadAsync(Fixture("append_table_with_alter_table"), 1);
        Assert.Equal(Sorted("0|1|12|13|14|15|16", "0|1|22|23|24|25|26", "0|1|32|33|34|35|36", "1|1|42|43|44|45|46", "1|1|52|53|54|55|56"), rows);
    }

    [Fact]
    public async Task GoldenGlobalIndex_DeletionVectorTable_ReadsLiveRowsOneToSix()
    {
        var rows = await ReadAsync(GoldenTable("test_pk_global_index_golden"));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"{i}|name-{i}|{(i % 2 == 1 ? "odd" : "even")}").ToList(), rows);
    }

    [Fact]
    public async Task GoldenFullText_ReadsFourLiveRows()
    {
        var rows = await ReadAsync(GoldenTable("test_pk_full_text_golden"), columns: ["id"]);
        Assert.Equal(Sorted("1", "2", "3", "4"), rows);
    }

    [Fact]
    public async Task GoldenVector_AllColumns_RefusedNamingVector()
    {
        var e = await Assert.ThrowsAsync<PaimonUnsupportedFeatureException>(() => ReadAsync(GoldenTable("test_pk_vector_golden")));
        Assert.Contains("VECTOR", e.Feature, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoldenVector_ProjectionWithoutVector_ReadsIds()
    {
        var rows = await ReadAsync(GoldenTable("test_pk_vector_golden"), columns: ["id"]);
        Assert.Equal(Sorted("1", "2", "3", "4"), rows);
    }
}
