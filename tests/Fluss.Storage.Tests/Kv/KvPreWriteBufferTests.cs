using Fluss.Storage.Kv;

namespace Fluss.Storage.Tests.Kv;

public class KvPreWriteBufferTests
{
    [Fact]
    public void TryGet_AfterTruncate_RestoresOlderPendingEntry()
    {
        var buffer = new KvPreWriteBuffer();
        buffer.Put([1], [10], 0);
        buffer.Put([1], [11], 1);
        buffer.Put([1], null, 2);

        Assert.True(buffer.TryGet([1], out byte[]? deleted));
        Assert.Null(deleted);
        buffer.TruncateTo(2);
        Assert.True(buffer.TryGet([1], out byte[]? value));
        Assert.Equal(new byte[] { 11 }, value);
        buffer.TruncateTo(1);
        Assert.True(buffer.TryGet([1], out value));
        Assert.Equal(new byte[] { 10 }, value);
        buffer.TruncateTo(0);
        Assert.False(buffer.TryGet([1], out value));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void TruncateTo_OlderEntryAlreadyFlushed_ForgetsTheKey()
    {
        var buffer = new KvPreWriteBuffer();
        buffer.Put([1], [10], 0);
        buffer.Put([2], [20], 1);
        buffer.Put([1], [11], 2);
        Assert.Equal(2, buffer.CountBelow(2));
        buffer.RemoveFlushed(2);

        buffer.TruncateTo(2);

        Assert.False(buffer.TryGet([1], out byte[]? _));
        Assert.False(buffer.TryGet([2], out byte[]? _));
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public void Put_OffsetNotIncreasing_Throws()
    {
        var buffer = new KvPreWriteBuffer();
        buffer.Put([1], [10], 5);
        Assert.Throws<ArgumentException>(() => buffer.Put([2], [20], 5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_MatchListModel(int seed)
    {
        // The model: the pending entries in offset order; a key's value is its newest pending entry.
        var random = new Random(seed);
        var buffer = new KvPreWriteBuffer();
        var model = new List<(byte[] Key, byte[]? Value, long Offset)>();
        long offset = 0;
        for (var step = 0; step < 20_000; step++)
        {
            var op = random.Next(100);
            if (op < 70)
            {
                var key = RandomBytes(1 + random.Next(random.Next(4) == 0 ? 300 : 6), random.Next(40));
                var value = random.Next(6) == 0 ? null : RandomBytes(random.Next(random.Next(8) == 0 ? 2000 : 20), random.Next());
                offset += 1 + random.Next(2);
                buffer.Put(key, value, offset);
                model.Add((key, value, offset));
            }
            else if (op < 85)
            {
                var bound = offset - random.Next(30) + 1;
                var count = model.TakeWhile(e => e.Offset < bound).Count();
                Assert.Equal(count, buffer.CountBelow(bound));
                var flushed = buffer.Oldest(count);
                Assert.Equal(model.Take(count).Select(Describe), flushed.Select(Describe));
                buffer.RemoveFlushed(count);
                model.RemoveRange(0, count);
            }
            else if (op < 95)
            {
                var cut = offset - random.Next(20);
                buffer.TruncateTo(cut);
                model.RemoveAll(e => e.Offset >= cut);
            }
            else if (op == 99 && random.Next(20) == 0)
            {
                buffer.Clear();
                model.Clear();
            }

            Assert.Equal(model.Count, buffer.Count);
            Assert.Equal(model.Sum(e => (long)e.Key.Length + (e.Value?.Length ?? 0)), buffer.PendingBytes);
            for (var probe = 0; probe < 3; probe++)
            {
                var key = model.Count > 0 && random.Next(2) == 0 ? model[random.Next(model.Count)].Key : RandomBytes(1 + random.Next(6), random.Next(40));
                var expected = model.FindLast(e => e.Key.AsSpan().SequenceEqual(key));
                var known = buffer.TryGet(key, out ReadOnlyMemory<byte> value, out var isDelete);
                Assert.Equal(expected.Key is not null, known);
                if (!known) continue;
                Assert.Equal(expected.Value is null, isDelete);
                if (expected.Value is not null) Assert.Equal(expected.Value, value.ToArray());
            }
        }
    }

    private static string Describe((byte[] Key, byte[]? Value, long Offset) e) =>
        $"{e.Offset}:{Convert.ToHexString(e.Key)}={(e.Value is null ? "DEL" : Convert.ToHexString(e.Value))}";

    /// <summary>Bytes derived from a seed, so that equal seeds and lengths give equal keys.</summary>
    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
