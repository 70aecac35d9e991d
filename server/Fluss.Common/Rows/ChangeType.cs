namespace Fluss.Rows;

/// <summary>The kind of change a log record carries; byte values are Fluss's wire values.</summary>
public enum ChangeType : byte
{
    /// <summary>+A: a row appended to a log table.</summary>
    AppendOnly = 0,

    /// <summary>+I: a new key inserted into a primary-key table.</summary>
    Insert = 1,

    /// <summary>-U: the previous image of an updated key.</summary>
    UpdateBefore = 2,

    /// <summary>+U: the new image of an updated key.</summary>
    UpdateAfter = 3,

    /// <summary>-D: a deleted key.</summary>
    Delete = 4,
}

public static class ChangeTypes
{
    /// <summary>The short string form: +A, +I, -U, +U, -D.</summary>
    public static string ToShortString(this ChangeType type) => type switch
    {
        ChangeType.AppendOnly => "+A",
        ChangeType.Insert => "+I",
        ChangeType.UpdateBefore => "-U",
        ChangeType.UpdateAfter => "+U",
        ChangeType.Delete => "-D",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown change type."),
    };

    public static ChangeType FromByte(byte value) => value <= 4
        ? (ChangeType)value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown change type byte; Fluss defines 0..4.");
}
