using System.Globalization;
using System.Text.Json;
using Fluss.Metadata;
using Fluss.Storage.Remote;

namespace Fluss.Storage.Kv;

/// <summary>A file of a KV snapshot: where it is stored, its size, and its name in the RocksDB directory.</summary>
public sealed record KvSnapshotFile(string Path, long Size, string LocalPath);

/// <summary>
/// A completed KV snapshot of one bucket: a RocksDB checkpoint in <see cref="Location"/> and the changelog offset
/// it covers (replay from <see cref="LogOffset"/> rebuilds the rest).
/// </summary>
public sealed record CompletedKvSnapshot(TableBucket TableBucket, long SnapshotId, string Location, IReadOnlyList<KvSnapshotFile> Files, long IncrementalSize, long LogOffset)
{
    /// <summary>The metadata file of a snapshot directory; its presence marks the snapshot complete.</summary>
    public const string MetadataFileName = "_METADATA";

    /// <summary>The metadata in Fluss's <c>_METADATA</c> JSON form (version 1).</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteNumber("table_id", TableBucket.TableId);
            if (TableBucket.PartitionId is { } partition) w.WriteNumber("partition_id", partition);
            w.WriteNumber("bucket_id", TableBucket.Bucket);
            w.WriteNumber("snapshot_id", SnapshotId);
            w.WriteString("snapshot_location", Location);
            w.WriteStartObject("kv_snapshot_handle");
            w.WriteStartArray("shared_file_handles");
            w.WriteEndArray();
            w.WriteStartArray("private_file_handles");
            foreach (var file in Files)
            {
                w.WriteStartObject();
                w.WriteStartObject("kv_file_handle");
                w.WriteString("path", file.Path);
                w.WriteNumber("size", file.Size);
                w.WriteEndObject();
                w.WriteString("local_path", file.LocalPath);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("snapshot_incremental_size", IncrementalSize);
            w.WriteEndObject();
            w.WriteNumber("log_offset", LogOffset);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Reads <c>_METADATA</c> JSON (shared and private file handles are both restored as files).</summary>
    /// <exception cref="InvalidDataException">The JSON lacks a required field.</exception>
    public static CompletedKvSnapshot FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            long? partition = root.TryGetProperty("partition_id", out var p) ? p.GetInt64() : null;
            var bucket = new TableBucket(root.GetProperty("table_id").GetInt64(), partition, root.GetProperty("bucket_id").GetInt32());
            var handle = root.GetProperty("kv_snapshot_handle");
            var files = new List<KvSnapshotFile>();
            foreach (var kind in new[] { "shared_file_handles", "private_file_handles" })
            {
                foreach (var entry in handle.GetProperty(kind).EnumerateArray())
                {
                    var file = entry.GetProperty("kv_file_handle");
                    files.Add(new KvSnapshotFile(file.GetProperty("path").GetString()!, file.GetProperty("size").GetInt64(), entry.GetProperty("local_path").GetString()!));
                }
            }
            return new CompletedKvSnapshot(bucket, root.GetProperty("snapshot_id").GetInt64(), root.GetProperty("snapshot_location").GetString()!,
                files, handle.GetProperty("snapshot_incremental_size").GetInt64(), root.GetProperty("log_offset").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"KV snapshot metadata is invalid: {e.Message}", e);
        }
    }
}

/// <summary>
/// Stores KV snapshots under <c>{remote.data.dir}/kv/{db}/{table}-{tableId}/[{partition}-p{partitionId}/]{bucket}/snap-{id}/</c>
/// (Fluss's layout) through an <see cref="IFileSystem"/>: every file of a RocksDB checkpoint, then <c>_METADATA</c>,
/// which is written under a temporary name and renamed into place, so a snapshot is complete exactly when its
/// <c>_METADATA</c> exists. The latest snapshot of a bucket is the completed one with the highest id; older ones
/// beyond <c>kv.snapshot.num-retained</c> are deleted after each new snapshot.
/// </summary>
public sealed class KvSnapshotStore
{
    private const string SnapshotDirPrefix = "snap-";

