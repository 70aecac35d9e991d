namespace Fluss.Lake.Paimon;

/// <summary>
/// The few file operations a Paimon table needs, so that a warehouse can live on the local filesystem or an object
/// store. Paths are strings joined with <c>/</c> (see <see cref="PaimonPaths"/>).
/// </summary>
public interface IPaimonFileIO
{
    /// <summary>Opens a file for reading; the stream is seekable.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Creates a new file for writing (parent directories as needed); fails if the file already exists.</summary>
    Task<Stream> CreateAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a whole file, replacing any existing one (used only for hint files such as <c>LATEST</c>).</summary>
    Task OverwriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="content"/> atomically if it does not exist: readers see
    /// either no file or the whole file, and an existing file is never replaced, even by a concurrent writer in
    /// another process. Returns false when the file already exists (the caller lost the race).
    /// </summary>
    Task<bool> TryCreateAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The names (not paths) of the files directly inside a directory; empty if it does not exist.</summary>
    Task<IReadOnlyList<string>> ListFilesAsync(string directory, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file; a missing file is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);
}

/// <summary>Joins and splits the <c>/</c>-separated paths of <see cref="IPaimonFileIO"/>.</summary>
public static class PaimonPaths
{
    public static string Combine(string parent, string child)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(child);
        if (parent.Length == 0) return child;
        return parent.EndsWith('/') ? parent + child : parent + "/" + child;
    }

    public static string Combine(string parent, string child, params string[] more)
    {
        var path = Combine(parent, child);
        foreach (var m in more) path = Combine(path, m);
        return path;
    }

    /// <summary>The table directory <c>{warehouse}/{database}.db/{table}</c> of the filesystem catalog.</summary>
    public static string TablePath(string warehouse, string database, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentException.ThrowIfNullOrEmpty(table);
        return Combine(warehouse, database + ".db", table);
    }

    internal static string FileName(string path)
    {
        var i = path.LastIndexOf('/');
        return i < 0 ? path : path[(i + 1)..];
    }

    internal static string Parent(string path)
    {
        var i = path.TrimEnd('/').LastIndexOf('/');
        return i <= 0 ? (i == 0 ? "/" : "") : path[..i];
    }
}
