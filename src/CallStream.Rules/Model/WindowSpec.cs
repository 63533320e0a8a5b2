namespace CallStream.Rules;

/// <summary>The kind of a rule's window.</summary>
public enum WindowKind
{
    /// <summary>Fixed, non-overlapping windows <c>[k*W, (k+1)*W)</c> since the Unix epoch.</summary>
    Tumbling,

    /// <summary>A window of length W ending at each offered event: <c>(t - W, t]</c>.</summary>
    Sliding,
}

/// <summary>A rule's window: its kind and length.</summary>
/// <param name="Kind">Tumbling or sliding.</param>
/// <param name="Length">The length; positive.</param>
public sealed record WindowSpec(WindowKind Kind, TimeSpan Length);
