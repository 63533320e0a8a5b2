using CallStream.Rules;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace CallStream.Hosting;

/// <summary>
/// Holds the running rules: every <see cref="IRuleSource"/> combined in registration order. When a source's change
/// token fires it loads every source again; a valid result replaces the running rules and fires
/// <see cref="Watch"/>, an invalid one is logged with its diagnostics (FILE:LINE:COLUMN) and the running rules stay.
/// </summary>
internal sealed class RuleSetMonitor : IDisposable
{
    private readonly IReadOnlyList<IRuleSource> _sources;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<IDisposable> _subscriptions = [];
    private CancellationTokenSource _changed = new();
    private RuleSet? _current;
    private long _reloads;
    private long _rejected;
    private bool _disposed;

    public RuleSetMonitor(IEnumerable<IRuleSource> sources, ILogger logger)
    {
        _sources = [.. sources];
        _logger = logger;
    }

    /// <summary>Gets the running rules; <see cref="Start"/> loads them first.</summary>
    public RuleSet Current => _current ?? throw new InvalidOperationException("The rules are not loaded yet: the CallStream host has not started.");

    /// <summary>Gets how many times the running rules were replaced after a change.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Gets how many changes were rejected because the rules were invalid or unreadable.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Loads the rules and starts watching the sources; throws when they cannot be loaded.</summary>
    /// <exception cref="InvalidOperationException">No rule source is configured.</exception>
    /// <exception cref="RuleParseException">A source's rules are invalid.</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_current is not null)
                return;
            if (_sources.Count == 0)
                throw new InvalidOperationException("CallStream has no rules: set CallStream:Rules:File or CallStream:Rules:UseDefaults=true, or call AddRules/AddRuleFile/AddDefaultRules in AddCallStream.");
            _current = LoadAll();
            Log.RulesLoaded(_logger, _current.Count, string.Join(", ", _sources.Select(s => s.Name)));
            foreach (var source in _sources)
                Subscribe(source);
        }
    }

    /// <summary>Gets a token that fires when the running rules are replaced.</summary>
    public IChangeToken Watch()
    {
        lock (_gate)
            return new CancellationChangeToken(_changed.Token);
    }

    /// <summary>Loads every source again now; returns whether the running rules were replaced.</summary>
    public bool Reload(string reason)
    {
        lock (_gate)
        {
            if (_disposed || _current is null)
                return false;
            RuleSet next;
            try
            {
                next = LoadAll();
            }
            catch (RuleParseException exception)
            {
                foreach (var diagnostic in exception.Diagnostics)
                    Log.RuleDiagnostic(_logger, diagnostic.ToString());
                Log.ReloadRejected(_logger, reason, exception.Diagnostics.Count, _current.Count);
                // Counted after logging, so that whoever sees the count sees the diagnostics too.
                Interlocked.Increment(ref _rejected);
                return false;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
            {
                Log.ReloadFailed(_logger, exception, reason, _current.Count);
                Interlocked.Increment(ref _rejected);
                return false;
            }

            if (next.Equals(_current))
            {
                Log.ReloadUnchanged(_logger, reason);
                return false;
            }
            _current = next;
            Log.RulesReloaded(_logger, reason, next.Count);
            Interlocked.Increment(ref _reloads);
            var fired = _changed;
            _changed = new CancellationTokenSource();
            fired.Cancel();
            fired.Dispose();
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var subscription in _subscriptions)
                subscription.Dispose();
            _subscriptions.Clear();
            _changed.Dispose();
        }
    }

    private void Subscribe(IRuleSource source)
    {
        if (source.Watch() is not { } first)
            return;
        IChangeToken? pending = first;
        _subscriptions.Add(ChangeToken.OnChange(
            () => Interlocked.Exchange(ref pending, null) ?? source.Watch() ?? NullChangeToken.Singleton,
            () => Reload(source.Name + " changed")));
    }

    private RuleSet LoadAll()
    {
        if (_sources.Count == 1)
            return _sources[0].Load();
        var rules = new List<Rule>();
        foreach (var source in _sources)
            rules.AddRange(source.Load());
        try
        {
            return new RuleSet(rules);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"The rules of {string.Join(", ", _sources.Select(s => s.Name))} cannot be combined: {exception.Message}", exception);
        }
    }
}
