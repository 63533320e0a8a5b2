using CallStream.Csv;
using CallStream.Generation;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>Input for the benchmarks: realistic generated interactions and logs, made once per benchmark setup.</summary>
internal static class GeneratedInteractions
{
    /// <summary>Generates interactions in event-time order (ten thousand a working day; the generator's defaults).</summary>
    public static Interaction[] InOrder(int count) => new InteractionGenerator().Generate(count).ToArray();

    /// <summary>Generates a CSV log in the <c>callstream generate</c> format (9 columns), in memory.</summary>
    public static byte[] CsvFile(int rows)
    {
        var generator = new InteractionGenerator();
        using var buffer = new MemoryStream();
        using (var writer = new CsvInteractionWriter(buffer, generator.AttributeColumns, leaveOpen: true))
        {
            foreach (var interaction in generator.Generate(rows))
                writer.Write(interaction);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Reorders events as several partitions would deliver them: each event arrives up to <paramref name="maxDelay"/>
    /// after its start time, in arrival order (deterministic).
    /// </summary>
    public static Interaction[] Jittered(Interaction[] events, TimeSpan maxDelay)
    {
        var random = new Random(7);
        var arrival = new long[events.Length];
        for (int i = 0; i < events.Length; i++)
            arrival[i] = events[i].StartTime.UtcTicks + (long)(random.NextDouble() * maxDelay.Ticks);
        var reordered = (Interaction[])events.Clone();
        Array.Sort(arrival, reordered);
        return reordered;
    }

    /// <summary>Compiles a rule text for the evaluator benchmarks.</summary>
    public static CompiledRuleSet Compile(string text) => CompiledRuleSet.Compile(RuleSet.Parse(text));

    /// <summary>Runs already-ordered events through a fresh evaluator, so state build-up and alerts are measured too.</summary>
    public static RuleEvaluator EvaluateAll(CompiledRuleSet rules, Interaction[] events, List<Alert> alerts)
    {
        var evaluator = new RuleEvaluator(rules);
        alerts.Clear();
        foreach (var e in events)
            evaluator.Evaluate(e, alerts);
        return evaluator;
    }
}
