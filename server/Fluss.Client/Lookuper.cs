using Fluss.Client.Internal;
using Fluss.Client.Lookup;
using Fluss.Client.Writer;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Client;

/// <summary>
/// Point lookups by primary key in a primary-key table. Concurrent lookups (of all lookupers of a connection) are
/// batched per bucket (<c>client.lookup.max-batch-size</c>, <c>client.lookup.batch-timeout</c>) into one Lookup
/// request per leader. A lookup sees the committed state: every change acknowledged with acks = all. Thread-safe.
/// </summary>
public sealed class Lookuper
{
    private readonly LookupClient _client;
    private readonly KeyInput _input;

    internal Lookuper(TableInfo table, LookupClient client)
    {
        KvTables.Require(table, "looking up rows by key");
        _client = client;
        Info = table;
        KeyType = table.RowType.Project(KvTables.IndexesOf(table.RowType, table.PrimaryKeys));
        _input = new KeyInput(table, KeyType, "primary key", () => KvTables.PrimaryKeyRouter(table, KeyType));
    }

    /// <summary>The table looked up.</summary>
    public TableInfo Info { get; }

    /// <summary>The primary-key columns, in primary-key order: the fields of a key row.</summary>
    public RowType KeyType { get; }

    /// <summary>The stored row with the primary key <paramref name="key"/>, or null when there is none.</summary>
    /// <param name="key">The primary-key values, in primary-key order (<see cref="KeyType"/>).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>All columns of the table, as internal values.</returns>
    /// <exception cref="ArgumentException">The key row has the wrong number of fields, or a value is null or of the wrong type, naming the column.</exception>
    /// <exception cref="FlussException">The lookup failed (a non-retriable error, or retries exhausted).</exception>
    public async Task<IRow?> LookupAsync(IRow key, CancellationToken cancellationToken = default)
    {
        var (bytes, bucket) = _input.Route(key);
        var value = await _client.LookupAsync(Info.TablePath, Info.TableId, bucket, bytes, cancellationToken).ConfigureAwait(false);
        return value is { } stored ? KvTables.DecodeValue(Info, stored) : null;
    }
}

/// <summary>
/// Prefix lookups of a primary-key table whose bucket key is a leading part of its primary key: every stored row
/// whose bucket-key columns equal the given values (they all live in one bucket). Batched like <see cref="Lookuper"/>
/// into PrefixLookup requests. Thread-safe.
/// </summary>
public sealed class PrefixLookuper
{
    private readonly LookupClient _client;
    private readonly KeyInput _input;

    internal PrefixLookuper(TableInfo table, LookupClient client, IReadOnlyList<string> lookupColumns)
    {
        KvTables.Require(table, "prefix lookup");
        Validate(table, lookupColumns);
        _client = client;
        Info = table;
        LookupColumns = lookupColumns.ToArray();
        KeyType = table.RowType.Project(KvTables.IndexesOf(table.RowType, lookupColumns));
        _input = new KeyInput(table, KeyType, "bucket key", () => KvTables.PrefixRouter(table, KeyType));
    }

    /// <summary>The table looked up.</summary>
    public TableInfo Info { get; }

    /// <summary>The lookup columns (the table's bucket key, in order).</summary>
    public IReadOnlyList<string> LookupColumns { get; }

    /// <summary>The lookup columns' types: the fields of a prefix key row.</summary>
    public RowType KeyType { get; }

    /// <summary>Every stored row whose lookup columns equal <paramref name="prefixKey"/> (empty when none).</summary>
    /// <param name="prefixKey">Values of the lookup columns, in <see cref="LookupColumns"/> order.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="ArgumentException">The key row has the wrong number of fields, or a value is null or of the wrong type, naming the column.</exception>
    /// <exception cref="FlussException">The lookup failed (a non-retriable error, or retries exhausted).</exception>
    public async Task<IReadOnlyList<IRow>> LookupAsync(IRow prefixKey, CancellationToken cancellationToken = default)
    {
        var (bytes, bucket) = _input.Route(prefixKey);
        var values = await _client.PrefixLookupAsync(Info.TablePath, Info.TableId, bucket, bytes, cancellationToken).ConfigureAwait(false);
        var rows = new IRow[values.Count];
        for (var i = 0; i < rows.Length; i++) rows[i] = KvTables.DecodeValue(Info, values[i]);
        return rows;
    }

