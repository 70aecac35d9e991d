namespace Fluss.Types;

/// <summary>Fluss's names of the type roots, as they appear in JSON (<c>INTEGER</c>, <c>TIMESTAMP_WITHOUT_TIME_ZONE</c>, ...).</summary>
public static class DataTypeRoots
{
    private static readonly Dictionary<string, DataTypeRoot> ByName = Enum.GetValues<DataTypeRoot>()
        .ToDictionary(ToFlussName, r => r, StringComparer.Ordinal);

    /// <summary>The root's name in Fluss (the Java enum constant), for example <c>TIME_WITHOUT_TIME_ZONE</c>.</summary>
    public static string ToFlussName(this DataTypeRoot root) => root switch
    {
        DataTypeRoot.Char => "CHAR",
        DataTypeRoot.String => "STRING",
        DataTypeRoot.Boolean => "BOOLEAN",
        DataTypeRoot.Binary => "BINARY",
        DataTypeRoot.Bytes => "BYTES",
        DataTypeRoot.Decimal => "DECIMAL",
        DataTypeRoot.TinyInt => "TINYINT",
        DataTypeRoot.SmallInt => "SMALLINT",
        DataTypeRoot.Int => "INTEGER",
        DataTypeRoot.BigInt => "BIGINT",
        DataTypeRoot.Float => "FLOAT",
        DataTypeRoot.Double => "DOUBLE",
        DataTypeRoot.Date => "DATE",
        DataTypeRoot.Time => "TIME_WITHOUT_TIME_ZONE",
        DataTypeRoot.Timestamp => "TIMESTAMP_WITHOUT_TIME_ZONE",
        DataTypeRoot.TimestampLtz => "TIMESTAMP_WITH_LOCAL_TIME_ZONE",
        DataTypeRoot.Array => "ARRAY",
        DataTypeRoot.Map => "MAP",
        DataTypeRoot.Row => "ROW",
        _ => throw new ArgumentOutOfRangeException(nameof(root), root, "Unknown data type root."),
    };

    /// <summary>Finds the root for a Fluss root name (exact, upper case as Fluss writes it).</summary>
    public static bool TryParseFlussName(string name, out DataTypeRoot root) => ByName.TryGetValue(name, out root);

    /// <summary>Renders roots as Fluss lists them in messages: <c>[ARRAY, MAP, ROW]</c>.</summary>
    internal static string FormatList(IEnumerable<DataTypeRoot> roots) => "[" + string.Join(", ", roots.Select(ToFlussName)) + "]";
}
