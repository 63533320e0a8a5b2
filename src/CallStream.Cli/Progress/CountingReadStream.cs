namespace CallStream.Cli.Progress;

/// <summary>
/// A read-only stream over a file that counts the bytes read, so that progress can be shown as a share of the file's
/// size while another thread reads it.
/// </summary>
internal sealed class CountingReadStream : Stream
{
    private readonly Stream _inner;
    private long _read;

    /// <summary>Wraps a stream.</summary>
    /// <param name="inner">The stream to read; disposed with this one.</param>
    public CountingReadStream(Stream inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Gets how many bytes were read so far; safe to read from any thread.</summary>
    public long BytesRead => Volatile.Read(ref _read);

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => _inner.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _inner.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>Opens a file for reading from start to end.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The stream; its <see cref="Length"/> is the file's size.</returns>
    public static CountingReadStream OpenFile(string path) =>
        // No buffer of its own: the CSV reader reads in large blocks.
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan));

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => Count(_inner.Read(buffer));

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        // One writer (the reading thread): a plain add published with a volatile write is enough.
        Volatile.Write(ref _read, _read + read);
        return read;
    }
}
