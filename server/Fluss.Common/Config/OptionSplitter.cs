using System.Text;

namespace Fluss.Config;

/// <summary>
/// Splits list and map option values as Fluss does: items separated by a delimiter, surrounding whitespace trimmed,
/// items may be quoted with ' or " (a doubled quote inside stands for one) to contain delimiters.
/// </summary>
internal static class OptionSplitter
{
    public static IReadOnlyList<string> Split(string text, char delimiter)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<string>();
        var previousWasDelimiter = false; // two delimiters in a row (ignoring whitespace) enclose an empty item
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == delimiter)
            {
                if (previousWasDelimiter)
                    items.Add(string.Empty);
                previousWasDelimiter = true;
                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c is '\'' or '"')
            {
                var (item, next) = ReadQuoted(text, i, c);
                items.Add(item);
                // Only whitespace may follow a quoted item before the delimiter.
                while (next < text.Length && char.IsWhiteSpace(text[next]))
                    next++;
                if (next < text.Length && text[next] != delimiter)
                    throw new FormatException($"Illegal quoting at position {next - 1} of '{text}': a quoted item must be followed by '{delimiter}'.");
                i = next;
                previousWasDelimiter = false;
                continue;
            }

            var start = i;
            while (i < text.Length && text[i] != delimiter)
                i++;
            items.Add(text[start..i].Trim());
            previousWasDelimiter = false;
        }

        return items;
    }

    private static (string Item, int Next) ReadQuoted(string text, int start, char quote)
    {
        var sb = new StringBuilder();
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] != quote)
            {
                sb.Append(text[i]);
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == quote)
            {
                sb.Append(quote);
                i++;
                continue;
            }

            return (sb.ToString(), i + 1);
        }

        throw new FormatException($"Quote opened at position {start} of '{text}' is not closed.");
    }

    /// <summary>Quotes an item with ' when it contains a delimiter or a quote, doubling inner single quotes.</summary>
    public static string Escape(string item, params char[] delimiters)
    {
        var needs = item.IndexOfAny(delimiters) >= 0 || item.Contains('"', StringComparison.Ordinal) || item.Contains('\'', StringComparison.Ordinal);
        return needs ? "'" + item.Replace("'", "''", StringComparison.Ordinal) + "'" : item;
    }

    public static string JoinList(IReadOnlyList<string> items) => string.Join(",", items.Select(i => Escape(i, ',')));

    public static IReadOnlyDictionary<string, string> ParseMap(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in Split(text, ','))
        {
            var pair = Split(item, ':');
            if (pair.Count != 2)
                throw new FormatException($"Map item '{item}' is not a key:value pair.");
            map[pair[0]] = pair[1];
        }

        return map;
    }

    public static string JoinMap(IReadOnlyDictionary<string, string> map) =>
        string.Join(",", map.Select(kv => Escape(Escape(kv.Key, ':') + ":" + Escape(kv.Value, ':'), ',')));
}
