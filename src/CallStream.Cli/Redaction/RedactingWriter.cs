using System.Text;

namespace CallStream.Cli.Redaction;

/// <summary>
/// A writer that passes every line through an <see cref="OutputRedactor"/> before the writer underneath sees it. Text
/// is held until a line ends (<c>\n</c> or a progress bar's <c>\r</c>) or the writer is flushed, so a secret written in
/// pieces is still masked. Thread-safe: the tool's own lines, forwarded client logs and progress come from several
/// threads.
/// </summary>
internal sealed class RedactingWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly OutputRedactor _redactor;
    private readonly StringBuilder _pending = new();
    private readonly Lock _lock = new();

    /// <summary>Creates the writer.</summary>
    /// <param name="inner">Where the redacted text goes; not disposed with this writer.</param>
    /// <param name="redactor">The run's redactor.</param>
    public RedactingWriter(TextWriter inner, OutputRedactor redactor)
        : base(inner?.FormatProvider)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(redactor);
        _inner = inner;
        _redactor = redactor;
        CoreNewLine = inner.NewLine.ToCharArray();
    }

    /// <inheritdoc/>
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        using var held = _lock.EnterScope();
        _pending.Append(value);
        if (value is '\n' or '\r')
            Emit();
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Write(new ReadOnlySpan<char>(buffer, index, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<char> buffer)
    {
        using var held = _lock.EnterScope();
        _pending.Append(buffer);
        if (buffer.IndexOfAny('\n', '\r') >= 0)
            Emit();
    }

    /// <inheritdoc/>
    public override void Write(string? value) => Write(value.AsSpan());

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        using var held = _lock.EnterScope();
        _pending.Append(value).Append(CoreNewLine);
        Emit();
    }

    /// <inheritdoc/>
    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        WriteLine(buffer.ToString());
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        using var held = _lock.EnterScope();
        if (_pending.Length > 0)
            _inner.Write(_redactor.Redact(Take(_pending.Length)));
        _inner.Flush();
    }

    /// <inheritdoc/>
    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <summary>Writes every complete line held, redacted; keeps what follows the last line end.</summary>
    private void Emit()
    {
        int end = -1;
        for (int i = _pending.Length - 1; i >= 0; i--)
        {
            if (_pending[i] is '\n' or '\r')
            {
                end = i;
                break;
            }
        }
        if (end >= 0)
            _inner.Write(_redactor.Redact(Take(end + 1)));
    }

    private string Take(int length)
    {
        string text = _pending.ToString(0, length);
        _pending.Remove(0, length);
        return text;
    }
}
