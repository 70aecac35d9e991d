using System.Globalization;

namespace Fluss.Config;

/// <summary>Splits option text such as <c>500ms</c>, <c>3 min</c> or <c>64mb</c> into its number and unit.</summary>
internal static class QuantityText
{
    /// <param name="text">The option value.</param>
    /// <param name="what">What the value is, for messages ("duration", "memory size").</param>
    /// <param name="unitHelp">How to write the unit, for messages.</param>
    /// <returns>The non-negative number and the lower-case unit (never empty).</returns>
    /// <exception cref="FormatException">Empty text, no leading number, no unit, or a number beyond 64 bits.</exception>
    public static (long Value, string Unit) Split(string text, string what, string unitHelp)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new FormatException($"The {what} is empty; expected a number with {unitHelp}.");
        var pos = 0;
        while (pos < trimmed.Length && char.IsAsciiDigit(trimmed[pos]))
            pos++;
        var number = trimmed[..pos];
        var unit = trimmed[pos..].Trim().ToLowerInvariant();
        if (number.Length == 0)
            throw new FormatException($"The {what} '{text}' does not start with a non-negative number; expected a number with {unitHelp}.");
        if (unit.Length == 0)
            throw new FormatException($"The {what} '{text}' has no unit; expected {unitHelp}.");
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new FormatException($"The number '{number}' in {what} '{text}' does not fit in 64 bits.");
        return (value, unit);
    }
}
