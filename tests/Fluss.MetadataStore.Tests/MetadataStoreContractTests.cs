using System.Collections.Concurrent;
using System.Text;
using Fluss.MetadataStore;

namespace Fluss.Tests.MetadataStore;

/// <summary>
/// The behaviour every <see cref="IMetadataStore"/> implementation must have, which is ZooKeeper's. Each test works
/// below its own base node, so the suite also runs against a shared ZooKeeper server. Derive a class per
/// implementation that passes a factory of <see cref="IMetadataStoreTestTarget"/>.
/// </summary>
public abstract class MetadataStoreContractTests : IAsyncLifetime
{
    private readonly Func<Task<IMetadataStoreTestTarget>> _factory;
    private int _flushCounter;

    protected MetadataStoreContractTests(Func<Task<IMetadataStoreTestTarget>> factory) => _factory = factory;

    protected IMetadataStoreTestTarget Target { get; private set; } = null!;

    /// <summary>The main session of the test.</summary>
    protected IMetadataStore Store { get; private set; } = null!;

    /// <summary>A node that exists at the start of every test; tests work below it.</summary>
    protected string Base { get; private set; } = null!;

    private string FlushRoot => Base + "-flush";

    public async Task InitializeAsync()
    {
        Target = await _factory();
        Store = await Target.OpenSessionAsync();
        Base = "/contract-" + Guid.NewGuid().ToString("N");
        await Store.CreateAsync(Base, Bytes("base"));
        await Store.CreateAsync(FlushRoot, Bytes(""));
    }

    public async Task DisposeAsync()
    {
        try
        {
            await using var cleanup = await Target.OpenSessionAsync();
            await cleanup.DeleteRecursiveAsync(Base);
            await cleanup.DeleteRecursiveAsync(FlushRoot);
        }
        finally
        {
            await Store.DisposeAsync();
            await Target.DisposeAsync();
        }
    }

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected static string Text(NodeData d) => Encoding.UTF8.GetString(d.Data);

    protected string P(string relative) => Base + "/" + relative;

    /// <summary>
    /// Waits until every event that <paramref name="session"/> was due before this call has been delivered: a
    /// session's events arrive in commit order, so once a later marker event arrives, the earlier ones have too.
    /// </summary>
    protected async Task FlushEventsAsync(IMetadataStore session)
    {
        var path = FlushRoot + "/m" + Interlocked.Increment(ref _flushCounter);
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Null(await session.ExistsAsync(path, e => marker.TrySetResult()));
        await session.CreateAsync(path, Bytes(""));
        await marker.Task.WaitAsync(WatchRecorder.Timeout);
    }

    private static async Task<MetadataStoreException> ThrowsCode(MetadataStoreErrorCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<MetadataStoreException>(call);
        Assert.Equal(code, e.Code);
        return e;
    }

    // ---------------------------------------------------------------------------------------------------------
    // create
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task CreateAsync_Persistent_NodeHasDataAndInitialStat()
    {
        var path = await Store.CreateAsync(P("a"), Bytes("hello"));
        Assert.Equal(P("a"), path);
        var node = await Store.GetAsync(P("a"));
        Assert.Equal("hello", Text(node));
        var s = node.Stat;
        Assert.Equal(0, s.Version);
        Assert.Equal(0, s.CVersion);
        Assert.Equal(0, s.NumChildren);
        Assert.Equal(5, s.DataLength);
        Assert.Equal(0L, s.EphemeralOwner);
        Assert.False(s.IsEphemeral);
        Assert.Equal(s.Czxid, s.Mzxid);
        Assert.Equal(s.Czxid, s.Pzxid);
        Assert.Equal(s.Ctime, s.Mtime);
        Assert.True(s.Czxid > 0);
    }

