using Fluss.Storage.Log;

namespace Fluss.Storage.Tests.Log;

public class LogTabletConcurrencyTests
{
    [Fact]
    public async Task Read_WhileAppendingRollingAndDeleting_AlwaysSeesWholeValidBatchesInOrder()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        using var tablet = LogTablet.Open(dir.Sub("log-0"), Batches.Path, Batches.Bucket, Batches.SmallSegments(segmentSize: 3000, indexInterval: 200), clock);
        const int Total = 1500;
        var failures = new List<Exception>();
        using var done = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            try
            {
                while (!done.IsCancellationRequested)
                {
                    var start = tablet.LogStartOffset;
                    var end = tablet.LogEndOffset;
                    if (end == start) continue;
                    var offset = start + random.NextInt64(end - start);
                    FetchDataInfo data;
                    try
                    {
                        data = tablet.Read(offset, random.Next(1, 4000), FetchIsolation.LogEnd, minOneMessage: true);
                    }
                    catch (Fluss.Errors.LogOffsetOutOfRangeException)
                    {
                        continue; // retention moved the start meanwhile
                    }
                    using (data)
                    {
                        var rows = Batches.Decode(data.Records);
                        if (rows.Count == 0) continue;
                        Assert.InRange(offset, rows[0].Offset, rows[^1].Offset);
                        for (var i = 0; i < rows.Count; i++)
                        {
                            Assert.Equal(rows[0].Offset + i, rows[i].Offset);
                            Assert.Equal(rows[i].Offset, rows[i].Id);
                        }
                    }
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToArray();

        for (var i = 0; i < Total; i++)
        {
            tablet.AppendAsLeader(Batches.Rows((int)tablet.LogEndOffset, 1 + (i % 4)));
            if (i % 100 == 99)
            {
                tablet.UpdateHighWatermark(tablet.LogEndOffset);
                clock.Advance(TimeSpan.FromHours(1));
                tablet.DeleteSegmentsByTtl(clock.GetUtcNow(), TimeSpan.FromMinutes(90));
            }
        }
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        Assert.True(tablet.LogStartOffset > 0, "retention ran");
    }
}
