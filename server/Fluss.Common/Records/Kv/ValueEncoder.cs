using System.Buffers.Binary;
using Fluss.Errors;

namespace Fluss.Records.Kv;

/// <summary>
/// The value format of the KV store: <c>[int16 schema id, little-endian][row bytes]</c>, so a value records the
/// schema its row was written with.
/// </summary>
public static class ValueEncoder
{
    /// <summary>The size of the schema id prefix.</summary>
    public const int SchemaIdLength = 2;

    /// <summary>The value of <paramref name="row"/> written with schema <paramref name="schemaId"/>, as a new array.</summary>
    public static byte[] Encode(short schemaId, ReadOnlySpan<byte> row)
    {
        var value = new byte[SchemaIdLength + row.Length];
        Encode(schemaId, row, value);
        return value;
    }

    /// <summary>Writes the value into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(short schemaId, ReadOnlySpan<byte> row, Span<byte> destination)
    {
        if (destination.Length < SchemaIdLength + row.Length)
            throw new ArgumentException($"The destination has {destination.Length} bytes; the value needs {SchemaIdLength + row.Length}.", nameof(destination));
        BinaryPrimitives.WriteInt16LittleEndian(destination, schemaId);
        row.CopyTo(destination[SchemaIdLength..]);
        return SchemaIdLength + row.Length;
    }

    /// <summary>Splits a value into its schema id and row bytes.</summary>
    /// <exception cref="CorruptRecordException">The value is shorter than its schema id.</exception>
    public static (short SchemaId, ReadOnlyMemory<byte> Row) Decode(ReadOnlyMemory<byte> value)
    {
        var schemaId = ReadSchemaId(value.Span);
        return (schemaId, value[SchemaIdLength..]);
    }

    /// <summary>The schema id of a value.</summary>
    /// <exception cref="CorruptRecordException">The value is shorter than its schema id.</exception>
    public static short ReadSchemaId(ReadOnlySpan<byte> value)
    {
        if (value.Length < SchemaIdLength)
            throw new CorruptRecordException($"KV value is corrupt: it has {value.Length} bytes, fewer than its {SchemaIdLength}-byte schema id.");
        return BinaryPrimitives.ReadInt16LittleEndian(value);
    }

    /// <summary>The row bytes of a value.</summary>
    /// <exception cref="CorruptRecordException">The value is shorter than its schema id.</exception>
    public static ReadOnlySpan<byte> RowOf(ReadOnlySpan<byte> value)
    {
        ReadSchemaId(value);
        return value[SchemaIdLength..];
    }
}
