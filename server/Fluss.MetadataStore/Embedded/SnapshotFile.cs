using System.Buffers.Binary;
using Fluss.Utils;

namespace Fluss.MetadataStore.Embedded;

/// <summary>
/// A full image of the tree at one zxid: <c>FLUSSSNP</c>, int32 format version, int64 zxid, int64 next session id,
/// the sessions, the nodes in ordinal path order (parents first), then a CRC-32C of everything before it. Written to
/// a temporary name, fsynced, renamed over the previous snapshot and the directory fsynced, so a crash leaves either
/// the old or the new snapshot, never a partial one.
/// </summary>
internal static class SnapshotFile
{
    private static readonly byte[] Magic = "FLUSSSNP"u8.ToArray();
    private const int FormatVersion = 1;

    public static void Write(string path, DataTree tree)
    {
        var w = new CodecWriter(64 * 1024);
        w.WriteRaw(Magic);
        w.WriteInt32(FormatVersion);
        w.WriteInt64(tree.LastZxid);
        w.WriteInt64(tree.NextSessionId);
        w.WriteInt32(tree.Sessions.Count);
        foreach (var s in tree.Sessions.Values.OrderBy(s => s.Id))
        {
            w.WriteInt64(s.Id);
            w.WriteInt32(s.TimeoutMs);
        }
        w.WriteInt32(tree.NodeCount);
        foreach (var (nodePath, n) in tree.NodesInPathOrder())
        {
            w.WriteString(nodePath);
            w.WriteBytes(n.Data);
            w.WriteInt64(n.Czxid);
            w.WriteInt64(n.Mzxid);
            w.WriteInt64(n.Pzxid);
            w.WriteInt64(n.Ctime);
            w.WriteInt64(n.Mtime);
            w.WriteInt32(n.Version);
            w.WriteInt32(n.CVersion);
            w.WriteInt64(n.EphemeralOwner);
        }
        w.WriteUInt32(Crc32C.Compute(w.Written));

        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            file.Write(w.Written);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static DataTree Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < Magic.Length + 4 + 4 || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a metadata snapshot (bad header)");
        var body = data.AsSpan(0, data.Length - 4);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4));
        if (crc != Crc32C.Compute(body))
            throw new InvalidDataException($"{path} is corrupt: its checksum does not match (snapshots are replaced atomically, so this is damage, not a crash)");

        var r = new CodecReader(body);
        r.Take(Magic.Length);
        var version = r.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"{path} has snapshot format version {version}; this build reads version {FormatVersion}");
        var tree = new DataTree { LastZxid = r.ReadInt64(), NextSessionId = r.ReadInt64() };
        var sessions = r.ReadInt32();
        for (var i = 0; i < sessions; i++)
            tree.LoadSession(new SessionEntry(r.ReadInt64(), r.ReadInt32()));
        var nodes = r.ReadInt32();
        for (var i = 0; i < nodes; i++)
        {
            var nodePath = r.ReadString();
            var node = new Node
            {
                Data = r.ReadBytes(),
                Czxid = r.ReadInt64(),
                Mzxid = r.ReadInt64(),
                Pzxid = r.ReadInt64(),
                Ctime = r.ReadInt64(),
                Mtime = r.ReadInt64(),
                Version = r.ReadInt32(),
                CVersion = r.ReadInt32(),
                EphemeralOwner = r.ReadInt64(),
            };
            if (!MetadataPath.IsValid(nodePath))
                throw new InvalidDataException($"{path} holds an invalid node path '{nodePath}'");
            tree.LoadNode(nodePath, node);
        }
        if (r.Remaining != 0)
            throw new InvalidDataException($"{path} has {r.Remaining} unexpected bytes after its nodes");
        tree.LinkEphemerals();
        return tree;
    }
}
