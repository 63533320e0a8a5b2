namespace CallStream.Rules;

/// <summary>Which instant of an interaction is its event time: what ordering, the watermark, windows, suppression and alerts' <c>triggeredAt</c> use.</summary>
public enum EventTimeMode
{
    /// <summary>The interaction's start time (the default): for logs exported in start order.</summary>
    Start = 0,

    /// <summary>
    /// The interaction's end time, start time plus duration: the moment its record came to exist. For live feeds, where a
    /// contact-centre system emits a record when the contact ends.
    /// </summary>
    End = 1,
}
