using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Configuration;

/// <summary>Defaults, resolution and validation of the sink and source options.</summary>
public sealed class KafkaOptionsTests
{
    [Fact]
    public void ResolveBootstrapServers_OptionThenEnvironmentThenLocalhost()
    {
        var options = new KafkaSinkOptions();
        Assert.Equal("localhost:9092", options.ResolveBootstrapServers(_ => null));
        Assert.Equal("env:9092", options.ResolveBootstrapServers(name => name == "CALLSTREAM_KAFKA" ? " env:9092 " : null));
        options.BootstrapServers = "set:9092";
        Assert.Equal("set:9092", options.ResolveBootstrapServers(_ => "env:9092"));
        options.BootstrapServers = " ";
        var ex = Assert.Throws<ArgumentException>(() => options.ResolveBootstrapServers(_ => null));
        Assert.Contains("KafkaSinkOptions.BootstrapServers", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SinkConfig_IsIdempotentTunedAndPassesSettingsThrough()
    {
        var options = new KafkaSinkOptions { BootstrapServers = "b:1", DeliveryTimeout = TimeSpan.FromSeconds(7) };
        options.Settings["security.protocol"] = "sasl_ssl";
        options.Settings["linger.ms"] = "50";
        var config = options.BuildProducerConfig();
        Assert.Equal("b:1", config.BootstrapServers);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(CompressionType.None, config.CompressionType); // every client reads it (kafkajs needs a plugin for LZ4)
        Assert.Equal(Partitioner.Murmur2Random, config.Partitioner); // keys placed as the Java client places them
        Assert.Equal(7000, config.MessageTimeoutMs);
        Assert.Equal(50, config.LingerMs); // the pass-through setting wins over CallStream's tuning
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
    }

    [Fact]
    public void SourceConfig_StoresOffsetsExplicitly_CommitsInTheBackground_ReportsPartitionEnds()
    {
        var options = new KafkaSourceOptions { BootstrapServers = "b:1", GroupId = "g", StatisticsInterval = TimeSpan.Zero };
        var config = options.BuildConsumerConfig();
        Assert.Equal("g", config.GroupId);
        Assert.True(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.True(config.EnablePartitionEof);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.Equal(10, config.FetchQueueBackoffMs);
        Assert.Equal(0, config.StatisticsIntervalMs);
        Assert.Equal("consumerdata.dlq", options.ResolvedDeadLetterTopic);
        options.DeadLetterTopic = "poison";
        Assert.Equal("poison", options.ResolvedDeadLetterTopic);
    }

    [Fact]
    public void DeadLetterConfig_GetsTheConnectionAndSecuritySettingsOnly_ThenItsOwn()
    {
        var options = new KafkaSourceOptions { BootstrapServers = "b:1" };
        options.Settings["security.protocol"] = "sasl_ssl";
        options.Settings["sasl.username"] = "u";
        options.Settings["ssl.ca.location"] = "/ca.pem";
        options.Settings["reconnect.backoff.ms"] = "10";
        options.Settings["session.timeout.ms"] = "6000";
        options.Settings["fetch.max.bytes"] = "1000000";
        options.DeadLetterSettings["linger.ms"] = "50";
        var config = options.BuildDeadLetterConfig().ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("b:1", config["bootstrap.servers"]);
        Assert.Equal("sasl_ssl", config["security.protocol"]);
        Assert.Equal("u", config["sasl.username"]);
        Assert.Equal("/ca.pem", config["ssl.ca.location"]);
        Assert.Equal("10", config["reconnect.backoff.ms"]);
        Assert.Equal("50", config["linger.ms"]);
        Assert.Equal("True", config["enable.idempotence"]);
        Assert.False(config.ContainsKey("session.timeout.ms"));
        Assert.False(config.ContainsKey("fetch.max.bytes"));
    }

    [Theory]
    [InlineData("enable.idempotence", "false")]
    [InlineData("acks", "1")]
    [InlineData("transactional.id", "t")]
    [InlineData("bootstrap.servers", "x:1")]
    public void SinkValidate_SettingsThatBreakTheGuarantees_AreRefusedByName(string key, string value)
    {
        var options = new KafkaSinkOptions();
        options.Settings[key] = value;
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"Settings['{key}']", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("enable.auto.offset.store", "true")]
    [InlineData("enable.auto.commit", "false")]
    [InlineData("enable.partition.eof", "false")]
    [InlineData("group.id", "other")]
    [InlineData("auto.offset.reset", "latest")]
    public void SourceValidate_SettingsThatBreakTheGuarantees_AreRefusedByName(string key, string value)
    {
        var options = new KafkaSourceOptions();
        options.Settings[key] = value;
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"Settings['{key}']", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SecretValueOfARefusedSetting_IsNotShown()
    {
        var options = new KafkaSinkOptions();
        options.Settings["transactional.id"] = "x";
        options.Settings.Clear();
        options.Settings["sasl.password"] = "p";
        options.Validate();
        var source = new KafkaSourceOptions();
        source.DeadLetterSettings["enable.idempotence"] = "false";
        Assert.Contains("DeadLetterSettings['enable.idempotence']", Assert.Throws<ArgumentException>(source.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SinkValidate_BadValues_NameTheOption()
    {
        Assert.Contains("KafkaSinkOptions.Topic", Assert.Throws<ArgumentException>(new KafkaSinkOptions { Topic = "" }.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("KafkaSinkOptions.Topic", Assert.Throws<ArgumentException>(new KafkaSinkOptions { Topic = new string('t', 250) }.Validate).Message, StringComparison.Ordinal);
        Assert.Equal("Linger", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSinkOptions { Linger = TimeSpan.FromMinutes(16) }.Validate).ParamName);
        Assert.Equal("BatchBytes", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSinkOptions { BatchBytes = 0 }.Validate).ParamName);
        Assert.Equal("DeliveryTimeout", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSinkOptions { DeliveryTimeout = TimeSpan.Zero }.Validate).ParamName);
        Assert.Equal("Compression", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSinkOptions { Compression = (CompressionType)42 }.Validate).ParamName);
        Assert.Equal("MessageTimestamp", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSinkOptions { MessageTimestamp = (KafkaMessageTimestamp)9 }.Validate).ParamName);
        var blank = new KafkaSinkOptions();
        blank.Settings[" "] = "x";
        Assert.Contains("blank setting name", Assert.Throws<ArgumentException>(blank.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SourceValidate_BadValues_NameTheOption()
    {
        Assert.Contains("KafkaSourceOptions.Topic", Assert.Throws<ArgumentException>(new KafkaSourceOptions { Topic = "a/b" }.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("KafkaSourceOptions.DeadLetterTopic", Assert.Throws<ArgumentException>(new KafkaSourceOptions { DeadLetterTopic = "consumerdata" }.Validate).Message, StringComparison.Ordinal);
        Assert.Equal("MaxMessageBytes", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSourceOptions { MaxMessageBytes = 0 }.Validate).ParamName);
        Assert.Equal("HandlerTimeout", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSourceOptions { HandlerTimeout = TimeSpan.Zero }.Validate).ParamName);
        Assert.Equal("StatisticsInterval", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSourceOptions { StatisticsInterval = TimeSpan.FromSeconds(-1) }.Validate).ParamName);
        Assert.Equal("EventQueueCapacity", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSourceOptions { EventQueueCapacity = 0 }.Validate).ParamName);
        Assert.Equal("AutoOffsetReset", Assert.Throws<ArgumentOutOfRangeException>(new KafkaSourceOptions { AutoOffsetReset = (AutoOffsetReset)7 }.Validate).ParamName);
    }
}
