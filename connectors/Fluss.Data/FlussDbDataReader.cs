using System.Collections;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace Fluss.Data;

/// <summary>
/// The rows of a <see cref="FlussDbCommand"/>, with one CLR type per Fluss type: BOOLEAN bool, TINYINT sbyte,
/// SMALLINT short, INT int, BIGINT long, FLOAT float, DOUBLE double, CHAR/STRING string, BINARY/BYTES byte[],
/// DECIMAL decimal, DATE DateOnly, TIME TimeOnly, TIMESTAMP DateTime (<see cref="DateTimeKind.Unspecified"/>) and
/// TIMESTAMP_LTZ DateTimeOffset (UTC). Results DuckDB computes keep DuckDB's types, except HUGEINT (e.g. the sum of
/// BIGINTs), which is a decimal. <see cref="GetDataTypeName"/> names the Fluss type (STRING, TIMESTAMP_LTZ, ...).
/// </summary>
public sealed class FlussDbDataReader : DbDataReader
{
    private readonly DuckDBDataReader _inner;
    private readonly DuckDBCommand _command;
    private readonly FlussDbConnection? _closeWith;
    private Column[] _columns;
    private bool _closed;

    private enum Mapping
    {
        Same,
        Utc,
        Bytes,
        Huge,
    }

    private readonly record struct Column(string FlussTypeName, Type FieldType, Mapping Mapping);

    internal FlussDbDataReader(DuckDBDataReader inner, DuckDBCommand command, FlussDbConnection? closeWith)
    {
        _inner = inner;
        _command = command;
        _closeWith = closeWith;
        _columns = Describe(inner);
    }

    public override int FieldCount => _inner.FieldCount;

    public override int RecordsAffected => _inner.RecordsAffected;

    public override bool HasRows => _inner.HasRows;

    public override bool IsClosed => _closed;

    public override int Depth => 0;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read() => _inner.Read();

    public override bool NextResult()
    {
        if (!_inner.NextResult()) return false;
        _columns = Describe(_inner);
        return true;
    }

    public override string GetName(int ordinal) => _inner.GetName(ordinal);

    public override int GetOrdinal(string name) => _inner.GetOrdinal(name);

    /// <summary>The Fluss name of the column's type: BOOLEAN, INT, BIGINT, STRING, BYTES, DECIMAL, TIMESTAMP, TIMESTAMP_LTZ, ...</summary>
    public override string GetDataTypeName(int ordinal) => _columns[ordinal].FlussTypeName;

    public override Type GetFieldType(int ordinal) => _columns[ordinal].FieldType;

    public override bool IsDBNull(int ordinal) => _inner.IsDBNull(ordinal);

