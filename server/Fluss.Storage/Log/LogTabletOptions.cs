using Fluss.Config;
using Fluss.Errors;

namespace Fluss.Storage.Log;

/// <summary>
/// Settings of log tablets, with Fluss's keys and defaults: <c>log.segment.file-size</c> (1 GiB),
/// <c>log.index.file-size</c> (10 MiB), <c>log.index.interval-size</c> (4 KiB), <c>log.flush.interval-messages</c>
/// (never), <c>server.writer-id.expiration-time</c> (7 days) and <c>log.retention.roll-active-segment.enabled</c>.
/// </summary>
public sealed record LogTabletOptions
{
    /// <summary>A segment rolls when the next append would grow it beyond this many bytes.</summary>
    public int SegmentFileSize { get; init; } = 1024 * 1024 * 1024;

    /// <summary>Largest offset or time index file; a full index rolls the segment.</summary>
    public int IndexFileSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>Bytes of log between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>Largest batch accepted by an append; null means <see cref="SegmentFileSize"/>.</summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>Appended records after which the log is forced to disk (<see cref="long.MaxValue"/>: only on roll, flush and close).</summary>
    public long FlushIntervalMessages { get; init; } = long.MaxValue;

    /// <summary>How long a writer id is remembered after its last batch.</summary>
    public TimeSpan WriterIdExpiration { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Whether TTL retention rolls an expired, fully committed active segment so it can be deleted.</summary>
    public bool RollExpiredActiveSegment { get; init; }

    /// <summary>The effective batch size limit.</summary>
    public int EffectiveMaxBatchSize => MaxBatchSize ?? SegmentFileSize;

    /// <summary>Reads the options from a server configuration.</summary>
    /// <exception cref="InvalidConfigException">A value is out of range; the message names the key.</exception>
    public static LogTabletOptions FromConfiguration(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new LogTabletOptions
        {
            SegmentFileSize = ToInt(configuration.Get(ConfigOptions.LogSegmentFileSize), ConfigOptions.LogSegmentFileSize.Key),
            IndexFileSize = ToInt(configuration.Get(ConfigOptions.LogIndexFileSize), ConfigOptions.LogIndexFileSize.Key),
            IndexIntervalBytes = ToInt(configuration.Get(ConfigOptions.LogIndexIntervalSize), ConfigOptions.LogIndexIntervalSize.Key),
            FlushIntervalMessages = configuration.Get(ConfigOptions.LogFlushIntervalMessages),
            WriterIdExpiration = configuration.Get(ConfigOptions.WriterIdExpirationTime),
            RollExpiredActiveSegment = configuration.Get(ConfigOptions.LogRetentionRollActiveSegmentEnabled),
        };
        options.Validate();
        return options;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="InvalidConfigException">A value is out of range; the message names the key.</exception>
    public void Validate()
    {
        if (SegmentFileSize < 1024)
            throw new InvalidConfigException($"Invalid value {SegmentFileSize} for 'log.segment.file-size': a log segment must be at least 1024 bytes.");
        if (IndexFileSize < 24)
            throw new InvalidConfigException($"Invalid value {IndexFileSize} for 'log.index.file-size': an index file must hold at least two time index entries (24 bytes).");
        if (IndexIntervalBytes < 0)
            throw new InvalidConfigException($"Invalid value {IndexIntervalBytes} for 'log.index.interval-size': it must not be negative.");
        if (MaxBatchSize is < 1)
            throw new InvalidConfigException($"Invalid maximum batch size {MaxBatchSize}: it must be positive.");
        if (FlushIntervalMessages < 1)
            throw new InvalidConfigException($"Invalid value {FlushIntervalMessages} for 'log.flush.interval-messages': it must be at least 1.");
        if (WriterIdExpiration <= TimeSpan.Zero)
            throw new InvalidConfigException($"Invalid value {WriterIdExpiration} for 'server.writer-id.expiration-time': it must be positive.");
    }

    private static int ToInt(MemorySize size, string key) =>
        size.Bytes is >= 0 and <= int.MaxValue
            ? (int)size.Bytes
            : throw new InvalidConfigException($"Invalid value {size} for '{key}': it must be at most {int.MaxValue} bytes.");
}
