using System.Text;
using CsCheck;
using Fluss.Records.Log;

namespace Fluss.Tests.Log;

public class LogCrcTests
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
        Assert.Equal(expected, LogCrc.Compute(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Compute_RandomData_MatchesBitwiseReference()
    {
        Gen.Byte.Array[0, 300].Sample(data => Assert.Equal(LogTestSupport.ReferenceCrc32C(data), LogCrc.Compute(data)), iter: 300);
    }

    [Fact]
    public void Update_InPieces_EqualsWholeComputation()
    {
        Gen.Byte.Array[0, 100].SelectMany(d => Gen.Int[0, d.Length].Select(split => (d, split))).Sample(t =>
        {
            var (data, split) = t;
            var state = LogCrc.Update(0xFFFFFFFFu, data.AsSpan(0, split));
            state = LogCrc.Update(state, data.AsSpan(split));
            Assert.Equal(LogCrc.Compute(data), ~state);
        }, iter: 200);
    }
}
