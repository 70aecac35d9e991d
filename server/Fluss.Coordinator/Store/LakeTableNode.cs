using System.Text.Json;

namespace Fluss.Coordinator.Store;

/// <summary>One committed lake snapshot: its id and the offsets files of its tiered (and readable) log offsets.</summary>
internal sealed record LakeSnapshotEntry(long SnapshotId, string TieredOffsetsPath, string? ReadableOffsetsPath);

/// <summary>
/// The lake snapshots of a table as stored at <c>/tabletservers/tables/{tableId}/laketable</c> (Fluss's LakeTable
/// JSON version 2): the retained snapshots, oldest first, each pointing at its offsets file;
/// <c>{"version":2,"lake_snapshots":[{"snapshot_id":3,"tiered_offsets":"...","readable_offsets":"..."}]}</c>.
/// </summary>
internal sealed record LakeTableNode(IReadOnlyList<LakeSnapshotEntry> Snapshots)
{
    private const string What = "Lake table";

    /// <summary>The newest retained snapshot (the last entry), or null.</summary>
    public LakeSnapshotEntry? Latest => Snapshots.Count == 0 ? null : Snapshots[^1];

    public LakeSnapshotEntry? Find(long snapshotId) => Snapshots.FirstOrDefault(s => s.SnapshotId == snapshotId);

    /// <summary>
    /// The snapshots kept after committing <paramref name="added"/> (Fluss's retention): only the new one when
    /// <paramref name="earliestToKeep"/> is null or nothing was retained before; otherwise the retained ones from the
    /// snapshot with id <paramref name="earliestToKeep"/> on, plus the new one (all of them when that id is not
    /// retained). Returns the new node and the entries to discard.
    /// </summary>
    public (LakeTableNode Kept, IReadOnlyList<LakeSnapshotEntry> Discarded) Add(LakeSnapshotEntry added, long? earliestToKeep)
    {
        if (earliestToKeep is null || Snapshots.Count == 0)
            return (new LakeTableNode([added]), Snapshots);
        var split = -1;
        for (var i = 0; i < Snapshots.Count; i++)
        {
            if (Snapshots[i].SnapshotId == earliestToKeep) { split = i; break; }
        }
        if (split < 0) return (new LakeTableNode([.. Snapshots, added]), []);
        return (new LakeTableNode([.. Snapshots.Skip(split), added]), [.. Snapshots.Take(split)]);
    }

    /// <summary>The offsets files of <paramref name="discarded"/> that no snapshot of this node refers to.</summary>
    public IReadOnlyList<string> UnreferencedFiles(IEnumerable<LakeSnapshotEntry> discarded)
    {
        var kept = Snapshots.SelectMany(Files).ToHashSet(StringComparer.Ordinal);
        return discarded.SelectMany(Files).Where(f => !kept.Contains(f)).Distinct(StringComparer.Ordinal).ToList();
    }

    public byte[] ToJson() => JsonNodes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 2);
        w.WriteStartArray("lake_snapshots");
        foreach (var s in Snapshots)
        {
            w.WriteStartObject();
            w.WriteNumber("snapshot_id", s.SnapshotId);
            w.WriteString("tiered_offsets", s.TieredOffsetsPath);
            if (s.ReadableOffsetsPath is not null) w.WriteString("readable_offsets", s.ReadableOffsetsPath);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <exception cref="InvalidDataException">Not a version 2 lake table node (version 1 nodes are not read).</exception>
    public static LakeTableNode FromJson(ReadOnlySpan<byte> json) => JsonNodes.Read(json, What, node =>
    {
        var version = JsonNodes.Int(node, "version", What);
        if (version != 2)
            throw new InvalidDataException($"{What} has version {version}; only version 2 (lake snapshots with offsets files) is supported.");
        var array = JsonNodes.Required(node, "lake_snapshots", What);
        if (array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{What} field 'lake_snapshots' must be an array.");
        var snapshots = new List<LakeSnapshotEntry>();
        foreach (var s in array.EnumerateArray())
        {
            snapshots.Add(new LakeSnapshotEntry(
                JsonNodes.Long(s, "snapshot_id", What),
                JsonNodes.Text(JsonNodes.Required(s, "tiered_offsets", What)),
                JsonNodes.OptionalText(s, "readable_offsets")));
        }
        return new LakeTableNode(snapshots);
    });

    private static IEnumerable<string> Files(LakeSnapshotEntry s) =>
        s.ReadableOffsetsPath is null ? [s.TieredOffsetsPath] : [s.TieredOffsetsPath, s.ReadableOffsetsPath];
}
