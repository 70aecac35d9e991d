using System.Xml.Linq;

namespace Fluss.Architecture.Tests;

/// <summary>
/// The dependency direction of the solution: Common &lt;- Rpc, MetadataStore, Storage &lt;- Client, Coordinator,
/// TabletServer &lt;- Lake.Paimon, Tiering, UnionRead &lt;- DuckDB, Data, Cli &lt;- hosts, tests, samples.
/// A project may reference only projects of a lower layer, plus the few same-layer edges listed here; the client
/// SDK never references server projects.
/// </summary>
public static class DependencyRules
{
    /// <summary>Layer of each library project; hosts, tests, benchmarks and samples sit above all of them.</summary>
    public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Fluss.Common"] = 0,
        ["Fluss.Rpc"] = 1,
        ["Fluss.MetadataStore"] = 1,
        ["Fluss.Storage"] = 1,
        ["Fluss.Client"] = 2,
        ["Fluss.Coordinator"] = 2,
        ["Fluss.TabletServer"] = 2,
        ["Fluss.Lake.Paimon"] = 3,
        ["Fluss.Tiering"] = 3,
        ["Fluss.UnionRead"] = 3,
        ["Fluss.DuckDB"] = 4,
        ["Fluss.Data"] = 4,
        ["Fluss.Cli"] = 4,
        ["Fluss.LocalCluster"] = 4,
        ["Fluss.Testing"] = 4,
    };

    /// <summary>The top layer: composition roots (hosts), tests, benchmarks and samples.</summary>
    public const int TopLayer = 5;

    /// <summary>Same-layer references that the design allows (from -> to).</summary>
    public static readonly IReadOnlySet<(string From, string To)> AllowedSameLayer = new HashSet<(string, string)>
    {
        ("Fluss.Data", "Fluss.DuckDB"),
        ("Fluss.Cli", "Fluss.Data"),
        ("Fluss.Cli", "Fluss.DuckDB"),
        ("Fluss.Cli", "Fluss.LocalCluster"),
        ("Fluss.Testing", "Fluss.LocalCluster"),
    };

    /// <summary>Projects the public client SDK may reference; it never sees server internals.</summary>
    public static readonly IReadOnlySet<string> ClientMayReference = new HashSet<string>(StringComparer.Ordinal) { "Fluss.Common", "Fluss.Rpc" };

    public static int LayerOf(string project) => Layers.TryGetValue(project, out var layer) ? layer : TopLayer;

    /// <summary>Every violation in a reference graph (project -> referenced projects), as readable sentences.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, IReadOnlyList<string>> graph)
    {
        var problems = new List<string>();
        foreach (var (from, refs) in graph)
        {
            foreach (var to in refs)
            {
                var lf = LayerOf(from);
                var lt = LayerOf(to);
                if (lt == TopLayer)
                    problems.Add($"{from} references {to}, which is a host, test or sample project; nothing may depend on those.");
                else if (from == "Fluss.Client" && !ClientMayReference.Contains(to))
                    problems.Add($"Fluss.Client references {to}; the client SDK may reference only {string.Join(", ", ClientMayReference)}.");
                else if (lt > lf || (lt == lf && !AllowedSameLayer.Contains((from, to))))
                    problems.Add($"{from} (layer {lf}) references {to} (layer {lt}); references must point to a lower layer.");
            }
        }
        return problems;
    }

    /// <summary>Reads every *.csproj under the given roots into a graph of project name -> referenced project names.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadGraph(string repoRoot, IEnumerable<string> folders)
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            var dir = Path.Combine(repoRoot, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var csproj in Directory.EnumerateFiles(dir, "*.csproj", SearchOption.AllDirectories))
            {
                if (csproj.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                var doc = XDocument.Load(csproj);
                // A reference with ReferenceOutputAssembly="false" only orders the build (process tests start the
                // real executables); it creates no code dependency, so it is not an edge of the graph.
                var refs = doc.Descendants("ProjectReference")
                    .Where(e => !string.Equals((string?)e.Attribute("ReferenceOutputAssembly"), "false", StringComparison.OrdinalIgnoreCase))
                    .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToList();
                graph[Path.GetFileNameWithoutExtension(csproj)] = refs;
            }
        }
        return graph;
    }

    /// <summary>The repository root: the nearest ancestor holding Fluss.Lake.sln.</summary>
    public static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fluss.Lake.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Fluss.Lake.sln not found above the test's directory.");
    }
}
