using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Fluss.Arrow;
using Fluss.Client.Internal;
using Fluss.Client.Scanner;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Client;

/// <summary>
/// Reads the log of a table's buckets from their leaders, as Arrow batches or as records. The start position is
/// resolved when reading first begins; later enumerations continue where the previous one stopped (after the last
/// batch or record it returned). One enumeration at a time. An offset that is no longer in the log fails the scan
/// with <see cref="LogOffsetOutOfRangeException"/> (there is no silent reset).
/// </summary>
public sealed class LogScanner : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly TableInfo _table;
    private readonly LogScanOptions _options;
    private readonly ReadContext _read;
    private readonly int[] _buckets;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Action<LogScanner>? _onDisposed;
    private Dictionary<int, long>? _positions;
    private Dictionary<int, long>? _endOffsets;
    private int _reading;

    internal LogScanner(ClientContext context, TableInfo table, LogScanOptions? options, Action<LogScanner>? onDisposed = null)
    {
        options ??= new LogScanOptions();
        if (table.IsPartitioned)
            throw new InvalidTableException($"Table {table.TablePath} is partitioned; partitioned tables are not supported yet.");
        if (table.TableConfig.LogFormat != LogFormat.Arrow)
            throw new InvalidTableException($"Table {table.TablePath} uses the {table.TableConfig.LogFormat} log format; this client reads the ARROW log format only.");
        ArgumentNullException.ThrowIfNull(options.Start, nameof(options));
        if (options.Start is StartPosition.OffsetPosition { Value: < 0 } o)
            throw new ArgumentOutOfRangeException(nameof(options), o.Value, "The start offset must not be negative.");

        _context = context;
        _table = table;
        _options = options;
        _onDisposed = onDisposed;
        _read = new ReadContext(table.RowType, ScanProjection.Create(table.RowType, options.Columns, table.TablePath.ToString()), context.Options.ScannerCheckCrc);
        var buckets = options.Buckets ?? Enumerable.Range(0, table.NumBuckets).ToArray();
        if (buckets.Count == 0) throw new ArgumentException("The scan must read at least one bucket.", nameof(options));
        foreach (var b in buckets)
        {
            if ((uint)b >= (uint)table.NumBuckets)
                throw new ArgumentOutOfRangeException(nameof(options), b, $"Table {table.TablePath} has buckets 0 to {table.NumBuckets - 1}.");
        }
        _buckets = buckets.Distinct().ToArray();
        if (options.StartOffsets is { } starts)
        {
            foreach (var (b, offset) in starts)
            {
                if (!_buckets.Contains(b))
                    throw new ArgumentException($"StartOffsets names bucket {b}, which the scan does not read.", nameof(options));
                if (offset < 0)
                    throw new ArgumentOutOfRangeException(nameof(options), offset, $"The start offset of bucket {b} must not be negative.");
            }
        }
        if (options.StopOffsets is { } stops)
        {
            if (options.StopAtEnd)
                throw new ArgumentException("StopOffsets and StopAtEnd cannot be combined; give one way to end the scan.", nameof(options));
            foreach (var b in _buckets)
            {
                if (!stops.ContainsKey(b))
                    throw new ArgumentException($"StopOffsets has no end offset for bucket {b}; a bounded scan needs one for every scanned bucket.", nameof(options));
            }
        }
    }

    /// <summary>The scanned table.</summary>
    public TableInfo Info => _table;

    /// <summary>The Fluss row type of the scanned columns, in the requested order.</summary>
    public Types.RowType RowType => _read.OutputRowType;

    /// <summary>
    /// The records as Arrow batches, in offset order per bucket. Dispose each batch when done with it. Tails the log
    /// until cancelled, or with <see cref="LogScanOptions.StopAtEnd"/> completes at the captured end offsets.
    /// </summary>
    /// <exception cref="LogOffsetOutOfRangeException">A bucket's offset is no longer (or not yet) in its log.</exception>
    /// <exception cref="FlussException">Another non-retriable error of the servers.</exception>
    public async IAsyncEnumerable<ScanBatch> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _positions![batch.Bucket] = batch.NextOffset;
            yield return batch;
        }
    }

    /// <summary>The records one by one, each with a copy of its row (convenient; batches are faster).</summary>
    /// <exception cref="LogOffsetOutOfRangeException">A bucket's offset is no longer (or not yet) in its log.</exception>
    /// <exception cref="FlussException">Another non-retriable error of the servers.</exception>
    public async IAsyncEnumerable<ScanRecord> ReadRecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using (batch)
            {
                var reader = new ArrowRowReader(batch.Batch, batch.RowType);
                for (var i = 0; i < batch.RowCount; i++)
                {
                    var record = new ScanRecord(batch.Bucket, batch.OffsetAt(i), batch.Timestamp, batch.ChangeTypeAt(i), GenericRow.CopyOf(reader.GetRow(i), batch.RowType));
                    _positions![batch.Bucket] = record.Offset + 1;
                    yield return record;
                }
                _positions![batch.Bucket] = batch.NextOffset;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        await _disposed.CancelAsync().ConfigureAwait(false);
        _onDisposed?.Invoke(this);
    }

    private async IAsyncEnumerable<ScanBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _reading, 1) != 0)
            throw new InvalidOperationException("The scanner is already being read; read it from one enumeration at a time.");
        try
        {
            await ResolvePositionsAsync(cancellationToken).ConfigureAwait(false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            var channel = Channel.CreateBounded<FetchItem>(new BoundedChannelOptions(_context.Options.ScannerBufferedBatches)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            var fetcher = new LogFetcher(_context, _table, _read, _positions!, _endOffsets, channel.Writer);
            var loop = fetcher.RunAsync(linked.Token);
            try
            {
                while (await channel.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                {
                    while (channel.Reader.TryRead(out var item))
                    {
                        if (item.Error is { } error) ExceptionDispatchInfo.Throw(error);
                        yield return item.Batch!;
                    }
                }
            }
            finally
            {
                await linked.CancelAsync().ConfigureAwait(false);
                try
                {
                    await loop.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                while (channel.Reader.TryRead(out var left)) left.Batch?.Dispose();
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Resolves the start offsets (and with StopAtEnd the end offsets) when reading first begins.</summary>
    private async Task ResolvePositionsAsync(CancellationToken cancellationToken)
    {
        if (_positions is not null) return;
        Dictionary<int, long>? ends = null;
        if (_options.StopAtEnd)
            ends = await _context.ListOffsetsAsync(_table.TablePath, _buckets, OffsetSpec.Latest.OffsetType, null, cancellationToken).ConfigureAwait(false);
        else if (_options.StopOffsets is { } stops)
            ends = _buckets.ToDictionary(b => b, b => stops[b]);
        var explicitStarts = _options.StartOffsets;
        var others = explicitStarts is null ? _buckets : _buckets.Where(b => !explicitStarts.ContainsKey(b)).ToArray();
        var positions = others.Length == 0 ? [] : _options.Start switch
        {
            StartPosition.OffsetPosition o => others.ToDictionary(b => b, _ => o.Value),
            StartPosition.LatestPosition => await _context.ListOffsetsAsync(_table.TablePath, others, OffsetSpec.Latest.OffsetType, null, cancellationToken).ConfigureAwait(false),
            StartPosition.TimestampPosition t => await _context.ListOffsetsAsync(_table.TablePath, others, 2, t.TimestampMs, cancellationToken).ConfigureAwait(false),
            _ => await _context.ListOffsetsAsync(_table.TablePath, others, OffsetSpec.Earliest.OffsetType, null, cancellationToken).ConfigureAwait(false),
        };
        if (explicitStarts is not null)
        {
            foreach (var (b, offset) in explicitStarts) positions[b] = offset;
        }
        _endOffsets = ends;
        _positions = positions;
    }
}