    [Fact]
    public async Task CreateAsync_MissingParent_ThrowsNoNodeNamingPath()
    {
        var e = await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.CreateAsync(P("missing/child"), Bytes("x")));
        Assert.Contains(P("missing/child"), e.Message, StringComparison.Ordinal);
        Assert.Null(await Store.ExistsAsync(P("missing")));
    }

    [Fact]
    public async Task CreateAsync_Existing_ThrowsNodeExistsAndKeepsData()
    {
        await Store.CreateAsync(P("a"), Bytes("first"));
        var e = await ThrowsCode(MetadataStoreErrorCode.NodeExists, () => Store.CreateAsync(P("a"), Bytes("second")));
        Assert.Equal(P("a"), e.Path);
        Assert.Equal("first", Text(await Store.GetAsync(P("a"))));
    }

    [Fact]
    public async Task CreateAsync_UnderEphemeral_ThrowsNoChildrenForEphemerals()
    {
        await Store.CreateAsync(P("e"), Bytes(""), CreateMode.Ephemeral);
        await ThrowsCode(MetadataStoreErrorCode.NoChildrenForEphemerals, () => Store.CreateAsync(P("e/child"), Bytes("")));
        await ThrowsCode(MetadataStoreErrorCode.NoChildrenForEphemerals, () => Store.CreateAsync(P("e/seq-"), Bytes(""), CreateMode.PersistentSequential));
        Assert.Equal(0, (await Store.GetAsync(P("e"))).Stat.NumChildren);
    }

    [Fact]
    public async Task CreateAsync_Ephemeral_IsOwnedBySession()
    {
        await Store.CreateAsync(P("e"), Bytes("x"), CreateMode.Ephemeral);
        var s = (await Store.GetAsync(P("e"))).Stat;
        Assert.Equal(Store.SessionId, s.EphemeralOwner);
        Assert.True(s.IsEphemeral);
    }

    [Fact]
    public async Task CreateAsync_Sequential_AppendsParentCVersionAsTenDigits()
    {
        await Store.CreateAsync(P("q"), Bytes(""));
        Assert.Equal(P("q/item-0000000000"), await Store.CreateAsync(P("q/item-"), Bytes(""), CreateMode.PersistentSequential));
        await Store.CreateAsync(P("q/plain"), Bytes(""));
        Assert.Equal(P("q/item-0000000002"), await Store.CreateAsync(P("q/item-"), Bytes(""), CreateMode.EphemeralSequential));
        // Deleting a child does not change the parent's cversion, so numbers are never reused.
        await Store.DeleteAsync(P("q/plain"));
        await Store.DeleteAsync(P("q/item-0000000000"));
        Assert.Equal(3, (await Store.GetAsync(P("q"))).Stat.CVersion);
        Assert.Equal(P("q/other0000000003"), await Store.CreateAsync(P("q/other"), Bytes(""), CreateMode.PersistentSequential));
        Assert.Equal(["item-0000000002", "other0000000003"], await Store.GetChildrenAsync(P("q")));
        Assert.Equal(Store.SessionId, (await Store.GetAsync(P("q/item-0000000002"))).Stat.EphemeralOwner);
    }

    [Fact]
    public async Task CreateAsync_SequentialWithTrailingSlash_NamesChildByNumberOnly()
    {
        await Store.CreateAsync(P("q"), Bytes(""));
        Assert.Equal(P("q/0000000000"), await Store.CreateAsync(P("q/"), Bytes(""), CreateMode.PersistentSequential));
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.CreateAsync(P("q/"), Bytes("")));
    }

    [Fact]
    public async Task CreateAsync_CopiesTheCallersBuffer()
    {
        var data = Bytes("abc");
        await Store.CreateAsync(P("a"), data);
        data[0] = (byte)'X';
        var read = await Store.GetAsync(P("a"));
        Assert.Equal("abc", Text(read));
        read.Data[1] = (byte)'Y';
        Assert.Equal("abc", Text(await Store.GetAsync(P("a"))));
    }

    [Fact]
    public async Task CreateAsync_EmptyData_IsAllowed()
    {
        await Store.CreateAsync(P("a"), ReadOnlyMemory<byte>.Empty);
        var node = await Store.GetAsync(P("a"));
        Assert.Empty(node.Data);
        Assert.Equal(0, node.Stat.DataLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a/b")]
    [InlineData("/a/")]
    [InlineData("//a")]
    [InlineData("/a//b")]
    [InlineData("/a/./b")]
    [InlineData("/a/../b")]
    [InlineData("/.")]
    [InlineData("/..")]
    [InlineData("/a/.")]
    [InlineData("/a\u0000b")]
    [InlineData("/a\u0001b")]
    [InlineData("/a\u007fb")]
    [InlineData("/a\ud800b")]
    [InlineData("/a\ufff0b")]
    public async Task Operations_InvalidPath_ThrowInvalidPath(string path)
    {
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.CreateAsync(path, Bytes("")));
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.GetAsync(path));
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.ExistsAsync(path));
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.SetAsync(path, Bytes("")));
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.DeleteAsync(path));
        await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.GetChildrenAsync(path));
    }

    [Theory]
    [InlineData(".hidden")]
    [InlineData("..x")]
    [InlineData("x.")]
    [InlineData("...")]
    [InlineData("with space")]
    [InlineData("ünïcødé")]
    [InlineData("a$b=c")]
    public async Task CreateAsync_UnusualButValidName_Accepted(string name)
    {
        Assert.Equal(P(name), await Store.CreateAsync(P(name), Bytes(name)));
        Assert.Equal(name, Text(await Store.GetAsync(P(name))));
        Assert.Contains(name, await Store.GetChildrenAsync(Base));
    }

    [Fact]
    public async Task CreateAsync_Root_ThrowsNodeExists()
    {
        await ThrowsCode(MetadataStoreErrorCode.NodeExists, () => Store.CreateAsync("/", Bytes("")));
    }

    // ---------------------------------------------------------------------------------------------------------
    // get, exists, children
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetAsync_Missing_ThrowsNoNodeNamingPath()
    {
        var e = await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.GetAsync(P("nope")));
        Assert.Equal(P("nope"), e.Path);
        Assert.Contains(P("nope"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExistsAsync_ReturnsStatOrNull()
    {
        Assert.Null(await Store.ExistsAsync(P("a")));
        await Store.CreateAsync(P("a"), Bytes("xy"));
        var stat = await Store.ExistsAsync(P("a"));
        Assert.NotNull(stat);
        Assert.Equal(2, stat.Value.DataLength);
        Assert.Equal((await Store.GetAsync(P("a"))).Stat, stat.Value);
        Assert.NotNull(await Store.ExistsAsync("/"));
    }

    [Fact]
    public async Task GetChildrenAsync_ReturnsNamesSortedOrdinally()
    {
        foreach (var name in new[] { "b", "a", "B", "a1", "_", "10", "9" })
            await Store.CreateAsync(P(name), Bytes(""));
        await Store.CreateAsync(P("a/deep"), Bytes(""));
        Assert.Equal(["10", "9", "B", "_", "a", "a1", "b"], await Store.GetChildrenAsync(Base));
        Assert.Equal(["deep"], await Store.GetChildrenAsync(P("a")));
        Assert.Empty(await Store.GetChildrenAsync(P("b")));
        Assert.Contains(Base[1..], await Store.GetChildrenAsync("/"));
    }

    [Fact]
    public async Task GetChildrenAsync_Missing_ThrowsNoNode()
    {
        await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.GetChildrenAsync(P("nope")));
    }

    [Fact]
    public async Task CreateChild_UpdatesParentCVersionPzxidAndNumChildren_NotItsDataVersion()
    {
        var before = (await Store.GetAsync(Base)).Stat;
        await Store.CreateAsync(P("c1"), Bytes(""));
        var child = (await Store.GetAsync(P("c1"))).Stat;
        var after = (await Store.GetAsync(Base)).Stat;
        Assert.Equal(before.CVersion + 1, after.CVersion);
        Assert.Equal(before.NumChildren + 1, after.NumChildren);
        Assert.Equal(child.Czxid, after.Pzxid);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Mzxid, after.Mzxid);
    }

    // ---------------------------------------------------------------------------------------------------------
    // set
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task SetAsync_IncrementsVersionAndMzxid_KeepsCreation()
    {
        await Store.CreateAsync(P("a"), Bytes("v0"));
        var created = (await Store.GetAsync(P("a"))).Stat;
        var s1 = await Store.SetAsync(P("a"), Bytes("v1"));
        var s2 = await Store.SetAsync(P("a"), Bytes("value2"), expectedVersion: 1);
        Assert.Equal(1, s1.Version);
        Assert.Equal(2, s2.Version);
        Assert.True(s1.Mzxid > created.Mzxid);
        Assert.True(s2.Mzxid > s1.Mzxid);
        Assert.Equal(created.Czxid, s2.Czxid);
        Assert.Equal(created.Ctime, s2.Ctime);
        Assert.Equal(6, s2.DataLength);
        var read = await Store.GetAsync(P("a"));
        Assert.Equal("value2", Text(read));
        Assert.Equal(s2, read.Stat);
    }

    [Fact]
    public async Task SetAsync_WrongVersion_ThrowsBadVersionAndKeepsData()
    {
        await Store.CreateAsync(P("a"), Bytes("v0"));
        await Store.SetAsync(P("a"), Bytes("v1"));
        var e = await ThrowsCode(MetadataStoreErrorCode.BadVersion, () => Store.SetAsync(P("a"), Bytes("stale"), expectedVersion: 0));
        Assert.Equal(P("a"), e.Path);
        var read = await Store.GetAsync(P("a"));
        Assert.Equal("v1", Text(read));
        Assert.Equal(1, read.Stat.Version);
    }

    [Fact]
    public async Task SetAsync_Missing_ThrowsNoNode()
    {
        await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.SetAsync(P("nope"), Bytes("x")));
    }

    // ---------------------------------------------------------------------------------------------------------
    // delete
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task DeleteAsync_RemovesNode_UpdatesParentPzxidNotCVersion()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        var parentBefore = (await Store.GetAsync(Base)).Stat;
        await Store.DeleteAsync(P("a"));
        Assert.Null(await Store.ExistsAsync(P("a")));
        var parentAfter = (await Store.GetAsync(Base)).Stat;
        Assert.Equal(parentBefore.NumChildren - 1, parentAfter.NumChildren);
        Assert.Equal(parentBefore.CVersion, parentAfter.CVersion);
        Assert.True(parentAfter.Pzxid > parentBefore.Pzxid);
        Assert.DoesNotContain("a", await Store.GetChildrenAsync(Base));
    }

    [Fact]
    public async Task DeleteAsync_WithChildren_ThrowsNotEmpty()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        await Store.CreateAsync(P("a/b"), Bytes(""));
        await ThrowsCode(MetadataStoreErrorCode.NotEmpty, () => Store.DeleteAsync(P("a")));
        Assert.NotNull(await Store.ExistsAsync(P("a/b")));
    }

    [Fact]
    public async Task DeleteAsync_WrongVersion_ThrowsBadVersion_RightVersionDeletes()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        await Store.SetAsync(P("a"), Bytes("1"));
        await ThrowsCode(MetadataStoreErrorCode.BadVersion, () => Store.DeleteAsync(P("a"), expectedVersion: 0));
        Assert.NotNull(await Store.ExistsAsync(P("a")));
        await Store.DeleteAsync(P("a"), expectedVersion: 1);
        Assert.Null(await Store.ExistsAsync(P("a")));
    }

    [Fact]
    public async Task DeleteAsync_Missing_ThrowsNoNode()
    {
        await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.DeleteAsync(P("nope")));
    }

    [Fact]
    public async Task DeleteRecursiveAsync_RemovesSubtree_FalseWhenMissing()
    {
        await Store.CreateRecursiveAsync(P("t/a/b/c"), Bytes("leaf"));
        await Store.CreateAsync(P("t/a/d"), Bytes(""));
        await Store.CreateAsync(P("t/e"), Bytes(""));
        Assert.True(await Store.DeleteRecursiveAsync(P("t")));
        Assert.Null(await Store.ExistsAsync(P("t")));
        Assert.False(await Store.DeleteRecursiveAsync(P("t")));
    }

    [Fact]
    public async Task CreateRecursiveAsync_CreatesMissingAncestorsEmpty()
    {
        var path = await Store.CreateRecursiveAsync(P("x/y/z"), Bytes("leaf"));
        Assert.Equal(P("x/y/z"), path);
        Assert.Equal("leaf", Text(await Store.GetAsync(P("x/y/z"))));
        Assert.Empty((await Store.GetAsync(P("x"))).Data);
        Assert.Empty((await Store.GetAsync(P("x/y"))).Data);
        await ThrowsCode(MetadataStoreErrorCode.NodeExists, () => Store.CreateRecursiveAsync(P("x/y/z"), Bytes("again")));
        var seq = await Store.CreateRecursiveAsync(P("s/t/n-"), Bytes(""), CreateMode.EphemeralSequential);
        Assert.Equal(P("s/t/n-0000000000"), seq);
        Assert.False((await Store.GetAsync(P("s/t"))).Stat.IsEphemeral);
    }

    [Fact]
    public async Task EnsurePathAsync_CreatesOnceAndIsIdempotent()
    {
        await Store.EnsurePathAsync(P("m/n/o"));
        var stat = (await Store.GetAsync(P("m/n/o"))).Stat;
        await Store.EnsurePathAsync(P("m/n/o"));
        await Store.EnsurePathAsync(P("m/n"));
        Assert.Equal(stat, (await Store.GetAsync(P("m/n/o"))).Stat);
        await Store.EnsurePathAsync("/");
    }

    [Fact]
    public async Task Mutations_AdvanceZxidMonotonically()
    {
        var zxids = new List<long>();
        await Store.CreateAsync(P("a"), Bytes(""));
        zxids.Add((await Store.GetAsync(P("a"))).Stat.Czxid);
        for (var i = 0; i < 3; i++)
            zxids.Add((await Store.SetAsync(P("a"), Bytes(i.ToString()))).Mzxid);
        await Store.CreateAsync(P("b"), Bytes(""));
        zxids.Add((await Store.GetAsync(P("b"))).Stat.Czxid);
        for (var i = 1; i < zxids.Count; i++)
            Assert.True(zxids[i] > zxids[i - 1], $"zxid {zxids[i]} does not follow {zxids[i - 1]}");
    }

    // ---------------------------------------------------------------------------------------------------------
    // watches
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetAsyncWatch_Set_FiresNodeDataChangedOnce()
    {
        await Store.CreateAsync(P("a"), Bytes("0"));
        var w = new WatchRecorder();
        await Store.GetAsync(P("a"), w.Watcher);
        await Store.SetAsync(P("a"), Bytes("1"));
        await Store.SetAsync(P("a"), Bytes("2"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDataChanged, P("a")), await w.NextAsync());
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain()); // one-shot: the second set found no watch
    }

    [Fact]
    public async Task GetAsyncWatch_Delete_FiresNodeDeleted()
    {
        await Store.CreateAsync(P("a"), Bytes("0"));
        var w = new WatchRecorder();
        await Store.GetAsync(P("a"), w.Watcher);
        await Store.DeleteAsync(P("a"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDeleted, P("a")), await w.NextAsync());
    }

    [Fact]
    public async Task GetAsyncWatch_MissingNode_SetsNoWatch()
    {
        var w = new WatchRecorder();
        await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.GetAsync(P("a"), w.Watcher));
        await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.GetChildrenAsync(P("a"), w.Watcher));
        await Store.CreateAsync(P("a"), Bytes(""));
        await Store.CreateAsync(P("a/b"), Bytes(""));
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain());
    }

    [Fact]
    public async Task ExistsAsyncWatch_MissingNode_FiresNodeCreated()
    {
        var w = new WatchRecorder();
        Assert.Null(await Store.ExistsAsync(P("a"), w.Watcher));
        await Store.CreateAsync(P("a"), Bytes(""));
        Assert.Equal(new WatchEvent(WatchEventType.NodeCreated, P("a")), await w.NextAsync());
        await Store.SetAsync(P("a"), Bytes("x"));
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain());
    }

    [Fact]
    public async Task ExistsAsyncWatch_ExistingNode_FiresDataChangedThenDeletedWhenReArmed()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        var w = new WatchRecorder();
        Assert.NotNull(await Store.ExistsAsync(P("a"), w.Watcher));
        await Store.SetAsync(P("a"), Bytes("x"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDataChanged, P("a")), await w.NextAsync());
        Assert.NotNull(await Store.ExistsAsync(P("a"), w.Watcher));
        await Store.DeleteAsync(P("a"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDeleted, P("a")), await w.NextAsync());
    }

    [Fact]
    public async Task GetChildrenAsyncWatch_ChildCreatedAndDeleted_FiresNodeChildrenChanged()
    {
        await Store.CreateAsync(P("p"), Bytes(""));
        var w = new WatchRecorder();
        await Store.GetChildrenAsync(P("p"), w.Watcher);
        await Store.CreateAsync(P("p/c"), Bytes(""));
        Assert.Equal(new WatchEvent(WatchEventType.NodeChildrenChanged, P("p")), await w.NextAsync());

        Assert.Equal(["c"], await Store.GetChildrenAsync(P("p"), w.Watcher));
        await Store.SetAsync(P("p/c"), Bytes("data changes are not child changes"));
        await Store.SetAsync(P("p"), Bytes("neither is the parent's own data"));
        await Store.CreateAsync(P("p/c/grandchild"), Bytes("nor grandchildren"));
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain());

        await Store.DeleteAsync(P("p/c/grandchild"));
        await Store.DeleteAsync(P("p/c"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeChildrenChanged, P("p")), await w.NextAsync());
    }

    [Fact]
    public async Task GetChildrenAsyncWatch_NodeDeleted_FiresNodeDeleted()
    {
        await Store.CreateAsync(P("p"), Bytes(""));
        var w = new WatchRecorder();
        await Store.GetChildrenAsync(P("p"), w.Watcher);
        await Store.DeleteAsync(P("p"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDeleted, P("p")), await w.NextAsync());
    }

    [Fact]
    public async Task Watch_CreateAndDelete_FireParentChildrenChanged()
    {
        var w = new WatchRecorder();
        await Store.GetChildrenAsync(Base, w.Watcher);
        await Store.CreateAsync(P("n"), Bytes(""), CreateMode.Ephemeral);
        Assert.Equal(new WatchEvent(WatchEventType.NodeChildrenChanged, Base), await w.NextAsync());
    }

    [Fact]
    public async Task Watch_SameWatcherRegisteredThreeWays_DeliveredOncePerChange()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        var w = new WatchRecorder();
        await Store.GetAsync(P("a"), w.Watcher);
        await Store.ExistsAsync(P("a"), w.Watcher);
        await Store.GetChildrenAsync(P("a"), w.Watcher);
        await Store.GetAsync(P("a"), w.Watcher);
        await Store.DeleteAsync(P("a"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDeleted, P("a")), await w.NextAsync());
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain());
    }

    [Fact]
    public async Task Watch_DifferentWatchers_EachFires()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        var w1 = new WatchRecorder();
        var w2 = new WatchRecorder();
        var w3 = new WatchRecorder();
        await Store.GetAsync(P("a"), w1.Watcher);
        await Store.ExistsAsync(P("a"), w2.Watcher);
        await Store.GetChildrenAsync(P("a"), w3.Watcher);
        await Store.DeleteAsync(P("a"));
        Assert.Equal(WatchEventType.NodeDeleted, (await w1.NextAsync()).Type);
        Assert.Equal(WatchEventType.NodeDeleted, (await w2.NextAsync()).Type);
        Assert.Equal(WatchEventType.NodeDeleted, (await w3.NextAsync()).Type);
    }

    [Fact]
    public async Task Watch_ChangeByAnotherSession_FiresInWatchingSession()
    {
        await using var other = await Target.OpenSessionAsync();
        await Store.CreateAsync(P("a"), Bytes(""));
        var w = new WatchRecorder();
        await Store.GetAsync(P("a"), w.Watcher);
        await other.SetAsync(P("a"), Bytes("changed elsewhere"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDataChanged, P("a")), await w.NextAsync());
        Assert.Equal("changed elsewhere", Text(await Store.GetAsync(P("a"))));
    }

    [Fact]
    public async Task Watch_EventsOfASession_ArriveInCommitOrder()
    {
        var w = new WatchRecorder();
        for (var i = 0; i < 10; i++)
        {
            await Store.CreateAsync(P("n" + i), Bytes(""));
            await Store.GetAsync(P("n" + i), w.Watcher);
        }
        for (var i = 9; i >= 0; i--)
        {
            if (i % 2 == 0) await Store.SetAsync(P("n" + i), Bytes("x"));
            else await Store.DeleteAsync(P("n" + i));
        }
        for (var i = 9; i >= 0; i--)
            Assert.Equal(new WatchEvent(i % 2 == 0 ? WatchEventType.NodeDataChanged : WatchEventType.NodeDeleted, P("n" + i)), await w.NextAsync());
    }

    [Fact]
    public async Task Watch_ReadAfterEvent_SeesTheChange()
    {
        await Store.CreateAsync(P("a"), Bytes("old"));
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Store.GetAsync(P("a"), e => _ = Task.Run(async () => seen.TrySetResult(Text(await Store.GetAsync(e.Path)))));
        await Store.SetAsync(P("a"), Bytes("new"));
        Assert.Equal("new", await seen.Task.WaitAsync(WatchRecorder.Timeout));
    }

    [Fact]
    public async Task Watch_ThrowingWatcher_DoesNotStopLaterEvents()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        await Store.CreateAsync(P("b"), Bytes(""));
        await Store.GetAsync(P("a"), _ => throw new InvalidOperationException("watcher bug"));
        var w = new WatchRecorder();
        await Store.GetAsync(P("b"), w.Watcher);
        await Store.SetAsync(P("a"), Bytes("1"));
        await Store.SetAsync(P("b"), Bytes("1"));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDataChanged, P("b")), await w.NextAsync());
    }

    // ---------------------------------------------------------------------------------------------------------
    // multi
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task MultiAsync_AllSucceed_ReturnsOneResultPerOp()
    {
        await Store.CreateAsync(P("existing"), Bytes("v0"));
        await Store.CreateAsync(P("gone"), Bytes(""));
        var results = await Store.MultiAsync(
        [
            MetadataOp.Check(P("existing"), 0),
            MetadataOp.Create(P("new"), Bytes("n")),
            MetadataOp.Create(P("new/seq-"), Bytes(""), CreateMode.PersistentSequential),
            MetadataOp.Set(P("existing"), Bytes("v1"), 0),
            MetadataOp.Delete(P("gone"), 0),
            MetadataOp.Check(P("existing"), -1),
        ]);
        Assert.Equal(6, results.Count);
        Assert.IsType<CheckResult>(results[0]);
        Assert.Equal(P("new"), Assert.IsType<CreateResult>(results[1]).Path);
        Assert.Equal(P("new/seq-0000000000"), Assert.IsType<CreateResult>(results[2]).Path);
        Assert.Equal(1, Assert.IsType<SetResult>(results[3]).Stat.Version);
        Assert.IsType<DeleteResult>(results[4]);
        Assert.IsType<CheckResult>(results[5]);
        Assert.Equal("v1", Text(await Store.GetAsync(P("existing"))));
        Assert.Null(await Store.ExistsAsync(P("gone")));
        Assert.Equal(["seq-0000000000"], await Store.GetChildrenAsync(P("new")));
    }

    [Fact]
    public async Task MultiAsync_OneOpFails_NothingAppliedAndFailureReported()
    {
        await Store.CreateAsync(P("keep"), Bytes("v0"));
        var before = await Store.GetAsync(Base);
        var e = await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.MultiAsync(
        [
            MetadataOp.Create(P("a"), Bytes("")),
            MetadataOp.Set(P("keep"), Bytes("v1")),
            MetadataOp.Create(P("a/b-"), Bytes(""), CreateMode.EphemeralSequential),
            MetadataOp.Set(P("missing"), Bytes("x")),
            MetadataOp.Delete(P("keep")),
        ]));
        Assert.Equal(3, e.FailedOpIndex);
        Assert.Equal(P("missing"), e.Path);
        Assert.NotNull(e.Results);
        Assert.Equal(
            [MetadataStoreErrorCode.Ok, MetadataStoreErrorCode.Ok, MetadataStoreErrorCode.Ok, MetadataStoreErrorCode.NoNode, MetadataStoreErrorCode.RuntimeInconsistency],
            e.Results.Select(r => Assert.IsType<ErrorResult>(r).Code));
        Assert.Null(await Store.ExistsAsync(P("a")));
        var keep = await Store.GetAsync(P("keep"));
        Assert.Equal("v0", Text(keep));
        Assert.Equal(0, keep.Stat.Version);
        var after = await Store.GetAsync(Base);
        Assert.Equal(before.Stat, after.Stat); // not even the parent's cversion moved
    }

    [Fact]
    public async Task MultiAsync_CheckVersionMismatch_ThrowsBadVersionAndAppliesNothing()
    {
        await Store.CreateAsync(P("lock"), Bytes(""));
        await Store.SetAsync(P("lock"), Bytes("epoch 1"));
        var e = await ThrowsCode(MetadataStoreErrorCode.BadVersion, () => Store.MultiAsync(
        [
            MetadataOp.Create(P("written"), Bytes("")),
            MetadataOp.Check(P("lock"), 0),
        ]));
        Assert.Equal(1, e.FailedOpIndex);
        Assert.Null(await Store.ExistsAsync(P("written")));
    }

    [Fact]
    public async Task MultiAsync_OpsSeeEarlierOpsOfTheSameMulti()
    {
        await Store.MultiAsync(
        [
            MetadataOp.Create(P("p"), Bytes("")),
            MetadataOp.Create(P("p/c"), Bytes("")),
            MetadataOp.Set(P("p/c"), Bytes("1"), 0),
            MetadataOp.Check(P("p/c"), 1),
        ]);
        Assert.Equal(1, (await Store.GetAsync(P("p/c"))).Stat.Version);
        await Store.MultiAsync([MetadataOp.Delete(P("p/c")), MetadataOp.Delete(P("p"))]);
        Assert.Null(await Store.ExistsAsync(P("p")));
    }

    [Fact]
    public async Task MultiAsync_ChangesShareOneZxid()
    {
        await Store.MultiAsync([MetadataOp.Create(P("x"), Bytes("")), MetadataOp.Create(P("y"), Bytes(""))]);
        var x = (await Store.GetAsync(P("x"))).Stat;
        var y = (await Store.GetAsync(P("y"))).Stat;
        Assert.Equal(x.Czxid, y.Czxid);
        Assert.Equal(x.Ctime, y.Ctime);
    }

    [Fact]
    public async Task MultiAsync_Empty_ReturnsNoResults()
    {
        Assert.Empty(await Store.MultiAsync([]));
    }

    [Fact]
    public async Task MultiAsync_InvalidPath_ThrowsInvalidPathWithIndex()
    {
        var e = await ThrowsCode(MetadataStoreErrorCode.InvalidPath, () => Store.MultiAsync(
            [MetadataOp.Create(P("ok"), Bytes("")), MetadataOp.Delete(P("bad/"))]));
        Assert.Equal(1, e.FailedOpIndex);
        Assert.Null(await Store.ExistsAsync(P("ok")));
    }

    [Fact]
    public async Task MultiAsync_Failed_FiresNoWatches_Succeeded_FiresAfterCommit()
    {
        await Store.CreateAsync(P("a"), Bytes(""));
        var w = new WatchRecorder();
        await Store.GetAsync(P("a"), w.Watcher);
        await ThrowsCode(MetadataStoreErrorCode.NoNode, () => Store.MultiAsync([MetadataOp.Set(P("a"), Bytes("1")), MetadataOp.Delete(P("none"))]));
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain());
        await Store.MultiAsync([MetadataOp.Set(P("a"), Bytes("1")), MetadataOp.Delete(P("a"))]);
        Assert.Equal(new WatchEvent(WatchEventType.NodeDataChanged, P("a")), await w.NextAsync());
        await FlushEventsAsync(Store);
        Assert.Empty(w.Drain()); // the watch was used up by the set within the same multi
    }

    // ---------------------------------------------------------------------------------------------------------
    // sessions
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Sessions_HaveDistinctIds()
    {
        await using var a = await Target.OpenSessionAsync();
        await using var b = await Target.OpenSessionAsync();
        Assert.NotEqual(a.SessionId, b.SessionId);
        Assert.NotEqual(a.SessionId, Store.SessionId);
        Assert.NotEqual(0L, a.SessionId);
        Assert.Equal(SessionState.Connected, a.State);
    }

    [Fact]
    public async Task CloseAsync_DeletesEphemeralsWithEvents_KeepsPersistentNodes()
    {
        var owner = await Target.OpenSessionAsync();
        await owner.CreateAsync(P("eph"), Bytes(""), CreateMode.Ephemeral);
        await owner.CreateAsync(P("seq-"), Bytes(""), CreateMode.EphemeralSequential);
        await owner.CreateAsync(P("persistent"), Bytes("stays"));
        var w = new WatchRecorder();
        Assert.NotNull(await Store.ExistsAsync(P("eph"), w.Watcher));

        await owner.CloseAsync();

        Assert.Equal(new WatchEvent(WatchEventType.NodeDeleted, P("eph")), await w.NextAsync());
        Assert.Null(await Store.ExistsAsync(P("eph")));
        Assert.Equal(["persistent"], await Store.GetChildrenAsync(Base));
        Assert.Equal(SessionState.Closed, owner.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => owner.GetAsync(Base));
        await owner.CloseAsync(); // idempotent
        await owner.DisposeAsync();
    }

    [Fact]
    public async Task ExpiredSession_EphemeralsDeletedWithEvents_HandleFailsWithSessionExpired()
    {
        var owner = await Target.OpenSessionAsync();
        var state = new TaskCompletionSource<SessionState>(TaskCreationOptions.RunContinuationsAsynchronously);
        owner.StateChanged += s => state.TrySetResult(s);
        await owner.CreateAsync(P("eph"), Bytes(""), CreateMode.Ephemeral);
        var w = new WatchRecorder();
        await Store.GetChildrenAsync(Base, w.Watcher);
        var ownWatch = new WatchRecorder();
        await owner.GetAsync(P("eph"), ownWatch.Watcher);

        await Target.ExpireSessionAsync(owner);

        Assert.Equal(new WatchEvent(WatchEventType.NodeChildrenChanged, Base), await w.NextAsync());
        Assert.Null(await Store.ExistsAsync(P("eph")));
        Assert.Equal(SessionState.Expired, await state.Task.WaitAsync(WatchRecorder.Timeout));
        Assert.Equal(SessionState.Expired, owner.State);
        await ThrowsCode(MetadataStoreErrorCode.SessionExpired, () => owner.GetAsync(Base));
        await ThrowsCode(MetadataStoreErrorCode.SessionExpired, () => owner.CreateAsync(P("again"), Bytes("")));
        Assert.Empty(ownWatch.Drain()); // an expired session's watches are gone, not fired
        await owner.DisposeAsync();
    }

    // ---------------------------------------------------------------------------------------------------------
    // concurrency
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Concurrency_ParallelSequentialCreates_GetUniqueContiguousNumbers()
    {
        const int sessions = 6, perSession = 20;
        await Store.CreateAsync(P("q"), Bytes(""));
        var handles = new List<IMetadataStore>();
        for (var i = 0; i < sessions; i++) handles.Add(await Target.OpenSessionAsync());
        try
        {
            var names = new ConcurrentBag<string>();
            await Task.WhenAll(handles.Select(h => Task.Run(async () =>
            {
                for (var j = 0; j < perSession; j++)
                    names.Add(await h.CreateAsync(P("q/n-"), Bytes(""), CreateMode.PersistentSequential));
            })));
            var expected = Enumerable.Range(0, sessions * perSession).Select(n => P($"q/n-{n:D10}")).ToList();
            Assert.Equal(expected, names.Order(StringComparer.Ordinal).ToList());
            Assert.Equal(expected.Count, (await Store.GetChildrenAsync(P("q"))).Count);
        }
        finally
        {
            foreach (var h in handles) await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task Concurrency_ParallelConditionalSets_ExactlyOneWins()
    {
        await Store.CreateAsync(P("cas"), Bytes("0"));
        var handles = new List<IMetadataStore>();
        for (var i = 0; i < 8; i++) handles.Add(await Target.OpenSessionAsync());
        try
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = handles.Select((h, i) => Task.Run(async () =>
            {
                await go.Task;
                try
                {
                    await h.SetAsync(P("cas"), Bytes("writer " + i), expectedVersion: 0);
                    return "won " + i;
                }
                catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.BadVersion)
                {
                    return "lost";
                }
            })).ToList();
            go.SetResult();
            var outcomes = await Task.WhenAll(attempts);
            var winners = outcomes.Where(o => o.StartsWith("won", StringComparison.Ordinal)).ToList();
            Assert.Single(winners);
            Assert.Equal(7, outcomes.Count(o => o == "lost"));
            var final = await Store.GetAsync(P("cas"));
            Assert.Equal(1, final.Stat.Version);
            Assert.Equal("writer " + winners[0][4..], Text(final));
        }
        finally
        {
            foreach (var h in handles) await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task Concurrency_ParallelCreatesOfOnePath_ExactlyOneSucceeds()
    {
        var handles = new List<IMetadataStore>();
        for (var i = 0; i < 6; i++) handles.Add(await Target.OpenSessionAsync());
        try
        {
            var outcomes = await Task.WhenAll(handles.Select(h => Task.Run(async () =>
            {
                try
                {
                    await h.CreateAsync(P("leader"), Bytes(h.SessionId.ToString()), CreateMode.Ephemeral);
                    return true;
                }
                catch (MetadataStoreException e) when (e.Code == MetadataStoreErrorCode.NodeExists)
                {
                    return false;
                }
            })));
            Assert.Equal(1, outcomes.Count(o => o));
            var leader = await Store.GetAsync(P("leader"));
            Assert.Equal(Text(leader), leader.Stat.EphemeralOwner.ToString());
        }
        finally
        {
            foreach (var h in handles) await h.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // sequence counter (Fluss's id allocation)
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task SequenceIdCounter_FirstIdIsZero_StoresBigEndianLong()
    {
        var counter = new SequenceIdCounter(Store, P("metadata/table_seqid"));
        Assert.Equal(0L, await counter.GetCurrentAsync());
        Assert.Equal(0L, await counter.GetAndIncrementAsync());
        Assert.Equal(1L, await counter.GetAndIncrementAsync());
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 2 }, (await Store.GetAsync(P("metadata/table_seqid"))).Data);
        Assert.Equal(2L, await counter.GetAndAddAsync(254));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 1, 0 }, (await Store.GetAsync(P("metadata/table_seqid"))).Data);
        Assert.Equal(256L, await counter.GetCurrentAsync());
    }

    [Fact]
    public async Task SequenceIdCounter_ParallelIncrements_AllocateEachIdOnce()
    {
        const int workers = 6, perWorker = 15;
        var handles = new List<IMetadataStore>();
        for (var i = 0; i < workers; i++) handles.Add(await Target.OpenSessionAsync());
        try
        {
            var ids = new ConcurrentBag<long>();
            await Task.WhenAll(handles.Select(h => Task.Run(async () =>
            {
                var counter = new SequenceIdCounter(h, P("ids"));
                for (var j = 0; j < perWorker; j++) ids.Add(await counter.GetAndIncrementAsync());
            })));
            Assert.Equal(Enumerable.Range(0, workers * perWorker).Select(i => (long)i), ids.Order());
            Assert.Equal(workers * perWorker, await new SequenceIdCounter(Store, P("ids")).GetCurrentAsync());
        }
        finally
        {
            foreach (var h in handles) await h.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // tree cache
    // ---------------------------------------------------------------------------------------------------------

    private static async Task<TreeCacheEvent> NextEventAsync(MetadataTreeCache cache)
    {
        using var cts = new CancellationTokenSource(WatchRecorder.Timeout);
        return await cache.Events.ReadAsync(cts.Token);
    }

    /// <summary>Reads events until <paramref name="done"/> holds for the accumulated list.</summary>
    private static async Task<List<TreeCacheEvent>> EventsUntilAsync(MetadataTreeCache cache, Func<List<TreeCacheEvent>, bool> done)
    {
        var list = new List<TreeCacheEvent>();
        while (!done(list)) list.Add(await NextEventAsync(cache));
        return list;
    }

    [Fact]
    public async Task TreeCache_InitialLoad_ReportsExistingNodesThenInitialized()
    {
        await Store.CreateRecursiveAsync(P("t/a/x"), Bytes("ax"));
        await Store.CreateAsync(P("t/b"), Bytes("b"));
        await using var cache = await Store.WatchTreeAsync(P("t"));
        var events = await EventsUntilAsync(cache, l => l.Count > 0 && l[^1].Type == TreeCacheEventType.Initialized);
        Assert.Equal([P("t"), P("t/a"), P("t/a/x"), P("t/b")],
            events.Where(e => e.Type == TreeCacheEventType.NodeCreated).Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(5, events.Count);
        Assert.Equal("ax", Text(cache.Get(P("t/a/x"))!));
        Assert.Equal(4, cache.Snapshot().Count);
    }

    [Fact]
    public async Task TreeCache_Changes_ReportedWithOldAndNewData()
    {
        await Store.CreateAsync(P("t"), Bytes(""));
        await using var cache = await Store.WatchTreeAsync(P("t"));
        await EventsUntilAsync(cache, l => l.Count > 0 && l[^1].Type == TreeCacheEventType.Initialized);

        await Store.CreateAsync(P("t/n"), Bytes("1"));
        var created = await NextEventAsync(cache);
        Assert.Equal((TreeCacheEventType.NodeCreated, P("t/n")), (created.Type, created.Path));
        Assert.Equal("1", Text(created.NewData!));

        await Store.SetAsync(P("t/n"), Bytes("2"));
        var changed = await NextEventAsync(cache);
        Assert.Equal((TreeCacheEventType.NodeChanged, P("t/n")), (changed.Type, changed.Path));
        Assert.Equal("1", Text(changed.OldData!));
        Assert.Equal("2", Text(changed.NewData!));

        await Store.CreateRecursiveAsync(P("t/n/deep/leaf"), Bytes("leaf"));
        var deep = await EventsUntilAsync(cache, l => l.Any(e => e.Path == P("t/n/deep/leaf")));
        Assert.All(deep, e => Assert.Equal(TreeCacheEventType.NodeCreated, e.Type));

        await Store.DeleteRecursiveAsync(P("t/n"));
        var deleted = await EventsUntilAsync(cache, l => l.Any(e => e.Path == P("t/n")));
        Assert.Equal([P("t/n/deep/leaf"), P("t/n/deep"), P("t/n")], deleted.Select(e => e.Path));
        Assert.All(deleted, e => Assert.Equal(TreeCacheEventType.NodeDeleted, e.Type));
        Assert.Equal("2", Text(deleted[^1].OldData!));
        Assert.Null(cache.Get(P("t/n")));
    }

    [Fact]
    public async Task TreeCache_RootCreatedLater_IsPickedUp()
    {
        await using var cache = await Store.WatchTreeAsync(P("later"));
        Assert.Equal(TreeCacheEventType.Initialized, (await NextEventAsync(cache)).Type);
        await Store.CreateRecursiveAsync(P("later/child"), Bytes("c"));
        var events = await EventsUntilAsync(cache, l => l.Any(e => e.Path == P("later/child")));
        Assert.Equal([P("later"), P("later/child")], events.Select(e => e.Path));
        await Store.DeleteRecursiveAsync(P("later"));
        var deleted = await EventsUntilAsync(cache, l => l.Any(e => e.Path == P("later")));
        Assert.Equal([P("later/child"), P("later")], deleted.Select(e => e.Path));
        await Store.CreateAsync(P("later"), Bytes("again"));
        var again = await NextEventAsync(cache);
        Assert.Equal((TreeCacheEventType.NodeCreated, P("later"), "again"), (again.Type, again.Path, Text(again.NewData!)));
    }

    [Fact]
    public async Task TreeCache_MaxDepthOne_ReportsChildrenOnly()
    {
        await Store.CreateAsync(P("ids"), Bytes(""));
        await using var cache = await Store.WatchTreeAsync(P("ids"), maxDepth: 1);
        await EventsUntilAsync(cache, l => l.Count > 0 && l[^1].Type == TreeCacheEventType.Initialized);
        await Store.CreateAsync(P("ids/1"), Bytes("server 1"), CreateMode.Ephemeral);
        await Store.CreateAsync(P("ids/2"), Bytes("server 2"));
        await Store.CreateAsync(P("ids/2/below"), Bytes("not reported"));
        var created = await EventsUntilAsync(cache, l => l.Count(e => e.Type == TreeCacheEventType.NodeCreated) == 2);
        Assert.Equal([(TreeCacheEventType.NodeCreated, P("ids/1")), (TreeCacheEventType.NodeCreated, P("ids/2"))], created.Select(e => (e.Type, e.Path)));
        // Changes that a watch reports only after the cache has seen the node: wait for the cache before deleting.
        await Store.DeleteAsync(P("ids/1"));
        var deleted = await NextEventAsync(cache);
        Assert.Equal((TreeCacheEventType.NodeDeleted, P("ids/1"), "server 1"), (deleted.Type, deleted.Path, Text(deleted.OldData!)));
        await Store.SetAsync(P("ids/2"), Bytes("server 2 moved"));
        var changed = await NextEventAsync(cache);
        Assert.Equal((TreeCacheEventType.NodeChanged, P("ids/2")), (changed.Type, changed.Path));
        Assert.Null(cache.Get(P("ids/2/below")));
    }

    [Fact]
    public async Task TreeCache_SessionExpires_EventsCompleteWithError()
    {
        var session = await Target.OpenSessionAsync();
        await Store.CreateAsync(P("t"), Bytes(""));
        await using var cache = await session.WatchTreeAsync(P("t"));
        await Target.ExpireSessionAsync(session);
        using var cts = new CancellationTokenSource(WatchRecorder.Timeout);
        var e = await Assert.ThrowsAsync<MetadataStoreException>(async () =>
        {
            await foreach (var _ in cache.Events.ReadAllAsync(cts.Token)) { }
        });
        Assert.Equal(MetadataStoreErrorCode.SessionExpired, e.Code);
        await session.DisposeAsync();
    }
}
