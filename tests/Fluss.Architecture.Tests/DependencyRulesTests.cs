namespace Fluss.Architecture.Tests;

public class DependencyRulesTests
{
    private static readonly string[] SourceFolders = ["server", "tiering", "unionread", "connectors", "tests", "samples"];

    [Fact]
    public void Solution_ProjectReferences_FollowTheLayering()
    {
        var graph = DependencyRules.ReadGraph(DependencyRules.FindRepoRoot(), SourceFolders);
        Assert.Contains("Fluss.Common", graph.Keys);
        var violations = DependencyRules.Violations(graph);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Solution_EveryLibraryUnderSourceFolders_HasALayer()
    {
        var root = DependencyRules.FindRepoRoot();
        var libraries = DependencyRules.ReadGraph(root, ["server", "tiering", "unionread", "connectors"]).Keys
            .Where(p => !p.EndsWith(".Host", StringComparison.Ordinal));
        foreach (var project in libraries)
            Assert.True(DependencyRules.Layers.ContainsKey(project), $"{project} has no layer in DependencyRules.Layers; add it where the design puts it.");
    }

    [Theory]
    [InlineData("Fluss.Common", "Fluss.Client")]
    [InlineData("Fluss.Client", "Fluss.Storage")]
    [InlineData("Fluss.Client", "Fluss.Coordinator")]
    [InlineData("Fluss.Storage", "Fluss.TabletServer")]
    [InlineData("Fluss.Tiering", "Fluss.Cli")]
    [InlineData("Fluss.Coordinator", "Fluss.TabletServer")]
    [InlineData("Fluss.Common", "Fluss.Common.Tests")]
    public void Violations_WrongEdge_IsReported(string from, string to)
    {
        var graph = new Dictionary<string, IReadOnlyList<string>> { [from] = [to] };
        var violations = DependencyRules.Violations(graph);
        var message = Assert.Single(violations);
        Assert.Contains(from, message, StringComparison.Ordinal);
        Assert.Contains(to, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fluss.Client", "Fluss.Rpc")]
    [InlineData("Fluss.TabletServer", "Fluss.Storage")]
    [InlineData("Fluss.Tiering", "Fluss.Client")]
    [InlineData("Fluss.Cli", "Fluss.Data")]
    [InlineData("Fluss.Server.Host", "Fluss.Coordinator")]
    [InlineData("Fluss.Common.Tests", "Fluss.Common")]
    public void Violations_AllowedEdge_IsAccepted(string from, string to)
    {
        var graph = new Dictionary<string, IReadOnlyList<string>> { [from] = [to] };
        Assert.Empty(DependencyRules.Violations(graph));
    }
}
