namespace CallStream.Ndjson;

/// <summary>
/// An alert sink that appends alerts to an NDJSON file (one alert per line, the data contract's JSON), idempotent by
/// alert id within the file: an alert whose id the file already holds is skipped and counted in
/// <see cref="DuplicatesSuppressed"/>. Each batch is on disk (flushed through the operating system's cache) before
/// <see cref="WriteBatchAsync"/> returns.
/// </summary>
/// <remarks>
/// The file is opened on the first write (no I/O in the constructor): the ids of the alerts it already holds are read,
/// and an incomplete last line — left by a crash in the middle of a batch that therefore was never acknowledged — is
/// cut off. A batch that fails is cut off the file again, so a retry does not leave half of it twice. One writer per
/// file: the sink holds the file open with write sharing denied. Batches are written one at a time.
/// </remarks>
public sealed class NdjsonAlertSink : IBatchedSink<Alert>, IDeduplicatingSink, IAsyncDisposable
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MemoryStream _buffer = new();
    private FileStream? _file;
    private long _written;
    private long _duplicates;
    private long _existing;
    private bool _disposed;

    /// <summary>Creates the sink for a file (created on the first write when missing).</summary>
    /// <param name="path">The NDJSON file to append to.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public NdjsonAlertSink(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
    }

    /// <summary>Gets the file's path.</summary>
    public string Path { get; }

    /// <summary>Gets how many alerts this sink appended.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Gets how many alerts were skipped because the file already held their id.</summary>
    public long DuplicatesSuppressed => Interlocked.Read(ref _duplicates);

    /// <summary>Gets how many alerts were skipped because the file already held their id (the same as <see cref="DuplicatesSuppressed"/>).</summary>
    public long AlreadyStored => DuplicatesSuppressed;

    /// <summary>Gets how many alerts the file held when the sink opened it.</summary>
    public long ExistingAlerts => Interlocked.Read(ref _existing);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="IOException">The file cannot be read or written.</exception>
    /// <exception cref="ObjectDisposedException">The sink is disposed.</exception>
    public async ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var file = _file ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            var fresh = new HashSet<string>(batch.Count, StringComparer.Ordinal);
            _buffer.SetLength(0);
            using (var writer = NdjsonWriter.ForAlerts(_buffer, leaveOpen: true))
            {
                foreach (var alert in batch)
                {
                    ArgumentNullException.ThrowIfNull(alert, nameof(batch));
                    if (_ids.Contains(alert.AlertId) || !fresh.Add(alert.AlertId))
                    {
                        Interlocked.Increment(ref _duplicates); // in the file already, or twice in this batch
                        continue;
                    }
                    writer.Write(alert);
                }
            }
            if (fresh.Count == 0)
                return;

            long before = file.Length;
            try
            {
                file.Position = before;
                await file.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            catch
            {
                TryCut(file, before);
                throw;
            }
            foreach (string id in fresh)
                _ids.Add(id);
            Interlocked.Add(ref _written, fresh.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the file.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            if (_file is { } file)
                await file.DisposeAsync().ConfigureAwait(false);
            await _buffer.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<FileStream> OpenAsync(CancellationToken cancellationToken)
    {
        if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.Asynchronous);
        try
        {
            CutIncompleteLine(file);
            if (file.Length > 0)
            {
                file.Position = 0;
                await using var reader = NdjsonReader.ForAlerts(file, new NdjsonReaderOptions { SourceName = Path }, leaveOpen: true);
                await foreach (var alert in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    _ids.Add(alert.AlertId);
                    _existing++;
                }
            }
            file.Position = file.Length;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Cuts the file after its last line break: a line without one was never completely written.</summary>
    private static void CutIncompleteLine(FileStream file)
    {
        long length = file.Length;
        if (length == 0)
            return;
        var buffer = new byte[4096];
        long end = length;
        while (end > 0)
        {
            int count = (int)Math.Min(buffer.Length, end);
            file.Position = end - count;
            file.ReadExactly(buffer, 0, count);
            int newline = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (newline >= 0)
            {
                long keep = end - count + newline + 1;
                if (keep < length)
                    file.SetLength(keep);
                return;
            }
            end -= count;
        }
        file.SetLength(0);
    }

    private static void TryCut(FileStream file, long length)
    {
        try
        {
            file.SetLength(length);
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // The next open cuts an incomplete line; a complete one is only a duplicate that readers skip by id.
        }
    }
}
