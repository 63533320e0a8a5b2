namespace CallStream.Rules;

/// <summary>Collects the diagnostics of one parse, up to <see cref="RuleText.MaxDiagnostics"/>.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public DiagnosticBag(string fileName) => FileName = fileName;

    public string FileName { get; }

    public int Count => _items.Count;

    /// <summary>Adds a diagnostic.</summary>
    /// <exception cref="TooManyErrorsException">The limit is reached; the parse must stop.</exception>
    public void Add(SourcePosition position, string message, string? hint = null)
    {
        _items.Add(new Diagnostic(FileName, position.Line, position.Column, message, hint));
        if (_items.Count >= RuleText.MaxDiagnostics)
        {
            _items.Add(new Diagnostic(FileName, position.Line, position.Column,
                $"too many errors; stopping after {RuleText.MaxDiagnostics}"));
            throw new TooManyErrorsException();
        }
    }

    /// <summary>Gets the diagnostics sorted by position (stable), the stop notice last.</summary>
    public IReadOnlyList<Diagnostic> ToSortedList()
    {
        bool stopped = _items.Count > RuleText.MaxDiagnostics;
        var sorted = (stopped ? _items.Take(_items.Count - 1) : _items)
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Line).ThenBy(x => x.d.Column).ThenBy(x => x.i)
            .Select(x => x.d)
            .ToList();
        if (stopped)
            sorted.Add(_items[^1]);
        return sorted;
    }
}

/// <summary>Thrown inside the parser to stop once too many errors were found.</summary>
#pragma warning disable CA1032, CA1064 // internal control-flow exception, never escapes the parser
internal sealed class TooManyErrorsException : Exception
#pragma warning restore CA1032, CA1064
{
}
