using Fluss.Client.Internal;
using Fluss.Client.Writer;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Rows.Compacted;
using Fluss.Types;

namespace Fluss.Client;

/// <summary>Where an upsert went.</summary>
/// <param name="Bucket">The bucket of the row's key.</param>
/// <param name="LogEndOffset">
/// The bucket changelog's log end offset after the write that carried the row (the same for all rows of one batch);
/// -1 when unknown (acks = 0, or a resend the server had already stored).
/// </param>
public readonly record struct UpsertResult(int Bucket, long LogEndOffset);

/// <summary>Where a delete went.</summary>
/// <param name="Bucket">The bucket of the row's key.</param>
/// <param name="LogEndOffset">The bucket changelog's log end offset after the write; -1 when unknown.</param>
public readonly record struct DeleteResult(int Bucket, long LogEndOffset);

/// <summary>Options of an <see cref="UpsertWriter"/>.</summary>
public sealed record UpsertWriteOptions
{
    /// <summary>
    /// Partial update: the columns this writer writes, by name; they must include every primary-key column, and all
    /// other columns of the table must be nullable. Columns not named keep their stored values (null in a new row);
    /// a delete then nulls the named non-key columns and removes the row only when all its other columns are null.
    /// Null writes whole rows.
    /// </summary>
    public IReadOnlyList<string>? TargetColumns { get; init; }
}

/// <summary>
/// Upserts and deletes rows of a primary-key table by key. Rows are validated, their primary key encoded as the
/// KV store's key, routed to the bucket of their bucket key, and buffered per bucket in KvRecordBatches sent when
/// full (<c>client.writer.batch-size</c>) or after <c>client.writer.batch-timeout</c>. Retriable failures resend
/// the same batch bytes; with idempotence (writer id plus batch sequence) the server drops duplicates. A failed
/// batch faults the task of each of its rows with the typed error. Thread-safe. Dispose to deliver what is
/// buffered and release the writer.
/// </summary>
public sealed class UpsertWriter : IAsyncDisposable
{
    private readonly TableInfo _table;
    private readonly RowValidator _validator;
    private readonly KvRecordAccumulator _accumulator;
    private readonly WritePipeline _pipeline;
    private readonly Action<UpsertWriter>? _onDisposed;
    private readonly Lock _encodeLock = new();
    private readonly KeyRouter _router;
    private readonly CompactedRowWriter _rowWriter;
    private readonly int[] _primaryKeyColumns;
    private readonly int[]? _targetColumns;
    private readonly TargetColumnsRow? _partialRow;
    private int _disposed;

    internal UpsertWriter(ClientContext context, TableInfo table, UpsertWriteOptions? options, Action<UpsertWriter>? onDisposed = null)
    {
        KvTables.Require(table, "upserting and deleting rows");
        _table = table;
        _onDisposed = onDisposed;
        _validator = new RowValidator(table.RowType, table.TablePath.ToString());
        _primaryKeyColumns = KvTables.IndexesOf(table.RowType, table.PrimaryKeys);
        _targetColumns = ResolveTargetColumns(table, options?.TargetColumns);
        TargetColumns = _targetColumns?.Select(i => table.RowType.Fields[i].Name).ToArray();
        if (_targetColumns is not null) _partialRow = new TargetColumnsRow(table.RowType.FieldCount, _targetColumns);
        _router = KvTables.PrimaryKeyRouter(table, table.RowType);
        _rowWriter = new CompactedRowWriter(table.RowType.FieldCount);

        var clientOptions = context.Options;
        _accumulator = new KvRecordAccumulator(checked((short)table.SchemaId), AccumulatorSettings.From(clientOptions), clientOptions.TimeProvider);
        _pipeline = new WritePipeline(context, table, _accumulator, new PutKvRpc(clientOptions, _accumulator, _targetColumns));
    }

    /// <summary>The table written to.</summary>
    public TableInfo Info => _table;

    /// <summary>The columns a partial-update writer writes, in the order given; null for whole rows.</summary>
    public IReadOnlyList<string>? TargetColumns { get; }

