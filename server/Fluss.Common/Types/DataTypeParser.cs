using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Fluss.Types;

/// <summary>
/// Parses Fluss type strings as users write them and as <see cref="DataType.ToString"/> prints them, for example
/// <c>DECIMAL(15, 2) NOT NULL</c>, <c>TIMESTAMP(3) WITH LOCAL TIME ZONE</c>, <c>MAP&lt;STRING, ARRAY&lt;INT&gt;&gt;</c>
/// or <c>ROW&lt;id BIGINT, `user name` STRING 'a comment'&gt;</c>. Keywords are case-insensitive, whitespace is free.
/// Accepted forms and defaults follow Fluss: INT/INTEGER, DECIMAL/NUMERIC/DEC (default 10, 0), DOUBLE [PRECISION],
/// CHAR and BINARY (default length 1), TIME (default precision 0), TIMESTAMP and TIMESTAMP_LTZ (default 6),
/// optional <c>WITHOUT TIME ZONE</c>, the suffix array form <c>INT ARRAY</c>, ROW with <c>&lt;...&gt;</c> or
/// <c>(...)</c>, and an optional <c>NULL</c> / <c>NOT NULL</c> after every type. VARCHAR, VARBINARY and the other
/// SQL types Fluss does not support are rejected. Every error is a <see cref="DataTypeParseException"/>.
/// </summary>
public static class DataTypeParser
{
    /// <summary>Parses one type string.</summary>
    public static DataType Parse(string typeString)
    {
        ArgumentNullException.ThrowIfNull(typeString);
        var parser = new Parser(typeString);
        var type = parser.ParseType();
        parser.ExpectEnd();
        return type;
    }

    /// <summary>Parses one type string; returns false instead of throwing when it is invalid.</summary>
    public static bool TryParse(string typeString, [NotNullWhen(true)] out DataType? type)
    {
        try
        {
            type = Parse(typeString);
            return true;
        }
        catch (DataTypeParseException)
        {
            type = null;
            return false;
        }
    }

    /// <summary>
    /// Parses a column list such as <c>id BIGINT NOT NULL, name STRING COMMENT 'the name', ts TIMESTAMP(3)</c> into
    /// ordered fields (field ids unassigned, comments in <see cref="DataField.Description"/>). Commas inside
    /// <c>()</c> and <c>&lt;&gt;</c> belong to the types; names may be back-quoted (<c>`my col`</c>, with <c>``</c>
    /// for a literal back-quote). A comment is either <c>COMMENT 'text'</c> or just <c>'text'</c>.
    /// Duplicate column names are rejected.
    /// </summary>
    public static IReadOnlyList<DataField> ParseColumns(string columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var parser = new Parser(columns);
        var fields = parser.ParseColumnList();
        parser.ExpectEnd();
        return fields;
    }

    internal static readonly string[] SupportedTypeNames =
    [
        "BOOLEAN", "TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL", "NUMERIC", "DEC",
        "CHAR", "STRING", "BINARY", "BYTES", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ", "ARRAY", "MAP", "ROW",
    ];

    private static readonly string ExpectedType = "one of " + string.Join(", ", SupportedTypeNames);

    private enum Kind
    {
        Word,
        QuotedName,
        Literal,
        Integer,
        LessThan,
        GreaterThan,
        LeftParen,
        RightParen,
        Comma,
        Other,
        End,
    }

    private readonly record struct Token(Kind Kind, string Text, int Position)
    {
        public bool IsKeyword(string keyword) => Kind == Kind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

        public string Describe() => Kind switch
        {
            Kind.End => "end of input",
            Kind.Literal => $"string literal '{Text}'",
            Kind.QuotedName => $"`{Text}`",
            _ => $"'{Text}'",
        };
    }

    private sealed class Parser
    {
        private readonly string _input;
        private readonly List<Token> _tokens;
        private int _next;

        public Parser(string input)
        {
            _input = input;
            _tokens = Tokenize(input);
        }

        private Token Peek(int ahead = 0) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

