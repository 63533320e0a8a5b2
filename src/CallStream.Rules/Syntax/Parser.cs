using System.Globalization;

namespace CallStream.Rules;

/// <summary>
/// The recursive-descent parser of rule text. It reports every error of a file (resynchronising at the next
/// clause keyword or <c>rule</c>), keeps the source position of every expression node so the validator's
/// problems point at the right place, and bounds its recursion so hostile input cannot exhaust the stack.
/// </summary>
internal sealed class Parser
{
    private const string ClauseList = "where, group by, window, having, severity, suppress, message";

    private static readonly string[] ClauseKeywords = ["rule", "where", "group", "window", "having", "severity", "suppress", "message"];

    private static readonly string[] AggregateNames = ["count", "rate", "sum", "avg", "min", "max", "distinct"];

    private readonly string _text;
    private readonly List<Token> _tokens;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<Expr, SourcePosition> _positions = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Expr> _poisoned = new(ReferenceEqualityComparer.Instance);
    private int _index;
    private int _depth;

    private Parser(string text, List<Token> tokens, DiagnosticBag diagnostics)
    {
        _text = text;
        _tokens = tokens;
        _diagnostics = diagnostics;
    }

    private Token Current => _tokens[_index];

    private Token PeekToken(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    /// <summary>Parses a whole rule file.</summary>
    public static RuleParseResult ParseRuleSet(string text, string fileName)
    {
        var diagnostics = new DiagnosticBag(fileName);
        List<Rule>? rules = null;
        try
        {
            if (text.Length > RuleText.MaxInputLength)
            {
                diagnostics.Add(new SourcePosition(1, 1),
                    $"the rule text is too large: {text.Length.ToString(CultureInfo.InvariantCulture)} characters, the limit is {RuleText.MaxInputLength.ToString(CultureInfo.InvariantCulture)}",
                    "split the rules into several files");
            }
            else
            {
                var tokens = new Lexer(text, diagnostics).Tokenize(RuleText.MaxTokens);
                if (tokens is not null)
                    rules = new Parser(text, tokens, diagnostics).ParseFile();
            }
        }
        catch (TooManyErrorsException)
        {
            // The bag holds the errors and the notice that the parse stopped.
        }
        return diagnostics.Count > 0 || rules is null
            ? new RuleParseResult(fileName, null, diagnostics.ToSortedList())
            : new RuleParseResult(fileName, new RuleSet(rules), []);
    }

    /// <summary>Parses text that must be exactly one expression (a message placeholder); <see langword="null"/> on any error.</summary>
    public static Expr? ParseStandaloneExpression(string text)
    {
        if (text.Length > 4096)
            return null;
        var diagnostics = new DiagnosticBag("<placeholder>");
        try
        {
            var tokens = new Lexer(text, diagnostics).Tokenize(RuleText.MaxTokens);
            if (tokens is null || diagnostics.Count > 0)
                return null;
            var parser = new Parser(text, tokens, diagnostics);
            var expr = parser.ParseOr();
            if (parser.Current.Kind != TokenKind.EndOfInput || diagnostics.Count > 0 || parser._poisoned.Count > 0)
                return null;
            return expr;
        }
        catch (SyntaxErrorException)
        {
            return null;
        }
        catch (TooManyErrorsException)
        {
            return null;
        }
    }

    // ---- Rules and clauses -------------------------------------------------------------------------------

    private List<Rule> ParseFile()
    {
        var rules = new List<Rule>();
        var names = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        int count = 0;
        while (Current.Kind != TokenKind.EndOfInput)
        {
            if (!Current.Is(Keyword.Rule))
            {
                if (Current.Kind != TokenKind.Error)
                {
                    string? nearest = Current.Kind is TokenKind.Name or TokenKind.Keyword ? Spelling.Nearest(TokenText(Current), ["rule"]) : null;
                    _diagnostics.Add(Current.Position, $"expected 'rule', found {Describe(Current)}",
                        nearest is not null ? "did you mean 'rule'?" : "a rule file is a list of rules, each starting with 'rule NAME'");
                }
                do
                {
                    _index++;
                }
                while (Current.Kind != TokenKind.EndOfInput && !Current.Is(Keyword.Rule));
                continue;
            }
            if (++count > RuleText.MaxRules)
            {
                _diagnostics.Add(Current.Position, $"too many rules: the limit is {RuleText.MaxRules.ToString(CultureInfo.InvariantCulture)} in one file",
                    "split the rules into several files");
                return rules;
            }
            var draft = ParseRule();
            var rule = Finish(draft, names);
            if (rule is not null)
                rules.Add(rule);
        }
        return rules;
    }

    private RuleDraft ParseRule()
    {
        var draft = new RuleDraft(Current);
        _index++;
        var nameToken = Current;
        if (nameToken.Kind == TokenKind.Name)
        {
            draft.NameToken = nameToken;
            draft.Name = nameToken.Text;
            _index++;
        }
        else
        {
            draft.HasErrors = true;
            if (nameToken.Kind == TokenKind.Keyword && !Keywords.StartsClause(nameToken.Keyword) && !nameToken.Is(Keyword.Rule))
            {
                _diagnostics.Add(nameToken.Position, $"expected a rule name after 'rule', found keyword {Describe(nameToken)}", "keywords cannot be rule names");
                _index++;
            }
            else if (nameToken.Kind != TokenKind.Error)
            {
                _diagnostics.Add(nameToken.Position, $"expected a rule name after 'rule', found {Describe(nameToken)}");
            }
            else
            {
                _index++;
            }
        }

        while (Current.Kind != TokenKind.EndOfInput && !Current.Is(Keyword.Rule))
        {
            if (Current.Kind == TokenKind.Keyword && Keywords.StartsClause(Current.Keyword))
            {
                ParseClause(draft);
                continue;
            }
            draft.HasErrors = true;
            if (Current.Kind != TokenKind.Error)
            {
                string? nearest = Current.Kind is TokenKind.Name or TokenKind.Keyword ? Spelling.Nearest(TokenText(Current), ClauseKeywords) : null;
                _diagnostics.Add(Current.Position, $"unexpected {Describe(Current)}; expected a clause or 'rule'",
                    nearest is not null ? $"did you mean '{nearest}'?" : $"the clauses are {ClauseList}");
            }
            SkipToSync();
        }
        return draft;
    }

    private void ParseClause(RuleDraft draft)
    {
        var keyword = Current;
        var site = keyword.Keyword switch
        {
            Keyword.Where => RuleSite.Where,
            Keyword.Group => RuleSite.GroupBy,
            Keyword.Window => RuleSite.Window,
            Keyword.Having => RuleSite.Having,
            Keyword.Severity => RuleSite.Severity,
            Keyword.Suppress => RuleSite.Suppress,
            _ => RuleSite.Message,
        };
        bool duplicate = draft.Clauses.TryGetValue(site, out var first);
        if (duplicate)
        {
            draft.HasErrors = true;
            string clause = site == RuleSite.GroupBy ? "group by" : Keywords.Text(keyword.Keyword);
            _diagnostics.Add(keyword.Position, $"duplicate '{clause}' clause",
                $"first given at {_diagnostics.FileName}:{first.Position}; each clause appears at most once");
        }
        else
        {
            draft.Clauses[site] = keyword;
        }
        _index++;
        _depth = 0;
        try
        {
            switch (site)
            {
                case RuleSite.Where:
                {
                    var e = ParseConditionClause("where");
                    if (!duplicate)
                        draft.Where = e;
                    break;
                }
                case RuleSite.Having:
                {
                    var e = ParseConditionClause("having");
                    if (!duplicate)
                        draft.Having = e;
                    break;
                }
                case RuleSite.GroupBy:
                {
                    if (!Current.Is(Keyword.By))
                        throw Fail(Current, $"expected 'by' after 'group', found {Describe(Current)}");
                    _index++;
                    var fieldToken = Current;
                    var field = ParseFieldName("group by");
                    if (field is null)
                        draft.HasErrors = true;
                    else if (!duplicate)
                    {
                        draft.GroupBy = field;
                        draft.GroupByFieldToken = fieldToken;
                    }
                    ExpectClauseEnd();
                    break;
                }
                case RuleSite.Window:
                {
                    WindowKind kind;
                    if (Current.Is(Keyword.Tumbling))
                        kind = WindowKind.Tumbling;
                    else if (Current.Is(Keyword.Sliding))
                        kind = WindowKind.Sliding;
                    else
                        throw Fail(Current, $"expected 'tumbling' or 'sliding' after 'window', found {Describe(Current)}");
                    _index++;
                    var (length, token) = ParseDuration("window");
                    if (!duplicate)
                    {
                        draft.Window = new WindowSpec(kind, length);
                        draft.WindowLengthToken = token;
                    }
                    ExpectClauseEnd();
                    break;
                }
                case RuleSite.Suppress:
                {
                    var (length, token) = ParseDuration("suppress");
                    if (!duplicate)
                    {
                        draft.Suppress = length;
                        draft.SuppressLengthToken = token;
                    }
                    ExpectClauseEnd();
                    break;
                }
                case RuleSite.Severity:
                {
                    var t = Current;
                    Severity severity;
                    if (t.Is(Keyword.Info))
                    {
                        severity = Severity.Info;
                    }
                    else if (t.Is(Keyword.Warning))
                    {
                        severity = Severity.Warning;
                    }
                    else if (t.Is(Keyword.Critical))
                    {
                        severity = Severity.Critical;
                    }
                    else if (t.Kind == TokenKind.Name)
                    {
                        string? nearest = Spelling.Nearest(t.Text!, ["info", "warning", "critical"]);
                        throw Fail(t, $"unknown severity '{DiagnosticText.Shorten(t.Text!)}'",
                            (nearest is not null ? $"did you mean '{nearest}'? " : "") + "expected one of " + WireNames.AllowedSeverities);
                    }
                    else
                    {
                        throw Fail(t, $"expected a severity after 'severity', found {Describe(t)}", "expected one of " + WireNames.AllowedSeverities);
                    }
                    _index++;
                    if (!duplicate)
                        draft.Severity = severity;
                    ExpectClauseEnd();
                    break;
                }
                default:
                {
                    var t = Current;
                    if (t.Kind != TokenKind.String)
                        throw Fail(t, $"expected a string after 'message', found {Describe(t)}", "write the message in quotes: message 'Call {interaction_id} failed'");
                    _index++;
                    if (!duplicate)
                    {
                        draft.Message = t.Text;
                        draft.MessageToken = t;
                    }
                    ExpectClauseEnd();
                    break;
                }
            }
        }
        catch (SyntaxErrorException)
        {
            draft.HasErrors = true;
            SkipToSync();
        }
    }

    private Expr ParseConditionClause(string clause)
    {
        if (IsSync(Current))
            throw Fail(Current, $"expected an expression after '{clause}', found {Describe(Current)}");
        var e = ParseOr();
        if (!IsSync(Current))
            throw Fail(Current, $"unexpected {Describe(Current)} after the expression; expected an operator, a clause or 'rule'");
        return e;
    }

    private void ExpectClauseEnd()
    {
        if (!IsSync(Current))
            throw Fail(Current, $"unexpected {Describe(Current)}; expected a clause or 'rule'");
    }

    private static bool IsSync(Token t) =>
        t.Kind == TokenKind.EndOfInput || (t.Kind == TokenKind.Keyword && (t.Keyword == Keyword.Rule || Keywords.StartsClause(t.Keyword)));

    private void SkipToSync()
    {
        while (!IsSync(Current))
            _index++;
    }

    private (TimeSpan Length, Token Token) ParseDuration(string clause)
    {
        var first = Current;
        bool negative = false;
        if (first.Kind == TokenKind.Minus)
        {
            negative = true;
            _index++;
        }
        var t = Current;
        if (t.Kind != TokenKind.Duration)
        {
            string? hint = t.Kind == TokenKind.Number ? "add a unit: s, m, h or d" : null;
            throw Fail(t, $"expected a duration such as 1h after '{clause}', found {Describe(t)}", hint);
        }
        _index++;
        return (ToTimeSpan(t, negative), first);
    }

    private TimeSpan ToTimeSpan(Token t, bool negative)
    {
        decimal ticks = negative ? -t.DurationTicks : t.DurationTicks;
        if (ticks > long.MaxValue)
            throw Fail(t, $"duration '{DiagnosticText.Shorten(TokenText(t))}' is out of range", "durations go up to about 10675199d");
        return new TimeSpan((long)ticks);
    }

    private Field? ParseFieldName(string clause)
    {
        var t = Current;
        if (t.Kind != TokenKind.Name)
            throw Fail(t, $"expected a field name after '{clause}', found {Describe(t)}");
        _index++;
        if (Field.TryGet(t.Text!, out var field))
            return field;
        ReportUnknownField(t);
        return null;
    }

    private void ReportUnknownField(Token t)
    {
        string name = t.Text!;
        var candidates = Field.Known.Select(f => f.Name).ToList();
        string? attribute = null;
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            string rest = name[(dot + 1)..];
            if (Field.IsIdentifier(rest))
            {
                attribute = "attributes." + rest;
                candidates.Add(attribute);
            }
        }
        string? nearest = Spelling.Nearest(name, candidates);
        string shown = DiagnosticText.Shorten(name);
        string hint;
        if (nearest is not null)
            hint = $"did you mean '{DiagnosticText.Shorten(nearest)}'?";
        else if (AggregateNames.Contains(name.ToLowerInvariant()))
            hint = "aggregates are written with parentheses, such as " + (name.Equals("count", StringComparison.OrdinalIgnoreCase) ? "count(*)" : name + "(duration_seconds)");
        else if (dot < 0)
            hint = $"did you mean 'attributes.{shown}'? The fields are {string.Join(", ", Field.Known.Select(f => f.Name))} and attributes.NAME";
        else
            hint = $"the fields are {string.Join(", ", Field.Known.Select(f => f.Name))} and attributes.NAME";
        _diagnostics.Add(t.Position, $"unknown field '{shown}'", hint);
    }

