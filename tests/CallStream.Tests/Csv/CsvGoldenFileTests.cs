using System.Runtime.CompilerServices;
using System.Text;
using CallStream.Csv;
using CallStream.Ndjson;

namespace CallStream.Tests.Csv;

/// <summary>
/// Reads the files under TestData/Csv and compares what comes out with the expected files beside them. Set
/// CALLSTREAM_UPDATE_GOLDEN=1 to rewrite the expected files from the current output (then review the diff).
/// </summary>
public class CsvGoldenFileTests
{
    [Theory]
    [InlineData("messy")]
    public async Task Read_File_GivesTheExpectedInteractionsRejectionsAndRejectsOutput(string name)
    {
        string input = Path.Combine(AppContext.BaseDirectory, "TestData", "Csv", name + ".csv");
        foreach (bool async in new[] { false, true })
        {
            var rejections = new StringBuilder();
            var rejects = new StringWriter { NewLine = "\n" };
            var accepted = new MemoryStream();
            var options = new CsvReaderOptions { SourceName = name + ".csv", Rejects = rejects, OnRejected = r => rejections.Append(r).Append('\n') };
            await using (var reader = new CsvInteractionReader(input, options))
            await using (var writer = NdjsonWriter.ForInteractions(accepted, leaveOpen: true))
            {
                if (async)
                {
                    await foreach (var interaction in reader.ReadAllAsync(TestContext.Current.CancellationToken))
                        await writer.WriteAsync(interaction, TestContext.Current.CancellationToken);
                }
                else
                {
                    foreach (var interaction in reader.ReadAll())
                        writer.Write(interaction);
                }
            }

            Compare(name + ".rejections.txt", rejections.ToString());
            Compare(name + ".rejects.csv", rejects.ToString());
            Compare(name + ".accepted.ndjson", Encoding.UTF8.GetString(accepted.ToArray()));
        }
    }

    private static void Compare(string file, string actual, [CallerFilePath] string here = "")
    {
        if (Environment.GetEnvironmentVariable("CALLSTREAM_UPDATE_GOLDEN") == "1")
        {
            string source = Path.Combine(Path.GetDirectoryName(here)!, "..", "TestData", "Csv", file);
            File.WriteAllText(source, actual, new UTF8Encoding(false));
            return;
        }
        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Csv", file), Encoding.UTF8);
        Assert.Equal(expected, actual);
    }
}
