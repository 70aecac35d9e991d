using Fluss.Config;

namespace Fluss.Tests.Model;

public class OptionSplitterTests
{
    public static TheoryData<string, char, string[]> Vectors() => new()
    {
        // From Fluss's StructuredOptionsSplitterTest.
        { "'A;B';C", ';', ["A;B", "C"] },
        { "'A;B';'C'", ';', ["A;B", "C"] },
        { "A;B;C", ';', ["A", "B", "C"] },
        { "'AB''D;B';C", ';', ["AB'D;B", "C"] },
        { "A'BD;B';C", ';', ["A'BD", "B'", "C"] },
        { "\"A;B\";C", ';', ["A;B", "C"] },
        { "\"AB\"\"D;B\";C", ';', ["AB\"D;B", "C"] },
        { "'AB\"D;B';C", ';', ["AB\"D;B", "C"] },
        { "\"AB'D;B\";C", ';', ["AB'D;B", "C"] },
        { "'A,B',C", ',', ["A,B", "C"] },
        { "A,B,C", ',', ["A", "B", "C"] },
        { "   'A;B'    ;   C   ", ';', ["A;B", "C"] },
        { "   A;B    ;   C   ", ';', ["A", "B", "C"] },
        { "'A;B'    ;C A", ';', ["A;B", "C A"] },
        { "A;;B", ';', ["A", "", "B"] },
        { "", ';', [] },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Split_FlussVectors(string text, char delimiter, string[] expected)
    {
        Assert.Equal(expected, OptionSplitter.Split(text, delimiter));
    }

    [Theory]
    [InlineData("'A;B", "not closed")]
    [InlineData("'A'B;C", "Illegal quoting")]
    public void Split_BadQuoting_Throws(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => OptionSplitter.Split(text, ';'));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JoinThenSplit_ItemsWithDelimitersAndQuotes_RoundTrip()
    {
        string[] items = ["plain", "with,comma", "it's", "\"q\"", " spaced"];
        var joined = OptionSplitter.JoinList(items);
        Assert.Equal(["plain", "with,comma", "it's", "\"q\"", "spaced"], OptionSplitter.Split(joined, ','));
    }

    [Fact]
    public void Map_ParseAndJoin()
    {
        var map = OptionSplitter.ParseMap("FLUSS:PLAINTEXT, INTERNAL : SASL");
        Assert.Equal("PLAINTEXT", map["FLUSS"]);
        Assert.Equal("SASL", map["INTERNAL"]);
        var tricky = new Dictionary<string, string> { ["IN:TERNAL"] = "a,b", ["it's"] = "x" };
        var joined = OptionSplitter.JoinMap(tricky);
        Assert.Equal("'''IN:TERNAL'':a,b','''it''''s'':x'", joined);
        Assert.Equal(tricky, OptionSplitter.ParseMap(joined));
        Assert.Throws<FormatException>(() => OptionSplitter.ParseMap("a:b:c"));
    }
}