    private readonly IFileSystem _fs;
    private readonly string _kvRoot;

    /// <param name="fileSystem">The remote filesystem.</param>
    /// <param name="remoteDataDir">The <c>remote.data.dir</c>.</param>
    /// <param name="numRetained">Completed snapshots kept per bucket (<c>kv.snapshot.num-retained</c>, at least 1).</param>
    public KvSnapshotStore(IFileSystem fileSystem, string remoteDataDir, int numRetained = 2)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(remoteDataDir);
        ArgumentOutOfRangeException.ThrowIfLessThan(numRetained, 1);
        _fs = fileSystem;
        _kvRoot = RemotePaths.Combine(remoteDataDir, "kv");
        NumRetained = numRetained;
    }

    public int NumRetained { get; }

    /// <summary>The remote directory of a bucket's snapshots.</summary>
    public string TabletDirectory(PhysicalTablePath path, TableBucket bucket)
    {
        ArgumentNullException.ThrowIfNull(path);
        var table = RemotePaths.Combine(_kvRoot, path.DatabaseName, path.TableName + "-" + bucket.TableId.ToString(CultureInfo.InvariantCulture));
        if (path.PartitionName is not null)
            table = RemotePaths.Combine(table, path.PartitionName + "-p" + bucket.PartitionId?.ToString(CultureInfo.InvariantCulture));
        return RemotePaths.Combine(table, bucket.Bucket.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The completed snapshots of a bucket, newest first.</summary>
    public async Task<IReadOnlyList<CompletedKvSnapshot>> ListCompletedAsync(PhysicalTablePath path, TableBucket bucket, CancellationToken cancellationToken = default)
    {
        var result = new List<CompletedKvSnapshot>();
        foreach (var (id, dir) in (await ListSnapshotDirsAsync(path, bucket, cancellationToken).ConfigureAwait(false)).OrderByDescending(d => d.Id))
        {
            var metadata = RemotePaths.Combine(dir, CompletedKvSnapshot.MetadataFileName);
            if (!await _fs.ExistsAsync(metadata, cancellationToken).ConfigureAwait(false)) continue;
            var stream = await _fs.OpenReadAsync(metadata, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                try
                {
                    result.Add(CompletedKvSnapshot.FromJson(buffer.ToArray()));
                }
                catch (InvalidDataException)
                {
                    // A damaged snapshot is skipped; an older one (or the changelog from 0) takes its place.
                }
            }
        }
        return result;
    }

    /// <summary>The newest completed snapshot of a bucket, or null.</summary>
    public async Task<CompletedKvSnapshot?> GetLatestAsync(PhysicalTablePath path, TableBucket bucket, CancellationToken cancellationToken = default) =>
        (await ListCompletedAsync(path, bucket, cancellationToken).ConfigureAwait(false)) is [var latest, ..] ? latest : null;

    /// <summary>
    /// Takes a snapshot of <paramref name="tablet"/>: a local RocksDB checkpoint (in a temporary directory next to
    /// the tablet), uploaded as the bucket's next snapshot, then old snapshots beyond the retained count deleted.
    /// Returns null when the tablet's flushed offset equals <paramref name="lastSnapshotOffset"/> (nothing new).
    /// </summary>
    public async Task<CompletedKvSnapshot?> SnapshotAsync(KvTablet tablet, PhysicalTablePath path, long lastSnapshotOffset = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tablet);
        if (tablet.FlushedLogOffset == lastSnapshotOffset) return null;
        var local = Path.Combine(tablet.Directory, ".checkpoint-" + Guid.NewGuid().ToString("N"));
        try
        {
            var offset = tablet.Checkpoint(local);
            return await UploadAsync(path, tablet.TableBucket, local, offset, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(local)) Directory.Delete(local, recursive: true);
        }
    }

    /// <summary>Uploads the checkpoint in <paramref name="localDirectory"/> as the bucket's next snapshot.</summary>
    public async Task<CompletedKvSnapshot> UploadAsync(PhysicalTablePath path, TableBucket bucket, string localDirectory, long logOffset, CancellationToken cancellationToken = default)
    {
        var dirs = await ListSnapshotDirsAsync(path, bucket, cancellationToken).ConfigureAwait(false);
        var id = dirs.Count == 0 ? 1 : dirs.Max(d => d.Id) + 1;
        var location = RemotePaths.Combine(TabletDirectory(path, bucket), SnapshotDirPrefix + id.ToString(CultureInfo.InvariantCulture));
        var files = new List<KvSnapshotFile>();
        long size = 0;
        foreach (var file in Directory.EnumerateFiles(localDirectory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var remote = RemotePaths.Combine(location, name);
            var output = await _fs.CreateAsync(remote, overwrite: false, cancellationToken).ConfigureAwait(false);
            await using (output.ConfigureAwait(false))
            {
                var input = File.OpenRead(file);
                await using (input.ConfigureAwait(false))
                    await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
            var length = new FileInfo(file).Length;
            size += length;
            files.Add(new KvSnapshotFile(remote, length, name));
        }
        var snapshot = new CompletedKvSnapshot(bucket, id, location, files, size, logOffset);
        var temporary = RemotePaths.Combine(location, CompletedKvSnapshot.MetadataFileName + ".inprogress");
        var metadataStream = await _fs.CreateAsync(temporary, overwrite: true, cancellationToken).ConfigureAwait(false);
        await using (metadataStream.ConfigureAwait(false))
            await metadataStream.WriteAsync(snapshot.ToJson(), cancellationToken).ConfigureAwait(false);
        if (!await _fs.RenameAsync(temporary, RemotePaths.Combine(location, CompletedKvSnapshot.MetadataFileName), cancellationToken).ConfigureAwait(false))
            throw new IOException($"Cannot complete KV snapshot {id} of {bucket}: {location} already holds a {CompletedKvSnapshot.MetadataFileName}.");
        await CleanupAsync(path, bucket, cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>Copies a snapshot's files into <paramref name="localDirectory"/> (created), ready to open as RocksDB.</summary>
    public async Task DownloadAsync(CompletedKvSnapshot snapshot, string localDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Directory.CreateDirectory(localDirectory);
        foreach (var file in snapshot.Files)
        {
            var input = await _fs.OpenReadAsync(file.Path, cancellationToken).ConfigureAwait(false);
            await using (input.ConfigureAwait(false))
            {
                var output = File.Create(Path.Combine(localDirectory, Path.GetFileName(file.LocalPath)));
                await using (output.ConfigureAwait(false))
                    await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes completed snapshots beyond the retained count, and unfinished ones older than the newest completed.</summary>
    private async Task CleanupAsync(PhysicalTablePath path, TableBucket bucket, CancellationToken cancellationToken)
    {
        var completed = await ListCompletedAsync(path, bucket, cancellationToken).ConfigureAwait(false);
        if (completed.Count == 0) return;
        var keep = completed.Take(NumRetained).Select(s => s.SnapshotId).ToHashSet();
        var newest = completed[0].SnapshotId;
        foreach (var (id, dir) in await ListSnapshotDirsAsync(path, bucket, cancellationToken).ConfigureAwait(false))
        {
            if (id < newest && !keep.Contains(id))
                await _fs.DeleteAsync(dir, recursive: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<(long Id, string Dir)>> ListSnapshotDirsAsync(PhysicalTablePath path, TableBucket bucket, CancellationToken cancellationToken)
    {
        var result = new List<(long, string)>();
        foreach (var entry in await _fs.ListAsync(TabletDirectory(path, bucket), cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsDirectory && entry.Name.StartsWith(SnapshotDirPrefix, StringComparison.Ordinal)
                && long.TryParse(entry.Name.AsSpan(SnapshotDirPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                result.Add((id, entry.Path));
        }
        return result;
    }
}
