using System.Runtime.InteropServices;

namespace Fluss.MetadataStore.Embedded;

/// <summary>Makes a directory's entries (created, renamed files) durable: fsync on the directory itself.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY: enough to fsync a directory

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return; // other systems: best effort, the file fsyncs still hold
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
            throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (FSync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
