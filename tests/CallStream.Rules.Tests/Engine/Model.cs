namespace CallStream.Rules.Tests.Engine;

/// <summary>Short constructors of rule models, so tests read close to the rule language.</summary>
internal static class Model
{
    public static FieldExpr InteractionId => new(Field.InteractionId);

    public static FieldExpr CustomerId => new(Field.CustomerId);

    public static FieldExpr AgentId => new(Field.AgentId);

    public static FieldExpr ChannelField => new(Field.Channel);

    public static FieldExpr OutcomeField => new(Field.Outcome);

    public static FieldExpr StartTime => new(Field.StartTime);

    public static FieldExpr Duration => new(Field.DurationSeconds);

    public static FieldExpr Satisfaction => new(Field.Satisfaction);

    public static NullLiteral Null => new();

    public static AggregateExpr CountAll => new(AggregateKind.CountAll, null);

    public static FieldExpr Attr(string name) => new(Field.Attribute(name));

    public static NumberLiteral Num(double value) => new(value);

    public static StringLiteral Str(string value) => new(value);

    public static DurationLiteral Dur(TimeSpan value) => new(value);

    public static BoolLiteral Bool(bool value) => new(value);

    public static BinaryExpr Eq(Expr l, Expr r) => new(BinaryOp.Equal, l, r);

    public static BinaryExpr Ne(Expr l, Expr r) => new(BinaryOp.NotEqual, l, r);

    public static BinaryExpr Lt(Expr l, Expr r) => new(BinaryOp.Less, l, r);

    public static BinaryExpr Le(Expr l, Expr r) => new(BinaryOp.LessOrEqual, l, r);

    public static BinaryExpr Gt(Expr l, Expr r) => new(BinaryOp.Greater, l, r);

    public static BinaryExpr Ge(Expr l, Expr r) => new(BinaryOp.GreaterOrEqual, l, r);

    public static BinaryExpr And(Expr l, Expr r) => new(BinaryOp.And, l, r);

    public static BinaryExpr Or(Expr l, Expr r) => new(BinaryOp.Or, l, r);

    public static BinaryExpr Add(Expr l, Expr r) => new(BinaryOp.Add, l, r);

    public static BinaryExpr Sub(Expr l, Expr r) => new(BinaryOp.Subtract, l, r);

    public static BinaryExpr Mul(Expr l, Expr r) => new(BinaryOp.Multiply, l, r);

    public static BinaryExpr Div(Expr l, Expr r) => new(BinaryOp.Divide, l, r);

    public static UnaryExpr Not(Expr operand) => new(UnaryOp.Not, operand);

    public static UnaryExpr Neg(Expr operand) => new(UnaryOp.Negate, operand);

    public static IsNullExpr IsNull(Expr operand) => new(operand, Negated: false);

    public static IsNullExpr IsNotNull(Expr operand) => new(operand, Negated: true);

    public static InExpr In(Expr operand, params Expr[] values) => new(operand, new ValueList<Expr>(values));

    public static AggregateExpr Count(Expr condition) => new(AggregateKind.Count, condition);

    public static AggregateExpr Rate(Expr condition) => new(AggregateKind.Rate, condition);

    public static AggregateExpr Sum(Expr value) => new(AggregateKind.Sum, value);

    public static AggregateExpr Avg(Expr value) => new(AggregateKind.Avg, value);

    public static AggregateExpr Min(Expr value) => new(AggregateKind.Min, value);

    public static AggregateExpr Max(Expr value) => new(AggregateKind.Max, value);

    public static AggregateExpr Distinct(Expr value) => new(AggregateKind.Distinct, value);

    public static WindowSpec Sliding(TimeSpan length) => new(WindowKind.Sliding, length);

    public static WindowSpec Tumbling(TimeSpan length) => new(WindowKind.Tumbling, length);

    public static RuleSet Set(params Rule[] rules) => new(rules);

