using System.Globalization;
using System.Text;
using Fluss.Config;
using Fluss.Metadata;

namespace Fluss.Coordinator.Store;

/// <summary>A database as stored at <c>/metadata/databases/{db}</c>: Fluss's DatabaseRegistration JSON v1.</summary>
internal sealed record DatabaseRegistration(string? Comment, IReadOnlyDictionary<string, string> CustomProperties, long CreatedTime, long ModifiedTime)
{
    private const string What = "Database registration";

    public static DatabaseRegistration Of(DatabaseDescriptor descriptor, long nowMs) =>
        new(descriptor.Comment, new OrderedDictionary<string, string>(descriptor.CustomProperties, StringComparer.Ordinal), nowMs, nowMs);

    public DatabaseDescriptor ToDescriptor() =>
        DatabaseDescriptor.NewBuilder().Comment(Comment).CustomProperties(CustomProperties).Build();

    /// <summary><c>{"version":1,"comment"?:..,"custom_properties":{..},"created_time":..,"modified_time":..}</c></summary>
    public byte[] ToJson() => JsonNodes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        if (Comment is not null) w.WriteString("comment", Comment);
        JsonNodes.WriteStringMap(w, "custom_properties", CustomProperties);
        w.WriteNumber("created_time", CreatedTime);
        w.WriteNumber("modified_time", ModifiedTime);
        w.WriteEndObject();
    });

    public static DatabaseRegistration FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node => new DatabaseRegistration(
        JsonNodes.OptionalText(node, "comment"),
        JsonNodes.StringMap(node, "custom_properties", What),
        JsonNodes.Long(node, "created_time", What),
        JsonNodes.Long(node, "modified_time", What)));
}

/// <summary>
/// A table as stored at <c>/metadata/databases/{db}/tables/{table}</c>: Fluss's TableRegistration JSON v1 (the schema
/// lives in the <c>schemas/{id}</c> children).
/// </summary>
internal sealed record TableRegistration(
    long TableId,
    string? Comment,
    IReadOnlyList<string> PartitionKeys,
    IReadOnlyList<string> BucketKeys,
    int BucketCount,
    IReadOnlyDictionary<string, string> Properties,
    IReadOnlyDictionary<string, string> CustomProperties,
    string? RemoteDataDir,
    long CreatedTime,
    long ModifiedTime)
{
    private const string What = "Table registration";

    public static TableRegistration NewTable(long tableId, string? remoteDataDir, TableDescriptor descriptor, long nowMs)
    {
        var count = descriptor.BucketCount ?? throw new ArgumentException("The table descriptor has no bucket count.", nameof(descriptor));
        return new TableRegistration(tableId, descriptor.Comment, descriptor.PartitionKeys, descriptor.BucketKeys, count,
            descriptor.Properties, descriptor.CustomProperties, remoteDataDir, nowMs, nowMs);
    }

    public TableInfo ToTableInfo(TablePath path, int schemaId, Schema schema) =>
        new(path, TableId, schemaId, schema, BucketKeys, PartitionKeys, BucketCount, Properties, CustomProperties, RemoteDataDir, Comment, CreatedTime, ModifiedTime);

    public byte[] ToJson() => JsonNodes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteNumber("table_id", TableId);
        if (Comment is not null) w.WriteString("comment", Comment);
        if (PartitionKeys.Count > 0) JsonNodes.WriteStrings(w, "partition_key", PartitionKeys);
        if (BucketKeys.Count > 0) JsonNodes.WriteStrings(w, "bucket_key", BucketKeys);
        w.WriteNumber("bucket_count", BucketCount);
        JsonNodes.WriteStringMap(w, "properties", Properties);
        JsonNodes.WriteStringMap(w, "custom_properties", CustomProperties);
        if (RemoteDataDir is not null) w.WriteString("remote_data_dir", RemoteDataDir);
        w.WriteNumber("created_time", CreatedTime);
        w.WriteNumber("modified_time", ModifiedTime);
        w.WriteEndObject();
    });

    public static TableRegistration FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node => new TableRegistration(
        JsonNodes.Long(node, "table_id", What),
        JsonNodes.OptionalText(node, "comment"),
        JsonNodes.Strings(node, "partition_key", What),
        JsonNodes.Strings(node, "bucket_key", What),
        JsonNodes.Int(node, "bucket_count", What),
        JsonNodes.StringMap(node, "properties", What),
        JsonNodes.StringMap(node, "custom_properties", What),
        JsonNodes.OptionalText(node, "remote_data_dir"),
        JsonNodes.Long(node, "created_time", What),
        JsonNodes.Long(node, "modified_time", What)));
}

/// <summary>The replicas of every bucket of a table, as stored at <c>/tabletservers/tables/{tableId}</c> (TableAssignment JSON v1).</summary>
internal sealed class TableAssignment : IEquatable<TableAssignment>
{
    private const string What = "Table assignment";

