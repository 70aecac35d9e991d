using System.Diagnostics;
using Fluss.Records.Kv;
using Fluss.Rows.Compacted;
using Fluss.Storage.Kv;
using RocksDbSharp;

namespace Fluss.Cli.Bench;

/// <summary>
/// RocksDB opened directly in this process with the tablet servers' options (LZ4, no write-ahead log), holding the
/// primary-key table's keys and values encoded as the servers store them (CompactedKeyEncoder key; schema id and
/// CompactedRow value).
/// </summary>
internal sealed class RocksBaseline : IDisposable
{
    private readonly RocksDb _db;
    private readonly string _path;
    private readonly CompactedKeyEncoder _keys = new(KvRows.Schema.RowType, ["id"]);

    public RocksBaseline(string path)
    {
        _path = path;
        Directory.CreateDirectory(path);
        _db = RocksDb.Open(KvRocksDbOptions.Create(), path);
    }

    /// <summary>The encoded key of id <paramref name="id"/>.</summary>
    public byte[] Key(long id) => _keys.EncodeKey(KvRows.Key(id));

    /// <summary>Puts the upserts of <paramref name="rows"/> with WriteBatches of <paramref name="batchSize"/>; returns the time taken.</summary>
    public TimeSpan Put(KvRows rows, long upserts, int batchSize, IBenchStep? step)
    {
        using var writer = new CompactedRowWriter(KvRows.Schema.RowType.FieldCount);
        var writeOptions = new WriteOptions().DisableWal(1);
        var type = KvRows.Schema.RowType;
        var keys = new byte[Math.Min(rows.Keys, upserts)][];
        var clock = Stopwatch.StartNew();
        using (var batch = new WriteBatch())
        {
            for (long i = 0; i < upserts; i++)
            {
                var id = i % rows.Keys;
                var key = keys[id] ??= Key(id);
                writer.Reset();
                writer.WriteRow(rows.Upsert(i), type);
                batch.Put(key, ValueEncoder.Encode(1, writer.WrittenSpan));
                if (batch.Count() == batchSize)
                {
                    _db.Write(batch, writeOptions);
                    batch.Clear();
                    step?.Advance(batchSize);
                }
            }
            if (batch.Count() > 0) _db.Write(batch, writeOptions);
        }
        return clock.Elapsed;
    }

    /// <summary>MultiGets <paramref name="keys"/> in chunks of <paramref name="chunk"/>; returns the time, the keys found and the latency of each chunk in ms.</summary>
    public (TimeSpan Elapsed, long Found, double[] ChunkMs) MultiGet(byte[][] keys, int chunk)
    {
        long found = 0;
        var latencies = new double[(keys.Length + chunk - 1) / chunk];
        var buffer = new byte[chunk][];
        var clock = Stopwatch.StartNew();
        for (int i = 0, c = 0; i < keys.Length; i += chunk, c++)
        {
            var n = Math.Min(chunk, keys.Length - i);
            if (n != buffer.Length) buffer = new byte[n][];
            Array.Copy(keys, i, buffer, 0, n);
            var started = Stopwatch.GetTimestamp();
            foreach (var kv in _db.MultiGet(buffer))
                if (kv.Value is not null) found++;
            latencies[c] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        return (clock.Elapsed, found, latencies);
    }

    public void Dispose()
    {
        _db.Dispose();
        _keys.Dispose();
        try
        {
            Directory.Delete(_path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
