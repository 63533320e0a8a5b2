using BenchmarkDotNet.Attributes;
using CallStream.Mongo;
using CallStream.Pipeline;
using MongoDB.Driver;

namespace CallStream.Benchmarks;

/// <summary>
/// The MongoDB side of the original system's naive design (one write per message) against CallStream's bulk upserts,
/// on the server <c>CALLSTREAM_MONGO</c> names (there is none on the build machine: without the variable the setup
/// fails and BenchmarkDotNet reports the class as not run). One operation is one interaction of <see cref="Messages"/>.
/// </summary>
/// <remarks>
/// Both write the same documents with the same code (<see cref="MongoInteractionSink"/>, upsert by interaction id, write
/// concern <c>majority</c>): <see cref="NaivePerMessage"/> awaits a write of one interaction before the next (one round
/// trip each, as the original <c>insert_one</c> per record); <see cref="CallStreamBulk"/> goes through a
/// <see cref="BatchingSink{T}"/> of 1,000 (the pipeline's default). Each iteration writes to a fresh collection (indexes
/// created before timing) of a database made for the run and dropped at its end.
/// </remarks>
[MemoryDiagnoser]
[ShortRunJob]
public class NaiveMongoBenchmarks
{
    /// <summary>Interactions per operation set.</summary>
    public const int Messages = 5_000;

    private Interaction[] _interactions = [];
    private MongoClient _client = null!;
    private MongoSinkOptions _options = null!;
    private MongoStore? _store;
    private int _iteration;

    [GlobalSetup]
    public void Setup()
    {
        _options = new MongoSinkOptions { Database = "callstream-bench-" + Guid.NewGuid().ToString("N")[..8] };
        string connection;
        try
        {
            connection = _options.ResolveConnectionString();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{nameof(NaiveMongoBenchmarks)} needs a MongoDB server: {e.Message}", e);
        }
        _client = new MongoClient(connection);
        _interactions = GeneratedInteractions.InOrder(Messages);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_client is not null)
        {
            _client.DropDatabase(_options.Database);
            _client.Dispose();
        }
    }

    /// <summary>A fresh collection with its indexes for the next iteration (not timed).</summary>
    [IterationSetup]
    public void FreshCollection()
    {
        _iteration++;
        _options.InteractionsCollection = $"interactions-{_iteration}";
        _store = new MongoStore(_client, _options);
        _store.EnsureIndexesAsync().GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void DisposeStore() => _store?.Dispose();

    /// <summary>The original design: one interaction, one acknowledged write, then the next.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<int> NaivePerMessage()
    {
        var sink = new MongoInteractionSink(_store!);
        var one = new Interaction[1];
        foreach (var interaction in _interactions)
        {
            one[0] = interaction;
            await sink.WriteBatchAsync(one, CancellationToken.None).ConfigureAwait(false);
        }
        return Messages;
    }

    /// <summary>CallStream: unordered bulk upserts of up to 1,000 interactions per round trip.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<long> CallStreamBulk()
    {
        var sink = new BatchingSink<Interaction>(new MongoInteractionSink(_store!), "mongo:interactions", new BatchingOptions { MaxAttempts = 1 });
        await using (sink.ConfigureAwait(false))
        {
            foreach (var interaction in _interactions)
                await sink.EnqueueAsync(interaction).ConfigureAwait(false);
            await sink.FlushAsync().ConfigureAwait(false);
            return sink.Written == Messages ? sink.Written : throw new InvalidOperationException($"Wrote {sink.Written} of {Messages}.");
        }
    }
}
