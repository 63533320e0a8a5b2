using System.Reflection;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace CallStream.Mongo.Tests.Harness;

/// <summary>
/// A stand-in <see cref="IMongoCollection{TDocument}"/> that supports exactly what the driver's LINQ provider needs
/// to run a query: its namespace, serializer and settings, and <c>Aggregate</c>/<c>AggregateAsync</c>, which render
/// the pipeline the provider built, hand it to an <see cref="IPipelineEngine"/>, and deserialize the results with the
/// provider's own output serializer. Everything else throws, so a test notices any other use.
/// </summary>
internal class FakeCollection<T> : DispatchProxy
{
    private string _name = "";
    private IMongoDatabase _database = null!;
    private IPipelineEngine _engine = null!;

    public static IMongoCollection<T> Create(string name, IPipelineEngine engine, string database = "callstream")
    {
        var proxy = Create<IMongoCollection<T>, FakeCollection<T>>();
        var fake = (FakeCollection<T>)(object)proxy;
        fake._name = name;
        fake._engine = engine;
        fake._database = FakeDatabase.Create(database);
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case "get_CollectionNamespace": return new CollectionNamespace(_database.DatabaseNamespace, _name);
            case "get_Database": return _database;
            case "get_DocumentSerializer": return BsonSerializer.LookupSerializer<T>();
            case "get_Settings": return new MongoCollectionSettings();
            case "Aggregate":
            case "AggregateAsync":
                {
                    var pipeline = args!.Single(a => a is not null && IsPipeline(a.GetType()))!;
                    var resultType = targetMethod.GetGenericArguments()[0];
                    var run = typeof(FakeCollection<T>).GetMethod(nameof(Run), BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(resultType);
                    return run.Invoke(this, [pipeline, targetMethod.Name == "AggregateAsync"]);
                }
            default:
                throw new NotSupportedException($"The fake collection does not support {targetMethod.Name}.");
        }
    }

    private static bool IsPipeline(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(PipelineDefinition<,>))
                return true;
        }
        return false;
    }

    private object Run<TResult>(PipelineDefinition<T, TResult> pipeline, bool async)
    {
        var rendered = pipeline.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry));
        var documents = _engine.Run(_name, rendered.Documents.ToList());
        var results = documents.Select(d => Deserialize(d, rendered.OutputSerializer)).ToList();
        IAsyncCursor<TResult> cursor = new ListCursor<TResult>(results);
        return async ? Task.FromResult(cursor) : cursor;
    }

    private static TResult Deserialize<TResult>(BsonDocument document, IBsonSerializer<TResult> serializer)
    {
        using var reader = new MongoDB.Bson.IO.BsonDocumentReader(document);
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }
}

/// <summary>A stand-in database: its namespace only.</summary>
internal class FakeDatabase : DispatchProxy
{
    private string _name = "";

    public static IMongoDatabase Create(string name)
    {
        var proxy = Create<IMongoDatabase, FakeDatabase>();
        ((FakeDatabase)(object)proxy)._name = name;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_DatabaseNamespace" => new DatabaseNamespace(_name),
        "get_Settings" => new MongoDatabaseSettings(),
        "get_Client" => FakeClient.Create(),
        _ => throw new NotSupportedException($"The fake database does not support {targetMethod?.Name}."),
    };
}

/// <summary>A stand-in client: default settings only (no cluster, no I/O).</summary>
internal class FakeClient : DispatchProxy
{
    public static IMongoClient Create() => Create<IMongoClient, FakeClient>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_Settings" => new MongoClientSettings(),
        _ => throw new NotSupportedException($"The fake client does not support {targetMethod?.Name}."),
    };
}

/// <summary>A cursor over a list, in one batch.</summary>
internal sealed class ListCursor<T>(IReadOnlyList<T> items) : IAsyncCursor<T>
{
    private bool _moved;

    public IEnumerable<T> Current => _moved ? items : throw new InvalidOperationException("Call MoveNext first.");

    public bool MoveNext(CancellationToken cancellationToken = default)
    {
        if (_moved)
        {
            items = [];
            return false;
        }
        _moved = true;
        return true;
    }

    public Task<bool> MoveNextAsync(CancellationToken cancellationToken = default) => Task.FromResult(MoveNext(cancellationToken));

    public void Dispose()
    {
    }
}