        private Token Take()
        {
            var t = _tokens[_next];
            if (t.Kind != Kind.End)
                _next++;
            return t;
        }

        private DataTypeParseException Error(Token at, string problem, string expected) =>
            new(_input, at.Position, problem, expected);

        private DataTypeParseException Unexpected(Token at, string expected) =>
            Error(at, at.Kind == Kind.End ? "unexpected end of input" : "unexpected " + at.Describe(), expected);

        private Token Expect(Kind kind, string expected)
        {
            var t = Peek();
            if (t.Kind != kind)
                throw Unexpected(t, expected);
            return Take();
        }

        private void ExpectKeyword(string keyword)
        {
            var t = Peek();
            if (!t.IsKeyword(keyword))
                throw Unexpected(t, keyword);
            Take();
        }

        private bool TryTakeKeyword(string keyword)
        {
            if (!Peek().IsKeyword(keyword))
                return false;
            Take();
            return true;
        }

        public void ExpectEnd()
        {
            var t = Peek();
            if (t.Kind != Kind.End)
                throw Unexpected(t, "end of input");
        }

        public IReadOnlyList<DataField> ParseColumnList()
        {
            if (Peek().Kind == Kind.End)
                throw Error(Peek(), "empty column list", "a column definition such as 'id BIGINT'");
            var fields = new List<DataField>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var nameToken = ExpectName("a column name");
                if (!seen.Add(nameToken.Text))
                    throw Error(nameToken, $"duplicate column '{nameToken.Text}'", "each column name once");
                var type = ParseType();
                string? comment = null;
                if (Peek().IsKeyword("COMMENT"))
                {
                    Take();
                    comment = Expect(Kind.Literal, "a quoted comment such as 'the comment'").Text;
                }
                else if (Peek().Kind == Kind.Literal)
                {
                    comment = Take().Text;
                }

                fields.Add(new DataField(nameToken.Text, type, -1, comment));
                if (Peek().Kind != Kind.Comma)
                    break;
                Take();
            }

            return fields;
        }

        private Token ExpectName(string expected)
        {
            var t = Peek();
            if (t.Kind is Kind.Word or Kind.QuotedName)
                return Take();
            throw Unexpected(t, expected);
        }

        public DataType ParseType()
        {
            var type = ApplyNullability(ParseBaseType());
            // Suffix notation: INT ARRAY, INT NOT NULL ARRAY NOT NULL.
            while (Peek().IsKeyword("ARRAY") && Peek(1).Kind != Kind.LessThan)
            {
                Take();
                type = ApplyNullability(new ArrayType(type));
            }

            return type;
        }

        private DataType ApplyNullability(DataType type)
        {
            if (Peek().IsKeyword("NOT"))
            {
                Take();
                ExpectKeyword("NULL");
                return type.AsNotNull();
            }

            if (Peek().IsKeyword("NULL"))
            {
                Take();
                return type.AsNullable();
            }

            return type;
        }

