using System.Linq.Expressions;

namespace CallStream.Rules;

/// <summary>The clauses every rule can have, set in any order, each at most once; <see cref="Build"/> makes the rule.</summary>
/// <typeparam name="TSelf">The builder stage returned, so that calls chain.</typeparam>
public interface IRuleClauses<TSelf>
{
    /// <summary>Sets the filter (<c>where</c>): the rule ignores interactions for which it is false.</summary>
    /// <param name="condition">A condition over the interaction, such as <c>i =&gt; i.Outcome == Outcome.Failed</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The filter is already set, or the rule was already built.</exception>
    TSelf Where(Expression<Func<Interaction, bool>> condition);

    /// <summary>Sets the field whose value is the group key (<c>group by</c>).</summary>
    /// <typeparam name="TKey">The field's type.</typeparam>
    /// <param name="field">A field of the interaction, such as <c>i =&gt; i.CustomerId</c> or <c>i =&gt; i.Attributes["region"]</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="field"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The group is already set, or the rule was already built.</exception>
    TSelf GroupBy<TKey>(Expression<Func<Interaction, TKey>> field);

    /// <summary>Sets the alerts' severity; the default is <see cref="Severity.Warning"/>.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="severity"/> is not a defined value.</exception>
    /// <exception cref="InvalidOperationException">The severity is already set, or the rule was already built.</exception>
    TSelf WithSeverity(Severity severity);

    /// <summary>Sets the severity to <see cref="Severity.Info"/>.</summary>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The severity is already set, or the rule was already built.</exception>
    TSelf Info();

    /// <summary>Sets the severity to <see cref="Severity.Warning"/> (the default).</summary>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The severity is already set, or the rule was already built.</exception>
    TSelf Warning();

    /// <summary>Sets the severity to <see cref="Severity.Critical"/>.</summary>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The severity is already set, or the rule was already built.</exception>
    TSelf Critical();

    /// <summary>Keeps the rule quiet for a key for a while after each alert (<c>suppress</c>), in event time.</summary>
    /// <param name="period">The period; positive.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The suppression is already set, or the rule was already built.</exception>
    TSelf Suppress(TimeSpan period);

    /// <summary>Sets the message template (<c>message</c>), such as <c>"Customer {key}: {count(*)} failures"</c>.</summary>
    /// <param name="template">The template; placeholders are checked when the rule is built.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The message is already set, or the rule was already built.</exception>
    TSelf WithMessage(string template);

    /// <summary>Builds the rule; the builder cannot be used afterwards.</summary>
    /// <returns>The immutable rule.</returns>
    /// <exception cref="RuleValidationException">
    /// A lambda uses a construct the rule language does not have, or the rule breaks a rule of the language; the
    /// exception lists every problem.
    /// </exception>
    /// <exception cref="InvalidOperationException">The rule was already built.</exception>
    Rule Build();
}

/// <summary>Builds a rule in C# (start with <see cref="Rule.Named(string)"/>); a window can be added, then its <c>having</c>.</summary>
public interface IRuleBuilder : IRuleClauses<IRuleBuilder>
{
    /// <summary>Makes the rule windowed with a sliding window: the events of the group in <c>(t - length, t]</c>.</summary>
    /// <param name="length">The window length; positive.</param>
    /// <returns>The stage that takes the window's <c>having</c> condition.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The rule was already built, or already has a window.</exception>
    IRuleWindowStage SlidingWindow(TimeSpan length);

    /// <summary>Makes the rule windowed with tumbling windows <c>[k*length, (k+1)*length)</c> since the Unix epoch.</summary>
    /// <param name="length">The window length; positive.</param>
    /// <returns>The stage that takes the window's <c>having</c> condition.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The rule was already built, or already has a window.</exception>
    IRuleWindowStage TumblingWindow(TimeSpan length);
}

/// <summary>A rule with a window and no <c>having</c> yet: a window requires its aggregate condition.</summary>
public interface IRuleWindowStage
{
    /// <summary>Sets the aggregate condition over the window (<c>having</c>).</summary>
    /// <param name="condition">
    /// A condition over the window, such as <c>w =&gt; w.Count() &gt;= 5 &amp;&amp; w.Rate(i =&gt; i.Outcome == Outcome.Failed) &gt; 0.5</c>;
    /// <see cref="IAggregateWindow.Current"/> is the interaction being offered.
    /// </param>
    /// <returns>The builder of the windowed rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The rule was already built, or already has a having condition.</exception>
    IWindowedRuleBuilder Having(Expression<Func<IAggregateWindow, bool>> condition);
}

/// <summary>Builds a windowed rule whose window and <c>having</c> are set.</summary>
public interface IWindowedRuleBuilder : IRuleClauses<IWindowedRuleBuilder>
{
}