    public TableAssignment(IReadOnlyDictionary<int, IReadOnlyList<int>> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        Buckets = new SortedDictionary<int, IReadOnlyList<int>>(buckets.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)[.. kv.Value]));
    }

    /// <summary>Replica server ids per bucket id, ordered by bucket id; the first replica is the preferred leader.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> Buckets { get; }

    public IReadOnlyList<int> Replicas(int bucket) => Buckets.TryGetValue(bucket, out var r) ? r : [];

    /// <summary><c>{"version":1,"buckets":{"0":[1,2],"1":[2,0]}}</c></summary>
    public byte[] ToJson() => JsonNodes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteStartObject("buckets");
        foreach (var (bucket, replicas) in Buckets)
            JsonNodes.WriteInts(w, bucket.ToString(CultureInfo.InvariantCulture), replicas);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static TableAssignment FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node =>
    {
        var buckets = JsonNodes.Required(node, "buckets", What);
        if (buckets.ValueKind != System.Text.Json.JsonValueKind.Object)
            throw new InvalidDataException($"{What} field 'buckets' must be an object.");
        var map = new Dictionary<int, IReadOnlyList<int>>();
        foreach (var p in buckets.EnumerateObject())
        {
            if (!int.TryParse(p.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                throw new InvalidDataException($"{What} has a bucket id '{p.Name}' that is not an integer.");
            map[id] = JsonNodes.Ints(p.Value, "buckets." + p.Name, What);
        }
        return new TableAssignment(map);
    });

    public bool Equals(TableAssignment? other) =>
        other is not null && other.Buckets.Count == Buckets.Count
        && Buckets.All(kv => other.Buckets.TryGetValue(kv.Key, out var r) && r.SequenceEqual(kv.Value));

    public override bool Equals(object? obj) => obj is TableAssignment a && Equals(a);

    public override int GetHashCode() => Buckets.Count;

    public override string ToString() =>
        "{" + string.Join(", ", Buckets.Select(kv => kv.Key.ToString(CultureInfo.InvariantCulture) + "=[" + string.Join(",", kv.Value) + "]")) + "}";
}

/// <summary>
/// Leader, ISR and epochs of a bucket, as stored at <c>.../buckets/{b}/leader_isr</c> (Fluss's LeaderAndIsr JSON v2).
/// <see cref="LeaderEpoch"/> grows on every leader change, <see cref="BucketEpoch"/> on every change of leader or ISR.
/// </summary>
internal sealed record LeaderAndIsr(int Leader, int LeaderEpoch, IReadOnlyList<int> Isr, IReadOnlyList<int> StandbyReplicas, int CoordinatorEpoch, int BucketEpoch)
{
    /// <summary>The leader id of a bucket without a live leader.</summary>
    public const int NoLeader = -1;

    private const string What = "LeaderAndIsr";

    public bool HasLeader => Leader != NoLeader;

    /// <summary>A new leader (leader epoch and bucket epoch + 1), written by the coordinator of <paramref name="coordinatorEpoch"/>.</summary>
    public LeaderAndIsr WithNewLeader(int leader, IReadOnlyList<int> isr, IReadOnlyList<int> standbyReplicas, int coordinatorEpoch) =>
        new(leader, LeaderEpoch + 1, [.. isr], [.. standbyReplicas], coordinatorEpoch, BucketEpoch + 1);

    /// <summary>Same leader, a new ISR (bucket epoch + 1).</summary>
    public LeaderAndIsr WithIsr(IReadOnlyList<int> isr, int coordinatorEpoch) =>
        this with { Isr = [.. isr], CoordinatorEpoch = coordinatorEpoch, BucketEpoch = BucketEpoch + 1 };

    /// <summary><c>{"version":2,"leader":..,"leader_epoch":..,"isr":[..],"coordinator_epoch":..,"bucket_epoch":..,"standby_replicas":[..]}</c></summary>
    public byte[] ToJson() => JsonNodes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 2);
        w.WriteNumber("leader", Leader);
        w.WriteNumber("leader_epoch", LeaderEpoch);
        JsonNodes.WriteInts(w, "isr", Isr);
        w.WriteNumber("coordinator_epoch", CoordinatorEpoch);
        w.WriteNumber("bucket_epoch", BucketEpoch);
        JsonNodes.WriteInts(w, "standby_replicas", StandbyReplicas);
        w.WriteEndObject();
    });

    /// <summary>Reads version 1 (no standby replicas) and version 2.</summary>
    public static LeaderAndIsr FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node =>
    {
        var version = JsonNodes.Int(node, "version", What);
        var standby = version >= 2 && JsonNodes.TryGet(node, "standby_replicas", out var s) ? JsonNodes.Ints(s, "standby_replicas", What) : [];
        return new LeaderAndIsr(
            JsonNodes.Int(node, "leader", What),
            JsonNodes.Int(node, "leader_epoch", What),
            JsonNodes.Ints(JsonNodes.Required(node, "isr", What), "isr", What),
            standby,
            JsonNodes.Int(node, "coordinator_epoch", What),
            JsonNodes.Int(node, "bucket_epoch", What));
    });

    public bool Equals(LeaderAndIsr? other) =>
        other is not null && other.Leader == Leader && other.LeaderEpoch == LeaderEpoch && other.Isr.SequenceEqual(Isr)
        && other.StandbyReplicas.SequenceEqual(StandbyReplicas) && other.CoordinatorEpoch == CoordinatorEpoch && other.BucketEpoch == BucketEpoch;

    public override int GetHashCode() => HashCode.Combine(Leader, LeaderEpoch, BucketEpoch, Isr.Count);

    public override string ToString() =>
        $"LeaderAndIsr{{leader={Leader}, leaderEpoch={LeaderEpoch}, isr=[{string.Join(",", Isr)}], standby=[{string.Join(",", StandbyReplicas)}], coordinatorEpoch={CoordinatorEpoch}, bucketEpoch={BucketEpoch}}}";
}

