using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CallStream.Ndjson;

/// <summary>
/// Writes values as NDJSON: one compact JSON object per line, UTF-8 without a byte order mark, each line ended by
/// <c>\n</c>. Lines are gathered in memory and written to the stream in blocks of about 64 KiB; <see cref="Flush"/>,
/// <see cref="FlushAsync"/> and disposing write the rest.
/// </summary>
/// <typeparam name="T">The value type, for example <see cref="Interaction"/> or <see cref="Alert"/>.</typeparam>
public sealed class NdjsonWriter<T> : IDisposable, IAsyncDisposable
    where T : class
{
    private const int BlockSize = 0x10000;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ArrayBufferWriter<byte> _pending = new(BlockSize + 1024);
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;
    private bool _disposed;

    /// <summary>Creates a writer.</summary>
    /// <param name="stream">Where the lines go.</param>
    /// <param name="typeInfo">How to serialise a value, for example <c>CallStreamJsonContext.Default.Alert</c>.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="stream"/> open.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public NdjsonWriter(Stream stream, JsonTypeInfo<T> typeInfo, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        _stream = stream;
        _typeInfo = typeInfo;
        _leaveOpen = leaveOpen;
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions
        {
            // Non-ASCII text stays readable; quotes, control characters and the like are still escaped.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
        });
    }

    /// <summary>Gets how many values have been written.</summary>
    public long Count { get; private set; }

    /// <summary>Writes one value as one line; the line reaches the stream by the next block, flush or dispose.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Write(T value)
    {
        Append(value);
        if (_pending.WrittenCount >= BlockSize)
            WritePending();
    }

    /// <summary>Writes one value as one line, writing a block to the stream asynchronously when one is full.</summary>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The write.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public ValueTask WriteAsync(T value, CancellationToken cancellationToken = default)
    {
        Append(value);
        return _pending.WrittenCount >= BlockSize ? WritePendingAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Writes every pending line to the stream and flushes it.</summary>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WritePending();
        _stream.Flush();
    }

    /// <summary>Writes every pending line to the stream and flushes it, asynchronously.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>The flush.</returns>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WritePendingAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the pending lines, flushes, and disposes the stream unless it was left open.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        try
        {
            WritePending();
            _stream.Flush();
        }
        finally
        {
            _disposed = true;
            _json.Dispose();
            if (!_leaveOpen)
                _stream.Dispose();
        }
    }

    /// <summary>Writes the pending lines, flushes, and disposes the stream unless it was left open, asynchronously.</summary>
    /// <returns>The disposal.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        try
        {
            await WritePendingAsync(CancellationToken.None).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            await _json.DisposeAsync().ConfigureAwait(false);
            if (!_leaveOpen)
                await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Append(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Each value is written apart first, so that a value that fails to serialise leaves no partial line behind.
        _line.ResetWrittenCount();
        try
        {
            JsonSerializer.Serialize(_json, value, _typeInfo);
            _json.Flush();
        }
        finally
        {
            _json.Reset();
        }
        var line = _pending.GetSpan(_line.WrittenCount + 1);
        _line.WrittenSpan.CopyTo(line);
        line[_line.WrittenCount] = (byte)'\n';
        _pending.Advance(_line.WrittenCount + 1);
        Count++;
    }

    private void WritePending()
    {
        if (_pending.WrittenCount == 0)
            return;
        _stream.Write(_pending.WrittenSpan);
        _pending.ResetWrittenCount();
    }

    private async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount == 0)
            return;
        await _stream.WriteAsync(_pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _pending.ResetWrittenCount();
    }
}
