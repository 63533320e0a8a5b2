using CallStream.Json;

namespace CallStream.Ndjson;

/// <summary>Creates NDJSON readers for the CallStream wire types.</summary>
public static class NdjsonReader
{
    /// <summary>Creates a reader of interactions, one JSON object per line.</summary>
    /// <param name="stream">The UTF-8 lines.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    /// <returns>The reader.</returns>
    public static NdjsonReader<Interaction> ForInteractions(Stream stream, NdjsonReaderOptions? options = null, bool leaveOpen = false) =>
        new(stream, CallStreamJsonContext.Default.Interaction, options, leaveOpen);

    /// <summary>Creates a reader of alerts, one JSON object per line.</summary>
    /// <param name="stream">The UTF-8 lines.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    /// <returns>The reader.</returns>
    public static NdjsonReader<Alert> ForAlerts(Stream stream, NdjsonReaderOptions? options = null, bool leaveOpen = false) =>
        new(stream, CallStreamJsonContext.Default.Alert, options, leaveOpen);
}
