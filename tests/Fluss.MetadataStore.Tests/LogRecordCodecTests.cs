using CsCheck;
using Fluss.MetadataStore.Embedded;
using Fluss.Utils;

namespace Fluss.Tests.MetadataStore;

public class LogRecordCodecTests
{
    private static readonly Gen<string> GenPath =
        Gen.String[Gen.Char['a', 'z'], 1, 8].Array[1, 4].Select(names => "/" + string.Join('/', names));

    private static readonly Gen<LogOp> GenOp = Gen.OneOf(
        Gen.Select(GenPath, Gen.Byte.Array[0, 40], Gen.Long[0, 1000], (p, d, o) => LogOp.Create(p, d, o)),
        GenPath.Select(LogOp.Delete),
        Gen.Select(GenPath, Gen.Byte.Array[0, 40], LogOp.SetData),
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Int[1, int.MaxValue], LogOp.CreateSession),
        Gen.Long[1, long.MaxValue].Select(LogOp.CloseSession));

    private static readonly Gen<LogRecord> GenRecord =
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Long, GenOp.Array[0, 6], (z, t, ops) => new LogRecord(z, t, ops));

    private static void AssertSame(LogRecord expected, LogRecord actual)
    {
        Assert.Equal(expected.Zxid, actual.Zxid);
        Assert.Equal(expected.TimeMs, actual.TimeMs);
        Assert.Equal(expected.Ops.Count, actual.Ops.Count);
        for (var i = 0; i < expected.Ops.Count; i++)
        {
            var (e, a) = (expected.Ops[i], actual.Ops[i]);
            Assert.Equal((e.Kind, e.Path, e.SessionId, e.TimeoutMs), (a.Kind, a.Path, a.SessionId, a.TimeoutMs));
            Assert.Equal(e.Data, a.Data);
        }
    }

    [Fact]
    public void EncodeDecode_RandomRecords_RoundTrip()
    {
        GenRecord.Sample(record =>
        {
            var frame = LogRecordCodec.Encode(record);
            Assert.Equal(LogRecordCodec.FrameStatus.Valid, LogRecordCodec.Probe(frame, 0, out var length));
            Assert.Equal(frame.Length - LogRecordCodec.FrameHeaderSize, length);
            AssertSame(record, LogRecordCodec.DecodePayload(frame.AsSpan(LogRecordCodec.FrameHeaderSize, length)));
        }, iter: 500);
    }

    [Fact]
    public void Probe_AnySingleByteFlip_IsNotValid()
    {
        Gen.Select(GenRecord, Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((record, position, mask) =>
        {
            var frame = LogRecordCodec.Encode(record);
            frame[position % frame.Length] ^= mask;
            Assert.NotEqual(LogRecordCodec.FrameStatus.Valid, LogRecordCodec.Probe(frame, 0, out _));
        }, iter: 500);
    }

    [Fact]
    public void Probe_ShortenedFrame_IsIncomplete()
    {
        var frame = LogRecordCodec.Encode(new LogRecord(7, 1000, [LogOp.SetData("/a", [1, 2, 3])]));
        for (var n = 0; n < frame.Length; n++)
            Assert.Equal(LogRecordCodec.FrameStatus.Incomplete, LogRecordCodec.Probe(frame.AsSpan(0, n), 0, out _));
    }

    [Fact]
    public void Encode_Layout_IsLengthCrcThenLittleEndianPayload()
    {
        var frame = LogRecordCodec.Encode(new LogRecord(0x0102030405060708, 0x10, [LogOp.Delete("/x")]));
        // payload: zxid 8 + time 8 + count 4 + kind 1 + path length 4 + "/x" 2 = 27 bytes
        Assert.Equal(27, BitConverter.ToInt32(frame, 0));
        Assert.Equal(8 + 27, frame.Length);
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, frame[8..16]);
        Assert.Equal(0x10, BitConverter.ToInt64(frame, 16));
        Assert.Equal(1, BitConverter.ToInt32(frame, 24));
        Assert.Equal(2, frame[28]); // Delete
        Assert.Equal(2, BitConverter.ToInt32(frame, 29));
        Assert.Equal("/x"u8.ToArray(), frame[33..35]);
        var crc = Crc32C.Append(Crc32C.Compute(frame.AsSpan(0, 4)), frame.AsSpan(8));
        Assert.Equal(crc, BitConverter.ToUInt32(frame, 4));
    }
}
