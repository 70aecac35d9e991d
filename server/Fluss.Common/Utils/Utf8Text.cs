using System.Text;

namespace Fluss.Utils;

/// <summary>
/// UTF-8 as Fluss (Java) produces it: valid text encodes as standard UTF-8; an unpaired surrogate becomes <c>'?'</c>
/// (Java's replacement) rather than U+FFFD, so that keys and rows hash and compare the same as theirs.
/// Decoding replaces invalid sequences with U+FFFD and never throws.
/// </summary>
internal static class Utf8Text
{
    public static readonly Encoding Encoding = CreateEncoding();

    private static Encoding CreateEncoding()
    {
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).Clone();
        encoding.EncoderFallback = new EncoderReplacementFallback("?");
        encoding.DecoderFallback = new DecoderReplacementFallback("\uFFFD");
        return encoding;
    }

    public static int GetByteCount(string value) => Encoding.GetByteCount(value);

    public static int GetBytes(string value, Span<byte> destination) => Encoding.GetBytes(value, destination);

    public static string GetString(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? string.Empty : Encoding.GetString(utf8);
}
