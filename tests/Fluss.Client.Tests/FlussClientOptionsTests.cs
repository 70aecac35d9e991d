using Fluss.Client;
using Fluss.Config;
using Fluss.Errors;

namespace Fluss.Tests.Client;

public class FlussClientOptionsTests
{
    [Fact]
    public void FromConfiguration_Empty_GivesFlussDefaults()
    {
        var options = FlussClientOptions.FromConfiguration(new Configuration());

        Assert.Equal(new FlussClientOptions(), options);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal(2 * 1024 * 1024, options.WriterBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.WriterBatchTimeout);
        Assert.Equal(64L * 1024 * 1024, options.WriterBufferMemory);
        Assert.Equal(-1, options.WriterAcks);
        Assert.Equal(int.MaxValue, options.WriterRetries);
        Assert.Equal(10 * 1024 * 1024, options.WriterRequestMaxSize);
        Assert.Equal(5, options.MaxInflightRequestsPerBucket);
        Assert.True(options.EnableIdempotence);
        Assert.Equal(BucketAssignerKind.Sticky, options.NoKeyAssigner);
        Assert.Equal(16 * 1024 * 1024, options.FetchMaxBytes);
        Assert.Equal(1024 * 1024, options.FetchMaxBytesForBucket);
        Assert.Equal(1, options.FetchMinBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.FetchMaxWait);
        Assert.True(options.ScannerCheckCrc);
        Assert.Equal(128, options.LookupMaxBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.LookupBatchTimeout);
        Assert.Equal(128, options.LookupMaxInflightRequests);
        Assert.Equal(25600, options.LookupQueueSize);
        Assert.Equal(int.MaxValue, options.LookupMaxRetries);
    }

    [Fact]
    public void FromConfiguration_LookupKeys_AreRead()
    {
        var options = FlussClientOptions.FromConfiguration(new Configuration()
            .SetString("client.lookup.max-batch-size", "16")
            .SetString("client.lookup.batch-timeout", "5ms")
            .SetString("client.lookup.max-inflight-requests", "4")
            .SetString("client.lookup.queue-size", "1000")
            .SetString("client.lookup.max-retries", "2"));

        Assert.Equal((16, TimeSpan.FromMilliseconds(5), 4, 1000, 2),
            (options.LookupMaxBatchSize, options.LookupBatchTimeout, options.LookupMaxInflightRequests, options.LookupQueueSize, options.LookupMaxRetries));
        options.Validate();
    }

    [Fact]
    public void Validate_LookupBatchSizeZero_NamesTheKey() =>
        Assert.Contains("client.lookup.max-batch-size",
            Assert.Throws<InvalidConfigException>(() => new FlussClientOptions { LookupMaxBatchSize = 0 }.Validate()).Message, StringComparison.Ordinal);

    [Fact]
    public void FromConfiguration_FlussKeys_AreRead()
    {
        var configuration = new Configuration()
            .SetString("bootstrap.servers", "10.0.0.1:9123,10.0.0.2:9124")
            .SetString("client.request-timeout", "5 s")
            .SetString("client.writer.batch-size", "1mb")
            .SetString("client.writer.batch-timeout", "20ms")
            .SetString("client.writer.buffer.memory-size", "32mb")
            .SetString("client.writer.acks", "1")
            .SetString("client.writer.retries", "3")
            .SetString("client.writer.request-max-size", "4mb")
            .SetString("client.writer.max-inflight-requests-per-bucket", "2")
            .SetString("client.writer.enable-idempotence", "false")
            .SetString("client.writer.bucket.no-key-assigner", "ROUND_ROBIN")
            .SetString("client.scanner.log.fetch.max-bytes", "8mb")
            .SetString("client.scanner.log.fetch.max-bytes-for-bucket", "512kb")
            .SetString("client.scanner.log.fetch.min-bytes", "1kb")
            .SetString("client.scanner.log.fetch.wait-max-time", "250ms")
            .SetString("client.scanner.log.check-crc", "false");

        var options = FlussClientOptions.FromConfiguration(configuration);

        Assert.Equal("10.0.0.1:9123,10.0.0.2:9124", options.BootstrapServers);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
        Assert.Equal(1024 * 1024, options.WriterBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.WriterBatchTimeout);
        Assert.Equal(32L * 1024 * 1024, options.WriterBufferMemory);
        Assert.Equal(1, options.WriterAcks);
        Assert.Equal(3, options.WriterRetries);
        Assert.Equal(4 * 1024 * 1024, options.WriterRequestMaxSize);
        Assert.Equal(2, options.MaxInflightRequestsPerBucket);
        Assert.False(options.EnableIdempotence);
        Assert.Equal(BucketAssignerKind.RoundRobin, options.NoKeyAssigner);
        Assert.Equal(8 * 1024 * 1024, options.FetchMaxBytes);
        Assert.Equal(512 * 1024, options.FetchMaxBytesForBucket);
        Assert.Equal(1024, options.FetchMinBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.FetchMaxWait);
        Assert.False(options.ScannerCheckCrc);
        options.Validate();
    }

    [Theory]
    [InlineData("all", -1)]
    [InlineData("-1", -1)]
    [InlineData("0", 0)]
    public void FromConfiguration_Acks_MapsToWireValue(string text, int expected) =>
        Assert.Equal(expected, FlussClientOptions.FromConfiguration(new Configuration().SetString("client.writer.acks", text)).WriterAcks);

    [Fact]
    public void FromConfiguration_InvalidAcks_NamesTheKey()
    {
        var error = Assert.ThrowsAny<FlussException>(() => FlussClientOptions.FromConfiguration(new Configuration().SetString("client.writer.acks", "2")));
        Assert.Contains("client.writer.acks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IdempotenceWithAcksOne_NamesBothKeys()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new FlussClientOptions { WriterAcks = 1 }.Validate());
        Assert.Contains("client.writer.acks", error.Message, StringComparison.Ordinal);
        Assert.Contains("client.writer.enable-idempotence", error.Message, StringComparison.Ordinal);
        new FlussClientOptions { WriterAcks = 1, EnableIdempotence = false }.Validate();
    }

    [Fact]
    public void Validate_IdempotenceWithSixInflight_Fails()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new FlussClientOptions { MaxInflightRequestsPerBucket = 6 }.Validate());
        Assert.Contains("client.writer.max-inflight-requests-per-bucket", error.Message, StringComparison.Ordinal);
        new FlussClientOptions { MaxInflightRequestsPerBucket = 6, EnableIdempotence = false }.Validate();
    }

    [Fact]
    public void Validate_IdempotenceWithoutRetries_Fails() =>
        Assert.Contains("client.writer.retries", Assert.Throws<InvalidConfigException>(() => new FlussClientOptions { WriterRetries = 0 }.Validate()).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData("localhost:99999")]
    [InlineData(" , ")]
    public void Validate_BadBootstrapEntry_NamesIt(string servers)
    {
        var error = Assert.Throws<InvalidConfigException>(() => new FlussClientOptions { BootstrapServers = servers }.Validate());
        Assert.Contains("bootstrap.servers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BootstrapAddresses_SeveralForms_AreParsed()
    {
        var addresses = new FlussClientOptions { BootstrapServers = "a:1, fluss://b.example:9123,[::1]:7" }.BootstrapAddresses();
        Assert.Equal([("a", 1), ("b.example", 9123), ("::1", 7)], addresses);
    }
}
