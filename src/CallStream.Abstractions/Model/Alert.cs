using System.Security.Cryptography;
using System.Text;

namespace CallStream;

/// <summary>
/// An alert raised by a rule for an interaction: immutable, with a deterministic id so that replays and
/// redeliveries can be stored idempotently.
/// </summary>
/// <remarks>The field contract is in <c>spec/data.md</c>.</remarks>
public sealed class Alert : IEquatable<Alert>
{
    private readonly AlertValue[] _values;
    private string? _alertId;

    /// <summary>Creates a validated alert; its <see cref="AlertId"/> is computed from rule, key and interaction id.</summary>
    /// <param name="rule">The rule's name.</param>
    /// <param name="severity">The rule's severity.</param>
    /// <param name="key">The group key, the interaction id (ungrouped per-event rule) or <c>*</c> (ungrouped windowed rule).</param>
    /// <param name="interactionId">The interaction whose arrival triggered the alert.</param>
    /// <param name="triggeredAt">The event time of that interaction.</param>
    /// <param name="message">The filled-in message.</param>
    /// <param name="windowStart">For windowed rules, the window's start; otherwise <see langword="null"/>.</param>
    /// <param name="windowEnd">For windowed rules, the window's end; otherwise <see langword="null"/>.</param>
    /// <param name="values">For windowed rules, the values of the <c>having</c> aggregates.</param>
    /// <exception cref="ArgumentException">A required text is empty, or only one window bound is given.</exception>
    public Alert(
        string rule,
        Severity severity,
        string key,
        string interactionId,
        DateTimeOffset triggeredAt,
        string message,
        DateTimeOffset? windowStart = null,
        DateTimeOffset? windowEnd = null,
        IEnumerable<AlertValue>? values = null)
        : this(null, rule, severity, key, interactionId, triggeredAt, message, windowStart, windowEnd, values)
    {
    }

