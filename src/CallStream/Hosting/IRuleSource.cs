using CallStream.Rules;
using Microsoft.Extensions.Primitives;

namespace CallStream.Hosting;

/// <summary>
/// A place rules come from: a rule file, the built-in defaults, rules built in C#. The host loads every source at
/// start-up and again whenever a source's change token fires; a load that fails leaves the running rules in place.
/// </summary>
public interface IRuleSource
{
    /// <summary>Gets a name for logs: the file path, <c>defaults</c>, <c>code</c>.</summary>
    string Name { get; }

    /// <summary>Loads the rules.</summary>
    /// <returns>The rules.</returns>
    /// <exception cref="RuleParseException">The rules are invalid; the exception holds the diagnostics.</exception>
    /// <exception cref="IOException">The rules could not be read.</exception>
    RuleSet Load();

    /// <summary>Gets a token that fires when the rules may have changed, or <see langword="null"/> when they never change.
    /// A fired token is not reused: the host asks for a new one after each change.</summary>
    /// <returns>The token, or <see langword="null"/>.</returns>
    IChangeToken? Watch();
}