    // ---- Finishing a rule --------------------------------------------------------------------------------

    private Rule? Finish(RuleDraft draft, Dictionary<string, SourcePosition> names)
    {
        var parts = new RuleParts(draft.Name ?? "_", draft.Where, draft.GroupBy, draft.Window, draft.Having, draft.Severity, draft.Suppress, draft.Message);
        var context = new RuleCheckContext
        {
            Poisoned = _poisoned,
            WindowClauseSeen = draft.Clauses.ContainsKey(RuleSite.Window),
            HavingClauseSeen = draft.Clauses.ContainsKey(RuleSite.Having),
            NameKnown = draft.Name is not null,
        };
        var check = RuleValidator.Check(parts, context);
        foreach (var problem in check.Problems)
            _diagnostics.Add(Locate(problem, draft), problem.Message, problem.Hint);

        if (draft.Name is not null && draft.NameToken is { } nameToken)
        {
            if (names.TryGetValue(draft.Name, out var firstPosition))
            {
                _diagnostics.Add(nameToken.Position, $"duplicate rule name '{DiagnosticText.Shorten(draft.Name, RuleText.MaxNameLength)}'", $"first defined at {_diagnostics.FileName}:{firstPosition}");
                draft.HasErrors = true;
            }
            else
            {
                names.Add(draft.Name, nameToken.Position);
            }
        }

        if (draft.HasErrors || check.Problems.Count > 0 || _diagnostics.Count > 0 || draft.Name is null)
            return null;
        return new Rule(draft.Name, draft.Where, draft.GroupBy, draft.Window, draft.Having, draft.Severity, draft.Suppress, draft.Message);
    }

