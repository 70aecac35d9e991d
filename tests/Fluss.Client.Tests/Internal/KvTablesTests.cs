using CsCheck;
using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Tests.Client.Support;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Client.Internal;

public class KvTablesTests
{
    /// <summary>
    /// A random primary-key table: scalar columns, a primary key of 1 to 3 columns, a bucket key that is the whole
    /// primary key or a leading part of it, no lake format or Paimon, KV format version 1 or 2; and rows of it.
    /// </summary>
    private static readonly Gen<(TableInfo Table, GenericRow[] Rows)> Tables =
        RowGenerators.RowTypeGen(6).SelectMany(rowType =>
            Gen.Int[1, Math.Min(3, rowType.FieldCount)].SelectMany(pkCount =>
                Gen.Int[1, pkCount].SelectMany(bucketKeyCount =>
                    Gen.Bool.SelectMany(paimon =>
                        Gen.Int[1, 2].SelectMany(version =>
                            Gen.Int[1, 16].Select(buckets => Table(rowType, pkCount, bucketKeyCount, paimon, version, buckets)))))))
        .SelectMany(table => RowGenerators.Row(table.RowType).Array[1, 20].Select(rows => (table, rows)));

    private static TableInfo Table(RowType rowType, int pkCount, int bucketKeyCount, bool paimon, int version, int buckets)
    {
        var builder = Schema.NewBuilder();
        foreach (var field in rowType.Fields) builder.Column(field.Name, field.Type);
        var primaryKey = rowType.FieldNames.Take(pkCount).ToArray();
        builder.PrimaryKey(primaryKey);
        var properties = new List<KeyValuePair<string, string>> { new("table.kv.format-version", version.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (paimon) properties.Add(new("table.datalake.format", "paimon"));
        return TestTables.Info(TestTables.Descriptor(builder.Build(), buckets, primaryKey.Take(bucketKeyCount).ToArray(), properties));
    }

    private static GenericRow Project(GenericRow row, RowType rowType, IReadOnlyList<string> columns) =>
        new(columns.Select(c => row[rowType.IndexOf(c)]).ToArray());

    [Fact]
    public void PrimaryKeyRouter_FullRowAndKeyRow_SameKeyBytesAndBucket()
    {
        // What an upsert writes must be what a lookup of its key asks for.
        Tables.Sample(t =>
        {
            var (table, rows) = t;
            var keyType = table.RowType.Project(KvTables.IndexesOf(table.RowType, table.PrimaryKeys));
            using var writer = KvTables.PrimaryKeyRouter(table, table.RowType);
            using var lookup = KvTables.PrimaryKeyRouter(table, keyType);
            foreach (var row in rows)
            {
                var (key, bucket) = writer.Route(row);
                var (lookupKey, lookupBucket) = lookup.Route(Project(row, table.RowType, table.PrimaryKeys));
                Assert.Equal(key, lookupKey);
                Assert.Equal(bucket, lookupBucket);
                Assert.InRange(bucket, 0, table.NumBuckets - 1);
            }
        }, iter: 300);
    }

    [Fact]
    public void PrefixRouter_BucketKeyRow_SameBucketAsTheRowAndAKeyPrefixWhenCompacted()
    {
        Tables.Sample(t =>
        {
            var (table, rows) = t;
            if (table.IsDefaultBucketKey) return;
            var bucketKeyType = table.RowType.Project(KvTables.IndexesOf(table.RowType, table.BucketKeys));
            using var writer = KvTables.PrimaryKeyRouter(table, table.RowType);
            using var prefix = KvTables.PrefixRouter(table, bucketKeyType);
            var compactedKeys = table.TableConfig.KvFormatVersion == 2 || table.TableConfig.DataLakeFormat is null;
            foreach (var row in rows)
            {
                var (key, bucket) = writer.Route(row);
                var (prefixKey, prefixBucket) = prefix.Route(Project(row, table.RowType, table.BucketKeys));
                Assert.Equal(bucket, prefixBucket);
                if (compactedKeys) Assert.Equal(prefixKey, key.Take(prefixKey.Length));
            }
        }, iter: 300);
    }

    [Fact]
    public void PrimaryKeyRouter_KvFormatVersion2NonDefaultBucketKey_CompactedKeyEvenForPaimonTables()
    {
        var table = Table(RowType.Of(("a", new IntType()), ("b", new StringType()), ("v", new StringType())), pkCount: 2, bucketKeyCount: 1, paimon: true, version: 2, buckets: 4);
        var row = GenericRow.Of(5, "x", "value");

        using var router = KvTables.PrimaryKeyRouter(table, table.RowType);

        Assert.Equal(new CompactedKeyEncoder(table.RowType, ["a", "b"]).EncodeKey(row), router.Route(row).Key);
    }

    [Fact]
    public void DecodeValue_StoredValue_RowOfTheTable()
    {
        var table = TestTables.Info(TestTables.Descriptor(TestTables.UsersSchema(), 1));
        using var writer = new CompactedRowWriter(3);
        writer.WriteRow(GenericRow.Of(1, null, 7L), table.RowType);

        var row = KvTables.DecodeValue(table, ValueEncoder.Encode(1, writer.WrittenSpan));

        Assert.Equal(GenericRow.Of(1, null, 7L), row);
    }

    [Fact]
    public void DecodeValue_OtherSchemaOrTruncated_TypedErrors()
    {
        var table = TestTables.Info(TestTables.Descriptor(TestTables.UsersSchema(), 1));
        using var writer = new CompactedRowWriter(3);
        writer.WriteRow(GenericRow.Of(1, "name", 7L), table.RowType);

        var schema = Assert.Throws<FlussException>(() => KvTables.DecodeValue(table, ValueEncoder.Encode(2, writer.WrittenSpan)));
        Assert.Equal(FlussErrorCode.SchemaNotExist, schema.ErrorCode);
        Assert.Throws<CorruptRecordException>(() => KvTables.DecodeValue(table, ValueEncoder.Encode(1, writer.WrittenSpan[..3])));
        Assert.Throws<CorruptRecordException>(() => KvTables.DecodeValue(table, new byte[] { 1 }));
    }
}
