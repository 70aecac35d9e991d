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

    public static readonly TablePath Users = new("shop", "users");

    /// <summary>id INT NOT NULL (primary key), name STRING, score BIGINT.</summary>
    public static Schema UsersSchema() => Schema.NewBuilder()
        .Column("id", new IntType(isNullable: false))
        .Column("name", new StringType())
        .Column("score", new BigIntType())
        .PrimaryKey("id")
        .Build();

    public static readonly TablePath Visits = new("shop", "visits");

    /// <summary>user INT NOT NULL, seq INT NOT NULL, page STRING; primary key (user, seq), bucket key user, KV format version 2.</summary>
    public static TableDescriptor VisitsDescriptor(int buckets = 4) => Descriptor(
        Schema.NewBuilder()
            .Column("user", new IntType(isNullable: false))
            .Column("seq", new IntType(isNullable: false))
            .Column("page", new StringType())
            .PrimaryKey("user", "seq")
            .Build(),
        buckets, ["user"], [new("table.kv.format-version", "2")]);
}
