using System.CommandLine;
using CallStream.Mongo;
using MongoDB.Driver;

namespace CallStream.Cli.Connections;

/// <summary>
/// The <c>--mongo URI</c> option of <c>produce</c> and <c>consume</c> (else <c>CALLSTREAM_MONGO</c>; MongoDB is used
/// only when one of them is set): opens the store, checks that the server answers (failing fast with the host, never
/// the password), and describes it with its secrets masked.
/// </summary>
internal static class MongoConnection
{
    /// <summary>Creates the <c>--mongo</c> option.</summary>
    /// <param name="what">What is stored there, for the description.</param>
    /// <returns>The option.</returns>
    public static Option<string?> CreateOption(string what) => new("--mongo")
    {
        Description = $"Also stores {what} in MongoDB at this connection string (database 'callstream'), idempotently. [default: ${CliContext.MongoVariable}, else none]",
        HelpName = "URI",
    };

    /// <summary>Reads the connection string as the driver will, credentials included, so that a string the driver refuses
    /// (an unknown <c>authMechanism</c>, a bad option value) is invalid input, exit code 2, before anything connects.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="source">Where it was given: <c>--mongo</c> or <c>CALLSTREAM_MONGO</c>.</param>
    /// <exception cref="CliException">The driver refuses it; the message shows the string with its password masked, and
    /// the driver's reason (the run's redactor masks any secret it quotes).</exception>
    internal static void Check(string connectionString, string source)
    {
        try
        {
            var settings = MongoClientSettings.FromUrl(new MongoUrl(connectionString));
            _ = settings.Credential?.Mechanism;
        }
        catch (Exception e) when (e is MongoConfigurationException or ArgumentException or FormatException or UriFormatException or NotSupportedException or InvalidOperationException)
        {
            throw CliException.InvalidInput($"{source} '{MongoConnectionString.Redact(connectionString)}' is not a valid MongoDB connection string: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Opens the store named by <c>--mongo</c> or <c>CALLSTREAM_MONGO</c>, or returns <see langword="null"/> when neither is set.</summary>
    /// <param name="context">The surroundings (environment variables, standard error).</param>
    /// <param name="uri">The <c>--mongo</c> value, or <see langword="null"/>.</param>
    /// <param name="label">The command's name, for the progress line.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The store (dispose it), or <see langword="null"/>.</returns>
    /// <exception cref="CliException">The string is invalid (exit code 2) or the server does not answer (exit code 1); the message shows no password.</exception>
    public static async Task<MongoStore?> OpenAsync(CliContext context, string? uri, string label, CancellationToken cancellationToken)
    {
        string? connectionString = context.GetSetting(uri, CliContext.MongoVariable);
        if (connectionString is null)
            return null;
        Check(connectionString, string.IsNullOrWhiteSpace(uri) ? CliContext.MongoVariable : "--mongo");
        MongoStore store;
        try
        {
            store = new MongoStore(new MongoSinkOptions { ConnectionString = connectionString });
        }
        catch (ArgumentException e)
        {
            // The store's messages show the string without its secrets.
            throw CliException.InvalidInput("--mongo: " + e.Message);
        }
        try
        {
            await context.Error.WriteLineAsync($"{label}: MongoDB at {MongoConnectionString.Redact(connectionString)}, database {store.DatabaseName}").ConfigureAwait(false);
            await store.PingAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (MongoStoreException e)
        {
            store.Dispose();
            throw CliException.Failure("--mongo: " + e.Message, e);
        }
    }
}
