using Fluss.Lake.Paimon.Manifest;
using Fluss.Lake.Paimon.Table;
using Fluss.Rows;
using Fluss.Types;
using static Fluss.Lake.Paimon.Tests.TestSupport;
using static Fluss.Lake.Paimon.Tests.WriterSupport;

namespace Fluss.Lake.Paimon.Tests;

public class PaimonTableReaderTests
{
    private static readonly IPaimonFileIO IO = LocalPaimonFileIO.Instance;
    private static readonly RowType Type = RowType.Of(("id", new IntType()), ("name", new StringType()), ("price", new DecimalType(10, 2)));

    private static async Task<PaimonTableWriter> TableWithRowsAsync(string path)
    {
        var writer = await PaimonTableWriter.CreateTableAsync(IO, path, new PaimonTableDefinition { Columns = Type, PrimaryKeys = ["id"], Buckets = 1 });
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(Type, [GenericRow.Of(1, "a", FlussDecimal.Parse("1.50", 10, 2)), GenericRow.Of(2, "b", null)]))]);
        await writer.CommitAsync([file], "u", 1);
        return writer;
    }

    [Fact]
    public async Task ReadBatches_Projection_ArrowBatchOfProjectedColumns()
    {
        using var dir = new TempDir();
        await TableWithRowsAsync(dir.Path);
        var reader = await PaimonTableReader.OpenAsync(IO, dir.Path);
        var batches = new List<Apache.Arrow.RecordBatch>();
        await foreach (var b in reader.ReadBatchesAsync(new PaimonReadOptions { Columns = ["price", "id"] })) batches.Add(b);
        var batch = Assert.Single(batches);
        Assert.Equal(["price", "id"], batch.Schema.FieldsList.Select(f => f.Name));
        var rows = new Fluss.Arrow.ArrowRowReader(batch, await reader.ReadRowTypeAsync(new PaimonReadOptions { Columns = ["price", "id"] }));
        Assert.Equal(["1.50|1", "null|2"], Enumerable.Range(0, rows.RowCount).Select(i => Format(GenericRow.CopyOf(rows.GetRow(i), rows.RowType))));
    }

    [Fact]
    public async Task Read_UnknownColumn_ArgumentException()
    {
        using var dir = new TempDir();
        await TableWithRowsAsync(dir.Path);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ReadAsync(dir.Path, columns: ["nope"]));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_MissingSnapshot_NotFound()
    {
        using var dir = new TempDir();
        await TableWithRowsAsync(dir.Path);
        await Assert.ThrowsAsync<PaimonNotFoundException>(() => ReadAsync(dir.Path, snapshot: 9));
    }

    [Fact]
    public async Task Read_TableWithoutSnapshots_NoRows()
    {
        using var dir = new TempDir();
        await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = Type });
        Assert.Empty(await ReadAsync(dir.Path));
        Assert.Null(await (await PaimonTableReader.OpenAsync(IO, dir.Path)).LatestSnapshotAsync());
    }

    [Fact]
    public async Task Open_NoTable_NotFound()
    {
        using var dir = new TempDir();
        await Assert.ThrowsAsync<PaimonNotFoundException>(() => PaimonTableReader.OpenAsync(IO, dir.Path));
    }

    [Theory]
    [InlineData("orc")]
    [InlineData("avro")]
    public async Task Read_NonParquetDataFile_RefusedNamingFormat(string format)
    {
        using var dir = new TempDir();
        await TableWithRowsAsync(dir.Path);
        var store = new TableStore(IO, dir.Path);
        var snapshot = (await store.LatestSnapshotAsync(default))!;
        var manifest = (await store.ReadManifestListAsync(snapshot.DeltaManifestList, default)).Single();
        var path = Path.Combine(dir.Path, "manifest", manifest.FileName);
        var entries = ManifestIo.ReadManifest(File.ReadAllBytes(path), path);
        var renamed = entries.Select(e => e with { File = e.File with { FileName = Path.ChangeExtension(e.File.FileName, format) } }).ToList();
        File.WriteAllBytes(path, ManifestIo.WriteManifest(renamed));
        var e = await Assert.ThrowsAsync<PaimonUnsupportedFeatureException>(() => ReadAsync(dir.Path));
        Assert.Equal(format.ToUpperInvariant() + " data files", e.Feature);
    }

    [Fact]
    public async Task Read_AggregationMergeEngine_Refused()
    {
        using var dir = new TempDir();
        await TableWithRowsAsync(dir.Path);
        var schemaPath = Path.Combine(dir.Path, "schema", "schema-0");
        File.WriteAllText(Path.Combine(dir.Path, "schema", "schema-1"),
            File.ReadAllText(schemaPath).Replace("\"id\": 0,\n  \"fields\"", "\"id\": 1,\n  \"fields\"", StringComparison.Ordinal)
                .Replace("\"options\": {", "\"options\": {\n    \"merge-engine\": \"aggregation\",", StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<PaimonUnsupportedFeatureException>(() => PaimonTableWriter.OpenAsync(IO, dir.Path));
        Assert.Equal("aggregation merge engine", refused.Feature);
        var store = new TableStore(IO, dir.Path);
        Assert.Equal(1, (await store.LatestSchemaAsync(default))!.Id);
        // A snapshot under schema 1: read with the aggregation engine.
        var snapshot1 = File.ReadAllText(Path.Combine(dir.Path, "snapshot", "snapshot-1"));
        File.WriteAllText(Path.Combine(dir.Path, "snapshot", "snapshot-2"), snapshot1.Replace("\"id\": 1,", "\"id\": 2,", StringComparison.Ordinal).Replace("\"schemaId\": 0", "\"schemaId\": 1", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<PaimonUnsupportedFeatureException>(() => ReadAsync(dir.Path));
        Assert.Equal("aggregation merge engine", e.Feature);
    }
}
