namespace Fluss.Testing;

/// <summary>Finds the repository root (the folder holding Fluss.Lake.sln) from a test's output directory.</summary>
public static class RepoRoot
{
    public static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fluss.Lake.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Fluss.Lake.sln not found above the test's directory.");
    }
}
