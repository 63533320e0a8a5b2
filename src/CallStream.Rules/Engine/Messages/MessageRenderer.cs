using System.Globalization;
using System.Runtime.CompilerServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// A rule's message, compiled once from its parsed template (<see cref="Rule.Template"/>): literal text, fields of
/// the triggering interaction (<c>{customer_id}</c>, <c>{attributes.region}</c>), <c>{key}</c>, <c>{rule}</c>, and
/// aggregates of the having clause (<c>{count(*)}</c>) by slot. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Without a template the message is, for a per-event rule,
/// <c>{rule}: interaction {interaction_id} (customer {customer_id}, agent {agent_id})</c>, and for a windowed rule
/// <c>{rule}: {key} with count(*) = 5, rate(outcome = 'failed') = 0.6</c> listing every aggregate of the having
/// clause in order (just <c>{rule}: {key}</c> when having uses no aggregate). Aggregate values are rounded to 4
/// decimals in messages (see <see cref="NumberText"/>).
/// </remarks>
internal sealed class MessageRenderer
{
    /// <summary>The default template of per-event rules.</summary>
    public const string DefaultPerEventTemplate = "{rule}: interaction {interaction_id} (customer {customer_id}, agent {agent_id})";

    private static readonly MessageTemplate DefaultPerEvent = MessageTemplate.Parse(DefaultPerEventTemplate);

    private readonly Segment[] _segments;

    private MessageRenderer(Segment[] segments) => _segments = segments;

    /// <summary>Compiles the message of a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="aggregates">The rule's aggregates, or null for a per-event rule.</param>
    public static MessageRenderer Compile(Rule rule, AggregatePlan? aggregates)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Template is { } template)
            return new MessageRenderer(Bind(template, aggregates));
        if (aggregates is null)
            return new MessageRenderer(Bind(DefaultPerEvent, null));
        var segments = new List<Segment> { Segment.Rule, Segment.Literal(": "), Segment.Key };
        for (int slot = 0; slot < aggregates.SlotCount; slot++)
        {
            segments.Add(Segment.Literal((slot > 0 ? ", " : " with ") + aggregates.Texts[slot] + " = "));
            segments.Add(Segment.Aggregate(slot));
        }
        return new MessageRenderer([.. segments]);
    }

    /// <summary>Fills in the message for an alert.</summary>
    /// <param name="ruleName">The rule's name.</param>
    /// <param name="e">The triggering interaction.</param>
    /// <param name="key">The group key.</param>
    /// <param name="aggregates">The aggregate values by slot (NaN is null); empty for per-event rules.</param>
    public string Render(string ruleName, Interaction e, string key, double[] aggregates)
    {
        // Built on the stack (spilling to a pooled array for a long message): the message string is the only allocation.
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        foreach (var segment in _segments)
        {
            switch (segment.Kind)
            {
                case SegmentKind.Literal:
                    text.AppendLiteral(segment.Text!);
                    break;
                case SegmentKind.Rule:
                    text.AppendFormatted(ruleName);
                    break;
                case SegmentKind.Key:
                    text.AppendFormatted(key);
                    break;
                case SegmentKind.Field:
                    text.AppendFormatted(segment.Field!(e));
                    break;
                default:
                    text.AppendFormatted(NumberText.FormatAggregate(aggregates[segment.Slot]));
                    break;
            }
        }
        return text.ToStringAndClear();
    }

    private static Segment[] Bind(MessageTemplate template, AggregatePlan? aggregates) =>
        template.Segments.Select(segment => segment switch
        {
            LiteralSegment literal => Segment.Literal(literal.Text),
            FieldSegment field => Segment.OfField(FieldText.Reader(field.Field)),
            KeySegment => Segment.Key,
            RuleNameSegment => Segment.Rule,
            AggregateSegment aggregate when aggregates is not null => Segment.Aggregate(aggregates.SlotOf(aggregate.Aggregate)),
            _ => throw ExprCompiler.Unchecked(),
        }).ToArray();

    private enum SegmentKind
    {
        Literal,
        Rule,
        Key,
        Field,
        Aggregate,
    }

    private readonly record struct Segment(SegmentKind Kind, string? Text, Func<Interaction, string>? Field, int Slot)
    {
        public static Segment Rule => new(SegmentKind.Rule, null, null, -1);

        public static Segment Key => new(SegmentKind.Key, null, null, -1);

        public static Segment Literal(string text) => new(SegmentKind.Literal, text, null, -1);

        public static Segment OfField(Func<Interaction, string> field) => new(SegmentKind.Field, null, field, -1);

        public static Segment Aggregate(int slot) => new(SegmentKind.Aggregate, null, null, slot);
    }
}
