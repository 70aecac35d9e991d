using Fluss.Metadata;
using Fluss.Storage.Log;

namespace Fluss.Storage.Tests.Log;

public class LogFileNamesTests
{
    [Theory]
    [InlineData(0L, "00000000000000000000")]
    [InlineData(1234L, "00000000000000001234")]
    [InlineData(long.MaxValue, "09223372036854775807")]
    public void Prefix_PadsTo20Digits(long offset, string expected)
    {
        Assert.Equal(expected, LogFileNames.Prefix(offset));
        Assert.Equal(offset, LogFileNames.OffsetOf(expected + ".log"));
    }

    [Fact]
    public void TabletDir_RoundTripsThroughParse()
    {
        var cases = new (PhysicalTablePath Path, TableBucket Bucket)[]
        {
            (PhysicalTablePath.Of("db", "t", null), new TableBucket(7, 0)),
            (PhysicalTablePath.Of("db", "my-table", null), new TableBucket(150001, 12)),
            (PhysicalTablePath.Of("db", "t-p1", "2024$01$31"), new TableBucket(3, 99, 1)),
        };
        foreach (var (path, bucket) in cases)
        {
            var dir = LogFileNames.TabletDir("/data", path, bucket);
            Assert.True(LogFileNames.TryParseTabletDir(dir, out var parsedPath, out var parsedBucket), dir);
            Assert.Equal(path, parsedPath);
            Assert.Equal(bucket, parsedBucket);
        }
        Assert.Equal(Path.Combine("/data", "db", "t-p1-3", "2024$01$31-p99", "log-1"), LogFileNames.TabletDir("/data", cases[2].Path, cases[2].Bucket));
    }

    [Theory]
    [InlineData("/data/db/t-1/kv-0")]
    [InlineData("/data/db/t/log-0")]
    [InlineData("/data/db/t-1/log-x")]
    public void TryParseTabletDir_OtherDirectories_AreRejected(string dir)
    {
        Assert.False(LogFileNames.TryParseTabletDir(dir, out _, out _));
    }
}
