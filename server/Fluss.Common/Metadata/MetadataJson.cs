using System.Text.Json;
using Fluss.Types;

namespace Fluss.Metadata;

/// <summary>Fluss's JSON forms of columns, schemas, table descriptors and database descriptors (all version 1).</summary>
internal static class MetadataJson
{
    private const int Version = 1;

    // ----------------------------------------------------------------------------------------------------------------
    // Column: {"name":..,"data_type":{..},"comment"?:..,"agg_function"?:{"type":..,"parameters"?:{..}},"id":..}
    // ----------------------------------------------------------------------------------------------------------------

    public static void WriteColumn(Utf8JsonWriter w, Column column)
    {
        w.WriteStartObject();
        w.WriteString("name", column.Name);
        w.WritePropertyName("data_type");
        DataTypeJson.Write(w, column.DataType);
        if (column.Comment is not null)
            w.WriteString("comment", column.Comment);
        if (column.AggFunction is { } agg)
        {
            w.WriteStartObject("agg_function");
            w.WriteString("type", agg.TypeName);
            if (agg.HasParameters)
                JsonSupport.WriteStringMap(w, "parameters", agg.Parameters);
            w.WriteEndObject();
        }

        w.WriteNumber("id", column.ColumnId);
        w.WriteEndObject();
    }

