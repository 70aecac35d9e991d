using Fluss.Metadata;
using Fluss.Storage.Log;

namespace Fluss.Storage.Tests.Log;

public class OffsetCheckpointFileTests
{
    [Fact]
    public void Write_ThenRead_RoundTripsBucketsWithAndWithoutPartitions()
    {
        using var dir = new TempDir();
        var file = new OffsetCheckpointFile(dir.Sub("high-watermark-checkpoint"));
        var offsets = new Dictionary<TableBucket, long>
        {
            [new TableBucket(1, 0)] = 100,
            [new TableBucket(1, 5, 2)] = 200,
            [new TableBucket(9_000_000_000L, 0)] = long.MaxValue,
        };
        file.Write(offsets);

        Assert.Equal(offsets, file.Read());
        Assert.Equal("0\n3\n1 0 100\n1 5 2 200\n9000000000 0 9223372036854775807\n", File.ReadAllText(file.Path));
        Assert.False(File.Exists(file.Path + ".tmp"));
    }

    [Fact]
    public void Read_TextAsFlussWritesIt_ParsesEveryLine()
    {
        using var dir = new TempDir();
        var path = dir.Sub("recovery-point-offset-checkpoint");
        File.WriteAllText(path, "0\n2\n150001 0 42\n150002 7 3 1000\n");
        var offsets = new OffsetCheckpointFile(path).Read();
        Assert.Equal(42, offsets[new TableBucket(150001, 0)]);
        Assert.Equal(1000, offsets[new TableBucket(150002, 7, 3)]);
    }

    [Fact]
    public void Read_MissingOrEmptyFile_IsEmpty()
    {
        using var dir = new TempDir();
        Assert.Empty(new OffsetCheckpointFile(dir.Sub("none")).Read());
        File.WriteAllText(dir.Sub("empty"), "");
        Assert.Empty(new OffsetCheckpointFile(dir.Sub("empty")).Read());
        new OffsetCheckpointFile(dir.Sub("zero")).Write([]);
        Assert.Equal("0\n0\n", File.ReadAllText(dir.Sub("zero")));
    }

    [Theory]
    [InlineData("1\n0\n", "Unrecognised version 1")]
    [InlineData("0\n2\n1 0 5\n", "Expected 2 entries")]
    [InlineData("0\n1\n1 0\n", "Malformed line")]
    [InlineData("0\n1\n1 x 5\n", "Malformed line")]
    [InlineData("zero\n", "Malformed line")]
    public void Read_MalformedFile_ThrowsNamingTheProblem(string text, string problem)
    {
        using var dir = new TempDir();
        var path = dir.Sub("checkpoint");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InvalidDataException>(() => new OffsetCheckpointFile(path).Read());
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OverAnExistingCheckpoint_ReplacesIt()
    {
        using var dir = new TempDir();
        var file = new OffsetCheckpointFile(dir.Sub("cp"));
        file.Write([KeyValuePair.Create(new TableBucket(1, 0), 5L), KeyValuePair.Create(new TableBucket(1, 1), 6L)]);
        file.Write([KeyValuePair.Create(new TableBucket(1, 0), 7L)]);
        Assert.Equal(new Dictionary<TableBucket, long> { [new TableBucket(1, 0)] = 7 }, file.Read());
    }
}
