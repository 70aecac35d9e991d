using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Client.Internal;
using Fluss.Client.Writer;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using AT = Apache.Arrow.Types;

namespace Fluss.Client;

/// <summary>Where an appended row (or the first row of an appended Arrow batch) was stored.</summary>
/// <param name="Bucket">The bucket the row went to.</param>
/// <param name="BaseOffset">The row's log offset; -1 when unknown (acks = 0, or a resend the server had already stored).</param>
public readonly record struct AppendResult(int Bucket, long BaseOffset);

/// <summary>
/// Appends rows to a log table. Rows are validated against the table's schema, assigned a bucket (by the bucket
/// key's hash, or sticky / round robin without one), and buffered per bucket in Arrow batches that are sent when
/// full (<c>client.writer.batch-size</c>) or after <c>client.writer.batch-timeout</c>, compressed with the table's
/// <c>table.log.arrow.compression.type</c>. Retriable failures resend the same batch bytes; with idempotence the
/// server drops duplicates. Thread-safe. Dispose to deliver what is buffered and release the writer.
/// </summary>
public sealed class AppendWriter : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly TableInfo _table;
    private readonly RowValidator _validator;
    private readonly Action<IRow> _validate;
    private readonly int[]? _bucketKeyColumns;
    private readonly ArrowRecordAccumulator _accumulator;
    private readonly IBucketAssigner _assigner;
    private readonly WritePipeline _pipeline;
    private readonly Action<AppendWriter>? _onDisposed;
    private readonly Apache.Arrow.Schema _arrowSchema;
    private readonly Lock _keyLock = new();
    private readonly IBucketAssigner? _batchKeyAssigner;
    private IReadOnlyList<int> _available = [];
    private TableMetadata? _availableFor;
    private int _disposed;

    internal AppendWriter(ClientContext context, TableInfo table, Action<AppendWriter>? onDisposed = null)
    {
        if (table.HasPrimaryKey)
            throw new InvalidTableException($"Table {table.TablePath} has a primary key; append writers write log tables only (write primary-key tables with an upsert writer).");
        if (table.IsPartitioned)
            throw new InvalidTableException($"Table {table.TablePath} is partitioned; partitioned tables are not supported yet.");
        if (table.TableConfig.LogFormat != LogFormat.Arrow)
            throw new InvalidTableException($"Table {table.TablePath} uses the {table.TableConfig.LogFormat} log format; this client writes the ARROW log format only.");

        _context = context;
        _table = table;
        _onDisposed = onDisposed;
        _validator = new RowValidator(table.RowType, table.TablePath.ToString());
        _validate = _validator.Validate;
        _bucketKeyColumns = table.HasBucketKey ? table.BucketKeys.Select(table.RowType.IndexOf).ToArray() : null;
        _arrowSchema = ArrowSchemas.ToArrowSchema(table.RowType);
        var options = context.Options;
        _accumulator = new ArrowRecordAccumulator(table.RowType, AccumulatorSettings.From(options), options.TimeProvider);
        _assigner = BucketAssigners.For(table, options.NoKeyAssigner, AvailableBuckets, Random.Shared);
        // Key encoders are not thread-safe: Arrow batches get their own, outside the accumulator's lock.
        _batchKeyAssigner = table.HasBucketKey ? BucketAssigners.For(table, options.NoKeyAssigner, AvailableBuckets, Random.Shared) : null;
        _pipeline = new WritePipeline(context, table, _accumulator, new ProduceLogRpc(options, table, _accumulator));
    }

    /// <summary>The table written to.</summary>
    public TableInfo Info => _table;

    /// <summary>
    /// Validates <paramref name="row"/> and buffers it in its bucket's batch. When the writer's buffer memory is used
    /// up the call waits (at most the request timeout, then fails with REQUEST_TIME_OUT). The task completes when the
    /// row's batch is acknowledged, or faults with the typed error that failed it.
    /// </summary>
    /// <param name="row">Internal values in table column order (see <see cref="IRow"/>).</param>
    /// <param name="cancellationToken">Cancels only a wait for buffer memory; a buffered row is delivered.</param>
    /// <exception cref="ArgumentException">The row does not fit the schema; thrown before the row is buffered, naming the column.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public Task<AppendResult> AppendAsync(IRow row, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(row);
        if (row is GenericRow)
        {
            // Checking the boxed values' types is cheap.
            _validator.Validate(row);
            return _accumulator.Append(row, _assigner, cancellationToken);
        }
        // Other rows are read once, by the Arrow encoding. The bucket key is read to pick the bucket before that,
        // so it is checked first.
        if (_bucketKeyColumns is not null) ValidateBucketKey(row);
        try
        {
            return _accumulator.Append(row, _assigner, _validate, cancellationToken);
        }
        catch
        {
            // The encoding left the batch as it was. When the row is invalid, say why as the validator does (the
            // first column that does not fit, reading it again); otherwise the failure was not the row's.
            _validator.Validate(row);
            throw;
        }
    }

    private void ValidateBucketKey(IRow row)
    {
        try
        {
            _validator.Validate(row, _bucketKeyColumns!);
        }
        catch (ArgumentException)
        {
            // Name the first invalid column of the whole row, as validating it all at once does.
            _validator.Validate(row);
            throw;
        }
    }

    /// <summary>
    /// Appends all rows of an Arrow batch with the table's Arrow schema into one log batch of one bucket; the result
    /// holds the first row's offset (row i has BaseOffset + i). Without <paramref name="bucket"/>, a table without
    /// bucket key picks one as for rows, and a table with a bucket key uses the bucket of its rows (which must all
    /// hash to the same bucket). An empty batch does nothing and returns bucket and offset -1.
    /// </summary>
    /// <exception cref="ArgumentException">A column's type or nulls do not match the schema, <paramref name="bucket"/> is out of range, or the rows belong to different buckets.</exception>
    public Task<AppendResult> AppendBatchAsync(RecordBatch batch, int? bucket = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(batch);
        CheckArrowSchema(batch);
        if (bucket is { } b && (uint)b >= (uint)_table.NumBuckets)
            throw new ArgumentOutOfRangeException(nameof(bucket), b, $"Table {_table.TablePath} has buckets 0 to {_table.NumBuckets - 1}.");
        if (batch.Length == 0) return Task.FromResult(new AppendResult(bucket ?? -1, -1));
        if (_table.HasBucketKey) bucket = KeyBucketOf(batch, bucket);
        return _accumulator.AppendBatch(batch, bucket, _assigner, cancellationToken);
    }

    /// <summary>Sends everything buffered and waits until it is acknowledged.</summary>
    /// <exception cref="FlussException">The first failure of a batch since the last flush (the rows' own tasks fault too).</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pipeline.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Stops accepting rows, delivers what is buffered (waiting at most the writer delivery timeout), then fails
    /// whatever is left and releases the writer.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _pipeline.DisposeAsync().ConfigureAwait(false);
        _assigner.Dispose();
        _batchKeyAssigner?.Dispose();
        _onDisposed?.Invoke(this);
    }

    /// <summary>Buckets whose leader is known; bucket choice without key prefers them.</summary>
    private IReadOnlyList<int> AvailableBuckets()
    {
        var cluster = _context.Metadata.Cluster;
        if (!cluster.Tables.TryGetValue(_table.TablePath, out var table)) return [];
        if (ReferenceEquals(table, _availableFor)) return _available;
        _available = table.Buckets.Where(b => b.Leader is { } l && cluster.TabletServer(l) is not null).Select(b => b.Bucket).ToArray();
        _availableFor = table;
        return _available;
    }

    private void CheckArrowSchema(RecordBatch batch)
    {
        if (batch.ColumnCount != _arrowSchema.FieldsList.Count)
            throw new ArgumentException(
                $"The Arrow batch has {batch.ColumnCount} columns but table {_table.TablePath} has {_arrowSchema.FieldsList.Count} ({string.Join(", ", _table.RowType.FieldNames)}).", nameof(batch));
        for (var i = 0; i < batch.ColumnCount; i++)
        {
            var expected = _arrowSchema.FieldsList[i].DataType;
            var actual = batch.Column(i).Data.DataType;
            if (!SameArrowType(expected, actual))
                throw new ArgumentException(
                    $"Column '{_arrowSchema.FieldsList[i].Name}' of table {_table.TablePath} is {_table.RowType.GetTypeAt(i)} and must be an Arrow {Describe(expected)} array, but the batch has {Describe(actual)}.",
                    nameof(batch));
        }
    }

    private int KeyBucketOf(RecordBatch batch, int? requested)
    {
        var reader = new ArrowRowReader(batch, _table.RowType);
        int? found = null;
        lock (_keyLock)
        {
            for (var i = 0; i < reader.RowCount; i++)
            {
                int b;
                try
                {
                    b = _batchKeyAssigner!.Assign(reader.GetRow(i));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Row {i} of the Arrow batch has an invalid bucket key: {e.Message}", nameof(batch), e);
                }
                if (requested is { } r && r != b)
                    throw new ArgumentException(
                        $"Row {i} of the Arrow batch belongs to bucket {b} by its bucket key ({string.Join(", ", _table.BucketKeys)}), not to the requested bucket {r}.", nameof(batch));
                if (found is { } f && f != b)
                    throw new ArgumentException(
                        $"The rows of the Arrow batch belong to different buckets ({f} and {b}) by their bucket key; split the batch by bucket or append the rows one by one.", nameof(batch));
                found = b;
            }
        }
        return found!.Value;
    }

    private static bool SameArrowType(AT.IArrowType expected, AT.IArrowType actual)
    {
        if (expected.TypeId != actual.TypeId) return false;
        return (expected, actual) switch
        {
            (AT.Decimal128Type e, AT.Decimal128Type a) => e.Precision == a.Precision && e.Scale == a.Scale,
            (AT.FixedSizeBinaryType e, AT.FixedSizeBinaryType a) => e.ByteWidth == a.ByteWidth,
            (AT.TimestampType e, AT.TimestampType a) => e.Unit == a.Unit,
            (AT.Time32Type e, AT.Time32Type a) => e.Unit == a.Unit,
            (AT.Time64Type e, AT.Time64Type a) => e.Unit == a.Unit,
            _ => true,
        };
    }

    private static string Describe(AT.IArrowType type) => type switch
    {
        AT.Decimal128Type d => $"decimal128({d.Precision}, {d.Scale})",
        AT.FixedSizeBinaryType f => $"fixed_size_binary({f.ByteWidth})",
        AT.TimestampType t => $"timestamp[{t.Unit}]",
        AT.Time32Type t => $"time32[{t.Unit}]",
        AT.Time64Type t => $"time64[{t.Unit}]",
        _ => type.Name,
    };
}
