namespace CallStream.Cli.Tests.Commands;

/// <summary>Every file an option names is checked before the work starts: one line naming the option and the path, exit code 2.</summary>
public sealed class CommandFilesTests : IDisposable
{
    private const string Missing = "{missing}";
    private const string Dir = "{directory}";
    private const string Csv = "{csv}";
    private readonly string _directory = Directory.CreateTempSubdirectory("callstream-files-").FullName;
    private readonly string _missing;
    private readonly string _csv;

    public CommandFilesTests()
    {
        _missing = Path.Combine(_directory, "nope.csv");
        _csv = Path.Combine(_directory, "log.csv");
        File.WriteAllText(_csv, "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction_score\n");
    }

    public static TheoryData<string[], string> MissingInputs => new()
    {
        { ["replay", "--input", Missing], "callstream replay: --input: the file '{missing}' does not exist." },
        { ["report", "--input", Missing, "--output", "{directory}/r.html"], "callstream report: --input: the file '{missing}' does not exist." },
        { ["produce", "--input", Missing], "callstream produce: --input: the file '{missing}' does not exist." },
        { ["check", "--rules", Missing], "callstream check: --rules: the file '{missing}' does not exist (use 'default' for the built-in rules)." },
        { ["replay", "--input", Csv, "--rules", Missing], "callstream replay: --rules: the file '{missing}' does not exist (use 'default' for the built-in rules)." },
        { ["report", "--input", Csv, "--rules", Missing, "--output", "{directory}/r.html"], "callstream report: --rules: the file '{missing}' does not exist (use 'default' for the built-in rules)." },
        { ["consume", "--rules", Missing], "callstream consume: --rules: the file '{missing}' does not exist (use 'default' for the built-in rules)." },
    };

    public static TheoryData<string[], string> DirectoriesForFiles => new()
    {
        { ["replay", "--input", Dir], "callstream replay: --input: '{directory}' is a directory, not a file." },
        { ["report", "--input", Dir, "--output", "{directory}/r.html"], "callstream report: --input: '{directory}' is a directory, not a file." },
        { ["produce", "--input", Dir], "callstream produce: --input: '{directory}' is a directory, not a file." },
        { ["check", "--rules", Dir], "callstream check: --rules: '{directory}' is a directory, not a file." },
        { ["replay", "--input", Csv, "--rules", Dir], "callstream replay: --rules: '{directory}' is a directory, not a file." },
        { ["consume", "--rules", Dir], "callstream consume: --rules: '{directory}' is a directory, not a file." },
        { ["replay", "--input", Csv, "--alerts", Dir], "callstream replay: --alerts: '{directory}' is a directory, not a file; name the file to write." },
        { ["replay", "--input", Csv, "--rejects", Dir], "callstream replay: --rejects: '{directory}' is a directory, not a file; name the file to write." },
        { ["replay", "--input", Csv, "--report", Dir], "callstream replay: --report: '{directory}' is a directory, not a file; name the file to write." },
        { ["report", "--input", Csv, "--output", Dir], "callstream report: --output: '{directory}' is a directory, not a file; name the file to write." },
        { ["report", "--input", Csv, "--output", "{directory}/r.html", "--json", Dir], "callstream report: --json: '{directory}' is a directory, not a file; name the file to write." },
        { ["generate", "--rows", "5", "--output", Dir], "callstream generate: --output: '{directory}' is a directory, not a file; name the file to write." },
        { ["consume", "--alerts", Dir], "callstream consume: --alerts: '{directory}' is a directory, not a file; name the file to write." },
        { ["demo", "--output", Csv], "callstream demo: --output: '{csv}' is a file, not a directory." },
    };

    [Theory]
    [MemberData(nameof(MissingInputs))]
    public async Task MissingFile_OneLineNamingThePath_ExitCodeTwo(string[] args, string expected) =>
        await AssertOneLineErrorAsync(args, expected);

    [Theory]
    [MemberData(nameof(DirectoriesForFiles))]
    public async Task DirectoryWhereAFileIsExpected_SaysItIsADirectory(string[] args, string expected) =>
        await AssertOneLineErrorAsync(args, expected);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task AssertOneLineErrorAsync(string[] args, string expected)
    {
        var result = await CliRunner.RunAsync([.. args.Select(Fill)]);

        Assert.Equal(Fill(expected) + Environment.NewLine, result.Error);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
    }

    private string Fill(string text) => text.Replace(Missing, _missing, StringComparison.Ordinal)
        .Replace(Dir, _directory, StringComparison.Ordinal)
        .Replace(Csv, _csv, StringComparison.Ordinal);
}
