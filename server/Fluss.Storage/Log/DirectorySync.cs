using System.Runtime.InteropServices;

namespace Fluss.Storage.Log;

/// <summary>Forces a directory's entries (created, renamed and deleted files) to disk, where the platform allows it.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Best effort: on Linux and macOS the directory is opened and fsynced; elsewhere nothing happens.</summary>
    public static void Fsync(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try
        {
            var fd = Open(directory, ReadOnly);
            if (fd < 0) return;
            try
            {
                _ = FileSync(fd);
            }
            finally
            {
                _ = Close(fd);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to call: directory entries reach the disk with the file system's own schedule.
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int FileSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);
}
