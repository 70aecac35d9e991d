using CsCheck;
using Fluss.Utils;

namespace Fluss.Tests.Log;

/// <summary>The CRC-32C that log batches carry, checked against Fluss's vectors and a bitwise reference.</summary>
public class BatchCrcTests
{
    [Theory]
    [InlineData("123456789", 0xE3069283u)] // the standard CRC-32C check value
    [InlineData("Some String", 608512271u)] // vectors from Fluss's Crc32CTest
    [InlineData("hello", 2591144780u)]
    [InlineData("fluss", 2355313305u)]
    [InlineData("checksum", 2474969539u)]
    [InlineData("", 0u)]
    public void Compute_KnownVectors_MatchCrc32C(string text, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Compute_RandomData_MatchesBitwiseReference()
    {
        Gen.Byte.Array[0, 300].Sample(data => Assert.Equal(LogTestSupport.ReferenceCrc32C(data), Crc32C.Compute(data)), iter: 300);
    }

    [Fact]
    public void Append_InPieces_EqualsWholeComputation()
    {
        Gen.Byte.Array[0, 100].SelectMany(d => Gen.Int[0, d.Length].Select(split => (d, split))).Sample(t =>
        {
            var (data, split) = t;
            var crc = Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(Crc32C.Compute(data), crc);
        }, iter: 200);
    }
}
