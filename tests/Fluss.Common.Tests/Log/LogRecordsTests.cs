using System.Buffers.Binary;
using CsCheck;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Log;

public class LogRecordsTests
{
    private static readonly RowType Type = RowType.Of(("id", new BigIntType()), ("text", new StringType()));

    private static byte[][] Batches(int count, ArrowCompressionType codec = ArrowCompressionType.Zstd)
    {
        var result = new byte[count][];
        long offset = 0;
        for (var b = 0; b < count; b++)
        {
            var rows = Enumerable.Range(0, 3 + b).Select(i => GenericRow.Of(offset + i, "t" + (offset + i))).ToArray();
            result[b] = LogTestSupport.BuildBatch(Type, rows, codec, schemaId: 1, writerId: 5, batchSequence: b);
            LogRecordBatch.SetBaseOffset(result[b], offset);
            offset += rows.Length;
        }
        return result;
    }

    [Fact]
    public void Enumerate_ConcatenatedBatches_YieldsEachInOrder()
    {
        var batches = Batches(4);
        var buffer = batches.SelectMany(b => b).ToArray();
        var seen = new List<LogRecordBatch>();
        foreach (var batch in new LogRecords(buffer)) seen.Add(batch);
        Assert.Equal(4, seen.Count);
        Assert.Equal([0L, 3, 7, 12], seen.Select(b => b.BaseOffset));
        Assert.Equal(batches.Select(b => (long)b.Length), seen.Select(b => b.SizeInBytes));
        Assert.Equal([0, 1, 2, 3], seen.Select(b => b.BatchSequence));
        var allRows = seen.SelectMany(b => b.ReadRows(Type)).ToList();
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (long)i), allRows.Select(r => r.Offset));
        Assert.Equal(allRows.Select(r => r.Offset), allRows.Select(r => (long)r.Row[0]!));
    }

    [Fact]
    public void Enumerate_TornTail_StopsBeforeThePartialBatchAndReportsIt()
    {
        var batches = Batches(3);
        var whole = batches[0].Length + batches[1].Length;
        var buffer = batches.SelectMany(b => b).ToArray();
        for (var cut = whole + 1; cut < buffer.Length; cut++)
        {
            var records = new LogRecords(buffer.AsMemory(0, cut));
            var e = records.GetEnumerator();
            var count = 0;
            while (e.MoveNext()) count++;
            Assert.Equal(2, count);
            Assert.Equal(LogTailState.Truncated, e.Tail);
            Assert.Equal(whole, e.Position);
            Assert.Equal(new LogScanResult(whole, 2, LogTailState.Truncated, null), records.Scan());
        }
    }

    [Fact]
    public void Scan_CompleteBuffer_ReportsComplete()
    {
        var buffer = Batches(3).SelectMany(b => b).ToArray();
        Assert.Equal(new LogScanResult(buffer.Length, 3, LogTailState.Complete, null), new LogRecords(buffer).Scan());
        Assert.Equal(new LogScanResult(0, 0, LogTailState.Complete, null), new LogRecords(ReadOnlyMemory<byte>.Empty).Scan());
    }

    [Fact]
    public void Scan_SingleBatchTruncatedAtEveryLength_IsTruncatedNotCorrupt()
    {
        var batch = Batches(1)[0];
        for (var len = 1; len < batch.Length; len++)
        {
            var result = new LogRecords(batch.AsMemory(0, len)).Scan();
            Assert.Equal(new LogScanResult(0, 0, LogTailState.Truncated, null), result);
        }
    }

    [Fact]
    public void Scan_BadCrcInTheMiddle_StopsThereAsCorrupt()
    {
        var batches = Batches(3);
        batches[1][batches[1].Length - 3] ^= 0x01;
        var buffer = batches.SelectMany(b => b).ToArray();
        var result = new LogRecords(buffer).Scan();
        Assert.Equal(LogTailState.Corrupt, result.Tail);
        Assert.Equal(batches[0].Length, result.ValidBytes);
        Assert.Equal(1, result.BatchCount);
        Assert.Contains("crc", result.Error, StringComparison.Ordinal);
        Assert.Contains($"At byte {batches[0].Length}", result.Error, StringComparison.Ordinal);
        // Without checksum verification the framing is intact, so all batches are found.
        Assert.Equal(new LogScanResult(buffer.Length, 3, LogTailState.Complete, null), new LogRecords(buffer).Scan(verifyChecksums: false));
    }

    [Theory]
    [InlineData(-1, "negative")]
    [InlineData(10, "smaller than the V0 header size 48")]
    public void Framing_BadLength_IsCorrupt(int length, string expected)
    {
        var batches = Batches(2);
        BinaryPrimitives.WriteInt32LittleEndian(batches[1].AsSpan(8), length);
        var buffer = batches.SelectMany(b => b).ToArray();
        var result = new LogRecords(buffer).Scan();
        Assert.Equal(LogTailState.Corrupt, result.Tail);
        Assert.Equal(batches[0].Length, result.ValidBytes);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        var count = 0;
        var ex = Assert.Throws<CorruptMessageException>(() =>
        {
            foreach (var _ in new LogRecords(buffer)) count++;
        });
        Assert.Equal(1, count);
        Assert.Contains($"at byte {batches[0].Length}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Framing_UnknownMagic_IsCorrupt()
    {
        var batches = Batches(2);
        batches[1][12] = 9;
        var result = new LogRecords(batches.SelectMany(b => b).ToArray()).Scan();
        Assert.Equal(LogTailState.Corrupt, result.Tail);
        Assert.Contains("magic 9", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Enumerate_EmptyBatchesBetweenOthers_AreYielded()
    {
        var empty = LogTestSupport.BuildBatch(Type, [], ArrowCompressionType.None, []);
        var full = Batches(1)[0];
        var buffer = full.Concat(empty).Concat(full).ToArray();
        var sizes = new List<long>();
        foreach (var b in new LogRecords(buffer))
        {
            b.EnsureValid();
            sizes.Add(b.SizeInBytes);
        }
        Assert.Equal([full.Length, 48L, full.Length], sizes);
    }

    [Fact]
    public void Fuzz_RandomBuffers_ScanNeverThrows()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var result = new LogRecords(bytes).Scan();
            Assert.InRange(result.ValidBytes, 0, bytes.Length);
            try
            {
                foreach (var b in new LogRecords(bytes)) _ = b.IsValid;
            }
            catch (CorruptMessageException)
            {
            }
        }, iter: 2000);
    }
}
