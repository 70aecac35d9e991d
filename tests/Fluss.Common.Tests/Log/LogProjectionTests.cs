using ArrowCompressionType = Fluss.Metadata.ArrowCompressionType;
using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Log;

public class LogProjectionTests
{
    private static readonly RowType Wide = RowType.Of(
        ("id", new BigIntType(false)),
        ("a", new StringType()),
        ("b", new DoubleType()),
        ("c", new StringType()),
        ("d", new BigIntType()),
        ("e", new BytesType()),
        ("f", new IntType()),
        ("g", new StringType()));

    private static GenericRow[] WideRows(int n) => Enumerable.Range(0, n)
        .Select(i => GenericRow.Of((long)i, "alpha-" + i, i * 0.5, i % 7 == 0 ? null : new string('c', i % 40), (long)i * 31, new byte[] { (byte)i, 2, 3, 4, 5, 6 }, i, "gamma gamma gamma " + i))
        .ToArray();

    private static GenericRow Project(GenericRow row, IReadOnlyList<int> fields)
    {
        var result = new GenericRow(fields.Count);
        for (var i = 0; i < fields.Count; i++) result[i] = row[fields[i]];
        return result;
    }

    private static byte[] ProjectAll(LogProjection projection, byte[] batches, int maxBytes = int.MaxValue, bool minOneBatch = true)
    {
        var output = new ArrayBufferWriter<byte>();
        var result = projection.Project(batches, output, maxBytes, minOneBatch);
        Assert.Equal(output.WrittenCount, result.BytesWritten);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A sorted, duplicate-free, non-empty subset of the field indexes.</summary>
    private static Gen<int[]> ProjectionOf(int fieldCount) =>
        Gen.Bool.Array[fieldCount].Select(mask =>
        {
            var chosen = Enumerable.Range(0, fieldCount).Where(i => mask[i]).ToArray();
            return chosen.Length == 0 ? [fieldCount - 1] : chosen;
        });

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void Project_RandomSchemasAndProjections_DecodeToTheProjectedColumns(ArrowCompressionType codec)
    {
        RowGenerators.TypeAndRows().SelectMany(t => ProjectionOf(t.Type.FieldCount).SelectMany(p => Gen.Int[0, 4].Array[t.Rows.Length].Select(ct => (t.Type, t.Rows, p, ct)))).Sample(sample =>
        {
            var (type, generated, fields, ctBytes) = sample;
            var rows = generated.Select(r => LogTestSupport.Fit(type, r)).ToArray();
            var changelog = ctBytes.Length % 2 == 1;
            var changes = ctBytes.Select(b => (ChangeType)b).ToArray();
            var original = LogTestSupport.BuildBatch(type, rows, codec, changelog ? changes : null, schemaId: 5, writerId: 99, batchSequence: 7);
            var projection = new LogProjection(type, fields);

            var projected = ProjectAll(projection, original);

            var view = new LogRecordBatch(projected);
            view.EnsureValid();
            Assert.Equal(projected.Length, view.SizeInBytes);
            Assert.Equal(rows.Length, view.RecordCount);
            Assert.Equal(5, view.SchemaId);
            Assert.Equal(99, view.WriterId);
            Assert.Equal(7, view.BatchSequence);
            Assert.Equal(!changelog, view.IsAppendOnly);
            var records = view.ReadRows(type.Project(fields));
            Assert.Equal(rows.Select(r => Project(LogTestSupport.Expected(type, r), fields)), records.Select(r => r.Row));
            Assert.Equal(changelog ? changes : rows.Select(_ => ChangeType.AppendOnly), records.Select(r => r.ChangeType));
        }, iter: 120);
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void Project_OneOfEightColumns_IsProportionallySmaller(ArrowCompressionType codec)
    {
        var rows = WideRows(2000);
        var original = LogTestSupport.BuildBatch(Wide, rows, codec);
        var projection = new LogProjection(Wide, [0]);
        var projected = ProjectAll(projection, original);

        Assert.True(projected.Length * 4 < original.Length, $"projected {projected.Length} bytes of {original.Length}");
        var records = new LogRecordBatch(projected).ReadRows(projection.ProjectedRowType);
        Assert.Equal(rows.Select(r => r[0]), records.Select(r => r.Row[0]));
    }

    [Theory]
    [MemberData(nameof(LogTestSupport.AllCodecs), MemberType = typeof(LogTestSupport))]
    public void Project_CompressedBatch_CopiesTheSelectedBuffersWithoutRecompressing(ArrowCompressionType codec)
    {
        var rows = WideRows(500);
        var original = LogTestSupport.BuildBatch(Wide, rows, codec);
        var projected = ProjectAll(new LogProjection(Wide, [1, 6]), original);
        // The projected body is a byte-for-byte subsequence of the original body: the string column's buffers
        // appear verbatim (compressed or not).
        var body = projected.AsSpan(projected.Length - 64);
        Assert.True(original.AsSpan().IndexOf(body) >= 0);
    }

    [Fact]
    public void Project_Header_KeepsOffsetsTimestampAndWriterAndFixesLengthAndCrc()
    {
        var original = LogTestSupport.BuildBatch(Wide, WideRows(10), ArrowCompressionType.None, writerId: 12, batchSequence: 3);
        BinaryPrimitives.WriteInt64LittleEndian(original.AsSpan(0), 5000);
        BinaryPrimitives.WriteInt64LittleEndian(original.AsSpan(13), 1_700_000_000_123);
        var projected = ProjectAll(new LogProjection(Wide, [2, 4]), original);

        Assert.Equal(5000, BinaryPrimitives.ReadInt64LittleEndian(projected));
        Assert.Equal(projected.Length - 12, BinaryPrimitives.ReadInt32LittleEndian(projected.AsSpan(8)));
        Assert.Equal(1_700_000_000_123, BinaryPrimitives.ReadInt64LittleEndian(projected.AsSpan(13)));
        Assert.Equal(LogTestSupport.ReferenceCrc32C(projected.AsSpan(25)), BinaryPrimitives.ReadUInt32LittleEndian(projected.AsSpan(21)));
        Assert.Equal(original.AsSpan(25, 23).ToArray(), projected.AsSpan(25, 23).ToArray()); // schema id .. record count
    }

    [Fact]
    public void Project_ConcatenatedBatches_ProjectsEachAndStopsAtAPartialTail()
    {
        var type = Wide;
        var a = LogTestSupport.BuildBatch(type, WideRows(3), ArrowCompressionType.Zstd);
        var b = LogTestSupport.BuildBatch(type, WideRows(5), ArrowCompressionType.Zstd);
        var input = a.Concat(b).Concat(a.Take(30)).ToArray();
        var projection = new LogProjection(type, [0, 7]);
        var output = new ArrayBufferWriter<byte>();

        var result = projection.Project(input, output);

        Assert.Equal(a.Length + b.Length, result.BytesConsumed);
        Assert.Equal(2, result.BatchCount);
        Assert.False(result.LimitReached);
        var batches = new List<int>();
        foreach (var batch in new LogRecords(output.WrittenMemory))
        {
            batch.EnsureValid();
            batches.Add(batch.RecordCount);
        }
        Assert.Equal([3, 5], batches);
    }

    [Fact]
    public void Project_MaxBytes_StopsBeforeTheBatchThatDoesNotFit()
    {
        var batch = LogTestSupport.BuildBatch(Wide, WideRows(50), ArrowCompressionType.None);
        var input = batch.Concat(batch).Concat(batch).ToArray();
        var projection = new LogProjection(Wide, [0]);
        var one = ProjectAll(projection, batch).Length;

        var output = new ArrayBufferWriter<byte>();
        var result = projection.Project(input, output, maxBytes: (2 * one) + (one / 2));
        Assert.Equal(2, result.BatchCount);
        Assert.True(result.LimitReached);
        Assert.Equal(2 * batch.Length, result.BytesConsumed);

        var minOne = projection.Project(input, new ArrayBufferWriter<byte>(), maxBytes: 10, minOneBatch: true);
        Assert.Equal(1, minOne.BatchCount);
        var none = projection.Project(input, new ArrayBufferWriter<byte>(), maxBytes: 10, minOneBatch: false);
        Assert.Equal(0, none.BatchCount);
        Assert.True(none.LimitReached);
    }

    [Fact]
    public void Project_EmptyBatch_PassesThroughUnchanged()
    {
        var empty = LogTestSupport.BuildBatch(Wide, [], ArrowCompressionType.Zstd);
        var projected = ProjectAll(new LogProjection(Wide, [3]), empty);
        Assert.Equal(empty, projected);
    }

    [Fact]
    public void Project_SchemaResolver_UsesTheProjectionOfEachBatchSchema()
    {
        var narrow = RowType.Of(("id", new BigIntType(false)), ("x", new StringType()));
        var first = LogTestSupport.BuildBatch(Wide, WideRows(4), ArrowCompressionType.Lz4Frame, schemaId: 1);
        var second = LogTestSupport.BuildBatch(narrow, [GenericRow.Of(7L, "seven")], ArrowCompressionType.Lz4Frame, schemaId: 2);
        var projections = new Dictionary<short, LogProjection> { [1] = new(Wide, [0, 1]), [2] = new(narrow, [0, 1]) };
        var output = new ArrayBufferWriter<byte>();

        var result = LogProjection.Project(first.Concat(second).ToArray(), id => projections[id], output);

        Assert.Equal(2, result.BatchCount);
        var batches = new List<LogRecordBatch>();
        foreach (var b in new LogRecords(output.WrittenMemory)) batches.Add(b);
        Assert.Equal(WideRows(4).Select(r => Project(r, [0, 1])), batches[0].ReadRows(projections[1].ProjectedRowType).Select(r => r.Row));
        Assert.Equal([GenericRow.Of(7L, "seven")], batches[1].ReadRows(narrow).Select(r => r.Row));
    }

    [Theory]
    [InlineData(new int[0], "Empty projection")]
    [InlineData(new[] { 0, 8 }, "out of bounds")]
    [InlineData(new[] { -1 }, "out of bounds")]
    [InlineData(new[] { 1, 1 }, "duplicated")]
    [InlineData(new[] { 3, 1 }, "field order")]
    public void Constructor_InvalidProjection_ThrowsInvalidColumnProjection(int[] fields, string reason)
    {
        var e = Assert.Throws<FlussException>(() => new LogProjection(Wide, fields));
        Assert.Equal(FlussErrorCode.InvalidColumnProjection, e.ErrorCode);
        Assert.Equal(34, (int)e.ErrorCode);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_BatchOfAnotherSchema_ThrowsCorruptRecord()
    {
        var narrow = RowType.Of(("id", new BigIntType(false)), ("x", new StringType()));
        var batch = LogTestSupport.BuildBatch(narrow, [GenericRow.Of(1L, "a")], ArrowCompressionType.None);
        var e = Assert.Throws<CorruptRecordException>(() => new LogProjection(Wide, [0]).Project(batch, new ArrayBufferWriter<byte>()));
        Assert.Contains("field nodes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_SameTableSchemaAndFields_ReturnsTheSameProjection()
    {
        var cache = new LogProjectionCache(capacity: 4);
        var a = cache.GetOrCreate(1, 1, Wide, [0, 2]);
        var b = cache.GetOrCreate(1, 1, Wide, new List<int> { 0, 2 });
        var c = cache.GetOrCreate(1, 2, Wide, [0, 2]);
        var d = cache.GetOrCreate(1, 1, Wide, [0, 3]);
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.NotSame(a, d);
        Assert.Equal(3, cache.Count);
        Assert.Throws<FlussException>(() => cache.GetOrCreate(1, 1, Wide, [2, 0]));
    }
}
