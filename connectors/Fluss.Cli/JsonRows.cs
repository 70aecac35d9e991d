using System.Globalization;
using System.Text.Json;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Cli;

/// <summary>
/// Rows as JSON objects, the CLI's exchange format: numbers for numeric types, strings for DECIMAL (exact),
/// DATE (<c>2026-11-28</c>), TIME and TIMESTAMP (ISO 8601), base64 for BINARY/BYTES, null for null.
/// </summary>
internal static class JsonRows
{
    /// <summary>Writer options for output meant for people and scripts: no escaping of '+', '&lt;' or non-ASCII text.</summary>
    public static readonly JsonWriterOptions OutputOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads one JSON object into a row of the given type. Throws <see cref="FormatException"/> naming the column
    /// for an unknown column, a missing NOT NULL column, or a value of the wrong type.
    /// </summary>
    public static GenericRow Parse(JsonElement obj, RowType type, ISet<string>? ignoredKeys = null, IReadOnlyCollection<string>? targetColumns = null)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new FormatException($"expected a JSON object with the columns {string.Join(", ", type.FieldNames)}, got {obj.ValueKind.ToString().ToLowerInvariant()}");
        var row = new GenericRow(type.FieldCount);
        var seen = new bool[type.FieldCount];
        foreach (var prop in obj.EnumerateObject())
        {
            if (ignoredKeys is not null && ignoredKeys.Contains(prop.Name)) continue;
            var i = type.IndexOf(prop.Name);
            if (i < 0)
                throw new FormatException($"unknown column '{prop.Name}'; the table has {string.Join(", ", type.FieldNames)}");
            seen[i] = true;
            row[i] = ParseValue(prop.Value, type.GetTypeAt(i), prop.Name);
        }
        for (var i = 0; i < type.FieldCount; i++)
        {
            var field = type.Fields[i];
            if (!field.Type.IsNullable && row[i] is null && (targetColumns is null || targetColumns.Contains(field.Name)))
                throw new FormatException(seen[i]
                    ? $"column '{field.Name}' is {field.Type} and cannot be null"
                    : $"missing value for column '{field.Name}' ({field.Type})");
        }
        return row;
    }

    public static object? ParseValue(JsonElement value, DataType type, string column)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        try
        {
            return type switch
            {
                BooleanType => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Wrong(value, type, column),
                TinyIntType => checked((sbyte)Integer(value, type, column)),
                SmallIntType => checked((short)Integer(value, type, column)),
                IntType => checked((int)Integer(value, type, column)),
                BigIntType => Integer(value, type, column),
                FloatType => value.ValueKind == JsonValueKind.Number ? value.GetSingle() : throw Wrong(value, type, column),
                DoubleType => value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Wrong(value, type, column),
                StringType => Text(value, type, column),
                CharType c => Text(value, type, column) is var s && s.Length <= c.Length ? s : throw new FormatException($"column '{column}' is {type}; the value is longer than {c.Length} characters"),
                BytesType => Convert.FromBase64String(Text(value, type, column)),
                BinaryType b => Convert.FromBase64String(Text(value, type, column)) is var bytes && bytes.Length == b.Length
                    ? bytes : throw new FormatException($"column '{column}' is {type}; the base64 value must decode to exactly {b.Length} bytes"),
                DecimalType d => FlussDecimal.Parse(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Text(value, type, column), d.Precision, d.Scale),
                DateType => TimeText.ToEpochDays(DateOnly.ParseExact(Text(value, type, column), "yyyy-MM-dd", CultureInfo.InvariantCulture)),
                TimeType => TimeText.ToMillisOfDay(TimeOnly.Parse(Text(value, type, column), CultureInfo.InvariantCulture)),
                TimestampType t => Truncate(TimestampNtz.FromDateTime(DateTime.Parse(Text(value, type, column), CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)), t.Precision),
                LocalZonedTimestampType t => TruncateLtz(TimestampLtz.FromDateTimeOffset(
                    DateTimeOffset.Parse(Text(value, type, column), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)), t.Precision),
                _ => throw new FormatException($"column '{column}' is {type}; writing nested types from JSON is not supported yet"),
            };
        }
        catch (Exception e) when (e is OverflowException or InvalidOperationException)
        {
            throw new FormatException($"column '{column}' is {type}; {value.GetRawText()} does not fit: {e.Message}", e);
        }
        catch (FormatException e) when (!e.Message.StartsWith("column '", StringComparison.Ordinal))
        {
            throw new FormatException($"column '{column}' is {type}; {value.GetRawText()} is not a valid value: {e.Message}", e);
        }
    }

    /// <summary>One row as one JSON object (a line of output), with optional extra properties after the columns.</summary>
    public static string ToJsonLine(IRow row, RowType type, Action<Utf8JsonWriter>? extra = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, OutputOptions))
        {
            w.WriteStartObject();
            WriteFields(w, row, type);
            extra?.Invoke(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes the given fields of a row as JSON properties.</summary>
    public static void WriteFields(Utf8JsonWriter w, IRow row, RowType type)
    {
        for (var i = 0; i < type.FieldCount; i++)
        {
            var field = type.Fields[i];
            w.WritePropertyName(field.Name);
            WriteValue(w, row, i, field.Type);
        }
    }

    public static void WriteValue(Utf8JsonWriter w, IRow row, int pos, DataType type)
    {
        if (row.IsNullAt(pos)) { w.WriteNullValue(); return; }
        switch (type)
        {
            case BooleanType: w.WriteBooleanValue(row.GetBoolean(pos)); break;
            case TinyIntType: w.WriteNumberValue(row.GetByte(pos)); break;
            case SmallIntType: w.WriteNumberValue(row.GetShort(pos)); break;
            case IntType: w.WriteNumberValue(row.GetInt(pos)); break;
            case BigIntType: w.WriteNumberValue(row.GetLong(pos)); break;
            case FloatType: WriteFloating(w, row.GetFloat(pos)); break;
            case DoubleType: WriteFloating(w, row.GetDouble(pos)); break;
            case StringType or CharType: w.WriteStringValue(row.GetString(pos)); break;
            case BinaryType or BytesType: w.WriteBase64StringValue(row.GetBinary(pos)); break;
            case DecimalType d: w.WriteStringValue(row.GetDecimal(pos, d.Precision, d.Scale).ToString()); break;
            case DateType: w.WriteStringValue(TimeText.FromEpochDays(row.GetInt(pos)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case TimeType t: w.WriteStringValue(TimeText.FormatTime(row.GetInt(pos), t.Precision)); break;
            case TimestampType t:
                {
                    var ts = row.GetTimestampNtz(pos, t.Precision);
                    w.WriteStringValue(TimeText.FormatTimestamp(ts.Millisecond, ts.NanoOfMillisecond, t.Precision));
                    break;
                }
            case LocalZonedTimestampType t:
                {
                    var ts = row.GetTimestampLtz(pos, t.Precision);
                    w.WriteStringValue(TimeText.FormatTimestamp(ts.EpochMillisecond, ts.NanoOfMillisecond, t.Precision) + "Z");
                    break;
                }
            default: w.WriteStringValue($"<{type.ToSummaryString()}>"); break;
        }
    }

    /// <summary>A value as display text (tables on a terminal).</summary>
    public static string Display(IRow row, int pos, DataType type)
    {
        if (row.IsNullAt(pos)) return "null";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, OutputOptions)) WriteValue(w, row, pos, type);
        var text = System.Text.Encoding.UTF8.GetString(ms.ToArray());
        return text.StartsWith('"') ? JsonSerializer.Deserialize<string>(text)! : text;
    }

    private static void WriteFloating(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
    }

    private static long Integer(JsonElement value, DataType type, string column) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) ? l : throw Wrong(value, type, column);

    private static string Text(JsonElement value, DataType type, string column) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(value, type, column);

    private static FormatException Wrong(JsonElement value, DataType type, string column)
    {
        var expected = type switch
        {
            BooleanType => "true or false",
            TinyIntType or SmallIntType or IntType or BigIntType => "an integer",
            FloatType or DoubleType => "a number",
            BinaryType or BytesType => "a base64 string",
            DecimalType => "a decimal string such as \"12.34\"",
            DateType => "a date string such as \"2026-11-28\"",
            TimeType => "a time string such as \"13:45:00.123\"",
            TimestampType or LocalZonedTimestampType => "an ISO 8601 timestamp string",
            _ => "a string",
        };
        return new FormatException($"column '{column}' is {type}; expected {expected}, got {value.GetRawText()}");
    }

    private static TimestampNtz Truncate(TimestampNtz ts, int precision)
    {
        var (ms, nanos) = TruncateParts(ts.Millisecond, ts.NanoOfMillisecond, precision);
        return new TimestampNtz(ms, nanos);
    }

    private static TimestampLtz TruncateLtz(TimestampLtz ts, int precision)
    {
        var (ms, nanos) = TruncateParts(ts.EpochMillisecond, ts.NanoOfMillisecond, precision);
        return new TimestampLtz(ms, nanos);
    }

    private static (long Millis, int Nanos) TruncateParts(long millis, int nanos, int precision)
    {
        if (precision >= 9) return (millis, nanos);
        if (precision >= 3)
        {
            var unit = (int)Math.Pow(10, 9 - precision);
            return (millis, nanos / unit * unit);
        }
        var msUnit = (long)Math.Pow(10, 3 - precision);
        return (Math.DivRem(millis, msUnit, out var r) * msUnit - (r < 0 ? msUnit : 0), 0);
    }
}
