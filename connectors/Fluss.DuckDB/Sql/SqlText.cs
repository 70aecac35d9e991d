using System.Text;

namespace Fluss.DuckDB.Sql;

/// <summary>A two-part name <c>a.b</c> found in SQL text, with the identifiers unquoted.</summary>
/// <param name="Schema">The first part (a Fluss database if it names one).</param>
/// <param name="Name">The second part (a table, possibly with a <c>$lake</c> or <c>$changelog</c> suffix).</param>
/// <param name="Position">The character offset of the first part in the text.</param>
internal readonly record struct QualifiedName(string Schema, string Name, int Position);

/// <summary>
/// A lexer for the parts of DuckDB's SQL dialect that matter when looking for table names: comments, string
/// literals (<c>'..'</c>, <c>E'..'</c>, dollar-quoted), quoted identifiers (<c>".."</c>), unquoted identifiers (letters,
/// digits, <c>_</c> and <c>$</c>) and parameters. It never parses the statement: it only finds the two-part names
/// outside literals and comments, and rewrites <c>@name</c> parameters.
/// </summary>
internal static class SqlText
{
    private enum Kind
    {
        Identifier,
        QuotedIdentifier,
        Dot,
        OpenParen,
        Other,
    }

    private readonly record struct Token(Kind Kind, int Start, int Length, string? Value);

    /// <summary>
    /// Every <c>a.b</c> that is a whole name (not the tail of <c>x.a.b</c>, not followed by <c>.c</c> or by
    /// <c>(</c> as a function call), in text order.
    /// </summary>
    public static IReadOnlyList<QualifiedName> FindQualifiedNames(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tokens = Tokenize(sql);
        var names = new List<QualifiedName>();
        for (var i = 0; i + 2 < tokens.Count; i++)
        {
            if (!IsName(tokens[i]) || tokens[i + 1].Kind != Kind.Dot || !IsName(tokens[i + 2])) continue;
            if (i > 0 && tokens[i - 1].Kind == Kind.Dot) continue;
            if (i + 3 < tokens.Count && tokens[i + 3].Kind is Kind.Dot or Kind.OpenParen) continue;
            names.Add(new QualifiedName(tokens[i].Value!, tokens[i + 2].Value!, tokens[i].Start));
            i += 2;
        }
        return names;
    }

    /// <summary>
    /// Replaces <c>@name</c> with DuckDB's <c>$name</c> outside literals, comments and quoted identifiers, for the
    /// names in <paramref name="parameterNames"/> only (so that DuckDB's <c>@</c> operator keeps working). The text
    /// keeps its length, so error positions stay valid.
    /// </summary>
    public static string RewriteAtParameters(string sql, IReadOnlySet<string> parameterNames)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (parameterNames.Count == 0 || !sql.Contains('@', StringComparison.Ordinal)) return sql;
        StringBuilder? result = null;
        foreach (var token in Tokenize(sql, keepAt: true))
        {
            if (token.Kind != Kind.Other || token.Length < 2 || sql[token.Start] != '@') continue;
            var name = sql.Substring(token.Start + 1, token.Length - 1);
            if (!parameterNames.Contains(name)) continue;
            result ??= new StringBuilder(sql);
            result[token.Start] = '$';
        }
        return result?.ToString() ?? sql;
    }

    /// <summary>Quotes an identifier for DuckDB: <c>"a""b"</c>.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a string literal for DuckDB: <c>'it''s'</c>.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static bool IsName(Token t) => t.Kind is Kind.Identifier or Kind.QuotedIdentifier;

    private static List<Token> Tokenize(string s, bool keepAt = false)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(s, i + 1) == '-')
            {
                while (i < s.Length && s[i] != '\n') i++;
            }
            else if (c == '/' && At(s, i + 1) == '*')
            {
                i = SkipBlockComment(s, i);
            }
            else if (c == '\'')
            {
                i = SkipString(s, i + 1, backslashEscapes: false);
                tokens.Add(new Token(Kind.Other, i, 0, null));
            }
            else if ((c is 'e' or 'E') && At(s, i + 1) == '\'')
            {
                i = SkipString(s, i + 2, backslashEscapes: true);
                tokens.Add(new Token(Kind.Other, i, 0, null));
            }
            else if (c == '"')
            {
                var start = i;
                var value = new StringBuilder();
                i++;
                while (i < s.Length)
                {
                    if (s[i] == '"')
                    {
                        if (At(s, i + 1) == '"')
                        {
                            value.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.Append(s[i++]);
                }
                tokens.Add(new Token(Kind.QuotedIdentifier, start, i - start, value.ToString()));
            }
            else if (c == '$' && DollarTag(s, i) is { } tag)
            {
                var end = s.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + tag.Length;
                tokens.Add(new Token(Kind.Other, i, 0, null));
            }
            else if (IsIdentifierStart(c))
            {
                var start = i;
                while (i < s.Length && IsIdentifierPart(s[i])) i++;
                tokens.Add(new Token(Kind.Identifier, start, i - start, s[start..i]));
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '.')) i++;
                tokens.Add(new Token(Kind.Other, start, i - start, null));
            }
            else if (keepAt && c == '@' && i + 1 < s.Length && IsIdentifierStart(s[i + 1]))
            {
                var start = i++;
                while (i < s.Length && IsIdentifierPart(s[i]) && s[i] != '$') i++;
                tokens.Add(new Token(Kind.Other, start, i - start, null));
            }
            else
            {
                tokens.Add(new Token(c switch { '.' => Kind.Dot, '(' => Kind.OpenParen, _ => Kind.Other }, i, 1, null));
                i++;
            }
        }
        return tokens;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_' || c > 0x7f;

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$' || c > 0x7f;

    /// <summary>Block comments nest in DuckDB's dialect, as in PostgreSQL's.</summary>
    private static int SkipBlockComment(string s, int i)
    {
        var depth = 0;
        while (i < s.Length)
        {
            if (s[i] == '/' && At(s, i + 1) == '*')
            {
                depth++;
                i += 2;
            }
            else if (s[i] == '*' && At(s, i + 1) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0) return i;
            }
            else
            {
                i++;
            }
        }
        return i;
    }

    private static int SkipString(string s, int i, bool backslashEscapes)
    {
        while (i < s.Length)
        {
            if (backslashEscapes && s[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (s[i] == '\'')
            {
                if (At(s, i + 1) == '\'')
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    /// <summary>The opening tag of a dollar-quoted string (<c>$$</c> or <c>$tag$</c>) at <paramref name="i"/>, or null for a parameter such as <c>$1</c> or <c>$name</c>.</summary>
    private static string? DollarTag(string s, int i)
    {
        var j = i + 1;
        if (j < s.Length && s[j] == '$') return "$$";
        if (j >= s.Length || !(char.IsLetter(s[j]) || s[j] == '_')) return null;
        while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] == '_')) j++;
        return j < s.Length && s[j] == '$' ? s[i..(j + 1)] : null;
    }
}
