using CsCheck;
using Fluss.Config;

namespace Fluss.Tests.Model;

public class MemorySizeTests
{
    [Theory]
    [InlineData("1234b", 1234L)]
    [InlineData("1234 b", 1234L)]
    [InlineData("1234bytes", 1234L)]
    [InlineData("1234 bytes", 1234L)]
    [InlineData("667766k", 667766L << 10)]
    [InlineData("667766 kb", 667766L << 10)]
    [InlineData("667766kibibytes", 667766L << 10)]
    [InlineData("7657623m", 7657623L << 20)]
    [InlineData("7657623 mb", 7657623L << 20)]
    [InlineData("7657623 mebibytes", 7657623L << 20)]
    [InlineData("987654g", 987654L << 30)]
    [InlineData("987654 gb", 987654L << 30)]
    [InlineData("987654gibibytes", 987654L << 30)]
    [InlineData("1234567t", 1234567L << 40)]
    [InlineData("1234567 tb", 1234567L << 40)]
    [InlineData("1234567 tebibytes", 1234567L << 40)]
    [InlineData("1 B", 1L)]
    [InlineData("1 K", 1024L)]
    [InlineData("1 M", 1L << 20)]
    [InlineData("1 G", 1L << 30)]
    [InlineData("1 T", 1L << 40)]
    [InlineData("      155      bytes   ", 155L)]
    [InlineData("64mb", 64L << 20)]
    [InlineData("2 kb", 2048L)]
    public void Parse_ValidText_ReturnsBytes(string text, long bytes)
    {
        Assert.Equal(bytes, MemorySize.Parse(text).Bytes);
        Assert.Equal(bytes, MemorySize.ParseBytes(text));
    }

    [Theory]
    [InlineData("1234", "has no unit")]
    [InlineData("      155      ", "has no unit")]
    [InlineData("", "empty")]
    [InlineData("     ", "empty")]
    [InlineData("foobar or fubar or foo bazz", "does not start with a non-negative number")]
    [InlineData("16 gjah", "Unknown memory unit 'gjah'")]
    [InlineData("16 16 17 18 bytes", "Unknown memory unit")]
    [InlineData("-100 bytes", "does not start with a non-negative number")]
    [InlineData("100000000000000000000000000000000 bytes", "does not fit in 64 bits")]
    [InlineData("100000000000000 tb", "does not fit in 64 bits of bytes")]
    public void Parse_InvalidText_ThrowsSayingWhy(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => MemorySize.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(MemorySize.TryParse(text, out _));
    }

    [Theory]
    // Formatting vectors from Fluss's MemorySizeTest.
    [InlineData(1025L, "1025 bytes")]
    [InlineData(100L, "100 bytes")]
    [InlineData(1024L, "1 kb")]
    [InlineData((1L << 30) + 1, "1073741825 bytes")]
    [InlineData(0L, "0 bytes")]
    [InlineData(64L << 20, "64 mb")]
    [InlineData(1L << 40, "1099511627776 bytes")]
    public void ToString_LargestExactUnit(long bytes, string expected)
    {
        Assert.Equal(expected, new MemorySize(bytes).ToString());
    }

    [Theory]
    [InlineData(0L, "0 bytes")]
    [InlineData(1L, "1 bytes")]
    [InlineData(1024L, "1024 bytes")]
    [InlineData(1025L, "1.001kb (1025 bytes)")]
    [InlineData(1536L, "1.500kb (1536 bytes)")]
    [InlineData(1_000_000L, "976.563kb (1000000 bytes)")]
    [InlineData(1_000_000_000L, "953.674mb (1000000000 bytes)")]
    public void ToHumanReadableString_MatchesFluss(long bytes, string expected)
    {
        Assert.Equal(expected, new MemorySize(bytes).ToHumanReadableString());
    }

    [Fact]
    public void UnitConversions_TruncateLikeFluss()
    {
        var teras = new MemorySize(2199023255562L);
        Assert.Equal(2147483648L, teras.KibiBytes);
        Assert.Equal(2097152L, teras.MebiBytes);
        Assert.Equal(2048L, teras.GibiBytes);
        Assert.Equal(2L, teras.TebiBytes);
        Assert.Equal(18L, new MemorySize(18500).KibiBytes);
    }

    [Fact]
    public void ToStringThenParse_RandomSizes_RoundTrip()
    {
        Gen.Long[0, long.MaxValue].Sample(b => Assert.Equal(b, MemorySize.Parse(new MemorySize(b).ToString()).Bytes), iter: 2000);
        Gen.Long[0, 1L << 20].Sample(k => Assert.Equal(k << 10, MemorySize.Parse(new MemorySize(k << 10).ToString()).Bytes));
    }

    [Fact]
    public void Constructor_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemorySize(-1));
    }
}