        private DataType ParseBaseType()
        {
            var t = Peek();
            if (t.Kind != Kind.Word)
                throw Unexpected(t, "a type: " + ExpectedType);
            Take();
            switch (t.Text.ToUpperInvariant())
            {
                case "BOOLEAN": return new BooleanType();
                case "TINYINT": return new TinyIntType();
                case "SMALLINT": return new SmallIntType();
                case "INT":
                case "INTEGER": return new IntType();
                case "BIGINT": return new BigIntType();
                case "FLOAT": return new FloatType();
                case "DOUBLE":
                    TryTakeKeyword("PRECISION");
                    return new DoubleType();
                case "STRING": return new StringType();
                case "BYTES": return new BytesType();
                case "DATE": return new DateType();
                case "CHAR":
                    return new CharType(ParseOptionalParameter("CHAR length", 1, 1, int.MaxValue));
                case "BINARY":
                    return new BinaryType(ParseOptionalParameter("BINARY length", 1, 1, int.MaxValue));
                case "DECIMAL":
                case "NUMERIC":
                case "DEC":
                    return ParseDecimal();
                case "TIME":
                    {
                        var p = ParseOptionalParameter("TIME precision", TimeType.DefaultPrecision, TimeType.MinPrecision, TimeType.MaxPrecision);
                        ParseOptionalWithoutTimeZone();
                        return new TimeType(p);
                    }

                case "TIMESTAMP":
                    return ParseTimestamp();
                case "TIMESTAMP_LTZ":
                    return new LocalZonedTimestampType(ParseOptionalParameter(
                        "TIMESTAMP_LTZ precision", TimestampType.DefaultPrecision, TimestampType.MinPrecision, TimestampType.MaxPrecision));
                case "ARRAY":
                    {
                        Expect(Kind.LessThan, "'<' after ARRAY");
                        var element = ParseType();
                        Expect(Kind.GreaterThan, "'>' closing ARRAY<...>");
                        return new ArrayType(element);
                    }

                case "MAP":
                    {
                        Expect(Kind.LessThan, "'<' after MAP");
                        var key = ParseType();
                        Expect(Kind.Comma, "',' between the MAP key and value types");
                        var value = ParseType();
                        Expect(Kind.GreaterThan, "'>' closing MAP<...>");
                        return new MapType(key, value);
                    }

                case "ROW":
                    return ParseRow();
                case "VARCHAR":
                    throw Error(t, $"unsupported type '{t.Text}'", "a type supported by Fluss; use STRING for variable-length text or CHAR(n) for fixed length");
                case "VARBINARY":
                    throw Error(t, $"unsupported type '{t.Text}'", "a type supported by Fluss; use BYTES for variable-length binary or BINARY(n) for fixed length");
                case "INTERVAL":
                case "MULTISET":
                case "RAW":
                case "LEGACY":
                case "VARIANT":
                case "BITMAP":
                    throw Error(t, $"unsupported type '{t.Text}'", "a type supported by Fluss: " + ExpectedType);
                default:
                    throw Error(t, $"unknown type '{t.Text}'", ExpectedType);
            }
        }

        private int ParseOptionalParameter(string what, int defaultValue, int min, int max)
        {
            if (Peek().Kind != Kind.LeftParen)
                return defaultValue;
            Take();
            var value = ParseInt(what, min, max);
            Expect(Kind.RightParen, $"')' after the {what}");
            return value;
        }

