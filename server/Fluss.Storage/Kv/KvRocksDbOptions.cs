using RocksDbSharp;

namespace Fluss.Storage.Kv;

/// <summary>The RocksDB options every KV tablet opens its database with.</summary>
public static class KvRocksDbOptions
{
    /// <summary>New options: created when missing, LZ4 compression, 2 background compactions and 1 background flush.</summary>
    public static DbOptions Create() => new DbOptions()
        .SetCreateIfMissing(true)
        .SetCompression(Compression.Lz4)
        .SetMaxBackgroundCompactions(2)
        .SetMaxBackgroundFlushes(1);
}
