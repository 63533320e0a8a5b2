namespace CallStream.Rules.Tests.Engine;

public sealed class EventOrderingOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        new EventOrderingOptions().Validate();
        new RuleEngineOptions().Validate();
    }

    [Fact]
    public void Validate_OutOfRange_NamesTheOptionOnTheTypeTheUserSet()
    {
        var lateness = Assert.Throws<ArgumentOutOfRangeException>(() => new RuleEngineOptions { AllowedLateness = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Equal("AllowedLateness", lateness.ParamName);
        Assert.StartsWith("RuleEngineOptions.AllowedLateness must not be negative (was -00:00:01).", lateness.Message, StringComparison.Ordinal);

        var idle = Assert.Throws<ArgumentOutOfRangeException>(() => new EventOrderingOptions { IdleTimeout = TimeSpan.FromSeconds(-2) }.Validate());
        Assert.StartsWith("EventOrderingOptions.IdleTimeout must not be negative (was -00:00:02).", idle.Message, StringComparison.Ordinal);

        var horizon = Assert.Throws<ArgumentOutOfRangeException>(() => new RuleEngineOptions { DuplicateHorizon = TimeSpan.FromSeconds(-3) }.Validate());
        Assert.StartsWith("RuleEngineOptions.DuplicateHorizon must not be negative (was -00:00:03).", horizon.Message, StringComparison.Ordinal);

        var clock = Assert.Throws<ArgumentException>(() => new RuleEngineOptions { TimeProvider = null! }.Validate());
        Assert.StartsWith("RuleEngineOptions.TimeProvider must not be null.", clock.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyOrderingTo_CarriesEverySettingDeclaredOnTheOrderingOptions()
    {
        Action<LateEvent> onLate = _ => { };
        var source = new EventOrderingOptions
        {
            EventTime = EventTimeMode.End,
            AllowedLateness = TimeSpan.FromMinutes(7),
            IdleTimeout = TimeSpan.FromSeconds(3),
            TimeProvider = new FakeClock(),
            OnLateEvent = onLate,
        };
        var target = new RuleEngineOptions();

        source.CopyOrderingTo(target);

        // Every public setting of the ordering options, including one added later, must reach the copy.
        var settings = typeof(EventOrderingOptions).GetProperties().Where(p => p.CanWrite && p.DeclaringType == typeof(EventOrderingOptions)).ToList();
        Assert.Equal(5, settings.Count);
        foreach (var setting in settings)
            Assert.True(Equals(setting.GetValue(source), setting.GetValue(target)), $"{setting.Name} was not copied.");
    }

    private sealed class FakeClock : TimeProvider;
}
