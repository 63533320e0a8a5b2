using System.Text;
using static CallStream.Rules.Tests.RuleTestText;

namespace CallStream.Rules.Tests;

public class RoundTripTests
{
    public static TheoryData<string> Corpus =>
    [
        "rule LongCall where duration_seconds > 50m severity warning message \"Call {interaction_id} by agent {agent_id} lasted {duration_seconds} s\"",
        "rule RepeatedFailures where outcome = 'failed' group by customer_id window sliding 1h having count(*) >= 5 severity critical suppress 1h message \"Customer {key}: {count(*)} failed contacts within an hour\"",
        "rule AgentFailureRate group by agent_id window tumbling 1d having count(*) >= 10 and rate(outcome = 'failed') > 0.5 severity warning",
        "rule Unhappy where satisfaction is not null and satisfaction <= 2 severity info",
        "rule NoScore where satisfaction is null and channel in ('voice', 'Video Call', 'PHONE')",
        "rule Region where attributes.region = 'eu-west' or attributes.region is null message 'region {attributes.region} {{literal}}'",
        "rule Arithmetic where duration_seconds / 60 - 2 * (satisfaction + 1) >= -1.5 and -satisfaction < -(2)",
        "rule Instants where start_time >= '2024-03-01T00:00:00Z' and start_time < '2024-03-02 00:00:00+01:00'",
        "rule Bools where not (true = false) or (agent_id = 'a') != (customer_id = 'b')",
        "rule Aggregates window sliding 90s having sum(duration_seconds) > 1h and avg(satisfaction) < 2.5 and min(duration_seconds) >= 0 and max(satisfaction) = 5 and distinct(agent_id) >= 3 message '{sum(duration_seconds)} {avg(satisfaction)} {distinct(agent_id)} {rule}'",
        "rule CountIf group by attributes.queue window tumbling 15m having count(channel = 'chat' and outcome != 'resolved') > 3 and channel = 'chat' suppress 0.5s",
        "rule Strings where agent_id = 'it\\'s' or customer_id = \"say \\\"hi\\\"\" or interaction_id = 'back\\\\slash' or agent_id = 'multi\nline'",
        "rule Numbers where duration_seconds in (0, 0.1, 1000000000000000000000, 3.25, -7) and satisfaction != 0.000001",
        "rule Durations where duration_seconds > 1.5h + 90s - 1d * 2 and duration_seconds < 0.25s",
        "rule Chains where agent_id = 'a' or agent_id = 'b' or agent_id = 'c' and customer_id = 'd' and not not true",
        "rule A1\nrule B2 severity critical\nrule C3 where false",
    ];

    [Theory]
    [MemberData(nameof(Corpus))]
    public void PrintThenParse_Corpus_GivesAnEqualModel(string text)
    {
        var rules = Valid(text);
        string printed = RuleText.Print(rules);
        var reparsed = Valid(printed);
        Assert.Equal(rules, reparsed);
        Assert.Equal(printed, RuleText.Print(reparsed));
    }

    [Fact]
    public void PrintThenParse_RandomModels_GiveEqualModels()
    {
        var generator = new RuleGenerator(new Random(20240301));
        int windowed = 0, messages = 0, deep = 0, aggregates = 0;
        for (int round = 0; round < 300; round++)
        {
            var rules = new RuleSet(Enumerable.Range(0, generator.Next(1, 5)).Select(i => generator.NextRule($"R{round}_{i}")));
            string printed = RuleText.Print(rules);
            var result = RuleText.Parse(printed, FileName);
            Assert.True(result.Succeeded, $"round {round}:\n{printed}\n{string.Join("\n", result.Diagnostics)}");
            Assert.Equal(rules, result.RuleSet);
            Assert.Equal(printed, RuleText.Print(result.RuleSet));
            windowed += rules.Count(r => r.IsWindowed);
            messages += rules.Count(r => r.Message is not null);
            deep += rules.Count(r => r.Where is BinaryExpr or UnaryExpr);
            aggregates += rules.Sum(r => r.Aggregates.Count);
        }

        // The generator covers the interesting shapes.
        Assert.True(windowed > 100 && messages > 100 && deep > 100 && aggregates > 100,
            $"windowed {windowed}, messages {messages}, deep {deep}, aggregates {aggregates}");
    }

