using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using CallStream.Rules;

namespace CallStream.Benchmarks;

/// <summary>
/// Parsing rule text, type checking included: the seven default rules (per parse), and a large generated file
/// of <see cref="LargeRuleCount"/> varied rules (per rule, so the figure reads as ns/rule).
/// </summary>
[MemoryDiagnoser]
public class RuleParseBenchmarks
{
    /// <summary>The number of rules in the large generated file.</summary>
    public const int LargeRuleCount = 2_000;

    private string _defaults = "";
    private string _large = "";

    [GlobalSetup]
    public void Setup()
    {
        _defaults = DefaultRules.Text;
        _large = GenerateRules(LargeRuleCount);
        var result = RuleText.Parse(_large, "large.rules");
        if (!result.Succeeded || result.RuleSet.Count != LargeRuleCount)
            throw new InvalidOperationException("The generated rules do not parse: " + string.Join(Environment.NewLine, result.Diagnostics));
    }

    [Benchmark]
    public RuleSet ParseDefaultRules() => RuleText.Parse(_defaults, DefaultRules.FileName).RuleSet!;

    [Benchmark(OperationsPerInvoke = LargeRuleCount)]
    public RuleSet ParseLargeFile() => RuleText.Parse(_large, "large.rules").RuleSet!;

    /// <summary>Writes <paramref name="count"/> rules cycling through five shapes: filters, sliding and tumbling windows, every aggregate.</summary>
    internal static string GenerateRules(int count)
    {
        string[] shapes =
        [
            """
            # A long call, per event.
            rule LongCall_N
              where duration_seconds > T and channel in ('voice', 'video') and outcome != 'resolved'
              severity warning
              message "Interaction {interaction_id} ({channel}) of customer {customer_id} lasted {duration_seconds} s"
            """,
            """
            rule RepeatedFailures_N
              where outcome = 'failed'
              group by customer_id
              window sliding 1h
              having count(*) >= 5
              severity critical
              suppress 1h
              message "Customer {key}: {count(*)} failed contacts within an hour"
            """,
            """
            rule AgentFailureRate_N
              group by agent_id
              window tumbling 1d
              having count(*) >= 10 and rate(outcome = 'failed') > 0.5
              message "Agent {key}: failure rate {rate(outcome = 'failed')} over {count(*)} contacts"
            """,
            """
            rule RegionStats_N
              where attributes.region in ('north', 'south') and start_time >= '2025-01-06T08:00:00Z'
              group by attributes.region
              window sliding 2h
              having avg(satisfaction) < 2.5 and min(duration_seconds) > 30 and max(duration_seconds) < Ts and distinct(agent_id) >= 3
              severity info
              suppress 30m
            """,
            """
            rule Arithmetic_N
              where not (satisfaction is null) and duration_seconds / 60 - 2 * (satisfaction + 1) >= -1.5 or agent_id = 'A000N'
              severity info
            """,
        ];
        var text = new StringBuilder(count * 260);
        for (int i = 0; i < count; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            string threshold = (2700 + (i % 900)).ToString(CultureInfo.InvariantCulture);
            text.Append(shapes[i % shapes.Length].Replace("_N", "_" + n, StringComparison.Ordinal)
                .Replace("A000N", "A" + n, StringComparison.Ordinal)
                .Replace("< Ts", "< " + threshold + "s", StringComparison.Ordinal)
                .Replace("> T ", "> " + threshold + " ", StringComparison.Ordinal));
            text.Append("\n\n");
        }
        return text.ToString();
    }
}