    public static Column ReadColumn(JsonElement node)
    {
        const string what = "Column";
        var name = JsonSupport.AsText(JsonSupport.Required(node, "name", what));
        var type = DataTypeJson.Read(JsonSupport.Required(node, "data_type", what));
        var comment = JsonSupport.TryGet(node, "comment", out var c) ? JsonSupport.AsText(c) : null;
        var id = JsonSupport.TryGet(node, "id", out var i) ? JsonSupport.GetInt(i, "id", what) : Schema.UnknownColumnId;
        AggFunction? agg = null;
        if (JsonSupport.TryGet(node, "agg_function", out var a))
        {
            // Unknown function names are ignored, as Fluss does, so that newer schemas stay readable.
            var typeName = JsonSupport.TryGet(a, "type", out var t) ? JsonSupport.AsText(t) : null;
            if (AggFunction.ParseType(typeName) is { } aggType)
            {
                var parameters = JsonSupport.TryGet(a, "parameters", out var p)
                    ? JsonSupport.StringMap(p, "parameters", "Aggregate function").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                    : null;
                agg = new AggFunction(aggType, parameters);
            }
        }

        return new Column(name, type, comment, id, agg);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Schema: {"version":1,"columns":[..],"primary_key"?:[..],"auto_increment_column"?:[..],"highest_field_id":..}
    // ----------------------------------------------------------------------------------------------------------------

    public static void WriteSchema(Utf8JsonWriter w, Schema schema)
    {
        w.WriteStartObject();
        w.WriteNumber("version", Version);
        w.WriteStartArray("columns");
        foreach (var c in schema.Columns)
            WriteColumn(w, c);
        w.WriteEndArray();
        if (schema.PrimaryKey is { } pk)
            JsonSupport.WriteStringArray(w, "primary_key", pk.ColumnNames);
        if (schema.AutoIncrementColumnNames.Count > 0)
            JsonSupport.WriteStringArray(w, "auto_increment_column", schema.AutoIncrementColumnNames);
        w.WriteNumber("highest_field_id", schema.HighestFieldId);
        w.WriteEndObject();
    }

    public static Schema ReadSchema(JsonElement node)
    {
        const string what = "Schema";
        var columnsNode = JsonSupport.Required(node, "columns", what);
        if (columnsNode.ValueKind != JsonValueKind.Array)
            throw new JsonException("Schema JSON field 'columns' must be an array.");
        var columns = columnsNode.EnumerateArray().Select(ReadColumn).ToList();
        var builder = Schema.NewBuilder().FromColumns(columns);
        if (JsonSupport.TryGet(node, "primary_key", out var pk))
            builder.PrimaryKey(JsonSupport.StringArray(pk, "primary_key", what));
        if (JsonSupport.TryGet(node, "auto_increment_column", out var ai))
        {
            foreach (var name in JsonSupport.StringArray(ai, "auto_increment_column", what))
                builder.EnableAutoIncrement(name);
        }

        if (JsonSupport.TryGet(node, "highest_field_id", out var h))
            builder.HighestFieldId(JsonSupport.GetInt(h, "highest_field_id", what));
        return builder.Build();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Table descriptor: {"version":1,"schema":{..},"comment"?:..,"partition_key":[..],"bucket_key"?:[..],
    //                    "bucket_count"?:..,"properties":{..},"custom_properties":{..}}
    // ----------------------------------------------------------------------------------------------------------------

    public static void WriteTableDescriptor(Utf8JsonWriter w, TableDescriptor d)
    {
        w.WriteStartObject();
        w.WriteNumber("version", Version);
        w.WritePropertyName("schema");
        WriteSchema(w, d.Schema);
        if (d.Comment is not null)
            w.WriteString("comment", d.Comment);
        JsonSupport.WriteStringArray(w, "partition_key", d.PartitionKeys);
        if (d.Distribution is { } dist)
        {
            JsonSupport.WriteStringArray(w, "bucket_key", dist.BucketKeys);
            if (dist.BucketCount is { } count)
                w.WriteNumber("bucket_count", count);
        }

        JsonSupport.WriteStringMap(w, "properties", d.Properties);
        JsonSupport.WriteStringMap(w, "custom_properties", d.CustomProperties);
        w.WriteEndObject();
    }

    public static TableDescriptor ReadTableDescriptor(JsonElement node)
    {
        const string what = "Table descriptor";
        var builder = TableDescriptor.NewBuilder().Schema(ReadSchema(JsonSupport.Required(node, "schema", what)));
        if (JsonSupport.TryGet(node, "comment", out var c))
            builder.Comment(JsonSupport.AsText(c));
        builder.PartitionedBy(JsonSupport.StringArray(JsonSupport.Required(node, "partition_key", what), "partition_key", what));
        var hasKeys = JsonSupport.TryGet(node, "bucket_key", out var keysNode);
        var hasCount = JsonSupport.TryGet(node, "bucket_count", out var countNode);
        if (hasKeys || hasCount)
        {
            var keys = hasKeys ? JsonSupport.StringArray(keysNode, "bucket_key", what) : [];
            int? count = hasCount ? JsonSupport.GetInt(countNode, "bucket_count", what) : null;
            builder.DistributedBy(count, keys);
        }

        builder.Properties(JsonSupport.StringMap(JsonSupport.Required(node, "properties", what), "properties", what));
        builder.CustomProperties(JsonSupport.StringMap(JsonSupport.Required(node, "custom_properties", what), "custom_properties", what));
        return builder.Build();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Database descriptor: {"version":1,"comment"?:..,"custom_properties":{..}}
    // ----------------------------------------------------------------------------------------------------------------

    public static void WriteDatabaseDescriptor(Utf8JsonWriter w, DatabaseDescriptor d)
    {
        w.WriteStartObject();
        w.WriteNumber("version", Version);
        if (d.Comment is not null)
            w.WriteString("comment", d.Comment);
        JsonSupport.WriteStringMap(w, "custom_properties", d.CustomProperties);
        w.WriteEndObject();
    }

    public static DatabaseDescriptor ReadDatabaseDescriptor(JsonElement node)
    {
        const string what = "Database descriptor";
        var builder = DatabaseDescriptor.NewBuilder();
        if (JsonSupport.TryGet(node, "comment", out var c))
            builder.Comment(JsonSupport.AsText(c));
        if (JsonSupport.TryGet(node, "custom_properties", out var p))
            builder.CustomProperties(JsonSupport.StringMap(p, "custom_properties", what));
        return builder.Build();
    }
}