    private SourcePosition Locate(RuleProblem problem, RuleDraft draft)
    {
        if (problem.Node is not null && _positions.TryGetValue(problem.Node, out var position))
            return position;
        if (problem.MessageOffset >= 0 && draft.MessageToken is { } messageToken)
            return Lexer.PositionInString(_text, messageToken, problem.MessageOffset);
        Token? token = problem.Site switch
        {
            RuleSite.Name => draft.NameToken,
            RuleSite.WindowLength => draft.WindowLengthToken ?? ClauseToken(draft, RuleSite.Window),
            RuleSite.Suppress => draft.SuppressLengthToken ?? ClauseToken(draft, RuleSite.Suppress),
            RuleSite.GroupBy => draft.GroupByFieldToken ?? ClauseToken(draft, RuleSite.GroupBy),
            RuleSite.Message => draft.MessageToken ?? ClauseToken(draft, RuleSite.Message),
            _ => ClauseToken(draft, problem.Site),
        };
        return (token ?? draft.RuleToken).Position;
    }

    private static Token? ClauseToken(RuleDraft draft, RuleSite site) => draft.Clauses.TryGetValue(site, out var t) ? t : null;

    // ---- Expressions -------------------------------------------------------------------------------------

    private T Node<T>(T e, SourcePosition position)
        where T : Expr
    {
        _positions[e] = position;
        return e;
    }

