using System.Collections;
using Avro;
using Avro.File;
using Avro.Generic;

namespace Fluss.Lake.Paimon.Manifest;

/// <summary>
/// Reads and writes Paimon's Avro manifest files, manifest lists and index manifests. Reading maps fields by name
/// against each file's own schema, so older and newer layouts (16/18/20/21-field <c>_FILE</c>, 7/11/13-field lists,
/// Paimon 0.9's top-level union) all read; missing nullable fields read as null. Writing uses the Paimon 1.4/2.0
/// schemas and the <c>zstandard</c> codec.
/// </summary>
internal static class ManifestIo
{
    private static readonly RecordSchema EntrySchema = (RecordSchema)Avro.Schema.Parse(ManifestSchemas.ManifestEntry);
    private static readonly RecordSchema ListSchema = (RecordSchema)Avro.Schema.Parse(ManifestSchemas.ManifestList);
    private static readonly RecordSchema FileSchema = (RecordSchema)NonNull(EntrySchema["_FILE"].Schema);
    private static readonly RecordSchema KeyStatsSchema = (RecordSchema)NonNull(FileSchema["_KEY_STATS"].Schema);
    private static readonly RecordSchema ValueStatsSchema = (RecordSchema)NonNull(FileSchema["_VALUE_STATS"].Schema);
    private static readonly RecordSchema PartitionStatsSchema = (RecordSchema)NonNull(ListSchema["_PARTITION_STATS"].Schema);

    static ManifestIo() => ZstandardCodec.EnsureRegistered();

    // ---------------------------------------------------------------- writing

    public static byte[] WriteManifest(IReadOnlyList<ManifestEntry> entries)
    {
        var records = new List<GenericRecord>(entries.Count);
        foreach (var e in entries)
        {
            var r = new GenericRecord(EntrySchema);
            r.Add("_VERSION", ManifestSchemas.ManifestEntryVersion);
            r.Add("_KIND", (int)e.Kind);
            r.Add("_PARTITION", e.Partition);
            r.Add("_BUCKET", e.Bucket);
            r.Add("_TOTAL_BUCKETS", e.TotalBuckets);
            r.Add("_FILE", ToRecord(e.File));
            records.Add(r);
        }
        return WriteContainer(EntrySchema, records);
    }

    public static byte[] WriteManifestList(IReadOnlyList<ManifestFileMeta> metas)
    {
        var records = new List<GenericRecord>(metas.Count);
        foreach (var m in metas)
        {
            var r = new GenericRecord(ListSchema);
            r.Add("_VERSION", ManifestSchemas.ManifestFileMetaVersion);
            r.Add("_FILE_NAME", m.FileName);
            r.Add("_FILE_SIZE", m.FileSize);
            r.Add("_NUM_ADDED_FILES", m.NumAddedFiles);
            r.Add("_NUM_DELETED_FILES", m.NumDeletedFiles);
            r.Add("_PARTITION_STATS", ToRecord(PartitionStatsSchema, m.PartitionStats));
            r.Add("_SCHEMA_ID", m.SchemaId);
            r.Add("_MIN_BUCKET", m.MinBucket);
            r.Add("_MAX_BUCKET", m.MaxBucket);
            r.Add("_MIN_LEVEL", m.MinLevel);
            r.Add("_MAX_LEVEL", m.MaxLevel);
            r.Add("_MIN_ROW_ID", m.MinRowId);
            r.Add("_MAX_ROW_ID", m.MaxRowId);
            records.Add(r);
        }
        return WriteContainer(ListSchema, records);
    }

    private static GenericRecord ToRecord(DataFileMeta f)
    {
        var r = new GenericRecord(FileSchema);
        r.Add("_FILE_NAME", f.FileName);
        r.Add("_FILE_SIZE", f.FileSize);
        r.Add("_ROW_COUNT", f.RowCount);
        r.Add("_MIN_KEY", f.MinKey);
        r.Add("_MAX_KEY", f.MaxKey);
        r.Add("_KEY_STATS", ToRecord(KeyStatsSchema, f.KeyStats));
        r.Add("_VALUE_STATS", ToRecord(ValueStatsSchema, f.ValueStats));
        r.Add("_MIN_SEQUENCE_NUMBER", f.MinSequenceNumber);
        r.Add("_MAX_SEQUENCE_NUMBER", f.MaxSequenceNumber);
        r.Add("_SCHEMA_ID", f.SchemaId);
        r.Add("_LEVEL", f.Level);
        r.Add("_EXTRA_FILES", f.ExtraFiles.Cast<object>().ToArray());
        // timestamp-millis of a LocalDateTime: the wall-clock value written as if it were UTC.
        r.Add("_CREATION_TIME", f.CreationTimeMillis is { } t ? DateTime.SpecifyKind(DateTime.UnixEpoch.AddMilliseconds(t), DateTimeKind.Utc) : null);
        r.Add("_DELETE_ROW_COUNT", f.DeleteRowCount);
        r.Add("_EMBEDDED_FILE_INDEX", f.EmbeddedIndex);
        r.Add("_FILE_SOURCE", f.FileSource);
        r.Add("_VALUE_STATS_COLS", f.ValueStatsCols?.Cast<object>().ToArray());
        r.Add("_EXTERNAL_PATH", f.ExternalPath);
        r.Add("_FIRST_ROW_ID", f.FirstRowId);
        r.Add("_WRITE_COLS", f.WriteCols?.Cast<object>().ToArray());
        return r;
    }