    /// <summary>The eight default rules of <c>default.rules</c>, built as a model.</summary>
    public static RuleSet DefaultRuleSet() => Set(
        new Rule(
            "LongCall",
            where: Gt(Duration, Num(3000)),
            severity: Severity.Warning,
            message: "Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s"),
        new Rule(
            "FailedLongCall",
            where: And(Eq(OutcomeField, Str("failed")), Gt(Duration, Dur(TimeSpan.FromMinutes(20)))),
            severity: Severity.Info,
            message: "Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} failed after {duration_seconds} s"),
        new Rule(
            "FailingCustomer",
            where: Eq(OutcomeField, Str("failed")),
            groupBy: Field.CustomerId,
            window: Tumbling(TimeSpan.FromDays(1)),
            having: Ge(CountAll, Num(3)),
            severity: Severity.Warning,
            message: "Customer {key}: {count(*)} failed contacts today"),
        new Rule(
            "RepeatedFailures",
            where: Eq(OutcomeField, Str("failed")),
            groupBy: Field.CustomerId,
            window: Sliding(TimeSpan.FromHours(1)),
            having: Ge(CountAll, Num(5)),
            severity: Severity.Critical,
            suppress: TimeSpan.FromHours(1),
            message: "Customer {key}: {count(*)} failed contacts within an hour"),
        new Rule(
            "AgentFailureRate",
            groupBy: Field.AgentId,
            window: Tumbling(TimeSpan.FromDays(1)),
            having: And(Ge(CountAll, Num(10)), Gt(Rate(Eq(OutcomeField, Str("failed"))), Num(0.5))),
            severity: Severity.Warning,
            message: "Agent {key}: {count(*)} contacts today, failure rate {rate(outcome = 'failed')}"),
        new Rule(
            "LongVideoCall",
            where: And(And(Eq(ChannelField, Str("video")), Gt(Duration, Dur(TimeSpan.FromMinutes(45)))), Le(Duration, Dur(TimeSpan.FromMinutes(50)))),
            severity: Severity.Info,
            message: "Video call {interaction_id} of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s"),
        new Rule(
            "AgentLowSatisfaction",
            groupBy: Field.AgentId,
            window: Tumbling(TimeSpan.FromDays(1)),
            having: And(Ge(Count(IsNotNull(Satisfaction)), Num(8)), Lt(Avg(Satisfaction), Num(2.5))),
            severity: Severity.Warning,
            message: "Agent {key}: average satisfaction {avg(satisfaction)} over {count(satisfaction is not null)} rated contacts today"),
        new Rule(
            "ProblematicSpike",
            groupBy: Field.Channel,
            window: Tumbling(TimeSpan.FromHours(1)),
            having: And(Ge(CountAll, Num(50)), Ge(Rate(Eq(OutcomeField, Str("problematic"))), Num(0.35))),
            severity: Severity.Warning,
            message: "Channel {key}: {rate(outcome = 'problematic')} of {count(*)} contacts problematic within the hour"));

    /// <summary>The seven rules of the fixture <c>default-rules-v1.rules</c> (the defaults before issue 12), built as a model.</summary>
    public static RuleSet DefaultRuleSetV1() => Set(
        new Rule(
            "LongCall",
            where: Gt(Duration, Num(3000)),
            severity: Severity.Warning,
            message: "Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s"),
        new Rule(
            "FailedCall",
            where: Eq(OutcomeField, Str("failed")),
            severity: Severity.Info,
            message: "Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} failed"),
        new Rule(
            "RepeatedFailures",
            where: Eq(OutcomeField, Str("failed")),
            groupBy: Field.CustomerId,
            window: Sliding(TimeSpan.FromHours(1)),
            having: Ge(CountAll, Num(5)),
            severity: Severity.Critical,
            suppress: TimeSpan.FromHours(1),
            message: "Customer {key}: {count(*)} failed contacts within an hour"),
        new Rule(
            "AgentFailureRate",
            groupBy: Field.AgentId,
            window: Tumbling(TimeSpan.FromDays(1)),
            having: And(Ge(CountAll, Num(10)), Gt(Rate(Eq(OutcomeField, Str("failed"))), Num(0.5))),
            severity: Severity.Warning,
            message: "Agent {key}: {count(*)} contacts today, failure rate {rate(outcome = 'failed')}"),
        new Rule(
            "LongVideoCall",
            where: And(Eq(ChannelField, Str("video")), Gt(Duration, Dur(TimeSpan.FromMinutes(45)))),
            severity: Severity.Info,
            message: "Video call {interaction_id} of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s"),
        new Rule(
            "LowSatisfactionStreak",
            groupBy: Field.AgentId,
            window: Sliding(TimeSpan.FromHours(2)),
            having: And(Ge(Count(IsNotNull(Satisfaction)), Num(3)), Lt(Avg(Satisfaction), Num(2))),
            severity: Severity.Warning,
            suppress: TimeSpan.FromHours(2),
            message: "Agent {key}: average satisfaction {avg(satisfaction)} over {count(satisfaction is not null)} rated contacts in two hours"),
        new Rule(
            "ProblematicSpike",
            groupBy: Field.Channel,
            window: Tumbling(TimeSpan.FromHours(1)),
            having: And(Ge(CountAll, Num(20)), Ge(Rate(Eq(OutcomeField, Str("problematic"))), Num(0.3))),
            severity: Severity.Warning,
            message: "Channel {key}: {rate(outcome = 'problematic')} of {count(*)} contacts problematic within the hour"));
}
