namespace Fluss.Lake.Paimon.Manifest;

/// <summary>
/// The Avro schemas of Paimon 1.4/2.0 manifest files (20-field <c>_FILE</c>) and manifest lists (13 fields), named as
/// Paimon's schema converter names them (<c>record</c>, <c>record__FILE</c>, ...), nullable fields as
/// <c>["null", T]</c> with a null default.
/// </summary>
internal static class ManifestSchemas
{
    public const int ManifestEntryVersion = 2;
    public const int ManifestFileMetaVersion = 2;
    public const int IndexManifestEntryVersion = 1;

    private static string Stats(string name) =>
        "{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":["
        + "{\"name\":\"_MIN_VALUES\",\"type\":\"bytes\"},"
        + "{\"name\":\"_MAX_VALUES\",\"type\":\"bytes\"},"
        + "{\"name\":\"_NULL_COUNTS\",\"type\":[\"null\",{\"type\":\"array\",\"items\":[\"null\",\"long\"]}],\"default\":null}]}";

    public static readonly string ManifestList =
        "{\"type\":\"record\",\"name\":\"record\",\"namespace\":\"org.apache.paimon.avro.generated\",\"fields\":["
        + "{\"name\":\"_VERSION\",\"type\":\"int\"},"
        + "{\"name\":\"_FILE_NAME\",\"type\":\"string\"},"
        + "{\"name\":\"_FILE_SIZE\",\"type\":\"long\"},"
        + "{\"name\":\"_NUM_ADDED_FILES\",\"type\":\"long\"},"
        + "{\"name\":\"_NUM_DELETED_FILES\",\"type\":\"long\"},"
        + "{\"name\":\"_PARTITION_STATS\",\"type\":" + Stats("record__PARTITION_STATS") + "},"
        + "{\"name\":\"_SCHEMA_ID\",\"type\":\"long\"},"
        + "{\"name\":\"_MIN_BUCKET\",\"type\":[\"null\",\"int\"],\"default\":null},"
        + "{\"name\":\"_MAX_BUCKET\",\"type\":[\"null\",\"int\"],\"default\":null},"
        + "{\"name\":\"_MIN_LEVEL\",\"type\":[\"null\",\"int\"],\"default\":null},"
        + "{\"name\":\"_MAX_LEVEL\",\"type\":[\"null\",\"int\"],\"default\":null},"
        + "{\"name\":\"_MIN_ROW_ID\",\"type\":[\"null\",\"long\"],\"default\":null},"
        + "{\"name\":\"_MAX_ROW_ID\",\"type\":[\"null\",\"long\"],\"default\":null}]}";

    public static readonly string ManifestEntry =
        "{\"type\":\"record\",\"name\":\"record\",\"namespace\":\"org.apache.paimon.avro.generated\",\"fields\":["
        + "{\"name\":\"_VERSION\",\"type\":\"int\"},"
        + "{\"name\":\"_KIND\",\"type\":\"int\"},"
        + "{\"name\":\"_PARTITION\",\"type\":\"bytes\"},"
        + "{\"name\":\"_BUCKET\",\"type\":\"int\"},"
        + "{\"name\":\"_TOTAL_BUCKETS\",\"type\":\"int\"},"
        + "{\"name\":\"_FILE\",\"type\":{\"type\":\"record\",\"name\":\"record__FILE\",\"fields\":["
        + "{\"name\":\"_FILE_NAME\",\"type\":\"string\"},"
        + "{\"name\":\"_FILE_SIZE\",\"type\":\"long\"},"
        + "{\"name\":\"_ROW_COUNT\",\"type\":\"long\"},"
        + "{\"name\":\"_MIN_KEY\",\"type\":\"bytes\"},"
        + "{\"name\":\"_MAX_KEY\",\"type\":\"bytes\"},"
        + "{\"name\":\"_KEY_STATS\",\"type\":" + Stats("record__FILE__KEY_STATS") + "},"
        + "{\"name\":\"_VALUE_STATS\",\"type\":" + Stats("record__FILE__VALUE_STATS") + "},"
        + "{\"name\":\"_MIN_SEQUENCE_NUMBER\",\"type\":\"long\"},"
        + "{\"name\":\"_MAX_SEQUENCE_NUMBER\",\"type\":\"long\"},"
        + "{\"name\":\"_SCHEMA_ID\",\"type\":\"long\"},"
        + "{\"name\":\"_LEVEL\",\"type\":\"int\"},"
        + "{\"name\":\"_EXTRA_FILES\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
        + "{\"name\":\"_CREATION_TIME\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}],\"default\":null},"
        + "{\"name\":\"_DELETE_ROW_COUNT\",\"type\":[\"null\",\"long\"],\"default\":null},"
        + "{\"name\":\"_EMBEDDED_FILE_INDEX\",\"type\":[\"null\",\"bytes\"],\"default\":null},"
        + "{\"name\":\"_FILE_SOURCE\",\"type\":[\"null\",\"int\"],\"default\":null},"
        + "{\"name\":\"_VALUE_STATS_COLS\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],\"default\":null},"
        + "{\"name\":\"_EXTERNAL_PATH\",\"type\":[\"null\",\"string\"],\"default\":null},"
        + "{\"name\":\"_FIRST_ROW_ID\",\"type\":[\"null\",\"long\"],\"default\":null},"
        + "{\"name\":\"_WRITE_COLS\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],\"default\":null}]}}]}";
}
