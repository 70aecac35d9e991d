using System.Text.Json;
using CsCheck;
using Fluss.Lake.Paimon.Manifest;
using Fluss.Lake.Paimon.Table;
using Fluss.Rows;
using Fluss.Tests.Generators;
using Fluss.Types;
using static Fluss.Lake.Paimon.Tests.TestSupport;
using static Fluss.Lake.Paimon.Tests.WriterSupport;

namespace Fluss.Lake.Paimon.Tests;

public class PaimonTableWriterTests
{
    private static readonly IPaimonFileIO IO = LocalPaimonFileIO.Instance;

    private static readonly RowType PkType = RowType.Of(("dt", new StringType()), ("id", new IntType()), ("name", new StringType()), ("v", new BigIntType()));

    private static PaimonTableDefinition PkTable(int buckets = 2) => new()
    {
        Columns = PkType,
        PrimaryKeys = ["dt", "id"],
        PartitionKeys = ["dt"],
        Buckets = buckets,
        BucketKeys = ["id"],
        Options = new Dictionary<string, string> { ["fluss.table.datalake.enabled"] = "true" },
    };

    [Fact]
    public async Task CreateTable_PrimaryKeyTable_WritesPaimonSchemaJson()
    {
        using var dir = new TempDir();
        var path = PaimonPaths.TablePath(dir.Path, "db", "t");
        await PaimonTableWriter.CreateTableAsync(IO, path, PkTable());
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(path, "schema", "schema-0")));
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("version").GetInt32());
        Assert.Equal(0, root.GetProperty("id").GetInt32());
        var fields = root.GetProperty("fields").EnumerateArray().Select(f => (f.GetProperty("id").GetInt32(), f.GetProperty("name").GetString(), f.GetProperty("type").GetString())).ToList();
        Assert.Equal([(0, "dt", "STRING NOT NULL"), (1, "id", "INT NOT NULL"), (2, "name", "STRING"), (3, "v", "BIGINT")], fields);
        Assert.Equal(3, root.GetProperty("highestFieldId").GetInt32());
        Assert.Equal(["dt"], root.GetProperty("partitionKeys").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["dt", "id"], root.GetProperty("primaryKeys").EnumerateArray().Select(e => e.GetString()));
        var options = root.GetProperty("options");
        Assert.Equal("2", options.GetProperty("bucket").GetString());
        Assert.Equal("id", options.GetProperty("bucket-key").GetString());
        Assert.Equal("input", options.GetProperty("changelog-producer").GetString());
        Assert.Equal("false", options.GetProperty("partition.legacy-name").GetString());
        Assert.Equal("parquet", options.GetProperty("file.format").GetString());
        Assert.Equal("true", options.GetProperty("fluss.table.datalake.enabled").GetString());
    }

    [Fact]
    public async Task CreateTable_SameDefinitionTwice_OpensExistingTable()
    {
        using var dir = new TempDir();
        var path = PaimonPaths.TablePath(dir.Path, "db", "t");
        await PaimonTableWriter.CreateTableAsync(IO, path, PkTable());
        var again = await PaimonTableWriter.CreateTableAsync(IO, path, PkTable());
        Assert.Equal(0, again.SchemaId);
        Assert.Single(Directory.GetFiles(Path.Combine(path, "schema")));
    }

    [Fact]
    public async Task CreateTable_DifferentDefinitionExists_Throws()
    {
        using var dir = new TempDir();
        var path = PaimonPaths.TablePath(dir.Path, "db", "t");
        await PaimonTableWriter.CreateTableAsync(IO, path, PkTable());
        var e = await Assert.ThrowsAsync<PaimonTableExistsException>(() => PaimonTableWriter.CreateTableAsync(IO, path, PkTable(buckets: 3)));
        Assert.Contains("bucket=2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTable_FixedBucketAppendWithoutBucketKey_Rejected()
    {
        using var dir = new TempDir();
        await Assert.ThrowsAsync<ArgumentException>(() => PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = PkType, Buckets = 4 }));
    }

    [Fact]
    public async Task AppendTable_RandomTypesAndRows_ReadBackEqual()
    {
        // Arrow holds TIMESTAMP(7..9) in nanoseconds, which reach only about 292 years either side of 1970.
        static bool FitsArrow(object? v) => v switch
        {
            TimestampNtz t => Math.Abs(t.Millisecond) < 9_000_000_000_000L,
            TimestampLtz t => Math.Abs(t.EpochMillisecond) < 9_000_000_000_000L,
            _ => true,
        };
        var gen = RowGenerators.TypeAndRows(maxFields: 10, maxRows: 40)
            .Where(x => x.Rows.Length > 0 && x.Rows.All(r => Enumerable.Range(0, r.FieldCount).All(i => FitsArrow(r[i]))));
        await gen.SampleAsync(async sample =>
        {
            var (type, rows) = sample;
            using var dir = new TempDir();
            var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type });
            var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, rows))]);
            await writer.CommitAsync([file], "u", 1);
            var reader = await PaimonTableReader.OpenAsync(IO, dir.Path);
            var actual = new List<GenericRow>();
            await foreach (var r in reader.ReadRowsAsync()) actual.Add(r);
            Assert.Equal(ThroughArrow(type, rows), actual);
        }, iter: 30);
    }

    [Fact]
    public async Task PrimaryKeyTable_UpdatesAndDeletesAcrossCommits_ReadMatchesModel()
    {
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, PkTable(buckets: 3));
        var model = new Dictionary<(string, int), GenericRow>();
        var random = new Random(42);
        var snapshots = new List<(long Id, List<string> Rows)>();
        for (var commit = 1; commit <= 8; commit++)
        {
            var changes = new List<(ChangeType, GenericRow)>();
            for (var i = 0; i < 60; i++)
            {
                var dt = random.Next(2) == 0 ? "2024-01-01" : "2024-01-02";
                var key = random.Next(40);
                var row = GenericRow.Of(dt, key, "n" + random.Next(1000), (long)random.Next());
                if (model.TryGetValue((dt, key), out var old))
                {
                    if (random.Next(3) == 0)
                    {
                        changes.Add((ChangeType.Delete, old));
                        model.Remove((dt, key));
                    }
                    else
                    {
                        changes.Add((ChangeType.UpdateBefore, old));
                        changes.Add((ChangeType.UpdateAfter, row));
                        model[(dt, key)] = row;
                    }
                }
                else
                {
                    changes.Add((ChangeType.Insert, row));
                    model[(dt, key)] = row;
                }
            }
            var files = new List<PaimonDataFile>();
            foreach (var group in changes.GroupBy(c => ((string)c.Item2[0]!, BucketOf(PkType, ["id"], c.Item2, 3))))
                files.Add(await writer.WriteAsync(group.Key.Item2, [Changes(PkType, group)]));
            var snapshotId = await writer.CommitAsync(files, "tiering", commit, new Dictionary<string, string> { ["fluss-offsets"] = "offsets-" + commit });
            Assert.Equal(commit, snapshotId);
            snapshots.Add((snapshotId, model.Values.Select(Format).OrderBy(s => s, StringComparer.Ordinal).ToList()));
        }
        foreach (var (id, expected) in snapshots)
            Assert.Equal(expected, await ReadAsync(dir.Path, id));
        Assert.Equal(snapshots[^1].Rows, await ReadAsync(dir.Path));
    }

    [Fact]
    public async Task PrimaryKeyTable_DataFile_SortedUniqueKeysWithIncreasingSequences()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("k", new StringType()), ("v", new IntType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PrimaryKeys = ["k"], Buckets = 1 });
        // "é" (C3 A9) sorts after "z" by UTF-8 bytes; "\uFF5E" (EF BD 9E) after the surrogate pair (F0 ...)? no: F0 > EF.
        var keys = new[] { "b", "é", "a", "z", "\U0001F986", "\uFF5E", "a", "b" };
        var first = await writer.WriteAsync(0, [Changes(type, keys.Select((k, i) => (ChangeType.Insert, GenericRow.Of(k, i))))]);
        // Each kept change keeps the sequence number of its arrival: the first "a" and "b" (0 and 2) are superseded.
        Assert.Equal(6, first.RowCount);
        Assert.Equal(1, first.MinSequenceNumber);
        Assert.Equal(7, first.MaxSequenceNumber);
        await writer.CommitAsync([first], "u", 1);
        var second = await writer.WriteAsync(0, [Changes(type, [(ChangeType.Delete, GenericRow.Of("a", 6)), (ChangeType.Insert, GenericRow.Of("c", 9))])]);
        Assert.Equal(8, second.MinSequenceNumber);
        Assert.Equal(9, second.MaxSequenceNumber);
        await writer.CommitAsync([second], "u", 2);

        var table = new TableStore(IO, dir.Path);
        var entries = await table.LiveEntriesAsync((await table.LatestSnapshotAsync(default))!, default);
        var meta = entries.Select(e => e.File).ToList();
        Assert.Equal([0, 0], meta.Select(m => m.Level));
        Assert.Equal([0L, 1L], meta.Select(m => m.DeleteRowCount ?? -1));
        Assert.Equal([(1L, 7L), (8L, 9L)], meta.Select(m => (m.MinSequenceNumber, m.MaxSequenceNumber)));
        Assert.Equal(Sorted("b|7", "c|9", "z|3", "é|1", "\U0001F986|4", "\uFF5E|5"), await ReadAsync(dir.Path));
    }

    [Fact]
    public async Task PrimaryKeyTable_OneBigIntKeyManyChangesPerKey_LatestChangeOfEachKeyInKeyOrder()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("id", new BigIntType(false)), ("v", new IntType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PrimaryKeys = ["id"], Buckets = 1 });
        var random = new Random(7);
        var model = new Dictionary<long, int>();
        var changes = new List<(ChangeType, GenericRow)>();
        for (var i = 0; i < 3000; i++)
        {
            // Negative and large keys too: the order is by value, not by bytes.
            var key = random.Next(400) * (random.Next(2) == 0 ? -1L : 1L) * 1_000_000_007L;
            if (model.TryGetValue(key, out var old) && random.Next(4) == 0)
            {
                changes.Add((ChangeType.Delete, GenericRow.Of(key, old)));
                model.Remove(key);
            }
            else
            {
                changes.Add((model.ContainsKey(key) ? ChangeType.UpdateAfter : ChangeType.Insert, GenericRow.Of(key, i)));
                model[key] = i;
            }
        }
        // Three batches, as a tiering round hands them over.
        var batches = changes.Chunk(1100).Select(chunk => Changes(type, chunk)).ToList();
        var file = await writer.WriteAsync(0, batches);
        await writer.CommitAsync([file], "u", 1);

        // The data file holds each key once (deleted ones as deletes), ordered by key value: its first column is _KEY_id.
        var keys = new List<long>();
        using (var parquet = new ParquetSharp.ParquetFileReader(file.Path))
        {
            for (var g = 0; g < parquet.FileMetaData.NumRowGroups; g++)
            {
                using var group = parquet.RowGroup(g);
                using var column = group.Column(0).LogicalReader<long>();
                keys.AddRange(column.ReadAll((int)group.MetaData.NumRows));
            }
        }
        Assert.Equal(changes.Select(c => (long)c.Item2[0]!).Distinct().Order(), keys);
        Assert.Equal(keys.Count, file.RowCount);
        Assert.Equal(Sorted(model.Select(p => $"{p.Key}|{p.Value}").ToArray()), await ReadAsync(dir.Path));
    }

    [Fact]
    public async Task WriteAsync_RowOfAnotherBucket_Rejected()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("id", new IntType()), ("v", new StringType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PrimaryKeys = ["id"], Buckets = 4 });
        // Paimon's bucket of INT key 1 with 4 buckets is 2 (MurmurHash3 of the BinaryRow, seed 42).
        var e = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, [GenericRow.Of(1, "x")]))]));
        Assert.Contains("bucket 2", e.Message, StringComparison.Ordinal);
        var file = await writer.WriteAsync(2, [new PaimonWriteBatch(Batch(type, [GenericRow.Of(1, "x")]))]);
        Assert.EndsWith("/bucket-2", PaimonPaths.Parent(file.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_RowsOfTwoPartitions_Rejected()
    {
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, PkTable(buckets: 1));
        var rows = new[] { GenericRow.Of("a", 1, "x", 1L), GenericRow.Of("b", 1, "x", 1L) };
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(0, [new PaimonWriteBatch(Batch(PkType, rows))]));
    }

    [Fact]
    public async Task WriteAsync_DeleteIntoAppendTable_Rejected()
    {
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = PkType });
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(0, [Changes(PkType, [(ChangeType.Delete, GenericRow.Of("a", 1, "x", 1L))])]));
    }

    [Fact]
    public async Task CommitAsync_WritesSnapshotJsonHintsAndProperties()
    {
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, PkTable(buckets: 1));
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(PkType, [GenericRow.Of("d", 1, "x", 1L), GenericRow.Of("d", 2, "y", 2L)]))]);
        var id = await writer.CommitAsync([file], "__fluss_lake_tiering", long.MaxValue, new Dictionary<string, string> { ["fluss-offsets"] = "/remote/x.offsets" });
        Assert.Equal(1, id);
        var empty = await writer.CommitAsync([], "__fluss_lake_tiering", long.MaxValue, new Dictionary<string, string> { ["fluss-offsets"] = "/remote/y.offsets" });
        Assert.Equal(2, empty);

        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "snapshot", "snapshot-1")));
        var s = doc.RootElement;
        Assert.Equal(3, s.GetProperty("version").GetInt32());
        Assert.Equal(1, s.GetProperty("id").GetInt64());
        Assert.Equal(0, s.GetProperty("schemaId").GetInt64());
        Assert.Equal("__fluss_lake_tiering", s.GetProperty("commitUser").GetString());
        Assert.Equal(long.MaxValue, s.GetProperty("commitIdentifier").GetInt64());
        Assert.Equal("APPEND", s.GetProperty("commitKind").GetString());
        Assert.Equal(2, s.GetProperty("totalRecordCount").GetInt64());
        Assert.Equal(2, s.GetProperty("deltaRecordCount").GetInt64());
        Assert.Equal(2, s.GetProperty("changelogRecordCount").GetInt64());
        Assert.Equal("/remote/x.offsets", s.GetProperty("properties").GetProperty("fluss-offsets").GetString());
        Assert.Equal(new FileInfo(Path.Combine(dir.Path, "manifest", s.GetProperty("baseManifestList").GetString()!)).Length, s.GetProperty("baseManifestListSize").GetInt64());
        Assert.Equal(new FileInfo(Path.Combine(dir.Path, "manifest", s.GetProperty("deltaManifestList").GetString()!)).Length, s.GetProperty("deltaManifestListSize").GetInt64());
        Assert.Equal("2", File.ReadAllText(Path.Combine(dir.Path, "snapshot", "LATEST")));
        Assert.Equal("1", File.ReadAllText(Path.Combine(dir.Path, "snapshot", "EARLIEST")));

        var latest = await writer.LatestSnapshotAsync();
        Assert.Equal(2, latest!.Id);
        Assert.Equal(2, latest.TotalRecordCount);
        Assert.Equal(0, latest.DeltaRecordCount);
        Assert.Equal("/remote/y.offsets", latest.Properties["fluss-offsets"]);
    }

    [Fact]
    public async Task LatestSnapshotOfUser_OtherUsersCommittedSince_FindsThatUsersCommit()
    {
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, PkTable(buckets: 1));
        await writer.CommitAsync([], "tiering", 7, new Dictionary<string, string> { ["fluss-offsets"] = "a" });
        await writer.CommitAsync([], "compactor", 1);
        await writer.CommitAsync([], "compactor", 2);
        var found = await writer.LatestSnapshotOfUserAsync("tiering");
        Assert.Equal(1, found!.Id);
        Assert.Equal(7, found.CommitIdentifier);
        Assert.Equal("a", found.Properties["fluss-offsets"]);
        Assert.Null(await writer.LatestSnapshotOfUserAsync("nobody"));
    }

    [Fact]
    public async Task CommitAsync_SnapshotIdTakenMeanwhile_ReportsConflictAndLeavesNoManifests()
    {
        using var dir = new TempDir();
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, PkTable(buckets: 1));
        await writer.CommitAsync([], "u", 1);
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(PkType, [GenericRow.Of("d", 1, "x", 1L)]))]);
        var manifestsBefore = Directory.GetFiles(Path.Combine(dir.Path, "manifest")).Length;
        // Another writer takes snapshot 2 without updating the LATEST hint yet.
        var snapshot1 = File.ReadAllText(Path.Combine(dir.Path, "snapshot", "snapshot-1"));
        File.WriteAllText(Path.Combine(dir.Path, "snapshot", "snapshot-2"), snapshot1.Replace("\"id\": 1,", "\"id\": 2,", StringComparison.Ordinal));
        var foreign = System.Text.Encoding.UTF8.GetBytes(snapshot1.Replace("\"id\": 1,", "\"id\": 3,", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(dir.Path, "snapshot", "LATEST"), "1");
        var racing = new TableStore(IO, dir.Path);
        // The stale hint is caught (snapshot-(hint+1) exists), so the commit targets 3; another writer creates
        // snapshot-3 between planning and creation.
        var e = await Assert.ThrowsAsync<PaimonCommitConflictException>(async () =>
        {
            var io = new RacingFileIO(IO, Path.Combine(dir.Path, "snapshot", "snapshot-3"), foreign);
            var w = await PaimonTableWriter.OpenAsync(io, dir.Path);
            await w.CommitAsync([file], "u", 2);
        });
        Assert.Equal(3, e.SnapshotId);
        Assert.Equal(manifestsBefore, Directory.GetFiles(Path.Combine(dir.Path, "manifest")).Length);
        Assert.Equal(foreign, File.ReadAllBytes(Path.Combine(dir.Path, "snapshot", "snapshot-3")));
        Assert.Equal(3, (await racing.LatestSnapshotAsync(default))!.Id);
    }

    [Fact]
    public async Task CommitAsync_ManyCommits_MergesBaseManifestsAndKeepsRows()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("id", new IntType()), ("v", new StringType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type });
        var expected = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, [GenericRow.Of(i, "v" + i)]))]);
            await writer.CommitAsync([file], "u", i);
            expected.Add($"{i}|v{i}");
        }
        var store = new TableStore(IO, dir.Path);
        var latest = (await store.LatestSnapshotAsync(default))!;
        Assert.True((await store.DataManifestsAsync(latest, default)).Count < 30);
        expected.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, await ReadAsync(dir.Path));
        Assert.Equal(40, latest.TotalRecordCount);
    }

    [Fact]
    public async Task PartitionedTable_FilesLandInCastToStringDirectories()
    {
        using var dir = new TempDir();
        var type = RowType.Of(("d", new DateType(false)), ("n", new IntType()), ("s", new StringType()));
        var writer = await PaimonTableWriter.CreateTableAsync(IO, dir.Path, new PaimonTableDefinition { Columns = type, PartitionKeys = ["d", "s"] });
        var day = TimeText.ToEpochDays(new DateOnly(2024, 3, 9));
        var file = await writer.WriteAsync(0, [new PaimonWriteBatch(Batch(type, [GenericRow.Of(day, 1, "a/b:c"), GenericRow.Of(day, 2, "a/b:c")]))]);
        Assert.Equal(PaimonPaths.Combine(dir.Path, "d=2024-03-09", "s=a%2Fb%3Ac", "bucket-0", file.FileName), file.Path);
        Assert.True(File.Exists(file.Path));
        Assert.Equal("2024-03-09", file.Partition["d"]);
        await writer.CommitAsync([file], "u", 1);
        Assert.Equal(Sorted("19791|1|a/b:c", "19791|2|a/b:c"), await ReadAsync(dir.Path));
    }

    [Fact]
    public async Task JavaWrittenTable_AppendCommit_ContinuesSequencesAndReadsMerged()
    {
        using var dir = new TempDir();
        var source = Fixture("pk_table_scan_and_read_mor");
        foreach (var f in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir.Path, Path.GetRelativePath(source, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        var writer = await PaimonTableWriter.OpenAsync(IO, dir.Path);
        var type = writer.RowType;
        var bucket = BucketOf(type, ["f2"], GenericRow.Of("Bob", 10, 0, 0.0), 2);
        var store = new TableStore(IO, dir.Path);
        var partition = Convert.ToHexString(new PartitionCodec(await store.SchemaAsync(0, default)).Serialize(GenericRow.Of(10)));
        var javaMax = (await store.LiveEntriesAsync((await store.LatestSnapshotAsync(default))!, default))
            .Where(e => e.Bucket == bucket && Convert.ToHexString(e.Partition) == partition)
            .Max(e => e.File.MaxSequenceNumber);
        var file = await writer.WriteAsync(bucket, [Changes(type, [(ChangeType.UpdateAfter, GenericRow.Of("Bob", 10, 0, 99.5)), (ChangeType.Delete, GenericRow.Of("David", 10, 0, 17.1))])]);
        Assert.Equal(javaMax + 1, file.MinSequenceNumber);
        // Paimon's default partition.legacy-name=true renders the INT partition as its plain text.
        Assert.Equal(PaimonPaths.Combine(dir.Path, "f1=10", "bucket-" + bucket, file.FileName), file.Path);
        Assert.Null(file.ChangelogFileName);
        Assert.Equal(6, await writer.CommitAsync([file], "u", 1));
        const string TwoRoads = "Two roads diverged in a wood, and I took the one less traveled by, And that has made all the difference.";
        Assert.Equal(Sorted("Bob|10|0|99.5", "Emily|10|0|13.1", "Marco|10|0|21.1", "Marco2|10|0|31.1", "Skye|10|0|21",
            "Skye2|10|0|31", "Alice|10|1|19.1", TwoRoads + "|10|1|11", "Lucy|20|1|14.1", "Paul|20|1|18.1"), await ReadAsync(dir.Path));
    }

    /// <summary>Creates a file at a given path just before the wrapped IO's atomic creation, to lose the race.</summary>
    private sealed class RacingFileIO(IPaimonFileIO inner, string racePath, byte[] raceContent) : IPaimonFileIO
    {
        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);
        public Task<Stream> CreateAsync(string path, CancellationToken cancellationToken = default) => inner.CreateAsync(path, cancellationToken);
        public Task OverwriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.OverwriteAsync(path, content, cancellationToken);
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);
        public Task<IReadOnlyList<string>> ListFilesAsync(string directory, CancellationToken cancellationToken = default) => inner.ListFilesAsync(directory, cancellationToken);
        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task<bool> TryCreateAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            if (path == racePath && !File.Exists(racePath)) File.WriteAllBytes(racePath, raceContent);
            return inner.TryCreateAtomicAsync(path, content, cancellationToken);
        }
    }
}
