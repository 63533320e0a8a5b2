namespace CallStream.Mongo;

/// <summary>Converts instants to and from BSON dates, which count milliseconds since 1970 in UTC.</summary>
internal static class BsonInstant
{
    /// <summary>Gets the BSON date of an instant, truncated (floored) to the millisecond.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>Milliseconds since 1970-01-01T00:00:00Z.</returns>
    public static long ToMilliseconds(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    /// <summary>Reads a BSON date back as a UTC instant.</summary>
    /// <param name="milliseconds">Milliseconds since 1970-01-01T00:00:00Z.</param>
    /// <param name="field">The field, for the error message.</param>
    /// <returns>The instant.</returns>
    /// <exception cref="InteractionFormatException">The date is outside the years 1 to 9999.</exception>
    public static DateTimeOffset FromMilliseconds(long milliseconds, string field)
    {
        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InteractionFormatException(field, milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "the BSON date is outside the years 1 to 9999.");
        }
    }
}
