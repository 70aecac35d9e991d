using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fluss.Types;

/// <summary>Shared helpers for Fluss's JSON payloads (compact output, Jackson-like escaping, strict reads).</summary>
internal static class JsonSupport
{
    /// <summary>Compact output that escapes like Jackson: quotes and control characters only, not HTML characters or non-ASCII.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static string Write(Action<Utf8JsonWriter> write) => System.Text.Encoding.UTF8.GetString(WriteBytes(write));

    public static byte[] WriteBytes(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.ToArray();
    }

    public static T Read<T>(ReadOnlySpan<byte> utf8Json, string what, Func<JsonElement, T> read)
    {
        var reader = new Utf8JsonReader(utf8Json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new JsonException($"Invalid {what} JSON: {e.Message}", e);
        }

        using (doc)
        {
            return read(doc.RootElement);
        }
    }

    public static T Read<T>(string json, string what, Func<JsonElement, T> read)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(System.Text.Encoding.UTF8.GetBytes(json), what, read);
    }

    public static JsonElement Required(JsonElement obj, string property, string what)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new JsonException($"{what} JSON must be an object, got {obj.ValueKind}.");
        if (!obj.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new JsonException($"{what} JSON lacks the required field '{property}'.");
        return value;
    }

    public static bool TryGet(JsonElement obj, string property, out JsonElement value)
    {
        if (obj.TryGetProperty(property, out value) && value.ValueKind != JsonValueKind.Null)
            return true;
        value = default;
        return false;
    }

    public static int GetInt(JsonElement value, string property, string what)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i))
            return i;
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out i))
            return i;
        throw new JsonException($"{what} JSON field '{property}' must be a 32-bit integer, got {value.GetRawText()}.");
    }

    public static long GetLong(JsonElement value, string property, string what)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var i))
            return i;
        throw new JsonException($"{what} JSON field '{property}' must be a 64-bit integer, got {value.GetRawText()}.");
    }

    /// <summary>Text of a value as Jackson's <c>asText()</c> gives it: strings as they are, other scalars as their JSON text.</summary>
    public static string AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => throw new JsonException($"Expected a string value, got {value.ValueKind}."),
    };

    public static List<string> StringArray(JsonElement value, string property, string what)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new JsonException($"{what} JSON field '{property}' must be an array, got {value.ValueKind}.");
        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
            list.Add(AsText(item));
        return list;
    }

    public static void WriteStringArray(Utf8JsonWriter writer, string property, IEnumerable<string> values)
    {
        writer.WriteStartArray(property);
        foreach (var v in values)
            writer.WriteStringValue(v);
        writer.WriteEndArray();
    }

    public static void WriteStringMap(Utf8JsonWriter writer, string property, IEnumerable<KeyValuePair<string, string>> values)
    {
        writer.WriteStartObject(property);
        foreach (var (k, v) in values)
            writer.WriteString(k, v);
        writer.WriteEndObject();
    }

    public static List<KeyValuePair<string, string>> StringMap(JsonElement value, string property, string what)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new JsonException($"{what} JSON field '{property}' must be an object, got {value.ValueKind}.");
        var list = new List<KeyValuePair<string, string>>();
        foreach (var p in value.EnumerateObject())
            list.Add(new KeyValuePair<string, string>(p.Name, AsText(p.Value)));
        return list;
    }
}
