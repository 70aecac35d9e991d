using System.Text;
using Fluss.MetadataStore;
using Microsoft.Extensions.Time.Testing;

namespace Fluss.Tests.MetadataStore;

/// <summary>What only the embedded store has: sessions on a fake clock, durability, recovery and the directory lock.</summary>
public sealed class EmbeddedMetadataStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(NodeData d) => Encoding.UTF8.GetString(d.Data);

    private static Task<EmbeddedMetadataStore> Open(string? dir, TimeProvider? clock = null, int snapshotAfter = 10_000, int maxData = 0xFFFFF, TimeSpan? checkInterval = null) =>
        EmbeddedMetadataStore.OpenAsync(new EmbeddedMetadataStoreOptions
        {
            Directory = dir,
            TimeProvider = clock ?? TimeProvider.System,
            SnapshotAfterRecords = snapshotAfter,
            MaxDataSize = maxData,
            SessionCheckInterval = checkInterval ?? TimeSpan.FromMilliseconds(100),
        });

    private static MetadataSessionOptions Silent(double timeoutSeconds) =>
        new() { SessionTimeout = TimeSpan.FromSeconds(timeoutSeconds), AutoHeartbeat = false };

    private static string LogPath(string dir) => Path.Combine(dir, "metadata.log");

    private static string SnapshotPath(string dir) => Path.Combine(dir, "metadata.snapshot");

    /// <summary>Every node below the root (path -> data and stat), for comparing whole trees.</summary>
    private static async Task<SortedDictionary<string, (string Data, Stat Stat)>> DumpAsync(IMetadataStore s)
    {
        var result = new SortedDictionary<string, (string, Stat)>(StringComparer.Ordinal);
        async Task Walk(string path)
        {
            var node = await s.GetAsync(path);
            result[path] = (Text(node), node.Stat);
            foreach (var child in await s.GetChildrenAsync(path))
                await Walk(MetadataPath.Combine(path, child));
        }
        await Walk("/");
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------
    // sessions on a fake clock
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Session_SilentPastTimeout_ExpiresAndItsEphemeralsAreDeletedWithEvents()
    {
        var clock = new FakeTimeProvider();
        await using var store = await Open(null, clock);
        await using var observer = await store.OpenSessionAsync();
        var silent = await store.OpenSessionAsync(Silent(10));
        var states = new List<SessionState>();
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silent.StateChanged += s =>
        {
            states.Add(s);
            expired.TrySetResult();
        };
        await silent.CreateAsync("/eph", Bytes("x"), CreateMode.Ephemeral);
        await silent.CreateAsync("/persistent", Bytes("y"));
        var w = new WatchRecorder();
        Assert.NotNull(await observer.ExistsAsync("/eph", w.Watcher));

        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(SessionState.Connected, silent.State);
        Assert.NotNull(await observer.ExistsAsync("/eph"));

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDeleted, "/eph"), await w.NextAsync());
        await expired.Task.WaitAsync(WatchRecorder.Timeout);
        Assert.Equal([SessionState.Expired], states);
        Assert.Equal(SessionState.Expired, silent.State);
        Assert.Null(await observer.ExistsAsync("/eph"));
        Assert.NotNull(await observer.ExistsAsync("/persistent"));
        var e = await Assert.ThrowsAsync<MetadataStoreException>(() => silent.GetAsync("/persistent"));
        Assert.Equal(MetadataStoreErrorCode.SessionExpired, e.Code);
        Assert.Equal(SessionState.Connected, observer.State); // its automatic heartbeats kept it alive
    }

    [Fact]
    public async Task TouchSession_WithinTimeout_KeepsSessionAlive()
    {
        var clock = new FakeTimeProvider();
        await using var store = await Open(null, clock);
        var s = await store.OpenSessionAsync(Silent(10));
        await s.CreateAsync("/eph", Bytes(""), CreateMode.Ephemeral);
        clock.Advance(TimeSpan.FromSeconds(7));
        store.TouchSession(s.SessionId);
        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(SessionState.Connected, s.State);
        Assert.NotNull(await s.ExistsAsync("/eph")); // a request is a heartbeat too
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(SessionState.Connected, s.State);
        clock.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Equal(SessionState.Expired, s.State);
    }

    [Fact]
    public async Task TouchSession_AfterTimeoutBeforeCheck_ExpiresInsteadOfReviving()
    {
        var clock = new FakeTimeProvider();
        await using var store = await Open(null, clock, checkInterval: TimeSpan.FromHours(1));
        var s = await store.OpenSessionAsync(Silent(10));
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(SessionState.Connected, s.State); // nobody has looked yet
        store.TouchSession(s.SessionId);
        Assert.Equal(SessionState.Expired, s.State);
    }

    [Fact]
    public async Task Session_OtherSessionsRequest_ExpiresOverdueSessionsFirst()
    {
        var clock = new FakeTimeProvider();
        await using var store = await Open(null, clock, checkInterval: TimeSpan.FromHours(1));
        await using var observer = await store.OpenSessionAsync(Silent(1000));
        var s = await store.OpenSessionAsync(Silent(10));
        await s.CreateAsync("/eph", Bytes(""), CreateMode.Ephemeral);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await observer.ExistsAsync("/eph")); // linearizable: the read sees the expiry that is due
        Assert.Equal(SessionState.Expired, s.State);
    }

    [Fact]
    public async Task AutoHeartbeat_LongSilenceOfTheApplication_SessionStaysAlive()
    {
        var clock = new FakeTimeProvider();
        await using var store = await Open(null, clock);
        await using var s = await store.OpenSessionAsync(new MetadataSessionOptions { SessionTimeout = TimeSpan.FromSeconds(10) });
        await s.CreateAsync("/eph", Bytes(""), CreateMode.Ephemeral);
        // Time passes in steps, as it does for a live process (one big jump would be a frozen process).
        for (var i = 0; i < 300; i++) clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SessionState.Connected, s.State);
        Assert.NotNull(await s.ExistsAsync("/eph"));
    }

    [Fact]
    public async Task NodeTimes_ComeFromTheTimeProvider()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var store = await Open(null, clock);
        await using var s = await store.OpenSessionAsync();
        await s.CreateAsync("/a", Bytes(""));
        clock.Advance(TimeSpan.FromSeconds(5));
        var stat = await s.SetAsync("/a", Bytes("x"));
        var created = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal(created, stat.Ctime);
        Assert.Equal(created + 5000, stat.Mtime);
    }

    [Fact]
    public async Task ExpireSessionAsync_UnknownSession_ThrowsUnknownSession()
    {
        await using var store = await Open(null);
        var e = await Assert.ThrowsAsync<MetadataStoreException>(() => store.ExpireSessionAsync(12345));
        Assert.Equal(MetadataStoreErrorCode.UnknownSession, e.Code);
    }

    [Fact]
    public async Task DisposedStore_SessionsFailWithConnectionLoss()
    {
        var store = await Open(null);
        var s = await store.OpenSessionAsync();
        var closed = new TaskCompletionSource<SessionState>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.StateChanged += st => closed.TrySetResult(st);
        await store.DisposeAsync();
        Assert.Equal(SessionState.Closed, await closed.Task.WaitAsync(WatchRecorder.Timeout));
        var e = await Assert.ThrowsAsync<MetadataStoreException>(() => s.GetAsync("/"));
        Assert.Equal(MetadataStoreErrorCode.ConnectionLoss, e.Code);
        var e2 = await Assert.ThrowsAsync<MetadataStoreException>(() => store.OpenSessionAsync());
        Assert.Equal(MetadataStoreErrorCode.ConnectionLoss, e2.Code);
    }

    [Fact]
    public async Task Data_OverTheSizeLimit_ThrowsBadArguments()
    {
        await using var store = await Open(null, maxData: 10);
        await using var s = await store.OpenSessionAsync();
        await s.CreateAsync("/a", new byte[10]);
        var e = await Assert.ThrowsAsync<MetadataStoreException>(() => s.CreateAsync("/b", new byte[11]));
        Assert.Equal(MetadataStoreErrorCode.BadArguments, e.Code);
        Assert.Contains("/b", e.Message, StringComparison.Ordinal);
        var e2 = await Assert.ThrowsAsync<MetadataStoreException>(() => s.SetAsync("/a", new byte[11]));
        Assert.Equal(MetadataStoreErrorCode.BadArguments, e2.Code);
        Assert.Null(await s.ExistsAsync("/b"));
    }

    [Fact]
    public async Task DeleteAsync_Root_ThrowsBadArguments()
    {
        await using var store = await Open(null);
        await using var s = await store.OpenSessionAsync();
        var e = await Assert.ThrowsAsync<MetadataStoreException>(() => s.DeleteAsync("/"));
        Assert.Equal(MetadataStoreErrorCode.BadArguments, e.Code);
    }

    // ---------------------------------------------------------------------------------------------------------
    // durability
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Reopen_KeepsPersistentStateAndCounters_DropsEphemerals()
    {
        var dir = _temp.Sub("store");
        SortedDictionary<string, (string Data, Stat Stat)> before;
        long oldSession, zxid;
        await using (var store = await Open(dir))
        {
            var s = await store.OpenSessionAsync();
            oldSession = s.SessionId;
            await s.CreateAsync("/a", Bytes("v0"));
            await s.SetAsync("/a", Bytes("v1"));
            await s.SetAsync("/a", Bytes("v2"));
            await s.CreateRecursiveAsync("/q/n-", Bytes(""), CreateMode.PersistentSequential);
            await s.CreateAsync("/q/n-", Bytes(""), CreateMode.PersistentSequential);
            await s.CreateAsync("/q/eph", Bytes(""), CreateMode.Ephemeral);
            await s.CreateAsync("/q/eseq-", Bytes(""), CreateMode.EphemeralSequential);
            var ids = new SequenceIdCounter(s, new FlussZkPaths().TableSequenceId());
            Assert.Equal(0L, await ids.GetAndIncrementAsync());
            Assert.Equal(1L, await ids.GetAndIncrementAsync());
            await s.MultiAsync([MetadataOp.Create("/m1", Bytes("1")), MetadataOp.Create("/m2", Bytes("2"))]);
            before = await DumpAsync(s);
            zxid = store.LastZxid;
            // the process stops without closing its session
        }

        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            Assert.NotEqual(oldSession, s.SessionId);
            Assert.True(store.LastZxid > zxid); // closing the previous run's session is a transaction
            var after = await DumpAsync(s);
            Assert.DoesNotContain("/q/eph", after.Keys);
            Assert.DoesNotContain("/q/eseq-0000000003", after.Keys);
            Assert.Contains("/q/eseq-0000000003", before.Keys);
            foreach (var (path, (data, stat)) in before)
            {
                if (stat.IsEphemeral) continue;
                Assert.True(after.TryGetValue(path, out var now), $"{path} is missing after reopen");
                Assert.Equal(data, now.Data);
                Assert.Equal(stat.Version, now.Stat.Version);
                Assert.Equal(stat.CVersion, now.Stat.CVersion);
                Assert.Equal(stat.Czxid, now.Stat.Czxid);
                Assert.Equal(stat.Mzxid, now.Stat.Mzxid);
                Assert.Equal(stat.Ctime, now.Stat.Ctime);
            }
            Assert.Equal(2, after["/a"].Stat.Version);
            Assert.Equal(["n-0000000000", "n-0000000001"], await s.GetChildrenAsync("/q"));
            Assert.Equal("/q/n-0000000004", await s.CreateAsync("/q/n-", Bytes(""), CreateMode.PersistentSequential));
            Assert.Equal(2L, await new SequenceIdCounter(s, new FlussZkPaths().TableSequenceId()).GetAndIncrementAsync());
        }
    }

    [Fact]
    public async Task Reopen_InMemoryDirectoryNull_StartsEmpty()
    {
        await using (var store = await Open(null))
        await using (var s = await store.OpenSessionAsync())
            await s.CreateAsync("/a", Bytes(""));
        await using var fresh = await Open(null);
        await using var s2 = await fresh.OpenSessionAsync();
        Assert.Empty(await s2.GetChildrenAsync("/"));
        Assert.Null(fresh.Directory);
    }

    /// <summary>Writes a few changes, then one last SetAsync; returns the log bytes and where the last record starts.</summary>
    private async Task<(byte[] Log, long LastRecordStart)> LogWithLastRecordAsync(string dir)
    {
        await using var store = await Open(dir);
        var s = await store.OpenSessionAsync(Silent(3600));
        await s.CreateAsync("/a", Bytes("v1"));
        await s.CreateAsync("/b", Bytes("kept"));
        await s.SetAsync("/a", Bytes("v2"));
        var start = new FileInfo(LogPath(dir)).Length;
        await s.SetAsync("/a", Bytes("v3 is the last record"));
        Assert.True(new FileInfo(LogPath(dir)).Length > start);
        await store.DisposeAsync();
        return (await File.ReadAllBytesAsync(LogPath(dir)), start);
    }

    /// <summary>Opens a copy of a log, checks that exactly the committed prefix is there, and that the store writes on after it.</summary>
    private async Task AssertReopensWithPrefixAsync(byte[] logBytes, string name, long? expectTruncatedAt)
    {
        var dir = _temp.Sub(name);
        await File.WriteAllBytesAsync(LogPath(dir), logBytes);
        await using (var store = await Open(dir))
        {
            Assert.Equal(expectTruncatedAt, store.LastRecovery!.TruncatedAt);
            await using var s = await store.OpenSessionAsync();
            var a = await s.GetAsync("/a");
            Assert.Equal("v2", Text(a));
            Assert.Equal(1, a.Stat.Version);
            Assert.Equal("kept", Text(await s.GetAsync("/b")));
            await s.SetAsync("/a", Bytes("after recovery"));
        }
        await using (var store = await Open(dir))
        {
            Assert.Null(store.LastRecovery!.TruncatedAt);
            await using var s = await store.OpenSessionAsync();
            Assert.Equal("after recovery", Text(await s.GetAsync("/a")));
        }
    }

    [Fact]
    public async Task Recovery_LogCutAtEveryOffsetOfItsLastRecord_ReopensWithCommittedPrefix()
    {
        var (log, start) = await LogWithLastRecordAsync(_temp.Sub("source"));
        Assert.True(log.Length - start > 20);
        for (var cut = start; cut < log.Length; cut++)
            await AssertReopensWithPrefixAsync(log[..(int)cut], "cut" + cut, cut == start ? null : start);
    }

    [Fact]
    public async Task Recovery_FlippedByteInLastRecord_IsDetectedAndNotReplayed()
    {
        var (log, start) = await LogWithLastRecordAsync(_temp.Sub("source"));
        for (var at = start; at < log.Length; at++)
        {
            var damaged = (byte[])log.Clone();
            damaged[at] ^= 0x5A;
            await AssertReopensWithPrefixAsync(damaged, "flip" + at, start);
        }
    }

    [Fact]
    public async Task Recovery_ZeroFilledTail_IsCutOff()
    {
        var (log, _) = await LogWithLastRecordAsync(_temp.Sub("source"));
        var padded = new byte[log.Length + 4096];
        log.CopyTo(padded, 0);
        var dir = _temp.Sub("zeros");
        await File.WriteAllBytesAsync(LogPath(dir), padded);
        await using var store = await Open(dir);
        Assert.Equal(log.Length, store.LastRecovery!.TruncatedAt);
        await using var s = await store.OpenSessionAsync();
        Assert.Equal("v3 is the last record", Text(await s.GetAsync("/a")));
    }

    [Fact]
    public async Task Recovery_CorruptRecordFollowedByValidOnes_FailsInsteadOfDroppingCommits()
    {
        var (log, _) = await LogWithLastRecordAsync(_temp.Sub("source"));
        var damaged = (byte[])log.Clone();
        damaged[12 + 8 + 10] ^= 0xFF; // inside the payload of the first record
        var dir = _temp.Sub("mid");
        await File.WriteAllBytesAsync(LogPath(dir), damaged);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Open(dir));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(LogPath(dir))); // nothing was cut
        // The failed open released the directory lock: a second attempt fails the same way, not with "already open".
        await Assert.ThrowsAsync<InvalidDataException>(() => Open(dir));
    }

    [Fact]
    public async Task Recovery_ForeignOrTornHeader_HandledClearly()
    {
        var foreign = _temp.Sub("foreign");
        await File.WriteAllBytesAsync(LogPath(foreign), Bytes("this is not a log file"));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Open(foreign));
        Assert.Contains("not a metadata log", e.Message, StringComparison.Ordinal);

        var torn = _temp.Sub("torn");
        await File.WriteAllBytesAsync(LogPath(torn), "FLUSS"u8.ToArray());
        await using var store = await Open(torn);
        await using var s = await store.OpenSessionAsync();
        await s.CreateAsync("/a", Bytes("fresh"));
        Assert.Equal(0L, store.LastRecovery!.TruncatedAt);

        var empty = _temp.Sub("empty");
        await File.WriteAllBytesAsync(LogPath(empty), []);
        await using var store2 = await Open(empty);
        Assert.Null(store2.LastRecovery!.TruncatedAt);
    }

    [Fact]
    public async Task Compaction_SnapshotsAndEmptiesTheLog_ReopenRestoresEverything()
    {
        var dir = _temp.Sub("store");
        SortedDictionary<string, (string, Stat)> before;
        await using (var store = await Open(dir, snapshotAfter: 5))
        {
            await using var s = await store.OpenSessionAsync();
            for (var i = 0; i < 12; i++)
            {
                await s.CreateAsync("/n" + i, Bytes("value " + i));
                await s.SetAsync("/n" + i, Bytes("updated " + i));
            }
            await s.CreateRecursiveAsync("/deep/er/est", Bytes("leaf"));
            Assert.True(File.Exists(SnapshotPath(dir)));
            Assert.True(new FileInfo(LogPath(dir)).Length < 12 + 5 * 200, "the log should have been emptied by snapshots");
            before = await DumpAsync(s);
        }
        await using (var store = await Open(dir, snapshotAfter: 5))
        {
            await using var s = await store.OpenSessionAsync();
            Assert.Equal(before, await DumpAsync(s));
        }
    }

    [Fact]
    public async Task Compaction_SnapshotWithLiveEphemerals_ReopenDropsThemConsistently()
    {
        var dir = _temp.Sub("store");
        await using (var store = await Open(dir))
        {
            var s = await store.OpenSessionAsync();
            await s.CreateAsync("/servers", Bytes(""));
            await s.CreateAsync("/servers/1", Bytes("me"), CreateMode.Ephemeral);
            await s.CreateAsync("/servers/n-", Bytes(""), CreateMode.EphemeralSequential);
            await s.CreateAsync("/servers/keep", Bytes("persistent"));
            await store.CompactAsync();
            await s.CreateAsync("/servers/2", Bytes("after snapshot"), CreateMode.Ephemeral);
        }
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            Assert.Equal(["keep"], await s.GetChildrenAsync("/servers"));
            var servers = (await s.GetAsync("/servers")).Stat;
            Assert.Equal(1, servers.NumChildren);
            Assert.Equal(4, servers.CVersion);
            await s.CreateAsync("/servers/1", Bytes("a new registration"), CreateMode.Ephemeral);
        }
    }

    [Fact]
    public async Task FailedOperations_AppendNothingToTheLog()
    {
        var dir = _temp.Sub("store");
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            await s.CreateAsync("/a", Bytes("v0"));
            var length = new FileInfo(LogPath(dir)).Length;
            await Assert.ThrowsAsync<MetadataStoreException>(() => s.MultiAsync(
                [MetadataOp.Create("/b", Bytes("")), MetadataOp.Set("/a", Bytes("v1")), MetadataOp.Check("/a", 5)]));
            await Assert.ThrowsAsync<MetadataStoreException>(() => s.SetAsync("/a", Bytes("v1"), expectedVersion: 3));
            await Assert.ThrowsAsync<MetadataStoreException>(() => s.CreateAsync("/a", Bytes("")));
            await s.MultiAsync([MetadataOp.Check("/a", 0)]); // checks only: nothing to log
            await s.GetAsync("/a");
            Assert.Equal(length, new FileInfo(LogPath(dir)).Length);
        }
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            Assert.Null(await s.ExistsAsync("/b"));
            Assert.Equal("v0", Text(await s.GetAsync("/a")));
        }
    }

    [Fact]
    public async Task SyncOnCommitOff_CleanCloseStillKeepsEverything()
    {
        var dir = _temp.Sub("store");
        var options = new EmbeddedMetadataStoreOptions { Directory = dir, SyncOnCommit = false };
        await using (var store = await EmbeddedMetadataStore.OpenAsync(options))
        await using (var s = await store.OpenSessionAsync())
            await s.CreateRecursiveAsync("/x/y", Bytes("z"));
        await using (var store = await EmbeddedMetadataStore.OpenAsync(options))
        await using (var s = await store.OpenSessionAsync())
            Assert.Equal("z", Text(await s.GetAsync("/x/y")));
    }

    [Fact]
    public async Task Compaction_CrashBeforeLogWasEmptied_OldRecordsAreNotReplayedTwice()
    {
        var dir = _temp.Sub("store");
        SortedDictionary<string, (string, Stat)> expected;
        byte[] logBeforeCompaction;
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            await s.CreateAsync("/a", Bytes("1"));
            await s.SetAsync("/a", Bytes("2"));
            await s.CreateAsync("/a/b", Bytes("child"));
            logBeforeCompaction = await File.ReadAllBytesAsync(LogPath(dir));
            await store.CompactAsync();
            Assert.True(new FileInfo(LogPath(dir)).Length < logBeforeCompaction.Length);
            expected = await DumpAsync(s);
        }
        // As if the process died between renaming the snapshot and emptying the log.
        await File.WriteAllBytesAsync(LogPath(dir), logBeforeCompaction);
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            Assert.Equal(expected, await DumpAsync(s));
            await s.SetAsync("/a", Bytes("3"));
        }
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            var a = await s.GetAsync("/a");
            Assert.Equal(("3", 2), (Text(a), a.Stat.Version));
        }
    }

    [Fact]
    public async Task Compaction_DamagedSnapshot_FailsToOpen()
    {
        var dir = _temp.Sub("store");
        await using (var store = await Open(dir))
        {
            await using var s = await store.OpenSessionAsync();
            await s.CreateAsync("/a", Bytes("1"));
            await store.CompactAsync();
        }
        var snapshot = await File.ReadAllBytesAsync(SnapshotPath(dir));
        snapshot[snapshot.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(SnapshotPath(dir), snapshot);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Open(dir));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SameDirectoryTwice_SecondFailsWithClearMessage()
    {
        var dir = _temp.Sub("store");
        var first = await Open(dir);
        var e = await Assert.ThrowsAsync<IOException>(() => Open(dir));
        Assert.Contains("already open", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(dir), e.Message, StringComparison.Ordinal);
        await using (var s = await first.OpenSessionAsync())
            await s.CreateAsync("/still-works", Bytes(""));
        await first.DisposeAsync();
        await using var second = await Open(dir);
        await using var s2 = await second.OpenSessionAsync();
        Assert.NotNull(await s2.ExistsAsync("/still-works"));
    }
}
