namespace CallStream.Input;

/// <summary>
/// What the readers do with a rejected record: count it, write its raw text to the rejects output (after the
/// input's header, written once), then throw in strict mode or tell the observer.
/// </summary>
internal sealed class RejectionReporter
{
    private readonly TextWriter? _rejects;
    private readonly Action<InputRejection>? _observer;
    private readonly bool _strict;
    private string? _header;
    private string _lineEnding = "\n";
    private bool _headerWritten;

    /// <summary>Creates a reporter.</summary>
    /// <param name="rejects">Where raw rejected records go, or <see langword="null"/>.</param>
    /// <param name="observer">Told of each rejection (not in strict mode), or <see langword="null"/>.</param>
    /// <param name="strict">Whether the first rejection throws <see cref="InputRejectedException"/>.</param>
    public RejectionReporter(TextWriter? rejects, Action<InputRejection>? observer, bool strict)
    {
        _rejects = rejects;
        _observer = observer;
        _strict = strict;
    }

    /// <summary>Gets how many records were rejected.</summary>
    public long Count { get; private set; }

    /// <summary>Sets the header to write before the first rejected record; its line ending ends every record written.</summary>
    /// <param name="header">The header as read, with its line ending.</param>
    public void SetHeader(string? header)
    {
        _header = header;
        if (header is not null && header.EndsWith("\r\n", StringComparison.Ordinal))
            _lineEnding = "\r\n";
    }

    /// <summary>Writes the header when it is due and returns the rejects output, for a caller that streams a record into it.</summary>
    /// <returns>The rejects output, or <see langword="null"/> when there is none.</returns>
    public TextWriter? BeginRecord()
    {
        if (_rejects is null)
            return null;
        if (!_headerWritten)
        {
            _headerWritten = true;
            if (_header is not null)
                _rejects.Write(_header);
        }
        return _rejects;
    }

    /// <summary>Writes the header when it is due and returns the rejects output, for a caller that streams a record into it.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The rejects output, or <see langword="null"/> when there is none.</returns>
    public async ValueTask<TextWriter?> BeginRecordAsync(CancellationToken cancellationToken)
    {
        if (_rejects is null)
            return null;
        if (!_headerWritten)
        {
            _headerWritten = true;
            if (_header is not null)
                await _rejects.WriteAsync(_header.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        return _rejects;
    }

    /// <summary>Ends a record streamed after <see cref="BeginRecord"/> that had no line ending of its own.</summary>
    public void EndUnterminatedRecord() => _rejects?.Write(_lineEnding);

    /// <summary>Ends a record streamed after <see cref="BeginRecordAsync"/> that had no line ending of its own.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The write.</returns>
    public Task EndUnterminatedRecordAsync(CancellationToken cancellationToken) =>
        _rejects is null ? Task.CompletedTask : _rejects.WriteAsync(_lineEnding.AsMemory(), cancellationToken);

    /// <summary>Reports a rejection whose raw text is <see cref="InputRejection.RawText"/>, writing it to the rejects output.</summary>
    /// <param name="rejection">The rejection.</param>
    /// <param name="lineEnding">The record's own line ending, or <see langword="null"/> when it had none (the header's is used).</param>
    /// <exception cref="InputRejectedException">In strict mode.</exception>
    public void Reject(InputRejection rejection, string? lineEnding)
    {
        var rejects = BeginRecord();
        if (rejects is not null)
        {
            rejects.Write(rejection.RawText);
            rejects.Write(lineEnding ?? _lineEnding);
        }
        Report(rejection);
    }

    /// <summary>Reports a rejection whose raw text is <see cref="InputRejection.RawText"/>, writing it to the rejects output.</summary>
    /// <param name="rejection">The rejection.</param>
    /// <param name="lineEnding">The record's own line ending, or <see langword="null"/> when it had none (the header's is used).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InputRejectedException">In strict mode.</exception>
    public async ValueTask RejectAsync(InputRejection rejection, string? lineEnding, CancellationToken cancellationToken)
    {
        var rejects = await BeginRecordAsync(cancellationToken).ConfigureAwait(false);
        if (rejects is not null)
        {
            await rejects.WriteAsync(rejection.RawText.AsMemory(), cancellationToken).ConfigureAwait(false);
            await rejects.WriteAsync((lineEnding ?? _lineEnding).AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        Report(rejection);
    }

    /// <summary>Counts a rejection whose raw text has already been written, then throws (strict) or tells the observer.</summary>
    /// <param name="rejection">The rejection.</param>
    /// <exception cref="InputRejectedException">In strict mode.</exception>
    public void Report(InputRejection rejection)
    {
        Count++;
        if (_strict)
            throw new InputRejectedException(rejection);
        _observer?.Invoke(rejection);
    }
}