    /// <summary>
    /// Inserts <paramref name="row"/>, or replaces (merges, by the table's merge engine) the stored row with the same
    /// primary key. For a partial-update writer only the target columns of <paramref name="row"/> are read. When the
    /// writer's buffer memory is used up the call waits (at most the request timeout). The task completes when the
    /// row's batch is acknowledged, or faults with the typed error that failed it.
    /// </summary>
    /// <param name="row">Internal values in table column order (see <see cref="IRow"/>), all columns of the table.</param>
    /// <param name="cancellationToken">Cancels only a wait for buffer memory; a buffered row is delivered.</param>
    /// <exception cref="ArgumentException">The row does not fit the schema, or a primary-key value is null; thrown before the row is buffered, naming the column.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public Task<UpsertResult> UpsertAsync(IRow row, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_targetColumns is null) _validator.Validate(row);
        else _validator.Validate(row, _targetColumns);
        lock (_encodeLock)
        {
            var (key, bucket) = _router.Route(row);
            _rowWriter.WriteRow(_partialRow is null ? row : _partialRow.Over(row), _table.RowType);
            return _accumulator.Upsert(new KvWriteRecord(bucket, key, _rowWriter.WrittenMemory), cancellationToken);
        }
    }

    /// <summary>
    /// Deletes the stored row with the primary key of <paramref name="row"/> (a partial-update writer nulls its
    /// target columns instead, see <see cref="UpsertWriteOptions.TargetColumns"/>). Deleting an absent key changes
    /// nothing. Tables whose <c>table.delete.behavior</c> is <c>disable</c> fail the delete with DELETION_DISABLED.
    /// </summary>
    /// <param name="row">A row with all columns of the table; only its primary-key columns are read.</param>
    /// <param name="cancellationToken">Cancels only a wait for buffer memory.</param>
    /// <exception cref="ArgumentException">A primary-key value is null or of the wrong type, naming the column.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public Task<DeleteResult> DeleteAsync(IRow row, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _validator.Validate(row, _primaryKeyColumns);
        lock (_encodeLock)
        {
            var (key, bucket) = _router.Route(row);
            return _accumulator.Delete(new KvWriteRecord(bucket, key, ReadOnlyMemory<byte>.Empty), cancellationToken);
        }
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
        lock (_encodeLock)
        {
            _router.Dispose();
            _rowWriter.Dispose();
        }
        _onDisposed?.Invoke(this);
    }

    /// <summary>Target column indexes in the order given, checked as Fluss's writer checks them.</summary>
    /// <exception cref="ArgumentException">Unknown or repeated column, primary key missing, auto-increment column named, or a NOT NULL column left out.</exception>
    internal static int[]? ResolveTargetColumns(TableInfo table, IReadOnlyList<string>? names)
    {
        var rowType = table.RowType;
        var autoIncrement = table.Schema.AutoIncrementColumnNames;
        if (names is null)
        {
            if (autoIncrement.Count > 0)
                throw new ArgumentException(
                    $"Table {table.TablePath} has the auto-increment column(s) {string.Join(", ", autoIncrement)}, whose values cannot be written; name the other columns as target columns (a partial update).");
            return null;
        }
        if (names.Count == 0) throw new ArgumentException("The target columns must name at least the primary-key columns.", nameof(names));
        var indexes = new int[names.Count];
        var seen = new HashSet<int>();
        for (var i = 0; i < names.Count; i++)
        {
            var index = rowType.IndexOf(names[i]);
            if (index < 0)
                throw new ArgumentException($"Table {table.TablePath} has no column '{names[i]}'; its columns are {string.Join(", ", rowType.FieldNames)}.", nameof(names));
            if (!seen.Add(index)) throw new ArgumentException($"The target columns name column '{names[i]}' twice.", nameof(names));
            if (autoIncrement.Contains(names[i]))
                throw new ArgumentException($"Column '{names[i]}' of table {table.TablePath} is an auto-increment column; its values cannot be written.", nameof(names));
            indexes[i] = index;
        }
        var missing = table.PrimaryKeys.Where(pk => !seen.Contains(rowType.IndexOf(pk))).ToList();
        if (missing.Count > 0)
            throw new ArgumentException(
                $"The target columns ({string.Join(", ", names)}) must include the primary-key columns ({string.Join(", ", table.PrimaryKeys)}) of table {table.TablePath}; missing: {string.Join(", ", missing)}.",
                nameof(names));
        foreach (var field in rowType.Fields)
        {
            if (!field.Type.IsNullable && !table.PrimaryKeys.Contains(field.Name) && !autoIncrement.Contains(field.Name))
                throw new ArgumentException(
                    $"A partial update needs every column except the primary key to be nullable, but column '{field.Name}' of table {table.TablePath} is {field.Type}.",
                    nameof(names));
        }
        return indexes;
    }

    /// <summary>A row seen through a partial-update writer: its columns outside the target columns read as null.</summary>
    private sealed class TargetColumnsRow : IRow
    {
        private readonly bool[] _target;
        private IRow _row = GenericRow.Of();

        public TargetColumnsRow(int fieldCount, int[] targetColumns)
        {
            _target = new bool[fieldCount];
            foreach (var i in targetColumns) _target[i] = true;
        }

        public TargetColumnsRow Over(IRow row)
        {
            _row = row;
            return this;
        }

        public int FieldCount => _row.FieldCount;

        public bool IsNullAt(int pos) => !_target[pos] || _row.IsNullAt(pos);

        public bool GetBoolean(int pos) => _row.GetBoolean(pos);

        public sbyte GetByte(int pos) => _row.GetByte(pos);

        public short GetShort(int pos) => _row.GetShort(pos);

        public int GetInt(int pos) => _row.GetInt(pos);

        public long GetLong(int pos) => _row.GetLong(pos);

        public float GetFloat(int pos) => _row.GetFloat(pos);

        public double GetDouble(int pos) => _row.GetDouble(pos);

        public string GetString(int pos) => _row.GetString(pos);

        public byte[] GetBinary(int pos) => _row.GetBinary(pos);

        public FlussDecimal GetDecimal(int pos, int precision, int scale) => _row.GetDecimal(pos, precision, scale);

        public TimestampNtz GetTimestampNtz(int pos, int precision) => _row.GetTimestampNtz(pos, precision);

        public TimestampLtz GetTimestampLtz(int pos, int precision) => _row.GetTimestampLtz(pos, precision);
    }
}
