using System.Globalization;

namespace Fluss.Config;

/// <summary>
/// Durations as Fluss options write them: a non-negative integer and a unit, optionally separated by spaces,
/// case-insensitive: <c>d</c>/<c>day</c>/<c>days</c>, <c>h</c>/<c>hour</c>/<c>hours</c>, <c>min</c>/<c>m</c>/<c>minute</c>/<c>minutes</c>,
/// <c>s</c>/<c>sec</c>/<c>secs</c>/<c>second</c>/<c>seconds</c>, <c>ms</c>/<c>milli</c>/<c>millis</c>/<c>millisecond</c>/<c>milliseconds</c>,
/// <c>µs</c>/<c>micro</c>/<c>micros</c>/<c>microsecond</c>/<c>microseconds</c>, <c>ns</c>/<c>nano</c>/<c>nanos</c>/<c>nanosecond</c>/<c>nanoseconds</c>.
/// A unit is required (<c>100</c> alone is rejected). Values are <see cref="TimeSpan"/>s, so sub-100ns parts are truncated.
/// </summary>
public static class FlussDuration
{
    private const long NanosPerTick = 100;

    private static readonly (string Name, long Nanos, string[] Labels)[] Units =
    [
        ("DAYS", 86_400_000_000_000L, ["d", "day", "days"]),
        ("HOURS", 3_600_000_000_000L, ["h", "hour", "hours"]),
        ("MINUTES", 60_000_000_000L, ["min", "m", "minute", "minutes"]),
        ("SECONDS", 1_000_000_000L, ["s", "sec", "secs", "second", "seconds"]),
        ("MILLISECONDS", 1_000_000L, ["ms", "milli", "millis", "millisecond", "milliseconds"]),
        ("MICROSECONDS", 1_000L, ["µs", "micro", "micros", "microsecond", "microseconds"]),
        ("NANOSECONDS", 1L, ["ns", "nano", "nanos", "nanosecond", "nanoseconds"]),
    ];

    private const string UnitHelp = "a unit: ms, s, min, h or d (for example 500ms, 10s, 3min, 1 h, 7d)";

    /// <summary>The maximum duration Fluss uses as "forever" (<c>Long.MAX_VALUE</c> nanoseconds), in ticks.</summary>
    public static readonly TimeSpan MaxNanos = TimeSpan.FromTicks(long.MaxValue / NanosPerTick);

    /// <summary>Parses a duration with a unit; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TimeSpan Parse(string text)
    {
        var (value, unit) = QuantityText.Split(text, "duration", UnitHelp);
        foreach (var (_, nanos, labels) in Units)
        {
            if (Array.IndexOf(labels, unit) < 0)
                continue;
            var totalNanos = (Int128)value * nanos;
            var ticks = totalNanos / NanosPerTick;
            if (ticks > long.MaxValue)
                throw new FormatException($"The duration '{text}' is too long.");
            return TimeSpan.FromTicks((long)ticks);
        }

        throw new FormatException($"Unknown time unit '{unit}' in '{text}'; expected one of {AllUnits()}.");
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        if (text is not null)
        {
            try
            {
                value = Parse(text);
                return true;
            }
            catch (FormatException)
            {
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Formats as Fluss does when it writes a duration into an option: the number in the largest unit that divides
    /// it exactly and the unit's short label (<c>500 ms</c>, <c>3 min</c>, <c>90 s</c>); whole days are written in
    /// milliseconds (<c>604800000 ms</c>), as Fluss does.
    /// </summary>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value.Ticks, nameof(value));
        var nanos = (Int128)value.Ticks * NanosPerTick;
        // Smallest to largest; pick the unit just below the first that does not divide; milliseconds if all divide.
        var ascending = Units.Reverse().ToArray();
        var chosen = Array.FindIndex(ascending, u => u.Labels[0] == "ms");
        for (var i = 0; i < ascending.Length; i++)
        {
            if (nanos % ascending[i].Nanos != 0)
            {
                chosen = Math.Max(0, i - 1);
                break;
            }
        }

        var unit = ascending[chosen];
        return (nanos / unit.Nanos).ToString(CultureInfo.InvariantCulture) + " " + unit.Labels[0];
    }

    private static string AllUnits() =>
        string.Join(", ", Units.Select(u => u.Name + ": (" + string.Join(" | ", u.Labels) + ")"));
}
