using System.Runtime.CompilerServices;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Mongo;

/// <summary>
/// The CallStream database on a MongoDB deployment: one client (created on first use, never in the constructor),
/// the <c>interactions</c> and <c>alerts</c> collections with the configured write concern, their indexes (created
/// once, idempotently, before the first write when allowed), and reading back. The sinks and the insights source
/// share one store.
/// </summary>
/// <remarks>
/// Failures to reach the server surface as <see cref="MongoStoreException"/> naming the hosts after at most
/// <see cref="MongoSinkOptions.ServerSelectionTimeout"/>; connection strings and passwords never appear in messages or logs.
/// </remarks>
public sealed class MongoStore : IDisposable
{
    private readonly Lazy<IMongoClient> _client;
    private readonly Lazy<IMongoDatabase> _database;
    private readonly bool _ownsClient;
    private readonly string[] _secrets;
    private readonly WriteConcern _writeConcern;
    private readonly ILogger _logger;
    private readonly Lock _indexLock = new();
    private Task? _interactionIndexes;
    private Task? _alertIndexes;
    private int _disposed;

    /// <summary>Creates a store for a connection string (no I/O: the client connects on first use).</summary>
    /// <param name="options">The options; <see cref="MongoSinkOptions.ConnectionString"/> or <c>CALLSTREAM_MONGO</c> gives the deployment.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/>.</param>
    /// <param name="meterFactory">The meter factory for the <c>CallStream</c> meter, or <see langword="null"/> for a meter of the store's own.</param>
    /// <exception cref="ArgumentException">An option is invalid or the connection string cannot be parsed; the message names the option and shows the string without its secrets.</exception>
    public MongoStore(MongoSinkOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, null, loggerFactory, meterFactory)
    {
    }

    /// <summary>Creates a store on an existing client (which the store does not dispose); <see cref="MongoSinkOptions.ConnectionString"/> is not used.</summary>
    /// <param name="client">The client.</param>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/>.</param>
    /// <param name="meterFactory">The meter factory, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public MongoStore(IMongoClient client, MongoSinkOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, client ?? throw new ArgumentNullException(nameof(client)), loggerFactory, meterFactory)
    {
    }

    private MongoStore(MongoSinkOptions options, IMongoClient? client, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DatabaseName = options.Database;
        InteractionsCollectionName = options.InteractionsCollection;
        AlertsCollectionName = options.AlertsCollection;
        CreateIndexes = options.CreateIndexes;
        ServerSelectionTimeout = options.ServerSelectionTimeout;
        _writeConcern = MongoSinkOptions.ParseWriteConcern(options.WriteConcern);
        _logger = loggerFactory?.CreateLogger("CallStream.Mongo") ?? NullLogger.Instance;
        _database = new Lazy<IMongoDatabase>(() => Client.GetDatabase(DatabaseName, new MongoDatabaseSettings { WriteConcern = _writeConcern }));
        if (client is not null)
        {
            _ownsClient = false;
            _secrets = [];
            Endpoint = DescribeServers(client.Settings);
            ServerSelectionTimeout = client.Settings.ServerSelectionTimeout;
            _client = new Lazy<IMongoClient>(client);
        }
        else
        {
            _ownsClient = true;
            string connectionString = options.ResolveConnectionString();
            var settings = ParseSettings(connectionString);
            settings.ServerSelectionTimeout = options.ServerSelectionTimeout;
            settings.ApplicationName ??= "callstream";
            _secrets = CollectSecrets(connectionString);
            Endpoint = DescribeServers(settings);
            _client = new Lazy<IMongoClient>(() =>
            {
                Log.Connecting(_logger, Endpoint, DatabaseName);
                return new MongoClient(settings);
            });
        }
        Metrics = new MongoMetrics(meterFactory);
    }

    /// <summary>Gets the deployment's hosts, for example <c>db1:27017,db2:27017</c> (never credentials).</summary>
    public string Endpoint { get; }

    /// <summary>Gets the database name.</summary>
    public string DatabaseName { get; }

    /// <summary>Gets the name of the interactions collection.</summary>
    public string InteractionsCollectionName { get; }

    /// <summary>Gets the name of the alerts collection.</summary>
    public string AlertsCollectionName { get; }

    /// <summary>Gets whether the sinks create the indexes before their first write.</summary>
    public bool CreateIndexes { get; }

    /// <summary>Gets how long an operation waits for a reachable server (the client's own setting when the store was given a client).</summary>
    public TimeSpan ServerSelectionTimeout { get; }

