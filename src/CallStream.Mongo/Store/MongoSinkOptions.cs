using System.Globalization;

namespace CallStream.Mongo;

/// <summary>Where and how CallStream stores interactions and alerts in MongoDB.</summary>
public sealed class MongoSinkOptions
{
    /// <summary>The environment variable read when <see cref="ConnectionString"/> is not set: <c>CALLSTREAM_MONGO</c>.</summary>
    public const string ConnectionStringVariable = "CALLSTREAM_MONGO";

    /// <summary>Gets or sets the MongoDB connection string (<c>mongodb://</c> or <c>mongodb+srv://</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the value of the environment variable <c>CALLSTREAM_MONGO</c>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the database name.</summary>
    /// <value>The default value is <c>callstream</c>.</value>
    public string Database { get; set; } = "callstream";

    /// <summary>Gets or sets the collection of interactions (<c>_id</c> = interaction id).</summary>
    /// <value>The default value is <c>interactions</c>.</value>
    public string InteractionsCollection { get; set; } = "interactions";

    /// <summary>Gets or sets the collection of alerts (<c>_id</c> = alert id).</summary>
    /// <value>The default value is <c>alerts</c>.</value>
    public string AlertsCollection { get; set; } = "alerts";

    /// <summary>
    /// Gets or sets the write concern of the sinks' writes: <c>majority</c> or a number of members from 1. A batch
    /// counts as durable (and the checkpoint moves past it) once the server acknowledges it with this concern.
    /// </summary>
    /// <value>The default value is <c>majority</c>.</value>
    public string WriteConcern { get; set; } = "majority";

    /// <summary>Gets or sets whether the sinks create their indexes (once, idempotently, before their first write).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CreateIndexes { get; set; } = true;

    /// <summary>
    /// Gets or sets how long an operation waits for a suitable server before failing with an error naming the hosts
    /// (it overrides <c>serverSelectionTimeoutMS</c> of the connection string).
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the options (except the connection string, see <see cref="ResolveConnectionString"/>) and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        CheckDatabase(Database);
        CheckCollection(InteractionsCollection, nameof(InteractionsCollection));
        CheckCollection(AlertsCollection, nameof(AlertsCollection));
        if (string.Equals(InteractionsCollection, AlertsCollection, StringComparison.Ordinal))
            throw new ArgumentException($"MongoSinkOptions.AlertsCollection must differ from InteractionsCollection (both are '{AlertsCollection}').", nameof(AlertsCollection));
        ParseWriteConcern(WriteConcern);
        if (ServerSelectionTimeout <= TimeSpan.Zero || ServerSelectionTimeout > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(ServerSelectionTimeout), ServerSelectionTimeout, $"MongoSinkOptions.ServerSelectionTimeout must be more than 0 and at most 10 minutes (was {ServerSelectionTimeout}).");
    }

    /// <summary>Gets the connection string to use: <see cref="ConnectionString"/>, else the environment variable <c>CALLSTREAM_MONGO</c>.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable; <see langword="null"/> for <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>The connection string.</returns>
    /// <exception cref="ArgumentException">Neither is set, or the value is blank.</exception>
    internal string ResolveConnectionString(Func<string, string?>? getEnvironmentVariable = null)
    {
        if (ConnectionString is not null)
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
                throw new ArgumentException("MongoSinkOptions.ConnectionString must not be blank; leave it unset to use the environment variable " + ConnectionStringVariable + ".", nameof(ConnectionString));
            return ConnectionString.Trim();
        }
        string? fromEnvironment = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment))
            throw new ArgumentException($"MongoSinkOptions.ConnectionString is not set and the environment variable {ConnectionStringVariable} is empty: give a connection string such as mongodb://localhost:27017.", nameof(ConnectionString));
        return fromEnvironment.Trim();
    }

    /// <summary>Parses a write concern of these options: <c>majority</c> or a number of members from 1.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The driver's write concern.</returns>
    internal static MongoDB.Driver.WriteConcern ParseWriteConcern(string? value)
    {
        if (string.Equals(value?.Trim(), "majority", StringComparison.OrdinalIgnoreCase))
            return MongoDB.Driver.WriteConcern.WMajority;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int members))
        {
            if (members >= 1)
                return new MongoDB.Driver.WriteConcern(members);
            throw new ArgumentOutOfRangeException(nameof(WriteConcern), value, "MongoSinkOptions.WriteConcern must not be 0: unacknowledged writes cannot tell the checkpoint that they are durable.");
        }
        throw new ArgumentException($"MongoSinkOptions.WriteConcern must be 'majority' or a number of members from 1 (was '{value}').", nameof(WriteConcern));
    }

    private static void CheckDatabase(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("MongoSinkOptions.Database must not be empty.", nameof(Database));
        int bad = name.AsSpan().IndexOfAny("/\\. \"$*<>:|?\0");
        if (bad >= 0)
            throw new ArgumentException($"MongoSinkOptions.Database '{name}' contains '{name[bad]}', which MongoDB does not allow in database names.", nameof(Database));
        if (name.Length > 63)
            throw new ArgumentException($"MongoSinkOptions.Database '{name}' is longer than MongoDB's 63 characters.", nameof(Database));
    }

    private static void CheckCollection(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"MongoSinkOptions.{option} must not be empty.", option);
        if (name.Contains('$', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"MongoSinkOptions.{option} '{name}' contains '$' or a null character, which MongoDB does not allow in collection names.", option);
        if (name.StartsWith("system.", StringComparison.Ordinal))
            throw new ArgumentException($"MongoSinkOptions.{option} '{name}' starts with 'system.', which MongoDB reserves.", option);
        if (name.StartsWith('.') || name.EndsWith('.'))
            throw new ArgumentException($"MongoSinkOptions.{option} '{name}' must not start or end with '.'.", option);
    }
}
