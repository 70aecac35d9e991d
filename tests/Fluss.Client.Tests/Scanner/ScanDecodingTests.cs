using Fluss.Arrow;
using Fluss.Client;
using Fluss.Client.Scanner;
using Fluss.Errors;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Client.Scanner;

public class ScanProjectionTests
{
    private static readonly RowType Table = RowType.Of(("a", new IntType()), ("b", new StringType()), ("c", new BigIntType()), ("d", new DoubleType()));

    [Fact]
    public void Create_UnorderedColumns_PushesDownSortedAndMapsBack()
    {
        var projection = ScanProjection.Create(Table, ["d", "a", "c"], "t")!;

        Assert.Equal([3, 0, 2], projection.Requested);
        Assert.Equal([0, 2, 3], projection.PushedDown);
        Assert.Equal([2, 0, 1], projection.OutputToPushed);
        Assert.True(projection.NeedsReorder);
        Assert.Equal(["a", "c", "d"], projection.PushedRowType.FieldNames);
        Assert.Equal(["d", "a", "c"], projection.OutputRowType.FieldNames);
    }

    [Fact]
    public void Create_OrderedSubset_NeedsNoReorder()
    {
        var projection = ScanProjection.Create(Table, ["b", "d"], "t")!;
        Assert.False(projection.NeedsReorder);
        Assert.Equal([1, 3], projection.PushedDown);
    }

    [Fact]
    public void Create_AllColumnsInTableOrder_IsNoProjection()
    {
        Assert.Null(ScanProjection.Create(Table, ["a", "b", "c", "d"], "t"));
        Assert.Null(ScanProjection.Create(Table, null, "t"));
        Assert.NotNull(ScanProjection.Create(Table, ["b", "a", "c", "d"], "t"));
    }

