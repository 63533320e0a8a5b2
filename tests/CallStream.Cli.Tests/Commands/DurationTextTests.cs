using CallStream.Cli.Commands;

namespace CallStream.Cli.Tests.Commands;

public class DurationTextTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(90, "90s")]
    [InlineData(600, "10m")]
    [InlineData(7200, "2h")]
    [InlineData(86400, "1d")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0, "0s")]
    public void Format_WritesTheLargestWholeUnit_AndParsesBack(double seconds, string expected)
    {
        var value = TimeSpan.FromSeconds(seconds);
        string text = DurationText.Format(value);

        Assert.Equal(expected, text);
        Assert.True(DurationText.TryParse(text, out var parsed));
        Assert.Equal(value, parsed);
    }
}
