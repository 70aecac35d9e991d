using System.Runtime.InteropServices;

namespace Fluss.Lake.Paimon;

/// <summary>
/// <see cref="IPaimonFileIO"/> on the local filesystem. Atomic creation writes a temporary file in the target's
/// directory, flushes it to disk, then hard-links it to the target name with <c>link(2)</c>, which fails rather than
/// replaces when the target exists (unlike <c>rename(2)</c>, which <see cref="File.Move(string, string, bool)"/>
/// uses when the target is absent at its check), and finally removes the temporary name.
/// </summary>
public sealed partial class LocalPaimonFileIO : IPaimonFileIO
{
    public static readonly LocalPaimonFileIO Instance = new();

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stream s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.RandomAccess);
        return Task.FromResult(s);
    }

    public Task<Stream> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureParent(path);
        Stream s = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        return Task.FromResult(s);
    }

    public async Task OverwriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        EnsureParent(path);
        var tmp = TempName(path);
        try
        {
            await WriteDurablyAsync(tmp, content, cancellationToken).ConfigureAwait(false);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    public async Task<bool> TryCreateAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        EnsureParent(path);
        if (File.Exists(path)) return false;
        var tmp = TempName(path);
        try
        {
            await WriteDurablyAsync(tmp, content, cancellationToken).ConfigureAwait(false);
            var created = LinkNoReplace(tmp, path);
            if (created) SyncDirectory(PaimonPaths.Parent(path));
            return created;
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(path) || Directory.Exists(path));

    public Task<IReadOnlyList<string>> ListFilesAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory)) return Task.FromResult<IReadOnlyList<string>>([]);
        IReadOnlyList<string> names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().ToList();
        return Task.FromResult(names);
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        if (File.Exists(path)) File.Delete(path);
        return Task.CompletedTask;
    }

    private static string TempName(string path) =>
        PaimonPaths.Combine(PaimonPaths.Parent(path), "." + PaimonPaths.FileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");

    private static void EnsureParent(string path)
    {
        var parent = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(parent)) Directory.CreateDirectory(parent);
    }

    private static async Task WriteDurablyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await fs.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        fs.Flush(flushToDisk: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file is harmless: readers ignore names starting with '.'.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Gives <paramref name="source"/>'s content the name <paramref name="target"/> unless that name exists.</summary>
    internal static bool LinkNoReplace(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically when the target exists.
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (NativeMethods.link(source, target) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == NativeMethods.EEXIST) return false;
        throw new IOException($"Could not create '{target}' from '{source}': link(2) failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
    }

    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows() || string.IsNullOrEmpty(directory)) return;
        var fd = NativeMethods.open(directory, NativeMethods.O_RDONLY);
        if (fd < 0) return;
        _ = NativeMethods.fsync(fd);
        _ = NativeMethods.close(fd);
    }

    private static partial class NativeMethods
    {
        public const int EEXIST = 17;
        public const int O_RDONLY = 0;

        [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int link(string oldpath, string newpath);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int close(int fd);
    }
}
