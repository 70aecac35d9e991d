using System.Numerics;
using System.Runtime.InteropServices;
using Fluss.Rows;
using Fluss.Types;
using ParquetSharp;

namespace Fluss.Lake.Paimon.Data;

/// <summary>
/// Reads top-level scalar columns of a Parquet data file by name into boxed internal values, decoding each
/// physical layout Paimon (or another writer) may have used: INT32/INT64/FIXED/BINARY decimals, INT64 timestamps in
/// milli-, micro- or nanoseconds, INT96 timestamps.
/// </summary>
internal static class ParquetDataReader
{
    private const int BatchSize = 4096;

    /// <summary>
    /// The values of the named columns (null for a column the file does not have), each read as
    /// <paramref name="types"/> gives, and the row count.
    /// </summary>
    public static (object?[]?[] Columns, long Rows) Read(Stream input, IReadOnlyList<string> names, IReadOnlyList<DataType> types, string what)
    {
        using var reader = new ParquetFileReader(input, leaveOpen: true);
        var meta = reader.FileMetaData;
        var schema = meta.Schema;
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < schema.NumColumns; i++)
        {
            var descr = schema.Column(i);
            var path = descr.Path.ToDotVector();
            if (path.Length == 1) byName[path[0]] = i;
        }
        var rows = meta.NumRows;
        var result = new object?[]?[names.Count];
        for (var c = 0; c < names.Count; c++)
        {
            if (!byName.TryGetValue(names[c], out var index))
            {
                if (schema.GroupNode.FieldIndex(names[c]) >= 0)
                    throw new PaimonUnsupportedFeatureException("nested columns", $"{what}: column '{names[c]}' is nested (ARRAY, MAP or ROW), which this reader does not support; project the other columns.");
                continue;
            }
            result[c] = new object?[rows];
        }
        long offset = 0;
        for (var rg = 0; rg < meta.NumRowGroups; rg++)
        {
            using var group = reader.RowGroup(rg);
            var groupRows = group.MetaData.NumRows;
            for (var c = 0; c < names.Count; c++)
            {
                if (result[c] is null) continue;
                var index = byName[names[c]];
                using var column = group.Column(index);
                ReadColumn(column, schema.Column(index), types[c], result[c]!, offset, groupRows, what);
            }
            offset += groupRows;
        }
        return (result, rows);
    }

    private static void ReadColumn(ColumnReader column, ColumnDescriptor descr, DataType type, object?[] output, long offset, long rows, string what)
    {
        var defs = new short[BatchSize];
        var reps = new short[BatchSize];
        var maxDef = descr.MaxDefinitionLevel;
        var logical = descr.LogicalType;
        long done = 0;
        switch (column)
        {
            case ColumnReader<bool> r:
                Loop(r, v => v);
                break;
            case ColumnReader<int> r:
                Loop(r, v => FromInt32(v, type, logical, what));
                break;
            case ColumnReader<long> r:
                Loop(r, v => FromInt64(v, type, logical, what));
                break;
            case ColumnReader<float> r:
                Loop(r, v => type is DoubleType ? (object)(double)v : v);
                break;
            case ColumnReader<double> r:
                Loop(r, v => v);
                break;
            case ColumnReader<Int96> r:
                Loop(r, v =>
                {
                    var (millis, nanos) = ParquetTypes.FromInt96(v);
                    return Timestamp(millis, nanos, type, what);
                });
                break;
            case ColumnReader<ByteArray> r:
                Loop(r, v => FromBytes(Copy(v.Pointer, v.Length), type, what));
                break;
            case ColumnReader<FixedLenByteArray> r:
                {
                    var len = descr.TypeLength;
                    Loop(r, v => FromBytes(Copy(v.Pointer, len), type, what));
                    break;
                }
            default:
                throw new PaimonUnsupportedFeatureException("Parquet column type", $"{what}: column '{descr.Name}' has Parquet type {descr.PhysicalType}, which this reader does not support.");
        }

        void Loop<T>(ColumnReader<T> r, Func<T, object?> convert) where T : unmanaged
        {
            var values = new T[BatchSize];
            while (done < rows && r.HasNext)
            {
                var levels = r.ReadBatch(Math.Min(BatchSize, rows - done), defs, reps, values, out var valuesRead);
                if (levels == 0) break;
                var v = 0;
                for (var i = 0; i < levels; i++)
                {
                    output[offset + done + i] = maxDef > 0 && defs[i] < maxDef ? null : convert(values[v++]);
                }
                if (v != valuesRead) throw new PaimonException($"{what}: column '{descr.Name}' is repeated; only flat columns are supported.");
                done += levels;
            }
            if (done != rows) throw new PaimonException($"{what}: column '{descr.Name}' has {done} values but its row group has {rows} rows.");
        }
    }

    private static byte[] Copy(IntPtr pointer, int length)
    {
        var bytes = new byte[length];
        if (length > 0) Marshal.Copy(pointer, bytes, 0, length);
        return bytes;
    }

    private static object FromInt32(int v, DataType type, LogicalType logical, string what) => type switch
    {
        TinyIntType => (sbyte)v,
        SmallIntType => (short)v,
        IntType or DateType => v,
        TimeType => logical is TimeLogicalType { TimeUnit: TimeUnit.Micros } ? v / 1000 : v,
        BigIntType => (long)v,
        DecimalType d => FlussDecimal.FromUnscaledLong(v, d.Precision, d.Scale),
        FloatType => (float)v,
        DoubleType => (double)v,
        StringType or CharType => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw Mismatch(type, "INT32", what),
    };

    private static object FromInt64(long v, DataType type, LogicalType logical, string what)
    {
        switch (type)
        {
            case BigIntType: return v;
            case DecimalType d: return FlussDecimal.FromUnscaledLong(v, d.Precision, d.Scale);
            case TimeType: return (int)(logical is TimeLogicalType { TimeUnit: TimeUnit.Nanos } ? v / 1_000_000 : v / 1000);
            case TimestampType or LocalZonedTimestampType:
                {
                    var unit = logical is TimestampLogicalType t ? t.TimeUnit : Precision(type) <= 3 ? TimeUnit.Millis : TimeUnit.Micros;
                    var (millis, nanos) = unit switch
                    {
                        TimeUnit.Millis => (v, 0),
                        TimeUnit.Micros => (Math.DivRem(v, 1000, out var r1) - (r1 < 0 ? 1 : 0), (int)((r1 + 1000) % 1000) * 1000),
                        _ => (Math.DivRem(v, 1_000_000, out var r2) - (r2 < 0 ? 1 : 0), (int)((r2 + 1_000_000) % 1_000_000)),
                    };
                    return Timestamp(millis, nanos, type, what);
                }
            case DoubleType: return (double)v;
            case StringType or CharType: return v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            default: throw Mismatch(type, "INT64", what);
        }
    }

    private static int Precision(DataType type) => type switch
    {
        TimestampType t => t.Precision,
        LocalZonedTimestampType t => t.Precision,
        _ => 0,
    };

    private static object Timestamp(long millis, int nanos, DataType type, string what) => type switch
    {
        TimestampType => new TimestampNtz(millis, nanos),
        LocalZonedTimestampType => new TimestampLtz(millis, nanos),
        _ => throw Mismatch(type, "timestamp", what),
    };

    private static object FromBytes(byte[] bytes, DataType type, string what) => type switch
    {
        StringType or CharType => System.Text.Encoding.UTF8.GetString(bytes),
        BinaryType or BytesType => bytes,
        DecimalType d => FlussDecimal.FromUnscaled(new BigInteger(bytes, isUnsigned: false, isBigEndian: true), d.Precision, d.Scale),
        _ => throw Mismatch(type, "BINARY", what),
    };

    private static PaimonException Mismatch(DataType type, string physical, string what) =>
        new($"{what}: a {physical} Parquet column cannot hold values of the schema type {type}.");
}
