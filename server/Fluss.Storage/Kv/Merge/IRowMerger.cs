using Fluss.Metadata;

namespace Fluss.Storage.Kv.Merge;

/// <summary>
/// How a primary-key table merges a written row into the stored one (the table's merge engine). Values are KV
/// values, <c>[int16 schema id][CompactedRow]</c>. A merger returns the old value itself (the same array) when the
/// write changes nothing, so that no changelog is produced. Not thread-safe: a KV tablet calls it under its lock.
/// </summary>
internal interface IRowMerger : IDisposable
{
    /// <summary>What deletes do on this table.</summary>
    DeleteBehavior DeleteBehavior { get; }

    /// <summary>The merged value of a write; <paramref name="oldValue"/> itself when nothing changes.</summary>
    /// <param name="oldValue">The stored value, or null when the key is absent.</param>
    /// <param name="newValue">The written value.</param>
    byte[] Merge(byte[]? oldValue, byte[] newValue);

    /// <summary>The value after a delete of the stored <paramref name="oldValue"/>: null removes the row.</summary>
    byte[]? Delete(byte[] oldValue);

    /// <summary>
    /// The merger for a write with these target columns (null or all columns = a full-row write).
    /// </summary>
    /// <exception cref="Errors.FlussException">INVALID_TARGET_COLUMN when the columns are not a valid partial update for this table.</exception>
    IRowMerger ForTargetColumns(int[]? targetColumns);
}
