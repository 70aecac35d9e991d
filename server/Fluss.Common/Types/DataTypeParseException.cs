namespace Fluss.Types;

/// <summary>
/// A type string or column list could not be parsed. The message quotes the input, the zero-based character
/// position of the problem and what the parser expected there.
/// </summary>
public sealed class DataTypeParseException : FormatException
{
    public DataTypeParseException(string input, int position, string problem, string expected)
        : base($"{problem} at position {position} in \"{input}\"; expected {expected}")
    {
        Input = input;
        Position = position;
        Problem = problem;
        Expected = expected;
    }

    public DataTypeParseException() : this(string.Empty, 0, "invalid type string", "a type") { }

    public DataTypeParseException(string message) : base(message)
    {
        Input = string.Empty;
        Problem = message;
        Expected = string.Empty;
    }

    public DataTypeParseException(string message, Exception innerException) : base(message, innerException)
    {
        Input = string.Empty;
        Problem = message;
        Expected = string.Empty;
    }

    /// <summary>The text that was being parsed.</summary>
    public string Input { get; }

    /// <summary>Zero-based character offset of the offending token (the input length at the end of input).</summary>
    public int Position { get; }

    /// <summary>What was wrong, for example <c>unknown type 'INTT'</c>.</summary>
    public string Problem { get; }

    /// <summary>What the parser expected at <see cref="Position"/>.</summary>
    public string Expected { get; }
}
