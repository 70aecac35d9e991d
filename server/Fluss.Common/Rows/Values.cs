using System.Globalization;
using System.Numerics;

namespace Fluss.Rows;

/// <summary>
/// A DECIMAL(p, s) value: an unscaled integer with a precision and a scale. Values with p &lt;= 18 are compact
/// (the unscaled value fits a 64-bit integer); larger ones keep a <see cref="BigInteger"/>.
/// </summary>
public readonly struct FlussDecimal : IEquatable<FlussDecimal>
{
    private readonly long _compact;
    private readonly BigInteger? _big;

    private FlussDecimal(int precision, int scale, long compact, BigInteger? big)
    {
        Precision = precision;
        Scale = scale;
        _compact = compact;
        _big = big;
    }

    public int Precision { get; }
    public int Scale { get; }
    public bool IsCompact => Precision <= Types.DecimalType.MaxCompactPrecision;

    /// <summary>The unscaled value; valid only when <see cref="IsCompact"/>.</summary>
    public long UnscaledLong => IsCompact ? _compact : (long)UnscaledValue;

    public BigInteger UnscaledValue => _big ?? new BigInteger(_compact);

    public static FlussDecimal FromUnscaledLong(long unscaled, int precision, int scale)
    {
        if (precision > Types.DecimalType.MaxCompactPrecision)
            return new FlussDecimal(precision, scale, 0, new BigInteger(unscaled));
        return new FlussDecimal(precision, scale, unscaled, null);
    }

    public static FlussDecimal FromUnscaled(BigInteger unscaled, int precision, int scale)
    {
        if (precision <= Types.DecimalType.MaxCompactPrecision)
            return new FlussDecimal(precision, scale, (long)unscaled, null);
        return new FlussDecimal(precision, scale, 0, unscaled);
    }

    /// <summary>Rescales a .NET decimal to (precision, scale); throws if the value does not fit.</summary>
    public static FlussDecimal FromDecimal(decimal value, int precision, int scale)
    {
        var rounded = Math.Round(value, Math.Min(scale, 28), MidpointRounding.ToEven);
        var unscaled = ToBigInteger(rounded, scale);
        return FromBigIntegerChecked(unscaled, precision, scale, rounded.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Parses an exact decimal string such as <c>-123.45</c>; rounds half-even to the scale; throws if it does not fit.</summary>
    public static FlussDecimal Parse(string text, int precision, int scale)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var negative = false;
        if (s.StartsWith('-')) { negative = true; s = s[1..]; }
        else if (s.StartsWith('+')) { s = s[1..]; }
        var exp = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exp = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        string digits = dot >= 0 ? s.Remove(dot, 1) : s;
        var fracDigits = dot >= 0 ? s.Length - dot - 1 : 0;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            throw new FormatException($"'{text}' is not a valid DECIMAL value.");
        var unscaled = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        var currentScale = fracDigits - exp;
        unscaled = Rescale(unscaled, currentScale, scale);
        if (negative) unscaled = -unscaled;
        return FromBigIntegerChecked(unscaled, precision, scale, text);
    }

    private static BigInteger Rescale(BigInteger unscaled, int fromScale, int toScale)
    {
        if (fromScale == toScale) return unscaled;
        if (fromScale < toScale) return unscaled * BigInteger.Pow(10, toScale - fromScale);
        var divisor = BigInteger.Pow(10, fromScale - toScale);
        var q = BigInteger.DivRem(unscaled, divisor, out var r);
        var twice = BigInteger.Abs(r) * 2;
        var cmp = twice.CompareTo(divisor);
        if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += unscaled.Sign;
        return q;
    }

    private static FlussDecimal FromBigIntegerChecked(BigInteger unscaled, int precision, int scale, string original)
    {
        if (BigInteger.Abs(unscaled) >= BigInteger.Pow(10, precision))
            throw new OverflowException($"The value {original} does not fit DECIMAL({precision}, {scale}).");
        return FromUnscaled(unscaled, precision, scale);
    }

    private static BigInteger ToBigInteger(decimal value, int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mag = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var valueScale = (bits[3] >> 16) & 0xFF;
        if ((bits[3] & int.MinValue) != 0) mag = -mag;
        return Rescale(mag, valueScale, scale);
    }

    /// <summary>Converts to a .NET decimal; throws <see cref="OverflowException"/> beyond its 28-29 digits.</summary>
    public decimal ToDecimal() => decimal.Parse(ToString(), NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>The exact plain string, e.g. <c>-0.50</c> for unscaled -50 and scale 2.</summary>
    public override string ToString()
    {
        var u = UnscaledValue;
        var neg = u.Sign < 0;
        var digits = BigInteger.Abs(u).ToString(CultureInfo.InvariantCulture);
        if (Scale > 0)
        {
            if (digits.Length <= Scale) digits = new string('0', Scale - digits.Length + 1) + digits;
            digits = digits[..^Scale] + "." + digits[^Scale..];
        }
        return neg ? "-" + digits : digits;
    }

    public bool Equals(FlussDecimal other) => Precision == other.Precision && Scale == other.Scale && UnscaledValue.Equals(other.UnscaledValue);
    public override bool Equals(object? obj) => obj is FlussDecimal d && Equals(d);
    public override int GetHashCode() => HashCode.Combine(Precision, Scale, UnscaledValue);
    public static bool operator ==(FlussDecimal a, FlussDecimal b) => a.Equals(b);
    public static bool operator !=(FlussDecimal a, FlussDecimal b) => !a.Equals(b);
}

/// <summary>A TIMESTAMP without time zone: epoch milliseconds of the wall clock read as UTC, plus nanoseconds within the millisecond.</summary>
public readonly record struct TimestampNtz(long Millisecond, int NanoOfMillisecond = 0)
{
    public static TimestampNtz FromDateTime(DateTime value)
    {
        var ticks = DateTime.SpecifyKind(value, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        var ms = Math.DivRem(ticks, TimeSpan.TicksPerMillisecond, out var rem);
        if (rem < 0) { ms--; rem += TimeSpan.TicksPerMillisecond; }
        return new TimestampNtz(ms, (int)(rem * 100));
    }

    /// <summary>The wall-clock value (Kind Unspecified); sub-tick nanoseconds (below 100 ns) are truncated.</summary>
    public DateTime ToDateTime() =>
        DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(Millisecond * TimeSpan.TicksPerMillisecond + NanoOfMillisecond / 100), DateTimeKind.Unspecified);

    public override string ToString() => TimeText.FormatTimestamp(Millisecond, NanoOfMillisecond, 9);
}

/// <summary>A TIMESTAMP_LTZ: an instant as epoch milliseconds (UTC) plus nanoseconds within the millisecond.</summary>
public readonly record struct TimestampLtz(long EpochMillisecond, int NanoOfMillisecond = 0)
{
    public static TimestampLtz FromDateTimeOffset(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTime.UnixEpoch.Ticks;
        var ms = Math.DivRem(ticks, TimeSpan.TicksPerMillisecond, out var rem);
        if (rem < 0) { ms--; rem += TimeSpan.TicksPerMillisecond; }
        return new TimestampLtz(ms, (int)(rem * 100));
    }

    public DateTimeOffset ToDateTimeOffset() =>
        new(DateTime.UnixEpoch.AddTicks(EpochMillisecond * TimeSpan.TicksPerMillisecond + NanoOfMillisecond / 100), TimeSpan.Zero);

    public override string ToString() => TimeText.FormatTimestamp(EpochMillisecond, NanoOfMillisecond, 9) + "Z";
}

/// <summary>Conversions between Fluss's internal DATE/TIME/TIMESTAMP values and ISO-8601 text.</summary>
public static class TimeText
{
    public static int ToEpochDays(DateOnly date) => date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static DateOnly FromEpochDays(int days) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + days);

    public static int ToMillisOfDay(TimeOnly time) => (int)(time.Ticks / TimeSpan.TicksPerMillisecond);

    public static TimeOnly FromMillisOfDay(int millis) => new(millis * TimeSpan.TicksPerMillisecond);

    /// <summary>ISO-8601 local date-time text, with as many fraction digits as the precision needs (trailing zeros kept to the precision).</summary>
    public static string FormatTimestamp(long millis, int nanoOfMillis, int precision)
    {
        var dt = DateTime.UnixEpoch.AddTicks(millis * TimeSpan.TicksPerMillisecond);
        var text = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (precision <= 0) return text;
        var nanos = (long)(dt.Ticks % TimeSpan.TicksPerSecond) * 100 + nanoOfMillis;
        var frac = nanos.ToString("D9", CultureInfo.InvariantCulture)[..precision];
        return text + "." + frac;
    }

    public static string FormatTime(int millisOfDay, int precision)
    {
        var t = FromMillisOfDay(millisOfDay);
        var text = t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        if (precision <= 0) return text;
        var ms = (millisOfDay % 1000).ToString("D3", CultureInfo.InvariantCulture);
        return text + "." + (precision <= 3 ? ms[..precision] : ms + new string('0', precision - 3));
    }
}
