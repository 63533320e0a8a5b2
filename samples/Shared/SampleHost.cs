using CallStream.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallStream.Samples;

/// <summary>What the samples share: their command-line switches, and reading the interactions of a demo.</summary>
internal static class SampleHost
{
    /// <summary>The configuration key of the in-process switch (<c>--in-process</c>).</summary>
    public const string InProcessKey = "CallStream:Kafka:InProcess";

    /// <summary>How many interactions the samples write per batch.</summary>
    public const int BatchSize = 1000;

    /// <summary>Creates the host builder: appsettings.json (next to the app unless <c>--contentRoot</c> says otherwise),
    /// environment variables, and the command line, where
    /// <c>--in-process</c> stands for <c>--CallStream:Kafka:InProcess=true</c> and <c>--input FILE</c> for
    /// <c>--Sample:Input=FILE</c>.</summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var rest = new List<string>();
        var switches = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--in-process")
                switches[InProcessKey] = "true";
            else if (args[i] == "--input" && i + 1 < args.Length)
                switches["Sample:Input"] = args[++i];
            else
                rest.Add(args[i]);
        }

        // appsettings.json is copied next to the app; read it from there whatever the working directory
        // (`dotnet run --project samples/...` runs in the caller's directory). --contentRoot still overrides it.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. rest],
            ContentRootPath = rest.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(switches);
        return builder;
    }

    /// <summary>The folder the samples write their outputs to (<c>Sample:OutputDirectory</c>), relative to the working
    /// directory: one name that says what the files are, rather than loose files in whatever folder the app runs in.</summary>
    public static string OutputDirectory(IConfiguration configuration) =>
        configuration["Sample:OutputDirectory"] is { Length: > 0 } directory ? directory : "callstream-samples";

    /// <summary>Checks the CSV named by <c>Sample:Input</c> (<c>--input FILE</c>) before the host starts: a missing
    /// file or a folder is a user's mistake, reported in one line (with exit code 2 by the caller), never a stack trace.</summary>
    /// <returns>The problem in one line, or <see langword="null"/> when there is no input file or it can be read.</returns>
    public static string? InputProblem(IConfiguration configuration)
    {
        if (configuration["Sample:Input"] is not { Length: > 0 } input)
            return null;
        string full = Path.GetFullPath(input);
        if (Directory.Exists(full))
            return $"--input {input}: {full} is a directory, not a CSV file.";
        if (!File.Exists(full))
            return $"--input {input}: {full} does not exist (generate one with: dotnet run --project src/CallStream.Cli -c Release -- generate --rows 10000 --output {input}).";
        return null;
    }

    /// <summary>Tells whether the host runs on the in-process Kafka cluster.</summary>
    public static bool InProcess(IConfiguration configuration) => configuration.GetValue<bool>(InProcessKey);

    /// <summary>Tells whether a MongoDB deployment is configured (<c>CallStream:Mongo:ConnectionString</c> or <c>CALLSTREAM_MONGO</c>).</summary>
    public static bool MongoConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["CallStream:Mongo:ConnectionString"])
        || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("CALLSTREAM_MONGO"));

    /// <summary>Reads the demo's interactions: the CSV file <c>Sample:Input</c>, or <c>Sample:Rows</c> generated ones.</summary>
    public static IAsyncEnumerable<Interaction> ReadInteractions(IConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        if (configuration["Sample:Input"] is { Length: > 0 } input)
        {
            logger.LogInformation("Reading interactions from {Input}.", input);
            return ReadCsvAsync(input, cancellationToken);
        }

        int rows = configuration.GetValue("Sample:Rows", 5000);
        logger.LogInformation("Generating {Rows} synthetic interactions (set Sample:Input or --input FILE to read a CSV).", rows);
        return new Generation.InteractionGenerator().Generate(rows).ToAsyncEnumerable();
    }

    /// <summary>Writes interactions to the source topic in batches, each acknowledged by the brokers before the next;
    /// returns how many were written.</summary>
    public static async Task<long> ProduceAsync(IAsyncEnumerable<Interaction> interactions, KafkaSinkOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        using var kafka = new KafkaInteractionSink(options, loggers);
        long written = 0;
        await foreach (var batch in interactions.Chunk(BatchSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await kafka.WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            written += batch.Length;
        }
        return written;
    }

    private static async IAsyncEnumerable<Interaction> ReadCsvAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = new Csv.CsvInteractionReader(path);
        await using (reader.ConfigureAwait(false))
        {
            await foreach (var interaction in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return interaction;
        }
    }
}
