using System.Runtime.Serialization;

namespace Fluss.Metadata;

/// <summary>Format of a table's log records (<c>table.log.format</c>).</summary>
public enum LogFormat
{
    /// <summary>Apache Arrow columnar batches (the default).</summary>
    Arrow,

    /// <summary>Row-oriented indexed rows.</summary>
    Indexed,

    /// <summary>Row-oriented compacted rows.</summary>
    Compacted,
}

/// <summary>Format of a primary-key table's KV values (<c>table.kv.format</c>).</summary>
public enum KvFormat
{
    Compacted,
    Indexed,
}

/// <summary>How rows with the same primary key are merged (<c>table.merge-engine</c>); unset means last row wins.</summary>
public enum MergeEngineType
{
    /// <summary>Keep the first row written for a key; later writes are ignored.</summary>
    FirstRow,

    /// <summary>Keep the row with the highest version column value.</summary>
    Versioned,

    /// <summary>Merge columns with per-column aggregate functions.</summary>
    Aggregation,
}

/// <summary>What a primary-key table does with deletes (<c>table.delete.behavior</c>).</summary>
public enum DeleteBehavior
{
    Allow,
    Ignore,
    Disable,
}

/// <summary>Changelog produced by a primary-key table (<c>table.changelog.image</c>).</summary>
public enum ChangelogImage
{
    /// <summary>Updates produce -U (before image) and +U (after image).</summary>
    Full,

    /// <summary>Updates produce only +U; inserts may appear as +U too.</summary>
    Wal,
}

/// <summary>The lakehouse format of a table's lake tier (<c>table.datalake.format</c>, <c>datalake.format</c>).</summary>
public enum DataLakeFormat
{
    [EnumMember(Value = "paimon")]
    Paimon,

    [EnumMember(Value = "lance")]
    Lance,

    [EnumMember(Value = "iceberg")]
    Iceberg,

    [EnumMember(Value = "hudi")]
    Hudi,
}

/// <summary>Compression of Arrow log batches (<c>table.log.arrow.compression.type</c>).</summary>
public enum ArrowCompressionType
{
    None,
    Lz4Frame,
    Zstd,
}
