using System.Globalization;
using Fluss.Metadata;

namespace Fluss.Storage.Log;

/// <summary>
/// File and directory names of the local log, as Fluss lays them out:
/// <c>{data.dir}/{db}/{table}-{tableId}/[{partitionName}-p{partitionId}/]log-{bucket}/</c> holding
/// <c>{20-digit base offset}.log</c>, <c>.index</c>, <c>.timeindex</c> and <c>.writer_snapshot</c> files.
/// </summary>
internal static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string WriterSnapshotSuffix = ".writer_snapshot";
    public const string DeletedSuffix = ".deleted";
    public const string TempSuffix = ".tmp";
    public const string LogTabletDirPrefix = "log-";
    public const string PartitionDirPrefix = "p";

    /// <summary>The offset padded to 20 digits, so names sort numerically.</summary>
    public static string Prefix(long offset) => offset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string dir, long baseOffset) => Path.Combine(dir, Prefix(baseOffset) + LogSuffix);

    public static string IndexFile(string dir, long baseOffset) => Path.Combine(dir, Prefix(baseOffset) + IndexSuffix);

    public static string TimeIndexFile(string dir, long baseOffset) => Path.Combine(dir, Prefix(baseOffset) + TimeIndexSuffix);

    public static string WriterSnapshotFile(string dir, long offset) => Path.Combine(dir, Prefix(offset) + WriterSnapshotSuffix);

    /// <summary>The offset a file name starts with (the digits before the first '.'), or null.</summary>
    public static long? OffsetOf(string fileName)
    {
        var dot = fileName.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return null;
        return long.TryParse(fileName.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
    }

    /// <summary>The log tablet directory of a bucket.</summary>
    public static string TabletDir(string dataDir, PhysicalTablePath path, TableBucket bucket)
    {
        var tableDir = Path.Combine(dataDir, path.DatabaseName, path.TableName + "-" + bucket.TableId.ToString(CultureInfo.InvariantCulture));
        if (path.PartitionName is not null)
        {
            if (bucket.PartitionId is null)
                throw new ArgumentException($"Bucket {bucket} of partition '{path.PartitionName}' has no partition id.", nameof(bucket));
            tableDir = Path.Combine(tableDir, path.PartitionName + "-" + PartitionDirPrefix + bucket.PartitionId.Value.ToString(CultureInfo.InvariantCulture));
        }
        else if (bucket.PartitionId is not null)
        {
            throw new ArgumentException($"Bucket {bucket} has a partition id but the table path {path} names no partition.", nameof(bucket));
        }
        return Path.Combine(tableDir, LogTabletDirPrefix + bucket.Bucket.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads the table path and bucket back from a log tablet directory; false when the names do not fit the layout.</summary>
    public static bool TryParseTabletDir(string tabletDir, out PhysicalTablePath path, out TableBucket bucket)
    {
        path = null!;
        bucket = default;
        var tablet = new DirectoryInfo(tabletDir);
        if (!tablet.Name.StartsWith(LogTabletDirPrefix, StringComparison.Ordinal)
            || !int.TryParse(tablet.Name.AsSpan(LogTabletDirPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var bucketId))
            return false;
        var parent = tablet.Parent;
        if (parent is null) return false;
        string? partitionName = null;
        long? partitionId = null;
        var tableDir = parent;
        var dash = parent.Name.LastIndexOf('-');
        if (dash > 0 && dash + 1 < parent.Name.Length && parent.Name[dash + 1] == PartitionDirPrefix[0]
            && long.TryParse(parent.Name.AsSpan(dash + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            partitionName = parent.Name[..dash];
            partitionId = pid;
            tableDir = parent.Parent;
        }
        if (tableDir?.Parent is null) return false;
        var tableDash = tableDir.Name.LastIndexOf('-');
        if (tableDash <= 0 || !long.TryParse(tableDir.Name.AsSpan(tableDash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var tableId))
            return false;
        path = PhysicalTablePath.Of(tableDir.Parent.Name, tableDir.Name[..tableDash], partitionName);
        bucket = new TableBucket(tableId, partitionId, bucketId);
        return true;
    }
}