    /// <summary>Fluss's rules: the lookup columns are the bucket key in order, and it is a proper prefix of the primary key.</summary>
    /// <exception cref="ArgumentException">What is wrong, naming the columns.</exception>
    private static void Validate(TableInfo table, IReadOnlyList<string> lookupColumns)
    {
        ArgumentNullException.ThrowIfNull(lookupColumns);
        var path = table.TablePath;
        var primaryKey = table.PhysicalPrimaryKeys;
        var bucketKey = table.BucketKeys;
        if (bucketKey.Count > primaryKey.Count || !bucketKey.SequenceEqual(primaryKey.Take(bucketKey.Count)))
            throw new ArgumentException(
                $"Cannot prefix-look-up table {path}: its bucket key ({string.Join(", ", bucketKey)}) is not a prefix of its primary key ({string.Join(", ", primaryKey)}).",
                nameof(lookupColumns));
        foreach (var column in lookupColumns)
        {
            if (table.RowType.IndexOf(column) < 0)
                throw new ArgumentException($"Table {path} has no column '{column}'; its columns are {string.Join(", ", table.RowType.FieldNames)}.", nameof(lookupColumns));
        }
        if (!lookupColumns.SequenceEqual(bucketKey))
            throw new ArgumentException(
                $"Cannot prefix-look-up table {path} by ({string.Join(", ", lookupColumns)}): the lookup columns must be its bucket key ({string.Join(", ", bucketKey)}), in order.",
                nameof(lookupColumns));
        if (bucketKey.SequenceEqual(primaryKey))
            throw new ArgumentException(
                $"Cannot prefix-look-up table {path} by ({string.Join(", ", lookupColumns)}): that is its whole primary key; use a lookuper (NewLookuper) instead.",
                nameof(lookupColumns));
    }
}

/// <summary>
/// Validates key rows of a lookuper and encodes them. The encoders reuse buffers, so each concurrent caller borrows
/// a router of its own from a small lock-free pool (a new one when all are busy).
/// </summary>
internal sealed class KeyInput
{
    private readonly TableInfo _table;
    private readonly RowType _keyType;
    private readonly string _what;
    private readonly RowValidator _validator;
    private readonly Func<KeyRouter> _newRouter;
    private readonly KeyRouter?[] _spare;

    public KeyInput(TableInfo table, RowType keyType, string what, Func<KeyRouter> newRouter)
    {
        _table = table;
        _keyType = keyType;
        _what = what;
        _validator = new RowValidator(keyType, table.TablePath.ToString());
        _newRouter = newRouter;
        _spare = new KeyRouter?[Math.Max(2, Environment.ProcessorCount * 2)];
        _spare[0] = newRouter();
    }

    /// <exception cref="ArgumentException">The key row does not fit the key columns, naming the column.</exception>
    public (byte[] Key, int Bucket) Route(IRow key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.FieldCount != _keyType.FieldCount)
        {
            var missing = key.FieldCount < _keyType.FieldCount ? $"; missing {string.Join(", ", _keyType.FieldNames.Skip(key.FieldCount))}" : "";
            throw new ArgumentException(
                $"The key row has {key.FieldCount} fields but the {_what} of table {_table.TablePath} has {_keyType.FieldCount} columns ({string.Join(", ", _keyType.FieldNames)}){missing}.",
                nameof(key));
        }
        _validator.Validate(key);
        var router = Borrow();
        try
        {
            return router.Route(key);
        }
        finally
        {
            GiveBack(router);
        }
    }

    private KeyRouter Borrow()
    {
        var spare = _spare;
        for (var i = 0; i < spare.Length; i++)
        {
            if (Volatile.Read(ref spare[i]) is not null && Interlocked.Exchange(ref spare[i], null) is { } router) return router;
        }
        return _newRouter();
    }

    private void GiveBack(KeyRouter router)
    {
        var spare = _spare;
        for (var i = 0; i < spare.Length; i++)
        {
            if (Volatile.Read(ref spare[i]) is null && Interlocked.CompareExchange(ref spare[i], router, null) is null) return;
        }
        router.Dispose();
    }
}
