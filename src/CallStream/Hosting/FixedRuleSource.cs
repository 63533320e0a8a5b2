using CallStream.Rules;
using Microsoft.Extensions.Primitives;

namespace CallStream.Hosting;

/// <summary>Rules that never change: built in C#, or the built-in defaults.</summary>
internal sealed class FixedRuleSource : IRuleSource
{
    /// <summary>The name of the built-in default rules' source.</summary>
    public const string DefaultsName = "defaults";

    private readonly Func<RuleSet> _rules;

    public FixedRuleSource(string name, Func<RuleSet> rules)
    {
        Name = name;
        _rules = rules;
    }

    public string Name { get; }

    /// <summary>Creates the source of the built-in default rules (parsed on first load).</summary>
    public static FixedRuleSource Defaults() => new(DefaultsName, () => DefaultRules.RuleSet);

    public RuleSet Load() => _rules();

    public IChangeToken? Watch() => null;
}