    /// <summary>Gets the client (created on first access; it connects in the background from then on).</summary>
    public IMongoClient Client
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _client.Value;
        }
    }

    /// <summary>Gets the database, with the configured write concern.</summary>
    public IMongoDatabase Database
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _database.Value;
        }
    }

    /// <summary>Gets the interactions collection as raw documents, with the configured write concern.</summary>
    public IMongoCollection<BsonDocument> InteractionsCollection => Database.GetCollection<BsonDocument>(InteractionsCollectionName);

    /// <summary>Gets the alerts collection as raw documents, with the configured write concern.</summary>
    public IMongoCollection<BsonDocument> AlertsCollection => Database.GetCollection<BsonDocument>(AlertsCollectionName);

    internal MongoMetrics Metrics { get; }

    internal ILogger Logger => _logger;

    /// <summary>Checks that the deployment answers, failing within <see cref="ServerSelectionTimeout"/> with an error naming the hosts.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the server answered.</returns>
    /// <exception cref="MongoStoreException">The server is unreachable or refused the credentials.</exception>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectivityFailure(ex))
        {
            throw Unavailable(ex, "pinging the server");
        }
    }

    /// <summary>Creates the indexes of both collections (see <see cref="MongoIndexes"/>) unless they are already in place; safe to call any number of times.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the creation).</param>
    /// <returns>A task that completes when the indexes exist.</returns>
    /// <exception cref="MongoStoreException">The server is unreachable, or refused to create an index.</exception>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(EnsureIndexesAsync(StoreCollection.Interactions, force: true, cancellationToken), EnsureIndexesAsync(StoreCollection.Alerts, force: true, cancellationToken));

    /// <summary>Reads every stored interaction back.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The interactions, in no particular order.</returns>
    /// <exception cref="MongoStoreException">The server is unreachable.</exception>
    /// <exception cref="InteractionFormatException">A document is not a valid interaction; the message names the field.</exception>
    public IAsyncEnumerable<Interaction> ReadInteractionsAsync(CancellationToken cancellationToken = default) =>
        ReadAllAsync(InteractionsCollection, new InteractionBsonSerializer(), "reading interactions", cancellationToken);

    /// <summary>Reads every stored alert back.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The alerts, in no particular order.</returns>
    /// <exception cref="MongoStoreException">The server is unreachable.</exception>
    /// <exception cref="InteractionFormatException">A document is not a valid alert; the message names the field.</exception>
    public IAsyncEnumerable<Alert> ReadAlertsAsync(CancellationToken cancellationToken = default) =>
        ReadAllAsync(AlertsCollection, new AlertBsonSerializer(), "reading alerts", cancellationToken);

    /// <summary>Disposes the client when the store created it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_ownsClient && _client.IsValueCreated)
            _client.Value.Dispose();
        Metrics.Dispose();
    }

    internal IMongoCollection<BsonDocument> Collection(StoreCollection which) =>
        which == StoreCollection.Interactions ? InteractionsCollection : AlertsCollection;

    internal string CollectionName(StoreCollection which) =>
        DatabaseName + "." + (which == StoreCollection.Interactions ? InteractionsCollectionName : AlertsCollectionName);

    internal Task EnsureIndexesAsync(StoreCollection which, bool force, CancellationToken cancellationToken)
    {
        if (!CreateIndexes && !force)
            return Task.CompletedTask;
        Task task;
        lock (_indexLock)
        {
            ref Task? slot = ref which == StoreCollection.Interactions ? ref _interactionIndexes : ref _alertIndexes;
            if (slot is null || slot.IsFaulted || slot.IsCanceled)
                slot = CreateIndexesAsync(which);
            task = slot;
        }
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Says whether an exception of the driver means that the deployment could not be reached or refused the client.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns><see langword="true"/> for server selection timeouts and connection or authentication failures.</returns>
    internal static bool IsConnectivityFailure(Exception exception) =>
        exception is TimeoutException or MongoConnectionException;

    /// <summary>Wraps a connectivity failure in an exception naming the hosts, with every known secret removed.</summary>
    /// <param name="exception">The driver's exception.</param>
    /// <param name="action">What was being done, for example <c>writing 500 interactions</c>.</param>
    /// <returns>The exception to throw.</returns>
    internal MongoStoreException Unavailable(Exception exception, string action)
    {
        string message = exception switch
        {
            MongoAuthenticationException => $"MongoDB at {Endpoint} refused the credentials while {action}: {exception.GetBaseException().Message}",
            TimeoutException => $"MongoDB at {Endpoint} could not be reached within {ServerSelectionTimeout.TotalSeconds:0.###} s while {action} ({ServerStates()}). Is mongod running there, and are the address and port right?",
            _ => $"MongoDB at {Endpoint} could not be connected to while {action}: {exception.GetBaseException().Message}",
        };
        return new MongoStoreException(Scrub(message), Endpoint, [], exception is MongoAuthenticationException ? null : exception);
    }

    /// <summary>Describes why each known server is unusable, from the client's view of the cluster.</summary>
    /// <returns>For example <c>127.0.0.1:1: Connection refused</c>.</returns>
    private string ServerStates()
    {
        if (!_client.IsValueCreated)
            return "no connection attempted";
        var servers = _client.Value.Cluster.Description.Servers;
        if (servers.Count == 0)
            return "no server known";
        return string.Join("; ", servers.Select(s =>
            $"{Describe(s.EndPoint)}: {s.HeartbeatException?.GetBaseException().Message ?? (s.Type == MongoDB.Driver.Core.Servers.ServerType.Unknown ? "no answer" : s.Type.ToString())}"));
    }

    private static string Describe(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    /// <summary>Removes the known secrets (password, mechanism properties) from a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with every secret replaced by <see cref="MongoConnectionString.Mask"/>.</returns>
    internal string Scrub(string text)
    {
        foreach (string secret in _secrets)
            text = text.Replace(secret, MongoConnectionString.Mask, StringComparison.Ordinal);
        return text;
    }

    private async Task CreateIndexesAsync(StoreCollection which)
    {
        var models = which == StoreCollection.Interactions ? MongoIndexes.ForInteractions() : MongoIndexes.ForAlerts();
        string collection = CollectionName(which);
        try
        {
            var names = await Collection(which).Indexes.CreateManyAsync(models).ConfigureAwait(false);
            Log.IndexesEnsured(_logger, collection, string.Join(", ", names));
        }
        catch (Exception ex) when (IsConnectivityFailure(ex))
        {
            throw Unavailable(ex, "creating the indexes of " + collection);
        }
        catch (MongoCommandException ex)
        {
            throw new MongoStoreException(
                $"MongoDB at {Endpoint} refused to create the indexes of {collection} ({ex.CodeName}: {Scrub(ex.ErrorMessage)}). Drop the conflicting index, or set MongoSinkOptions.CreateIndexes to false to skip index creation.",
                Endpoint, [], ex);
        }
    }

    private async IAsyncEnumerable<T> ReadAllAsync<T>(IMongoCollection<BsonDocument> collection, MongoDB.Bson.Serialization.IBsonSerializer<T> serializer, string action, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncCursor<T> cursor;
        try
        {
            cursor = await collection.Find(FilterDefinition<BsonDocument>.Empty).As(serializer).ToCursorAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectivityFailure(ex))
        {
            throw Unavailable(ex, action);
        }
        using (cursor)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsConnectivityFailure(ex))
                {
                    throw Unavailable(ex, action);
                }
                if (!more)
                    yield break;
                foreach (var item in cursor.Current)
                    yield return item;
            }
        }
    }

    private static MongoClientSettings ParseSettings(string connectionString)
    {
        try
        {
            return MongoClientSettings.FromConnectionString(connectionString);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException or UriFormatException)
        {
            // The driver's message may quote the whole string, password included: it is neither shown nor kept.
            throw new ArgumentException(
                $"MongoSinkOptions.ConnectionString '{MongoConnectionString.Redact(connectionString)}' is not a valid MongoDB connection string ({ex.GetType().Name}); expected mongodb://[user:password@]host[:port][,host...][/?options] or mongodb+srv://.",
                nameof(MongoSinkOptions.ConnectionString));
        }
    }

    private static string[] CollectSecrets(string connectionString)
    {
        // Texts that reach messages are scrubbed of the password, in case a driver message ever quotes it. Very short
        // passwords are left out: replacing every "ab" in a message would garble it and protect next to nothing.
        string? password = new MongoUrl(connectionString).Password;
        return string.IsNullOrEmpty(password) || password.Length < 3 ? [] : [password];
    }

    private static string DescribeServers(MongoClientSettings settings)
    {
        string hosts = string.Join(",", settings.Servers.Select(s => s.ToString()));
        return settings.Scheme == MongoDB.Driver.Core.Configuration.ConnectionStringScheme.MongoDBPlusSrv ? "mongodb+srv://" + hosts : hosts;
    }
}

/// <summary>The two collections of a <see cref="MongoStore"/>.</summary>
internal enum StoreCollection
{
    /// <summary>The interactions collection.</summary>
    Interactions,

    /// <summary>The alerts collection.</summary>
    Alerts,
}
