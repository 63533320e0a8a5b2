namespace CallStream;

/// <summary>How an interaction ended.</summary>
public enum Outcome
{
    /// <summary>The customer's matter was resolved.</summary>
    Resolved,

    /// <summary>The interaction failed (dropped, unresolved, escalated without result).</summary>
    Failed,

    /// <summary>The interaction completed but with problems worth a look.</summary>
    Problematic,
}
