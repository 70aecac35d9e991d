using CsCheck;
using Fluss.Utils;

namespace Fluss.Tests.Encoding;

public class Crc32CTests
{
    [Fact]
    public void Compute_CheckString_StandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(System.Text.Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Compute_Empty_IsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Compute_ThirtyTwoZeroBytes_KnownValue() => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void Append_Chunks_EqualsWhole()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Byte.Array[0, 100]).Sample(sample =>
        {
            var (a, b) = sample;
            Assert.Equal(Crc32C.Compute(a.Concat(b).ToArray()), Crc32C.Append(Crc32C.Append(0, a), b));
        });
    }
}

public class VarIntTests
{
    [Fact]
    public void RoundTrip_AnyUInt_ReadsBackWithPredictedSize()
    {
        Gen.UInt.Sample(value =>
        {
            var buffer = new byte[5];
            var written = VarInt.Write(buffer, 0, value);
            Assert.Equal(VarInt.SizeOf(value), written);
            Assert.Equal(VarIntStatus.Ok, VarInt.TryRead(buffer.AsSpan(0, written), out uint read, out var bytesRead));
            Assert.Equal(value, read);
            Assert.Equal(written, bytesRead);
            Assert.Equal(VarIntStatus.Truncated, VarInt.TryRead(buffer.AsSpan(0, written - 1), out uint _, out _));
        });
    }

    [Fact]
    public void RoundTrip_AnyULong_ReadsBackWithPredictedSize()
    {
        Gen.ULong.Sample(value =>
        {
            var buffer = new byte[10];
            var written = VarInt.Write(buffer, 0, value);
            Assert.Equal(VarInt.SizeOf(value), written);
            Assert.Equal(VarIntStatus.Ok, VarInt.TryRead(buffer.AsSpan(0, written), out ulong read, out _));
            Assert.Equal(value, read);
        });
    }

    [Theory]
    [InlineData("FFFFFFFF10")]
    [InlineData("FFFFFFFF8F")]
    [InlineData("8080808080")]
    public void TryRead_FifthByteTooLarge_Overflow(string hex) =>
        Assert.Equal(VarIntStatus.Overflow, VarInt.TryRead(Convert.FromHexString(hex), out uint _, out _));

    [Fact]
    public void TryRead_TenthByteTooLarge_Overflow() =>
        Assert.Equal(VarIntStatus.Overflow, VarInt.TryRead(Convert.FromHexString("FFFFFFFFFFFFFFFFFF02"), out ulong _, out _));
}
