using CallStream.Hosting;
using CallStream.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Tests.Hosting;

public sealed class RuleSetMonitorTests
{
    private const string LongCall = """
        rule LongCall
          where duration_seconds > 3000
          severity warning
          message "long {interaction_id}"
        """;

    private const string FailedCall = """
        rule FailedCall
          where outcome = 'failed'
          severity info
          message "failed {interaction_id}"
        """;

    [Fact]
    public void Reload_InvalidEdit_KeepsRunningRulesAndLogsDiagnosticsWithFileLineColumn()
    {
        var source = new EditableRuleSource("alerts.rules", LongCall);
        var logger = new FakeLogger();
        using var monitor = new RuleSetMonitor([source], logger);
        monitor.Start();
        var changed = monitor.Watch();

        source.Edit(LongCall.Replace("duration_seconds", "durration_seconds", StringComparison.Ordinal));

        Assert.Equal(["LongCall"], monitor.Current.Select(r => r.Name));
        Assert.False(changed.HasChanged);
        Assert.Equal(1, monitor.Rejected);
        Assert.Equal(0, monitor.Reloads);
        var diagnostic = Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.StartsWith("Rule diagnostic:", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, diagnostic.Level);
        Assert.Contains("alerts.rules:2:9:", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("duration_seconds", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.Contains("the 1 running rule(s) stay", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_ValidEdit_ReplacesRulesAndFiresChange()
    {
        var source = new EditableRuleSource("alerts.rules", LongCall);
        using var monitor = new RuleSetMonitor([source], new FakeLogger());
        monitor.Start();
        var changed = monitor.Watch();

        source.Edit(LongCall + "\n\n" + FailedCall);

        Assert.True(changed.HasChanged);
        Assert.Equal(["LongCall", "FailedCall"], monitor.Current.Select(r => r.Name));
        Assert.Equal(1, monitor.Reloads);
        Assert.False(monitor.Watch().HasChanged);
    }

    [Fact]
    public void Reload_BadEditThenFix_AppliesTheFix()
    {
        var source = new EditableRuleSource("alerts.rules", LongCall);
        using var monitor = new RuleSetMonitor([source], new FakeLogger());
        monitor.Start();

        source.Edit("rule Broken\n  where\n");
        source.Edit(FailedCall);

        Assert.Equal(["FailedCall"], monitor.Current.Select(r => r.Name));
        Assert.Equal(1, monitor.Rejected);
        Assert.Equal(1, monitor.Reloads);
    }

    [Fact]
    public void Reload_SameRules_DoesNotFireChange()
    {
        var source = new EditableRuleSource("alerts.rules", LongCall);
        using var monitor = new RuleSetMonitor([source], new FakeLogger());
        monitor.Start();
        var changed = monitor.Watch();

        source.Edit("# a comment only\n" + LongCall);

        Assert.False(changed.HasChanged);
        Assert.Equal(0, monitor.Reloads);
    }

    [Fact]
    public void Start_InvalidRules_ThrowsWithDiagnostics()
    {
        var source = new EditableRuleSource("alerts.rules", "rule X\n  severity loud\n");
        using var monitor = new RuleSetMonitor([source], new FakeLogger());

        var error = Assert.Throws<RuleParseException>(monitor.Start);

        Assert.Contains("alerts.rules:2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NoSources_SaysHowToAddRules()
    {
        using var monitor = new RuleSetMonitor([], new FakeLogger());

        var error = Assert.Throws<InvalidOperationException>(monitor.Start);

        Assert.Contains("CallStream:Rules:File", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_TwoSourcesWithTheSameRuleName_NamesBothSources()
    {
        using var monitor = new RuleSetMonitor(
            [new EditableRuleSource("a.rules", LongCall), new EditableRuleSource("b.rules", LongCall)], new FakeLogger());

        var error = Assert.Throws<ArgumentException>(monitor.Start);

        Assert.Contains("a.rules, b.rules", error.Message, StringComparison.Ordinal);
        Assert.Contains("LongCall", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_WithASettleDelay_LoadsOnlyTheFinalTextOnceTheSourcesAreQuiet()
    {
        var time = new FakeTimeProvider();
        var source = new EditableRuleSource("alerts.rules", LongCall);
        using var monitor = new RuleSetMonitor([source], new FakeLogger(), TimeSpan.FromMilliseconds(250), time);
        monitor.Start();
        var changed = monitor.Watch();

        // An editor saving in steps: a first part that happens to parse on its own, then the whole file.
        source.Edit(FailedCall);
        time.Advance(TimeSpan.FromMilliseconds(200));
        source.Edit(LongCall + "\n\n" + FailedCall);
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.False(changed.HasChanged); // 200 ms since the last change: still settling
        Assert.Equal(["LongCall"], monitor.Current.Select(r => r.Name));

        time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.True(changed.HasChanged);
        Assert.Equal(["LongCall", "FailedCall"], monitor.Current.Select(r => r.Name));
        Assert.Equal(1, monitor.Reloads); // the half-written state was never applied
        Assert.Equal(0, monitor.Rejected);
    }

    [Fact]
    public void Dispose_WhileSettling_LoadsNothing()
    {
        var time = new FakeTimeProvider();
        var source = new EditableRuleSource("alerts.rules", LongCall);
        var monitor = new RuleSetMonitor([source], new FakeLogger(), TimeSpan.FromMilliseconds(250), time);
        monitor.Start();

        source.Edit(FailedCall);
        monitor.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, monitor.Reloads);
        Assert.Equal(["LongCall"], monitor.Current.Select(r => r.Name));
    }

    /// <summary>A rule source whose text the test edits; each edit fires its change token, as a file watcher would.</summary>
    private sealed class EditableRuleSource : IRuleSource
    {
        private string _text;
        private CancellationTokenSource _changed = new();

        public EditableRuleSource(string name, string text)
        {
            Name = name;
            _text = text;
        }

        public string Name { get; }

        public RuleSet Load() => RuleText.Parse(_text, Name).GetRuleSetOrThrow();

        public IChangeToken? Watch() => new CancellationChangeToken(_changed.Token);

        public void Edit(string text)
        {
            _text = text;
            var fired = _changed;
            _changed = new CancellationTokenSource();
            fired.Cancel();
        }
    }
}
