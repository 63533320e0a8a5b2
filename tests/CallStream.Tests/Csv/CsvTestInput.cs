using System.Text;
using CallStream.Csv;

namespace CallStream.Tests.Csv;

/// <summary>What reading one CSV text gave: the interactions, the rejections, the rejects output and the counts.</summary>
internal sealed record CsvReadResult(
    List<Interaction> Interactions,
    List<InputRejection> Rejections,
    string RejectsOutput,
    long Read,
    long Accepted,
    long Rejected);

/// <summary>Reads CSV text the ways the tests need: whole, a few characters at a time, or asynchronously.</summary>
internal static class CsvTestInput
{
    public const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,queue";

    public static string Row(string id, string duration = "60", string channel = "voice", string outcome = "resolved", string satisfaction = "4", string queue = "billing", string start = "2024-03-01T09:15:00Z") =>
        $"{id},c-{id},a-1,{channel},{start},{duration},{outcome},{satisfaction},{queue}";

    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    public static CsvReadResult Read(string csv, CsvReaderOptions? options = null, int chunk = 0)
    {
        options ??= new CsvReaderOptions();
        var rejections = new List<InputRejection>();
        var rejects = new StringWriter();
        options.Rejects ??= rejects;
        options.OnRejected ??= rejections.Add;
        options.SourceName ??= "test.csv";
        TextReader text = chunk > 0 ? new TrickleReader(csv, chunk) : new StringReader(csv);
        using var reader = new CsvInteractionReader(text, options);
        var interactions = reader.ReadAll().ToList();
        return new(interactions, rejections, rejects.ToString(), reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected);
    }

    public static async Task<CsvReadResult> ReadAsync(string csv, CsvReaderOptions? options = null, int chunk = 0)
    {
        options ??= new CsvReaderOptions();
        var rejections = new List<InputRejection>();
        var rejects = new StringWriter();
        options.Rejects ??= rejects;
        options.OnRejected ??= rejections.Add;
        options.SourceName ??= "test.csv";
        TextReader text = chunk > 0 ? new TrickleReader(csv, chunk) : new StringReader(csv);
        await using var reader = new CsvInteractionReader(text, options);
        var interactions = new List<Interaction>();
        await foreach (var interaction in reader.ReadAllAsync(TestContext.Current.CancellationToken))
            interactions.Add(interaction);
        return new(interactions, rejections, rejects.ToString(), reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected);
    }

    public static MemoryStream Utf8Stream(string text, bool bom = false)
    {
        var bytes = new List<byte>();
        if (bom)
            bytes.AddRange(Encoding.UTF8.Preamble);
        bytes.AddRange(Encoding.UTF8.GetBytes(text));
        return new MemoryStream([.. bytes]);
    }
}

/// <summary>A text reader that hands out at most a few characters per call, to exercise every buffer boundary.</summary>
internal sealed class TrickleReader(string text, int chunk) : TextReader
{
    private int _pos;

    public override int Read(Span<char> buffer)
    {
        int n = Math.Min(Math.Min(chunk, buffer.Length), text.Length - _pos);
        text.AsSpan(_pos, n).CopyTo(buffer);
        _pos += n;
        return n;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override int Peek() => _pos < text.Length ? text[_pos] : -1;

    public override int Read() => _pos < text.Length ? text[_pos++] : -1;
}
