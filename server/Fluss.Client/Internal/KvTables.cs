using Fluss.Bucketing;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Types;

namespace Fluss.Client.Internal;

/// <summary>What writers and lookupers of primary-key tables share: the checks, key encoders and value decoding.</summary>
internal static class KvTables
{
    /// <summary>Fluss's first KV format version, used by tables that do not set <c>table.kv.format-version</c>.</summary>
    public const int LegacyKvFormatVersion = 1;

    /// <summary>Checks that the table can be written or read by key with this client.</summary>
    /// <exception cref="FlussException">NON_PRIMARY_KEY_TABLE: the table has no primary key.</exception>
    /// <exception cref="InvalidTableException">The table is partitioned or uses a KV format other than COMPACTED.</exception>
    public static void Require(TableInfo table, string operation)
    {
        if (!table.HasPrimaryKey)
            throw new FlussException(FlussErrorCode.NonPrimaryKeyTable,
                $"Table {table.TablePath} is a log table without a primary key; {operation} works on primary-key tables only (write log tables with an append writer, read them with a log scanner).");
        if (table.IsPartitioned)
            throw new InvalidTableException($"Table {table.TablePath} is partitioned; partitioned tables are not supported yet.");
        if (table.TableConfig.KvFormat != KvFormat.Compacted)
            throw new InvalidTableException($"Table {table.TablePath} uses the {FlussEnums.Name(table.TableConfig.KvFormat)} KV format; this client reads and writes the COMPACTED KV format only.");
    }

    /// <summary>The table's data lake format name (selects key encoders and the bucketing function), or null.</summary>
    public static string? LakeFormat(TableInfo table) => table.TableConfig.DataLakeFormat is { } f ? FlussEnums.Name(f) : null;

    /// <summary>
    /// Routes rows of <paramref name="rowType"/> (the full row, or a key row) of a primary-key table: the encoded
    /// primary key (the KV store's key) and the bucket of the encoded bucket key, as Fluss's writer and lookuper do.
    /// </summary>
    public static KeyRouter PrimaryKeyRouter(TableInfo table, RowType rowType)
    {
        var lake = LakeFormat(table);
        var keys = KeyEncoders.ForPrimaryKey(rowType, table.PhysicalPrimaryKeys, lake,
            table.TableConfig.KvFormatVersion ?? LegacyKvFormatVersion, table.IsDefaultBucketKey);
        // With the default bucket key the primary-key bytes are the bucket-key bytes (Hudi's key encoding excepted).
        var bucketKeys = table.IsDefaultBucketKey && !string.Equals(lake, "hudi", StringComparison.OrdinalIgnoreCase)
            ? null
            : KeyEncoders.ForBucketKey(rowType, table.BucketKeys, lake);
        return new KeyRouter(keys, bucketKeys, BucketingFunctions.For(lake), table.NumBuckets);
    }

    /// <summary>
    /// Routes bucket-key rows for prefix lookups: the prefix is encoded as the primary key's leading bytes (following
    /// the primary-key encoding rules), the bucket from the lake's bucket-key encoding when the table has a lake format.
    /// </summary>
    public static KeyRouter PrefixRouter(TableInfo table, RowType prefixType)
    {
        var lake = LakeFormat(table);
        var prefix = KeyEncoders.ForPrimaryKey(prefixType, table.BucketKeys, lake,
            table.TableConfig.KvFormatVersion ?? LegacyKvFormatVersion, table.IsDefaultBucketKey);
        var bucketKeys = lake is null ? null : KeyEncoders.ForBucketKey(prefixType, table.BucketKeys, lake);
        return new KeyRouter(prefix, bucketKeys, BucketingFunctions.For(lake), table.NumBuckets);
    }

    /// <summary>Decodes a stored value (<c>[int16 schema id][CompactedRow]</c>) into a row of the table.</summary>
    /// <exception cref="CorruptRecordException">The value is truncated or malformed.</exception>
    /// <exception cref="FlussException">SCHEMA_NOT_EXIST: the value was written with a schema this client does not know.</exception>
    public static GenericRow DecodeValue(TableInfo table, ReadOnlyMemory<byte> value)
    {
        var (schemaId, row) = ValueEncoder.Decode(value);
        if (schemaId != table.SchemaId)
            throw new FlussException(FlussErrorCode.SchemaNotExist,
                $"A value of table {table.TablePath} was written with schema {schemaId}, but the client has schema {table.SchemaId}; get the table again to read it.");
        var compacted = new CompactedRow(table.RowType, row);
        compacted.Validate();
        return GenericRow.CopyOf(compacted, table.RowType);
    }

    /// <summary>Column indexes of <paramref name="names"/> in <paramref name="rowType"/>.</summary>
    public static int[] IndexesOf(RowType rowType, IReadOnlyList<string> names) => names.Select(rowType.IndexOf).ToArray();
}

/// <summary>Encodes a row's key and picks its bucket. Encoders reuse buffers: not thread-safe.</summary>
internal sealed class KeyRouter : IDisposable
{
    private readonly IKeyEncoder _keys;
    private readonly IKeyEncoder? _bucketKeys;
    private readonly IBucketingFunction _bucketing;
    private readonly int _numBuckets;

    /// <param name="keys">Encodes the key sent to the server.</param>
    /// <param name="bucketKeys">Encodes the bucket key; null when it is the key itself.</param>
    public KeyRouter(IKeyEncoder keys, IKeyEncoder? bucketKeys, IBucketingFunction bucketing, int numBuckets)
    {
        _keys = keys;
        _bucketKeys = bucketKeys;
        _bucketing = bucketing;
        _numBuckets = numBuckets;
    }

    /// <summary>The encoded key of <paramref name="row"/> and its bucket.</summary>
    /// <exception cref="ArgumentException">A key field is null.</exception>
    public (byte[] Key, int Bucket) Route(IRow row)
    {
        var key = _keys.EncodeKey(row);
        var bucket = _bucketing.Bucket(_bucketKeys is null ? key : _bucketKeys.Encode(row), _numBuckets);
        return (key, bucket);
    }

    public void Dispose()
    {
        (_keys as IDisposable)?.Dispose();
        (_bucketKeys as IDisposable)?.Dispose();
    }
}
