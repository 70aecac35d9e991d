using System.Text;
using Fluss.MetadataStore.Embedded;

namespace Fluss.Tests.MetadataStore;

public class Crc32CTests
{
    [Theory]
    [InlineData("123456789", 0xE3069283u)] // the standard check value of CRC-32C
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    public void Compute_KnownVectors(string text, uint expected) => Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Compute_Rfc3720Vectors()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Append_InPieces_EqualsWhole()
    {
        var data = Enumerable.Range(0, 100).Select(i => (byte)(i * 7)).ToArray();
        for (var split = 0; split <= data.Length; split += 13)
        {
            var crc = ~Crc32C.Append(Crc32C.Append(~0u, data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(Crc32C.Compute(data), crc);
        }
    }
}
