using System.Security.Cryptography;
using System.Text;

namespace CallStream.Abstractions.Tests;

public class AlertTests
{
    [Fact]
    public void ComputeId_IsFirst16HexDigitsOfSha256OverRuleKeyInteraction()
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("LongCall\nc-1\ni-9"));
        string expected = Convert.ToHexString(hash)[..16].ToLowerInvariant();

        Assert.Equal(expected, Alert.ComputeId("LongCall", "c-1", "i-9"));
        Assert.Equal(expected, new Alert("LongCall", Severity.Warning, "c-1", "i-9", DateTimeOffset.UnixEpoch, "m").AlertId);
    }

    [Fact]
    public void ComputeId_HandlesLongUnicodeInputs()
    {
        string key = new('é', 1000);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("R\n" + key + "\ni"));
        Assert.Equal(Convert.ToHexStringLower(hash)[..16], Alert.ComputeId("R", key, "i"));
    }

    [Fact]
    public void Restore_WithWrongId_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Alert.Restore("0000000000000000", "R", Severity.Info, "k", "i", DateTimeOffset.UnixEpoch, "m"));
        Assert.Contains("does not match", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WithOnlyOneWindowBound_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Alert("R", Severity.Info, "k", "i", DateTimeOffset.UnixEpoch, "m", windowStart: DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Constructor_NormalisesTimesToUtc()
    {
        var local = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.FromHours(1));
        var alert = new Alert("R", Severity.Critical, "k", "i", local, "m");
        Assert.Equal(TimeSpan.Zero, alert.TriggeredAt.Offset);
        Assert.Equal(9, alert.TriggeredAt.Hour);
    }
}
