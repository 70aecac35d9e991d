using Fluss.Storage.Remote;

namespace Fluss.Storage.Tests.Remote;

public class LocalFileSystemTests
{
    private static readonly LocalFileSystem Fs = LocalFileSystem.Instance;

    private static async Task WriteAsync(string path, string text, bool overwrite = false)
    {
        var stream = await Fs.CreateAsync(path, overwrite);
        await using (stream) await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
    }

    private static async Task<string> ReadAsync(string path)
    {
        await using var stream = await Fs.OpenReadAsync(path);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task CreateAsync_ExistingFileWithoutOverwrite_Throws()
    {
        using var dir = new TempDir();
        var path = RemotePaths.Combine("file://" + dir.Path, "a", "b.txt");
        await WriteAsync(path, "one");
        await Assert.ThrowsAsync<IOException>(() => WriteAsync(path, "two"));
        await WriteAsync(path, "three", overwrite: true);
        Assert.Equal("three", await ReadAsync(path));
    }

    [Fact]
    public async Task RenameAsync_DestinationExists_ReturnsFalseAndKeepsBoth()
    {
        using var dir = new TempDir();
        var a = RemotePaths.Combine(dir.Path, "a");
        var b = RemotePaths.Combine(dir.Path, "b");
        await WriteAsync(a, "A");
        await WriteAsync(b, "B");
        Assert.False(await Fs.RenameAsync(a, b));
        Assert.Equal("B", await ReadAsync(b));
        Assert.Equal("A", await ReadAsync(a));
        Assert.True(await Fs.RenameAsync(a, RemotePaths.Combine(dir.Path, "c")));
        Assert.False(await Fs.ExistsAsync(a));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Fs.RenameAsync(a, RemotePaths.Combine(dir.Path, "d")));
    }

    [Fact]
    public async Task ListAndDeleteAsync_DirectoryTree_ListsChildrenAndDeletesRecursively()
    {
        using var dir = new TempDir();
        var root = RemotePaths.Combine(dir.Path, "root");
        await WriteAsync(RemotePaths.Combine(root, "x.bin"), "12345");
        await WriteAsync(RemotePaths.Combine(root, "sub", "y.bin"), "1");
        var entries = await Fs.ListAsync(root);
        Assert.Equal(["sub", "x.bin"], entries.Select(e => e.Name));
        Assert.True(entries[0].IsDirectory);
        Assert.Equal(5, entries[1].Length);
        Assert.Empty(await Fs.ListAsync(RemotePaths.Combine(root, "missing")));
        Assert.True(await Fs.DeleteAsync(root, recursive: true));
        Assert.False(await Fs.DeleteAsync(root));
    }
}
