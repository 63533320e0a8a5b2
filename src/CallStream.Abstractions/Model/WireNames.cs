namespace CallStream;

/// <summary>
/// The text forms of <see cref="Channel"/>, <see cref="Outcome"/> and <see cref="Severity"/> used on every wire
/// (CSV, JSON, BSON, rule text): lowercase names on output; case-insensitive names and the aliases of the data
/// contract on input.
/// </summary>
public static class WireNames
{
    /// <summary>The allowed channel values, for error messages: <c>email, chat, voice, video</c>.</summary>
    public const string AllowedChannels = "email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call')";

    /// <summary>The allowed outcome values, for error messages.</summary>
    public const string AllowedOutcomes = "resolved, failed, problematic";

    /// <summary>The allowed severity values, for error messages.</summary>
    public const string AllowedSeverities = "info, warning, critical";

    /// <summary>Gets the wire name of a channel (<c>email</c>, <c>chat</c>, <c>voice</c>, <c>video</c>).</summary>
    /// <param name="channel">The channel.</param>
    /// <returns>The lowercase name.</returns>
    public static string Name(Channel channel) => channel switch
    {
        Channel.Email => "email",
        Channel.Chat => "chat",
        Channel.Voice => "voice",
        Channel.Video => "video",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Not a defined channel."),
    };

    /// <summary>Gets the wire name of an outcome (<c>resolved</c>, <c>failed</c>, <c>problematic</c>).</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The lowercase name.</returns>
    public static string Name(Outcome outcome) => outcome switch
    {
        Outcome.Resolved => "resolved",
        Outcome.Failed => "failed",
        Outcome.Problematic => "problematic",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a defined outcome."),
    };

    /// <summary>Gets the wire name of a severity (<c>info</c>, <c>warning</c>, <c>critical</c>).</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The lowercase name.</returns>
    public static string Name(Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Warning => "warning",
        Severity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "Not a defined severity."),
    };

    /// <summary>Parses a channel name or alias, ignoring case and surrounding white space.</summary>
    /// <param name="text">The text, for example <c>Voice Call</c>.</param>
    /// <param name="channel">The channel, when the text names one.</param>
    /// <returns><see langword="true"/> when the text names a channel.</returns>
    public static bool TryParseChannel(ReadOnlySpan<char> text, out Channel channel)
    {
        text = text.Trim();
        if (Is(text, "email")) { channel = Channel.Email; return true; }
        if (Is(text, "chat")) { channel = Channel.Chat; return true; }
        if (Is(text, "voice") || Is(text, "voice call") || Is(text, "phone") || Is(text, "call")) { channel = Channel.Voice; return true; }
        if (Is(text, "video") || Is(text, "video call")) { channel = Channel.Video; return true; }
        channel = default;
        return false;
    }

    /// <summary>Parses an outcome name, ignoring case and surrounding white space.</summary>
    /// <param name="text">The text, for example <c>FAILED</c>.</param>
    /// <param name="outcome">The outcome, when the text names one.</param>
    /// <returns><see langword="true"/> when the text names an outcome.</returns>
    public static bool TryParseOutcome(ReadOnlySpan<char> text, out Outcome outcome)
    {
        text = text.Trim();
        if (Is(text, "resolved")) { outcome = Outcome.Resolved; return true; }
        if (Is(text, "failed")) { outcome = Outcome.Failed; return true; }
        if (Is(text, "problematic")) { outcome = Outcome.Problematic; return true; }
        outcome = default;
        return false;
    }

    /// <summary>Parses a severity name, ignoring case and surrounding white space.</summary>
    /// <param name="text">The text, for example <c>critical</c>.</param>
    /// <param name="severity">The severity, when the text names one.</param>
    /// <returns><see langword="true"/> when the text names a severity.</returns>
    public static bool TryParseSeverity(ReadOnlySpan<char> text, out Severity severity)
    {
        text = text.Trim();
        if (Is(text, "info")) { severity = Severity.Info; return true; }
        if (Is(text, "warning")) { severity = Severity.Warning; return true; }
        if (Is(text, "critical")) { severity = Severity.Critical; return true; }
        severity = default;
        return false;
    }

    private static bool Is(ReadOnlySpan<char> text, string name) => text.Equals(name, StringComparison.OrdinalIgnoreCase);
}
