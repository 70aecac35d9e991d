using System.Globalization;
using System.Text;
using Fluss.Lake.Paimon.Manifest;
using Fluss.Lake.Paimon.Schema;

namespace Fluss.Lake.Paimon.Table;

/// <summary>The metadata of one Paimon table directory: schemas, snapshots, manifests and live file entries.</summary>
internal sealed class TableStore(IPaimonFileIO io, string tablePath)
{
    private readonly Dictionary<long, TableSchema> _schemas = [];

    public IPaimonFileIO IO { get; } = io;
    public string TablePath { get; } = tablePath.TrimEnd('/');
    public string SchemaDir => PaimonPaths.Combine(TablePath, "schema");
    public string SnapshotDir => PaimonPaths.Combine(TablePath, "snapshot");
    public string ManifestDir => PaimonPaths.Combine(TablePath, "manifest");

    public async Task<byte[]> ReadAllAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var s = await IO.OpenReadAsync(path, ct).ConfigureAwait(false);
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms, ct).ConfigureAwait(false);
            return ms.ToArray();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PaimonNotFoundException($"Paimon file '{path}' does not exist.");
        }
    }

    // ------------------------------------------------------------ schemas

    public async Task<IReadOnlyList<long>> SchemaIdsAsync(CancellationToken ct)
    {
        var names = await IO.ListFilesAsync(SchemaDir, ct).ConfigureAwait(false);
        var ids = new List<long>();
        foreach (var n in names)
        {
            if (n.StartsWith("schema-", StringComparison.Ordinal)
                && long.TryParse(n.AsSpan("schema-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) ids.Add(id);
        }
        ids.Sort();
        return ids;
    }

    public async Task<TableSchema?> LatestSchemaAsync(CancellationToken ct)
    {
        var ids = await SchemaIdsAsync(ct).ConfigureAwait(false);
        return ids.Count == 0 ? null : await SchemaAsync(ids[^1], ct).ConfigureAwait(false);
    }

    public async Task<TableSchema> SchemaAsync(long id, CancellationToken ct)
    {
        lock (_schemas)
        {
            if (_schemas.TryGetValue(id, out var cached)) return cached;
        }
        var path = PaimonPaths.Combine(SchemaDir, "schema-" + id.ToString(CultureInfo.InvariantCulture));
        var schema = TableSchema.Parse(await ReadAllAsync(path, ct).ConfigureAwait(false), $"Schema file '{path}'");
        if (schema.Id != id) throw new PaimonException($"Schema file '{path}' holds schema id {schema.Id}.");
        lock (_schemas) _schemas[id] = schema;
        return schema;
    }

    // ------------------------------------------------------------ snapshots

    public async Task<Snapshot> SnapshotAsync(long id, CancellationToken ct)
    {
        var path = PaimonPaths.Combine(SnapshotDir, Snapshot.FileName(id));
        var snapshot = Snapshot.Parse(await ReadAllAsync(path, ct).ConfigureAwait(false), $"Snapshot file '{path}'");
        if (snapshot.Id != id) throw new PaimonException($"Snapshot file '{path}' holds snapshot id {snapshot.Id}.");
        return snapshot;
    }

    public async Task<List<long>> SnapshotIdsAsync(CancellationToken ct)
    {
        var ids = new List<long>();
        foreach (var n in await IO.ListFilesAsync(SnapshotDir, ct).ConfigureAwait(false))
        {
            if (Snapshot.TryParseId(n, out var id)) ids.Add(id);
        }
        ids.Sort();
        return ids;
    }

    /// <summary>The latest snapshot id: the LATEST hint if snapshot hint+1 does not exist, else the largest listed id.</summary>
    public async Task<long?> LatestSnapshotIdAsync(CancellationToken ct)
    {
        var hintPath = PaimonPaths.Combine(SnapshotDir, "LATEST");
        if (await IO.ExistsAsync(hintPath, ct).ConfigureAwait(false))
        {
            try
            {
                var text = Encoding.ASCII.GetString(await ReadAllAsync(hintPath, ct).ConfigureAwait(false)).Trim();
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var hint)
                    && await IO.ExistsAsync(PaimonPaths.Combine(SnapshotDir, Snapshot.FileName(hint)), ct).ConfigureAwait(false)
                    && !await IO.ExistsAsync(PaimonPaths.Combine(SnapshotDir, Snapshot.FileName(hint + 1)), ct).ConfigureAwait(false))
                    return hint;
            }
            catch (PaimonNotFoundException)
            {
                // The hint vanished between the check and the read: fall back to listing.
            }
        }
        var ids = await SnapshotIdsAsync(ct).ConfigureAwait(false);
        return ids.Count == 0 ? null : ids[^1];
    }

    public async Task<Snapshot?> LatestSnapshotAsync(CancellationToken ct)
    {
        var id = await LatestSnapshotIdAsync(ct).ConfigureAwait(false);
        return id is null ? null : await SnapshotAsync(id.Value, ct).ConfigureAwait(false);
    }

    /// <summary>The newest snapshot committed by <paramref name="commitUser"/>, scanning back from the latest.</summary>
    public async Task<Snapshot?> LatestSnapshotOfUserAsync(string commitUser, CancellationToken ct)
    {
        var ids = await SnapshotIdsAsync(ct).ConfigureAwait(false);
        for (var i = ids.Count - 1; i >= 0; i--)
        {
            Snapshot s;
            try
            {
                s = await SnapshotAsync(ids[i], ct).ConfigureAwait(false);
            }
            catch (PaimonNotFoundException)
            {
                continue; // expired meanwhile
            }
            if (s.CommitUser == commitUser) return s;
        }
        return null;
    }

    // ------------------------------------------------------------ manifests

    public async Task<List<ManifestFileMeta>> ReadManifestListAsync(string name, CancellationToken ct)
    {
        var path = PaimonPaths.Combine(ManifestDir, name);
        return ManifestIo.ReadManifestList(await ReadAllAsync(path, ct).ConfigureAwait(false), $"Manifest list '{path}'");
    }

    public async Task<List<ManifestEntry>> ReadManifestAsync(string name, CancellationToken ct)
    {
        var path = PaimonPaths.Combine(ManifestDir, name);
        return ManifestIo.ReadManifest(await ReadAllAsync(path, ct).ConfigureAwait(false), $"Manifest '{path}'");
    }

    /// <summary>The data manifests of a snapshot: its base list followed by its delta list.</summary>
    public async Task<List<ManifestFileMeta>> DataManifestsAsync(Snapshot snapshot, CancellationToken ct)
    {
        var result = await ReadManifestListAsync(snapshot.BaseManifestList, ct).ConfigureAwait(false);
        result.AddRange(await ReadManifestListAsync(snapshot.DeltaManifestList, ct).ConfigureAwait(false));
        return result;
    }

    /// <summary>
    /// The live data files of a snapshot: entries of all its data manifests in order, where a DELETE cancels the
    /// earlier ADD of the same file identity.
    /// </summary>
    public async Task<List<ManifestEntry>> LiveEntriesAsync(Snapshot snapshot, CancellationToken ct)
    {
        var entries = new List<ManifestEntry>();
        foreach (var m in await DataManifestsAsync(snapshot, ct).ConfigureAwait(false))
            entries.AddRange(await ReadManifestAsync(m.FileName, ct).ConfigureAwait(false));
        return MergeEntries(entries, $"snapshot {snapshot.Id} of '{TablePath}'");
    }

    public static List<ManifestEntry> MergeEntries(IEnumerable<ManifestEntry> entries, string what)
    {
        var live = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var e in entries)
        {
            var id = e.Identifier();
            if (e.Kind == FileKind.Add)
            {
                if (!live.TryAdd(id, e))
                    throw new PaimonException($"The manifests of {what} add the file {e.File.FileName} (bucket {e.Bucket}, level {e.File.Level}) twice.");
                order.Add(id);
            }
            else if (!live.Remove(id))
            {
                // A DELETE without an ADD: the ADD was merged away by manifest compaction; nothing is live.
            }
        }
        return order.Where(live.ContainsKey).Select(id => live[id]).ToList();
    }

    public async Task<List<IndexManifestEntry>> IndexEntriesAsync(Snapshot snapshot, CancellationToken ct)
    {
        if (snapshot.IndexManifest is null) return [];
        var path = PaimonPaths.Combine(ManifestDir, snapshot.IndexManifest);
        var entries = ManifestIo.ReadIndexManifest(await ReadAllAsync(path, ct).ConfigureAwait(false), $"Index manifest '{path}'");
        var live = new Dictionary<string, IndexManifestEntry>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var id = Convert.ToHexString(e.Partition) + "|" + e.Bucket + "|" + e.IndexType + "|" + e.FileName;
            if (e.Kind == FileKind.Add) live[id] = e;
            else live.Remove(id);
        }
        return live.Values.ToList();
    }
}
