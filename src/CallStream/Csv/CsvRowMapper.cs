using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CallStream.Text;
using static CallStream.Csv.CsvFieldParsers;

namespace CallStream.Csv;

/// <summary>
/// Maps one CSV row to an <see cref="Interaction"/>, or says precisely which field is wrong and why. Built from the
/// header by <see cref="Bind"/>, which finds the contract columns (through the column map) and rejects a header that
/// cannot be read.
/// </summary>
internal sealed class CsvRowMapper
{
    private const int PoolCapacity = 16_384;
    private const int SharedMapCapacity = 4096;

    private const string NotAnInstant = "not an ISO-8601 instant (for example 2024-03-01T09:15:00Z, 2024-03-01T10:15:00+01:00, or 2024-03-01 09:15:00 for UTC).";
    private const string NotSeconds = "not a number of seconds (digits with an optional '.' and decimals).";
    private const string NotFinite = "must be a finite number of seconds.";
    private const string Negative = "must not be negative.";
    private const string NotAScore = "must be an integer from 1 to 5, or empty.";
    private const string UnknownChannel = "unknown channel; allowed: " + WireNames.AllowedChannels + ".";
    private const string UnknownOutcome = "unknown outcome; allowed: " + WireNames.AllowedOutcomes + ".";

    private readonly string[] _headers;
    private readonly int _interactionId;
    private readonly int _customerId;
    private readonly int _agentId;
    private readonly int _channel;
    private readonly int _startTime;
    private readonly int _duration;
    private readonly int _outcome;
    private readonly int _satisfaction;
    private readonly int[] _attributeOrdinals;
    private readonly int[] _attributeKeys;
    private readonly string?[] _attributeValues;
    private readonly CsvAttributeMaps _maps;
    private readonly StringPool _pool = new(PoolCapacity);
    private readonly CsvKnownValues<Channel> _channels = new();
    private readonly CsvKnownValues<Outcome> _outcomes = new();

    internal CsvRowMapper(string[] headers, int[] contract, List<(int Ordinal, string Name)> attributes)
    {
        _headers = headers;
        _interactionId = contract[0];
        _customerId = contract[1];
        _agentId = contract[2];
        _channel = contract[3];
        _startTime = contract[4];
        _duration = contract[5];
        _outcome = contract[6];
        _satisfaction = contract[7];
        _attributeOrdinals = new int[attributes.Count];
        var names = new string[attributes.Count];
        for (int a = 0; a < attributes.Count; a++)
            (_attributeOrdinals[a], names[a]) = attributes[a];
        _attributeKeys = new int[attributes.Count];
        _attributeValues = new string?[attributes.Count];
        _maps = new CsvAttributeMaps(names, SharedMapCapacity);
    }

    /// <summary>Gets the header's names, trimmed, in the input's order.</summary>
    public IReadOnlyList<string> Headers => _headers;

    /// <summary>Binds a header row to the contract columns.</summary>
    /// <param name="names">The header's names as read.</param>
    /// <param name="columnMap">Source header to the column it is read as.</param>
    /// <param name="source">The input's name, for messages.</param>
    /// <param name="line">The header's 1-based line, for messages.</param>
    /// <param name="maxAttributeColumns">The most attribute columns allowed.</param>
    /// <returns>The mapper for the rows below the header.</returns>
    /// <exception cref="CsvHeaderException">
    /// A name is empty, repeated or has a line break, there are too many attribute columns, or a required column is missing.
    /// </exception>
    public static CsvRowMapper Bind(IReadOnlyList<string> names, IDictionary<string, string> columnMap, string source, long line, int maxAttributeColumns = CsvReaderOptions.DefaultMaxAttributeColumns) =>
        CsvHeaderBinder.Bind(names, columnMap, source, line, maxAttributeColumns);

    /// <summary>Maps one record.</summary>
    /// <param name="row">The record.</param>
    /// <param name="interaction">The interaction, when the row is valid.</param>
    /// <param name="error">What is wrong, when it is not.</param>
    /// <returns><see langword="true"/> when the row is a valid interaction.</returns>
    public bool TryMap(CsvRecord row, [NotNullWhen(true)] out Interaction? interaction, out CsvRowError error)
    {
        interaction = null;
        if (row.FieldCount != _headers.Length)
            return WrongFieldCount(row.FieldCount, out error);

        // A field with doubled quotes is unescaped into one shared scratch buffer: use each field's text before asking for the next.
        if (!Required(row, _interactionId, out var text, out error))
            return false;
        string id = new(text);
        if (!Required(row, _customerId, out text, out error))
            return false;
        string customer = new(text);
        if (!Required(row, _agentId, out text, out error))
            return false;
        string agent = _pool.Get(text);
        if (!Required(row, _channel, out text, out error))
            return false;
        if (!_channels.TryGet(text, out var channel) && !_channels.TryParse(text, WireNames.TryParseChannel, out channel))
            return Fail(_channel, text, UnknownChannel, out error);
        if (!Required(row, _startTime, out text, out error))
            return false;
        if (!Iso8601.TryParse(text, out var start))
            return Fail(_startTime, text, NotAnInstant, out error);
        if (!Required(row, _duration, out text, out error))
            return false;
        if (!TryParseSeconds(text, out double duration))
            return Fail(_duration, text, NotSeconds, out error);
        if (!double.IsFinite(duration))
            return Fail(_duration, text, NotFinite, out error);
        if (duration < 0)
            return Fail(_duration, text, Negative, out error);
        if (!Required(row, _outcome, out text, out error))
            return false;
        if (!_outcomes.TryGet(text, out var outcome) && !_outcomes.TryParse(text, WireNames.TryParseOutcome, out outcome))
            return Fail(_outcome, text, UnknownOutcome, out error);

        int? satisfaction = null;
        if (_satisfaction >= 0)
        {
            text = Trimmed(row[_satisfaction]);
            if (!text.IsEmpty)
            {
                if (!TryParseScore(text, out int score))
                    return Fail(_satisfaction, text, NotAScore, out error);
                satisfaction = score;
            }
        }

        interaction = new Interaction(
            id,
            customer,
            agent,
            channel,
            start,
            duration == 0 ? 0 : duration,
            outcome,
            satisfaction,
            _attributeOrdinals.Length == 0 ? null : Attributes(row));
        error = default;
        return true;
    }

