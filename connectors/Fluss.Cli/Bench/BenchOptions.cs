namespace Fluss.Cli.Bench;

/// <summary>Sizes and settings of a bench run; the defaults are sized for a 2-core machine.</summary>
internal sealed record BenchOptions
{
    /// <summary>Rows of the 20-column log table (append, scan, tiering).</summary>
    public long Rows { get; init; } = 5_000_000;

    /// <summary>Buckets of the log tables.</summary>
    public int Buckets { get; init; } = 4;

    /// <summary>Logical bytes of a 20-column row: 5 INT, 5 BIGINT, 5 DOUBLE and 5 strings of (row bytes - 100) / 5 characters.</summary>
    public int RowBytes { get; init; } = 200;

    /// <summary>Distinct keys of the primary-key table (upsert, lookup, tiering).</summary>
    public long Keys { get; init; } = 1_000_000;

    /// <summary>Upserts over those keys.</summary>
    public long Upserts { get; init; } = 2_000_000;

    /// <summary>Buckets of the primary-key table.</summary>
    public int KvBuckets { get; init; } = 8;

    /// <summary>Random point lookups.</summary>
    public long Lookups { get; init; } = 1_000_000;

    /// <summary>Lookups in flight at once.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Rows of the union-read table.</summary>
    public long UnionRows { get; init; } = 10_000_000;

    /// <summary>Percent of the union-read rows left in the log tail (not tiered).</summary>
    public int TailPercent { get; init; } = 10;

    /// <summary>Rows per second written during the freshness scenario.</summary>
    public int Rate { get; init; } = 20_000;

    /// <summary>Latency samples of the freshness scenario.</summary>
    public int Samples { get; init; } = 10_000;

    /// <summary>Tablet servers of the local cluster.</summary>
    public int TabletServers { get; init; } = 1;

    /// <summary>Log compression of the bench tables (the table option <c>table.log.arrow.compression.type</c>).</summary>
    public string Compression { get; init; } = "ZSTD";

    /// <summary>Where the local cluster keeps its data; null: a temporary directory removed at the end.</summary>
    public string? DataDir { get; init; }

    /// <summary>An external cluster to run against instead of a local one.</summary>
    public string? BootstrapServers { get; init; }

    /// <summary>Checks the values; the message names the option.</summary>
    public void Validate()
    {
        if (Rows < 1) throw new FormatException("--rows must be at least 1");
        if (Buckets < 1) throw new FormatException("--buckets must be at least 1");
        if (RowBytes < 105) throw new FormatException("--row-bytes must be at least 105 (20 columns: 100 bytes of numbers and 5 strings of at least one character)");
        if (Keys < 1) throw new FormatException("--keys must be at least 1");
        if (Upserts < 1) throw new FormatException("--upserts must be at least 1");
        if (KvBuckets < 1) throw new FormatException("--kv-buckets must be at least 1");
        if (Lookups < 1) throw new FormatException("--lookups must be at least 1");
        if (Concurrency < 1) throw new FormatException("--concurrency must be at least 1");
        if (UnionRows < 10) throw new FormatException("--union-rows must be at least 10");
        if (TailPercent is < 0 or > 100) throw new FormatException("--tail-percent must be between 0 and 100");
        if (Rate < 1) throw new FormatException("--rate must be at least 1");
        if (Samples < 1) throw new FormatException("--samples must be at least 1");
        if (TabletServers < 1) throw new FormatException("--tablet-servers must be at least 1");
        if (Compression is not ("ZSTD" or "LZ4_FRAME" or "NONE")) throw new FormatException("--compression must be ZSTD, LZ4_FRAME or NONE");
    }
}
