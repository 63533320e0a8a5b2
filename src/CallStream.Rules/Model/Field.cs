namespace CallStream.Rules;

/// <summary>The type of a value in a rule expression.</summary>
public enum ExprType
{
    /// <summary>True or false.</summary>
    Bool,

    /// <summary>A number (durations are numbers of seconds).</summary>
    Number,

    /// <summary>Text.</summary>
    Text,

    /// <summary>An instant (only <c>start_time</c>); compares with ISO-8601 strings.</summary>
    Instant,

    /// <summary>The type of the literal <c>null</c>.</summary>
    Null,
}

/// <summary>
/// A field of an interaction that rules can read: one of the fixed fields of the data contract
/// (<see cref="Known"/>) or a free-form text attribute, <c>attributes.NAME</c>.
/// </summary>
public sealed record Field
{
    private Field(string name, ExprType type, string? attributeName)
    {
        Name = name;
        Type = type;
        AttributeName = attributeName;
    }

    /// <summary>Gets the name as written in rules, for example <c>duration_seconds</c> or <c>attributes.region</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the field's value type.</summary>
    public ExprType Type { get; }

    /// <summary>Gets the attribute's name for <c>attributes.NAME</c>, otherwise <see langword="null"/>.</summary>
    public string? AttributeName { get; }

    /// <summary>Gets whether the value may be null (<c>satisfaction</c> and attributes).</summary>
    public bool IsNullable => AttributeName is not null || Name == "satisfaction";

    /// <summary>Gets <c>interaction_id</c> (text).</summary>
    public static Field InteractionId { get; } = new("interaction_id", ExprType.Text, null);

    /// <summary>Gets <c>customer_id</c> (text).</summary>
    public static Field CustomerId { get; } = new("customer_id", ExprType.Text, null);

    /// <summary>Gets <c>agent_id</c> (text).</summary>
    public static Field AgentId { get; } = new("agent_id", ExprType.Text, null);

    /// <summary>Gets <c>channel</c> (text; compares case-insensitively with known channel names and aliases).</summary>
    public static Field Channel { get; } = new("channel", ExprType.Text, null);

    /// <summary>Gets <c>outcome</c> (text; compares case-insensitively with known outcome names).</summary>
    public static Field Outcome { get; } = new("outcome", ExprType.Text, null);

    /// <summary>Gets <c>start_time</c> (instant): the event time.</summary>
    public static Field StartTime { get; } = new("start_time", ExprType.Instant, null);

    /// <summary>Gets <c>duration_seconds</c> (number).</summary>
    public static Field DurationSeconds { get; } = new("duration_seconds", ExprType.Number, null);

    /// <summary>Gets <c>satisfaction</c> (number, may be null).</summary>
    public static Field Satisfaction { get; } = new("satisfaction", ExprType.Number, null);

    /// <summary>Gets the fixed fields, in contract order.</summary>
    public static IReadOnlyList<Field> Known { get; } =
        [InteractionId, CustomerId, AgentId, Channel, Outcome, StartTime, DurationSeconds, Satisfaction];

    /// <summary>Gets the field <c>attributes.NAME</c>.</summary>
    /// <param name="name">The attribute's name: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException">The name is not a valid identifier.</exception>
    public static Field Attribute(string name)
    {
        if (!IsIdentifier(name))
            throw new ArgumentException($"'{name}' is not a valid attribute name: use letters, digits and '_', not starting with a digit.", nameof(name));
        return new Field("attributes." + name, ExprType.Text, name);
    }

    /// <summary>Finds a field by the name written in a rule (case-sensitive).</summary>
    /// <param name="name">For example <c>agent_id</c> or <c>attributes.region</c>.</param>
    /// <param name="field">The field, when the name is known.</param>
    /// <returns><see langword="true"/> when the name is a known field or a valid attribute reference.</returns>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Field? field)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var known in Known)
        {
            if (known.Name == name)
            {
                field = known;
                return true;
            }
        }
        if (name.StartsWith("attributes.", StringComparison.Ordinal) && IsIdentifier(name["attributes.".Length..]))
        {
            field = Attribute(name["attributes.".Length..]);
            return true;
        }
        field = null;
        return false;
    }

    /// <summary>Checks whether text is an identifier of the rule language: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    internal static bool IsIdentifier(string? text)
    {
        if (string.IsNullOrEmpty(text) || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
            return false;
        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
