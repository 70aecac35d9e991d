using System.Globalization;
using System.Text;
using Fluss.Metadata;

namespace Fluss.Storage.Log;

/// <summary>
/// A per-bucket offset checkpoint in Fluss's text format: a version line (0), a count line, then one line per bucket,
/// <c>{tableId} {bucket} {offset}</c> or <c>{tableId} {partitionId} {bucket} {offset}</c>. Writes go to a
/// <c>.tmp</c> file that is forced to disk and renamed over the checkpoint, so a crash leaves the old or the new
/// file, never a mix. Thread-safe.
/// </summary>
public sealed class OffsetCheckpointFile
{
    public const int CurrentVersion = 0;

    private readonly object _lock = new();

    public OffsetCheckpointFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>Replaces the checkpoint with <paramref name="offsets"/>.</summary>
    public void Write(IEnumerable<KeyValuePair<TableBucket, long>> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var entries = offsets.ToList();
        var text = new StringBuilder();
        text.Append(CurrentVersion.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (bucket, offset) in entries)
        {
            text.Append(bucket.TableId.ToString(CultureInfo.InvariantCulture)).Append(' ');
            if (bucket.PartitionId is { } partition) text.Append(partition.ToString(CultureInfo.InvariantCulture)).Append(' ');
            text.Append(bucket.Bucket.ToString(CultureInfo.InvariantCulture)).Append(' ');
            text.Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_lock)
        {
            var temp = Path + LogFileNames.TempSuffix;
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true);
            DirectorySync.Fsync(System.IO.Path.GetDirectoryName(Path)!);
        }
    }

    /// <summary>The checkpointed offsets; empty when the file does not exist or is empty.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and the line.</exception>
    public IReadOnlyDictionary<TableBucket, long> Read()
    {
        lock (_lock)
        {
            var result = new Dictionary<TableBucket, long>();
            if (!File.Exists(Path)) return result;
            var lines = File.ReadAllLines(Path, Encoding.UTF8);
            if (lines.Length == 0) return result;
            var version = ParseInt(lines[0]);
            if (version != CurrentVersion)
                throw new InvalidDataException($"Unrecognised version {version} in checkpoint file {Path}; expected version {CurrentVersion}.");
            if (lines.Length == 1) return result;
            var expected = ParseInt(lines[1]);
            for (var i = 2; i < lines.Length; i++)
            {
                if (lines[i].Length == 0 && i == lines.Length - 1) break;
                var parts = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                try
                {
                    var (bucket, offset) = parts.Length switch
                    {
                        3 => (new TableBucket(long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture)), long.Parse(parts[2], CultureInfo.InvariantCulture)),
                        4 => (new TableBucket(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)), long.Parse(parts[3], CultureInfo.InvariantCulture)),
                        _ => throw new FormatException(),
                    };
                    result[bucket] = offset;
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw Malformed(lines[i]);
                }
            }
            if (result.Count != expected)
                throw new InvalidDataException($"Expected {expected} entries in checkpoint file {Path}, but found {result.Count}.");
            return result;

            int ParseInt(string line) =>
                int.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Malformed(line);
        }
    }

    private InvalidDataException Malformed(string line) => new($"Malformed line in checkpoint file {Path}: '{line}'.");
}
