using Fluss.Config;

namespace Fluss.Tests.Model;

public class FlussDurationTests
{
    public static TheoryData<string, TimeSpan> Valid() => new()
    {
        // Unit labels and spellings from Fluss's TimeUtilsTest.
        { "1234ms", TimeSpan.FromMilliseconds(1234) },
        { "1234milli", TimeSpan.FromMilliseconds(1234) },
        { "1234millis", TimeSpan.FromMilliseconds(1234) },
        { "1234millisecond", TimeSpan.FromMilliseconds(1234) },
        { "1234milliseconds", TimeSpan.FromMilliseconds(1234) },
        { "1234 ms", TimeSpan.FromMilliseconds(1234) },
        { "667766s", TimeSpan.FromSeconds(667766) },
        { "667766sec", TimeSpan.FromSeconds(667766) },
        { "667766secs", TimeSpan.FromSeconds(667766) },
        { "667766second", TimeSpan.FromSeconds(667766) },
        { "667766seconds", TimeSpan.FromSeconds(667766) },
        { "667766 s", TimeSpan.FromSeconds(667766) },
        { "7657623m", TimeSpan.FromMinutes(7657623) },
        { "7657623min", TimeSpan.FromMinutes(7657623) },
        { "7657623minute", TimeSpan.FromMinutes(7657623) },
        { "7657623minutes", TimeSpan.FromMinutes(7657623) },
        { "7657623 min", TimeSpan.FromMinutes(7657623) },
        { "987654h", TimeSpan.FromHours(987654) },
        { "987654hour", TimeSpan.FromHours(987654) },
        { "987654hours", TimeSpan.FromHours(987654) },
        { "987654 h", TimeSpan.FromHours(987654) },
        { "987654d", TimeSpan.FromDays(987654) },
        { "987654day", TimeSpan.FromDays(987654) },
        { "987654days", TimeSpan.FromDays(987654) },
        { "987654 d", TimeSpan.FromDays(987654) },
        { "565731µs", TimeSpan.FromMicroseconds(565731) },
        { "565731micro", TimeSpan.FromMicroseconds(565731) },
        { "565731 microseconds", TimeSpan.FromMicroseconds(565731) },
        { "424500ns", TimeSpan.FromTicks(4245) },
        { "424562 nanos", TimeSpan.FromTicks(4245) },
        { "1 MS", TimeSpan.FromMilliseconds(1) },
        { "1 S", TimeSpan.FromSeconds(1) },
        { "1 MIN", TimeSpan.FromMinutes(1) },
        { "1 H", TimeSpan.FromHours(1) },
        { "1 D", TimeSpan.FromDays(1) },
        { "      155      ms   ", TimeSpan.FromMilliseconds(155) },
        { "3min", TimeSpan.FromMinutes(3) },
        { "7d", TimeSpan.FromDays(7) },
        { "0 ms", TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_ValidText_ReturnsDuration(string text, TimeSpan expected)
    {
        Assert.Equal(expected, FlussDuration.Parse(text));
        Assert.True(FlussDuration.TryParse(text, out var v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("1234", "has no unit")]
    [InlineData("      155      ", "has no unit")]
    [InlineData("", "empty")]
    [InlineData("     ", "empty")]
    [InlineData("foobar or fubar or foo bazz", "does not start with a non-negative number")]
    [InlineData("16 gjah", "Unknown time unit 'gjah'")]
    [InlineData("16 16 17 18ms", "Unknown time unit '16 17 18ms'")]
    [InlineData("-100ms", "does not start with a non-negative number")]
    [InlineData("100000000000000000000000000000000 ms", "does not fit in 64 bits")]
    [InlineData("9223372036854775807 d", "too long")]
    public void Parse_InvalidText_ThrowsSayingWhy(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => FlussDuration.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(FlussDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(500L * 10_000, "500 ms")]
    [InlineData(3L * 60 * 10_000_000, "3 min")]
    [InlineData(90L * 10_000_000, "90 s")]
    [InlineData(2L * 3600 * 10_000_000, "2 h")]
    [InlineData(7L * 86400 * 10_000_000, "604800000 ms")]
    [InlineData(0L, "0 ms")]
    [InlineData(15L, "1500 ns")]
    [InlineData(10L, "1 µs")]
    public void Format_UsesLargestExactUnitAsFluss(long ticks, string expected)
    {
        var value = TimeSpan.FromTicks(ticks);
        Assert.Equal(expected, FlussDuration.Format(value));
        Assert.Equal(value, FlussDuration.Parse(expected));
    }
}
