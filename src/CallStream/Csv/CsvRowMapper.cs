using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CallStream.Text;

namespace CallStream.Csv;

/// <summary>Why one CSV row cannot become an interaction: the 1-based column, the header, the value and the reason.</summary>
/// <param name="Column">The 1-based column to blame.</param>
/// <param name="Field">The column's header as the input spells it, or <see langword="null"/>.</param>
/// <param name="Value">The offending value, or <see langword="null"/>.</param>
/// <param name="Reason">What is wrong.</param>
internal readonly record struct CsvRowError(int Column, string? Field, string? Value, string Reason);

/// <summary>
/// Maps one CSV row to an <see cref="Interaction"/>, or says precisely which field is wrong and why. Built from the
/// header by <see cref="Bind"/>, which finds the contract columns (through the column map) and rejects a header that
/// cannot be read.
/// </summary>
internal sealed class CsvRowMapper
{
    private const int PoolCapacity = 16_384;
    private const int SharedMapCapacity = 4096;

    // The powers of ten up to 1e15 are exact doubles, and so is any integer of at most 15 digits (below 2^53):
    // dividing one by the other is one correctly rounded operation, which gives what double.Parse gives.
    private const int MaxFastDigits = 15;
    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

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

    private CsvRowMapper(string[] headers, int[] contract, List<(int Ordinal, string Name)> attributes)
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
    public static CsvRowMapper Bind(IReadOnlyList<string> names, IDictionary<string, string> columnMap, string source, long line, int maxAttributeColumns = CsvReaderOptions.DefaultMaxAttributeColumns)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (from, to) in columnMap)
            map[from.Trim()] = to.Trim();

        var headers = new string[names.Count];
        int[] contract = new int[CsvColumns.All.Count];
        Array.Fill(contract, -1);
        var attributes = new List<(int, string)>();
        var byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var byTarget = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < headers.Length; i++)
        {
            string name = headers[i] = names[i].Trim();
            if (name.Length == 0)
                throw new CsvHeaderException(source, line, i + 1, $"column {i + 1} has no name in the header row; name it or remove the column.");
            if (name.AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new CsvHeaderException(source, line, i + 1, $"header name '{name.ReplaceLineEndings(" ")}' contains a line break.");
            if (byName.TryGetValue(name, out int same))
                throw new CsvHeaderException(source, line, i + 1, $"duplicate header '{name}': columns {same + 1} and {i + 1} have the same name (names are compared ignoring case).");
            byName.Add(name, i);

            bool mapped = map.TryGetValue(name, out string? target);
            target ??= name;
            if (byTarget.TryGetValue(target, out int other))
            {
                throw new CsvHeaderException(source, line, i + 1,
                    $"column '{name}' is read as '{target}', which column {other + 1} ('{headers[other]}') already provides; remove one of them or change the column map.");
            }
            byTarget.Add(target, i);

            int index = IndexOfContractColumn(target);
            if (index >= 0)
                contract[index] = i;
            else
                attributes.Add((i, mapped ? target : name));
        }

        if (attributes.Count > maxAttributeColumns)
        {
            throw new CsvHeaderException(source, line, attributes[maxAttributeColumns].Item1 + 1, string.Create(CultureInfo.InvariantCulture,
                $"the header has {attributes.Count:N0} attribute columns (columns outside the contract); at most {maxAttributeColumns:N0} are allowed (CsvReaderOptions.MaxAttributeColumns)."));
        }

        var missing = new List<string>();
        int blame = 0;
        for (int c = 0; c < CsvColumns.Required.Count; c++)
        {
            if (contract[c] >= 0)
                continue;
            string wanted = CsvColumns.Required[c];
            var (ordinal, suggestion) = Suggest(wanted, attributes);
            if (suggestion is null)
            {
                missing.Add($"required column '{wanted}' is missing");
            }
            else
            {
                missing.Add($"required column '{wanted}' is missing; did you mean '{suggestion}' (column {ordinal + 1})? "
                    + $"To read it as {wanted}, map it in the column map ({suggestion} -> {wanted})");
                if (blame == 0)
                    blame = ordinal + 1;
            }
        }
        if (missing.Count > 0)
        {
            string found = string.Join(", ", headers);
            throw new CsvHeaderException(source, line, blame == 0 ? 1 : blame,
                string.Join("; ", missing) + $". The header has: {found}.");
        }
        return new CsvRowMapper(headers, contract, attributes);
    }

    /// <summary>Maps one record.</summary>
    /// <param name="row">The record.</param>
    /// <param name="interaction">The interaction, when the row is valid.</param>
    /// <param name="error">What is wrong, when it is not.</param>
    /// <returns><see langword="true"/> when the row is a valid interaction.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>Parses an invariant-culture number of seconds, as <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out double)"/> with <see cref="NumberStyles.Float"/> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryParseSeconds(ReadOnlySpan<char> text, out double value)
    {
        // The usual forms (digits, a '.' and digits) directly; anything else (signs, exponents, long numbers) as
        // double.TryParse reads it.
        ulong mantissa = 0;
        int digits = 0, decimals = -1;
        foreach (char c in text)
        {
            uint digit = (uint)(c - '0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
                if (decimals >= 0)
                    decimals++;
            }
            else if (c != '.' || decimals >= 0 || digits == 0)
            {
                digits = int.MaxValue;
                break;
            }
            else
            {
                decimals = 0;
            }
        }
        if (digits <= MaxFastDigits && decimals != 0)
        {
            value = decimals < 0 ? mantissa : mantissa / PowersOfTen[decimals];
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses a satisfaction score, an integer from 1 to 5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseScore(ReadOnlySpan<char> text, out int score)
    {
        if (text.Length == 1 && (uint)(text[0] - '1') <= 4)
        {
            score = text[0] - '0';
            return true;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out score) && score is >= 1 and <= 5;
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

    /// <summary>Trims white space from both ends, as <see cref="MemoryExtensions.Trim(ReadOnlySpan{char})"/> does, at once when the ends are visible ASCII.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<char> Trimmed(ReadOnlySpan<char> text) =>
        text.IsEmpty || (char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1])) ? text : text.Trim();

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

    private static int IndexOfContractColumn(string name)
    {
        for (int i = 0; i < CsvColumns.All.Count; i++)
        {
            if (string.Equals(CsvColumns.All[i], name, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        return -1;
    }

    /// <summary>Finds the unclaimed header most like a missing column: same letters, a small edit distance, or a shared word.</summary>
    private static (int Ordinal, string? Name) Suggest(string wanted, List<(int Ordinal, string Name)> candidates)
    {
        string target = Letters(wanted);
        string[] wantedWords = Words(wanted);
        (int Ordinal, string? Name) best = (-1, null);
        int bestScore = int.MaxValue;
        foreach (var (ordinal, name) in candidates)
        {
            string letters = Letters(name);
            int distance = Distance(target, letters);
            int score;
            if (distance <= Math.Max(1, target.Length / 3))
                score = distance;
            else if (SharesWord(wantedWords, Words(name)))
                score = 1000 + distance;
            else
                continue;
            if (score < bestScore)
            {
                bestScore = score;
                best = (ordinal, name);
            }
        }
        return best;
    }

    private static string Letters(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (char.IsLetterOrDigit(c))
                text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    /// <summary>Splits a name into lowercase words at non-letters and at lower-to-upper case changes.</summary>
    private static string[] Words(string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = !char.IsLetterOrDigit(c) || (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]));
            if (boundary && word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
            if (char.IsLetterOrDigit(c))
                word.Append(char.ToLowerInvariant(c));
        }
        if (word.Length > 0)
            words.Add(word.ToString());
        return [.. words];
    }

    private static bool SharesWord(string[] wanted, string[] found)
    {
        foreach (string w in wanted)
        {
            foreach (string f in found)
            {
                if (w.Length >= 3 && f.Length >= 3 && (w.StartsWith(f, StringComparison.Ordinal) || f.StartsWith(w, StringComparison.Ordinal)))
                    return true;
            }
        }
        return false;
    }

    private static int Distance(string a, string b)
    {
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
