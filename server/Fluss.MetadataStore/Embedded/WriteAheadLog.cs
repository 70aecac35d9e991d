namespace Fluss.MetadataStore.Embedded;

/// <summary>
/// The append-only transaction log: a 12-byte header (<c>FLUSSWAL</c> + int32 format version) followed by framed
/// records (<see cref="LogRecordCodec"/>). Each append is fsynced before the transaction counts as committed.
/// Opening reads every valid record; a torn or corrupt last record is cut off (never replayed), while a corrupt
/// record followed by valid ones is reported as corruption instead of silently dropping committed changes.
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    private static readonly byte[] Magic = "FLUSSWAL"u8.ToArray();
    private const int FormatVersion = 1;
    public const int HeaderSize = 12;

    private readonly FileStream _file;
    private readonly bool _sync;

    private WriteAheadLog(string path, FileStream file, bool sync, long length, int records)
    {
        FilePath = path;
        _file = file;
        _sync = sync;
        Length = length;
        RecordCount = records;
    }

    public string FilePath { get; }

    /// <summary>Bytes of the log file that hold the header and valid records.</summary>
    public long Length { get; private set; }

    /// <summary>Records in the log since it was last reset.</summary>
    public int RecordCount { get; private set; }

    /// <summary>Set when a failed write could not be undone; no further appends are possible.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>What recovery found: the valid records and, when a tail was cut, where and why.</summary>
    public sealed record RecoveryResult(IReadOnlyList<LogRecord> Records, long? TruncatedAt, string? TruncationReason);

    public static WriteAheadLog Open(string path, bool sync, out RecoveryResult recovery)
    {
        var created = !File.Exists(path);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        try
        {
            var data = new byte[file.Length];
            file.ReadExactly(data);
            var records = new List<LogRecord>();
            long? truncatedAt = null;
            string? reason = null;

            if (data.Length < HeaderSize)
            {
                if (!Magic.AsSpan(0, Math.Min(data.Length, Magic.Length)).SequenceEqual(data.AsSpan(0, Math.Min(data.Length, Magic.Length))))
                    throw new InvalidDataException($"{path} is not a metadata log (bad header)");
                if (data.Length > 0)
                {
                    truncatedAt = 0;
                    reason = "torn header";
                }
                WriteHeader(file, sync);
                if (created && sync)
                    DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
                data = [];
            }
            else
            {
                if (!data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
                    throw new InvalidDataException($"{path} is not a metadata log (bad magic)");
                var version = BitConverter.ToInt32(data, Magic.Length);
                if (version != FormatVersion)
                    throw new InvalidDataException($"{path} has log format version {version}; this build reads version {FormatVersion}");
            }

            long offset = HeaderSize;
            while (offset < data.Length)
            {
                var status = LogRecordCodec.Probe(data, offset, out var payloadLength);
                if (status == LogRecordCodec.FrameStatus.Valid)
                {
                    LogRecord record;
                    try
                    {
                        record = LogRecordCodec.DecodePayload(data.AsSpan((int)offset + LogRecordCodec.FrameHeaderSize, payloadLength));
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"{path}: record at offset {offset} passes its checksum but cannot be decoded: {e.Message}", e);
                    }
                    records.Add(record);
                    offset += LogRecordCodec.FrameHeaderSize + payloadLength;
                    continue;
                }

                var validAfter = FindValidFrameAfter(data, offset + 1);
                if (validAfter >= 0)
                    throw new InvalidDataException(
                        $"{path} is corrupt: the record at offset {offset} fails its checksum but a valid record follows at offset {validAfter}; "
                        + "refusing to drop committed changes (restore the metadata directory from a backup)");
                truncatedAt = offset;
                reason = status == LogRecordCodec.FrameStatus.Incomplete ? "torn last record" : "corrupt last record (checksum mismatch)";
                break;
            }

            var length = data.Length < HeaderSize ? HeaderSize : (truncatedAt ?? data.Length);
            if (truncatedAt is long cut && cut >= HeaderSize)
            {
                file.SetLength(cut);
                file.Flush(flushToDisk: true);
            }
            file.Position = length;
            recovery = new RecoveryResult(records, truncatedAt, reason);
            return new WriteAheadLog(path, file, sync, length, records.Count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static long FindValidFrameAfter(byte[] data, long from)
    {
        for (var o = from; o + LogRecordCodec.FrameHeaderSize <= data.Length; o++)
        {
            if (LogRecordCodec.Probe(data, o, out _) == LogRecordCodec.FrameStatus.Valid)
                return o;
        }
        return -1;
    }

    private static void WriteHeader(FileStream file, bool sync)
    {
        file.SetLength(0);
        file.Position = 0;
        file.Write(Magic);
        file.Write(BitConverter.GetBytes(FormatVersion));
        file.Flush(flushToDisk: sync);
    }

    /// <summary>Appends one record and (when syncing) fsyncs it. On failure the file is cut back to its previous length.</summary>
    public void Append(LogRecord record)
    {
        if (IsBroken) throw new IOException($"the metadata log {FilePath} failed earlier and accepts no more writes");
        var frame = LogRecordCodec.Encode(record);
        try
        {
            _file.Position = Length;
            _file.Write(frame);
            _file.Flush(flushToDisk: _sync);
        }
        catch
        {
            try
            {
                _file.SetLength(Length);
                _file.Flush(flushToDisk: true);
            }
            catch
            {
                IsBroken = true;
            }
            throw;
        }
        Length += frame.Length;
        RecordCount++;
    }

    /// <summary>Empties the log (after a snapshot made its records redundant).</summary>
    public void Reset()
    {
        try
        {
            WriteHeader(_file, sync: true);
        }
        catch
        {
            IsBroken = true;
            throw;
        }
        Length = HeaderSize;
        RecordCount = 0;
    }

    public void Dispose() => _file.Dispose();
}
