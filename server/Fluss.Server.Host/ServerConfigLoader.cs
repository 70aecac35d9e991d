using Fluss.Config;
using YamlDotNet.RepresentationModel;

namespace Fluss.Server.Host;

/// <summary>
/// Server configuration from a YAML file with Fluss's key names (flat <c>data.dir: /var/fluss</c> or nested
/// mappings, flattened with dots) and <c>-D key=value</c> overrides, which win over the file.
/// </summary>
internal static class ServerConfigLoader
{
    public static Configuration Load(string? yamlPath, IEnumerable<string> overrides)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (yamlPath is not null)
        {
            if (!File.Exists(yamlPath)) throw new FileNotFoundException($"configuration file {yamlPath} does not exist", yamlPath);
            var yaml = new YamlStream();
            using (var reader = new StreamReader(yamlPath)) yaml.Load(reader);
            if (yaml.Documents.Count > 0 && yaml.Documents[0].RootNode is YamlMappingNode root) Flatten(root, "", entries, yamlPath);
        }
        foreach (var kv in overrides)
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"-D expects key=value, got '{kv}'");
            entries[kv[..eq].Trim()] = kv[(eq + 1)..].Trim();
        }
        return Configuration.FromDictionary(entries);
    }

    private static void Flatten(YamlMappingNode node, string prefix, Dictionary<string, string> entries, string file)
    {
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = prefix + ((YamlScalarNode)keyNode).Value;
            switch (valueNode)
            {
                case YamlScalarNode scalar:
                    entries[key] = scalar.Value ?? "";
                    break;
                case YamlMappingNode mapping:
                    Flatten(mapping, key + ".", entries, file);
                    break;
                case YamlSequenceNode seq:
                    entries[key] = string.Join(",", seq.Children.OfType<YamlScalarNode>().Select(s => s.Value));
                    break;
                default:
                    throw new FormatException($"{file}: unsupported value for key '{key}'");
            }
        }
    }
}