    private static GenericRecord ToRecord(RecordSchema schema, SimpleStats s)
    {
        var r = new GenericRecord(schema);
        r.Add("_MIN_VALUES", s.MinValues);
        r.Add("_MAX_VALUES", s.MaxValues);
        r.Add("_NULL_COUNTS", s.NullCounts?.Select(n => (object?)n).ToArray());
        return r;
    }

    private static byte[] WriteContainer(RecordSchema schema, List<GenericRecord> records)
    {
        using var ms = new MemoryStream();
        using (var writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(schema), ms, new ZstandardCodec(), true))
        {
            foreach (var r in records) writer.Append(r);
        }
        return ms.ToArray();
    }

    // ---------------------------------------------------------------- reading

    public static List<ManifestEntry> ReadManifest(byte[] bytes, string what)
    {
        var result = new List<ManifestEntry>();
        foreach (var r in ReadRecords(bytes, what))
        {
            CheckVersion(r, ManifestSchemas.ManifestEntryVersion, what);
            var file = (GenericRecord?)Get(r, "_FILE") ?? throw Corrupt(what, "an entry has no _FILE");
            result.Add(new ManifestEntry(
                (FileKind)ReqInt(r, "_KIND", what),
                ReqBytes(r, "_PARTITION", what),
                ReqInt(r, "_BUCKET", what),
                ReqInt(r, "_TOTAL_BUCKETS", what),
                ToFileMeta(file, what)));
        }
        return result;
    }

    public static List<ManifestFileMeta> ReadManifestList(byte[] bytes, string what)
    {
        var result = new List<ManifestFileMeta>();
        foreach (var r in ReadRecords(bytes, what))
        {
            CheckVersion(r, ManifestSchemas.ManifestFileMetaVersion, what);
            result.Add(new ManifestFileMeta(
                ReqString(r, "_FILE_NAME", what),
                ReqLong(r, "_FILE_SIZE", what),
                ReqLong(r, "_NUM_ADDED_FILES", what),
                ReqLong(r, "_NUM_DELETED_FILES", what),
                ToStats((GenericRecord?)Get(r, "_PARTITION_STATS"), what),
                ReqLong(r, "_SCHEMA_ID", what),
                (int?)Get(r, "_MIN_BUCKET"),
                (int?)Get(r, "_MAX_BUCKET"),
                (int?)Get(r, "_MIN_LEVEL"),
                (int?)Get(r, "_MAX_LEVEL"),
                (long?)Get(r, "_MIN_ROW_ID"),
                (long?)Get(r, "_MAX_ROW_ID")));
        }
        return result;
    }

    public static List<IndexManifestEntry> ReadIndexManifest(byte[] bytes, string what)
    {
        var result = new List<IndexManifestEntry>();
        foreach (var r in ReadRecords(bytes, what))
        {
            CheckVersion(r, ManifestSchemas.IndexManifestEntryVersion, what);
            List<DeletionVectorRange>? ranges = null;
            if (Get(r, "_DELETIONS_VECTORS_RANGES") is IEnumerable list)
            {
                ranges = [];
                foreach (var item in list)
                {
                    if (item is not GenericRecord dv) continue;
                    ranges.Add(new DeletionVectorRange(ReqString(dv, "f0", what), ReqInt(dv, "f1", what), ReqInt(dv, "f2", what), (long?)Get(dv, "_CARDINALITY")));
                }
            }
            result.Add(new IndexManifestEntry(
                (FileKind)ReqInt(r, "_KIND", what),
                ReqBytes(r, "_PARTITION", what),
                ReqInt(r, "_BUCKET", what),
                ReqString(r, "_INDEX_TYPE", what),
                ReqString(r, "_FILE_NAME", what),
                ReqLong(r, "_FILE_SIZE", what),
                ReqLong(r, "_ROW_COUNT", what),
                ranges,
                (string?)Get(r, "_EXTERNAL_PATH")));
        }
        return result;
    }

    private static DataFileMeta ToFileMeta(GenericRecord f, string what) => new()
    {
        FileName = ReqString(f, "_FILE_NAME", what),
        FileSize = ReqLong(f, "_FILE_SIZE", what),
        RowCount = ReqLong(f, "_ROW_COUNT", what),
        MinKey = ReqBytes(f, "_MIN_KEY", what),
        MaxKey = ReqBytes(f, "_MAX_KEY", what),
        KeyStats = ToStats((GenericRecord?)Get(f, "_KEY_STATS"), what),
        ValueStats = ToStats((GenericRecord?)Get(f, "_VALUE_STATS"), what),
        MinSequenceNumber = ReqLong(f, "_MIN_SEQUENCE_NUMBER", what),
        MaxSequenceNumber = ReqLong(f, "_MAX_SEQUENCE_NUMBER", what),
        SchemaId = ReqLong(f, "_SCHEMA_ID", what),
        Level = ReqInt(f, "_LEVEL", what),
        ExtraFiles = Strings(Get(f, "_EXTRA_FILES")) ?? [],
        CreationTimeMillis = Get(f, "_CREATION_TIME") switch
        {
            DateTime dt => (long)(DateTime.SpecifyKind(dt, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds,
            long l => l,
            _ => null,
        },
        DeleteRowCount = (long?)Get(f, "_DELETE_ROW_COUNT"),
        EmbeddedIndex = (byte[]?)Get(f, "_EMBEDDED_FILE_INDEX"),
        FileSource = (int?)Get(f, "_FILE_SOURCE"),
        ValueStatsCols = Strings(Get(f, "_VALUE_STATS_COLS")),
        ExternalPath = (string?)Get(f, "_EXTERNAL_PATH"),
        FirstRowId = (long?)Get(f, "_FIRST_ROW_ID"),
        WriteCols = Strings(Get(f, "_WRITE_COLS")),
    };

    private static SimpleStats ToStats(GenericRecord? s, string what)
    {
        if (s is null) return SimpleStats.Empty;
        long?[]? nulls = null;
        if (Get(s, "_NULL_COUNTS") is IEnumerable list)
            nulls = list.Cast<object?>().Select(o => (long?)o).ToArray();
        return new SimpleStats(ReqBytes(s, "_MIN_VALUES", what), ReqBytes(s, "_MAX_VALUES", what), nulls);
    }

    private static List<string>? Strings(object? value) => value is IEnumerable e and not string ? e.Cast<object>().Select(o => (string)o).ToList() : null;

    private static List<GenericRecord> ReadRecords(byte[] bytes, string what)
    {
        try
        {
            using var ms = new MemoryStream(bytes, writable: false);
            using var reader = DataFileReader<object>.OpenReader(ms);
            var records = new List<GenericRecord>();
            while (reader.HasNext())
            {
                // Paimon 0.9 wrapped the row in a top-level ["null", record] union.
                if (reader.Next() is GenericRecord r) records.Add(r);
            }
            return records;
        }
        catch (AvroException e)
        {
            throw new PaimonException($"{what} is not a readable Avro file: {e.Message}", e);
        }
    }

    private static void CheckVersion(GenericRecord r, int expected, string what)
    {
        if (Get(r, "_VERSION") is int v && v != expected)
        {
            throw new PaimonUnsupportedFeatureException(
                $"manifest format version {v}",
                $"{what} has format version {v}, but this reader understands version {expected}; the table may need to be recreated by a newer Paimon.");
        }
    }

    private static object? Get(GenericRecord r, string name) => r.TryGetValue(name, out var v) ? v : null;

    private static int ReqInt(GenericRecord r, string name, string what) => Get(r, name) is int i ? i : throw Corrupt(what, $"field {name} is missing or not an int");

    private static long ReqLong(GenericRecord r, string name, string what) => Get(r, name) switch
    {
        long l => l,
        int i => i,
        _ => throw Corrupt(what, $"field {name} is missing or not a long"),
    };

    private static string ReqString(GenericRecord r, string name, string what) => Get(r, name) as string ?? throw Corrupt(what, $"field {name} is missing or not a string");

    private static byte[] ReqBytes(GenericRecord r, string name, string what) => Get(r, name) as byte[] ?? throw Corrupt(what, $"field {name} is missing or not bytes");

    private static PaimonException Corrupt(string what, string detail) => new($"{what} is not a valid Paimon manifest: {detail}.");

    private static Avro.Schema NonNull(Avro.Schema s) => s is UnionSchema u ? u.Schemas.First(x => x.Tag != Avro.Schema.Type.Null) : s;
}
