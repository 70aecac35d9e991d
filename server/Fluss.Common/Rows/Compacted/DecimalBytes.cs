namespace Fluss.Rows.Compacted;

/// <summary>Checks of unscaled DECIMAL bytes (big-endian two's complement, as stored) without allocating.</summary>
internal static class DecimalBytes
{
    private static readonly Int128[] PowersOfTen = CreatePowers();

    private static Int128[] CreatePowers()
    {
        var powers = new Int128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++) powers[i] = powers[i - 1] * 10;
        return powers;
    }

    /// <summary>
    /// Whether <paramref name="bytes"/> (1..16 bytes) hold an unscaled value with at most <paramref name="precision"/>
    /// digits (precision 1..38).
    /// </summary>
    public static bool FitsPrecision(ReadOnlySpan<byte> bytes, int precision)
    {
        if (bytes.Length is 0 or > 16) return false;
        Int128 value = (sbyte)bytes[0];
        for (var i = 1; i < bytes.Length; i++) value = (value << 8) | bytes[i];
        if (value == Int128.MinValue) return false;
        return Int128.Abs(value) < PowersOfTen[precision];
    }
}
