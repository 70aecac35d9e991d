using System.Globalization;
using System.Text.Json;
using Fluss.Types;

namespace Fluss.Lake.Paimon.Schema;

/// <summary>One top-level column of a Paimon schema: its stable field id, name and type.</summary>
internal sealed record PaimonField(int Id, string Name, DataType? Type, string? UnsupportedType, string? Description)
{
    /// <summary>The type, or an error naming the Paimon type this implementation cannot read.</summary>
    public DataType RequireType() => Type ?? throw new PaimonUnsupportedFeatureException(
        $"{UnsupportedType} columns",
        $"Column '{Name}' has the Paimon type {UnsupportedType}, which this reader does not support; project the other columns instead.");
}

/// <summary>A Paimon table schema (<c>schema/schema-N</c>).</summary>
internal sealed class TableSchema
{
    public const int CurrentVersion = 3;

    public TableSchema(long id, IReadOnlyList<PaimonField> fields, int highestFieldId, IReadOnlyList<string> partitionKeys,
        IReadOnlyList<string> primaryKeys, IReadOnlyDictionary<string, string> options, string? comment, long timeMillis, int version = CurrentVersion)
    {
        Id = id;
        Fields = fields;
        HighestFieldId = highestFieldId;
        PartitionKeys = partitionKeys;
        PrimaryKeys = primaryKeys;
        Options = options;
        Comment = comment;
        TimeMillis = timeMillis;
        Version = version;
        foreach (var k in partitionKeys.Concat(primaryKeys))
        {
            if (IndexOf(k) < 0) throw new PaimonException($"Schema {id} names key column '{k}', which is not one of its fields.");
        }
    }

    public int Version { get; }
    public long Id { get; }
    public IReadOnlyList<PaimonField> Fields { get; }
    public int HighestFieldId { get; }
    public IReadOnlyList<string> PartitionKeys { get; }
    public IReadOnlyList<string> PrimaryKeys { get; }
    public IReadOnlyDictionary<string, string> Options { get; }
    public string? Comment { get; }
    public long TimeMillis { get; }

    public bool IsPrimaryKeyTable => PrimaryKeys.Count > 0;

    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == name) return i;
        }
        return -1;
    }

    public PaimonField Field(string name) => Fields[IndexOf(name) is var i and >= 0 ? i : throw new PaimonException($"Schema {Id} has no column '{name}'.")];

    /// <summary>The primary key without the partition keys, the key stored in data files (<c>_KEY_*</c>).</summary>
    public IReadOnlyList<string> TrimmedPrimaryKeys
    {
        get
        {
            var trimmed = PrimaryKeys.Where(k => !PartitionKeys.Contains(k)).ToList();
            return trimmed.Count == 0 ? PrimaryKeys : trimmed;
        }
    }

    /// <summary>The bucket count (option <c>bucket</c>); schema versions before 2 default to 1, later ones to -1.</summary>
    public int Bucket => Options.TryGetValue("bucket", out var b) ? int.Parse(b, CultureInfo.InvariantCulture) : (Version <= 1 ? 1 : -1);

    /// <summary>The bucket key: option <c>bucket-key</c>, else the trimmed primary key.</summary>
    public IReadOnlyList<string> BucketKeys =>
        Options.TryGetValue("bucket-key", out var bk) && !string.IsNullOrWhiteSpace(bk)
            ? bk.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : TrimmedPrimaryKeys;

    public string Option(string key, string defaultValue) => Options.TryGetValue(key, out var v) ? v : defaultValue;

    public bool BoolOption(string key, bool defaultValue = false) =>
        Options.TryGetValue(key, out var v) ? string.Equals(v.Trim(), "true", StringComparison.OrdinalIgnoreCase) : defaultValue;

    /// <summary>The Fluss row type of all columns (fails if a column has an unsupported type).</summary>
    public RowType RowType() => new(Fields.Select(f => new DataField(f.Name, f.RequireType(), f.Id, f.Description)).ToArray());

    public RowType RowTypeOf(IReadOnlyList<string> names) =>
        new(names.Select(n => Field(n)).Select(f => new DataField(f.Name, f.RequireType(), f.Id, f.Description)).ToArray());

    public byte[] ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteNumber("id", Id);
            w.WriteStartArray("fields");
            foreach (var f in Fields)
            {
                w.WriteStartObject();
                w.WriteNumber("id", f.Id);
                w.WriteString("name", f.Name);
                w.WritePropertyName("type");
                PaimonTypes.Write(w, f.RequireType());
                if (f.Description is not null) w.WriteString("description", f.Description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("highestFieldId", HighestFieldId);
            WriteArray(w, "partitionKeys", PartitionKeys);
            WriteArray(w, "primaryKeys", PrimaryKeys);
            w.WriteStartObject("options");
            foreach (var (k, v) in Options) w.WriteString(k, v);
            w.WriteEndObject();
            if (Comment is not null) w.WriteString("comment", Comment);
            w.WriteNumber("timeMillis", TimeMillis);
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    public static TableSchema Parse(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            var version = root.TryGetProperty("version", out var v) ? v.GetInt32() : 1;
            var id = Required(root, "id", what).GetInt64();
            var fields = new List<PaimonField>();
            foreach (var f in Required(root, "fields", what).EnumerateArray())
            {
                var (fid, name, type, description) = PaimonTypes.ReadField(f);
                fields.Add(new PaimonField(fid, name, type.Type, type.Unsupported, description));
            }
            var highest = Required(root, "highestFieldId", what).GetInt32();
            var partitionKeys = Required(root, "partitionKeys", what).EnumerateArray().Select(e => e.GetString()!).ToList();
            var primaryKeys = Required(root, "primaryKeys", what).EnumerateArray().Select(e => e.GetString()!).ToList();
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in Required(root, "options", what).EnumerateObject())
                options[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            // Schema versions <= 2 (Paimon 0.8 and older) stored ORC by default.
            if (version <= 2 && !options.ContainsKey("file.format")) options["file.format"] = "orc";
            var comment = root.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var time = root.TryGetProperty("timeMillis", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 0;
            return new TableSchema(id, fields, highest, partitionKeys, primaryKeys, options, comment, time, version);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new PaimonException($"{what} is not a valid Paimon schema: {e.Message}", e);
        }
    }

    private static JsonElement Required(JsonElement root, string name, string what) =>
        root.TryGetProperty(name, out var v) ? v : throw new PaimonException($"{what} is not a valid Paimon schema: it lacks '{name}'.");
}
