using System.Text.Json;
using Fluss.Metadata;

namespace Fluss.Tests.Model;

public class DatabaseDescriptorTests
{
    [Fact]
    public void ToJson_CommentAndProperties_WritesVersion1()
    {
        var d = DatabaseDescriptor.NewBuilder().Comment("orders of the shop").CustomProperty("owner", "team-a").CustomProperty("k", "v").Build();
        const string expected = """{"version":1,"comment":"orders of the shop","custom_properties":{"owner":"team-a","k":"v"}}""";
        Assert.Equal(expected, d.ToJson());
        Assert.Equal(d, DatabaseDescriptor.FromJson(expected));
    }

    [Fact]
    public void ToJson_Empty_OmitsComment()
    {
        Assert.Equal("""{"version":1,"custom_properties":{}}""", DatabaseDescriptor.Empty.ToJson());
        var back = DatabaseDescriptor.FromJson("""{"version":1,"custom_properties":{}}""");
        Assert.Null(back.Comment);
        Assert.Empty(back.CustomProperties);
    }

    [Fact]
    public void FromJson_Utf8_RoundTripsSpecialCharacters()
    {
        var d = DatabaseDescriptor.NewBuilder().Comment("quote \" backslash \\ newline \n ü").CustomProperty("x", "'y'").Build();
        Assert.Equal(d, DatabaseDescriptor.FromJson(d.ToJsonBytes()));
        Assert.Contains("\\\"", d.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_NotAnObject_Throws()
    {
        Assert.Throws<JsonException>(() => DatabaseDescriptor.FromJson("""{"version":1,"custom_properties":[1]}"""));
        Assert.Throws<JsonException>(() => DatabaseDescriptor.FromJson("nope"));
    }
}
