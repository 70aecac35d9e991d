using Fluss.Bucketing;
using Fluss.Config;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Client.Writer;

/// <summary>
/// Chooses the bucket of a row (Fluss's BucketAssigner). Called under the accumulator's lock, so implementations
/// need no synchronization of their own.
/// </summary>
internal interface IBucketAssigner : IDisposable
{
    /// <summary>The bucket of <paramref name="row"/> (null for a whole Arrow batch of a table without bucket key).</summary>
    int Assign(IRow? row);

    /// <summary>True when the accumulator should ask again (after <see cref="OnNewBatch"/>) instead of opening a new batch.</summary>
    bool AbortIfBatchFull { get; }

    /// <summary>A new batch would have to be opened for <paramref name="previousBucket"/>.</summary>
    void OnNewBatch(int previousBucket);
}

/// <summary>Builds the assigner Fluss's writer uses for a table.</summary>
internal static class BucketAssigners
{
    public static IBucketAssigner For(TableInfo table, BucketAssignerKind noKeyAssigner, Func<IReadOnlyList<int>> availableBuckets, Random random)
    {
        if (table.HasBucketKey)
        {
            var format = table.TableConfig.DataLakeFormat is { } f ? FlussEnums.Name(f) : null;
            return new HashBucketAssigner(KeyEncoders.ForBucketKey(table.RowType, table.BucketKeys, format), BucketingFunctions.For(format), table.NumBuckets);
        }
        return noKeyAssigner == BucketAssignerKind.RoundRobin
            ? new RoundRobinBucketAssigner(table.NumBuckets, availableBuckets, random.Next())
            : new StickyBucketAssigner(table.NumBuckets, availableBuckets, random);
    }
}

/// <summary>Tables with a bucket key: the table's bucketing function over the encoded bucket key.</summary>
internal sealed class HashBucketAssigner : IBucketAssigner
{
    private readonly IKeyEncoder _encoder;
    private readonly IBucketingFunction _function;
    private readonly int _numBuckets;

    public HashBucketAssigner(IKeyEncoder encoder, IBucketingFunction function, int numBuckets)
    {
        _encoder = encoder;
        _function = function;
        _numBuckets = numBuckets;
    }

    public bool AbortIfBatchFull => false;

    /// <exception cref="ArgumentException">A bucket key field of the row is null (where the encoding forbids it).</exception>
    public int Assign(IRow? row)
    {
        if (row is null) throw new InvalidOperationException("The bucket of a table with a bucket key depends on the row.");
        return _function.Bucket(_encoder.Encode(row), _numBuckets);
    }

    public void OnNewBatch(int previousBucket)
    {
    }

    public void Dispose() => (_encoder as IDisposable)?.Dispose();
}

/// <summary>
/// Tables without bucket key, STICKY: every row goes to the current bucket; when a new batch would have to be
/// opened there, another available bucket (one with a known leader) is picked at random.
/// </summary>
internal sealed class StickyBucketAssigner : IBucketAssigner
{
    private readonly int _numBuckets;
    private readonly Func<IReadOnlyList<int>> _available;
    private readonly Random _random;
    private int _current = -1;

    public StickyBucketAssigner(int numBuckets, Func<IReadOnlyList<int>> availableBuckets, Random random)
    {
        _numBuckets = numBuckets;
        _available = availableBuckets;
        _random = random;
    }

    public bool AbortIfBatchFull => true;

    public int Assign(IRow? row) => _current >= 0 ? _current : Next(-1);

    public void OnNewBatch(int previousBucket) => Next(previousBucket);

    public void Dispose()
    {
    }

    private int Next(int previous)
    {
        var old = _current;
        if (old >= 0 && old != previous) return old;
        var available = _available();
        int next;
        if (available.Count == 0)
            next = _random.Next(_numBuckets);
        else if (available.Count == 1)
            next = available[0];
        else
        {
            do next = available[_random.Next(available.Count)];
            while (next == old);
        }
        _current = next;
        return next;
    }
}

/// <summary>Tables without bucket key, ROUND_ROBIN: row after row over the available buckets.</summary>
internal sealed class RoundRobinBucketAssigner : IBucketAssigner
{
    private readonly int _numBuckets;
    private readonly Func<IReadOnlyList<int>> _available;
    private int _counter;

    public RoundRobinBucketAssigner(int numBuckets, Func<IReadOnlyList<int>> availableBuckets, int startCounter)
    {
        _numBuckets = numBuckets;
        _available = availableBuckets;
        _counter = startCounter;
    }

    public bool AbortIfBatchFull => false;

    public int Assign(IRow? row)
    {
        var next = _counter++ & int.MaxValue;
        var available = _available();
        return available.Count > 0 ? available[next % available.Count] : next % _numBuckets;
    }

    public void OnNewBatch(int previousBucket)
    {
    }

    public void Dispose()
    {
    }
}
