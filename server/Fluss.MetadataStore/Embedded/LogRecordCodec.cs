using System.Buffers.Binary;
using Fluss.Utils;

namespace Fluss.MetadataStore.Embedded;

/// <summary>
/// The framing of a log record: <c>[int32 payload length][uint32 CRC-32C over the 4 length bytes and the payload][payload]</c>,
/// little-endian. Payload: <c>[int64 zxid][int64 time ms][int32 op count]</c> and per op a kind byte followed by
/// its fields (strings and byte arrays as int32 length + bytes, strings in UTF-8).
/// </summary>
internal static class LogRecordCodec
{
    public const int FrameHeaderSize = 8;

    /// <summary>Upper bound of a record payload; a larger length field can only be garbage.</summary>
    public const int MaxPayloadSize = 512 * 1024 * 1024;

    public static byte[] Encode(LogRecord record)
    {
        var payload = new CodecWriter();
        payload.WriteInt64(record.Zxid);
        payload.WriteInt64(record.TimeMs);
        payload.WriteInt32(record.Ops.Count);
        foreach (var op in record.Ops)
        {
            payload.WriteByte((byte)op.Kind);
            switch (op.Kind)
            {
                case LogOpKind.Create:
                    payload.WriteString(op.Path);
                    payload.WriteBytes(op.Data);
                    payload.WriteInt64(op.SessionId);
                    break;
                case LogOpKind.Delete:
                    payload.WriteString(op.Path);
                    break;
                case LogOpKind.SetData:
                    payload.WriteString(op.Path);
                    payload.WriteBytes(op.Data);
                    break;
                case LogOpKind.CreateSession:
                    payload.WriteInt64(op.SessionId);
                    payload.WriteInt32(op.TimeoutMs);
                    break;
                case LogOpKind.CloseSession:
                    payload.WriteInt64(op.SessionId);
                    break;
                default:
                    throw new InvalidOperationException($"unknown log op kind {op.Kind}");
            }
        }

        var frame = new byte[FrameHeaderSize + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.Written.CopyTo(frame.AsSpan(FrameHeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Checksum(frame, payload.Length));
        return frame;
    }

    /// <summary>CRC-32C of the length field and the payload of a frame starting at the start of <paramref name="frame"/>.</summary>
    public static uint Checksum(ReadOnlySpan<byte> frame, int payloadLength)
    {
        var crc = Crc32C.Compute(frame[..4]);
        return Crc32C.Append(crc, frame.Slice(FrameHeaderSize, payloadLength));
    }

    /// <summary>Outcome of reading a frame at an offset.</summary>
    public enum FrameStatus
    {
        Valid,

        /// <summary>The frame runs past the end of the data: a torn write.</summary>
        Incomplete,

        /// <summary>The length is impossible or the checksum does not match.</summary>
        Invalid,
    }

    /// <summary>Checks the frame at <paramref name="offset"/>; when valid, <paramref name="payloadLength"/> is its payload length.</summary>
    public static FrameStatus Probe(ReadOnlySpan<byte> data, long offset, out int payloadLength)
    {
        payloadLength = 0;
        var remaining = data.Length - offset;
        if (remaining < FrameHeaderSize) return FrameStatus.Incomplete;
        var frame = data[(int)offset..];
        var length = BinaryPrimitives.ReadInt32LittleEndian(frame);
        if (length < 20 || length > MaxPayloadSize) return FrameStatus.Invalid; // 20 = zxid + time + op count
        if (remaining - FrameHeaderSize < length) return FrameStatus.Incomplete;
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(frame[4..]);
        if (crc != Checksum(frame, length)) return FrameStatus.Invalid;
        payloadLength = length;
        return FrameStatus.Valid;
    }

    public static LogRecord DecodePayload(ReadOnlySpan<byte> payload)
    {
        var reader = new CodecReader(payload);
        var zxid = reader.ReadInt64();
        var time = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (count < 0 || count > payload.Length) throw new InvalidDataException($"impossible op count {count}");
        var ops = new List<LogOp>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = (LogOpKind)reader.ReadByte();
            ops.Add(kind switch
            {
                LogOpKind.Create => LogOp.Create(reader.ReadString(), reader.ReadBytes(), reader.ReadInt64()),
                LogOpKind.Delete => LogOp.Delete(reader.ReadString()),
                LogOpKind.SetData => LogOp.SetData(reader.ReadString(), reader.ReadBytes()),
                LogOpKind.CreateSession => LogOp.CreateSession(reader.ReadInt64(), reader.ReadInt32()),
                LogOpKind.CloseSession => LogOp.CloseSession(reader.ReadInt64()),
                _ => throw new InvalidDataException($"unknown log op kind {(byte)kind}"),
            });
        }
        if (reader.Remaining != 0) throw new InvalidDataException($"{reader.Remaining} unexpected bytes after the last op");
        return new LogRecord(zxid, time, ops);
    }
}
