using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// Evaluates a rule set split into shards of rules, shared out between the caller's thread and helper threads, over
/// batches of released events, and hands each event back in release order with the alerts of every shard merged in
/// rule-set order: exactly what the sequential <see cref="RuleEvaluator"/> gives, one event at a time.
/// <see cref="RuleEngine"/> uses it when <see cref="RuleEngineOptions.EvaluationThreads"/> resolves to more than 1.
/// </summary>
/// <remarks>
/// <para>
/// Why it exists: a replay through rules with long windows spends most of its time in the rules (a million rows
/// through benchmarks/rules/long-windows.rules: 3.2 s, 2.5 of them in the rules, against 0.7 s with no rule), on one
/// core of two. Rules keep no state in common, so each shard is a <see cref="RuleEvaluator"/> of its own (windows,
/// suppression, key hashes and expiry alarms); what they share — the compiled rules, the interactions — is only read.
/// An event costs a few microseconds, far too little to synchronise threads per event: the engine collects the events
/// one of its calls releases (up to <see cref="BatchCapacity"/> at a time); the caller and the helpers
/// (<see cref="ShardWorker"/>) each claim shards, costliest first, and run the whole batch through the rules of the
/// shards they claimed; then the batch is delivered. A shard is run by one thread at a time, and the claims and the
/// wait for the last shard order its state's writes before the next batch. The figures that earn it are in
/// benchmarks/README.md ("Rules on two threads").
/// </para>
/// <para>
/// A batch also keeps, in their places, the duplicates dropped before the rules and the late events reported, so
/// every callback comes in the order the sequential engine makes its calls. A batch too small to be worth waking
/// the other threads (<see cref="MinParallelEvents"/>) is run shard after shard on the caller's thread. An exception
/// in a shard is rethrown on the caller's thread once every shard has stopped; the batch is then dropped, as are the
/// undelivered events of a batch whose delivery throws. Not thread-safe: one caller at a time, as the engine.
/// </para>
/// </remarks>
internal sealed class ShardedEvaluator : IDisposable
{
    /// <summary>The most events a batch holds before it is evaluated (a file source's batch of records).</summary>
    public const int BatchCapacity = 1024;

    /// <summary>The fewest events to evaluate for which a batch is shared with the helpers: below it, waking one (some microseconds) costs about what it saves.</summary>
    public const int MinParallelEvents = 32;

    /// <summary>The most shards per thread: more shards than threads, so that a thread the scheduler runs first takes more of the work.</summary>
    private const int ShardsPerThread = 4;

    private readonly RuleEvaluator[] _shards;
    private readonly int[][] _shardRules;
    private readonly Dictionary<string, int> _ruleIndex;
    private readonly List<Alert>[] _shardAlerts;
    private readonly int[][] _shardEnds;
    private readonly int[] _cursors;
    private readonly IShardedDelivery _delivery;
    private readonly List<Alert> _merged = [];
    private readonly Entry[] _entries = new Entry[BatchCapacity];
    private readonly int _threads;
    private readonly int[] _claimOrder;
    private readonly ExceptionDispatchInfo?[] _failures;
    private readonly ManualResetEventSlim _finished = new(false);
    private ShardWorker[]? _workers;
    private int _count;
    private int _evaluations;
    private bool _delivering;

    // The shards of the batch being evaluated are claimed through _next (an index into _claimOrder) by the caller and
    // the helper threads alike; _pending counts those not finished. A helper that wakes after the batch is over claims
    // nothing, so the caller never waits for a thread that did not start.
    private int _next = int.MaxValue;
    private int _pending;

