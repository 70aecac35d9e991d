using Fluss.Bucketing;
using Fluss.Metadata;
using Fluss.Records.Kv;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Storage.Kv;
using Fluss.Storage.Log;
using Fluss.Types;

namespace Fluss.Storage.Tests.Kv;

/// <summary>One changelog record as read back from the log.</summary>
internal sealed record Change(long Offset, ChangeType Type, GenericRow Row)
{
    public override string ToString() => $"{Offset}:{ChangeTypes.ShortString(Type)}{Row}";
}

internal static class ChangeTypes
{
    public static string ShortString(ChangeType type) => type switch
    {
        ChangeType.AppendOnly => "+A",
        ChangeType.Insert => "+I",
        ChangeType.UpdateBefore => "-U",
        ChangeType.UpdateAfter => "+U",
        ChangeType.Delete => "-D",
        _ => "?",
    };
}

/// <summary>A primary-key table with its log tablet and KV tablet in a temp directory, and row/key/batch helpers.</summary>
internal sealed class KvHarness : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CompactedRowWriter _writer;
    private readonly IKeyEncoder _keyEncoder;
    private readonly IKeyEncoder _bucketKeyEncoder;

    public KvHarness(Schema schema, IReadOnlyDictionary<string, string>? properties = null, string[]? bucketKeys = null, int schemaId = 1)
    {
        var builder = TableDescriptor.NewBuilder().Schema(schema).DistributedBy(1, bucketKeys ?? [.. schema.PrimaryKeyColumnNames]);
        if (properties is not null) builder.Properties(properties);
        Table = TableInfo.Of(new TablePath("db", "t"), 7, schemaId, builder.Build(), null, 0, 0);
        Path = PhysicalTablePath.Of(Table.TablePath);
        Log = LogTablet.Open(_dir.Sub("data", "db", "t-7", "log-0"), Path, new TableBucket(7, null, 0));
        Kv = KvTablet.Create(KvTablet.TabletDirectoryOf(Log), Log, Table);
        _writer = new CompactedRowWriter(Table.RowType.FieldCount);
        _keyEncoder = KvTablet.PrimaryKeyEncoder(Table);
        _bucketKeyEncoder = KeyEncoders.ForBucketKey(Table.RowType, Table.BucketKeys, null);
        RemoteDir = _dir.Sub("remote");
    }

    public static KvHarness Of(string columns, string[] primaryKey, IReadOnlyDictionary<string, string>? properties = null, string[]? bucketKeys = null) =>
        new(Schema.FromColumnList(columns, primaryKey), properties, bucketKeys);

    public TableInfo Table { get; }

    public PhysicalTablePath Path { get; }

    public LogTablet Log { get; }

    public KvTablet Kv { get; private set; }

    public string RemoteDir { get; }

    public string Sub(string name) => _dir.Sub(name);

    public RowType RowType => Table.RowType;

    /// <summary>The CompactedRow bytes of a full row.</summary>
    public byte[] RowBytes(params object?[] values)
    {
        _writer.WriteRow(GenericRow.Of(values), RowType);
        return _writer.ToArray();
    }

    /// <summary>The encoded primary key of a full row.</summary>
    public byte[] KeyOf(GenericRow row) => _keyEncoder.EncodeKey(row);

    /// <summary>The encoded primary key from the key values alone (in primary-key order).</summary>
    public byte[] Key(params object?[] primaryKeyValues)
    {
        var row = new GenericRow(RowType.FieldCount);
        var pk = Table.Schema.PrimaryKeyIndexes;
        for (var i = 0; i < pk.Length; i++) row[pk[i]] = primaryKeyValues[i];
        return _keyEncoder.EncodeKey(row);
    }

    /// <summary>The encoded bucket key (a prefix of the primary key when it leads it).</summary>
    public byte[] BucketKey(params object?[] bucketKeyValues)
    {
        var row = new GenericRow(RowType.FieldCount);
        for (var i = 0; i < Table.BucketKeys.Count; i++) row[RowType.IndexOf(Table.BucketKeys[i])] = bucketKeyValues[i];
        return _bucketKeyEncoder.EncodeKey(row);
    }

    public BatchBuilder Batch(long writerId = KvRecordBatchFormat.NoWriterId, int sequence = KvRecordBatchFormat.NoBatchSequence) => new(this, writerId, sequence);

    /// <summary>Puts a batch of full-row upserts.</summary>
    public LogAppendInfo Upsert(params object?[][] rows)
    {
        var batch = Batch();
        foreach (var row in rows) batch.Upsert(row);
        return Kv.PutAsLeader(batch.Build());
    }

    /// <summary>Puts a batch of deletes by primary-key values.</summary>
    public LogAppendInfo Delete(params object?[][] keys)
    {
        var batch = Batch();
        foreach (var key in keys) batch.Delete(key);
        return Kv.PutAsLeader(batch.Build());
    }

    /// <summary>Commits everything appended so far (high watermark to the log end).</summary>
    public long Commit() => Kv.AdvanceHighWatermark(Log.LogEndOffset);

    /// <summary>The committed row of a key, or null.</summary>
    public GenericRow? Lookup(params object?[] primaryKeyValues) => Decode(Kv.MultiGet([Key(primaryKeyValues)])[0]);

    public GenericRow? Decode(byte[]? value)
    {
        if (value is null) return null;
        var (_, row) = ValueEncoder.Decode(value);
        return GenericRow.CopyOf(new CompactedRow(RowType, row), RowType);
    }

    /// <summary>Every changelog record from <paramref name="from"/> up to the log end (or only up to the high watermark).</summary>
    public List<Change> Changelog(long from = 0, bool committedOnly = false)
    {
        var result = new List<Change>();
        var next = from;
        while (true)
        {
            using var data = Log.Read(next, 1 << 20, committedOnly ? FetchIsolation.HighWatermark : FetchIsolation.LogEnd, minOneMessage: true);
            if (data.IsEmpty) return result;
            foreach (var batch in new LogRecords(data.Records))
            {
                batch.EnsureValid();
                if (batch.RecordCount > 0)
                {
                    foreach (var record in batch.ReadRows(RowType))
                        if (record.Offset >= next) result.Add(new Change(record.Offset, record.ChangeType, record.Row));
                }
                next = batch.NextOffset;
            }
        }
    }

    /// <summary>All committed rows, decoded, in key order.</summary>
    public List<GenericRow> All() => Kv.ReadAll().Select(kv => Decode(kv.Value)!).ToList();

    /// <summary>Closes the KV tablet and rebuilds it (optionally from a local checkpoint copy).</summary>
    public void Reopen(string? checkpoint = null, long fromOffset = 0)
    {
        Kv.Dispose();
        Kv = KvTablet.Create(KvTablet.TabletDirectoryOf(Log), Log, Table, checkpoint, fromOffset);
    }

    public void Dispose()
    {
        Kv.Dispose();
        Log.Dispose();
        _writer.Dispose();
        _dir.Dispose();
    }

    internal sealed class BatchBuilder(KvHarness harness, long writerId, int sequence) : IDisposable
    {
        private readonly KvRecordBatchBuilder _builder = new(checked((short)harness.Table.SchemaId));

        public BatchBuilder Upsert(params object?[] row)
        {
            _builder.Append(harness.KeyOf(GenericRow.Of(row)), harness.RowBytes(row));
            return this;
        }

        public BatchBuilder Raw(byte[] key, byte[] row)
        {
            _builder.Append(key, row);
            return this;
        }

        public BatchBuilder Delete(params object?[] primaryKeyValues)
        {
            _builder.AppendDelete(harness.Key(primaryKeyValues));
            return this;
        }

        public byte[] Build()
        {
            _builder.SetWriterState(writerId, sequence);
            var bytes = _builder.BuildToArray();
            _builder.Dispose();
            return bytes;
        }

        public void Dispose() => _builder.Dispose();
    }
}
