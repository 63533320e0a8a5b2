using System.Text;
using System.Text.RegularExpressions;
using CallStream.Csv;
using CallStream.Generation;

namespace CallStream.Cli.Tests.Commands;

public partial class GenerateCommandTests
{
    private const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region";

    [Fact]
    public async Task Generate_ToFile_WritesTheRowsAndASummaryLine()
    {
        string path = CliRunner.TempPath();
        try
        {
            var result = await CliRunner.RunAsync(["generate", "--rows", "25000", "--seed", "3", "--output", path], new SteppingTimeProvider(TimeSpan.FromMilliseconds(10)));

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            string[] lines = File.ReadAllLines(path);
            Assert.Equal(25_001, lines.Length);
            Assert.Equal(Header, lines[0]);
            Assert.StartsWith("I0025000,", lines[^1], StringComparison.Ordinal);

            var summary = Summary().Match(result.Out);
            Assert.True(summary.Success, "summary: " + result.Out);
            Assert.Equal("25000", summary.Groups["rows"].Value);
            Assert.Equal(path, summary.Groups["output"].Value);
            Assert.Equal("6", summary.Groups["bursts"].Value); // 10000 + 10000 + 5000 rows: three days with anomalies
            Assert.Equal("6", summary.Groups["agentDays"].Value);
            Assert.Single(result.Out.Trim().Split('\n'));
            Assert.Equal(string.Empty, result.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Generate_ToFile_MatchesTheLibraryByteForByte()
    {
        string path = CliRunner.TempPath();
        try
        {
            var result = await CliRunner.RunAsync(["generate", "--rows", "3000", "--seed", "-17", "--start", "2024-02-05", "--output", path]);
            Assert.Equal(ExitCodes.Success, result.ExitCode);

            var generator = new InteractionGenerator(new InteractionGeneratorOptions { Seed = -17, StartDate = new DateOnly(2024, 2, 5) });
            using var expected = new MemoryStream();
            using (var writer = new CsvInteractionWriter(expected, generator.AttributeColumns, leaveOpen: true))
            {
                foreach (var interaction in generator.Generate(3000))
                    writer.Write(interaction);
            }
            Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Generate_SameSeedTwice_SameBytes_OtherSeed_OtherBytes()
    {
        string a = CliRunner.TempPath(), b = CliRunner.TempPath(), c = CliRunner.TempPath();
        try
        {
            Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--rows", "2000", "--seed", "9", "--output", a])).ExitCode);
            Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--rows", "2000", "--seed", "9", "--output", b])).ExitCode);
            Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--rows", "2000", "--seed", "10", "--output", c])).ExitCode);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
            Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
            File.Delete(c);
        }
    }

    [Fact]
    public async Task Generate_ToStandardOutput_WritesCsvThereAndTheSummaryToStandardError()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "50", "--output", "-"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string[] lines = result.Out.Split('\n');
        Assert.Equal(Header, lines[0]);
        Assert.Equal(52, lines.Length);
        Assert.Equal(string.Empty, lines[^1]);
        Assert.DoesNotContain("generate:", result.Out, StringComparison.Ordinal);
        var summary = Summary().Match(result.Error);
        Assert.True(summary.Success, "summary: " + result.Error);
        Assert.Equal("standard output", summary.Groups["output"].Value);
    }

    [Fact]
    public async Task Generate_StartOnSaturday_BeginsOnMonday()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "5", "--start", "2025-03-01", "--output", "-"]);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(",2025-03-03T", result.Out.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_LongRunOnAPipe_PrintsPlainProgressLines()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "70000", "--output", "-"], new SteppingTimeProvider(TimeSpan.FromSeconds(3)));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string[] progress = [.. result.Error.Split('\n').Where(l => l.Contains("rows (", StringComparison.Ordinal))];
        Assert.NotEmpty(progress);
        Assert.Matches(@"^generate: \d+/70000 rows \(\d+%\), \d+ rows/s, ETA \d+(m\d\d)?s$", progress[0]);
        Assert.DoesNotContain('\r', result.Error);
    }

