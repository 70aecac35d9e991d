using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Apache.Arrow;
using Fluss.Errors;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Arrow;

/// <summary>
/// Row-wise access to an Arrow record batch with Fluss's internal values: TIME as milliseconds of the day and
/// TIMESTAMP / TIMESTAMP_LTZ as milliseconds plus nanoseconds, converted from whatever unit the column has, DECIMAL
/// exactly from Decimal128 (any precision), CHAR/STRING as strings and BINARY/BYTES as byte arrays. Reading
/// allocates only the strings and byte arrays it returns. Columns are matched by position with the row type.
/// </summary>
public sealed class ArrowRowReader
{
    private static readonly long[] LongPowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000];

    private static readonly BigInteger[] BigPowersOfTen = Enumerable.Range(0, DecimalType.MaxPrecision + 1).Select(i => BigInteger.Pow(10, i)).ToArray();

    private readonly Column[] _columns;

    /// <exception cref="ArgumentException">The batch's columns do not match the row type.</exception>
    public ArrowRowReader(RecordBatch batch, RowType rowType)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rowType);
        if (batch.ColumnCount != rowType.FieldCount)
            throw new ArgumentException($"The batch has {batch.ColumnCount} columns but the row type {rowType} has {rowType.FieldCount}.", nameof(batch));
        Batch = batch;
        RowType = rowType;
        RowCount = batch.Length;
        _columns = new Column[rowType.FieldCount];
        for (var i = 0; i < _columns.Length; i++)
            _columns[i] = new Column(batch.Column(i).Data, rowType.Fields[i], batch.Length);
    }

    public RecordBatch Batch { get; }

    public RowType RowType { get; }

    public int RowCount { get; }

    /// <summary>A lightweight view of row <paramref name="rowId"/> (no allocation).</summary>
    public ArrowRow GetRow(int rowId)
    {
        if ((uint)rowId >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(rowId), rowId, $"The batch has {RowCount} rows.");
        return new ArrowRow(this, rowId);
    }

    public bool IsNullAt(int rowId, int pos) => _columns[pos].IsNull(rowId);

    public bool GetBoolean(int rowId, int pos)
    {
        var c = Expect(pos, ColumnKind.Boolean);
        return Bitmaps.Get(c.Values.Span, c.Offset + rowId);
    }

    public sbyte GetByte(int rowId, int pos)
    {
        var c = Expect(pos, ColumnKind.Int8);
        return (sbyte)c.Values.Span[c.Offset + rowId];
    }

    public short GetShort(int rowId, int pos)
    {
        var c = Expect(pos, ColumnKind.Int16);
        return BinaryPrimitives.ReadInt16LittleEndian(c.Values.Span[((c.Offset + rowId) * 2)..]);
    }

    /// <summary>INT, DATE (epoch days) or TIME (milliseconds of the day, converted from the column's unit).</summary>
    public int GetInt(int rowId, int pos)
    {
        var c = _columns[pos];
        var i = c.Offset + rowId;
        var values = c.Values.Span;
        return c.Kind switch
        {
            ColumnKind.Int32 or ColumnKind.Date32 or ColumnKind.Time32Milli => BinaryPrimitives.ReadInt32LittleEndian(values[(i * 4)..]),
            ColumnKind.Time32Second => BinaryPrimitives.ReadInt32LittleEndian(values[(i * 4)..]) * 1000,
            ColumnKind.Time64Micro => (int)(BinaryPrimitives.ReadInt64LittleEndian(values[(i * 8)..]) / 1000),
            ColumnKind.Time64Nano => (int)(BinaryPrimitives.ReadInt64LittleEndian(values[(i * 8)..]) / 1_000_000),
            _ => throw WrongGetter(pos, "GetInt"),
        };
    }

    public long GetLong(int rowId, int pos)
    {
        var c = Expect(pos, ColumnKind.Int64);
        return BinaryPrimitives.ReadInt64LittleEndian(c.Values.Span[((c.Offset + rowId) * 8)..]);
    }

    public float GetFloat(int rowId, int pos)
    {
        var c = Expect(pos, ColumnKind.Float32);
        return BinaryPrimitives.ReadSingleLittleEndian(c.Values.Span[((c.Offset + rowId) * 4)..]);
    }

    public double GetDouble(int rowId, int pos)
    {
        var c = Expect(pos, ColumnKind.Float64);
        return BinaryPrimitives.ReadDoubleLittleEndian(c.Values.Span[((c.Offset + rowId) * 8)..]);
    }

    public string GetString(int rowId, int pos)
    {
        var c = _columns[pos];
        if (c.Kind is not (ColumnKind.Utf8 or ColumnKind.Binary)) throw WrongGetter(pos, "GetString");
        return Encoding.UTF8.GetString(c.VariableBytes(rowId));
    }

    /// <summary>The bytes of a BINARY(n) or BYTES value (a new array).</summary>
    public byte[] GetBinary(int rowId, int pos)
    {
        var c = _columns[pos];
        return c.Kind switch
        {
            ColumnKind.Binary or ColumnKind.Utf8 => c.VariableBytes(rowId).ToArray(),
            ColumnKind.FixedSizeBinary => c.Values.Span.Slice((c.Offset + rowId) * c.ByteWidth, c.ByteWidth).ToArray(),
            _ => throw WrongGetter(pos, "GetBinary"),
        };
    }

    /// <summary>
    /// The DECIMAL value, rescaled (half up) if the requested scale differs from the column's; values of precision
    /// &gt; 18 are read exactly as 128-bit integers.
    /// </summary>
    /// <exception cref="CorruptRecordException">The stored value has more digits than <paramref name="precision"/>.</exception>
    public FlussDecimal GetDecimal(int rowId, int pos, int precision, int scale)
    {
        var c = Expect(pos, ColumnKind.Decimal128);
        var bytes = c.Values.Span.Slice((c.Offset + rowId) * 16, 16);
        var low = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var high = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        var fitsLong = high == (low >> 63);
        if (fitsLong && c.Scale == scale && precision <= DecimalType.MaxCompactPrecision)
        {
            if (low >= LongPowersOfTen[precision] || low <= -LongPowersOfTen[precision]) throw TooWide(c, rowId, precision);
            return FlussDecimal.FromUnscaledLong(low, precision, scale);
        }
        var unscaled = fitsLong ? new BigInteger(low) : new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        if (c.Scale != scale) unscaled = Rescale(unscaled, c.Scale, scale);
        if ((uint)precision > DecimalType.MaxPrecision || BigInteger.Abs(unscaled) >= BigPowersOfTen[precision]) throw TooWide(c, rowId, precision);
        return FlussDecimal.FromUnscaled(unscaled, precision, scale);
    }

    private static CorruptRecordException TooWide(Column c, int rowId, int precision) =>
        new($"The DECIMAL value of column '{c.Name}' at row {rowId} has more than {precision} digits.");

    public TimestampNtz GetTimestampNtz(int rowId, int pos)
    {
        var (millis, nanos) = ReadTimestamp(rowId, pos, "GetTimestampNtz");
        return new TimestampNtz(millis, nanos);
    }

    public TimestampLtz GetTimestampLtz(int rowId, int pos)
    {
        var (millis, nanos) = ReadTimestamp(rowId, pos, "GetTimestampLtz");
        return new TimestampLtz(millis, nanos);
    }

    private (long Millis, int Nanos) ReadTimestamp(int rowId, int pos, string getter)
    {
        var c = _columns[pos];
        var v = c.Kind is ColumnKind.TimestampSecond or ColumnKind.TimestampMilli or ColumnKind.TimestampMicro or ColumnKind.TimestampNano
            ? BinaryPrimitives.ReadInt64LittleEndian(c.Values.Span[((c.Offset + rowId) * 8)..])
            : throw WrongGetter(pos, getter);
        switch (c.Kind)
        {
            case ColumnKind.TimestampSecond:
                return (v * 1000, 0);
            case ColumnKind.TimestampMilli:
                return (v, 0);
            case ColumnKind.TimestampMicro:
                {
                    var ms = Math.DivRem(v, 1000, out var rem);
                    if (rem < 0) { ms--; rem += 1000; }
                    return (ms, (int)rem * 1000);
                }
            default:
                {
                    var ms = Math.DivRem(v, 1_000_000, out var rem);
                    if (rem < 0) { ms--; rem += 1_000_000; }
                    return (ms, (int)rem);
                }
        }
    }

    private static BigInteger Rescale(BigInteger unscaled, int from, int to) =>
        to > from
            ? unscaled * BigInteger.Pow(10, to - from)
            : BigInteger.Divide(unscaled + (unscaled.Sign * (BigInteger.Pow(10, from - to) / 2)), BigInteger.Pow(10, from - to));

    private Column Expect(int pos, ColumnKind kind)
    {
        var c = _columns[pos];
        return c.Kind == kind ? c : throw new InvalidCastException($"Column {pos} ('{c.Name}') is {c.FlussType}; it cannot be read as {kind}.");
    }

    private InvalidCastException WrongGetter(int pos, string getter) =>
        new($"Column {pos} ('{_columns[pos].Name}') is {_columns[pos].FlussType}; {getter} cannot read it.");

    private sealed class Column
    {
        public Column(ArrayData data, DataField field, int rows)
        {
            Name = field.Name;
            FlussType = field.Type;
            if (!ColumnKinds.TryGet(data.DataType, out var kind, out var width))
                throw new ArgumentException($"Column '{field.Name}' has the Arrow type {data.DataType.Name}, which the row reader does not support.");
            if (!Compatible(field.Type, kind))
                throw new ArgumentException($"Column '{field.Name}' is {field.Type} in the row type but the Arrow column is {data.DataType.Name}.");
            if (data.Length < rows)
                throw new ArgumentException($"Column '{field.Name}' has {data.Length} values but the batch has {rows} rows.");
            Kind = kind;
            ByteWidth = width;
            Offset = data.Offset;
            NullCount = data.GetNullCount();
            Validity = data.Buffers.Length > 0 ? data.Buffers[0].Memory : default;
            Values = data.Buffers.Length > 1 ? data.Buffers[1].Memory : default;
            Data = data.Buffers.Length > 2 ? data.Buffers[2].Memory : default;
            Scale = data.DataType is Apache.Arrow.Types.Decimal128Type d ? d.Scale : 0;
        }

        public string Name { get; }
        public DataType FlussType { get; }
        public ColumnKind Kind { get; }
        public int ByteWidth { get; }
        public int Offset { get; }
        public int NullCount { get; }
        public int Scale { get; }
        public ReadOnlyMemory<byte> Validity { get; }
        public ReadOnlyMemory<byte> Values { get; }
        public ReadOnlyMemory<byte> Data { get; }

        public bool IsNull(int rowId) => NullCount != 0 && !Validity.IsEmpty && !Bitmaps.Get(Validity.Span, Offset + rowId);

        public ReadOnlySpan<byte> VariableBytes(int rowId)
        {
            var offsets = Values.Span;
            var i = Offset + rowId;
            var start = BinaryPrimitives.ReadInt32LittleEndian(offsets[(i * 4)..]);
            var end = BinaryPrimitives.ReadInt32LittleEndian(offsets[((i + 1) * 4)..]);
            return Data.Span[start..end];
        }

        private static bool Compatible(DataType type, ColumnKind kind) => type switch
        {
            BooleanType => kind == ColumnKind.Boolean,
            TinyIntType => kind == ColumnKind.Int8,
            SmallIntType => kind == ColumnKind.Int16,
            IntType => kind == ColumnKind.Int32,
            BigIntType => kind == ColumnKind.Int64,
            FloatType => kind == ColumnKind.Float32,
            DoubleType => kind == ColumnKind.Float64,
            CharType or StringType => kind == ColumnKind.Utf8,
            BinaryType => kind == ColumnKind.FixedSizeBinary,
            BytesType => kind is ColumnKind.Binary or ColumnKind.FixedSizeBinary,
            DecimalType => kind == ColumnKind.Decimal128,
            DateType => kind == ColumnKind.Date32,
            TimeType => kind is ColumnKind.Time32Second or ColumnKind.Time32Milli or ColumnKind.Time64Micro or ColumnKind.Time64Nano,
            TimestampType or LocalZonedTimestampType => kind is ColumnKind.TimestampSecond or ColumnKind.TimestampMilli or ColumnKind.TimestampMicro or ColumnKind.TimestampNano,
            _ => false,
        };
    }
}