    /// <summary>Splits a rule set into shards.</summary>
    /// <param name="compiled">The rules.</param>
    /// <param name="threads">The number of threads, the caller's included (at most one per rule is used).</param>
    /// <param name="eventTime">Which instant of an interaction is its event time.</param>
    /// <param name="delivery">Receives each event of a batch, in order, once the batch is evaluated.</param>
    public ShardedEvaluator(CompiledRuleSet compiled, int threads, EventTimeMode eventTime, IShardedDelivery delivery)
    {
        _delivery = delivery;
        Rules = compiled.Rules;
        _shardRules = ShardPlan.Assign(compiled.Compiled, threads * ShardsPerThread);
        _threads = Math.Min(threads, _shardRules.Length);
        _claimOrder = Enumerable.Range(0, _shardRules.Length).OrderByDescending(s => _shardRules[s].Sum(i => ShardPlan.Cost(compiled.Compiled[i]))).ToArray();
        _failures = new ExceptionDispatchInfo?[_shardRules.Length];
        _shards = _shardRules.Select(rules => new RuleEvaluator(compiled, rules.Select(i => compiled.Compiled[i]).ToArray(), eventTime)).ToArray();
        _shardAlerts = _shards.Select(_ => new List<Alert>()).ToArray();
        _shardEnds = _shards.Select(_ => new int[BatchCapacity]).ToArray();
        _cursors = new int[_shards.Length];
        _ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < compiled.Compiled.Count; i++)
            _ruleIndex[compiled.Compiled[i].Name] = i;
    }

    /// <summary>What a batch entry is.</summary>
    private enum EntryKind : byte
    {
        Evaluate,
        WarmUp,
        Duplicate,
        Late,
    }

    /// <summary>Gets the rules, in evaluation order.</summary>
    public RuleSet Rules { get; }

    /// <summary>Gets the rules' indices of each shard, in rule-set order (the shard of the first rule first).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Shards => _shardRules;

    /// <summary>Gets the number of events evaluated (warm-up included), as of the last batch evaluated.</summary>
    public long EventsEvaluated => _shards[0].EventsEvaluated;

    /// <summary>Gets the number of groups holding window state, over all rules.</summary>
    public int GroupCount => _shards.Sum(shard => shard.GroupCount);

    /// <summary>Gets the number of threads that evaluate a batch, the caller's included.</summary>
    public int Threads => _threads;

    /// <summary>Gets whether worker threads are running (they start with the first batch large enough to share).</summary>
    public bool HasLiveWorkers => _workers?.Any(w => w.IsAlive) ?? false;

    /// <summary>Adds a released event to the batch (evaluated after the batch is full or at <see cref="Flush"/>).</summary>
    /// <param name="item">The event.</param>
    /// <param name="ticks">Its event time in UTC ticks.</param>
    public void Add(in PartitionedInteraction item, long ticks)
    {
        _evaluations++;
        Append(new Entry(item, ticks, item.WarmUp ? EntryKind.WarmUp : EntryKind.Evaluate, default));
    }

    /// <summary>Adds, in its place, an event dropped before the rules as a duplicate.</summary>
    public void AddDuplicate(in PartitionedInteraction item) => Append(new Entry(item, 0, EntryKind.Duplicate, default));

    /// <summary>Adds, in its place, the report of a late event (the event itself follows).</summary>
    public void AddLate(LateEvent late) => Append(new Entry(default, 0, EntryKind.Late, late));

    /// <summary>Evaluates the batch and delivers its entries, in order.</summary>
    /// <exception cref="InvalidOperationException">This is called from a delivery callback.</exception>
    public void Flush()
    {
        if (_count == 0)
            return;
        if (_delivering)
            throw ReentrantCall();
        try
        {
            if (_evaluations > 0)
                Evaluate();
            _delivering = true;
            Deliver();
        }
        finally
        {
            _delivering = false;
            Array.Clear(_entries, 0, _count); // no interaction kept alive past its delivery
            _count = 0;
            _evaluations = 0;
        }
    }

    /// <summary>Reads the counters and state size of every rule.</summary>
    /// <returns>One entry per rule, in rule-set order.</returns>
    public IReadOnlyList<RuleStatistics> GetStatistics()
    {
        var statistics = new RuleStatistics[_ruleIndex.Count];
        for (int s = 0; s < _shards.Length; s++)
        {
            var shard = _shards[s].GetStatistics();
            for (int k = 0; k < shard.Count; k++)
                statistics[_shardRules[s][k]] = shard[k];
        }
        return statistics;
    }

    /// <summary>Ends the worker threads; a batch not flushed is dropped.</summary>
    public void Dispose()
    {
        var workers = _workers;
        _workers = null;
        if (workers is null)
            return;
        foreach (var worker in workers)
            worker.Dispose();
        _finished.Dispose();
    }

    private static InvalidOperationException ReentrantCall() => new("The rule engine cannot be called from its own callbacks.");

    private void Append(in Entry entry)
    {
        if (_delivering)
            throw ReentrantCall();
        _entries[_count++] = entry;
        if (_count == BatchCapacity)
            Flush();
    }

    private void Evaluate()
    {
        if (_evaluations < MinParallelEvents || _threads == 1)
        {
            for (int s = 0; s < _shards.Length; s++)
                RunShard(s);
            return;
        }
        var workers = _workers ??= CreateWorkers();
        Volatile.Write(ref _pending, _shards.Length);
        Interlocked.Exchange(ref _next, 0); // the batch is ready: from here on a helper may claim a shard of it
        foreach (var worker in workers)
            worker.Wake();
        RunClaimedShards();
        // A helper may still run the shard it claimed: nothing is delivered, rethrown or changed before it is done.
        while (true)
        {
            _finished.Reset();
            if (Volatile.Read(ref _pending) == 0)
                break;
            _finished.Wait();
        }
        for (int s = 0; s < _failures.Length; s++)
        {
            if (_failures[s] is { } failure)
            {
                Array.Clear(_failures);
                failure.Throw();
            }
        }
    }

    /// <summary>Runs shards of the current batch, costliest first, until every shard is taken (on the caller's thread or a helper's).</summary>
    private void RunClaimedShards()
    {
        int claimed;
        while ((claimed = Interlocked.Increment(ref _next) - 1) < _claimOrder.Length && claimed >= 0)
        {
            int shard = _claimOrder[claimed];
            try
            {
                RunShard(shard);
            }
            catch (Exception e)
            {
                _failures[shard] = ExceptionDispatchInfo.Capture(e);
            }
            if (Interlocked.Decrement(ref _pending) == 0)
                _finished.Set();
        }
    }

    private ShardWorker[] CreateWorkers()
    {
        var workers = new ShardWorker[_threads - 1];
        for (int w = 0; w < workers.Length; w++)
            workers[w] = new ShardWorker($"CallStream rules {w + 1}", RunClaimedShards);
        return workers;
    }

    /// <summary>Runs the batch through one shard, noting after each entry how many alerts the shard has raised so far.</summary>
    private void RunShard(int s)
    {
        var shard = _shards[s];
        var alerts = _shardAlerts[s];
        var ends = _shardEnds[s];
        var entries = _entries;
        int count = _count;
        alerts.Clear();
        for (int j = 0; j < count; j++)
        {
            ref readonly var entry = ref entries[j];
            if (entry.Kind == EntryKind.Evaluate)
                shard.Evaluate(entry.Item.Interaction, entry.Ticks, alerts);
            else if (entry.Kind == EntryKind.WarmUp)
                shard.Evaluate(entry.Item.Interaction, entry.Ticks, null);
            ends[j] = alerts.Count;
        }
    }

    private void Deliver()
    {
        Array.Clear(_cursors);
        for (int j = 0; j < _count; j++)
        {
            ref readonly var entry = ref _entries[j];
            switch (entry.Kind)
            {
                case EntryKind.Evaluate:
                    _delivery.Deliver(entry.Item, AlertsOf(j));
                    break;
                case EntryKind.WarmUp:
                    _delivery.Deliver(entry.Item, default);
                    break;
                case EntryKind.Duplicate:
                    _delivery.DeliverDuplicate(entry.Item);
                    break;
                default:
                    _delivery.DeliverLate(entry.Late);
                    break;
            }
        }
    }

    /// <summary>Gets the alerts of entry <paramref name="j"/>, merged in rule-set order, and moves the shards' cursors past them.</summary>
    private ReadOnlySpan<Alert> AlertsOf(int j)
    {
        int only = -1;
        int raising = 0;
        for (int s = 0; s < _shards.Length; s++)
        {
            if (_shardEnds[s][j] > _cursors[s])
            {
                only = s;
                raising++;
            }
        }
        if (raising == 0)
            return default;
        if (raising == 1)
        {
            // Within a shard the alerts are already in rule-set order.
            int start = _cursors[only];
            int end = _shardEnds[only][j];
            _cursors[only] = end;
            return CollectionsMarshal.AsSpan(_shardAlerts[only])[start..end];
        }
        _merged.Clear();
        while (true)
        {
            int next = -1;
            int nextRule = int.MaxValue;
            for (int s = 0; s < _shards.Length; s++)
            {
                if (_cursors[s] < _shardEnds[s][j])
                {
                    int rule = _ruleIndex[_shardAlerts[s][_cursors[s]].Rule];
                    if (rule < nextRule)
                    {
                        next = s;
                        nextRule = rule;
                    }
                }
            }
            if (next < 0)
                return CollectionsMarshal.AsSpan(_merged);
            _merged.Add(_shardAlerts[next][_cursors[next]++]);
        }
    }

    /// <summary>One entry of a batch: an event to evaluate (or to warm up with), a duplicate, or a late event's report.</summary>
    private readonly record struct Entry(PartitionedInteraction Item, long Ticks, EntryKind Kind, LateEvent Late);
}

/// <summary>Receives the entries of a batch <see cref="ShardedEvaluator"/> evaluated, in release order.</summary>
internal interface IShardedDelivery
{
    /// <summary>An evaluated event with its alerts in rule-set order (none for a warm-up event); valid during the call only.</summary>
    void Deliver(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts);

    /// <summary>An event dropped before the rules as a duplicate.</summary>
    void DeliverDuplicate(in PartitionedInteraction item);

    /// <summary>The report of a late event, before the event itself.</summary>
    void DeliverLate(LateEvent late);
}