    private Alert(
        string? alertId,
        string rule,
        Severity severity,
        string key,
        string interactionId,
        DateTimeOffset triggeredAt,
        string message,
        DateTimeOffset? windowStart,
        DateTimeOffset? windowEnd,
        IEnumerable<AlertValue>? values)
    {
        Rule = RequireText(rule, nameof(rule));
        Key = key ?? throw new ArgumentNullException(nameof(key));
        InteractionId = RequireText(interactionId, nameof(interactionId));
        Message = message ?? throw new ArgumentNullException(nameof(message));
        if ((uint)severity > (uint)Severity.Critical)
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "severity must be one of " + WireNames.AllowedSeverities + ".");
        if (windowStart.HasValue != windowEnd.HasValue)
            throw new ArgumentException("windowStart and windowEnd are given together or not at all.", nameof(windowEnd));
        Severity = severity;
        TriggeredAt = triggeredAt.ToUniversalTime();
        WindowStart = windowStart?.ToUniversalTime();
        WindowEnd = windowEnd?.ToUniversalTime();
        _values = values is null ? [] : values.ToArray();
        foreach (var v in _values)
        {
            if (string.IsNullOrEmpty(v.Expression))
                throw new ArgumentException("Every alert value names its aggregate.", nameof(values));
        }
        if (alertId is not null)
        {
            string computed = ComputeId(Rule, Key, InteractionId);
            if (!string.Equals(alertId, computed, StringComparison.Ordinal))
                throw new ArgumentException($"alertId '{alertId}' does not match the id computed from rule, key and interactionId ('{computed}').", nameof(alertId));
            _alertId = computed;
        }
    }

    /// <summary>Gets the deterministic id: 16 lowercase hex digits of SHA-256 over <c>{rule}\n{key}\n{interactionId}</c>.</summary>
    /// <remarks>
    /// Computed on first use, not when the alert is created: the rule engine's thread then does not pay for the
    /// hash, the thread that stores or serialises the alert does. The value depends only on immutable fields, so
    /// concurrent first reads compute the same string.
    /// </remarks>
    public string AlertId => _alertId ?? ComputeAndKeepId();

    /// <summary>Gets the name of the rule that fired.</summary>
    public string Rule { get; }

    /// <summary>Gets the rule's severity.</summary>
    public Severity Severity { get; }

    /// <summary>Gets the group key value.</summary>
    public string Key { get; }

    /// <summary>Gets the id of the interaction whose arrival triggered the alert.</summary>
    public string InteractionId { get; }

    /// <summary>Gets the event time (start time) of the triggering interaction, in UTC.</summary>
    public DateTimeOffset TriggeredAt { get; }

    /// <summary>Gets the window's start for windowed rules, otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? WindowStart { get; }

    /// <summary>Gets the window's end for windowed rules, otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? WindowEnd { get; }

    /// <summary>Gets the values of the <c>having</c> aggregates, in the order written (empty for per-event rules).</summary>
    public IReadOnlyList<AlertValue> Values => _values;

    /// <summary>Gets the filled-in message.</summary>
    public string Message { get; }

    /// <summary>Creates an alert read from storage, checking that its id is the one its fields determine.</summary>
    /// <param name="alertId">The stored id.</param>
    /// <param name="rule">The rule's name.</param>
    /// <param name="severity">The severity.</param>
    /// <param name="key">The group key.</param>
    /// <param name="interactionId">The triggering interaction.</param>
    /// <param name="triggeredAt">The event time.</param>
    /// <param name="message">The message.</param>
    /// <param name="windowStart">The window's start or <see langword="null"/>.</param>
    /// <param name="windowEnd">The window's end or <see langword="null"/>.</param>
    /// <param name="values">The aggregate values.</param>
    /// <returns>The alert.</returns>
    /// <exception cref="ArgumentException">The id does not match, or another field is invalid.</exception>
    public static Alert Restore(
        string alertId,
        string rule,
        Severity severity,
        string key,
        string interactionId,
        DateTimeOffset triggeredAt,
        string message,
        DateTimeOffset? windowStart = null,
        DateTimeOffset? windowEnd = null,
        IEnumerable<AlertValue>? values = null)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        return new Alert(alertId, rule, severity, key, interactionId, triggeredAt, message, windowStart, windowEnd, values);
    }

    /// <summary>Computes the deterministic alert id of data.md.</summary>
    /// <param name="rule">The rule's name.</param>
    /// <param name="key">The group key.</param>
    /// <param name="interactionId">The triggering interaction's id.</param>
    /// <returns>The first 16 lowercase hex digits of SHA-256 over the UTF-8 bytes of <c>{rule}\n{key}\n{interactionId}</c>.</returns>
    public static string ComputeId(string rule, string key, string interactionId)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(interactionId);
        int length = Encoding.UTF8.GetByteCount(rule) + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(interactionId) + 2;
        byte[]? rented = null;
        Span<byte> buffer = length <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        int n = Encoding.UTF8.GetBytes(rule, buffer);
        buffer[n++] = (byte)'\n';
        n += Encoding.UTF8.GetBytes(key, buffer[n..]);
        buffer[n++] = (byte)'\n';
        n += Encoding.UTF8.GetBytes(interactionId, buffer[n..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer[..n], hash);
        if (rented is not null)
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <inheritdoc/>
    public bool Equals(Alert? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (AlertId == other.AlertId
                && Rule == other.Rule
                && Severity == other.Severity
                && Key == other.Key
                && InteractionId == other.InteractionId
                && TriggeredAt == other.TriggeredAt
                && WindowStart == other.WindowStart
                && WindowEnd == other.WindowEnd
                && Message == other.Message
                && _values.AsSpan().SequenceEqual(other._values)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Alert);

    /// <inheritdoc/>
    public override int GetHashCode() => AlertId.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => $"[{WireNames.Name(Severity)}] {Rule} key={Key} at {Iso8601.Format(TriggeredAt)}: {Message}";

    private string ComputeAndKeepId()
    {
        string id = ComputeId(Rule, Key, InteractionId);
        Volatile.Write(ref _alertId, id);
        return id;
    }

    private static string RequireText(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0)
            throw new ArgumentException(name + " must not be empty.", name);
        return value;
    }
}
