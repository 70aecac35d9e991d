using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fluss.Lake.Paimon.Table;

/// <summary>The JSON of <c>snapshot/snapshot-N</c> (version 3). Unknown fields are ignored on read.</summary>
internal sealed record Snapshot
{
    public int Version { get; init; } = 3;
    public required long Id { get; init; }
    public required long SchemaId { get; init; }
    public required string BaseManifestList { get; init; }
    public long? BaseManifestListSize { get; init; }
    public required string DeltaManifestList { get; init; }
    public long? DeltaManifestListSize { get; init; }
    public string? ChangelogManifestList { get; init; }
    public long? ChangelogManifestListSize { get; init; }
    public string? IndexManifest { get; init; }
    public required string CommitUser { get; init; }
    public required long CommitIdentifier { get; init; }
    public required string CommitKind { get; init; }
    public required long TimeMillis { get; init; }
    public required long TotalRecordCount { get; init; }
    public required long DeltaRecordCount { get; init; }
    public long? ChangelogRecordCount { get; init; }
    public long? Watermark { get; init; }
    public string? Statistics { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    public long? NextRowId { get; init; }

    public PaimonSnapshot ToPublic() =>
        new(Id, SchemaId, CommitUser, CommitIdentifier, CommitKind, TimeMillis, TotalRecordCount, DeltaRecordCount, Properties);

    public byte[] ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteNumber("id", Id);
            w.WriteNumber("schemaId", SchemaId);
            w.WriteString("baseManifestList", BaseManifestList);
            if (BaseManifestListSize is { } bs) w.WriteNumber("baseManifestListSize", bs);
            w.WriteString("deltaManifestList", DeltaManifestList);
            if (DeltaManifestListSize is { } ds) w.WriteNumber("deltaManifestListSize", ds);
            if (ChangelogManifestList is not null)
            {
                w.WriteString("changelogManifestList", ChangelogManifestList);
                if (ChangelogManifestListSize is { } cs) w.WriteNumber("changelogManifestListSize", cs);
            }
            else
            {
                w.WriteNull("changelogManifestList");
            }
            if (IndexManifest is not null) w.WriteString("indexManifest", IndexManifest);
            w.WriteString("commitUser", CommitUser);
            w.WriteNumber("commitIdentifier", CommitIdentifier);
            w.WriteString("commitKind", CommitKind);
            w.WriteNumber("timeMillis", TimeMillis);
            // Paimon 1.x readers expect this map; 2.x ignores it.
            w.WriteStartObject("logOffsets");
            w.WriteEndObject();
            w.WriteNumber("totalRecordCount", TotalRecordCount);
            w.WriteNumber("deltaRecordCount", DeltaRecordCount);
            if (ChangelogRecordCount is { } cr) w.WriteNumber("changelogRecordCount", cr);
            if (Watermark is { } wm) w.WriteNumber("watermark", wm);
            if (Statistics is not null) w.WriteString("statistics", Statistics);
            if (Properties.Count > 0)
            {
                w.WriteStartObject("properties");
                foreach (var (k, v) in Properties) w.WriteString(k, v);
                w.WriteEndObject();
            }
            if (NextRowId is { } nr) w.WriteNumber("nextRowId", nr);
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    public static Snapshot Parse(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var r = doc.RootElement;
            var props = new Dictionary<string, string>(StringComparer.Ordinal);
            if (r.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                foreach (var kv in p.EnumerateObject()) props[kv.Name] = kv.Value.ValueKind == JsonValueKind.String ? kv.Value.GetString()! : kv.Value.GetRawText();
            }
            return new Snapshot
            {
                Version = OptLong(r, "version") is { } v ? (int)v : 1,
                Id = ReqLong(r, "id", what),
                SchemaId = ReqLong(r, "schemaId", what),
                BaseManifestList = ReqString(r, "baseManifestList", what),
                BaseManifestListSize = OptLong(r, "baseManifestListSize"),
                DeltaManifestList = ReqString(r, "deltaManifestList", what),
                DeltaManifestListSize = OptLong(r, "deltaManifestListSize"),
                ChangelogManifestList = OptString(r, "changelogManifestList"),
                ChangelogManifestListSize = OptLong(r, "changelogManifestListSize"),
                IndexManifest = OptString(r, "indexManifest"),
                CommitUser = ReqString(r, "commitUser", what),
                CommitIdentifier = ReqLong(r, "commitIdentifier", what),
                CommitKind = ReqString(r, "commitKind", what),
                TimeMillis = ReqLong(r, "timeMillis", what),
                TotalRecordCount = OptLong(r, "totalRecordCount") ?? 0,
                DeltaRecordCount = OptLong(r, "deltaRecordCount") ?? 0,
                ChangelogRecordCount = OptLong(r, "changelogRecordCount"),
                Watermark = OptLong(r, "watermark"),
                Statistics = OptString(r, "statistics"),
                Properties = props,
                NextRowId = OptLong(r, "nextRowId"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new PaimonException($"{what} is not a valid Paimon snapshot: {e.Message}", e);
        }
    }

    private static long? OptLong(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static string? OptString(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long ReqLong(JsonElement r, string name, string what) =>
        OptLong(r, name) ?? throw new PaimonException($"{what} is not a valid Paimon snapshot: it lacks '{name}'.");

    private static string ReqString(JsonElement r, string name, string what) =>
        OptString(r, name) ?? throw new PaimonException($"{what} is not a valid Paimon snapshot: it lacks '{name}'.");

    public static string FileName(long id) => "snapshot-" + id.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseId(string fileName, out long id)
    {
        id = 0;
        return fileName.StartsWith("snapshot-", StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan("snapshot-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    public static byte[] HintBytes(long id) => Encoding.ASCII.GetBytes(id.ToString(CultureInfo.InvariantCulture));
}
