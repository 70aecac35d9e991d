using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Fluss.Rows;

namespace Fluss.Lake.Paimon.Tests;

/// <summary>Paths of the Java-written fixture tables and helpers to print rows for comparison.</summary>
internal static class TestSupport
{
    public static string TestData => Path.Combine(AppContext.BaseDirectory, "TestData");

    public static string Fixture(string name) => Path.Combine(TestData, name + ".db", name);

    private static readonly Lazy<string> Golden = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "fluss-paimon-golden-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        using var file = File.OpenRead(Path.Combine(TestData, "pk_global_index_golden.tar.gz"));
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gz, dir, overwriteFiles: true);
        return Path.Combine(dir, "default.db");
    });

    /// <summary>A table of the pypaimon golden archive, extracted once per test run.</summary>
    public static string GoldenTable(string name) => Path.Combine(Golden.Value, name);

    /// <summary>A row as <c>v1|v2|...</c>: timestamps as <c>yyyy-MM-dd HH:mm:ss.f</c> (fraction without trailing zeros), binaries as UTF-8.</summary>
    public static string Format(GenericRow row)
    {
        var parts = new string[row.FieldCount];
        for (var i = 0; i < row.FieldCount; i++) parts[i] = Format(row[i]);
        return string.Join("|", parts);
    }

    public static string Format(object? v) => v switch
    {
        null => "null",
        string s => s,
        byte[] b => Encoding.UTF8.GetString(b),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        TimestampNtz t => Timestamp(t.Millisecond, t.NanoOfMillisecond),
        TimestampLtz t => Timestamp(t.EpochMillisecond, t.NanoOfMillisecond),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString()!,
    };

    private static string Timestamp(long millis, int nanos)
    {
        var dt = DateTime.UnixEpoch.AddMilliseconds(millis);
        var fraction = ((long)(dt.Ticks % TimeSpan.TicksPerSecond) / TimeSpan.TicksPerMillisecond * 1_000_000 + nanos).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "." + (fraction.Length == 0 ? "0" : fraction);
    }

    public static async Task<List<string>> ReadAsync(string tablePath, long? snapshot = null, IReadOnlyList<string>? columns = null)
    {
        var reader = await PaimonTableReader.OpenAsync(LocalPaimonFileIO.Instance, tablePath);
        var rows = new List<string>();
        await foreach (var r in reader.ReadRowsAsync(new PaimonReadOptions { SnapshotId = snapshot, Columns = columns })) rows.Add(Format(r));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public static List<string> Sorted(params string[] rows)
    {
        var list = rows.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluss-paimon-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
