namespace CallStream.Abstractions.Tests;

public class Iso8601Tests
{
    [Theory]
    [InlineData("2024-03-01T09:15:00Z", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T09:15:00", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01 09:15:00", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T09:15Z", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T10:15:00+01:00", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T10:15:00+0100", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T04:15:00-05", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T09:15:00.5Z", "2024-03-01T09:15:00.5Z")]
    [InlineData("2024-03-01T09:15:00.123456789Z", "2024-03-01T09:15:00.1234567Z")]
    [InlineData("  2024-02-29T00:00:00Z ", "2024-02-29T00:00:00Z")]
    [InlineData("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z")]
    public void TryParse_ValidInstant_NormalisesToUtc(string text, string expected)
    {
        Assert.True(Iso8601.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(expected, Iso8601.Format(value));
        Assert.True(Iso8601.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out var fromUtf8));
        Assert.Equal(value, fromUtf8);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2024-03-01")]
    [InlineData("01/03/2024 09:15")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-03-01T24:00:00Z")]
    [InlineData("2024-03-01T09:15:00X")]
    [InlineData("2024-03-01T09:15:00.Z")]
    [InlineData("2024-03-01T09:15:00+25:00")]
    [InlineData("2024-03-01T09:15:00Z trailing")]
    [InlineData("yesterday at noon")]
    public void TryParse_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(Iso8601.TryParse(text, out _));
    }
}
