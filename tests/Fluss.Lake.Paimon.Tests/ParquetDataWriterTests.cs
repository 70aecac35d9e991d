using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Lake.Paimon.Data;
using Fluss.Rows;
using Fluss.Types;
using static Fluss.Lake.Paimon.Tests.TestSupport;
using static Fluss.Lake.Paimon.Tests.WriterSupport;

namespace Fluss.Lake.Paimon.Tests;

public class ParquetDataWriterTests
{
    private static readonly RowType Type = RowType.Of(
        ("id", new IntType(false)), ("i", new IntType()), ("l", new BigIntType()), ("f", new FloatType()), ("d", new DoubleType()),
        ("s", new StringType()), ("b", new BytesType()), ("day", new DateType()));

    private static GenericRow Row(int n) => GenericRow.Of(
        n,
        n % 7 == 3 ? null : (n * 37) % 101 - 50,
        n % 5 == 1 ? null : (long)n * 1_000_003 % 9_999 - 4_000,
        n % 6 == 2 ? null : (float)(n * 0.75 - 20),
        n % 4 == 0 ? null : (n * 13 % 17) / 3.0 - 2,
        n % 9 == 4 ? null : "s" + (n * 7919 % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + new string('x', n % 4),
        n % 3 == 0 ? null : new[] { (byte)n, (byte)(n >> 8) },
        n % 8 == 5 ? null : 18_000 + n % 400);

    /// <summary>Rows 0..59 in three batches, the first and last sliced out of larger batches (non-zero array offsets).</summary>
    private static (List<PaimonWriteBatch> Batches, List<GenericRow> Rows) SlicedBatches()
    {
        var rows = Enumerable.Range(0, 60).Select(Row).ToList();
        var first = Slice(Batch(Type, Enumerable.Range(200, 5).Select(Row).Concat(rows.Take(25))), 5, 25);
        var middle = Batch(Type, rows.Skip(25).Take(20));
        var last = Slice(Batch(Type, rows.Skip(45).Concat(Enumerable.Range(100, 9).Select(Row))), 0, 15);
        return ([new(first), new(middle), new(last)], rows);
    }

    private static RecordBatch Slice(RecordBatch batch, int offset, int length) =>
        new(batch.Schema, Enumerable.Range(0, batch.ColumnCount).Select(c => ArrowArrayFactory.Slice(batch.Column(c), offset, length)), length);

    private static List<OutColumn> Columns() =>
        Type.Fields.Select((f, i) => new OutColumn { Name = f.Name, FieldId = i, Type = f.Type, SourceColumn = i, CollectStats = true }).ToList();

    [Fact]
    public void Write_ConsecutiveRowsOfSlicedBatches_SameStatisticsAsRowsInAnotherOrder()
    {
        var (batches, rows) = SlicedBatches();
        var source = new RowSource(Type, batches);
        Assert.Equal(rows.Count, source.Count);

        // Consecutive rows take the column-at-a-time path; the same rows in reverse order go value by value.
        var inOrder = ParquetDataWriter.Write(new MemoryStream(), source, Enumerable.Range(0, rows.Count).ToArray(), Columns());
        var reversed = ParquetDataWriter.Write(new MemoryStream(), source, Enumerable.Range(0, rows.Count).Reverse().ToArray(), Columns());

        Assert.Equal(reversed, inOrder);
        var nulls = inOrder.Select(s => s!.Value.NullCount).ToArray();
        Assert.Equal(Enumerable.Range(0, Type.FieldCount).Select(c => (long)rows.Count(r => r.IsNullAt(c))), nulls);
        Assert.Equal(rows.Where(r => !r.IsNullAt(2)).Min(r => (long)r[2]!), inOrder[2]!.Value.Min);
        Assert.Equal(rows.Where(r => !r.IsNullAt(5)).Select(r => (string)r[5]!).Order(StringComparer.Ordinal).Last(), inOrder[5]!.Value.Max);
    }

    [Fact]
    public async Task AppendFile_RowsOfSlicedBatches_ReadBackEqual()
    {
        var (batches, rows) = SlicedBatches();
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(LocalPaimonFileIO.Instance, dir.Path, new PaimonTableDefinition { Columns = Type });
        var file = await writer.WriteAsync(0, batches);
        await writer.CommitAsync([file], "u", 1);

        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, dir.Path);
        var actual = new List<GenericRow>();
        await foreach (var r in reader.ReadRowsAsync()) actual.Add(r);

        Assert.Equal(ThroughArrow(Type, rows), actual);
        Assert.Equal(new FileInfo(file.Path).Length, file.FileSize);
    }

    [Fact]
    public void Write_NullInNotNullColumn_ThrowsNamingTheRow()
    {
        // The batch's Arrow column may hold nulls; the table says NOT NULL.
        var nullable = RowType.Of(("id", new IntType()));
        var strict = RowType.Of(("id", new IntType(false)));
        var source = new RowSource(strict, [new PaimonWriteBatch(Batch(nullable, [GenericRow.Of(1), GenericRow.Of((object?)null)]))]);
        var columns = new List<OutColumn> { new() { Name = "id", FieldId = 0, Type = strict.Fields[0].Type, SourceColumn = 0, CollectStats = true } };

        var error = Assert.Throws<ArgumentException>(() => ParquetDataWriter.Write(new MemoryStream(), source, [0, 1], columns));

        Assert.Contains("row 1 holds null", error.Message, StringComparison.Ordinal);
    }
}
