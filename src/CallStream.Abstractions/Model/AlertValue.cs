namespace CallStream;

/// <summary>One aggregate of a windowed rule's <c>having</c> clause and its value when the alert fired.</summary>
/// <param name="Expression">The aggregate's text as written in the rule, for example <c>count(*)</c>.</param>
/// <param name="Value">Its value, or <see langword="null"/> (for example <c>avg</c> over no values).</param>
public readonly record struct AlertValue(string Expression, double? Value);
