using CallStream.Hosting;
using CallStream.Rules;

namespace CallStream.Tests.Hosting;

public sealed class RuleFileSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("callstream-rules-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_ValidFile_ReturnsItsRules()
    {
        string path = Write("a.rules", "rule LongCall\n  where duration_seconds > 3000\n");
        using var source = new RuleFileSource(path, reloadOnChange: false);

        Assert.Equal(["LongCall"], source.Load().Select(r => r.Name));
        Assert.Equal(path, source.Name);
        Assert.Null(source.Watch());
    }

    [Fact]
    public void Load_InvalidFile_ThrowsWithTheFilesPathLineAndColumn()
    {
        string path = Write("bad.rules", "rule LongCall\n  where duration > 3000\n");
        using var source = new RuleFileSource(path);

        var error = Assert.Throws<RuleParseException>(source.Load);

        Assert.Contains(path + ":2:9:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        using var source = new RuleFileSource(Path.Combine(_directory, "missing.rules"));

        Assert.Throws<FileNotFoundException>(source.Load);
    }

    [Fact]
    public async Task Watch_FileRewritten_TokenFires()
    {
        string path = Write("watched.rules", "rule A\n  where duration_seconds > 1\n");
        using var source = new RuleFileSource(path);
        var token = source.Watch();
        Assert.NotNull(token);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.RegisterChangeCallback(_ => fired.TrySetResult(), null);

        await File.WriteAllTextAsync(path, "rule B\n  where duration_seconds > 2\n", TestContext.Current.CancellationToken);

        // The watcher reports the change from its own thread; the deadline only bounds a broken watcher.
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(["B"], source.Load().Select(r => r.Name));
    }

    [Fact]
    public void Constructor_BlankPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RuleFileSource(" "));
        Assert.Throws<ArgumentNullException>(() => new RuleFileSource(null!));
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
