using CsCheck;
using Fluss.Rows;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Encoding;

internal static class EncodingTestHelpers
{
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    /// <summary>The same row type with every field NOT NULL (as key fields are).</summary>
    public static RowType NotNull(RowType type) =>
        new(type.Fields.Select(f => f with { Type = f.Type.AsNotNull() }).ToArray());

    /// <summary>A random row type whose fields are all NOT NULL, with rows of it (no nulls).</summary>
    public static Gen<(RowType Type, GenericRow[] Rows)> KeyTypeAndRows(int maxFields = 8, int maxRows = 20) =>
        RowGenerators.RowTypeGen(maxFields).Select(NotNull).SelectMany(t => RowGenerators.Row(t).Array[1, maxRows].Select(rows => (t, rows)));

    /// <summary>Reads every field of <paramref name="row"/> into a GenericRow using <paramref name="type"/>.</summary>
    public static GenericRow Copy(IRow row, RowType type) => GenericRow.CopyOf(row, type);
}