    /// <summary>Generates random, valid rule models (seeded, so failures reproduce).</summary>
    private sealed class RuleGenerator
    {
        private static readonly Field[] NumberFields = [Field.DurationSeconds, Field.Satisfaction];
        private static readonly Field[] TextFields = [Field.InteractionId, Field.CustomerId, Field.AgentId, Field.Attribute("region"), Field.Attribute("_q9")];
        private static readonly string[] Channels = ["email", "chat", "voice", "video", "Voice Call", "PHONE", "call", "video call"];
        private static readonly string[] Outcomes = ["resolved", "Failed", "PROBLEMATIC"];
        private static readonly string[] Alphabet =
            ["a", "b", " ", "Z", "0", "9", "_", "'", "\"", "\\", "\n", "\r\n", "\t", "#", "{", "}", "(", ")", "*", "é", "€", "\U0001F600", ",", ".", ";", "=", "<", ">"];

        private readonly Random _random;

        public RuleGenerator(Random random) => _random = random;

        public int Next(int min, int max) => _random.Next(min, max);

        private bool Chance(int percent) => _random.Next(100) < percent;

        private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

        public Rule NextRule(string name)
        {
            bool windowed = Chance(50);
            var where = Chance(70) ? Bool(3, having: false, inAggregate: false) : null;
            var groupBy = Chance(50) ? Pick(Field.Known.Concat(TextFields).ToList()) : null;
            var window = windowed ? new WindowSpec(Chance(50) ? WindowKind.Sliding : WindowKind.Tumbling, PositiveDuration()) : null;
            var having = windowed ? Bool(3, having: true, inAggregate: false) : null;
            var severity = Pick(Enum.GetValues<Severity>());
            TimeSpan? suppress = Chance(40) ? PositiveDuration() : null;
            var draft = new Rule(name, where, groupBy, window, having, severity, suppress);
            string? message = Chance(60) ? Message(draft.Aggregates) : null;
            return new Rule(name, where, groupBy, window, having, severity, suppress, message);
        }

        private string Text(int maxLength)
        {
            var sb = new StringBuilder();
            int length = _random.Next(0, maxLength);
            for (int i = 0; i < length; i++)
                sb.Append(Pick(Alphabet));
            return sb.ToString();
        }

