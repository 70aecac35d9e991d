namespace Fluss.Storage.Log;

/// <summary>How far a read may go: clients read up to the high watermark, followers up to the log end offset.</summary>
public enum FetchIsolation
{
    /// <summary>Up to the log end offset (replica fetches).</summary>
    LogEnd,

    /// <summary>Up to the high watermark (client fetches).</summary>
    HighWatermark,
}

/// <summary>The result of an append.</summary>
/// <param name="FirstOffset">Offset of the first record appended (for a duplicate: of the original batch).</param>
/// <param name="LastOffset">Offset of the last record appended (for a duplicate: of the original batch).</param>
/// <param name="MaxTimestamp">The largest commit timestamp of the appended batches.</param>
/// <param name="StartOffsetOfMaxTimestamp">Base offset of the batch holding <paramref name="MaxTimestamp"/>.</param>
/// <param name="BatchCount">Number of batches appended (0 for a duplicate).</param>
/// <param name="RecordCount">Number of records appended (0 for a duplicate).</param>
/// <param name="ValidBytes">Bytes appended to the log (0 for a duplicate).</param>
/// <param name="IsDuplicate">The batch was a retry of one already in the log; nothing was appended.</param>
public readonly record struct LogAppendInfo(
    long FirstOffset,
    long LastOffset,
    long MaxTimestamp,
    long StartOffsetOfMaxTimestamp,
    int BatchCount,
    int RecordCount,
    int ValidBytes,
    bool IsDuplicate)
{
    /// <summary>The log end offset right after this append.</summary>
    public long NextOffset => LastOffset + 1;
}

/// <summary>Offsets of a log tablet at one moment.</summary>
/// <param name="LogStartOffset">The first offset still in the local log.</param>
/// <param name="HighWatermark">The committed offset: clients read below it.</param>
/// <param name="LogEndOffset">The offset the next append receives.</param>
public readonly record struct LogOffsetSnapshot(long LogStartOffset, long HighWatermark, long LogEndOffset);
