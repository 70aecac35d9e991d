using Fluss.MetadataStore;

namespace Fluss.Tests.MetadataStore;

public class MetadataPathTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/a", true)]
    [InlineData("/a/b.c/..d/...", true)]
    [InlineData("/a/", false)]
    [InlineData("a", false)]
    [InlineData("", false)]
    [InlineData("/a//b", false)]
    [InlineData("/a/..", false)]
    [InlineData("/./a", false)]
    [InlineData("/a\u0000", false)]
    [InlineData("/a\u009f", false)]
    [InlineData("/a\u00a0", true)]
    [InlineData("/a\uf8ff", false)]
    [InlineData("/a\uf900", true)]
    public void IsValid_FollowsZooKeeperRules(string path, bool valid) => Assert.Equal(valid, MetadataPath.IsValid(path));

    [Fact]
    public void Validate_SequentialMayEndWithSlash()
    {
        MetadataPath.Validate("/q/", sequential: true);
        var e = Assert.Throws<MetadataStoreException>(() => MetadataPath.Validate("/q/"));
        Assert.Equal(MetadataStoreErrorCode.InvalidPath, e.Code);
        Assert.Contains("must not end with '/'", e.Message, StringComparison.Ordinal);
        Assert.Throws<MetadataStoreException>(() => MetadataPath.Validate("/q//", sequential: true));
        Assert.Throws<MetadataStoreException>(() => MetadataPath.Validate(null));
    }

    [Fact]
    public void Validate_MessageSaysWhere()
    {
        var e = Assert.Throws<MetadataStoreException>(() => MetadataPath.Validate("/a/../b"));
        Assert.Contains("'..'", e.Message, StringComparison.Ordinal);
        Assert.Contains("/a/../b", e.Message, StringComparison.Ordinal);
        Assert.Equal("/a/../b", e.Path);
    }

    [Fact]
    public void ParentNameCombine_RoundTrip()
    {
        Assert.Equal("/", MetadataPath.Parent("/a"));
        Assert.Equal("/a/b", MetadataPath.Parent("/a/b/c"));
        Assert.Equal("c", MetadataPath.Name("/a/b/c"));
        Assert.Equal("", MetadataPath.Name("/"));
        Assert.Equal("/a", MetadataPath.Combine("/", "a"));
        Assert.Equal("/a/b", MetadataPath.Combine("/a", "b"));
        Assert.Throws<MetadataStoreException>(() => MetadataPath.Parent("/"));
        foreach (var p in new[] { "/x", "/x/y", "/x/y/z" })
            Assert.Equal(p, MetadataPath.Combine(MetadataPath.Parent(p), MetadataPath.Name(p)));
    }

    [Fact]
    public void IsSameOrBelowAndDepth()
    {
        Assert.True(MetadataPath.IsSameOrBelow("/a/b", "/a"));
        Assert.True(MetadataPath.IsSameOrBelow("/a", "/a"));
        Assert.True(MetadataPath.IsSameOrBelow("/a", "/"));
        Assert.False(MetadataPath.IsSameOrBelow("/ab", "/a"));
        Assert.False(MetadataPath.IsSameOrBelow("/a", "/a/b"));
        Assert.Equal(0, MetadataPath.Depth("/"));
        Assert.Equal(1, MetadataPath.Depth("/a"));
        Assert.Equal(3, MetadataPath.Depth("/a/b/c"));
    }
}
