namespace CallStream;

/// <summary>The medium of a customer-service interaction.</summary>
public enum Channel
{
    /// <summary>An email thread.</summary>
    Email,

    /// <summary>A text chat.</summary>
    Chat,

    /// <summary>A voice call (aliases on input: <c>voice call</c>, <c>phone</c>, <c>call</c>).</summary>
    Voice,

    /// <summary>A video call (alias on input: <c>video call</c>).</summary>
    Video,
}
