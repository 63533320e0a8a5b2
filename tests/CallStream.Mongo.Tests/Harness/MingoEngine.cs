using System.ComponentModel;
using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace CallStream.Mongo.Tests.Harness;

/// <summary>
/// Runs pipelines with mingo under Node over fixed collections of documents, many in one Node process.
/// <see cref="Unavailable"/> says why it cannot run here (no <c>node</c>, or <c>npm ci</c> not run in
/// <c>tests/CallStream.Mongo.Tests/Mingo</c>).
/// </summary>
internal static class MingoEngine
{
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };
    private static readonly Lazy<string?> WhyUnavailable = new(Probe);

    /// <summary>Gets why mingo cannot run here, or <see langword="null"/> when it can.</summary>
    public static string? Unavailable => WhyUnavailable.Value;

    /// <summary>Runs pipelines over collections.</summary>
    /// <param name="collections">The documents of each collection.</param>
    /// <param name="runs">Each pipeline and the collection it starts from.</param>
    /// <returns>The result documents of each run, in order.</returns>
    public static IReadOnlyList<IReadOnlyList<BsonDocument>> RunAll(
        IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>> collections, IReadOnlyList<(string Collection, BsonDocument[] Stages)> runs)
    {
        var data = new BsonDocument();
        foreach (var (name, documents) in collections)
            data.Add(name, new BsonArray(documents));
        var input = new BsonDocument
        {
            { "runs", new BsonArray(runs.Select(r => new BsonDocument { { "collection", r.Collection }, { "pipeline", new BsonArray(r.Stages) } })) },
            { "collections", data },
        };
        string output = RunNode(input.ToJson(Relaxed));
        return BsonDocument.Parse(output)["results"].AsBsonArray
            .Select(run => (IReadOnlyList<BsonDocument>)run.AsBsonArray.Select(v => v.AsBsonDocument).ToList())
            .ToList();
    }

    private static string RunNode(string stdin)
    {
        var start = new ProcessStartInfo("node", "run-pipeline.mjs")
        {
            WorkingDirectory = ProjectPaths.MingoDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("mingo did not finish within 60 s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"mingo failed (exit {process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    private static string? Probe()
    {
        if (!File.Exists(Path.Combine(ProjectPaths.MingoDirectory, "node_modules", "mingo", "package.json")))
            return "mingo is not installed: run `npm ci` in tests/CallStream.Mongo.Tests/Mingo (Node 18 or later) to check the rendered pipelines with mingo.";
        try
        {
            using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit(TimeSpan.FromSeconds(30));
            return process.ExitCode == 0 ? null : "`node --version` failed: Node is needed to check the rendered pipelines with mingo.";
        }
        catch (Win32Exception)
        {
            return "`node` is not on the PATH: Node is needed to check the rendered pipelines with mingo.";
        }
    }
}

/// <summary>Answers each pipeline with results computed beforehand, looked up by the pipeline's text.</summary>
internal sealed class ReplayEngine(IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>> results) : IPipelineEngine
{
    public static string Key(string collection, IEnumerable<BsonDocument> stages) => collection + ":" + new BsonArray(stages).ToJson();

    public IReadOnlyList<BsonDocument> Run(string collection, IReadOnlyList<BsonDocument> stages) =>
        results.TryGetValue(Key(collection, stages), out var documents) ? documents
            : throw new InvalidOperationException($"No result was computed for the pipeline {Key(collection, stages)}.");
}
