namespace CallStream.Rules;

/// <summary>
/// A node of a rule expression (the <c>where</c> and <c>having</c> clauses). Nodes are immutable records that
/// compare by value; they hold no source positions, so a rule parsed from text and the same rule built in C#
/// are equal.
/// </summary>
public abstract record Expr
{
    /// <summary>Gets the expression's canonical text in the rule language, such as <c>count(*) &gt;= 5</c>.</summary>
    /// <returns>The text, as <see cref="RuleText.Print(Expr)"/> writes it.</returns>
    public sealed override string ToString() => RulePrinter.Print(this);
}

/// <summary>A number literal, such as <c>42</c> or <c>0.5</c>.</summary>
/// <param name="Value">The value.</param>
public sealed record NumberLiteral(double Value) : Expr;

/// <summary>A duration literal, such as <c>50m</c>; used as a number it means its length in seconds.</summary>
/// <param name="Value">The length.</param>
public sealed record DurationLiteral(TimeSpan Value) : Expr;

/// <summary>A text literal, such as <c>'failed'</c>.</summary>
/// <param name="Value">The text, unescaped.</param>
public sealed record StringLiteral(string Value) : Expr;

/// <summary>The literal <c>true</c> or <c>false</c>.</summary>
/// <param name="Value">The value.</param>
public sealed record BoolLiteral(bool Value) : Expr;

/// <summary>The literal <c>null</c>.</summary>
public sealed record NullLiteral : Expr;

/// <summary>A reference to a field of the interaction, such as <c>duration_seconds</c> or <c>attributes.region</c>.</summary>
/// <param name="Field">The field.</param>
public sealed record FieldExpr(Field Field) : Expr;

/// <summary>A unary operation: <c>not x</c> or <c>-x</c>.</summary>
/// <param name="Op">The operator.</param>
/// <param name="Operand">The operand.</param>
public sealed record UnaryExpr(UnaryOp Op, Expr Operand) : Expr;

/// <summary>A binary operation: logic, comparison or arithmetic.</summary>
/// <param name="Op">The operator.</param>
/// <param name="Left">The left operand.</param>
/// <param name="Right">The right operand.</param>
public sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right) : Expr;

/// <summary><c>x in (a, b, ...)</c>: true when x equals one of the literals.</summary>
/// <param name="Operand">The tested value (a field).</param>
/// <param name="Values">The literals.</param>
public sealed record InExpr(Expr Operand, ValueList<Expr> Values) : Expr;

/// <summary><c>x is null</c>, or <c>x is not null</c> when <paramref name="Negated"/>.</summary>
/// <param name="Operand">The tested value.</param>
/// <param name="Negated">Whether this is <c>is not null</c>.</param>
public sealed record IsNullExpr(Expr Operand, bool Negated) : Expr;

/// <summary>
/// An aggregate over the events of the current window and group, only inside <c>having</c>:
/// <c>count(*)</c> (no argument), <c>count(cond)</c>, <c>rate(cond)</c>, <c>sum(f)</c>, <c>avg(f)</c>,
/// <c>min(f)</c>, <c>max(f)</c>, <c>distinct(f)</c>.
/// </summary>
/// <param name="Kind">The aggregate function.</param>
/// <param name="Argument">The condition or field; <see langword="null"/> for <c>count(*)</c>.</param>
public sealed record AggregateExpr(AggregateKind Kind, Expr? Argument) : Expr;

/// <summary>Unary operators.</summary>
public enum UnaryOp
{
    /// <summary>Logical negation, <c>not</c>.</summary>
    Not,

    /// <summary>Arithmetic negation, <c>-</c>.</summary>
    Negate,
}

/// <summary>Binary operators, loosest first.</summary>
public enum BinaryOp
{
    /// <summary><c>or</c></summary>
    Or,

    /// <summary><c>and</c></summary>
    And,

    /// <summary><c>=</c> (also written <c>==</c>)</summary>
    Equal,

    /// <summary><c>!=</c> (also written <c>&lt;&gt;</c>)</summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,

    /// <summary><c>+</c></summary>
    Add,

    /// <summary><c>-</c></summary>
    Subtract,

    /// <summary><c>*</c></summary>
    Multiply,

    /// <summary><c>/</c></summary>
    Divide,
}

/// <summary>Aggregate functions of the <c>having</c> clause.</summary>
public enum AggregateKind
{
    /// <summary><c>count(*)</c>: the number of events in the window.</summary>
    CountAll,

    /// <summary><c>count(cond)</c>: the number of events for which the condition is true.</summary>
    Count,

    /// <summary><c>rate(cond)</c>: <c>count(cond) / count(*)</c>.</summary>
    Rate,

    /// <summary><c>sum(f)</c> of a numeric field, nulls ignored.</summary>
    Sum,

    /// <summary><c>avg(f)</c> of a numeric field, nulls ignored; null when no values.</summary>
    Avg,

    /// <summary><c>min(f)</c> of a numeric field, nulls ignored; null when no values.</summary>
    Min,

    /// <summary><c>max(f)</c> of a numeric field, nulls ignored; null when no values.</summary>
    Max,

    /// <summary><c>distinct(f)</c>: the number of distinct non-null values.</summary>
    Distinct,
}
