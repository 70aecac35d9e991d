using System.Text;
using Fluss.Coordinator.Store;

namespace Fluss.Tests.Coordinator;

/// <summary>The JSON of the coordinator's metadata nodes, against the forms of Fluss's serde tests.</summary>
public class RegistrationsTests
{
    private static string Text(byte[] json) => Encoding.UTF8.GetString(json);

    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void TableRegistration_ToJson_MatchesFlussForm()
    {
        var withAll = new TableRegistration(1234L, "first-table", ["a", "b"], ["b", "c"], 16,
            new Dictionary<string, string>(), new Dictionary<string, string> { ["custom-3"] = "\"300\"" }, "file://local/remote", 1735538268L, 1735538270L);
        Assert.Equal(
            "{\"version\":1,\"table_id\":1234,\"comment\":\"first-table\",\"partition_key\":[\"a\",\"b\"],\"bucket_key\":[\"b\",\"c\"],\"bucket_count\":16,"
            + "\"properties\":{},\"custom_properties\":{\"custom-3\":\"\\\"300\\\"\"},\"remote_data_dir\":\"file://local/remote\",\"created_time\":1735538268,\"modified_time\":1735538270}",
            Text(withAll.ToJson()));

        var minimal = new TableRegistration(1234L, "second-table", [], [], 32,
            new Dictionary<string, string> { ["option-3"] = "300" }, new Dictionary<string, string>(), null, -1, -1);
        Assert.Equal(
            "{\"version\":1,\"table_id\":1234,\"comment\":\"second-table\",\"bucket_count\":32,\"properties\":{\"option-3\":\"300\"},\"custom_properties\":{},\"created_time\":-1,\"modified_time\":-1}",
            Text(minimal.ToJson()));
    }

    [Fact]
    public void TableRegistration_FromJson_RoundTrips()
    {
        var reg = new TableRegistration(7, null, [], ["id"], 3, new Dictionary<string, string> { ["table.replication.factor"] = "2" },
            new Dictionary<string, string> { ["k"] = "v" }, null, 10, 11);
        var back = TableRegistration.FromJson(reg.ToJson());
        Assert.Equal(reg.TableId, back.TableId);
        Assert.Equal(reg.BucketKeys, back.BucketKeys);
        Assert.Equal(reg.BucketCount, back.BucketCount);
        Assert.Equal(reg.Properties, back.Properties);
        Assert.Equal(reg.CustomProperties, back.CustomProperties);
        Assert.Null(back.Comment);
        Assert.Null(back.RemoteDataDir);
        Assert.Equal((10L, 11L), (back.CreatedTime, back.ModifiedTime));
    }

    [Fact]
    public void LeaderAndIsr_ToJson_IsVersionTwoWithStandbyReplicas()
    {
        var lai = new LeaderAndIsr(1, 10, [1, 2, 3], [2], 100, 1000);
        const string json = "{\"version\":2,\"leader\":1,\"leader_epoch\":10,\"isr\":[1,2,3],\"coordinator_epoch\":100,\"bucket_epoch\":1000,\"standby_replicas\":[2]}";
        Assert.Equal(json, Text(lai.ToJson()));
        Assert.Equal(lai, LeaderAndIsr.FromJson(Bytes(json)));
    }

    [Fact]
    public void LeaderAndIsr_FromJsonVersionOne_HasNoStandbyReplicas()
    {
        var lai = LeaderAndIsr.FromJson(Bytes("{\"version\":1,\"leader\":1,\"leader_epoch\":10,\"isr\":[1,2,3],\"coordinator_epoch\":100,\"bucket_epoch\":1000}"));
        Assert.Equal(new LeaderAndIsr(1, 10, [1, 2, 3], [], 100, 1000), lai);
    }

    [Fact]
    public void TableAssignment_ToJson_BucketsByIdInOrder()
    {
        var a = new TableAssignment(new Dictionary<int, IReadOnlyList<int>> { [1] = [2, 0], [0] = [0, 1] });
        const string json = "{\"version\":1,\"buckets\":{\"0\":[0,1],\"1\":[2,0]}}";
        Assert.Equal(json, Text(a.ToJson()));
        Assert.Equal(a, TableAssignment.FromJson(Bytes(json)));
    }

    [Fact]
    public void DatabaseRegistration_ToJson_MatchesFlussForm()
    {
        var db = new DatabaseRegistration("sales", new Dictionary<string, string> { ["owner"] = "ops" }, 5, 6);
        const string json = "{\"version\":1,\"comment\":\"sales\",\"custom_properties\":{\"owner\":\"ops\"},\"created_time\":5,\"modified_time\":6}";
        Assert.Equal(json, Text(db.ToJson()));
        var back = DatabaseRegistration.FromJson(Bytes(json));
        Assert.Equal(("sales", 5L, 6L), (back.Comment, back.CreatedTime, back.ModifiedTime));
        Assert.Equal("ops", back.CustomProperties["owner"]);
    }

    [Fact]
    public void TabletServerRegistration_ToJson_IsVersionFourWithListeners()
    {
        var reg = new TabletServerRegistration([new Listener("FLUSS", "10.0.0.5", 9124)], 1700000000000, "rack-a");
        const string json = "{\"version\":4,\"listeners\":\"FLUSS://10.0.0.5:9124\",\"register_timestamp\":1700000000000,\"rack\":\"rack-a\"}";
        Assert.Equal(json, Text(reg.ToJson()));
        Assert.Equal(reg, TabletServerRegistration.FromJson(Bytes(json)));
    }

    [Fact]
    public void TabletServerRegistration_FromJsonVersionOne_UsesHostAndPort()
    {
        var reg = TabletServerRegistration.FromJson(Bytes("{\"version\":1,\"host\":\"h1\",\"port\":9000,\"register_timestamp\":5}"));
        Assert.Equal([new Listener("FLUSS", "h1", 9000)], reg.Listeners);
        Assert.Null(reg.Rack);
    }

    [Theory]
    [InlineData("FLUSS://a:1,FLUSS://b:2", "different name")]
    [InlineData("127.0.0.1:9123", "NAME://host:port")]
    [InlineData("FLUSS://h:99999", "invalid port")]
    public void Listener_ParseList_BadInput_SaysWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Listener.ParseList(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Listener_ParseList_Ipv6AndSeveral_Parsed()
    {
        var list = Listener.ParseList("FLUSS://[::1]:9123, CLIENT://host-b:0");
        Assert.Equal([new Listener("FLUSS", "::1", 9123), new Listener("CLIENT", "host-b", 0)], list);
        Assert.Equal("FLUSS://[::1]:9123,CLIENT://host-b:0", Listener.FormatList(list));
    }

    [Fact]
    public void FromJson_MissingField_NamesTheField()
    {
        var e = Assert.Throws<InvalidDataException>(() => LeaderAndIsr.FromJson(Bytes("{\"version\":2,\"leader\":1}")));
        Assert.Contains("leader_epoch", e.Message);
        var bad = Assert.Throws<InvalidDataException>(() => TableAssignment.FromJson(Bytes("{\"version\":1,\"buckets\":{\"x\":[1]}}")));
        Assert.Contains("'x'", bad.Message);
    }
}