    [Fact]
    public void Create_UnknownColumn_NamesItAndTheColumns()
    {
        var error = Assert.Throws<ArgumentException>(() => ScanProjection.Create(Table, ["a", "zz"], "shop.t"));
        Assert.Contains("'zz'", error.Message, StringComparison.Ordinal);
        Assert.Contains("a, b, c, d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DuplicateOrEmpty_Throws()
    {
        Assert.Throws<ArgumentException>(() => ScanProjection.Create(Table, ["a", "a"], "t"));
        Assert.Throws<ArgumentException>(() => ScanProjection.Create(Table, [], "t"));
    }
}

public class ScanDecoderTests
{
    private static readonly RowType Table = RowType.Of(("a", new IntType()), ("b", new StringType()), ("c", new BigIntType()), ("d", new DoubleType()));

    /// <summary>A log batch of rows i = 0..count-1 (a = i, b = "s{i}", c = 10 i, d = i / 2) with the given columns, as a server stores or projects it.</summary>
    private static byte[] LogBatch(RowType columns, int count, long baseOffset, long timestamp = 1234, ChangeType[]? changeTypes = null)
    {
        using var builder = new ArrowBatchBuilder(columns);
        for (var i = 0; i < count; i++)
        {
            var values = columns.FieldNames.Select(name => name switch
            {
                "a" => (object)i,
                "b" => "s" + i,
                "c" => i * 10L,
                _ => i / 2.0,
            }).ToArray();
            builder.Append(GenericRow.Of(values));
        }
        using var encoder = new ArrowLogBatchBuilder(Fluss.Metadata.ArrowCompressionType.Zstd);
        var bytes = (changeTypes is null ? encoder.BuildAppendOnly(builder, new LogBatchHeader(1)) : encoder.BuildChangelog(builder, changeTypes, new LogBatchHeader(1))).ToArray();
        LogRecordBatch.SetBaseOffset(bytes, baseOffset);
        LogRecordBatch.SetCommitTimestamp(bytes, timestamp);
        return bytes;
    }

    [Fact]
    public void Decode_ProjectedBatch_ColumnsInRequestedOrder_SkippingRowsBeforeFetchOffset()
    {
        var projection = ScanProjection.Create(Table, ["d", "a"], "t")!;
        var context = new ReadContext(Table, projection, checkCrc: true);
        var records = LogBatch(projection.PushedRowType, 5, baseOffset: 10);
        var output = new List<ScanBatch>();

        var next = ScanDecoder.Decode(records, bucket: 2, fetchOffset: 12, endOffset: null, highWatermark: 15, context, output);

        Assert.Equal(15, next);
        using var batch = Assert.Single(output);
        Assert.Equal(2, batch.Bucket);
        Assert.Equal(12, batch.BaseOffset);
        Assert.Equal(15, batch.HighWatermark);
        Assert.Equal(1234, batch.Timestamp);
        Assert.Equal(3, batch.RowCount);
        Assert.Equal(["d", "a"], batch.RowType.FieldNames);
        Assert.Equal(["d", "a"], batch.Batch.Schema.FieldsList.Select(f => f.Name));
        var reader = new ArrowRowReader(batch.Batch, batch.RowType);
        Assert.Equal([1.0, 1.5, 2.0], Enumerable.Range(0, 3).Select(i => reader.GetRow(i).GetDouble(0)));
        Assert.Equal([2, 3, 4], Enumerable.Range(0, 3).Select(i => reader.GetRow(i).GetInt(1)));
        Assert.Equal([12L, 13L, 14L], Enumerable.Range(0, 3).Select(batch.OffsetAt));
        Assert.Equal(ChangeType.AppendOnly, batch.ChangeTypeAt(0));
    }

    [Fact]
    public void Decode_SeveralBatches_TrimsAtEndOffset()
    {
        var context = new ReadContext(Table, null, checkCrc: true);
        var records = LogBatch(Table, 4, 0).Concat(LogBatch(Table, 4, 4)).ToArray();
        var output = new List<ScanBatch>();

        var next = ScanDecoder.Decode(records, 0, fetchOffset: 0, endOffset: 6, highWatermark: 8, context, output);

        Assert.Equal(8, next);
        Assert.Equal([4, 2], output.Select(b => b.RowCount));
        Assert.Equal([0L, 4L], output.Select(b => b.BaseOffset));
        var reader = new ArrowRowReader(output[1].Batch, output[1].RowType);
        Assert.Equal("s1", reader.GetRow(1).GetString(1));
        foreach (var b in output) b.Dispose();
    }

    [Fact]
    public void Decode_BatchEntirelyBeforeFetchOffset_IsSkipped()
    {
        var context = new ReadContext(Table, null, checkCrc: true);
        var records = LogBatch(Table, 4, 0).Concat(LogBatch(Table, 2, 4)).ToArray();
        var output = new List<ScanBatch>();

        Assert.Equal(6, ScanDecoder.Decode(records, 0, fetchOffset: 5, endOffset: null, highWatermark: 6, context, output));
        using var batch = Assert.Single(output);
        Assert.Equal(5, batch.BaseOffset);
        Assert.Equal(1, batch.RowCount);
    }

    [Fact]
    public void Decode_ChangelogBatch_ChangeTypesFollowTheSlice()
    {
        var context = new ReadContext(Table, ScanProjection.Create(Table, ["c"], "t"), checkCrc: true);
        ChangeType[] types = [ChangeType.Insert, ChangeType.UpdateBefore, ChangeType.UpdateAfter, ChangeType.Delete];
        var records = LogBatch(RowType.Of(("c", new BigIntType())), 4, 20, changeTypes: types);
        var output = new List<ScanBatch>();

        ScanDecoder.Decode(records, 0, fetchOffset: 21, endOffset: null, highWatermark: 24, context, output);

        using var batch = Assert.Single(output);
        Assert.Equal([ChangeType.UpdateBefore, ChangeType.UpdateAfter, ChangeType.Delete], Enumerable.Range(0, 3).Select(batch.ChangeTypeAt));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.ChangeTypeAt(3));
    }

    [Fact]
    public void Decode_CorruptBatch_FailsTheCrcCheck()
    {
        var context = new ReadContext(Table, null, checkCrc: true);
        var records = LogBatch(Table, 3, 0);
        records[^3] ^= 0x5A;

        Assert.Throws<CorruptMessageException>(() => ScanDecoder.Decode(records, 0, 0, null, 3, context, []));
    }

    [Fact]
    public void Decode_OnlyPartOfABatch_SaysToRaiseTheFetchSize()
    {
        var context = new ReadContext(Table, null, checkCrc: true);
        var records = LogBatch(Table, 3, 0)[..40];

        var error = Assert.Throws<RecordTooLargeException>(() => ScanDecoder.Decode(records, 0, 0, null, 3, context, []));
        Assert.Contains("client.scanner.log.fetch.max-bytes-for-bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextOffset_BatchesCrossingTheStopOffset_MatchesTheDecoder()
    {
        // Batches at offsets 10-12, 13, 14-17 and a trailing partial batch the walk and the decoder both leave for the next fetch.
        var context = new ReadContext(Table, null, checkCrc: true);
        var partial = LogBatch(Table, 2, 18);
        var records = LogBatch(Table, 3, 10).Concat(LogBatch(Table, 1, 13)).Concat(LogBatch(Table, 4, 14)).Concat(partial[..(partial.Length / 2)]).ToArray();
        var checkedCases = 0;
        foreach (var fetchOffset in Enumerable.Range(8, 12).Select(o => (long)o))
        {
            foreach (var end in new long?[] { null }.Concat(Enumerable.Range(10, 11).Select(e => (long?)e)))
            {
                var output = new List<ScanBatch>();
                var decoded = ScanDecoder.Decode(records, 1, fetchOffset, end, 20, context, output);
                var walked = ScanDecoder.NextOffset(records, 1, fetchOffset, end, out var hasRows);

                Assert.True(decoded == walked, $"fetch offset {fetchOffset}, end {end}: decoder says {decoded}, header walk {walked}");
                Assert.True((output.Count > 0) == hasRows, $"fetch offset {fetchOffset}, end {end}: {output.Count} batches but hasRows {hasRows}");
                foreach (var b in output) b.Dispose();
                checkedCases++;
            }
        }

        // The cases a scan stopping inside a batch depends on, spelled out.
        Assert.Equal(18, ScanDecoder.NextOffset(records, 1, 10, endOffset: 15, out var crossing));
        Assert.True(crossing);
        Assert.Equal(14, ScanDecoder.NextOffset(records, 1, 10, endOffset: 14, out _));
        Assert.Equal(18, ScanDecoder.NextOffset(records, 1, 16, endOffset: null, out _));
        Assert.Equal(18, ScanDecoder.NextOffset(records, 1, 18, endOffset: null, out var nothingNew));
        Assert.False(nothingNew);
        Assert.True(checkedCases > 100);
    }

    [Fact]
    public void NextOffset_CorruptPayload_StillAdvancesAsTheHeadersSay()
    {
        // The walk checks no CRC (the decoder does): a corrupt payload moves the offset on and is caught by the decoder.
        var context = new ReadContext(Table, null, checkCrc: true);
        var records = LogBatch(Table, 3, 0);
        records[^3] ^= 0x5A;

        Assert.Equal(3, ScanDecoder.NextOffset(records, 0, 0, null, out var hasRows));
        Assert.True(hasRows);
        Assert.Throws<CorruptMessageException>(() => ScanDecoder.Decode(records, 0, 0, null, 3, context, []));
    }

    [Fact]
    public void NextOffset_OnlyPartOfABatch_SaysToRaiseTheFetchSize()
    {
        var records = LogBatch(Table, 3, 0)[..40];

        var error = Assert.Throws<RecordTooLargeException>(() => ScanDecoder.NextOffset(records, 0, 0, null, out _));
        Assert.Contains("client.scanner.log.fetch.max-bytes-for-bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextOffset_CorruptFraming_ThrowsCorruptMessage()
    {
        var records = LogBatch(Table, 3, 0);
        records[LogRecordBatchFormat.MagicOffset] = 9;

        Assert.Throws<CorruptMessageException>(() => ScanDecoder.NextOffset(records, 0, 0, null, out _));
    }
}
