namespace CallStream.Rules;

/// <summary>One piece of a parsed <see cref="MessageTemplate"/>: literal text or a placeholder.</summary>
public abstract record MessageSegment;

/// <summary>Literal text, with <c>{{</c> and <c>}}</c> already turned into single braces.</summary>
/// <param name="Text">The text.</param>
public sealed record LiteralSegment(string Text) : MessageSegment;

/// <summary>A field of the triggering interaction, such as <c>{agent_id}</c> or <c>{attributes.region}</c>.</summary>
/// <param name="Field">The field.</param>
public sealed record FieldSegment(Field Field) : MessageSegment;

/// <summary>The group key of the alert, <c>{key}</c>.</summary>
public sealed record KeySegment : MessageSegment;

/// <summary>The rule's name, <c>{rule}</c>.</summary>
public sealed record RuleNameSegment : MessageSegment;

/// <summary>The value in the window of an aggregate of the rule's <c>having</c> clause, such as <c>{count(*)}</c>.</summary>
/// <param name="Aggregate">The aggregate, equal to one of the rule's <see cref="Rule.Aggregates"/>.</param>
/// <param name="Text">The aggregate's canonical text (the printer's), which also keys the alert's <c>values</c>.</param>
public sealed record AggregateSegment(AggregateExpr Aggregate, string Text) : MessageSegment;
