using System.Text;
using static Fluss.Lake.Paimon.Tests.TestSupport;

namespace Fluss.Lake.Paimon.Tests;

public class LocalPaimonFileIOTests
{
    private static readonly LocalPaimonFileIO IO = LocalPaimonFileIO.Instance;

    [Fact]
    public async Task TryCreateAtomic_TargetExists_ReturnsFalseAndKeepsContent()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "snapshot", "snapshot-1");
        Assert.True(await IO.TryCreateAtomicAsync(path, "first"u8.ToArray()));
        Assert.False(await IO.TryCreateAtomicAsync(path, "second"u8.ToArray()));
        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(["snapshot-1"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task TryCreateAtomic_ManyConcurrentWriters_ExactlyOneWinsAndNothingIsReplaced()
    {
        for (var round = 0; round < 20; round++)
        {
            using var dir = new TempDir();
            var path = Path.Combine(dir.Path, "snapshot-7");
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                start.Wait();
                return (i, await IO.TryCreateAtomicAsync(path, Encoding.ASCII.GetBytes("writer-" + i)));
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(tasks);
            var winners = results.Where(r => r.Item2).ToList();
            Assert.Single(winners);
            Assert.Equal("writer-" + winners[0].i, File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(dir.Path));
        }
    }

    [Fact]
    public void LinkNoReplace_ExistingTarget_FailsWithoutReplacing()
    {
        using var dir = new TempDir();
        var source = Path.Combine(dir.Path, "a");
        var target = Path.Combine(dir.Path, "b");
        File.WriteAllText(source, "new");
        File.WriteAllText(target, "old");
        Assert.False(LocalPaimonFileIO.LinkNoReplace(source, target));
        Assert.Equal("old", File.ReadAllText(target));
        File.Delete(target);
        Assert.True(LocalPaimonFileIO.LinkNoReplace(source, target));
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public async Task Overwrite_ExistingHint_Replaced()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "LATEST");
        await IO.OverwriteAsync(path, "1"u8.ToArray());
        await IO.OverwriteAsync(path, "22"u8.ToArray());
        Assert.Equal("22", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task CreateAsync_ExistingFile_Throws()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "x", "data-1.parquet");
        await using (var s = await IO.CreateAsync(path)) s.WriteByte(1);
        await Assert.ThrowsAsync<IOException>(() => IO.CreateAsync(path));
    }

    [Fact]
    public async Task ListFiles_MissingDirectory_Empty()
    {
        using var dir = new TempDir();
        Assert.Empty(await IO.ListFilesAsync(Path.Combine(dir.Path, "nope")));
        await IO.DeleteAsync(Path.Combine(dir.Path, "nope", "f"));
    }
}
