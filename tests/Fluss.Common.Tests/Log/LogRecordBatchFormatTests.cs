using Fluss.Records.Log;
using static Fluss.Records.Log.LogRecordBatchFormat;

namespace Fluss.Tests.Log;

/// <summary>Offsets as Fluss's LogRecordBatchFormatTest states them.</summary>
public class LogRecordBatchFormatTests
{
    [Fact]
    public void CommonOffsets_MatchFluss()
    {
        Assert.Equal(8, LengthOffset);
        Assert.Equal(12, MagicOffset);
        Assert.Equal(12, LogOverhead);
        Assert.Equal(13, HeaderSizeUpToMagic);
        Assert.Equal(13, CommitTimestampOffset);
    }

    [Theory]
    [InlineData(MagicV0)]
    [InlineData(MagicV1)]
    public void V0AndV1Offsets_MatchFluss(byte magic)
    {
        Assert.Equal(21, CrcOffset(magic));
        Assert.Equal(25, SchemaIdOffset(magic));
        Assert.Equal(27, AttributesOffset(magic));
        Assert.Equal(28, LastOffsetDeltaOffset(magic));
        Assert.Equal(32, WriterIdOffset(magic));
        Assert.Equal(40, BatchSequenceOffset(magic));
        Assert.Equal(44, RecordCountOffset(magic));
        var ex = Assert.Throws<NotSupportedException>(() => LeaderEpochOffset(magic));
        Assert.Contains("Leader epoch is not supported in V0/V1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderSizes_MatchFluss()
    {
        Assert.Equal(48, HeaderSize(MagicV0));
        Assert.Equal(52, HeaderSize(MagicV1));
        Assert.Equal(56, HeaderSize(MagicV2));
        Assert.Equal(48, StatisticsLengthOffset(MagicV1));
        Assert.Equal(52, StatisticsDataOffset(MagicV1));
        Assert.Throws<NotSupportedException>(() => StatisticsLengthOffset(MagicV0));
        Assert.Throws<NotSupportedException>(() => StatisticsDataOffset(MagicV0));
    }

    [Fact]
    public void V2Offsets_MatchFluss()
    {
        Assert.Equal(21, LeaderEpochOffset(MagicV2));
        Assert.Equal(25, CrcOffset(MagicV2));
        Assert.Equal(29, SchemaIdOffset(MagicV2));
        Assert.Equal(31, AttributesOffset(MagicV2));
        Assert.Equal(32, LastOffsetDeltaOffset(MagicV2));
        Assert.Equal(36, WriterIdOffset(MagicV2));
        Assert.Equal(44, BatchSequenceOffset(MagicV2));
        Assert.Equal(48, RecordCountOffset(MagicV2));
        Assert.Equal(52, StatisticsLengthOffset(MagicV2));
        Assert.Equal(56, StatisticsDataOffset(MagicV2));
    }

    [Fact]
    public void UnknownMagic_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CrcOffset(3));
        Assert.Contains("magic 3", ex.Message, StringComparison.Ordinal);
    }
}
