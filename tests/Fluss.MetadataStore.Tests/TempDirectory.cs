namespace Fluss.Tests.MetadataStore;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluss-metadata-tests", Guid.NewGuid().ToString("N"));

    public string Sub(string name)
    {
        var p = System.IO.Path.Combine(Path, name);
        System.IO.Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