    public override object GetValue(int ordinal)
    {
        if (_inner.IsDBNull(ordinal)) return DBNull.Value;
        return _columns[ordinal].Mapping switch
        {
            Mapping.Utc => ToUtc(_inner.GetValue(ordinal)),
            Mapping.Bytes => ReadBytes(ordinal),
            Mapping.Huge => ToDecimal(_inner.GetValue(ordinal)),
            _ => _inner.GetValue(ordinal),
        };
    }

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < n; i++) values[i] = GetValue(i);
        return n;
    }

    public override T GetFieldValue<T>(int ordinal)
    {
        var value = GetValue(ordinal);
        if (value is T t) return t;
        if (value is DBNull)
        {
            if (default(T) is null) return default!;
            throw new InvalidCastException($"Column {GetName(ordinal)} is NULL in this row; read it as a nullable type or check IsDBNull first.");
        }
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    public override bool GetBoolean(int ordinal) => GetFieldValue<bool>(ordinal);

    public override byte GetByte(int ordinal) => GetFieldValue<byte>(ordinal);

    public override char GetChar(int ordinal) => GetFieldValue<string>(ordinal) is { Length: 1 } s ? s[0] : throw new InvalidCastException($"Column {GetName(ordinal)} is not a single character.");

    public override DateTime GetDateTime(int ordinal) => GetValue(ordinal) switch
    {
        DateTime dt => dt,
        DateTimeOffset dto => dto.UtcDateTime,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        var v => (DateTime)Convert.ChangeType(v, typeof(DateTime), CultureInfo.InvariantCulture),
    };

    public override decimal GetDecimal(int ordinal) => GetFieldValue<decimal>(ordinal);

    public override double GetDouble(int ordinal) => GetFieldValue<double>(ordinal);

    public override float GetFloat(int ordinal) => GetFieldValue<float>(ordinal);

    public override Guid GetGuid(int ordinal) => GetFieldValue<Guid>(ordinal);

    public override short GetInt16(int ordinal) => GetFieldValue<short>(ordinal);

    public override int GetInt32(int ordinal) => GetFieldValue<int>(ordinal);

    public override long GetInt64(int ordinal) => GetFieldValue<long>(ordinal);

    public override string GetString(int ordinal) => GetValue(ordinal) is string s ? s : Convert.ToString(GetValue(ordinal), CultureInfo.InvariantCulture)!;

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var bytes = GetFieldValue<byte[]>(ordinal);
        if (buffer is null) return bytes.Length;
        var n = (int)Math.Max(0, Math.Min(length, bytes.Length - dataOffset));
        Array.Copy(bytes, dataOffset, buffer, bufferOffset, n);
        return n;
    }

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var text = GetString(ordinal);
        if (buffer is null) return text.Length;
        var n = (int)Math.Max(0, Math.Min(length, text.Length - dataOffset));
        text.CopyTo((int)dataOffset, buffer, bufferOffset, n);
        return n;
    }

    public override Stream GetStream(int ordinal) => new MemoryStream(GetFieldValue<byte[]>(ordinal), writable: false);

    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    public override DataTable GetSchemaTable()
    {
        var table = new DataTable("SchemaTable");
        table.Columns.Add(SchemaTableColumn.ColumnName, typeof(string));
        table.Columns.Add(SchemaTableColumn.ColumnOrdinal, typeof(int));
        table.Columns.Add(SchemaTableColumn.ColumnSize, typeof(int));
        table.Columns.Add(SchemaTableColumn.DataType, typeof(Type));
        table.Columns.Add("DataTypeName", typeof(string));
        table.Columns.Add(SchemaTableColumn.AllowDBNull, typeof(bool));
        for (var i = 0; i < FieldCount; i++) table.Rows.Add(GetName(i), i, -1, GetFieldType(i), GetDataTypeName(i), true);
        return table;
    }

    public override void Close()
    {
        if (_closed) return;
        _closed = true;
        _inner.Dispose();
        _command.Dispose();
        _closeWith?.Close();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    private byte[] ReadBytes(int ordinal)
    {
        using var stream = _inner.GetStream(ordinal);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static DateTimeOffset ToUtc(object value) => value switch
    {
        DateTimeOffset dto => dto.ToUniversalTime(),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"Expected a timestamp with time zone, got {value.GetType().Name}."),
    };

    private static decimal ToDecimal(object value) => value switch
    {
        BigInteger b => (decimal)b,
        var v => Convert.ToDecimal(v, CultureInfo.InvariantCulture),
    };

    private static Column[] Describe(DuckDBDataReader reader)
    {
        var columns = new Column[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            var duck = reader.GetDataTypeName(i);
            var type = reader.GetFieldType(i);
            columns[i] = duck switch
            {
                "Boolean" => new Column("BOOLEAN", type, Mapping.Same),
                "TinyInt" => new Column("TINYINT", type, Mapping.Same),
                "SmallInt" => new Column("SMALLINT", type, Mapping.Same),
                "Integer" => new Column("INT", type, Mapping.Same),
                "BigInt" => new Column("BIGINT", type, Mapping.Same),
                "Float" => new Column("FLOAT", type, Mapping.Same),
                "Double" => new Column("DOUBLE", type, Mapping.Same),
                "Varchar" => new Column("STRING", typeof(string), Mapping.Same),
                "Blob" => new Column("BYTES", typeof(byte[]), Mapping.Bytes),
                "Decimal" => new Column("DECIMAL", typeof(decimal), Mapping.Same),
                "Date" => new Column("DATE", type, Mapping.Same),
                "Time" => new Column("TIME", type, Mapping.Same),
                "Timestamp" or "TimestampS" or "TimestampMs" or "TimestampNs" => new Column("TIMESTAMP", typeof(DateTime), Mapping.Same),
                "TimestampTz" => new Column("TIMESTAMP_LTZ", typeof(DateTimeOffset), Mapping.Utc),
                "HugeInt" or "UnsignedHugeInt" => new Column("DECIMAL", typeof(decimal), Mapping.Huge),
                _ => new Column(duck.ToUpperInvariant(), type, Mapping.Same),
            };
        }
        return columns;
    }
}