    [Fact]
    public async Task Generate_LongRunOnATerminal_DrawsAndErasesABar()
    {
        string path = CliRunner.TempPath();
        try
        {
            var result = await CliRunner.RunAsync(["generate", "--rows", "70000", "--output", path], new SteppingTimeProvider(TimeSpan.FromSeconds(1)), errorIsTerminal: true);

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Contains("\rgenerate [", result.Error, StringComparison.Ordinal);
            Assert.EndsWith("\r", result.Error, StringComparison.Ordinal);
            Assert.Matches(Summary(), result.Out);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--rows", "-5")]
    [InlineData("--rows", "0")]
    [InlineData("--rows", "many")]
    [InlineData("--rows", "1.5")]
    [InlineData("--seed", "x")]
    [InlineData("--start", "06/01/2025")]
    [InlineData("--start", "2025-02-30")]
    public async Task Generate_BadValue_ExitsWithTwoAndNamesTheOption(string option, string value)
    {
        string[] args = option == "--rows"
            ? ["generate", "--rows", value, "--output", "-"]
            : ["generate", "--rows", "10", option, value, "--output", "-"];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"callstream generate: {option} must be", result.Error, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'callstream generate --help' for usage.", result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--rows")]
    public async Task Generate_MissingRequiredOption_ExitsWithTwo(string missing)
    {
        string[] args = missing == "--output" ? ["generate", "--rows", "10"] : ["generate", "--output", "-"];
        var result = await CliRunner.RunAsync(args);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"Option '{missing}' is required.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_EmptyOutput_ExitsWithTwo()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", " "]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--output needs a file name", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_TooManyRows_ExitsWithTwo()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "9000000000000000000", "--output", "-"]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--rows 9000000000000000000 is too large", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_UnknownOption_ExitsWithTwo()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", "-", "--colour", "blue"]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--colour", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_OutputInMissingDirectory_CreatesTheDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "callstream-missing-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(directory, "samples", "log.csv");
        try
        {
            var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", path]);
            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Equal(11, File.ReadAllLines(path).Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Generate_OutputUnderAFile_ExitsWithOneNamingTheFile()
    {
        string file = CliRunner.TempPath();
        File.WriteAllText(file, "not a folder");
        string path = Path.Combine(file, "log.csv");
        try
        {
            var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", path]);
            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            Assert.Contains($"callstream generate: cannot create the output file '{path}'", result.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(path));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Generate_StandardOutputFailsMidway_ExitsWithOne()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "100000", "--output", "-"], output: new FailingWriter(after: 100_000));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("callstream generate: cannot write standard output after", result.Error, StringComparison.Ordinal);
        Assert.Contains("disk full", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_Help_ExitsWithZeroAndDescribesEveryOption()
    {
        var result = await CliRunner.RunAsync(["generate", "--help"]);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (string option in new[] { "--rows <N>", "--seed <S>", "--start <DATE>", "--output <CSV>", "[default: 42]", "[default: 2025-01-06]" })
            Assert.Contains(option, result.Out, StringComparison.Ordinal);
        Assert.Contains("callstream generate [options]", result.Out, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^generate: (?<rows>\d+) interactions to (?<output>.+) in \d+\.\d\d s \((?<rate>\d+|-) rows/s\); planted (?<bursts>\d+) failure bursts, (?<agents>\d+) failing agents on (?<agentDays>\d+) agent-days, (?<long>\d+) long calls, (?<video>\d+) long video calls \(seed -?\d+\)\.$", RegexOptions.Multiline)]
    private static partial Regex Summary();

    private sealed class FailingWriter(int after) : TextWriter
    {
        private int _written;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Count(1);

        public override void Write(char[] buffer, int index, int count) => Count(count);

        public override string ToString() => string.Empty;

        private void Count(int count)
        {
            _written += count;
            if (_written > after)
                throw new IOException("disk full");
        }
    }
}
