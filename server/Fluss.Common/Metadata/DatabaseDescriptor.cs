using System.Text.Json;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>What is needed to create a database: an optional comment and custom properties.</summary>
public sealed class DatabaseDescriptor : IEquatable<DatabaseDescriptor>
{
    private DatabaseDescriptor(string? comment, IEnumerable<KeyValuePair<string, string>> customProperties)
    {
        Comment = comment;
        var copy = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in customProperties)
            copy[k] = v;
        CustomProperties = copy;
    }

    public static DatabaseDescriptor Empty { get; } = NewBuilder().Build();

    public string? Comment { get; }

    public IReadOnlyDictionary<string, string> CustomProperties { get; }

    public static Builder NewBuilder() => new();

    /// <summary>Fluss's database JSON v1: <c>{"version":1,"comment":...,"custom_properties":{...}}</c>.</summary>
    public string ToJson() => JsonSupport.Write(w => MetadataJson.WriteDatabaseDescriptor(w, this));

    public byte[] ToJsonBytes() => JsonSupport.WriteBytes(w => MetadataJson.WriteDatabaseDescriptor(w, this));

    /// <summary>Reads the JSON form; throws <see cref="JsonException"/> when it is malformed.</summary>
    public static DatabaseDescriptor FromJson(string json) => JsonSupport.Read(json, "Database descriptor", MetadataJson.ReadDatabaseDescriptor);

    public static DatabaseDescriptor FromJson(ReadOnlySpan<byte> utf8Json) => JsonSupport.Read(utf8Json, "Database descriptor", MetadataJson.ReadDatabaseDescriptor);

    public bool Equals(DatabaseDescriptor? other) =>
        other is not null && other.Comment == Comment && TableDescriptor.SameEntries(CustomProperties, other.CustomProperties);

    public override bool Equals(object? obj) => obj is DatabaseDescriptor d && Equals(d);

    public override int GetHashCode() => HashCode.Combine(Comment, CustomProperties.Count);

    public override string ToString() =>
        $"DatabaseDescriptor{{comment='{Comment}', customProperties={{{string.Join(", ", CustomProperties.Select(kv => kv.Key + "=" + kv.Value))}}}}}";

    public sealed class Builder
    {
        private readonly OrderedDictionary<string, string> _customProperties = new(StringComparer.Ordinal);
        private string? _comment;

        internal Builder() { }

        public Builder Comment(string? comment)
        {
            _comment = comment;
            return this;
        }

        public Builder CustomProperty(string key, string value)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            _customProperties[key] = value;
            return this;
        }

        public Builder CustomProperties(IEnumerable<KeyValuePair<string, string>> properties)
        {
            ArgumentNullException.ThrowIfNull(properties);
            foreach (var (k, v) in properties)
                CustomProperty(k, v);
            return this;
        }

        public DatabaseDescriptor Build() => new(_comment, _customProperties);
    }
}
