using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fluss.Types;

namespace Fluss.Lake.Paimon.Schema;

/// <summary>
/// Paimon's JSON form of data types: atomic types as SQL strings (<c>INT NOT NULL</c>, <c>DECIMAL(10, 2)</c>,
/// <c>TIMESTAMP(3) WITH LOCAL TIME ZONE</c>), ARRAY/MAP/ROW as objects. Types Fluss has no equivalent for
/// (VARIANT, BLOB, MULTISET, VECTOR) parse to null with their name, so a table using them can still be opened and
/// read without those columns.
/// </summary>
internal static partial class PaimonTypes
{
    public static void Write(Utf8JsonWriter w, DataType type)
    {
        switch (type)
        {
            case ArrayType a:
                w.WriteStartObject();
                w.WriteString("type", Nullable("ARRAY", a));
                w.WritePropertyName("element");
                Write(w, a.ElementType);
                w.WriteEndObject();
                break;
            case MapType m:
                w.WriteStartObject();
                w.WriteString("type", Nullable("MAP", m));
                w.WritePropertyName("key");
                Write(w, m.KeyType);
                w.WritePropertyName("value");
                Write(w, m.ValueType);
                w.WriteEndObject();
                break;
            case RowType r:
                w.WriteStartObject();
                w.WriteString("type", Nullable("ROW", r));
                w.WriteStartArray("fields");
                foreach (var f in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", f.FieldId);
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("type");
                    Write(w, f.Type);
                    if (f.Description is not null) w.WriteString("description", f.Description);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                break;
            default:
                w.WriteStringValue(AtomicString(type));
                break;
        }
    }

    private static string Nullable(string body, DataType type) => type.IsNullable ? body : body + " NOT NULL";

    /// <summary>The SQL string of an atomic type, as Paimon writes it.</summary>
    public static string AtomicString(DataType type)
    {
        var body = type switch
        {
            BooleanType => "BOOLEAN",
            TinyIntType => "TINYINT",
            SmallIntType => "SMALLINT",
            IntType => "INT",
            BigIntType => "BIGINT",
            FloatType => "FLOAT",
            DoubleType => "DOUBLE",
            CharType c => $"CHAR({c.Length})",
            StringType => "STRING",
            BinaryType b => $"BINARY({b.Length})",
            BytesType => "BYTES",
            DecimalType d => $"DECIMAL({d.Precision}, {d.Scale})",
            DateType => "DATE",
            TimeType t => $"TIME({t.Precision})",
            TimestampType t => $"TIMESTAMP({t.Precision})",
            LocalZonedTimestampType t => $"TIMESTAMP({t.Precision}) WITH LOCAL TIME ZONE",
            _ => throw new NotSupportedException($"Type {type} has no Paimon atomic type string."),
        };
        return Nullable(body, type);
    }

    /// <summary>A parsed type: the Fluss type, or null with the name of a Paimon type Fluss cannot represent.</summary>
    public readonly record struct Parsed(DataType? Type, string? Unsupported);

    public static Parsed Read(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.String) return ParseAtomic(node.GetString()!);
        if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("type", out var typeNode) || typeNode.ValueKind != JsonValueKind.String)
            throw new PaimonException($"Invalid Paimon data type JSON: {node.GetRawText()}.");
        var typeText = typeNode.GetString()!.Trim();
        var nullable = !typeText.EndsWith(" NOT NULL", StringComparison.OrdinalIgnoreCase);
        var name = (nullable ? typeText : typeText[..^" NOT NULL".Length]).Trim().ToUpperInvariant();
        switch (name)
        {
            case "ARRAY":
                {
                    var element = Read(Required(node, "element"));
                    return element.Type is null ? new Parsed(null, element.Unsupported) : new Parsed(new ArrayType(element.Type, nullable), null);
                }
            case "MAP":
                {
                    var key = Read(Required(node, "key"));
                    var value = Read(Required(node, "value"));
                    if (key.Type is null) return key;
                    if (value.Type is null) return value;
                    return new Parsed(new MapType(key.Type, value.Type, nullable), null);
                }
            case "ROW":
                {
                    var fields = new List<DataField>();
                    foreach (var f in Required(node, "fields").EnumerateArray())
                    {
                        var field = ReadField(f);
                        if (field.Type.Type is null) return field.Type;
                        fields.Add(new DataField(field.Name, field.Type.Type, field.Id, field.Description));
                    }
                    return new Parsed(new RowType(fields, nullable), null);
                }
            default:
                // MULTISET, VECTOR and anything newer.
                return new Parsed(null, name);
        }
    }

    public static (int Id, string Name, Parsed Type, string? Description) ReadField(JsonElement f)
    {
        var id = Required(f, "id").GetInt32();
        var name = Required(f, "name").GetString() ?? throw new PaimonException("A Paimon schema field has a null name.");
        var type = Read(Required(f, "type"));
        var description = f.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        return (id, name, type, description);
    }

    private static JsonElement Required(JsonElement node, string name) =>
        node.TryGetProperty(name, out var v) ? v : throw new PaimonException($"Paimon data type JSON lacks '{name}': {node.GetRawText()}.");

    [GeneratedRegex(@"^\s*([A-Za-z_]+(?:\s+[A-Za-z_]+)*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(WITH\s+LOCAL\s+TIME\s+ZONE)?\s*(NOT\s+NULL)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AtomicPattern();

    public static Parsed ParseAtomic(string text)
    {
        var m = AtomicPattern().Match(text);
        if (!m.Success) throw new PaimonException($"Unknown Paimon data type '{text}'.");
        var name = Regex.Replace(m.Groups[1].Value.Trim().ToUpperInvariant(), @"\s+", " ");
        int? a = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : null;
        int? b = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : null;
        var ltz = m.Groups[4].Success;
        var nullable = !m.Groups[5].Success;
        if (name.EndsWith(" NOT NULL", StringComparison.Ordinal))
        {
            // "STRING NOT NULL": the lazy name group may have swallowed the suffix.
            name = name[..^" NOT NULL".Length];
            nullable = false;
        }
        DataType? type = name switch
        {
            "BOOLEAN" => new BooleanType(nullable),
            "TINYINT" => new TinyIntType(nullable),
            "SMALLINT" => new SmallIntType(nullable),
            "INT" or "INTEGER" => new IntType(nullable),
            "BIGINT" => new BigIntType(nullable),
            "FLOAT" => new FloatType(nullable),
            "DOUBLE" or "DOUBLE PRECISION" => new DoubleType(nullable),
            "CHAR" => new CharType(a ?? 1, nullable),
            "VARCHAR" or "STRING" => new StringType(nullable),
            "BINARY" => new BinaryType(a ?? 1, nullable),
            "VARBINARY" or "BYTES" => new BytesType(nullable),
            "DECIMAL" or "NUMERIC" or "DEC" => new DecimalType(a ?? 10, b ?? 0, nullable),
            "DATE" => new DateType(nullable),
            "TIME" => new TimeType(a ?? 0, nullable),
            "TIMESTAMP" when ltz => new LocalZonedTimestampType(a ?? 6, nullable),
            "TIMESTAMP" => new TimestampType(a ?? 6, nullable),
            "TIMESTAMP_LTZ" => new LocalZonedTimestampType(a ?? 6, nullable),
            _ => null,
        };
        return type is null ? new Parsed(null, name) : new Parsed(type, null);
    }
}
