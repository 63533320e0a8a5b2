namespace CallStream;

/// <summary>How urgent an alert is.</summary>
public enum Severity
{
    /// <summary>For information; no action expected.</summary>
    Info,

    /// <summary>Worth a look soon.</summary>
    Warning,

    /// <summary>Needs action now.</summary>
    Critical,
}
