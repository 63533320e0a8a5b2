namespace CallStream.Abstractions.Tests;

public class InteractionTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("", "c", "a", 1.0, 3, "interactionId")]
    [InlineData("i", " ", "a", 1.0, 3, "customerId")]
    [InlineData("i", "c", "", 1.0, 3, "agentId")]
    [InlineData("i", "c", "a", -1.0, 3, "durationSeconds")]
    [InlineData("i", "c", "a", double.NaN, 3, "durationSeconds")]
    [InlineData("i", "c", "a", 1.0, 0, "satisfaction")]
    [InlineData("i", "c", "a", 1.0, 6, "satisfaction")]
    public void Constructor_InvalidField_ThrowsNamingIt(string id, string customer, string agent, double duration, int satisfaction, string field)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new Interaction(id, customer, agent, Channel.Chat, T0, duration, Outcome.Failed, satisfaction));
        Assert.Equal(field, ex.ParamName);
    }

    [Fact]
    public void Constructor_UndefinedEnum_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Interaction("i", "c", "a", (Channel)42, T0, 1, Outcome.Failed));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Interaction("i", "c", "a", Channel.Chat, T0, 1, (Outcome)42));
    }

    [Fact]
    public void Attributes_DuplicateName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Interaction("i", "c", "a", Channel.Chat, T0, 1, Outcome.Failed, null,
            [new("region", "n"), new("region", "s")]));
    }

    [Fact]
    public void Equality_ComparesAllFieldsIncludingAttributes()
    {
        var a = new Interaction("i", "c", "a", Channel.Chat, T0, 1.5, Outcome.Failed, 4, [new("region", "north"), new("tier", "gold")]);
        var b = new Interaction("i", "c", "a", Channel.Chat, T0.ToOffset(TimeSpan.FromHours(2)), 1.5, Outcome.Failed, 4, [new("tier", "gold"), new("region", "north")]);
        var c = new Interaction("i", "c", "a", Channel.Chat, T0, 1.5, Outcome.Failed, 4, [new("region", "south"), new("tier", "gold")]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal("north", a.Attributes.GetValueOrDefault("region"));
        Assert.Null(a.Attributes.GetValueOrDefault("missing"));
    }

    [Theory]
    [InlineData("Email", Channel.Email)]
    [InlineData("CHAT", Channel.Chat)]
    [InlineData("voice call", Channel.Voice)]
    [InlineData("Phone", Channel.Voice)]
    [InlineData("call", Channel.Voice)]
    [InlineData("Video Call", Channel.Video)]
    public void WireNames_ChannelAliases_Parse(string text, Channel expected)
    {
        Assert.True(WireNames.TryParseChannel(text, out var c));
        Assert.Equal(expected, c);
    }

    [Fact]
    public void WireNames_UnknownChannel_DoesNotParse()
    {
        Assert.False(WireNames.TryParseChannel("fax", out _));
        Assert.False(WireNames.TryParseOutcome("ok", out _));
    }
}
