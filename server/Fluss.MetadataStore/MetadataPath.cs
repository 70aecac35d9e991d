namespace Fluss.MetadataStore;

/// <summary>
/// Node paths as ZooKeeper has them: absolute (<c>/a/b</c>), no trailing slash except the root <c>/</c>, no empty
/// names, no <c>.</c> or <c>..</c> names, no NUL and no control or private-use characters.
/// </summary>
public static class MetadataPath
{
    /// <summary>The root node, which always exists.</summary>
    public const string Root = "/";

    /// <summary>Throws <see cref="MetadataStoreException"/> with <see cref="MetadataStoreErrorCode.InvalidPath"/> when <paramref name="path"/> is not a valid node path.</summary>
    /// <param name="path">The path to check.</param>
    /// <param name="sequential">True for the path given to a sequential create, which may end with '/' (the suffix follows).</param>
    public static void Validate(string? path, bool sequential = false)
    {
        var reason = Check(path, sequential);
        if (reason is not null)
            throw new MetadataStoreException(MetadataStoreErrorCode.InvalidPath, path, $"invalid path '{path}': {reason}");
    }

    /// <summary>True when <paramref name="path"/> is a valid node path.</summary>
    public static bool IsValid(string? path, bool sequential = false) => Check(path, sequential) is null;

    /// <summary>The parent of a valid non-root path (<c>/a/b</c> -> <c>/a</c>, <c>/a</c> -> <c>/</c>).</summary>
    public static string Parent(string path)
    {
        if (path == Root)
            throw new MetadataStoreException(MetadataStoreErrorCode.BadArguments, path, "the root node has no parent");
        var i = path.LastIndexOf('/');
        return i == 0 ? Root : path[..i];
    }

    /// <summary>The last name of a path (<c>/a/b</c> -> <c>b</c>; the root gives the empty string).</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Joins a parent path and a child name.</summary>
    public static string Combine(string parent, string child) => parent == Root ? Root + child : parent + "/" + child;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsSameOrBelow(string path, string ancestor) =>
        ancestor == Root
            ? path.StartsWith('/')
            : path.Length >= ancestor.Length && path.StartsWith(ancestor, StringComparison.Ordinal)
              && (path.Length == ancestor.Length || path[ancestor.Length] == '/');

    /// <summary>Number of names in the path: 0 for the root, 1 for <c>/a</c>, 2 for <c>/a/b</c>.</summary>
    public static int Depth(string path)
    {
        if (path == Root) return 0;
        var depth = 0;
        foreach (var c in path)
            if (c == '/') depth++;
        return depth;
    }

    private static string? Check(string? path, bool sequential)
    {
        if (path is null) return "the path is null";
        if (sequential) path += "1";
        if (path.Length == 0) return "the path is empty";
        if (path[0] != '/') return "the path must start with '/'";
        if (path.Length == 1) return null;
        if (path[^1] == '/') return "the path must not end with '/'";
        var last = '/';
        for (var i = 1; i < path.Length; last = path[i], i++)
        {
            var c = path[i];
            if (c == '\0') return $"NUL character at index {i}";
            if (c == '/' && last == '/') return $"empty node name at index {i}";
            if (c == '.' && last == '.')
            {
                if (path[i - 2] == '/' && (i + 1 == path.Length || path[i + 1] == '/'))
                    return $"relative name '..' at index {i - 1}";
            }
            else if (c == '.')
            {
                if (path[i - 1] == '/' && (i + 1 == path.Length || path[i + 1] == '/'))
                    return $"relative name '.' at index {i}";
            }
            else if ((c > '\u0000' && c <= '\u001f') || (c >= '\u007f' && c <= '\u009f')
                     || (c >= '\ud800' && c <= '\uf8ff') || c >= '\ufff0')
            {
                return $"invalid character U+{(int)c:X4} at index {i}";
            }
        }
        return null;
    }
}