/// <summary>Row <see cref="RowId"/> of an <see cref="ArrowRowReader"/>, readable as an <see cref="IRow"/>.</summary>
public readonly struct ArrowRow : IRow
{
    private readonly ArrowRowReader _reader;

    internal ArrowRow(ArrowRowReader reader, int rowId)
    {
        _reader = reader;
        RowId = rowId;
    }

    public int RowId { get; }

    public int FieldCount => _reader.RowType.FieldCount;

    public bool IsNullAt(int pos) => _reader.IsNullAt(RowId, pos);

    public bool GetBoolean(int pos) => _reader.GetBoolean(RowId, pos);

    public sbyte GetByte(int pos) => _reader.GetByte(RowId, pos);

    public short GetShort(int pos) => _reader.GetShort(RowId, pos);

    public int GetInt(int pos) => _reader.GetInt(RowId, pos);

    public long GetLong(int pos) => _reader.GetLong(RowId, pos);

    public float GetFloat(int pos) => _reader.GetFloat(RowId, pos);

    public double GetDouble(int pos) => _reader.GetDouble(RowId, pos);

    public string GetString(int pos) => _reader.GetString(RowId, pos);

    public byte[] GetBinary(int pos) => _reader.GetBinary(RowId, pos);

    public FlussDecimal GetDecimal(int pos, int precision, int scale) => _reader.GetDecimal(RowId, pos, precision, scale);

    public TimestampNtz GetTimestampNtz(int pos, int precision) => _reader.GetTimestampNtz(RowId, pos);

    public TimestampLtz GetTimestampLtz(int pos, int precision) => _reader.GetTimestampLtz(RowId, pos);
}
