using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Storage.Log;

/// <summary>
/// Settings of a <see cref="LogManager"/>: the tablet settings and the periods of its background work, with Fluss's
/// keys and defaults (<c>log.replica.high-watermark.checkpoint-interval</c> 5 s,
/// <c>log.flush.offset.checkpoint-interval</c> 60 s, <c>log.retention.check-interval</c> 5 min,
/// <c>server.writer-id.expiration-check-interval</c> 10 min).
/// </summary>
public sealed record LogManagerOptions
{
    public LogTabletOptions Tablet { get; init; } = new();

    public TimeSpan HighWatermarkCheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RecoveryPointCheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan WriterIdExpirationCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Reads the options from a server configuration.</summary>
    /// <exception cref="InvalidConfigException">A value is out of range; the message names the key.</exception>
    public static LogManagerOptions FromConfiguration(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new LogManagerOptions
        {
            Tablet = LogTabletOptions.FromConfiguration(configuration),
            HighWatermarkCheckpointInterval = configuration.Get(ConfigOptions.LogReplicaHighWatermarkCheckpointInterval),
            RecoveryPointCheckpointInterval = configuration.Get(ConfigOptions.LogFlushOffsetCheckpointInterval),
            RetentionCheckInterval = configuration.Get(ConfigOptions.LogRetentionCheckInterval),
            WriterIdExpirationCheckInterval = configuration.Get(ConfigOptions.WriterIdExpirationCheckInterval),
        };
    }
}

/// <summary>
/// The log tablets of one data directory. Opening takes the directory's <c>.lock</c> (a second opener fails),
/// loads every tablet found under <c>{db}/{table}-{tableId}/[{partition}-p{partitionId}/]log-{bucket}</c> with its
/// checkpointed recovery point and high watermark (full recovery unless the previous close left the clean-shutdown
/// marker), and keeps <c>recovery-point-offset-checkpoint</c> and <c>high-watermark-checkpoint</c> up to date.
/// <see cref="Start"/> runs checkpoints, TTL retention and writer expiry periodically on the injected clock.
/// </summary>
public sealed class LogManager : IDisposable
{
    public const string LockFileName = ".lock";
    public const string CleanShutdownFileName = ".fluss_cleanshutdown";
    public const string RecoveryPointCheckpointFileName = "recovery-point-offset-checkpoint";
    public const string HighWatermarkCheckpointFileName = "high-watermark-checkpoint";

    private readonly ConcurrentDictionary<TableBucket, LogTablet> _tablets = new();
    private readonly object _lifecycle = new();
    private readonly FileStream _lockFile;
    private readonly OffsetCheckpointFile _recoveryPoints;
    private readonly OffsetCheckpointFile _highWatermarks;
    private readonly TimeProvider _time;
    private readonly List<ITimer> _timers = [];
    private bool _closed;

    private LogManager(string dataDirectory, LogManagerOptions options, TimeProvider time, FileStream lockFile)
    {
        DataDirectory = dataDirectory;
        Options = options;
        _time = time;
        _lockFile = lockFile;
        _recoveryPoints = new OffsetCheckpointFile(Path.Combine(dataDirectory, RecoveryPointCheckpointFileName));
        _highWatermarks = new OffsetCheckpointFile(Path.Combine(dataDirectory, HighWatermarkCheckpointFileName));
    }

    /// <summary>Locks <paramref name="dataDirectory"/> (created when missing) and loads its tablets.</summary>
    /// <exception cref="FlussException">LOG_STORAGE (10) when the directory is locked by another log manager or a tablet cannot be loaded.</exception>
    public static LogManager Open(string dataDirectory, LogManagerOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        options ??= new LogManagerOptions();
        options.Tablet.Validate();
        var directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        var lockPath = Path.Combine(directory, LockFileName);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new FlussException(FlussErrorCode.LogStorage,
                $"The data directory {directory} is in use by another tablet server or log manager (its lock file {lockPath} is held); stop the other process or use another data.dir.", e);
        }

