namespace Fluss.Storage.Remote;

/// <summary>An entry of a directory listing.</summary>
/// <param name="Path">The full path of the entry.</param>
/// <param name="IsDirectory">Whether the entry is a directory.</param>
/// <param name="Length">The file size in bytes (0 for directories).</param>
public sealed record FileEntry(string Path, bool IsDirectory, long Length)
{
    /// <summary>The last path element.</summary>
    public string Name => Path[(Path.TrimEnd('/').LastIndexOf('/') + 1)..].TrimEnd('/');
}

/// <summary>
/// The remote storage the server writes KV snapshots (and later remote log segments and lake files) to: paths
/// are '/'-separated strings under a root such as <c>remote.data.dir</c>. Creating a file never replaces one unless
/// asked; a rename never overwrites, so "write to a temporary name, then rename" publishes a file atomically.
/// </summary>
public interface IFileSystem
{
    /// <summary>Creates a file for writing (parent directories as needed).</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    Task<Stream> CreateAsync(string path, bool overwrite = false, CancellationToken cancellationToken = default);

    /// <summary>Opens a file for reading.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Whether a file or directory exists at <paramref name="path"/>.</summary>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The direct children of a directory; empty when it does not exist.</summary>
    Task<IReadOnlyList<FileEntry>> ListAsync(string directory, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file, or a directory (with its content when <paramref name="recursive"/>); false when nothing was there.</summary>
    Task<bool> DeleteAsync(string path, bool recursive = false, CancellationToken cancellationToken = default);

    /// <summary>Renames a file or directory; false (and nothing changes) when <paramref name="destination"/> exists.</summary>
    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    Task<bool> RenameAsync(string source, string destination, CancellationToken cancellationToken = default);
}

/// <summary>Helpers for '/'-separated remote paths.</summary>
public static class RemotePaths
{
    /// <summary>Joins path elements with '/', without doubling separators.</summary>
    public static string Combine(string root, params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(parts);
        var result = root.TrimEnd('/');
        foreach (var part in parts) result += "/" + part.Trim('/');
        return result;
    }
}

/// <summary>
/// <see cref="IFileSystem"/> over a local directory tree (or a mounted network filesystem). Paths may carry a
/// <c>file://</c> scheme. Files are flushed to disk when their stream is disposed.
/// </summary>
public sealed class LocalFileSystem : IFileSystem
{
    public static LocalFileSystem Instance { get; } = new();

    /// <summary>The local path of a remote path (the <c>file:</c> scheme removed).</summary>
    public static string ToLocal(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return path["file://".Length..];
        if (path.StartsWith("file:", StringComparison.OrdinalIgnoreCase)) return path["file:".Length..];
        return path;
    }

    public Task<Stream> CreateAsync(string path, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var local = ToLocal(path);
        var parent = Path.GetDirectoryName(local);
        if (!string.IsNullOrEmpty(parent)) Directory.CreateDirectory(parent);
        Stream stream = new SyncOnDisposeStream(new FileStream(local, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true));
        return Task.FromResult(stream);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stream stream = new FileStream(ToLocal(path), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return Task.FromResult(stream);
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        var local = ToLocal(path);
        return Task.FromResult(File.Exists(local) || Directory.Exists(local));
    }

    public Task<IReadOnlyList<FileEntry>> ListAsync(string directory, CancellationToken cancellationToken = default)
    {
        var local = ToLocal(directory);
        if (!Directory.Exists(local)) return Task.FromResult<IReadOnlyList<FileEntry>>([]);
        var result = new List<FileEntry>();
        foreach (var entry in new DirectoryInfo(local).EnumerateFileSystemInfos())
        {
            var path = RemotePaths.Combine(directory, entry.Name);
            result.Add(entry is FileInfo file ? new FileEntry(path, false, file.Length) : new FileEntry(path, true, 0));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return Task.FromResult<IReadOnlyList<FileEntry>>(result);
    }

    public Task<bool> DeleteAsync(string path, bool recursive = false, CancellationToken cancellationToken = default)
    {
        var local = ToLocal(path);
        if (File.Exists(local))
        {
            File.Delete(local);
            return Task.FromResult(true);
        }
        if (Directory.Exists(local))
        {
            Directory.Delete(local, recursive);
            return Task.FromResult(true);
        }
        return Task.FromResult(false);
    }

    public Task<bool> RenameAsync(string source, string destination, CancellationToken cancellationToken = default)
    {
        var from = ToLocal(source);
        var to = ToLocal(destination);
        if (File.Exists(to) || Directory.Exists(to)) return Task.FromResult(false);
        if (File.Exists(from))
        {
            try
            {
                File.Move(from, to, overwrite: false);
            }
            catch (IOException) when (File.Exists(to))
            {
                return Task.FromResult(false);
            }
            return Task.FromResult(true);
        }
        if (Directory.Exists(from))
        {
            Directory.Move(from, to);
            return Task.FromResult(true);
        }
        throw new FileNotFoundException($"Cannot rename {source}: it does not exist.", source);
    }

    /// <summary>Forces the file's bytes to disk before closing it.</summary>
    private sealed class SyncOnDisposeStream(FileStream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Flush(flushToDisk: true);
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
