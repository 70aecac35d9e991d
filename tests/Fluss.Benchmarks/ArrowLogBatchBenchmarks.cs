using Apache.Arrow;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Fluss.Arrow;
using Fluss.Records.Log;
using Fluss.Rows;
using Fluss.Types;
using ArrowCompressionType = Fluss.Metadata.ArrowCompressionType;

namespace Fluss.Benchmarks;

/// <summary>
/// Encoding and decoding of one ~2 MB Arrow log batch (20 columns: 5 INT, 5 BIGINT, 5 DOUBLE, 5 STRING, ~200 bytes
/// per row) with each compression codec. Throughput is reported against the uncompressed Arrow body size.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class ArrowLogBatchBenchmarks : IDisposable
{
    private ArrowLogBatchBuilder _logBuilder = null!;
    private ArrowBatchBuilder _rowBuilder = null!;
    private RecordBatch _batch = null!;
    private byte[] _encoded = null!;

    [Params(ArrowCompressionType.None, ArrowCompressionType.Lz4Frame, ArrowCompressionType.Zstd)]
    public ArrowCompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rowBuilder = new ArrowBatchBuilder(BenchData.Type);
        foreach (var row in BenchData.Rows) _rowBuilder.Append(row);
        _batch = _rowBuilder.Build();
        _logBuilder = new ArrowLogBatchBuilder(Codec);
        _encoded = _logBuilder.BuildAppendOnly(_batch, new LogBatchHeader(1)).ToArray();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _logBuilder.Dispose();
        _rowBuilder.Dispose();
        _batch.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Arrow record batch to log batch bytes (IPC message, compression, header, CRC).</summary>
    [Benchmark]
    public int Encode() => _logBuilder.BuildAppendOnly(_batch, new LogBatchHeader(1)).Length;

    /// <summary>Log batch bytes to an Arrow record batch (CRC check, decompression, validation).</summary>
    [Benchmark]
    public int Decode()
    {
        var view = new LogRecordBatch(_encoded);
        view.EnsureValid();
        using var arrow = view.ReadArrow(BenchData.Schema);
        return arrow.RowCount;
    }

    /// <summary>Rows appended into the reusable column builders, then encoded.</summary>
    [Benchmark]
    public int AppendRowsAndEncode()
    {
        var rows = BenchData.Rows;
        for (var i = 0; i < rows.Length; i++) _rowBuilder.Append(rows[i]);
        var length = _logBuilder.BuildAppendOnly(_rowBuilder, new LogBatchHeader(1)).Length;
        _rowBuilder.Clear();
        return length;
    }
}

/// <summary>The benchmark data set, deterministic so the host process can size it for the throughput column.</summary>
public static class BenchData
{
    public const int RowCount = 10_000;

    public static readonly RowType Type = RowType.Of(Enumerable.Range(0, 20).Select(i => (i / 5) switch
    {
        0 => ("i" + i, (DataType)new IntType()),
        1 => ("l" + i, new BigIntType()),
        2 => ("d" + i, new DoubleType()),
        _ => ("s" + i, new StringType()),
    }).ToArray());

    public static readonly Schema Schema = ArrowSchemas.ToArrowSchema(Type);

    public static readonly GenericRow[] Rows = CreateRows();

    /// <summary>Size of the uncompressed Arrow body of the batch.</summary>
    public static readonly long UncompressedBytes = ComputeSize();

    private static GenericRow[] CreateRows()
    {
        var random = new Random(42);
        var words = Enumerable.Range(0, 500).Select(i => "customer-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + "-" + (char)('a' + (i % 26)) + "xyzw").ToArray();
        var rows = new GenericRow[RowCount];
        for (var r = 0; r < RowCount; r++)
        {
            var values = new object?[20];
            for (var c = 0; c < 20; c++)
            {
                values[c] = (c / 5) switch
                {
                    0 => random.Next(0, 1_000_000),
                    1 => 1_700_000_000_000L + (r * 1000L) + random.Next(0, 1000),
                    2 => Math.Round(random.NextDouble() * 10_000, 2),
                    _ => words[random.Next(words.Length)],
                };
            }
            rows[r] = new GenericRow(values);
        }
        return rows;
    }

    private static long ComputeSize()
    {
        using var builder = new ArrowBatchBuilder(Type);
        foreach (var row in Rows) builder.Append(row);
        return builder.EstimatedBodySize;
    }
}

/// <summary>Adds a throughput column: uncompressed megabytes (10^6 bytes) per second, from the mean time.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig() => AddColumn(new ThroughputColumn());

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "ThroughputMBps";
        public string ColumnName => "MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"Uncompressed Arrow body bytes ({BenchData.UncompressedBytes:N0}) / mean time, in 10^6 bytes per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            var mean = report?.ResultStatistics?.Mean;
            if (mean is null or <= 0) return "-";
            var mbPerSecond = BenchData.UncompressedBytes / (mean.Value / 1e9) / 1e6;
            return mbPerSecond.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
