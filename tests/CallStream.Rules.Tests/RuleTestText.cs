namespace CallStream.Rules.Tests;

/// <summary>Short ways to parse rule text in tests.</summary>
internal static class RuleTestText
{
    public const string FileName = "t.rules";

    /// <summary>Parses text that must be valid.</summary>
    public static RuleSet Valid(string text)
    {
        var result = RuleText.Parse(text, FileName);
        Assert.True(result.Succeeded, "unexpected diagnostics:\n" + string.Join("\n", result.Diagnostics));
        return result.RuleSet;
    }

    /// <summary>Parses text that must be invalid and returns its diagnostics as text.</summary>
    public static string[] Errors(string text)
    {
        var result = RuleText.Parse(text, FileName);
        Assert.False(result.Succeeded, "the text parsed without errors");
        Assert.Null(result.RuleSet);
        Assert.NotEmpty(result.Diagnostics);
        return [.. result.Diagnostics.Select(d => d.ToString())];
    }

    /// <summary>Parses text that must have exactly one error and returns it.</summary>
    public static string Error(string text) => Assert.Single(Errors(text));

    /// <summary>Parses the where clause of a one-rule text.</summary>
    public static Expr Where(string expression) => Valid("rule R where " + expression)[0].Where!;

    /// <summary>Parses the having clause of a windowed one-rule text.</summary>
    public static Expr Having(string expression) => Valid("rule R window sliding 1h having " + expression)[0].Having!;
}
