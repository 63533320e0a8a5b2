using System.Diagnostics;
using BenchmarkDotNet.Running;
using CallStream.Benchmarks;

// Run all: dotnet run -c Release --project benchmarks/CallStream.Benchmarks -- --filter '*'
// One class: ... -- --filter '*JsonBenchmarks*'
// Quick ratios without BenchmarkDotNet (Stopwatch, same process): ... -- quick [pipeline|kafka|repartition|rules|shapes|json|rx] [rounds]
// ("all" runs pipeline and kafka; "rules" is the engine's cost per event for each default rule alone, over 1,000,000 events;
// "shapes" the rule-shape matrix, RuleShapes: QUICK_ONLY=TEXT runs the cells whose name contains TEXT, QUICK_EVENTS=N sets the events per cell;
// "json" reads 200,000 distinct messages through each JSON reader; "compression" produces 200,000 interactions with
// each producer compression and reads them back, and prints the time and the bytes fetched;
// QUICK_ONLY=NAME runs one case; QUICK_REPEAT=N runs each case N times per measurement; QUICK_GCTRACE=1 also counts collections by generation and large-object allocations by type,
// QUICK_GCTRACE=all every allocation by type (one count per 100 KB); QUICK_LAYOUT=bulk writes the Kafka topic in 1 MB batches;
// QUICK_SET="name=value;..." passes client settings to the Kafka sources; a consumer app's GC settings, as the
// Kafka benchmarks' second BenchmarkDotNet job: DOTNET_gcServer=1 DOTNET_GCHeapCount=1 DOTNET_GCNoAffinitize=1)
if (args.Length > 0 && args[0] == "quick")
{
    using var trace = Environment.GetEnvironmentVariable("QUICK_GCTRACE") is { Length: > 0 } ? new GcTrace() : null;
    QuickRun(args.Length > 1 ? args[1] : "all", args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
    foreach (var (k, v) in GcTrace.Counts.OrderBy(p => p.Key))
        Console.WriteLine($"{k}: {v}");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

static void QuickRun(string which, int rounds)
{
    if (which is "all" or "pipeline")
    {
        var bench = new PipelineBenchmarks();
        bench.Setup();
        Measure("pipeline", rounds, PipelineBenchmarks.EventCount, [("engine", () => bench.Engine()), ("pipeline", () => bench.Pipeline().GetAwaiter().GetResult())]);
    }
    if (which is "rules")
    {
        const int Events = 1_000_000;
        var events = GeneratedInteractions.InOrder(Events);
        // The same events in end order, as a live feed delivers them, for the engine in EventTimeMode.End.
        var byEnd = events.OrderBy(e => e.StartTime.AddSeconds(e.DurationSeconds)).ThenBy(e => e.InteractionId, StringComparer.Ordinal).ToArray();
        long RunEngine(CallStream.Rules.RuleSet rules, CallStream.Rules.EventTimeMode mode = CallStream.Rules.EventTimeMode.Start)
        {
            long alerts = 0;
            using var engine = new CallStream.Rules.RuleEngine(rules, _ => alerts++, new CallStream.Rules.RuleEngineOptions { EventTime = mode });
            foreach (var e in mode == CallStream.Rules.EventTimeMode.End ? byEnd : events)
                engine.Offer(e);
            engine.Complete();
            return alerts;
        }
        var defaults = CallStream.Rules.DefaultRules.RuleSet;
        var cases = new List<(string Name, Func<long> Run)> { ("ordering", () => RunEngine(CallStream.Rules.RuleSet.Empty)) };
        foreach (var rule in defaults)
            cases.Add((rule.Name, () => RunEngine(CallStream.Rules.RuleSet.Create(rule))));
        cases.Add(("all 7", () => RunEngine(defaults)));
        cases.Add(("all 7 end", () => RunEngine(defaults, CallStream.Rules.EventTimeMode.End)));
        Measure("rules", rounds, Events, [.. cases]);
    }
    if (which is "json")
    {
        // 200,000 distinct messages (5,000 customers, 676 agents), as the Kafka source reads them one after the other.
        var messages = GeneratedInteractions.InOrder(200_000).Select(e => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(e, CallStream.Json.CallStreamJsonContext.Default.Interaction)).ToArray();
        long ReadAll(Func<byte[], CallStream.Interaction?> read)
        {
            long total = 0;
            foreach (var message in messages)
                total += read(message)!.InteractionId.Length;
            return total;
        }
        var shared = new CallStream.Json.InteractionJsonReader();
        Measure("json", rounds, messages.Length, [
            ("serializer", () => ReadAll(m => System.Text.Json.JsonSerializer.Deserialize(m, CallStream.Json.CallStreamJsonContext.Default.Interaction))),
            ("one pass", () => ReadAll(m => CallStream.Json.InteractionJson.Deserialize(m))),
            ("shared", () => ReadAll(m => shared.Read(m)))]);
    }
    if (which is "repartition")
    {
        // The repartition hop: every default rule on one pipeline (no hop), one member of the topology, two members.
        var bench = new RepartitionBenchmarks();
        bench.Setup();
        try
        {
            // Each case's consumers start and settle untimed, before the messages are written.
            Measure("repartition", rounds, RepartitionBenchmarks.MessageCount, [
                ("no hop", () => bench.AllRulesOnOnePipeline()),
                ("1 member", () => bench.OneMember()),
                ("2 members", () => bench.TwoMembers())],
                [(bench.StartPipeline, bench.Stop), (bench.StartOneMember, bench.Stop), (bench.StartTwoMembers, bench.Stop)]);
            Console.WriteLine(bench.MeasureHop());
        }
        finally
        {
            bench.Cleanup();
        }
    }
    if (which is "rx")
    {
        var bench = new RxBenchmarks();
        bench.Setup();
        Measure("rx", rounds, RxBenchmarks.EventCount, [("engine", () => bench.Engine()), ("rx", () => bench.Rx()), ("replay csv", () => bench.ReplayCsv()), ("rx csv", () => bench.RxCsv())]);
    }
    if (which is "compression")
        CompressionQuick.Run(rounds);
    if (which is "shapes")
        RuleShapes.RunQuick(rounds, int.TryParse(Environment.GetEnvironmentVariable("QUICK_EVENTS"), out int events) && events > 0 ? events : RuleShapeBenchmarks.EventCount);
    if (which is "all" or "kafka")
    {
        var bench = new KafkaConsumeBenchmarks();
        bench.Setup();
        try
        {
            Measure("kafka", rounds, KafkaConsumeBenchmarks.MessageCount, [("bare+json", () => bench.BareConsumerWithJson()), ("bare", () => bench.BareConsumer()), ("source", () => bench.Source().GetAwaiter().GetResult()), ("src+engine", () => bench.SourceAndEngine().GetAwaiter().GetResult()), ("pipeline", () => bench.Pipeline().GetAwaiter().GetResult()), ("pipe+ids", () => bench.PipelineWithInteractionSink().GetAwaiter().GetResult())]);
        }
        finally
        {
            bench.Cleanup();
        }
    }
}

// around: per case, what runs untimed before and after each measurement (starting and stopping consumers).
static void Measure(string title, int rounds, int operations, (string Name, Func<long> Run)[] cases, (Action Before, Action After)[]? around = null)
{
    if (Environment.GetEnvironmentVariable("QUICK_ONLY") is { Length: > 0 } only)
    {
        around = around is null ? null : [.. around.Where((_, i) => cases[i].Name == only)];
        cases = [.. cases.Where(c => c.Name == only)];
    }
    // QUICK_REPEAT=N runs each case N times per measurement: longer measurements, for a coarse CPU clock on a busy machine.
    int repeats = around is null && int.TryParse(Environment.GetEnvironmentVariable("QUICK_REPEAT"), out int n) && n > 0 ? n : 1;
    operations *= repeats;
    var best = new double[cases.Length];
    for (int round = 0; round <= rounds; round++)
    {
        for (int i = 0; i < cases.Length; i++)
        {
            around?[i].Before();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            long start = Stopwatch.GetTimestamp();
            KafkaConsumeBenchmarks.MaxHeld = 0;
            long result = 0;
            for (int repeat = 0; repeat < repeats; repeat++)
                result = cases[i].Run();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            around?[i].After();
            if (round > 0)
                best[i] = Math.Max(best[i], operations / seconds);
            Console.WriteLine($"{title} round {round}{(round == 0 ? " (warm-up)" : "")}: {cases[i].Name,-10} {operations / seconds,12:N0} ops/s  ({seconds:F2} s, CPU {cpu / operations * 1e6:F2} µs/op, {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / operations} B/op, GC0 {GC.CollectionCount(0) - gen0} GC1 {GC.CollectionCount(1) - gen1} GC2 {GC.CollectionCount(2) - gen2}, pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms, result {result}{(KafkaConsumeBenchmarks.MaxHeld > 0 ? $", held up to {KafkaConsumeBenchmarks.MaxHeld:N0}" : "")})");
        }
    }
    for (int i = 0; i < cases.Length; i++)
        Console.WriteLine($"{title} best: {cases[i].Name,-10} {best[i],12:N0} ops/s  ({1e9 / best[i]:N0} ns/op)  ratio to first {best[0] / best[i]:F2}x");
}