        private int ParseInt(string what, int min, int max)
        {
            var expected = Fmt("the {0}, an integer between {1} and {2}", what, min, max);
            var t = Expect(Kind.Integer, expected);
            if (!int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                throw Error(t, $"invalid integer '{t.Text}'", expected);
            if (value < min || value > max)
                throw Error(t, Fmt("{0} {1} is out of range", what, value), Fmt("an integer between {0} and {1}", min, max));
            return value;
        }

        private DecimalType ParseDecimal()
        {
            var precision = DecimalType.DefaultPrecision;
            var scale = DecimalType.DefaultScale;
            if (Peek().Kind == Kind.LeftParen)
            {
                Take();
                precision = ParseInt("DECIMAL precision", DecimalType.MinPrecision, DecimalType.MaxPrecision);
                if (Peek().Kind == Kind.Comma)
                {
                    Take();
                    scale = ParseInt("DECIMAL scale", 0, precision);
                }

                Expect(Kind.RightParen, "')' closing DECIMAL(precision, scale)");
            }

            return new DecimalType(precision, scale);
        }

        private void ParseOptionalWithoutTimeZone()
        {
            if (!TryTakeKeyword("WITHOUT"))
                return;
            ExpectKeyword("TIME");
            ExpectKeyword("ZONE");
        }

        private DataType ParseTimestamp()
        {
            var precision = ParseOptionalParameter("TIMESTAMP precision", TimestampType.DefaultPrecision, TimestampType.MinPrecision, TimestampType.MaxPrecision);
            if (TryTakeKeyword("WITHOUT"))
            {
                ExpectKeyword("TIME");
                ExpectKeyword("ZONE");
                return new TimestampType(precision);
            }

            var with = Peek();
            if (with.IsKeyword("WITH"))
            {
                Take();
                if (!Peek().IsKeyword("LOCAL"))
                    throw Error(with, "TIMESTAMP WITH TIME ZONE is not supported", "WITH LOCAL TIME ZONE (or TIMESTAMP_LTZ)");
                Take();
                ExpectKeyword("TIME");
                ExpectKeyword("ZONE");
                return new LocalZonedTimestampType(precision);
            }

            return new TimestampType(precision);
        }

        private RowType ParseRow()
        {
            Kind close;
            if (Peek().Kind == Kind.LeftParen)
            {
                Take();
                close = Kind.RightParen;
            }
            else
            {
                Expect(Kind.LessThan, "'<' or '(' after ROW");
                close = Kind.GreaterThan;
            }

            var closeText = close == Kind.RightParen ? "')'" : "'>'";
            var fields = new List<DataField>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (Peek().Kind == close)
            {
                Take();
                return new RowType(fields);
            }

            while (true)
            {
                var name = ExpectName("a field name");
                if (!seen.Add(name.Text))
                    throw Error(name, $"duplicate field '{name.Text}'", "each field name once in a ROW");
                var type = ParseType();
                string? description = null;
                if (Peek().Kind == Kind.Literal)
                    description = Take().Text;
                fields.Add(new DataField(name.Text, type, -1, description));
                var t = Peek();
                if (t.Kind == Kind.Comma)
                {
                    Take();
                    continue;
                }

                if (t.Kind == close)
                {
                    Take();
                    return new RowType(fields);
                }

                throw Unexpected(t, $"',' or {closeText} in ROW");
            }
        }

        private List<Token> Tokenize(string s)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < s.Length)
            {
                var c = s[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                var start = i;
                switch (c)
                {
                    case '<': tokens.Add(new Token(Kind.LessThan, "<", i++)); continue;
                    case '>': tokens.Add(new Token(Kind.GreaterThan, ">", i++)); continue;
                    case '(': tokens.Add(new Token(Kind.LeftParen, "(", i++)); continue;
                    case ')': tokens.Add(new Token(Kind.RightParen, ")", i++)); continue;
                    case ',': tokens.Add(new Token(Kind.Comma, ",", i++)); continue;
                    case '`':
                        tokens.Add(new Token(Kind.QuotedName, ReadQuoted(s, ref i, '`', "a closing '`' for the quoted name"), start));
                        continue;
                    case '\'':
                        tokens.Add(new Token(Kind.Literal, ReadQuoted(s, ref i, '\'', "a closing quote for the string literal"), start));
                        continue;
                }

                if (char.IsAsciiDigit(c))
                {
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                        i++;
                    tokens.Add(new Token(Kind.Integer, s[start..i], start));
                    continue;
                }

                if (!IsWordChar(c))
                {
                    tokens.Add(new Token(Kind.Other, c.ToString(), i++));
                    continue;
                }

                while (i < s.Length && IsWordChar(s[i]))
                    i++;
                tokens.Add(new Token(Kind.Word, s[start..i], start));
            }

            tokens.Add(new Token(Kind.End, string.Empty, s.Length));
            return tokens;
        }

        private static bool IsWordChar(char c) =>
            !char.IsWhiteSpace(c) && c is not ('<' or '>' or '(' or ')' or ',' or '`' or '\'' or '.' or '"' or ';');

        private string ReadQuoted(string s, ref int i, char quote, string expected)
        {
            var start = i;
            var sb = new StringBuilder();
            i++;
            while (i < s.Length)
            {
                if (s[i] == quote)
                {
                    if (i + 1 < s.Length && s[i + 1] == quote)
                    {
                        sb.Append(quote);
                        i += 2;
                        continue;
                    }

                    i++;
                    return sb.ToString();
                }

                sb.Append(s[i++]);
            }

            throw new DataTypeParseException(_input, start, $"unterminated {(quote == '`' ? "quoted name" : "string literal")}", expected);
        }

        private static string Fmt(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
