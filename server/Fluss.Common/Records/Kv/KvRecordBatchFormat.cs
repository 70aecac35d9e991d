namespace Fluss.Records.Kv;

/// <summary>
/// Byte layout of a KV record batch (magic 0), all integers little-endian:
/// <c>Length int32 @0</c> (bytes after this field), <c>Magic int8 @4</c>, <c>CRC uint32 @5</c> (CRC-32C of bytes
/// 9..end), <c>SchemaId int16 @9</c>, <c>Attributes int8 @11</c>, <c>WriterId int64 @12</c>,
/// <c>BatchSequence int32 @20</c>, <c>RecordCount int32 @24</c>, records from 28. A record is
/// <c>[int32 length][unsigned varint key length][key][row bytes]</c>; a record without row bytes is a delete.
/// </summary>
public static class KvRecordBatchFormat
{
    public const int LengthOffset = 0;
    public const int LengthLength = 4;
    public const int MagicOffset = LengthOffset + LengthLength;
    public const int CrcOffset = MagicOffset + 1;
    public const int SchemaIdOffset = CrcOffset + 4;
    public const int AttributesOffset = SchemaIdOffset + 2;
    public const int WriterIdOffset = AttributesOffset + 1;
    public const int BatchSequenceOffset = WriterIdOffset + 8;
    public const int RecordCountOffset = BatchSequenceOffset + 4;
    public const int RecordsOffset = RecordCountOffset + 4;

    /// <summary>The header size (28); also the size of an empty batch.</summary>
    public const int HeaderSize = RecordsOffset;

    /// <summary>The only magic value defined.</summary>
    public const byte CurrentMagic = 0;

    /// <summary>The writer id of a batch from a non-idempotent writer.</summary>
    public const long NoWriterId = -1L;

    /// <summary>The batch sequence of a batch from a non-idempotent writer.</summary>
    public const int NoBatchSequence = -1;

    /// <summary>The size a record takes in a batch.</summary>
    public static int RecordSize(int keyLength, int rowLength) =>
        LengthLength + Utils.VarInt.SizeOf((uint)keyLength) + keyLength + rowLength;
}
