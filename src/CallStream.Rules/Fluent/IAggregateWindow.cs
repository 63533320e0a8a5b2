namespace CallStream.Rules;

/// <summary>
/// The events of a rule's current window and group, as seen by a <c>having</c> lambda of the fluent builder. Its
/// members are never called: the builder translates the lambda into the rule model, so the aggregates mean what
/// the rule language says (spec/rules.md), and numbers follow the language's arithmetic.
/// </summary>
public interface IAggregateWindow
{
    /// <summary>Gets the interaction being offered; its fields outside an aggregate refer to it.</summary>
    Interaction Current { get; }

    /// <summary><c>count(*)</c>: the number of events in the window.</summary>
    /// <returns>The count.</returns>
    long Count();

    /// <summary><c>count(condition)</c>: the number of events in the window for which the condition is true.</summary>
    /// <param name="condition">The condition, such as <c>i =&gt; i.Outcome == Outcome.Failed</c>.</param>
    /// <returns>The count.</returns>
    long Count(Func<Interaction, bool> condition);

    /// <summary><c>rate(condition)</c>: <c>count(condition) / count(*)</c>.</summary>
    /// <param name="condition">The condition.</param>
    /// <returns>The rate, from 0 to 1.</returns>
    double Rate(Func<Interaction, bool> condition);

    /// <summary><c>sum(field)</c> of a numeric field, nulls ignored; null when there are no values.</summary>
    /// <param name="field">The field, such as <c>i =&gt; i.DurationSeconds</c>.</param>
    /// <returns>The sum.</returns>
    double? Sum(Func<Interaction, double?> field);

    /// <summary><c>avg(field)</c> of a numeric field, nulls ignored; null when there are no values.</summary>
    /// <param name="field">The field, such as <c>i =&gt; i.Satisfaction</c>.</param>
    /// <returns>The average.</returns>
    double? Avg(Func<Interaction, double?> field);

    /// <summary><c>min(field)</c> of a numeric field, nulls ignored; null when there are no values.</summary>
    /// <param name="field">The field.</param>
    /// <returns>The minimum.</returns>
    double? Min(Func<Interaction, double?> field);

    /// <summary><c>max(field)</c> of a numeric field, nulls ignored; null when there are no values.</summary>
    /// <param name="field">The field.</param>
    /// <returns>The maximum.</returns>
    double? Max(Func<Interaction, double?> field);

    /// <summary><c>distinct(field)</c>: the number of distinct non-null values of a field.</summary>
    /// <typeparam name="T">The field's type.</typeparam>
    /// <param name="field">The field, such as <c>i =&gt; i.AgentId</c>.</param>
    /// <returns>The count.</returns>
    long Distinct<T>(Func<Interaction, T> field);
}
