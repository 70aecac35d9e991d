using System.Buffers.Binary;
using Fluss.Arrow;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Log;

/// <summary>Helpers shared by the log format tests.</summary>
internal static class LogTestSupport
{
    public static readonly ArrowCompressionType[] Codecs = [ArrowCompressionType.None, ArrowCompressionType.Lz4Frame, ArrowCompressionType.Zstd];

    public static TheoryData<ArrowCompressionType> AllCodecs() => new(Codecs);

    /// <summary>Bit-by-bit CRC-32C (reflected polynomial 0x82F63B78), independent of the implementation under test.</summary>
    public static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Builds a V0 log batch from rows (append-only when <paramref name="changeTypes"/> is null).</summary>
    public static byte[] BuildBatch(RowType type, IReadOnlyList<GenericRow> rows, ArrowCompressionType codec, ChangeType[]? changeTypes = null, short schemaId = 1, long writerId = -1, int batchSequence = -1)
    {
        using var rowsBuilder = new ArrowBatchBuilder(type);
        foreach (var r in rows) rowsBuilder.Append(r);
        using var batch = rowsBuilder.Build();
        using var builder = new ArrowLogBatchBuilder(codec);
        var header = new LogBatchHeader(schemaId, writerId, batchSequence);
        return (changeTypes is null ? builder.BuildAppendOnly(batch, header) : builder.BuildChangelog(batch, changeTypes, header)).ToArray();
    }

    /// <summary>Re-stamps the CRC of a V0/V1/V2 batch after a test changed bytes it covers.</summary>
    public static void FixCrc(byte[] batch)
    {
        var magic = batch[LogRecordBatchFormat.MagicOffset];
        var crcOffset = LogRecordBatchFormat.CrcOffset(magic);
        BinaryPrimitives.WriteUInt32LittleEndian(batch.AsSpan(crcOffset), ReferenceCrc32C(batch.AsSpan(crcOffset + 4)));
    }

    /// <summary>
    /// Keeps generated values inside what the Arrow encoding can hold: TIMESTAMP(7..9) is stored as int64
    /// nanoseconds (years 1677..2262), so larger generated instants are folded into that range.
    /// </summary>
    public static GenericRow Fit(RowType type, GenericRow row)
    {
        var copy = new GenericRow(type.FieldCount);
        for (var i = 0; i < type.FieldCount; i++)
        {
            copy[i] = (type.GetTypeAt(i), row[i]) switch
            {
                (TimestampType { Precision: > 6 }, TimestampNtz t) => new TimestampNtz(t.Millisecond % 9_000_000_000_000L, t.NanoOfMillisecond),
                (LocalZonedTimestampType { Precision: > 6 }, TimestampLtz t) => new TimestampLtz(t.EpochMillisecond % 9_000_000_000_000L, t.NanoOfMillisecond),
                _ => row[i],
            };
        }
        return copy;
    }

    /// <summary>
    /// What Fluss reads back for a written row: TIME(0) and TIMESTAMP(0)/TIMESTAMP_LTZ(0) are stored in whole seconds
    /// (milliseconds divided by 1000, truncating), every other value is exact.
    /// </summary>
    public static GenericRow Expected(RowType type, GenericRow row)
    {
        var copy = new GenericRow(type.FieldCount);
        for (var i = 0; i < type.FieldCount; i++)
        {
            copy[i] = (type.GetTypeAt(i), row[i]) switch
            {
                (TimeType { Precision: 0 }, int ms) => ms / 1000 * 1000,
                (TimestampType { Precision: 0 }, TimestampNtz t) => new TimestampNtz(t.Millisecond / 1000 * 1000),
                (LocalZonedTimestampType { Precision: 0 }, TimestampLtz t) => new TimestampLtz(t.EpochMillisecond / 1000 * 1000),
                _ => row[i],
            };
        }
        return copy;
    }

    public static RowType AllScalarTypes() => RowType.Of(
        ("b", new BooleanType()),
        ("i8", new TinyIntType()),
        ("i16", new SmallIntType()),
        ("i32", new IntType()),
        ("i64", new BigIntType(false)),
        ("f32", new FloatType()),
        ("f64", new DoubleType()),
        ("c", new CharType(5)),
        ("s", new StringType()),
        ("bin", new BinaryType(3)),
        ("bytes", new BytesType()),
        ("d10", new DecimalType(10, 2)),
        ("d38", new DecimalType(38, 4)),
        ("date", new DateType()),
        ("t0", new TimeType(0)),
        ("t3", new TimeType(3)),
        ("t6", new TimeType(6)),
        ("t9", new TimeType(9)),
        ("ts0", new TimestampType(0)),
        ("ts3", new TimestampType(3)),
        ("ts6", new TimestampType(6)),
        ("ts9", new TimestampType(9)),
        ("ltz3", new LocalZonedTimestampType(3)),
        ("ltz9", new LocalZonedTimestampType(9)));

    /// <summary>Three rows of <see cref="AllScalarTypes"/>, one of them mostly null.</summary>
    public static GenericRow[] AllScalarRows() =>
    [
        GenericRow.Of(true, (sbyte)-7, (short)300, 42, 1L << 40, 1.5f, -2.25, "abc", "héllo ✓", new byte[] { 1, 2, 3 }, new byte[] { 9, 8 },
            FlussDecimal.Parse("12345678.91", 10, 2), FlussDecimal.Parse("-12345678901234567890123456789012.3456", 38, 4), 19_000,
            45_296_000, 45_296_789, 45_296_789, 45_296_789, new TimestampNtz(1_700_000_000_000), new TimestampNtz(1_700_000_000_123),
            new TimestampNtz(-1, 456_000), new TimestampNtz(1_700_000_000_123, 456_789), new TimestampLtz(1_700_000_000_123), new TimestampLtz(-5, 999_999)),
        GenericRow.Of(null, null, null, null, long.MinValue, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
        GenericRow.Of(false, sbyte.MinValue, short.MaxValue, int.MinValue, long.MaxValue, float.NaN, double.NegativeInfinity, "", "", new byte[] { 0, 0, 0 }, Array.Empty<byte>(),
            FlussDecimal.Parse("-0.01", 10, 2), FlussDecimal.Parse("99999999999999999999999999999999.9999", 38, 4), -719_162,
            0, 86_399_999, 1, 86_399_999, new TimestampNtz(-62_135_596_800_000), new TimestampNtz(253_402_300_799_999),
            new TimestampNtz(0, 1000), new TimestampNtz(-9_000_000_000_000, 1), new TimestampLtz(0), new TimestampLtz(9_000_000_000_000, 999_999)),
    ];
}
