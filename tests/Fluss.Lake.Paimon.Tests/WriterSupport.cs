using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Bucketing;
using Fluss.Rows;
using Fluss.Rows.Paimon;
using Fluss.Types;

namespace Fluss.Lake.Paimon.Tests;

/// <summary>Builds Arrow batches of rows and assigns rows to buckets as Fluss does for Paimon tables.</summary>
internal static class WriterSupport
{
    public static RecordBatch Batch(RowType type, IEnumerable<GenericRow> rows)
    {
        using var builder = new ArrowBatchBuilder(type);
        foreach (var r in rows) builder.Append(r);
        return builder.Build();
    }

    public static PaimonWriteBatch Changes(RowType type, IEnumerable<(ChangeType Kind, GenericRow Row)> changes)
    {
        var list = changes.ToList();
        return new PaimonWriteBatch(Batch(type, list.Select(c => c.Row)), list.Select(c => c.Kind).ToArray());
    }

    public static int BucketOf(RowType type, IReadOnlyList<string> bucketKeys, GenericRow row, int buckets)
    {
        using var encoder = new PaimonKeyEncoder(type, bucketKeys);
        return PaimonBucketingFunction.Instance.Bucket(encoder.Encode(row), buckets);
    }

    /// <summary>The rows as the Arrow round trip gives them back (the values the Paimon files should hold).</summary>
    public static List<GenericRow> ThroughArrow(RowType type, IEnumerable<GenericRow> rows)
    {
        var batch = Batch(type, rows);
        var reader = new ArrowRowReader(batch, type);
        return Enumerable.Range(0, reader.RowCount).Select(i => GenericRow.CopyOf(reader.GetRow(i), type)).ToList();
    }
}