/// <summary>One listener of a server: <c>NAME://host:port</c>.</summary>
internal readonly record struct Listener(string Name, string Host, int Port)
{
    public override string ToString() => $"{Name}://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>NAME://host:port[,NAME2://host:port]</c> (IPv6 hosts in brackets); throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static List<Listener> ParseList(string? text)
    {
        var result = new List<Listener>();
        if (string.IsNullOrWhiteSpace(text)) return result;
        foreach (var raw in text.Split(','))
        {
            var entry = raw.Trim();
            var sep = entry.IndexOf("://", StringComparison.Ordinal);
            var colon = entry.LastIndexOf(':');
            if (sep <= 0 || colon <= sep + 2)
                throw new FormatException($"'{entry}' is not a listener; expected NAME://host:port, for example {ConfigOptions.DefaultListenerName}://127.0.0.1:9123");
            var host = entry[(sep + 3)..colon];
            if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
            if (!int.TryParse(entry[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
                throw new FormatException($"'{entry}' has an invalid port; expected 0 to 65535");
            result.Add(new Listener(entry[..sep], host, port));
        }
        if (result.Select(l => l.Name).Distinct(StringComparer.Ordinal).Count() != result.Count)
            throw new FormatException($"Each listener must have a different name, listeners: {text}");
        return result;
    }

    public static string FormatList(IEnumerable<Listener> listeners) => string.Join(",", listeners);
}

/// <summary>A tablet server's ephemeral registration at <c>/tabletservers/ids/{id}</c> (Fluss's TabletServerRegistration JSON v4).</summary>
internal sealed record TabletServerRegistration(IReadOnlyList<Listener> Listeners, long RegisterTimestamp, string? Rack, double? CpuCores = null, long? MemoryBytes = null)
{
    private const string What = "Tablet server registration";

    /// <summary><c>{"version":4,"listeners":"FLUSS://host:port","register_timestamp":..,"rack"?:..,"cpu_cores"?:..,"memory_bytes"?:..}</c></summary>
    public byte[] ToJson() => JsonNodes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 4);
        w.WriteString("listeners", Listener.FormatList(Listeners));
        w.WriteNumber("register_timestamp", RegisterTimestamp);
        if (Rack is not null) w.WriteString("rack", Rack);
        if (CpuCores is { } cpu) w.WriteNumber("cpu_cores", cpu);
        if (MemoryBytes is { } mem) w.WriteNumber("memory_bytes", mem);
        w.WriteEndObject();
    });

    /// <summary>Reads versions 1 (host, port) to 4.</summary>
    public static TabletServerRegistration FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node =>
    {
        var version = JsonNodes.Int(node, "version", What);
        var listeners = version == 1
            ? [new Listener(ConfigOptions.DefaultListenerName, JsonNodes.Text(JsonNodes.Required(node, "host", What)), JsonNodes.Int(node, "port", What))]
            : Listener.ParseList(JsonNodes.Text(JsonNodes.Required(node, "listeners", What)));
        var rack = version >= 3 ? JsonNodes.OptionalText(node, "rack") : null;
        double? cpu = version >= 4 && JsonNodes.TryGet(node, "cpu_cores", out var c) ? c.GetDouble() : null;
        long? mem = version >= 4 && JsonNodes.TryGet(node, "memory_bytes", out var m) ? m.GetInt64() : null;
        return new TabletServerRegistration(listeners, JsonNodes.Long(node, "register_timestamp", What), rack, cpu, mem);
    });

    public bool Equals(TabletServerRegistration? other) =>
        other is not null && other.Listeners.SequenceEqual(Listeners) && other.RegisterTimestamp == RegisterTimestamp && other.Rack == Rack
        && other.CpuCores == CpuCores && other.MemoryBytes == MemoryBytes;

    public override int GetHashCode() => HashCode.Combine(RegisterTimestamp, Rack, Listeners.Count);
}

/// <summary>The coordinator epoch node: the epoch as a decimal string.</summary>
internal static class CoordinatorEpochNode
{
    public static byte[] Encode(int epoch) => Encoding.UTF8.GetBytes(epoch.ToString(CultureInfo.InvariantCulture));

    public static int Decode(string path, ReadOnlySpan<byte> data) =>
        int.TryParse(Encoding.UTF8.GetString(data), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var epoch)
            ? epoch
            : throw new InvalidDataException($"The coordinator epoch node {path} does not hold a decimal integer.");
}
