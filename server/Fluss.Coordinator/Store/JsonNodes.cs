using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fluss.Coordinator.Store;

/// <summary>
/// Reading and writing the JSON payloads of metadata nodes: compact output escaped like Jackson (quotes and control
/// characters only), strict reads whose errors name the node kind and the field.
/// </summary>
internal static class JsonNodes
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer);
        return buffer.ToArray();
    }

    public static T Read<T>(ReadOnlySpan<byte> utf8Json, string what, Func<JsonElement, T> read)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{what} must be a JSON object, got {doc.RootElement.ValueKind}.");
            try
            {
                return read(doc.RootElement);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new InvalidDataException($"{what} is malformed: {e.Message}", e);
            }
        }
    }

    public static JsonElement Required(JsonElement obj, string field, string what)
    {
        if (!obj.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new InvalidDataException($"{what} has no '{field}' field.");
        return value;
    }

    public static bool TryGet(JsonElement obj, string field, out JsonElement value) =>
        obj.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;

    public static int Int(JsonElement obj, string field, string what)
    {
        var v = Required(obj, field, what);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i
            : throw new InvalidDataException($"{what} field '{field}' must be a 32-bit integer, got {v}.");
    }

    public static long Long(JsonElement obj, string field, string what)
    {
        var v = Required(obj, field, what);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l)
            ? l
            : throw new InvalidDataException($"{what} field '{field}' must be an integer, got {v}.");
    }

    /// <summary>A scalar as text, as Jackson's <c>asText</c> reads it.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    public static string? OptionalText(JsonElement obj, string field) => TryGet(obj, field, out var v) ? Text(v) : null;

    public static List<string> Strings(JsonElement obj, string field, string what)
    {
        if (!TryGet(obj, field, out var v)) return [];
        if (v.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{what} field '{field}' must be an array.");
        return v.EnumerateArray().Select(Text).ToList();
    }

    public static List<int> Ints(JsonElement array, string field, string what)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{what} field '{field}' must be an array of integers.");
        var list = new List<int>(array.GetArrayLength());
        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var i))
                throw new InvalidDataException($"{what} field '{field}' must hold 32-bit integers, got {e}.");
            list.Add(i);
        }
        return list;
    }

    public static OrderedDictionary<string, string> StringMap(JsonElement obj, string field, string what)
    {
        var map = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        if (!TryGet(obj, field, out var v)) return map;
        if (v.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{what} field '{field}' must be an object.");
        foreach (var p in v.EnumerateObject())
            map[p.Name] = Text(p.Value);
        return map;
    }

    public static void WriteStrings(Utf8JsonWriter w, string field, IEnumerable<string> values)
    {
        w.WriteStartArray(field);
        foreach (var s in values) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    public static void WriteInts(Utf8JsonWriter w, string field, IEnumerable<int> values)
    {
        w.WriteStartArray(field);
        foreach (var i in values) w.WriteNumberValue(i);
        w.WriteEndArray();
    }

    public static void WriteStringMap(Utf8JsonWriter w, string field, IEnumerable<KeyValuePair<string, string>> values)
    {
        w.WriteStartObject(field);
        foreach (var (k, v) in values) w.WriteString(k, v);
        w.WriteEndObject();
    }

    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
