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

    [Fact]
    public void TryParse_RandomInstantsWithOffsetsAndFractions_GiveTheCalendarsUtcTicks()
    {
        var rng = new Random(7);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        for (int n = 0; n < 20_000; n++)
        {
            var offset = TimeSpan.FromMinutes(rng.Next(-14 * 60, (14 * 60) + 1));
            long ticks = rng.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            var local = new DateTime(ticks, DateTimeKind.Unspecified);
            string sign = offset < TimeSpan.Zero ? "-" : "+";
            string zone = (n % 3) switch
            {
                0 => sign + offset.Duration().ToString("hh\\:mm", invariant),
                1 => sign + offset.Duration().ToString("hhmm", invariant),
                _ => "",
            };
            if (zone.Length == 0)
                offset = TimeSpan.Zero;
            string text = local.ToString(n % 2 == 0 ? "yyyy-MM-dd'T'HH:mm:ss.fffffff" : "yyyy-MM-dd HH:mm:ss", invariant) + zone;
            long expected = (n % 2 == 0 ? local.Ticks : local.Ticks - (local.Ticks % TimeSpan.TicksPerSecond)) - offset.Ticks;

            Assert.True(Iso8601.TryParse(text, out var value), text);
            Assert.Equal(expected, value.UtcTicks);
            Assert.Equal(TimeSpan.Zero, value.Offset);
        }
    }

    [Fact]
    public void TryParse_DayOfMonth_IsCheckedAgainstTheCalendar()
    {
        for (int year = 1; year <= 9999; year += 97)
        {
            foreach (int y in new[] { year, 1900, 2000, 2023, 2024 })
            {
                for (int month = 1; month <= 12; month++)
                {
                    for (int day = 28; day <= 32; day++)
                    {
                        string text = $"{y:0000}-{month:00}-{day:00}T12:00:00Z";
                        bool valid = day <= DateTime.DaysInMonth(y, month);
                        Assert.Equal(valid, Iso8601.TryParse(text, out var value));
                        if (valid)
                            Assert.Equal(new DateTime(y, month, day, 12, 0, 0, DateTimeKind.Utc).Ticks, value.UtcTicks);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00+00:01")]
    [InlineData("9999-12-31T23:59:59-00:01")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2024-00-01T00:00:00Z")]
    [InlineData("2024-03-00T00:00:00Z")]
    [InlineData("2024-03-01T09:60:00Z")]
    [InlineData("2024-03-01T09:15:60Z")]
    [InlineData("2024-03-01T09:15:00+14:60")]
    [InlineData("2024-03-01T09:15:00+15")]
    [InlineData("2024-03-01T09:15:00+01:")]
    [InlineData("2024-03-01T09:15:0Z")]
    [InlineData("2024-03-01T09:1a:00Z")]
    [InlineData("2024-03-01X09:15:00Z")]
    [InlineData("2024/03/01T09:15:00Z")]
    [InlineData("+024-03-01T09:15:00Z")]
    public void TryParse_OutOfRangeOrMalformedFields_ReturnFalse(string text)
    {
        Assert.False(Iso8601.TryParse(text, out var value));
        Assert.Equal(default, value);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", 0L)]
    [InlineData("0001-01-01T01:00:00+01:00", 0L)]
    [InlineData("9999-12-31T23:59:59.9999999Z", 3155378975999999999L)]
    public void TryParse_EdgesOfTheRange_AreRead(string text, long ticks)
    {
        Assert.True(Iso8601.TryParse(text, out var value));
        Assert.Equal(ticks, value.UtcTicks);
    }
}
