using CallStream.Cli.Progress;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Cli.Tests.Progress;

public class ProgressReporterTests
{
    [Fact]
    public void Report_BeforeTheInterval_WritesNothing()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: false, "replay", 1000, "rows");
        time.Advance(TimeSpan.FromSeconds(4.9));
        progress.Report(10);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void Report_PlainMode_WritesALineEveryInterval()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: false, "generate", 1_000_000, "rows");

        time.Advance(TimeSpan.FromSeconds(5));
        progress.Report(250_000);
        time.Advance(TimeSpan.FromSeconds(1));
        progress.Report(300_000);
        time.Advance(TimeSpan.FromSeconds(4));
        progress.Report(500_000);

        Assert.Equal(
            "generate: 250000/1000000 rows (25%), 50000 rows/s, ETA 15s\ngenerate: 500000/1000000 rows (50%), 50000 rows/s, ETA 10s\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Report_UnknownTotal_ShowsCountAndRate()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: false, "consume", null, "messages");
        time.Advance(TimeSpan.FromSeconds(10));
        progress.Report(1234);
        Assert.Equal("consume: 1234 messages, 123 messages/s\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Report_Terminal_RedrawsABarInPlaceAndCompleteErasesIt()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: true, "generate", 100, "rows");
        Assert.Equal(TimeSpan.FromMilliseconds(200), progress.Interval);

        time.Advance(TimeSpan.FromSeconds(1));
        progress.Report(50);
        time.Advance(TimeSpan.FromSeconds(1));
        progress.Report(100);
        progress.Complete();

        string text = output.ToString();
        string half = "generate [===============>              ]  50% 50/100 rows, 50 rows/s, ETA 1s";
        string full = "generate [==============================] 100% 100/100 rows, 50 rows/s";
        Assert.Equal("\r" + half + "\r" + full.PadRight(half.Length) + "\r" + new string(' ', half.Length) + "\r", text);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public void Report_BytesOfAFile_PlainLinesWithPercentageAndTimeLeft()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: false, "report", null, "rows") { TotalBytes = 64L << 20 };

        time.Advance(TimeSpan.FromSeconds(5));
        progress.Report(200_000, 16L << 20);
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Report(400_000, 48L << 20);

        Assert.Equal(
            "report: 25% of 64 MB, 200000 rows, 40000 rows/s, ETA 15s\nreport: 75% of 64 MB, 400000 rows, 40000 rows/s, ETA 4s\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Report_BytesOfAFile_OnATerminal_RedrawsABarWithTheBytesReadAndTimeLeft()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: true, "replay", null, "rows") { TotalBytes = 10L << 20 };

        time.Advance(TimeSpan.FromSeconds(1));
        progress.Report(1024, 1L << 20);
        time.Advance(TimeSpan.FromSeconds(89));
        progress.Report(90_000, 9L << 20);
        progress.Complete();

        string first = "replay [===>                          ]  10% 1.0 MB of 10 MB, 1024 rows, 1024 rows/s, ETA 9s";
        string second = "replay [===========================>  ]  90% 9.0 MB of 10 MB, 90000 rows, 1000 rows/s, ETA 10s";
        Assert.Equal("\r" + first + "\r" + second.PadRight(first.Length) + "\r" + new string(' ', Math.Max(first.Length, second.Length)) + "\r", output.ToString());
    }

    [Fact]
    public void Report_WithoutBytes_FallsBackToTheCount()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new ProgressReporter(output, time, interactive: false, "report", null, "rows") { TotalBytes = 100 };
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Report(10);
        Assert.Equal("report: 10 rows, 2 rows/s\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(0.2, "1s")]
    [InlineData(45, "45s")]
    [InlineData(185, "3m05s")]
    [InlineData(3720, "1h02m")]
    public void FormatTimeLeft_WholeSecondsMinutesOrHours(double seconds, string expected) =>
        Assert.Equal(expected, ProgressReporter.FormatTimeLeft(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(512 * 1024L, "512 KB")]
    [InlineData(7_864_320L, "7.5 MB")]
    [InlineData(69_275_069L, "66 MB")]
    [InlineData(1_288_490_189L, "1.2 GB")]
    public void FormatBytes_InTheUnitThatFits(long bytes, string expected) =>
        Assert.Equal(expected, ProgressReporter.FormatBytes(bytes));

    [Fact]
    public void Complete_NothingDrawn_WritesNothing()
    {
        var output = new StringWriter();
        new ProgressReporter(output, new FakeTimeProvider(), interactive: true, "x", 1, "rows").Complete();
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void Elapsed_FollowsTheClock()
    {
        var time = new FakeTimeProvider();
        var progress = new ProgressReporter(TextWriter.Null, time, interactive: false, "x", null, "rows");
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), progress.Elapsed);
    }

    [Theory]
    [InlineData(1000, 2.0, "500")]
    [InlineData(1, 3.0, "0")]
    [InlineData(10, 0.0, "-")]
    public void FormatRate_GivesWholeUnitsPerSecond(long count, double seconds, string expected)
    {
        Assert.Equal(expected, ProgressReporter.FormatRate(count, TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Constructor_ChecksArguments()
    {
        var time = new FakeTimeProvider();
        Assert.Throws<ArgumentNullException>(() => new ProgressReporter(null!, time, false, "x", null, "rows"));
        Assert.Throws<ArgumentNullException>(() => new ProgressReporter(TextWriter.Null, null!, false, "x", null, "rows"));
        Assert.Throws<ArgumentException>(() => new ProgressReporter(TextWriter.Null, time, false, "", null, "rows"));
        Assert.Throws<ArgumentException>(() => new ProgressReporter(TextWriter.Null, time, false, "x", null, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressReporter(TextWriter.Null, time, false, "x", -1, "rows"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressReporter(TextWriter.Null, time, false, "x", null, "rows") { TotalBytes = -1 });
    }
}