        private string Message(IReadOnlyList<AggregateExpr> aggregates)
        {
            var sb = new StringBuilder();
            int parts = _random.Next(0, 6);
            for (int i = 0; i < parts; i++)
            {
                switch (_random.Next(5))
                {
                    case 0:
                        sb.Append(Text(8).Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
                        break;
                    case 1:
                        sb.Append('{').Append(Pick(Field.Known.Concat(TextFields).ToList()).Name).Append('}');
                        break;
                    case 2:
                        sb.Append(Chance(50) ? "{key}" : "{rule}");
                        break;
                    default:
                        if (aggregates.Count > 0)
                            sb.Append('{').Append(RuleText.Print(Pick(aggregates))).Append('}');
                        break;
                }
            }
            return sb.ToString();
        }

        private TimeSpan PositiveDuration() => _random.Next(4) switch
        {
            0 => TimeSpan.FromDays(_random.Next(1, 30)),
            1 => TimeSpan.FromMinutes(_random.Next(1, 5000)),
            2 => TimeSpan.FromSeconds(_random.Next(1, 100000)),
            _ => TimeSpan.FromTicks(_random.NextInt64(1, TimeSpan.TicksPerDay * 400)),
        };

        private TimeSpan AnyDuration() => Chance(20) ? -PositiveDuration() : Chance(5) ? TimeSpan.Zero : PositiveDuration();

        private double AnyNumber() => _random.Next(6) switch
        {
            0 => _random.Next(-100, 1000),
            1 => Math.Round(_random.NextDouble() * 100, _random.Next(0, 6)),
            2 => -_random.NextDouble(),
            3 => Math.Pow(10, _random.Next(-30, 30)) * _random.NextDouble(),
            4 => BitConverter.Int64BitsToDouble(_random.NextInt64()) is var d && double.IsFinite(d) ? d : 1,
            _ => 0,
        };

        private Expr NumberLeaf(bool having, bool inAggregate) => _random.Next(having && !inAggregate ? 6 : 4) switch
        {
            0 => new NumberLiteral(AnyNumber()),
            1 => new DurationLiteral(AnyDuration()),
            2 => new FieldExpr(Pick(NumberFields)),
            3 => Chance(10) ? new NullLiteral() : new NumberLiteral(AnyNumber()),
            _ => Aggregate(),
        };

        private AggregateExpr Aggregate() => _random.Next(5) switch
        {
            0 => new AggregateExpr(AggregateKind.CountAll, null),
            1 => new AggregateExpr(Chance(50) ? AggregateKind.Count : AggregateKind.Rate, Bool(2, having: true, inAggregate: true)),
            2 => new AggregateExpr(Pick([AggregateKind.Sum, AggregateKind.Avg, AggregateKind.Min, AggregateKind.Max]), new FieldExpr(Pick(NumberFields))),
            3 => new AggregateExpr(AggregateKind.Distinct, new FieldExpr(Pick(Field.Known.Concat(TextFields).ToList()))),
            _ => new AggregateExpr(AggregateKind.CountAll, null),
        };

        private Expr Number(int depth, bool having, bool inAggregate)
        {
            if (depth <= 0 || Chance(40))
                return NumberLeaf(having, inAggregate);
            if (Chance(15))
                return new UnaryExpr(UnaryOp.Negate, Number(depth - 1, having, inAggregate));
            var op = Pick([BinaryOp.Add, BinaryOp.Subtract, BinaryOp.Multiply, BinaryOp.Divide]);
            return new BinaryExpr(op, Number(depth - 1, having, inAggregate), Number(depth - 1, having, inAggregate));
        }

        private static BinaryOp Comparison(Random random, bool equalityOnly) =>
            equalityOnly
                ? (random.Next(2) == 0 ? BinaryOp.Equal : BinaryOp.NotEqual)
                : (BinaryOp)random.Next((int)BinaryOp.Equal, (int)BinaryOp.GreaterOrEqual + 1);

        private Expr Swap(BinaryOp op, Expr a, Expr b) => Chance(50) ? new BinaryExpr(op, a, b) : new BinaryExpr(op, b, a);

        private Expr BoolLeaf(bool having, bool inAggregate)
        {
            switch (_random.Next(9))
            {
                case 0:
                    return new BoolLiteral(Chance(50));
                case 1:
                    return new BinaryExpr(Comparison(_random, false), Number(2, having, inAggregate), Number(2, having, inAggregate));
                case 2:
                    return Swap(Comparison(_random, false), new FieldExpr(Pick(TextFields)), Chance(70) ? new StringLiteral(Text(10)) : new FieldExpr(Pick(TextFields)));
                case 3:
                    return Swap(Comparison(_random, true), new FieldExpr(Field.Channel), new StringLiteral(Pick(Channels)));
                case 4:
                    return Swap(Comparison(_random, true), new FieldExpr(Field.Outcome), new StringLiteral(Pick(Outcomes)));
                case 5:
                {
                    var instant = new DateTimeOffset(_random.NextInt64(DateTimeOffset.UnixEpoch.Ticks, DateTimeOffset.UnixEpoch.Ticks + (TimeSpan.TicksPerDay * 20000)), TimeSpan.Zero);
                    return Swap(Comparison(_random, false), new FieldExpr(Field.StartTime), new StringLiteral(Iso8601.Format(instant)));
                }
                case 6:
                {
                    int count = _random.Next(1, 4);
                    return _random.Next(3) switch
                    {
                        0 => new InExpr(new FieldExpr(Pick(NumberFields)), new ValueList<Expr>(Enumerable.Range(0, count)
                            .Select(_ => Chance(70) ? (Expr)new NumberLiteral(AnyNumber()) : new DurationLiteral(AnyDuration())))),
                        1 => new InExpr(new FieldExpr(Pick(TextFields)), new ValueList<Expr>(Enumerable.Range(0, count).Select(_ => (Expr)new StringLiteral(Text(6))))),
                        _ => new InExpr(new FieldExpr(Field.Channel), new ValueList<Expr>(Enumerable.Range(0, count).Select(_ => (Expr)new StringLiteral(Pick(Channels))))),
                    };
                }
                case 7:
                    return new IsNullExpr(new FieldExpr(Pick(Field.Known.Concat(TextFields).ToList())), Chance(50));
                default:
                    return new BinaryExpr(Comparison(_random, true), new BoolLiteral(Chance(50)), new BinaryExpr(BinaryOp.Greater, Number(1, having, inAggregate), Number(1, having, inAggregate)));
            }
        }

        private Expr Bool(int depth, bool having, bool inAggregate)
        {
            if (depth <= 0 || Chance(35))
                return BoolLeaf(having, inAggregate);
            return _random.Next(4) switch
            {
                0 => new UnaryExpr(UnaryOp.Not, Bool(depth - 1, having, inAggregate)),
                1 => new BinaryExpr(BinaryOp.And, Bool(depth - 1, having, inAggregate), Bool(depth - 1, having, inAggregate)),
                2 => new BinaryExpr(BinaryOp.Or, Bool(depth - 1, having, inAggregate), Bool(depth - 1, having, inAggregate)),
                _ => new BinaryExpr(Comparison(_random, true), Bool(depth - 1, having, inAggregate), Bool(depth - 1, having, inAggregate)),
            };
        }
    }
}
