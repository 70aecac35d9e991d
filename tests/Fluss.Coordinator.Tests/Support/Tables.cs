using Fluss.Metadata;
using Fluss.Types;

namespace Fluss.Tests.Coordinator.Support;

/// <summary>Table descriptors for tests.</summary>
internal static class Tables
{
    public static Schema LogSchema() =>
        Schema.NewBuilder().Column("id", new IntType(false)).Column("name", new StringType()).Column("amount", new BigIntType()).Build();

    public static Schema PkSchema() =>
        Schema.NewBuilder().Column("id", new IntType(false)).Column("name", new StringType()).PrimaryKey("id").Build();

    /// <summary>A log table; bucket count and replication factor are left to the cluster defaults when null.</summary>
    public static TableDescriptor Log(int? buckets = null, int? replicationFactor = null)
    {
        var b = TableDescriptor.NewBuilder().Schema(LogSchema()).Comment("orders log");
        if (buckets is { } n) b.DistributedBy(n);
        if (replicationFactor is { } rf) b.Property("table.replication.factor", rf.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return b.Build();
    }

    public static TableDescriptor PrimaryKey(int? buckets = null, int? replicationFactor = null, string? mergeEngine = null)
    {
        var b = TableDescriptor.NewBuilder().Schema(PkSchema());
        if (buckets is { } n) b.DistributedBy(n);
        if (replicationFactor is { } rf) b.Property("table.replication.factor", rf.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (mergeEngine is not null) b.Property("table.merge-engine", mergeEngine);
        return b.Build();
    }
}