    /// <summary>
    /// Describes every bad field of a row <see cref="TryMap"/> rejected, in column order: the rejected-row path, which
    /// checks each field on its own where <see cref="TryMap"/> stops at the first problem.
    /// </summary>
    /// <param name="row">The record <see cref="TryMap"/> rejected.</param>
    /// <param name="first">The problem <see cref="TryMap"/> reported, kept when it is the only one.</param>
    /// <returns>At least one problem; one for a row with the wrong number of fields.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public List<CsvRowError> Diagnose(CsvRecord row, CsvRowError first)
    {
        var problems = new List<CsvRowError>(4);
        if (row.FieldCount != _headers.Length)
        {
            problems.Add(first);
            return problems;
        }

        void Check(bool ok, CsvRowError error)
        {
            if (!ok)
                problems.Add(error);
        }

        // Each field's text is used before the next is asked for (a field with doubled quotes is unescaped into a shared buffer).
        Check(Required(row, _interactionId, out _, out var error), error);
        Check(Required(row, _customerId, out _, out error), error);
        Check(Required(row, _agentId, out _, out error), error);
        if (Required(row, _channel, out var text, out error))
            Check(_channels.TryGet(text, out _) || _channels.TryParse(text, WireNames.TryParseChannel, out _), Describe(_channel, text, UnknownChannel));
        else
            problems.Add(error);
        if (Required(row, _startTime, out text, out error))
            Check(Iso8601.TryParse(text, out _), Describe(_startTime, text, NotAnInstant));
        else
            problems.Add(error);
        if (Required(row, _duration, out text, out error))
        {
            if (!TryParseSeconds(text, out double duration))
                problems.Add(Describe(_duration, text, NotSeconds));
            else if (!double.IsFinite(duration))
                problems.Add(Describe(_duration, text, NotFinite));
            else if (duration < 0)
                problems.Add(Describe(_duration, text, Negative));
        }
        else
        {
            problems.Add(error);
        }
        if (Required(row, _outcome, out text, out error))
            Check(_outcomes.TryGet(text, out _) || _outcomes.TryParse(text, WireNames.TryParseOutcome, out _), Describe(_outcome, text, UnknownOutcome));
        else
            problems.Add(error);
        if (_satisfaction >= 0)
        {
            text = Trimmed(row[_satisfaction]);
            if (!text.IsEmpty && !TryParseScore(text, out _))
                problems.Add(Describe(_satisfaction, text, NotAScore));
        }

        if (problems.Count == 0)
            problems.Add(first); // not expected: both paths check the same things
        problems.Sort((a, b) => a.Column.CompareTo(b.Column));
        return problems;
    }

    /// <summary>Gets the row's attributes (an empty cell is absent), or <see langword="null"/> when it has none.</summary>
    private AttributeMap? Attributes(CsvRecord row)
    {
        bool any = false, shared = true;
        for (int a = 0; a < _attributeOrdinals.Length; a++)
        {
            var value = row[_attributeOrdinals[a]];
            if (value.IsEmpty)
            {
                _attributeValues[a] = null;
                _attributeKeys[a] = 0;
                continue;
            }
            any = true;
            _attributeValues[a] = _pool.Get(value, out int id);
            _attributeKeys[a] = id + 1;
            shared &= id != StringPool.NotPooled;
        }
        if (!any)
            return null;
        return shared ? _maps.Get(_attributeKeys, _attributeValues) : _maps.Build(_attributeValues);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Required(CsvRecord row, int ordinal, out ReadOnlySpan<char> text, out CsvRowError error)
    {
        text = Trimmed(row[ordinal]);
        if (!text.IsEmpty)
        {
            error = default;
            return true;
        }
        return Fail(ordinal, default, "is required but empty.", out error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool WrongFieldCount(int count, out CsvRowError error)
    {
        string reason = string.Create(CultureInfo.InvariantCulture, $"the row has {count} fields but the header has {_headers.Length}.");
        error = count < _headers.Length ? new(count + 1, _headers[count], null, reason) : new(_headers.Length + 1, null, null, reason);
        return false;
    }

    /// <summary>Describes what is wrong with a field: its value as read (none when empty) and why.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Fail(int ordinal, ReadOnlySpan<char> value, string reason, out CsvRowError error)
    {
        error = Describe(ordinal, value, reason);
        return false;
    }

    private CsvRowError Describe(int ordinal, ReadOnlySpan<char> value, string reason) =>
        new(ordinal + 1, _headers[ordinal], value.IsEmpty ? null : new string(value), reason);
}
