namespace CallStream.Kafka.Tests.Source;

/// <summary>What the source reads from librdkafka's statistics.</summary>
public sealed class ConsumerStatisticsTests
{
    // Trimmed from a real statistics document of librdkafka 2.16.0 while broker 3 was down.
    private const string Json = """
        { "name": "c", "brokers": {
            "127.0.0.1:41889/2": { "name": "127.0.0.1:41889/2", "nodeid": 2, "state": "UP" },
            "127.0.0.1:39671/1": { "name": "127.0.0.1:39671/1", "nodeid": 1, "state": "UP" },
            "127.0.0.1:40001/4": { "name": "127.0.0.1:40001/4", "nodeid": 4, "state": "TRY_CONNECT" },
            "GroupCoordinator": { "name": "GroupCoordinator", "nodeid": -1, "state": "UP" } },
          "topics": { "t": { "topic": "t", "partitions": {
            "0": { "partition": 0, "broker": 1, "leader": 1, "hi_offset": 10 },
            "1": { "partition": 1, "broker": 2, "leader": 2, "hi_offset": 7 },
            "2": { "partition": 2, "broker": -1, "leader": 3, "hi_offset": 10 },
            "3": { "partition": 3, "broker": 4, "leader": 4, "hi_offset": -1001 },
            "-1": { "partition": -1, "broker": -1, "leader": -1, "hi_offset": -1001 } } },
            "other": { "topic": "other", "partitions": { "9": { "partition": 9, "broker": 1, "leader": 1, "hi_offset": 1 } } } } }
        """;

    [Fact]
    public void Parse_TellsWhichLeadersAreReachable_AndThePartitionEnds()
    {
        var stats = ConsumerStatistics.Parse(Json, "t");
        Assert.Equal([0, 1, 2, 3], stats.Partitions.Keys.Order());
        Assert.Equal(new PartitionStatistics(1, true, 10), stats.Partitions[0]);
        Assert.Equal(new PartitionStatistics(2, true, 7), stats.Partitions[1]);
        Assert.Equal(new PartitionStatistics(3, false, 10), stats.Partitions[2]);
        Assert.Equal(new PartitionStatistics(4, false, -1001), stats.Partitions[3]);
    }

    [Fact]
    public void Parse_UnknownTopicOrEmptyDocument_HasNoPartitions()
    {
        Assert.Empty(ConsumerStatistics.Parse(Json, "missing").Partitions);
        Assert.Empty(ConsumerStatistics.Parse("{}", "t").Partitions);
    }
}
