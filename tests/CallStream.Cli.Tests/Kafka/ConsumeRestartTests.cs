using System.Diagnostics;
using System.Globalization;
using System.Text;
using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Cli.Tests.Kafka;

/// <summary>
/// Reliability: <c>callstream consume</c> runs as a child process (the built CLI through <c>dotnet</c>), is killed
/// mid-stream and started again; then the CSV rows, the topic, the committed offsets and the alerts stored reconcile.
/// </summary>
public sealed class ConsumeRestartTests : IDisposable
{
    private const int Rows = 60_000;
    private const int Partitions = 4;
    private const string Group = "killed";
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task Consume_KilledMidStreamAndRestarted_LosesNothing_AndStoresEachAlertOnce()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var cluster = InProcessKafkaCluster.Start();
        string csv = await ProduceLogAsync(cluster, seed: 11);
        string alerts = _files.Temp(".ndjson");
        string[] consume =
        [
            "consume", "--kafka", cluster.BootstrapServers, "--group", Group, "--alerts", alerts, "--idle-exit", "1s",
            // The in-process cluster makes a member joining after another left wait for the session timeout less one second.
            "--kafka-setting", "session.timeout.ms=3000", "--kafka-setting", "heartbeat.interval.ms=500",
        ];

        // First run: killed (SIGKILL, no graceful stop) as soon as it has stored its first alerts.
        var first = Child.Start(consume);
        await first.WaitForAlertsAsync(alerts);
        first.Process.Kill(entireProcessTree: true);
        await first.Process.WaitForExitAsync(cancellation);
        long bytesAtKill = new FileInfo(alerts).Length;
        long committedAtKill = KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, Group);
        Assert.True(committedAtKill < Rows, $"everything was committed before the kill ({committedAtKill}): the kill was not mid-stream");

        // Second run: to the end of the topic.
        var second = Child.Start(consume);
        bool ended = second.Process.WaitForExit(TimeSpan.FromMinutes(3));
        if (!ended)
            second.Process.Kill(entireProcessTree: true);
        await second.Process.WaitForExitAsync(cancellation);
        Assert.True(ended && second.Process.ExitCode == ExitCodes.Success, "the second consumer failed:\n" + second.Output());

        // Reconcile: CSV rows = records on the topic = offsets committed; alerts stored = replay's, each id once.
        var expected = await _files.ReplayAsync(csv);
        var stored = KafkaCliFiles.ReadAlerts(alerts);
        long onTopic = KafkaCliFiles.CountRecords(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions);
        long committed = KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, Group);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"CSV rows {Rows}; on topic {onTopic}; committed at the kill {committedAtKill}, at the end {committed}; alert bytes at the kill {bytesAtKill}; "
            + $"alerts stored {stored.Count} (distinct {stored.Select(a => a.AlertId).Distinct().Count()}), replay {expected.Count}.\nsecond run: {second.Output()}"));
        Assert.Equal(Rows, onTopic);
        Assert.Equal(Rows, committed);
        KafkaCliFiles.AssertSameAlerts(expected, stored);
        Assert.Contains("consume: ", second.StandardOutput.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Crash safety across the repartition hop: the default rules group by agent and channel too, so each child runs the
    /// local rules, the forwarder and the repartition readers. The log arrives in chunks, as a live feed; after each
    /// chunk a child runs until the group chosen for this kill point has committed past where it stood, then a seeded
    /// moment more (so kills land before, during and after writes), and is SIGKILLed. After ten kill points a last
    /// child reads to the end: the alerts stored equal the replay's, each once, and each poison record was
    /// dead-lettered once.
    /// </summary>
    [Fact]
    public async Task Consume_SigkilledAtTenSeededPointsAcrossTheRepartitionHop_StoresTheReplaysAlertsOnce_AndEachDeadLetterOnce()
    {
        const int KillPoints = 10;
        const int Rows = 24_000;
        const string KillGroup = "sigkilled";
        var cancellation = TestContext.Current.CancellationToken;
        await using var cluster = InProcessKafkaCluster.Start();
        string[] groups = [KillGroup, RepartitionTopics.ForwarderGroupId(KillGroup), RepartitionTopics.GroupId(KillGroup, "agent_id"), RepartitionTopics.GroupId(KillGroup, "channel")];
        string[] topics = [KafkaSinkOptions.DefaultInteractionsTopic, KafkaSinkOptions.DefaultInteractionsTopic, RepartitionTopics.Name(KillGroup, "agent_id"), RepartitionTopics.Name(KillGroup, "channel")];
        // Every topic exists beforehand, as an operator would create them: the in-process cluster cannot on request.
        foreach (string topic in topics.Skip(1))
            cluster.CreateTopic(topic, Partitions, replicationFactor: 3);
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic + KafkaSourceOptions.DeadLetterSuffix, 1, replicationFactor: 3);
        foreach (string group in groups.Where(g => g != groups[1]))
            cluster.CreateTopic(group + KafkaSourceOptions.ProgressSuffix, 1, replicationFactor: 3);

        string csv = await _files.GenerateAsync(Rows, seed: 13);
        var rows = await File.ReadAllLinesAsync(csv, cancellation);
        var chunks = rows.Skip(1).Chunk(Rows / (KillPoints + 1)).ToList();
        string alerts = _files.Temp(".ndjson");
        string[] consume =
        [
            "consume", "--kafka", cluster.BootstrapServers, "--group", KillGroup, "--alerts", alerts,
            "--kafka-setting", "session.timeout.ms=3000", "--kafka-setting", "heartbeat.interval.ms=500",
        ];
        long Committed(int g) => KafkaCliFiles.CountCommitted(cluster, topics[g], Partitions, groups[g]);

        var random = new Random(20261207);
        var log = new StringBuilder();
        int poison = 0;
        for (int point = 0; point < KillPoints; point++)
        {
            string chunk = _files.Temp(".csv");
            await File.WriteAllLinesAsync(chunk, chunks[point].Prepend(rows[0]), cancellation);
            await KafkaCliFiles.ProduceAsync(cluster, chunk, chunks[point].Length);
            if (point % 3 == 0)
                poison += ProducePoison(cluster, point, 1);
            int group = random.Next(groups.Length);
            long before = Committed(group);
            var child = Child.Start(consume);
            var watch = Stopwatch.StartNew();
            while (!child.Process.HasExited && Committed(group) <= before && watch.Elapsed < TimeSpan.FromMinutes(2))
                await Task.Delay(50, cancellation);
            await Task.Delay(random.Next(0, 1500), cancellation);
            Assert.False(child.Process.HasExited, $"the child ended before kill point {point}:\n{log}\n{child.Output()}");
            child.Process.Kill(entireProcessTree: true);
            await child.Process.WaitForExitAsync(cancellation);
            log.AppendLine(CultureInfo.InvariantCulture, $"kill {point}: {groups[group]} committed {before} -> {Committed(group)} after {watch.Elapsed.TotalSeconds:0.0} s");
        }

        string rest = _files.Temp(".csv");
        await File.WriteAllLinesAsync(rest, chunks.Skip(KillPoints).SelectMany(c => c).Prepend(rows[0]), cancellation);
        await KafkaCliFiles.ProduceAsync(cluster, rest, chunks.Skip(KillPoints).Sum(c => c.Length));
        var last = Child.Start([.. consume, "--idle-exit", "2s"]);
        bool ended = last.Process.WaitForExit(TimeSpan.FromMinutes(4));
        if (!ended)
            last.Process.Kill(entireProcessTree: true);
        await last.Process.WaitForExitAsync(cancellation);
        TestContext.Current.TestOutputHelper?.WriteLine(log + "\nlast run:\n" + last.Output());
        Assert.True(ended && last.Process.ExitCode == ExitCodes.Success, "the last consumer failed:\n" + last.Output());

        var expected = await _files.ReplayAsync(csv);
        KafkaCliFiles.AssertSameAlerts(expected, KafkaCliFiles.ReadAlerts(alerts));
        Assert.Equal(Rows + poison, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, KillGroup));
        Assert.Equal(poison, KafkaCliFiles.CountRecords(cluster, KafkaSinkOptions.DefaultInteractionsTopic + KafkaSourceOptions.DeadLetterSuffix, 1));
    }

    [Fact]
    public async Task Consume_StopsGracefullyOnSigterm_CommittingWhatItStored()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is sent with kill(1)");
        var cancellation = TestContext.Current.CancellationToken;
        await using var cluster = InProcessKafkaCluster.Start();
        await ProduceLogAsync(cluster, seed: 12);
        string alerts = _files.Temp(".ndjson");

        var child = Child.Start(["consume", "--kafka", cluster.BootstrapServers, "--group", "terminated", "--alerts", alerts]);
        await child.WaitForAlertsAsync(alerts);
        using (var kill = Process.Start("kill", ["-TERM", child.Process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync(cancellation);
        bool ended = child.Process.WaitForExit(TimeSpan.FromMinutes(1));
        if (!ended)
            child.Process.Kill(entireProcessTree: true);
        await child.Process.WaitForExitAsync(cancellation);

        Assert.True(ended && child.Process.ExitCode == ExitCodes.Success, "no graceful stop:\n" + child.Output());
        Assert.Contains(" messages consumed from topic consumerdata", child.StandardOutput.ToString(), StringComparison.Ordinal);
        // Everything stored was committed on the way out: a restart would not even re-read it.
        long committed = KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, "terminated");
        Assert.True(committed > 0, "nothing was committed on SIGTERM:\n" + child.Output());
        TestContext.Current.TestOutputHelper?.WriteLine($"committed on SIGTERM: {committed} of {Rows}\n{child.Output()}");
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Produces records that are not interactions, one per partition from <paramref name="first"/>.</summary>
    private static int ProducePoison(InProcessKafkaCluster cluster, int first, int count)
    {
        using var producer = new ProducerBuilder<string, string>(cluster.CreateProducerConfig()).Build();
        for (int i = 0; i < count; i++)
        {
            var partition = new TopicPartition(KafkaSinkOptions.DefaultInteractionsTopic, (first + i) % Partitions);
            producer.Produce(partition, new Message<string, string> { Key = "poison", Value = "{\"interaction_id\": " + i + ", not json" });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return count;
    }

    /// <summary>Creates the topic and produces a generated log to it with the CLI.</summary>
    private async Task<string> ProduceLogAsync(InProcessKafkaCluster cluster, int seed)
    {
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, Partitions, replicationFactor: 3);
        string csv = await _files.GenerateAsync(Rows, seed);
        await KafkaCliFiles.ProduceAsync(cluster, csv, Rows);
        return csv;
    }

    /// <summary>The CLI running in a child process, its output collected.</summary>
    private sealed class Child
    {
        private Child(Process process) => Process = process;

        public Process Process { get; }

        public StringBuilder StandardOutput { get; } = new();

        public StringBuilder StandardError { get; } = new();

        public static Child Start(IEnumerable<string> arguments)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CallStream.Cli.dll"));
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            start.Environment.Remove(CliContext.KafkaVariable);
            start.Environment.Remove(CliContext.MongoVariable);
            var process = new Process { StartInfo = start };
            var child = new Child(process);
            process.OutputDataReceived += (_, e) => Append(child.StandardOutput, e.Data);
            process.ErrorDataReceived += (_, e) => Append(child.StandardError, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        /// <summary>Waits until the consumer has stored its first alerts (it is then mid-stream), failing if it ended first.</summary>
        public async Task WaitForAlertsAsync(string alerts)
        {
            var watch = Stopwatch.StartNew();
            while (!Process.HasExited && !(File.Exists(alerts) && new FileInfo(alerts).Length > 0) && watch.Elapsed < TimeSpan.FromMinutes(2))
                await Task.Delay(10, TestContext.Current.CancellationToken);
            Assert.False(Process.HasExited, "the consumer ended before it stored its first alerts:\n" + Output());
        }

        public string Output()
        {
            lock (StandardOutput)
            {
                lock (StandardError)
                    return StandardOutput + "\n" + StandardError;
            }
        }

        private static void Append(StringBuilder text, string? line)
        {
            if (line is null)
                return;
            lock (text)
                text.AppendLine(line);
        }
    }
}