        var manager = new LogManager(directory, options, timeProvider ?? TimeProvider.System, lockFile);
        try
        {
            manager.LoadTablets();
            return manager;
        }
        catch
        {
            manager.Dispose();
            throw;
        }
    }

    public string DataDirectory { get; }

    public LogManagerOptions Options { get; }

    /// <summary>Whether the previous log manager of this directory shut down cleanly (so recovery was skipped).</summary>
    public bool WasCleanShutdown { get; private set; }

    public IReadOnlyCollection<LogTablet> Tablets => _tablets.Values.ToArray();

    public bool TryGetTablet(TableBucket bucket, [NotNullWhen(true)] out LogTablet? tablet) => _tablets.TryGetValue(bucket, out tablet);

    /// <summary>The tablet of <paramref name="bucket"/>, created (empty, at offset 0) when it does not exist yet.</summary>
    /// <param name="path">The table (and partition) of the bucket; names the directory.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="logTtl">The table's <c>table.log.ttl</c>; when given it also updates an existing tablet.</param>
    public LogTablet GetOrCreateTablet(PhysicalTablePath path, TableBucket bucket, TimeSpan? logTtl = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!_tablets.TryGetValue(bucket, out var tablet))
            {
                var directory = LogFileNames.TabletDir(DataDirectory, path, bucket);
                tablet = LogTablet.Open(directory, path, bucket, Options.Tablet, _time, cleanShutdown: true);
                _tablets[bucket] = tablet;
            }
            if (logTtl is { } ttl) tablet.LogTtl = ttl;
            return tablet;
        }
    }

    /// <summary>Closes the tablet of <paramref name="bucket"/> and deletes its directory.</summary>
    /// <exception cref="FlussException">LOG_STORAGE (10) when the bucket has no tablet here.</exception>
    public void DropTablet(TableBucket bucket)
    {
        LogTablet? tablet;
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!_tablets.TryRemove(bucket, out tablet))
                throw new FlussException(FlussErrorCode.LogStorage, $"Failed to delete the log of {bucket}: it does not exist in {DataDirectory}.");
        }
        tablet.Drop();
        DeleteEmptyParents(tablet.Directory);
    }

    /// <summary>Writes every tablet's recovery point to <c>recovery-point-offset-checkpoint</c>.</summary>
    public void CheckpointRecoveryPoints() =>
        _recoveryPoints.Write(_tablets.Select(t => KeyValuePair.Create(t.Key, t.Value.RecoveryPoint)));

    /// <summary>Writes every tablet's high watermark to <c>high-watermark-checkpoint</c>.</summary>
    public void CheckpointHighWatermarks() =>
        _highWatermarks.Write(_tablets.Select(t => KeyValuePair.Create(t.Key, t.Value.HighWatermark)));

    /// <summary>One TTL retention pass over all tablets (each with its own <see cref="LogTablet.LogTtl"/>); returns the segments deleted.</summary>
    public int DeleteExpiredSegments()
    {
        var deleted = 0;
        foreach (var tablet in _tablets.Values)
        {
            try
            {
                deleted += tablet.DeleteSegmentsByTtl();
            }
            catch (ObjectDisposedException)
            {
                // Dropped meanwhile.
            }
        }
        return deleted;
    }

    /// <summary>Forgets expired idempotent writers in all tablets; returns how many.</summary>
    public int RemoveExpiredWriters()
    {
        var removed = 0;
        foreach (var tablet in _tablets.Values)
        {
            try
            {
                removed += tablet.RemoveExpiredWriters();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        return removed;
    }

    /// <summary>Starts the periodic high-watermark and recovery-point checkpoints, TTL retention and writer expiry.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_timers.Count > 0) return;
            Schedule(Options.HighWatermarkCheckpointInterval, CheckpointHighWatermarks);
            Schedule(Options.RecoveryPointCheckpointInterval, CheckpointRecoveryPoints);
            Schedule(Options.RetentionCheckInterval, () => DeleteExpiredSegments());
            Schedule(Options.WriterIdExpirationCheckInterval, () => RemoveExpiredWriters());
        }
    }

    /// <summary>
    /// Stops the background work, closes every tablet (flush and writer snapshot), writes both checkpoints, leaves
    /// the clean-shutdown marker and releases the directory lock.
    /// </summary>
    public void Dispose()
    {
        lock (_lifecycle)
        {
            if (_closed) return;
            _closed = true;
            foreach (var timer in _timers) timer.Dispose();
            _timers.Clear();
        }
        try
        {
            var allClosed = true;
            foreach (var tablet in _tablets.Values)
            {
                try
                {
                    tablet.Dispose();
                }
                catch (Exception e) when (e is IOException or FlussException or UnauthorizedAccessException)
                {
                    allClosed = false;
                }
            }
            CheckpointRecoveryPoints();
            CheckpointHighWatermarks();
            if (allClosed) File.WriteAllBytes(Path.Combine(DataDirectory, CleanShutdownFileName), []);
        }
        finally
        {
            _lockFile.Dispose();
        }
    }

    private void Schedule(TimeSpan period, Action action)
    {
        if (period <= TimeSpan.Zero) return;
        _timers.Add(_time.CreateTimer(_ => RunPeriodic(action), null, period, period));
    }

    private void RunPeriodic(Action action)
    {
        lock (_lifecycle)
        {
            if (_closed) return;
            try
            {
                action();
            }
            catch (Exception e) when (e is IOException or FlussException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The next period retries; a failing disk surfaces on the write path.
            }
        }
    }

    private void LoadTablets()
    {
        var cleanMarker = Path.Combine(DataDirectory, CleanShutdownFileName);
        WasCleanShutdown = File.Exists(cleanMarker);
        if (WasCleanShutdown) File.Delete(cleanMarker);
        var recoveryPoints = ReadCheckpoint(_recoveryPoints);
        var highWatermarks = ReadCheckpoint(_highWatermarks);
        foreach (var tabletDir in FindTabletDirectories())
        {
            if (!LogFileNames.TryParseTabletDir(tabletDir, out var path, out var bucket)) continue;
            var tablet = LogTablet.Open(tabletDir, path, bucket, Options.Tablet, _time,
                recoveryPoints.GetValueOrDefault(bucket, 0),
                highWatermarks.TryGetValue(bucket, out var hw) ? hw : null,
                WasCleanShutdown);
            if (!_tablets.TryAdd(bucket, tablet))
            {
                tablet.Dispose();
                throw new FlussException(FlussErrorCode.LogStorage, $"Two log directories in {DataDirectory} hold {bucket}; the second is {tabletDir}.");
            }
        }
    }

    private static IReadOnlyDictionary<TableBucket, long> ReadCheckpoint(OffsetCheckpointFile file)
    {
        try
        {
            return file.Read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // As Fluss: an unreadable checkpoint resets to 0, which means full recovery.
            return new Dictionary<TableBucket, long>();
        }
    }

    private IEnumerable<string> FindTabletDirectories()
    {
        foreach (var database in Directory.EnumerateDirectories(DataDirectory))
        {
            if (Path.GetFileName(database).StartsWith('.')) continue;
            foreach (var table in Directory.EnumerateDirectories(database))
            {
                foreach (var child in Directory.EnumerateDirectories(table))
                {
                    var name = Path.GetFileName(child);
                    if (name.StartsWith(LogFileNames.LogTabletDirPrefix, StringComparison.Ordinal))
                    {
                        yield return child;
                        continue;
                    }
                    foreach (var tablet in Directory.EnumerateDirectories(child, LogFileNames.LogTabletDirPrefix + "*"))
                        yield return tablet;
                }
            }
        }
    }

    /// <summary>Removes the partition and table directories left empty by a drop.</summary>
    private void DeleteEmptyParents(string tabletDirectory)
    {
        var parent = Path.GetDirectoryName(tabletDirectory);
        for (var depth = 0; depth < 3 && parent is not null && parent.Length > DataDirectory.Length; depth++)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(parent).Any()) return;
                Directory.Delete(parent);
            }
            catch (IOException)
            {
                return;
            }
            parent = Path.GetDirectoryName(parent);
        }
    }
}
