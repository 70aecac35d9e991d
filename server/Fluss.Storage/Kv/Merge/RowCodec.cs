using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Types;

namespace Fluss.Storage.Kv.Merge;

/// <summary>
/// Reads KV values of one row type and writes new ones: two reusable readers (the stored and the written row)
/// and one writer, plus typed field copies that move text and bytes without allocating. Not thread-safe.
/// </summary>
internal sealed class RowCodec : IDisposable
{
    private readonly CompactedRowWriter _writer;

    public RowCodec(RowType rowType)
    {
        RowType = rowType;
        Types = [.. rowType.Fields.Select(f => f.Type)];
        OldRow = new CompactedRow(rowType);
        NewRow = new CompactedRow(rowType);
        _writer = new CompactedRowWriter(rowType.FieldCount);
    }

    public RowType RowType { get; }

    public DataType[] Types { get; }

    public int FieldCount => Types.Length;

    /// <summary>The reader of the stored row.</summary>
    public CompactedRow OldRow { get; }

    /// <summary>The reader of the written row.</summary>
    public CompactedRow NewRow { get; }

    public CompactedRowWriter Writer => _writer;

    /// <summary>Points <see cref="OldRow"/> at the row of a stored value.</summary>
    public CompactedRow ReadOld(byte[] value)
    {
        OldRow.PointTo(value.AsMemory(ValueEncoder.SchemaIdLength));
        return OldRow;
    }

    /// <summary>Points <see cref="NewRow"/> at the row of a written value.</summary>
    public CompactedRow ReadNew(byte[] value)
    {
        NewRow.PointTo(value.AsMemory(ValueEncoder.SchemaIdLength));
        return NewRow;
    }

    /// <summary>Starts a new row in the writer.</summary>
    public void Begin() => _writer.Reset();

    /// <summary>The value of the row written since <see cref="Begin"/>.</summary>
    public byte[] Finish(short schemaId) => ValueEncoder.Encode(schemaId, _writer.WrittenSpan);

    /// <summary>Writes field <paramref name="pos"/> of <paramref name="source"/> (null included) as field <paramref name="pos"/>.</summary>
    public void Copy(IRow source, int pos)
    {
        if (source.IsNullAt(pos))
        {
            _writer.SetNullAt(pos);
            return;
        }
        WriteValue(source, pos, Types[pos], _writer);
    }

    /// <summary>Writes field <paramref name="pos"/> as null.</summary>
    public void WriteNull(int pos) => _writer.SetNullAt(pos);

    /// <summary>
    /// The delete of a partial update: null when every column outside <paramref name="target"/> is null in the stored
    /// value (the whole row goes), else the stored row with the target columns that are not primary-key columns set to null.
    /// </summary>
    public byte[]? DeleteTargetColumns(byte[] oldValue, bool[] target, bool[] primaryKey, short schemaId)
    {
        var stored = ReadOld(oldValue);
        var othersNull = true;
        for (var i = 0; i < target.Length && othersNull; i++)
            if (!target[i] && !stored.IsNullAt(i)) othersNull = false;
        if (othersNull) return null;
        Begin();
        for (var i = 0; i < target.Length; i++)
        {
            if (target[i] && !primaryKey[i]) WriteNull(i);
            else Copy(stored, i);
        }
        return Finish(schemaId);
    }

    /// <summary>Writes the non-null field <paramref name="pos"/> of <paramref name="source"/> with its type's encoding.</summary>
    public static void WriteValue(IRow source, int pos, DataType type, CompactedRowWriter writer)
    {
        switch (type)
        {
            case BooleanType: writer.WriteBoolean(source.GetBoolean(pos)); break;
            case TinyIntType: writer.WriteByte(source.GetByte(pos)); break;
            case SmallIntType: writer.WriteShort(source.GetShort(pos)); break;
            case IntType or DateType or TimeType: writer.WriteInt(source.GetInt(pos)); break;
            case BigIntType: writer.WriteLong(source.GetLong(pos)); break;
            case FloatType: writer.WriteFloat(source.GetFloat(pos)); break;
            case DoubleType: writer.WriteDouble(source.GetDouble(pos)); break;
            case CharType or StringType:
                if (source is CompactedRow text) writer.WriteStringUtf8(text.GetStringUtf8(pos));
                else writer.WriteString(source.GetString(pos));
                break;
            case BinaryType or BytesType:
                if (source is CompactedRow raw) writer.WriteBytes(raw.GetBinarySpan(pos));
                else writer.WriteBytes(source.GetBinary(pos));
                break;
            case DecimalType d: writer.WriteDecimal(source.GetDecimal(pos, d.Precision, d.Scale), d.Precision); break;
            case TimestampType t: writer.WriteTimestampNtz(source.GetTimestampNtz(pos, t.Precision), t.Precision); break;
            case LocalZonedTimestampType t: writer.WriteTimestampLtz(source.GetTimestampLtz(pos, t.Precision), t.Precision); break;
            default:
                throw new NotSupportedException($"Column {pos} has type {type}, which primary-key tables cannot store yet (nested types have no row encoding in this version).");
        }
    }

    public void Dispose() => _writer.Dispose();
}
