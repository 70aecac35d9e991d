using System.Globalization;

namespace Fluss.Config;

/// <summary>
/// A number of bytes as Fluss options write it: a non-negative integer followed by a unit, optionally separated by
/// spaces, case-insensitive: <c>b</c>/<c>bytes</c>, <c>k</c>/<c>kb</c>/<c>kibibytes</c>, <c>m</c>/<c>mb</c>/<c>mebibytes</c>,
/// <c>g</c>/<c>gb</c>/<c>gibibytes</c>, <c>t</c>/<c>tb</c>/<c>tebibytes</c> (powers of 1024). A unit is required.
/// </summary>
public readonly record struct MemorySize : IComparable<MemorySize>
{
    private static readonly (string[] Labels, long Multiplier)[] Units =
    [
        (["b", "bytes"], 1L),
        (["k", "kb", "kibibytes"], 1L << 10),
        (["m", "mb", "mebibytes"], 1L << 20),
        (["g", "gb", "gibibytes"], 1L << 30),
        (["t", "tb", "tebibytes"], 1L << 40),
    ];

    private const string UnitHelp = "a unit: b, kb, mb, gb or tb (for example 64mb or 2 kb)";

    public MemorySize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Bytes = bytes;
    }

    public static MemorySize Zero => default;

    public static MemorySize MaxValue => new(long.MaxValue);

    public long Bytes { get; }

    public long KibiBytes => Bytes >> 10;

    public long MebiBytes => Bytes >> 20;

    public long GibiBytes => Bytes >> 30;

    public long TebiBytes => Bytes >> 40;

    public static MemorySize OfKibiBytes(long kib) => new(checked(kib * (1L << 10)));

    public static MemorySize OfMebiBytes(long mib) => new(checked(mib * (1L << 20)));

    public int CompareTo(MemorySize other) => Bytes.CompareTo(other.Bytes);

    public static bool operator <(MemorySize a, MemorySize b) => a.Bytes < b.Bytes;

    public static bool operator >(MemorySize a, MemorySize b) => a.Bytes > b.Bytes;

    public static bool operator <=(MemorySize a, MemorySize b) => a.Bytes <= b.Bytes;

    public static bool operator >=(MemorySize a, MemorySize b) => a.Bytes >= b.Bytes;

    /// <summary>Parses a size with a unit; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static MemorySize Parse(string text) => new(ParseBytes(text));

    public static bool TryParse(string? text, out MemorySize size)
    {
        try
        {
            size = Parse(text!);
            return true;
        }
        catch (FormatException)
        {
            size = default;
            return false;
        }
        catch (ArgumentNullException)
        {
            size = default;
            return false;
        }
    }

    public static long ParseBytes(string text)
    {
        var (value, unit) = QuantityText.Split(text, "memory size", UnitHelp);
        foreach (var (labels, multiplier) in Units)
        {
            if (Array.IndexOf(labels, unit) < 0)
                continue;
            if (value > long.MaxValue / multiplier)
                throw new FormatException($"The memory size '{text}' does not fit in 64 bits of bytes.");
            return value * multiplier;
        }

        throw new FormatException($"Unknown memory unit '{unit}' in '{text}'; expected one of (b | bytes) / (k | kb | kibibytes) / (m | mb | mebibytes) / (g | gb | gibibytes) / (t | tb | tebibytes).");
    }

    /// <summary>The largest unit that divides the size exactly, as Fluss prints it: <c>1 kb</c>, <c>1025 bytes</c>, <c>64 mb</c>.</summary>
    public override string ToString()
    {
        // The unit just below the first one that does not divide exactly; plain bytes when every unit divides
        // (zero, whole tebibytes), as Fluss does.
        var chosen = 0;
        for (var i = 1; i < Units.Length; i++)
        {
            if (Bytes % Units[i].Multiplier != 0)
            {
                chosen = i - 1;
                break;
            }
        }
        var (labels, multiplier) = Units[chosen];
        return (Bytes / multiplier).ToString(CultureInfo.InvariantCulture) + " " + labels[1];
    }

    /// <summary>Approximate form for logs, for example <c>1.500kb (1536 bytes)</c>.</summary>
    public string ToHumanReadableString()
    {
        var highest = -1;
        for (var i = 0; i < Units.Length; i++)
        {
            if (Bytes > Units[i].Multiplier)
                highest = i;
        }

        if (highest <= 0)
            return Bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
        var approx = (double)Bytes / Units[highest].Multiplier;
        return string.Format(CultureInfo.InvariantCulture, "{0:0.000}{1} ({2} bytes)", approx, Units[highest].Labels[1], Bytes);
    }
}
