using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Fluss.Lake.Paimon.Table;
using Fluss.Rows;
using Fluss.Types;
using static Fluss.Lake.Paimon.Tests.TestSupport;
using static Fluss.Lake.Paimon.Tests.WriterSupport;

namespace Fluss.Lake.Paimon.Tests;

/// <summary>
/// Our lake output read by readers we did not write: DuckDB's <c>read_parquet</c> over the data files, and Python's
/// Debian <c>avro</c> module decoding our manifests against the schemas of Java-written manifests.
/// </summary>
public class InteropTests
{
    private static readonly IPaimonFileIO IO = LocalPaimonFileIO.Instance;

    private const string PythonHint =
        "Python 3 with the Debian packages python3-avro and python3-zstandard is required for this test: apt-get install -y python3-avro python3-zstandard (scripts/prereqs.sh installs them).";

    private static DuckDBConnection OpenDuckDb()
    {
        var con = new DuckDBConnection("Data Source=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        cmd.CommandText = "SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;";
        cmd.ExecuteNonQuery();
        return con;
    }

    private static List<string[]> Query(DuckDBConnection con, string sql)
    {
        using var cmd = con.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
            rows.Add(row);
        }
        return rows;
    }

    private static string Sql(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    [Fact]
    public async Task DuckDb_AppendDataFile_ReadsOurValuesAndPaimonSchema()
    {
        using var dir = new TempDir();
        var type = RowType.Of(
            ("i", new IntType(false)), ("b", new BigIntType()), ("s", new StringType()), ("d", new DoubleType()), ("flag", new BooleanType()),
            ("t", new TinyIntType()), ("sm", new SmallIntType()), ("dec", new DecimalType(10, 2)), ("big", new DecimalType(25, 3)),
            ("day", new DateType()), ("ts3", new TimestampType(3)), ("ts6", new TimestampType(6)), ("ts9", new TimestampType(9)),
            ("ltz", new LocalZonedTimestampType(6)), ("bin", new BytesType()));
        var day = TimeText.ToEpochDays(new DateOnly(2024, 3, 9));
        var ms = new DateTimeOffset(2024, 3, 9, 10, 11, 12, 345, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var old = new DateTimeOffset(1899, 1, 1, 0, 59, 20, 1, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var rows = new[]
        {
            GenericRow.Of(1, 10L, "héllo", 1.5, true, (sbyte)-7, (short)300, FlussDecimal.Parse("12.34", 10, 2), FlussDecimal.Parse("-12345678901234567890.123", 25, 3),
                day, new TimestampNtz(ms), new TimestampNtz(ms, 678_000), new TimestampNtz(old, 1_000), new TimestampLtz(ms, 5_000), new byte[] { 0, 1, 255 }),
            GenericRow.Of(2, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
        };
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type });
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, rows))]);
        await writer.CommitAsync([file], "u", 1);

        using var con = OpenDuckDb();
        var got = Query(con, $"SELECT i, b, s, d, flag, t, sm, CAST(dec AS VARCHAR), CAST(big AS VARCHAR), CAST(day AS VARCHAR), epoch_ms(ts3), epoch_us(ts6), epoch_us(ts9), epoch_us(ltz), hex(bin) FROM read_parquet({Sql(file.Path)}) ORDER BY i");
        Assert.Equal(2, got.Count);
        Assert.Equal(
            ["1", "10", "héllo", "1.5", "True", "-7", "300", "12.34", "-12345678901234567890.123", "2024-03-09",
                ms.ToString(CultureInfo.InvariantCulture), (ms * 1000 + 678).ToString(CultureInfo.InvariantCulture), (old * 1000 + 1).ToString(CultureInfo.InvariantCulture),
                (ms * 1000 + 5).ToString(CultureInfo.InvariantCulture), "0001FF"],
            got[0]);
        Assert.Equal(["2", .. Enumerable.Repeat("null", 14)], got[1]);

        var schema = Query(con, $"SELECT name, type, field_id, converted_type, repetition_type FROM parquet_schema({Sql(file.Path)})");
        Assert.Equal("paimon_schema", schema[0][0]);
        var byName = schema.Skip(1).ToDictionary(r => r[0]);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => i.ToString(CultureInfo.InvariantCulture)), schema.Skip(1).Select(r => r[2]));
        Assert.Equal("REQUIRED", byName["i"][4]);
        Assert.Equal("OPTIONAL", byName["b"][4]);
        Assert.Equal("INT96", byName["ts9"][1]);
        Assert.Equal("INT64", byName["ts6"][1]);
        Assert.Equal("FIXED_LEN_BYTE_ARRAY", byName["big"][1]);
        Assert.Equal("INT_8", byName["t"][3]);
        Assert.Equal("UTF8", byName["s"][3]);
        var codecs = Query(con, $"SELECT DISTINCT compression FROM parquet_metadata({Sql(file.Path)})");
        Assert.Equal([["ZSTD"]], codecs);
        var encodings = Query(con, $"SELECT DISTINCT encodings FROM parquet_metadata({Sql(file.Path)})").Select(r => r[0]);
        Assert.DoesNotContain(encodings, e => e.Contains("BYTE_STREAM_SPLIT", StringComparison.Ordinal));
        Assert.Equal(new FileInfo(file.Path).Length, file.FileSize);
    }

    [Fact]
    public async Task DuckDb_PrimaryKeyFiles_SortedUniqueKeysAndChangelogInArrivalOrder()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("k", new StringType()), ("n", new IntType()), ("v", new StringType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PrimaryKeys = ["k", "n"], Buckets = 1 });
        var changes = new (ChangeType, GenericRow)[]
        {
            (ChangeType.Insert, GenericRow.Of("é", 1, "a")),
            (ChangeType.Insert, GenericRow.Of("z", 1, "b")),
            (ChangeType.Insert, GenericRow.Of("z", 0, "c")),
            (ChangeType.UpdateBefore, GenericRow.Of("é", 1, "a")),
            (ChangeType.UpdateAfter, GenericRow.Of("é", 1, "d")),
            (ChangeType.Delete, GenericRow.Of("z", 1, "b")),
            (ChangeType.Insert, GenericRow.Of("\U0001F986", 5, "e")),
        };
        var file = await writer.WriteAsync(0, [Changes(type, changes)]);
        await writer.CommitAsync([file], "u", 1);

        using var con = OpenDuckDb();
        var data = Query(con, $"SELECT _KEY_k, _KEY_n, _SEQUENCE_NUMBER, _VALUE_KIND, k, n, v FROM read_parquet({Sql(file.Path)})");
        // Paimon's key order: strings by UTF-8 bytes ('z' 7A < 'é' C3 A9 < U+1F986 F0 9F A6 86), then n.
        Assert.Equal(
        [
            ["z", "0", "2", "0", "z", "0", "c"],
            ["z", "1", "5", "3", "z", "1", "b"],
            ["é", "1", "4", "2", "é", "1", "d"],
            ["\U0001F986", "5", "6", "0", "\U0001F986", "5", "e"],
        ], data);
        var names = Query(con, $"SELECT name, field_id FROM parquet_schema({Sql(file.Path)})").Skip(1).Select(r => r[0] + ":" + r[1]);
        Assert.Equal(["_KEY_k:1073741823", "_KEY_n:1073741824", "_SEQUENCE_NUMBER:2147483646", "_VALUE_KIND:2147483645", "k:0", "n:1", "v:2"], names);

        var changelog = Query(con, $"SELECT _SEQUENCE_NUMBER, _VALUE_KIND, k, v FROM read_parquet({Sql(PaimonPaths.Combine(PaimonPaths.Parent(file.Path), file.ChangelogFileName!))})");
        Assert.Equal(changes.Select((c, i) => new[] { i.ToString(CultureInfo.InvariantCulture), Kind(c.Item1), (string)c.Item2[0]!, (string)c.Item2[2]! }).ToList(), changelog);
        Assert.Equal(Sorted("z|0|c", "é|1|d", "\U0001F986|5|e"), await ReadAsync(dir.Path));
    }

    private static string Kind(ChangeType c) => c switch
    {
        ChangeType.Insert => "0",
        ChangeType.UpdateBefore => "1",
        ChangeType.UpdateAfter => "2",
        _ => "3",
    };

    /// <summary>Decodes Avro files with Python's avro module, reading with the schema of a Java-written file of the same kind.</summary>
    private static JsonElement DecodeWithPython(string javaReference, params string[] files)
    {
        const string script = """
import sys, json
try:
    import avro.datafile, avro.io, avro.schema
    import zstandard
except ImportError as e:
    print("MISSING " + str(e)); sys.exit(3)
ref = avro.datafile.DataFileReader(open(sys.argv[1], 'rb'), avro.io.DatumReader())
java_schema = avro.schema.parse(ref.meta['avro.schema'].decode())
def conv(x):
    if isinstance(x, bytes): return x.hex()
    if isinstance(x, dict): return {k: conv(v) for k, v in x.items()}
    if isinstance(x, list): return [conv(v) for v in x]
    if isinstance(x, (int, float, str, bool)) or x is None: return x
    return str(x)
out = []
for f in sys.argv[2:]:
    r = avro.datafile.DataFileReader(open(f, 'rb'), avro.io.DatumReader(readers_schema=java_schema))
    out.append({"codec": r.meta.get('avro.codec', b'null').decode(), "records": [conv(x) for x in r]})
print(json.dumps(out))
""";
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(javaReference);
        foreach (var f in files) psi.ArgumentList.Add(f);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail(PythonHint + " (" + e.Message + ")");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (stdout.StartsWith("MISSING", StringComparison.Ordinal)) Assert.Fail(PythonHint + " (" + stdout.Trim() + ")");
            Assert.True(process.ExitCode == 0, "Python failed to decode our manifests: " + stderr);
            return JsonDocument.Parse(stdout).RootElement.Clone();
        }
    }

    [Fact]
    public async Task PythonAvro_OurManifests_DecodeAgainstJavaWrittenSchemas()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("id", new IntType()), ("name", new StringType()), ("category", new StringType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PrimaryKeys = ["id"], Buckets = 1 });
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, [GenericRow.Of(2, "name-2", "odd"), GenericRow.Of(1, "name-1", "even")]))]);
        await writer.CommitAsync([file], "u", 1);
        await writer.CommitAsync([], "u", 2);

        var store = new TableStore(IO, dir.Path);
        var first = await store.SnapshotAsync(1, default);
        var second = await store.SnapshotAsync(2, default);
        var manifestDir = Path.Combine(dir.Path, "manifest");
        var deltaList = (await store.ReadManifestListAsync(first.DeltaManifestList, default)).Single();

        var javaDir = Path.Combine(GoldenTable("test_pk_global_index_golden"), "manifest");
        var javaList = Path.Combine(javaDir, "manifest-list-5e07ff5a-eeb7-49ef-8769-c73b058ae171-2");
        var javaManifest = Path.Combine(javaDir, "manifest-47606e25-ccef-4a80-9c04-8bd4988af3c1-0");

        var lists = DecodeWithPython(javaList,
            Path.Combine(manifestDir, first.BaseManifestList), Path.Combine(manifestDir, first.DeltaManifestList), Path.Combine(manifestDir, second.BaseManifestList));
        Assert.Equal("zstandard", lists[0].GetProperty("codec").GetString());
        Assert.Equal(0, lists[0].GetProperty("records").GetArrayLength());
        var meta = lists[1].GetProperty("records")[0];
        Assert.Equal(2, meta.GetProperty("_VERSION").GetInt32());
        Assert.Equal(deltaList.FileName, meta.GetProperty("_FILE_NAME").GetString());
        Assert.Equal(new FileInfo(Path.Combine(manifestDir, deltaList.FileName)).Length, meta.GetProperty("_FILE_SIZE").GetInt64());
        Assert.Equal(1, meta.GetProperty("_NUM_ADDED_FILES").GetInt64());
        Assert.Equal(0, meta.GetProperty("_NUM_DELETED_FILES").GetInt64());
        Assert.Equal("000000000000000000000000", meta.GetProperty("_PARTITION_STATS").GetProperty("_MIN_VALUES").GetString());
        Assert.Equal(0, meta.GetProperty("_MIN_LEVEL").GetInt32());
        // The second snapshot's base list carries the first snapshot's data manifest.
        Assert.Equal(deltaList.FileName, lists[2].GetProperty("records")[0].GetProperty("_FILE_NAME").GetString());

        var manifests = DecodeWithPython(javaManifest, Path.Combine(manifestDir, deltaList.FileName));
        Assert.Equal("zstandard", manifests[0].GetProperty("codec").GetString());
        var entry = manifests[0].GetProperty("records").EnumerateArray().Single();
        Assert.Equal(2, entry.GetProperty("_VERSION").GetInt32());
        Assert.Equal(0, entry.GetProperty("_KIND").GetInt32());
        Assert.Equal("000000000000000000000000", entry.GetProperty("_PARTITION").GetString());
        Assert.Equal(0, entry.GetProperty("_BUCKET").GetInt32());
        Assert.Equal(1, entry.GetProperty("_TOTAL_BUCKETS").GetInt32());
        var f = entry.GetProperty("_FILE");
        Assert.Equal(file.FileName, f.GetProperty("_FILE_NAME").GetString());
        Assert.Equal(new FileInfo(file.Path).Length, f.GetProperty("_FILE_SIZE").GetInt64());
        Assert.Equal(2, f.GetProperty("_ROW_COUNT").GetInt64());
        // Byte examples of paimon-layout §3.4, verified against Java-written files: INT key 1 and 2, value stats min (1, "name-1", "even").
        Assert.Equal("00000001" + "0000000000000000" + "0100000000000000", f.GetProperty("_MIN_KEY").GetString());
        Assert.Equal("00000001" + "0000000000000000" + "0200000000000000", f.GetProperty("_MAX_KEY").GetString());
        Assert.Equal("00000003" + "0000000000000000" + "0100000000000000" + "6e616d652d310086" + "6576656e00000084",
            f.GetProperty("_VALUE_STATS").GetProperty("_MIN_VALUES").GetString());
        Assert.Equal([0, 0, 0], f.GetProperty("_VALUE_STATS").GetProperty("_NULL_COUNTS").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(0, f.GetProperty("_LEVEL").GetInt32());
        Assert.Equal(0, f.GetProperty("_DELETE_ROW_COUNT").GetInt64());
        Assert.Equal(0, f.GetProperty("_FILE_SOURCE").GetInt32());
        Assert.Equal(0, f.GetProperty("_EXTRA_FILES").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, f.GetProperty("_VALUE_STATS_COLS").ValueKind);
        Assert.Equal(JsonValueKind.Null, f.GetProperty("_EXTERNAL_PATH").ValueKind);
        Assert.Equal(0, f.GetProperty("_MIN_SEQUENCE_NUMBER").GetInt64());
        Assert.Equal(1, f.GetProperty("_MAX_SEQUENCE_NUMBER").GetInt64());
    }

    [Fact]
    public async Task ManifestKeys_StringAndIntKey_MatchPaimonBytes()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("name", new StringType()), ("id", new IntType()), ("v", new DoubleType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PrimaryKeys = ["name", "id"], Buckets = 1 });
        var longName = new string('x', 104);
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, [GenericRow.Of("Alice", 1, 1.0), GenericRow.Of(longName, 1, 2.0)]))]);
        // Verified example of paimon-layout §3.4: key (STRING "Alice", INT 1).
        Assert.Equal("00000002" + "0000000000000000" + "416C696365000085" + "0100000000000000", Convert.ToHexString(file.Data.MinKey));
        // A 104-byte string lives in the variable part: slot = length 0x68, offset 0x18.
        Assert.StartsWith("00000002" + "0000000000000000" + "6800000018000000" + "0100000000000000", Convert.ToHexString(file.Data.MaxKey), StringComparison.Ordinal);
        Assert.Equal(4 + 24 + 104, file.Data.MaxKey.Length);
    }
}