    private SourcePosition PositionOf(Expr e) => _positions.TryGetValue(e, out var p) ? p : Current.Position;

    private Expr Poison(SourcePosition position)
    {
        var e = new NullLiteral();
        _poisoned.Add(e);
        return Node(e, position);
    }

    private void Enter(Token t)
    {
        if (++_depth > RuleText.MaxNestingDepth)
        {
            throw Fail(t, $"the expression nests deeper than {RuleText.MaxNestingDepth.ToString(CultureInfo.InvariantCulture)} levels",
                "simplify the expression");
        }
    }

    private void Leave() => _depth--;

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.Is(Keyword.Or))
        {
            _index++;
            var right = ParseAnd();
            left = Node(new BinaryExpr(BinaryOp.Or, left, right), PositionOf(left));
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.Is(Keyword.And))
        {
            _index++;
            var right = ParseNot();
            left = Node(new BinaryExpr(BinaryOp.And, left, right), PositionOf(left));
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (!Current.Is(Keyword.Not))
            return ParseComparison();
        var t = Current;
        Enter(t);
        _index++;
        var operand = ParseNot();
        Leave();
        return Node(new UnaryExpr(UnaryOp.Not, operand), t.Position);
    }

    private static BinaryOp? ComparisonOp(TokenKind kind) => kind switch
    {
        TokenKind.Equal => BinaryOp.Equal,
        TokenKind.NotEqual => BinaryOp.NotEqual,
        TokenKind.Less => BinaryOp.Less,
        TokenKind.LessOrEqual => BinaryOp.LessOrEqual,
        TokenKind.Greater => BinaryOp.Greater,
        TokenKind.GreaterOrEqual => BinaryOp.GreaterOrEqual,
        _ => null,
    };

    private bool AtComparison => ComparisonOp(Current.Kind) is not null || Current.Is(Keyword.In) || Current.Is(Keyword.Is);

    private Expr ParseComparison()
    {
        var left = ParseAdditive();
        Expr result;
        if (ComparisonOp(Current.Kind) is { } op)
        {
            _index++;
            var right = ParseAdditive();
            result = Node(new BinaryExpr(op, left, right), PositionOf(left));
        }
        else if (Current.Is(Keyword.In))
        {
            result = ParseIn(left);
        }
        else if (Current.Is(Keyword.Is))
        {
            _index++;
            bool negated = false;
            if (Current.Is(Keyword.Not))
            {
                negated = true;
                _index++;
            }
            if (!Current.Is(Keyword.Null))
                throw Fail(Current, $"expected 'null' after '{(negated ? "is not" : "is")}', found {Describe(Current)}");
            _index++;
            result = Node(new IsNullExpr(left, negated), PositionOf(left));
        }
        else
        {
            return left;
        }
        if (AtComparison)
            throw Fail(Current, $"comparisons cannot be chained: unexpected {Describe(Current)}", "combine comparisons with 'and'");
        return result;
    }

    private Expr ParseIn(Expr operand)
    {
        _index++;
        if (Current.Kind != TokenKind.LeftParen)
            throw Fail(Current, $"expected '(' after 'in', found {Describe(Current)}", "write FIELD in ('a', 'b')");
        Enter(Current);
        _index++;
        if (Current.Kind == TokenKind.RightParen)
            throw Fail(Current, "an 'in' list needs at least one value");
        var values = new List<Expr>();
        while (true)
        {
            values.Add(ParseOr());
            if (Current.Kind == TokenKind.Comma)
            {
                _index++;
                continue;
            }
            if (Current.Kind == TokenKind.RightParen)
            {
                _index++;
                break;
            }
            throw Fail(Current, $"expected ',' or ')' in the 'in' list, found {Describe(Current)}");
        }
        Leave();
        return Node(new InExpr(operand, new ValueList<Expr>(values)), PositionOf(operand));
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Current.Kind == TokenKind.Plus ? BinaryOp.Add : BinaryOp.Subtract;
            _index++;
            var right = ParseMultiplicative();
            left = Node(new BinaryExpr(op, left, right), PositionOf(left));
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var op = Current.Kind == TokenKind.Star ? BinaryOp.Multiply : BinaryOp.Divide;
            _index++;
            var right = ParseUnary();
            left = Node(new BinaryExpr(op, left, right), PositionOf(left));
        }
        return left;
    }

    private Expr ParseUnary()
    {
        if (Current.Kind != TokenKind.Minus)
            return ParsePrimary();
        var minus = Current;
        _index++;
        // A minus directly before a number or duration is part of the literal: -5 is NumberLiteral(-5).
        if (Current.Kind == TokenKind.Number)
        {
            var n = Current;
            _index++;
            return Node(new NumberLiteral(-n.Number), minus.Position);
        }
        if (Current.Kind == TokenKind.Duration)
        {
            var d = Current;
            _index++;
            return Node(new DurationLiteral(ToTimeSpan(d, negative: true)), minus.Position);
        }
        Enter(minus);
        var operand = ParseUnary();
        Leave();
        return Node(new UnaryExpr(UnaryOp.Negate, operand), minus.Position);
    }

    private Expr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Number:
                _index++;
                return Node(new NumberLiteral(t.Number), t.Position);
            case TokenKind.Duration:
                _index++;
                return Node(new DurationLiteral(ToTimeSpan(t, negative: false)), t.Position);
            case TokenKind.String:
                _index++;
                return Node(new StringLiteral(t.Text!), t.Position);
            case TokenKind.Keyword when t.Keyword is Keyword.True or Keyword.False:
                _index++;
                return Node(new BoolLiteral(t.Keyword == Keyword.True), t.Position);
            case TokenKind.Keyword when t.Keyword == Keyword.Null:
                _index++;
                return Node(new NullLiteral(), t.Position);
            case TokenKind.Name:
                if (PeekToken(1).Kind == TokenKind.LeftParen)
                    return ParseCall();
                _index++;
                if (Field.TryGet(t.Text!, out var field))
                    return Node(new FieldExpr(field), t.Position);
                ReportUnknownField(t);
                return Poison(t.Position);
            case TokenKind.LeftParen:
            {
                Enter(t);
                _index++;
                var inner = ParseOr();
                if (Current.Kind != TokenKind.RightParen)
                    throw Fail(Current, $"expected ')', found {Describe(Current)}", $"the '(' at {t.Position} is not closed");
                _index++;
                Leave();
                return inner;
            }
            case TokenKind.Error:
                // Already reported by the lexer; give up the clause rather than report what follows it.
                throw Fail(t, "");
            case TokenKind.Star:
                throw Fail(t, "'*' is only allowed in count(*)");
            default:
                throw Fail(t, $"expected an expression, found {Describe(t)}");
        }
    }

    private Expr ParseCall()
    {
        var nameToken = Current;
        string name = nameToken.Text!;
        AggregateKind? kind = name.ToLowerInvariant() switch
        {
            "count" => AggregateKind.Count,
            "rate" => AggregateKind.Rate,
            "sum" => AggregateKind.Sum,
            "avg" => AggregateKind.Avg,
            "min" => AggregateKind.Min,
            "max" => AggregateKind.Max,
            "distinct" => AggregateKind.Distinct,
            _ => null,
        };
        Enter(nameToken);
        _index += 2;
        if (kind is null)
        {
            string? nearest = Spelling.Nearest(name, AggregateNames);
            _diagnostics.Add(nameToken.Position, $"unknown function '{DiagnosticText.Shorten(name)}'",
                (nearest is not null ? $"did you mean '{nearest}'? " : "") + "the aggregates are count, rate, sum, avg, min, max and distinct");
            if (Current.Kind == TokenKind.Star)
                _index++;
            else if (Current.Kind != TokenKind.RightParen)
                ParseOr();
            if (Current.Kind != TokenKind.RightParen)
                throw Fail(Current, $"expected ')', found {Describe(Current)}");
            _index++;
            Leave();
            return Poison(nameToken.Position);
        }

        string lower = name.ToLowerInvariant();
        Expr? argument = null;
        if (Current.Kind == TokenKind.Star)
        {
            if (kind != AggregateKind.Count)
                throw Fail(Current, "'*' is only allowed in count(*)", $"{lower} needs {(kind == AggregateKind.Rate ? "a condition" : "a field")}");
            kind = AggregateKind.CountAll;
            _index++;
        }
        else if (Current.Kind == TokenKind.RightParen)
        {
            throw Fail(Current, kind switch
            {
                AggregateKind.Count => "count needs an argument: count(*) or count(condition)",
                AggregateKind.Rate => "rate needs a condition, such as rate(outcome = 'failed')",
                AggregateKind.Distinct => "distinct needs a field, such as distinct(agent_id)",
                _ => $"{lower} needs a numeric field, such as {lower}(duration_seconds)",
            });
        }
        else
        {
            argument = ParseOr();
        }
        if (Current.Kind != TokenKind.RightParen)
            throw Fail(Current, $"expected ')' after the argument of {lower}, found {Describe(Current)}");
        _index++;
        Leave();
        return Node(new AggregateExpr(kind.Value, argument), nameToken.Position);
    }

    // ---- Errors ------------------------------------------------------------------------------------------

    /// <summary>Reports a syntax error (unless the token is a lexer error, already reported) and returns the exception that unwinds to the clause.</summary>
    private SyntaxErrorException Fail(Token t, string message, string? hint = null)
    {
        if (t.Kind != TokenKind.Error)
            _diagnostics.Add(t.Position, message, hint);
        return new SyntaxErrorException();
    }

    private string TokenText(Token t) => _text.Substring(t.Start, t.Length);

    private string Describe(Token t)
    {
        if (t.Kind == TokenKind.EndOfInput)
            return "end of input";
        string text = TokenText(t);
        if (text.Length > 30)
            text = text[..27] + "...";
        return t.Kind == TokenKind.String ? $"string {text}" : $"'{text}'";
    }

    /// <summary>What the parser collects for one rule before the validator checks it.</summary>
    private sealed class RuleDraft
    {
        public RuleDraft(Token ruleToken) => RuleToken = ruleToken;

        public Token RuleToken { get; }

        public Token? NameToken { get; set; }

        public string? Name { get; set; }

        public Dictionary<RuleSite, Token> Clauses { get; } = [];

        public Expr? Where { get; set; }

        public Field? GroupBy { get; set; }

        public Token? GroupByFieldToken { get; set; }

        public WindowSpec? Window { get; set; }

        public Token? WindowLengthToken { get; set; }

        public Expr? Having { get; set; }

        public Severity Severity { get; set; } = Severity.Warning;

        public TimeSpan? Suppress { get; set; }

        public Token? SuppressLengthToken { get; set; }

        public string? Message { get; set; }

        public Token? MessageToken { get; set; }

        public bool HasErrors { get; set; }
    }
}

/// <summary>Unwinds the parser from a syntax error (already reported) to the clause, which resynchronises.</summary>
#pragma warning disable CA1032, CA1064 // internal control-flow exception, never escapes the parser
internal sealed class SyntaxErrorException : Exception
#pragma warning restore CA1032, CA1064
{
}
