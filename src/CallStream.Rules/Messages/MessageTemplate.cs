using System.Text;

namespace CallStream.Rules;

/// <summary>
/// A parsed alert message template (spec/rules.md): literal text, <c>{{</c> and <c>}}</c> for literal braces,
/// and placeholders — a field of the triggering interaction (<c>{agent_id}</c>, <c>{attributes.region}</c>),
/// <c>{key}</c>, <c>{rule}</c>, or an aggregate of the rule's <c>having</c> clause written as there
/// (<c>{count(*)}</c>). It only parses; rendering the values is the engine's job.
/// </summary>
public sealed class MessageTemplate
{
    private MessageTemplate(string text, IReadOnlyList<MessageSegment> segments)
    {
        Text = text;
        Segments = segments;
    }

    /// <summary>Gets the template as written.</summary>
    public string Text { get; }

    /// <summary>Gets the segments in order; adjacent literal text is merged into one <see cref="LiteralSegment"/>.</summary>
    public IReadOnlyList<MessageSegment> Segments { get; }

    /// <summary>Parses a template.</summary>
    /// <param name="template">The template, for example <c>Customer {key}: {count(*)} failed contacts</c>.</param>
    /// <param name="aggregates">The aggregates placeholders may name (a rule's <see cref="Rule.Aggregates"/>); none when omitted.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is null.</exception>
    /// <exception cref="FormatException">The template has an unknown placeholder or an unmatched brace; the message lists every problem.</exception>
    public static MessageTemplate Parse(string template, IEnumerable<AggregateExpr>? aggregates = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<TemplateError>();
        var result = ParseCore(template, aggregates?.ToList() ?? [], errors);
        if (errors.Count > 0)
        {
            throw new FormatException(DiagnosticText.Escape("The message template is not valid: " + string.Join("; ",
                errors.Select(e => $"{e.Message} at offset {e.Offset}" + (e.Hint is null ? "" : $" ({e.Hint})"))) + "."));
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    /// <summary>Parses a template, collecting errors with their offsets in the template.</summary>
    /// <param name="template">The template.</param>
    /// <param name="aggregates">The aggregates placeholders may name; <see langword="null"/> to accept any aggregate.</param>
    /// <param name="errors">Receives the errors.</param>
    internal static MessageTemplate ParseCore(string template, IReadOnlyList<AggregateExpr>? aggregates, List<TemplateError> errors)
    {
        var known = aggregates is null ? null : new Aggregates(aggregates);
        var segments = new List<MessageSegment>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < template.Length && errors.Count < RuleText.MaxDiagnostics)
        {
            char c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    literal.Append('{');
                    i += 2;
                    continue;
                }
                int close = FindClose(template, i + 1);
                if (close < 0)
                {
                    errors.Add(new TemplateError(i, "unterminated placeholder in message", "close it with '}', or write '{{' for a literal brace"));
                    break;
                }
                var segment = Resolve(template[(i + 1)..close], i, known, errors);
                if (segment is not null)
                {
                    if (literal.Length > 0)
                    {
                        segments.Add(new LiteralSegment(literal.ToString()));
                        literal.Clear();
                    }
                    segments.Add(segment);
                }
                i = close + 1;
            }
            else if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i += 2;
                    continue;
                }
                errors.Add(new TemplateError(i, "unmatched '}' in message", "write '}}' for a literal brace"));
                i++;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }
        if (literal.Length > 0)
            segments.Add(new LiteralSegment(literal.ToString()));
        return new MessageTemplate(template, segments);
    }

    /// <summary>Finds the brace closing a placeholder, skipping quoted strings inside it (<c>{count(agent_id = '}')}</c>).</summary>
    private static int FindClose(string template, int start)
    {
        char quote = '\0';
        for (int i = start; i < template.Length; i++)
        {
            char c = template[i];
            if (quote != '\0')
            {
                if (c == '\\')
                    i++;
                else if (c == quote)
                    quote = '\0';
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '}')
            {
                return i;
            }
            else if (c == '{')
            {
                return -1;
            }
        }
        return -1;
    }

    private static MessageSegment? Resolve(string content, int offset, Aggregates? aggregates, List<TemplateError> errors)
    {
        string name = content.Trim();
        if (name.Length == 0)
        {
            errors.Add(new TemplateError(offset, "empty placeholder '{}' in message", "write '{{}}' for literal braces"));
            return null;
        }
        if (name == "key")
            return new KeySegment();
        if (name == "rule")
            return new RuleNameSegment();
        if (Field.TryGet(name, out var field))
        {
            if (field.AttributeName is { } attribute && RuleValidator.NameTooLong("attribute name", attribute) is { } tooLong)
            {
                errors.Add(new TemplateError(offset, tooLong, "use a shorter name"));
                return null;
            }
            return new FieldSegment(field);
        }

        if (name.Contains('(', StringComparison.Ordinal) && Parser.ParseStandaloneExpression(name) is AggregateExpr aggregate)
        {
            if (aggregates is null)
                return new AggregateSegment(aggregate, RuleText.Print(aggregate));
            if (aggregates.Find(aggregate) is { } known)
                return new AggregateSegment(known, RuleText.Print(known));
            errors.Add(new TemplateError(offset, $"placeholder '{{{DiagnosticText.Shorten(content)}}}' is not an aggregate of 'having'",
                aggregates.Count > 0
                    ? "this rule's aggregates are " + aggregates.Describe()
                    : "only a windowed rule has aggregates, in its having clause"));
            return null;
        }

        var candidates = new List<string> { "key", "rule" };
        candidates.AddRange(Field.Known.Select(f => f.Name));
        if (aggregates is not null)
            candidates.AddRange(aggregates.Texts);
        string? nearest = Spelling.Nearest(name, candidates);
        errors.Add(new TemplateError(offset, $"unknown placeholder '{{{DiagnosticText.Shorten(content)}}}' in message",
            nearest is not null
                ? $"did you mean '{{{DiagnosticText.Shorten(nearest)}}}'?"
                : "a placeholder is a field such as {agent_id} or {attributes.region}, {key}, {rule}, or an aggregate of 'having' such as {count(*)}"));
        return null;
    }

    /// <summary>The aggregates a template may name, looked up by value; their texts are printed once, for hints.</summary>
    private sealed class Aggregates
    {
        private const int MaxListed = 10;

        private readonly IReadOnlyList<AggregateExpr> _list;
        private readonly Dictionary<AggregateExpr, AggregateExpr> _byValue = [];
        private List<string>? _texts;

        public Aggregates(IReadOnlyList<AggregateExpr> list)
        {
            _list = list;
            foreach (var aggregate in list)
                _byValue.TryAdd(aggregate, aggregate);
        }

        public int Count => _list.Count;

        /// <summary>Gets the texts of the first few aggregates (enough for "did you mean" and for listing them).</summary>
        public List<string> Texts => _texts ??= [.. _list.Take(MaxListed).Select(RuleText.Print)];

        public AggregateExpr? Find(AggregateExpr aggregate) => _byValue.GetValueOrDefault(aggregate);

        public string Describe() =>
            string.Join(", ", Texts.Select(t => "{" + DiagnosticText.Shorten(t) + "}")) + (_list.Count > MaxListed ? $" and {_list.Count - MaxListed} more" : "");
    }
}

/// <summary>A problem in a message template, at an offset in the template text.</summary>
internal readonly record struct TemplateError(int Offset, string Message, string? Hint);
