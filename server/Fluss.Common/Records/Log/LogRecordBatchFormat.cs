namespace Fluss.Records.Log;

/// <summary>
/// Byte layout of a Fluss LogRecordBatch (all fields little-endian). Every magic shares BaseOffset (int64, 0),
/// Length (int32, 8; the bytes after it, so a batch is 12 + Length bytes), Magic (int8, 12) and CommitTimestamp
/// (int64, 13). V2 then has LeaderEpoch (int32, 21). Then, from <see cref="CrcOffset"/>: CRC (uint32), SchemaId
/// (int16), Attributes (int8, bit 0 = append-only), LastOffsetDelta (int32), WriterId (int64), BatchSequence (int32)
/// and RecordCount (int32); V1 and V2 add StatisticsLength (int32) followed by that many statistics bytes. The CRC-32C
/// covers everything from SchemaId to the end of the batch, so BaseOffset, CommitTimestamp and LeaderEpoch can be
/// stamped in place.
/// </summary>
public static class LogRecordBatchFormat
{
    public const byte MagicV0 = 0;
    public const byte MagicV1 = 1;
    public const byte MagicV2 = 2;

    /// <summary>The magic new batches are written with (Fluss's CURRENT_LOG_MAGIC_VALUE).</summary>
    public const byte CurrentMagic = MagicV0;

    public const long NoWriterId = -1;
    public const int NoBatchSequence = -1;
    public const int NoLeaderEpoch = -1;

    /// <summary>Attributes bit 0: the batch holds only +A records and no change-type vector.</summary>
    public const byte AppendOnlyFlagMask = 0x01;

    public const int BaseOffsetOffset = 0;
    public const int LengthOffset = 8;
    public const int MagicOffset = 12;
    public const int CommitTimestampOffset = 13;

    /// <summary>BaseOffset + Length: the bytes before what Length counts.</summary>
    public const int LogOverhead = 12;

    public const int HeaderSizeUpToMagic = 13;

    public const int V0HeaderSize = 48;
    public const int V1HeaderSize = 52;
    public const int V2HeaderSize = 56;

    /// <summary>The largest fixed header (V2).</summary>
    public const int MaxHeaderSize = V2HeaderSize;

    public static bool IsKnownMagic(byte magic) => magic <= MagicV2;

    /// <summary>LeaderEpoch offset; only V2 has the field.</summary>
    public static int LeaderEpochOffset(byte magic) => magic switch
    {
        MagicV0 or MagicV1 => throw new NotSupportedException("Leader epoch is not supported in V0/V1 log batches."),
        MagicV2 => 21,
        _ => throw UnknownMagic(magic),
    };

    public static int CrcOffset(byte magic) => Base(magic);

    public static int SchemaIdOffset(byte magic) => Base(magic) + 4;

    public static int AttributesOffset(byte magic) => Base(magic) + 6;

    public static int LastOffsetDeltaOffset(byte magic) => Base(magic) + 7;

    public static int WriterIdOffset(byte magic) => Base(magic) + 11;

    public static int BatchSequenceOffset(byte magic) => Base(magic) + 19;

    public static int RecordCountOffset(byte magic) => Base(magic) + 23;

    /// <summary>StatisticsLength offset; V1 and V2 only.</summary>
    public static int StatisticsLengthOffset(byte magic) => magic == MagicV0
        ? throw new NotSupportedException("Statistics are not supported in V0 log batches.")
        : Base(magic) + 27;

    /// <summary>Where the statistics bytes start (right after the fixed header); V1 and V2 only.</summary>
    public static int StatisticsDataOffset(byte magic) => magic == MagicV0
        ? throw new NotSupportedException("Statistics are not supported in V0 log batches.")
        : HeaderSize(magic);

    /// <summary>Size of the fixed header, without statistics.</summary>
    public static int HeaderSize(byte magic) => magic switch
    {
        MagicV0 => V0HeaderSize,
        MagicV1 => V1HeaderSize,
        MagicV2 => V2HeaderSize,
        _ => throw UnknownMagic(magic),
    };

    private static int Base(byte magic) => magic switch
    {
        MagicV0 or MagicV1 => 21,
        MagicV2 => 25,
        _ => throw UnknownMagic(magic),
    };

    private static ArgumentOutOfRangeException UnknownMagic(byte magic) =>
        new(nameof(magic), magic, $"Unsupported log batch magic {magic}; known magics are 0, 1 and 2.");
}
