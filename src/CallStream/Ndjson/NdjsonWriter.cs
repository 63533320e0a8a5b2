using CallStream.Json;

namespace CallStream.Ndjson;

/// <summary>Creates NDJSON writers for the CallStream wire types.</summary>
public static class NdjsonWriter
{
    /// <summary>Creates a writer of interactions, one JSON object per line.</summary>
    /// <param name="stream">Where the lines go.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="stream"/> open.</param>
    /// <returns>The writer.</returns>
    public static NdjsonWriter<Interaction> ForInteractions(Stream stream, bool leaveOpen = false) =>
        new(stream, CallStreamJsonContext.Default.Interaction, leaveOpen);

    /// <summary>Creates a writer of alerts, one JSON object per line.</summary>
    /// <param name="stream">Where the lines go.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="stream"/> open.</param>
    /// <returns>The writer.</returns>
    public static NdjsonWriter<Alert> ForAlerts(Stream stream, bool leaveOpen = false) =>
        new(stream, CallStreamJsonContext.Default.Alert, leaveOpen);
}
