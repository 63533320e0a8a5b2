using CallStream.Rules;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace CallStream.Hosting;

/// <summary>
/// Holds the running rules: every <see cref="IRuleSource"/> combined in registration order. When a source's change
/// token fires it loads every source again; a valid result replaces the running rules and fires
/// <see cref="Watch"/>, an invalid one is logged with its diagnostics (FILE:LINE:COLUMN) and the running rules stay.
/// With a settle delay, a change is loaded only once the sources have been quiet that long: an editor that saves in
/// several writes (or a half-written file that happens to parse) causes one reload of the final text, not several.
/// </summary>
internal sealed class RuleSetMonitor : IDisposable
{
    private readonly IReadOnlyList<IRuleSource> _sources;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _settleDelay;
    private CancellationTokenSource _changed = new();
    private ITimer? _settling;
    private string? _settlingReason;
    private RuleSet? _current;
    private long _reloads;
    private long _rejected;
    private bool _disposed;

    /// <summary>The settle delay of a host's rule files: as long as the configuration system waits before reloading a changed file.</summary>
    public static readonly TimeSpan HostSettleDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Creates the monitor.</summary>
    /// <param name="sources">The rule sources, in registration order.</param>
    /// <param name="logger">Where reloads and diagnostics are logged.</param>
    /// <param name="settleDelay">How long the sources must be quiet after a change before it is loaded; zero loads at once.</param>
    /// <param name="time">The clock of the settle delay, or <see langword="null"/> for the system clock.</param>
    public RuleSetMonitor(IEnumerable<IRuleSource> sources, ILogger logger, TimeSpan settleDelay = default, TimeProvider? time = null)
    {
        _sources = [.. sources];
        _logger = logger;
        _settleDelay = settleDelay;
        _time = time ?? TimeProvider.System;
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
            _settling?.Dispose();
            _settling = null;
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
            () => OnChanged(source.Name + " changed")));
    }

    /// <summary>Reloads at once, or (with a settle delay) once no further change has come for that long.</summary>
    private void OnChanged(string reason)
    {
        if (_settleDelay <= TimeSpan.Zero)
        {
            Reload(reason);
            return;
        }
        lock (_gate)
        {
            if (_disposed)
                return;
            _settlingReason = reason;
            if (_settling is null)
                _settling = _time.CreateTimer(static state => ((RuleSetMonitor)state!).OnSettled(), this, _settleDelay, Timeout.InfiniteTimeSpan);
            else
                _settling.Change(_settleDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSettled()
    {
        string? reason;
        lock (_gate)
        {
            reason = _settlingReason;
            _settlingReason = null;
            _settling?.Dispose();
            _settling = null;
        }
        if (reason is not null)
            Reload(reason);
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
