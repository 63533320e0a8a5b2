using System.Text;

namespace CallStream.Cli.Output;

/// <summary>
/// Standard output as the commands see it: every write and flush that fails throws an
/// <see cref="OutputWriteException"/> naming standard output (and telling a closed pipe apart), so that no command can
/// report success after its results were lost.
/// </summary>
/// <param name="inner">The real writer.</param>
internal sealed class StandardOutputWriter(TextWriter inner) : TextWriter(inner.FormatProvider)
{
    /// <summary>Gets the real writer.</summary>
    public TextWriter Inner { get; } = inner;

    /// <inheritdoc/>
    public override Encoding Encoding => Inner.Encoding;

    /// <inheritdoc/>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => Inner.NewLine;
        set => Inner.NewLine = value;
    }

    /// <inheritdoc/>
    public override void Write(char value)
    {
        try
        {
            Inner.Write(value);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count)
    {
        try
        {
            Inner.Write(buffer, index, count);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<char> buffer)
    {
        try
        {
            Inner.Write(buffer);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        try
        {
            Inner.Write(value);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        try
        {
            Inner.WriteLine(value);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override async Task WriteAsync(string? value)
    {
        try
        {
            await Inner.WriteAsync(value).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override async Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override async Task WriteLineAsync(string? value)
    {
        try
        {
            await Inner.WriteLineAsync(value).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override async Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await Inner.WriteLineAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        try
        {
            Inner.Flush();
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override Task FlushAsync() => FlushAsync(CancellationToken.None);

    /// <inheritdoc/>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw OutputWriteException.ForStandardOutput(e);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Inner.ToString() ?? string.Empty;
}
