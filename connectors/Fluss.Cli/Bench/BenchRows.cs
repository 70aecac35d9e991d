using System.Globalization;
using Fluss.Metadata;
using Fluss.Rows;

namespace Fluss.Cli.Bench;

/// <summary>
/// The 20-column rows of the log table: columns c0..c19 cycle through INT, BIGINT, DOUBLE and STRING, so 5 of each;
/// a row holds 5 × 4 + 5 × 8 + 5 × 8 bytes of numbers and 5 strings of <see cref="StringLength"/> ASCII characters.
/// Values are a deterministic function of the row number (mixed, so they compress like real data, not like a
/// constant); strings come from a pool, so no row allocates more than its row object.
/// </summary>
internal sealed class WideRows
{
    public const int Columns = 20;
    private const int PoolSize = 4096;
    private readonly string[] _strings;

    public WideRows(int rowBytes)
    {
        RowBytes = rowBytes;
        StringLength = (rowBytes - 100) / 5;
        var random = new Random(42);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        _strings = new string[PoolSize];
        for (var i = 0; i < PoolSize; i++)
            _strings[i] = string.Create(StringLength, random, (span, r) =>
            {
                for (var k = 0; k < span.Length; k++) span[k] = alphabet[r.Next(alphabet.Length)];
            });
        Schema = BuildSchema();
    }

    /// <summary>Logical bytes of one row (numbers plus string characters).</summary>
    public int RowBytes { get; }

    public int StringLength { get; }

    public Schema Schema { get; }

    /// <summary>The INT column a projected scan reads.</summary>
    public static string IntColumn => "c0";

    /// <summary>Bytes of a row as counted by <see cref="RowBytes"/>: 100 of numbers and the strings' characters.</summary>
    public int ActualRowBytes => 100 + 5 * StringLength;

    public IRow Row(long index) => new WideRow(this, index);

    private static Schema BuildSchema()
    {
        var columns = string.Join(", ", Enumerable.Range(0, Columns).Select(i => (i % 4) switch
        {
            0 => $"c{i} INT",
            1 => $"c{i} BIGINT",
            2 => $"c{i} DOUBLE",
            _ => $"c{i} STRING",
        }));
        return Schema.NewBuilder().Columns(columns).Build();
    }

    /// <summary>A 64-bit mix of the row number and the column (splitmix64 finalizer).</summary>
    internal static ulong Mix(long row, int column)
    {
        var z = (ulong)row * 0x9E3779B97F4A7C15UL + (ulong)column * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class WideRow(WideRows shape, long index) : BenchRow(Columns)
    {
        // c0 is the row number (ascending, as an event id); the other INTs are small categories and amounts.
        public override int GetInt(int pos) => pos == 0 ? (int)index : (int)(Mix(index, pos) % 100_000);

        public override long GetLong(int pos) => pos == 1 ? 1_700_000_000_000L + index : (long)(Mix(index, pos) >> 20);

        public override double GetDouble(int pos) => (Mix(index, pos) % 10_000_000) / 100.0;

        public override string GetString(int pos) => shape._strings[Mix(index, pos) % PoolSize];
    }
}

/// <summary>
/// The rows of the primary-key table: <c>id BIGINT NOT NULL, name STRING, score DOUBLE, updated BIGINT</c>, primary
/// key id. Upsert i writes key <c>i mod keys</c>, so every key is written upserts / keys times.
/// </summary>
internal sealed class KvRows
{
    private readonly string[] _names = Enumerable.Range(0, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"name-{i:D10}")).ToArray();

    public KvRows(long keys) => Keys = keys;

    public long Keys { get; }

    public static Schema Schema { get; } =
        Schema.NewBuilder().Columns("id BIGINT NOT NULL, name STRING, score DOUBLE, updated BIGINT").PrimaryKey("id").Build();

    public IRow Upsert(long i) => new KvRow(this, i);

    public static IRow Key(long id) => new KeyRow(id);

    private sealed class KvRow(KvRows shape, long i) : BenchRow(4)
    {
        public override long GetLong(int pos) => pos == 0 ? i % shape.Keys : i;

        public override string GetString(int pos) => shape._names[i % shape._names.Length];

        public override double GetDouble(int pos) => i * 0.25;
    }

    private sealed class KeyRow(long id) : BenchRow(1)
    {
        public override long GetLong(int pos) => id;
    }
}

/// <summary>A row of generated values: the getters of the types a bench row does not hold throw.</summary>
internal abstract class BenchRow(int fieldCount) : IRow
{
    public int FieldCount => fieldCount;

    public bool IsNullAt(int pos) => false;

    public virtual bool GetBoolean(int pos) => throw Wrong(pos);

    public virtual sbyte GetByte(int pos) => throw Wrong(pos);

    public virtual short GetShort(int pos) => throw Wrong(pos);

    public virtual int GetInt(int pos) => throw Wrong(pos);

    public virtual long GetLong(int pos) => throw Wrong(pos);

    public virtual float GetFloat(int pos) => throw Wrong(pos);

    public virtual double GetDouble(int pos) => throw Wrong(pos);

    public virtual string GetString(int pos) => throw Wrong(pos);

    public virtual byte[] GetBinary(int pos) => throw Wrong(pos);

    public virtual FlussDecimal GetDecimal(int pos, int precision, int scale) => throw Wrong(pos);

    public virtual TimestampNtz GetTimestampNtz(int pos, int precision) => throw Wrong(pos);

    public virtual TimestampLtz GetTimestampLtz(int pos, int precision) => throw Wrong(pos);

    private static InvalidCastException Wrong(int pos) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Column {pos} of the bench row is not of the requested type."));
}
