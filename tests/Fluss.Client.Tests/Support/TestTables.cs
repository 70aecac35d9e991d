using Fluss.Metadata;
using Fluss.Types;

namespace Fluss.Tests.Client.Support;

/// <summary>Table definitions used across the client tests.</summary>
internal static class TestTables
{
    public static readonly TablePath Orders = new("shop", "orders");

    /// <summary>id INT NOT NULL, name STRING, amount BIGINT, no bucket key.</summary>
    public static Schema OrdersSchema() => Schema.NewBuilder()
        .Column("id", new IntType(isNullable: false))
        .Column("name", new StringType())
        .Column("amount", new BigIntType())
        .Build();

    public static TableDescriptor Descriptor(Schema schema, int buckets, string[]? bucketKeys = null, IEnumerable<KeyValuePair<string, string>>? properties = null)
    {
        var builder = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(buckets, bucketKeys ?? []);
        if (properties is not null) builder.Properties(properties);
        return builder.Build();
    }

    public static TableInfo Info(TableDescriptor descriptor, TablePath? path = null, long tableId = 7, int schemaId = 1) =>
        TableInfo.Of(path ?? Orders, tableId, schemaId, descriptor, null, 1_700_000_000_000, 1_700_000_000_000);

    public static TableInfo OrdersTable(int buckets = 3, string[]? bucketKeys = null, IEnumerable<KeyValuePair<string, string>>? properties = null) =>
        Info(Descriptor(OrdersSchema(), buckets, bucketKeys, properties));
}
