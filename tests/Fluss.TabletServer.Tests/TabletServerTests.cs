using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.TabletServer;
using static Fluss.Tests.TabletServer.TabletServerHarness;

namespace Fluss.Tests.TabletServer;

public sealed class TabletServerTests
{
    [Fact]
    public async Task StartAsync_PortZero_BindsAFreePortAndExposesIt()
    {
        await using var h = await StartAsync();

        Assert.True(h.Server.Port > 0);
        Assert.Equal(ServerId, h.Server.ServerId);
        Assert.Equal("127.0.0.1", h.Server.Host);
    }

    [Fact]
    public async Task StartAsync_DataDirectoryInUse_FailsWithLogStorage()
    {
        await using var h = await StartAsync();

        var e = await Assert.ThrowsAnyAsync<FlussException>(() => Fluss.TabletServer.TabletServer.StartAsync(new TabletServerOptions(h.BuildConfiguration())));

        Assert.Equal(FlussErrorCode.LogStorage, e.ErrorCode);
    }

    [Fact]
    public async Task StartAsync_MissingServerId_InvalidConfigNamingTheKey()
    {
        var config = new Configuration().SetString("data.dir", NewTempDir());

        var e = await Assert.ThrowsAsync<InvalidConfigException>(() => Fluss.TabletServer.TabletServer.StartAsync(new TabletServerOptions(config)));

        Assert.Contains("tablet-server.id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_Twice_SecondIsNoOp()
    {
        await using var h = await StartAsync();
        await h.Server.StopAsync();

        await h.Server.StopAsync();

        Assert.True(File.Exists(System.IO.Path.Combine(h.DataDir, "high-watermark-checkpoint")));
    }

    [Fact]
    public async Task Restart_SameDataDirectory_KeepsDataAndHighWatermark()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0, 1);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));
        await h.ProduceAsync(0, Batch(MakeRows(3, 4)));
        await h.ProduceAsync(1, Batch(MakeRows(100, 2)));

        await h.RestartAsync();

        Assert.True(h.Server.LogManager.TryGetTablet(new TableBucket(TableId, 0), out var tablet));
        Assert.Equal(7, tablet.HighWatermark);
        Assert.Equal(7, tablet.LogEndOffset);
        await h.LeadAsync(0, 1);
        Assert.Equal(MakeRows(0, 7), Decode((await h.FetchAsync(0, 0)).Records).Select(r => r.Row));
        Assert.Equal(2, (await h.ListOffsetAsync(1, 1)).Offset);
        Assert.Equal(7, (await h.ProduceAsync(0, Batch(MakeRows(7, 1)))).BaseOffset);
    }

    [Fact]
    public async Task Restart_IdempotentWriterState_RetryAfterRestartStillDeduplicated()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        var batch = Batch(MakeRows(0, 2), writerId: 9, batchSequence: 0);
        await h.ProduceAsync(0, batch);

        await h.RestartAsync();
        await h.LeadAsync(0);
        var retry = await h.ProduceAsync(0, batch);

        Assert.Equal(0, retry.BaseOffset);
        Assert.Equal(2, (await h.ListOffsetAsync(0, 1)).Offset);
    }

    [Fact]
    public async Task Restart_TornTailInActiveSegment_TruncatedAndNeverServed()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));
        await h.ProduceAsync(0, Batch(MakeRows(3, 2)));
        var segment = ActiveSegment(h);
        await h.StopServerAsync();
        var sizeBefore = new FileInfo(segment).Length;
        var torn = Batch(MakeRows(5, 10));
        await using (var file = new FileStream(segment, FileMode.Append))
            file.Write(torn, 0, torn.Length / 2);

        await h.RestartAsync();
        await h.LeadAsync(0);

        Assert.Equal(sizeBefore, new FileInfo(segment).Length);
        Assert.Equal(MakeRows(0, 5), Decode((await h.FetchAsync(0, 0)).Records).Select(r => r.Row));
        Assert.Equal(5, (await h.ListOffsetAsync(0, 1)).Offset);
        Assert.Equal(5, (await h.ProduceAsync(0, Batch(MakeRows(5, 1)))).BaseOffset);
    }

    [Fact]
    public async Task Restart_AfterCrashWithCorruptTailBatch_RecoveryCutsIt()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 3)));
        var segment = ActiveSegment(h);
        await h.StopServerAsync();
        // What a crash leaves: no clean-shutdown marker, and a complete-looking batch whose bytes are damaged.
        File.Delete(System.IO.Path.Combine(h.DataDir, ".fluss_cleanshutdown"));
        var damaged = Batch(MakeRows(3, 4));
        damaged[^3] ^= 0xFF;
        await using (var file = new FileStream(segment, FileMode.Append))
            file.Write(damaged);

        await h.RestartAsync();
        await h.LeadAsync(0);

        Assert.Equal(MakeRows(0, 3), Decode((await h.FetchAsync(0, 0)).Records).Select(r => r.Row));
        Assert.Equal(3, (await h.ProduceAsync(0, Batch(MakeRows(3, 1)))).BaseOffset);
    }

    [Fact]
    public async Task HardKill_FilesAsLeftOnDisk_KeepEveryAcknowledgedBatch()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        for (var i = 0; i < 5; i++)
        {
            var acked = await h.ProduceAsync(0, Batch(MakeRows(i * 3, 3)), acks: 1);
            Assert.Equal(i * 3, acked.BaseOffset);
        }

        // The process dies now: what survives is what the OS has, so copy the files while the server still runs.
        var crashed = NewTempDir();
        CopyDirectory(h.DataDir, crashed);
        var revived = await StartAsync(dataDir: crashed);
        try
        {
            await revived.LeadAsync(0);

            Assert.Equal(MakeRows(0, 15), Decode((await revived.FetchAsync(0, 0)).Records).Select(r => r.Row));
            Assert.Equal(15, (await revived.ProduceAsync(0, Batch(MakeRows(15, 1)))).BaseOffset);
        }
        finally
        {
            await revived.DisposeAsync();
            Directory.Delete(crashed, recursive: true);
        }
    }

    [Fact]
    public async Task KillAsync_ThenRestart_FullRecoveryKeepsAcknowledgedData()
    {
        await using var h = await StartAsync();
        await h.LeadAsync(0);
        await h.ProduceAsync(0, Batch(MakeRows(0, 4)), acks: 1);
        await h.ProduceAsync(0, Batch(MakeRows(4, 2)), acks: 0);

        await h.Server.KillAsync();
        await h.RestartAsync();

        Assert.False(h.Server.LogManager.WasCleanShutdown);
        await h.LeadAsync(0);
        Assert.Equal(MakeRows(0, 6), Decode((await h.FetchAsync(0, 0)).Records).Select(r => r.Row));
    }

    private static string ActiveSegment(TabletServerHarness h)
    {
        Assert.True(h.Server.LogManager.TryGetTablet(new TableBucket(TableId, 0), out var tablet));
        return Directory.GetFiles(tablet.Directory, "*.log").OrderBy(f => f, StringComparer.Ordinal).Last();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (System.IO.Path.GetFileName(file) == ".lock") continue;
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var target = File.Create(file.Replace(from, to, StringComparison.Ordinal));
            source.CopyTo(target);
        }
    }
}
