using System.Text.Json;

namespace Fluss.Types;

/// <summary>
/// Fluss's JSON form of data types (the <c>data_type</c> of schema columns), for example
/// <c>{"type":"DECIMAL","nullable":false,"precision":10,"scale":2}</c>. <c>nullable</c> is written only when false;
/// ROW fields carry <c>name</c>, <c>field_type</c>, an optional <c>description</c> and <c>field_id</c>.
/// Malformed input throws <see cref="JsonException"/>.
/// </summary>
public static class DataTypeJson
{
    private const string What = "Data type";

    public static string Serialize(DataType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return JsonSupport.Write(w => Write(w, type));
    }

    public static byte[] SerializeToUtf8Bytes(DataType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return JsonSupport.WriteBytes(w => Write(w, type));
    }

    public static DataType Deserialize(string json) => JsonSupport.Read(json, What, Read);

    public static DataType Deserialize(ReadOnlySpan<byte> utf8Json) => JsonSupport.Read(utf8Json, What, Read);

    internal static void Write(Utf8JsonWriter w, DataType type)
    {
        w.WriteStartObject();
        w.WriteString("type", type.Root.ToFlussName());
        if (!type.IsNullable)
            w.WriteBoolean("nullable", false);
        switch (type)
        {
            case CharType c:
                w.WriteNumber("length", c.Length);
                break;
            case BinaryType b:
                w.WriteNumber("length", b.Length);
                break;
            case DecimalType d:
                w.WriteNumber("precision", d.Precision);
                w.WriteNumber("scale", d.Scale);
                break;
            case TimeType t:
                w.WriteNumber("precision", t.Precision);
                break;
            case TimestampType t:
                w.WriteNumber("precision", t.Precision);
                break;
            case LocalZonedTimestampType t:
                w.WriteNumber("precision", t.Precision);
                break;
            case ArrayType a:
                w.WritePropertyName("element_type");
                Write(w, a.ElementType);
                break;
            case MapType m:
                w.WritePropertyName("key_type");
                Write(w, m.KeyType);
                w.WritePropertyName("value_type");
                Write(w, m.ValueType);
                break;
            case RowType r:
                w.WriteStartArray("fields");
                foreach (var f in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("field_type");
                    Write(w, f.Type);
                    if (f.Description is not null)
                        w.WriteString("description", f.Description);
                    w.WriteNumber("field_id", f.FieldId);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    internal static DataType Read(JsonElement node)
    {
        var typeName = JsonSupport.AsText(JsonSupport.Required(node, "type", What));
        if (!DataTypeRoots.TryParseFlussName(typeName, out var root))
            throw new JsonException($"Unknown data type '{typeName}' in JSON; expected one of {DataTypeRoots.FormatList(Enum.GetValues<DataTypeRoot>())}.");
        var nullable = true;
        if (JsonSupport.TryGet(node, "nullable", out var n))
        {
            nullable = n.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new JsonException($"Data type JSON field 'nullable' must be a boolean, got {n.GetRawText()}."),
            };
        }

        try
        {
            return ReadRoot(node, root).Copy(nullable);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"Invalid {typeName} in data type JSON: {e.Message}", e);
        }
    }

    private static int Int(JsonElement node, string property, string typeName) =>
        JsonSupport.GetInt(JsonSupport.Required(node, property, $"{typeName} data type"), property, $"{typeName} data type");

    private static DataType ReadRoot(JsonElement node, DataTypeRoot root)
    {
        var name = root.ToFlussName();
        switch (root)
        {
            case DataTypeRoot.Boolean: return new BooleanType();
            case DataTypeRoot.TinyInt: return new TinyIntType();
            case DataTypeRoot.SmallInt: return new SmallIntType();
            case DataTypeRoot.Int: return new IntType();
            case DataTypeRoot.BigInt: return new BigIntType();
            case DataTypeRoot.Float: return new FloatType();
            case DataTypeRoot.Double: return new DoubleType();
            case DataTypeRoot.Date: return new DateType();
            case DataTypeRoot.String: return new StringType();
            case DataTypeRoot.Bytes: return new BytesType();
            case DataTypeRoot.Char: return new CharType(Int(node, "length", name));
            case DataTypeRoot.Binary: return new BinaryType(Int(node, "length", name));
            case DataTypeRoot.Decimal: return new DecimalType(Int(node, "precision", name), Int(node, "scale", name));
            case DataTypeRoot.Time: return new TimeType(Int(node, "precision", name));
            case DataTypeRoot.Timestamp: return new TimestampType(Int(node, "precision", name));
            case DataTypeRoot.TimestampLtz: return new LocalZonedTimestampType(Int(node, "precision", name));
            case DataTypeRoot.Array: return new ArrayType(Read(JsonSupport.Required(node, "element_type", "ARRAY data type")));
            case DataTypeRoot.Map:
                return new MapType(
                    Read(JsonSupport.Required(node, "key_type", "MAP data type")),
                    Read(JsonSupport.Required(node, "value_type", "MAP data type")));
            case DataTypeRoot.Row:
                {
                    var fieldsNode = JsonSupport.Required(node, "fields", "ROW data type");
                    if (fieldsNode.ValueKind != JsonValueKind.Array)
                        throw new JsonException("ROW data type JSON field 'fields' must be an array.");
                    var fields = new List<DataField>(fieldsNode.GetArrayLength());
                    foreach (var f in fieldsNode.EnumerateArray())
                    {
                        var fieldName = JsonSupport.AsText(JsonSupport.Required(f, "name", "ROW field"));
                        var fieldType = Read(JsonSupport.Required(f, "field_type", "ROW field"));
                        var description = JsonSupport.TryGet(f, "description", out var d) ? JsonSupport.AsText(d) : null;
                        var fieldId = JsonSupport.TryGet(f, "field_id", out var id) ? JsonSupport.GetInt(id, "field_id", "ROW field") : -1;
                        fields.Add(new DataField(fieldName, fieldType, fieldId, description));
                    }

                    return new RowType(fields);
                }

            default:
                throw new JsonException($"Unsupported data type root {name}.");
        }
    }
}
