using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Arrays;
using DuckDB.NET.Data;
using Fluss.Types;
using AT = Apache.Arrow.Types;

namespace Fluss.DuckDB;

/// <summary>
/// Appends Fluss log batches (Arrow, Fluss's type mapping) to a DuckDB table through the Appender, column values read
/// straight from the Arrow buffers: no rows are materialized in .NET.
/// </summary>
internal static class TailAppender
{
    private const long UnixEpochTicks = 621_355_968_000_000_000L;
    private const int UnixEpochDayNumber = 719_162;

    /// <summary>
    /// Appends the rows of <paramref name="batch"/>: each row gets <paramref name="prefix"/>'s leading values
    /// (bucket, offset, change type, commit time), then the batch's columns in order.
    /// </summary>
    public static void Append(DuckDBAppender appender, RecordBatch batch, RowType rowType, int bucket, long baseOffset,
        Func<int, byte> changeTypeAt, DateTimeOffset commitTime)
    {
        var columns = new ColumnReader[batch.ColumnCount];
        for (var c = 0; c < columns.Length; c++) columns[c] = ColumnReader.For(batch.Column(c), rowType.GetTypeAt(c));
        for (var r = 0; r < batch.Length; r++)
        {
            var row = appender.CreateRow()
                .AppendValue((int?)bucket)
                .AppendValue((long?)(baseOffset + r))
                .AppendValue((sbyte?)changeTypeAt(r))
                .AppendValue((DateTimeOffset?)commitTime);
            foreach (var column in columns) column.Append(row, r);
            row.EndRow();
        }
    }

    /// <summary>Reads one Arrow column into appender rows.</summary>
    private abstract class ColumnReader
    {
        public abstract void Append(IDuckDBAppenderRow row, int index);

        public static ColumnReader For(IArrowArray array, DataType type) => array switch
        {
            BooleanArray a => new Reader<BooleanArray>(a, static (row, a, i) => row.AppendValue((bool?)a.GetValue(i))),
            Int8Array a => new Reader<Int8Array>(a, static (row, a, i) => row.AppendValue((sbyte?)a.Values[i])),
            Int16Array a => new Reader<Int16Array>(a, static (row, a, i) => row.AppendValue((short?)a.Values[i])),
            Int32Array a => new Reader<Int32Array>(a, static (row, a, i) => row.AppendValue((int?)a.Values[i])),
            Int64Array a => new Reader<Int64Array>(a, static (row, a, i) => row.AppendValue((long?)a.Values[i])),
            FloatArray a => new Reader<FloatArray>(a, static (row, a, i) => row.AppendValue((float?)a.Values[i])),
            DoubleArray a => new Reader<DoubleArray>(a, static (row, a, i) => row.AppendValue((double?)a.Values[i])),
            StringArray a => new Reader<StringArray>(a, static (row, a, i) => row.AppendValue(a.GetString(i))),
            BinaryArray a => new Reader<BinaryArray>(a, static (row, a, i) => row.AppendValue(Bytes(a.GetBytes(i)))),
            Decimal128Array a when DuckTypes.NeedsCastFromStorage(type) => new Reader<Decimal128Array>(a, static (row, a, i) => row.AppendValue(a.GetString(i))),
            Decimal128Array a => new Reader<Decimal128Array>(a, static (row, a, i) => row.AppendValue(a.GetValue(i))),
            FixedSizeBinaryArray a => new Reader<FixedSizeBinaryArray>(a, static (row, a, i) => row.AppendValue(Bytes(a.GetBytes(i)))),
            Date32Array a => new Reader<Date32Array>(a, static (row, a, i) => row.AppendValue((DateOnly?)DateOnly.FromDayNumber(UnixEpochDayNumber + a.Values[i]))),
            Time32Array a => new Reader<Time32Array>(a, TicksPerUnit(((AT.Time32Type)a.Data.DataType).Unit),
                static (row, a, factor, i) => row.AppendValue((TimeOnly?)new TimeOnly(a.Values[i] * factor))),
            Time64Array a => TimeOf64(a),
            TimestampArray a when type is LocalZonedTimestampType => new Reader<TimestampArray>(a, TicksPerUnit(((AT.TimestampType)a.Data.DataType).Unit),
                static (row, a, factor, i) => row.AppendValue((DateTimeOffset?)new DateTimeOffset(Ticks(a.Values[i], factor), TimeSpan.Zero))),
            TimestampArray a => new Reader<TimestampArray>(a, TicksPerUnit(((AT.TimestampType)a.Data.DataType).Unit),
                static (row, a, factor, i) => row.AppendValue((DateTime?)new DateTime(Ticks(a.Values[i], factor), DateTimeKind.Unspecified))),
            _ => throw new NotSupportedException($"Columns of type {type.ToSummaryString()} cannot be queried with SQL yet; only scalar types are supported."),
        };

        private static ColumnReader TimeOf64(Time64Array a)
        {
            var unit = ((AT.Time64Type)a.Data.DataType).Unit;
            return unit == AT.TimeUnit.Nanosecond
                ? new Reader<Time64Array>(a, static (row, a, i) => row.AppendValue((TimeOnly?)new TimeOnly(a.Values[i] / 100)))
                : new Reader<Time64Array>(a, TicksPerUnit(unit), static (row, a, factor, i) => row.AppendValue((TimeOnly?)new TimeOnly(a.Values[i] * factor)));
        }

        private static Span<byte> Bytes(ReadOnlySpan<byte> bytes) => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length);

        /// <summary>Ticks (100 ns) per unit; 0 marks nanoseconds, which divide instead.</summary>
        private static long TicksPerUnit(AT.TimeUnit unit) => unit switch
        {
            AT.TimeUnit.Second => TimeSpan.TicksPerSecond,
            AT.TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
            AT.TimeUnit.Microsecond => 10,
            _ => 0,
        };

        private static long Ticks(long value, long factor) =>
            UnixEpochTicks + (factor == 0 ? Math.DivRem(value, 100, out var r) - (r < 0 ? 1 : 0) : value * factor);
    }

    private sealed class Reader<TArray>(TArray array, Action<IDuckDBAppenderRow, TArray, int> append) : ColumnReader where TArray : IArrowArray
    {
        public override void Append(IDuckDBAppenderRow row, int index)
        {
            if (array.IsNull(index)) row.AppendNullValue();
            else append(row, array, index);
        }

        public Reader(TArray array, long factor, Action<IDuckDBAppenderRow, TArray, long, int> append)
            : this(array, (row, a, i) => append(row, a, factor, i))
        {
        }
    }
}
