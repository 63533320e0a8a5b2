using System.Text;
using CallStream.Cli.Output;

namespace CallStream.Cli.Commands;

/// <summary>
/// A text file created only by <see cref="Open"/>: what is written before goes to memory (up to
/// <see cref="MaxPending"/> characters, after which writers wait for <see cref="Open"/>) and into the file when it
/// opens. Disposed without being opened, it leaves the file alone. Writes may come from another thread. A write,
/// flush or close that fails throws <see cref="OutputWriteException"/> naming the option and the file, and a
/// file it created and left incomplete is removed.
/// </summary>
internal sealed class DeferredFileWriter(string path, string option) : TextWriter
{
    private const int MaxPending = 1 << 20;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _settled = new();
    private StringBuilder? _pending = new();
    private StreamWriter? _file;
    private bool _created;
    private bool _failed;

    public override Encoding Encoding { get; } = new UTF8Encoding(false); // as OpenText writes

    /// <summary>Creates the file with what was written so far; throws the <see cref="CliException"/> that names it when it cannot be created.</summary>
    public void Open()
    {
        try
        {
            using var held = _lock.EnterScope();
            if (_file is not null || _pending is null)
                return;
            _created = CommandFiles.IsFree(path); // only a file created here is removed, never a device (/dev/full)
            _file = ReplayCommand.OpenText(path, option);
            var pending = _pending;
            _pending = null;
            Guard(() => _file.Write(pending));
        }
        finally
        {
            _settled.Set();
        }
    }

    /// <summary>Lets writers waiting for <see cref="Open"/> go on; what they write then without an open file is dropped.</summary>
    public void StopWaiting() => _settled.Set();

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value);

    public override void Write(ReadOnlySpan<char> buffer) => Append(buffer.ToString());

    public override void Write(char[] buffer, int index, int count) => Append(new string(buffer, index, count));

    public override void Flush()
    {
        using var held = _lock.EnterScope();
        if (_file is { } file)
            Guard(file.Flush);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                using (_lock.EnterScope())
                {
                    _pending = null;
                    if (_file is { } file)
                    {
                        _file = null;
                        Close(file);
                    }
                }
            }
            finally
            {
                _settled.Set();
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>Closes the file, reporting a failure unless one was reported already (then only the leftover is removed).</summary>
    private void Close(StreamWriter file)
    {
        try
        {
            file.Dispose();
        }
        catch (IOException e)
        {
            if (!_failed)
            {
                _failed = true;
                RemoveIncomplete();
                throw OutputWriteException.ForFile(option, path, e);
            }
        }
        if (_failed)
            RemoveIncomplete();
    }

    private void RemoveIncomplete()
    {
        if (!_created)
            return;
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failed write is the error to report; a leftover partial file is the lesser problem.
        }
    }

    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e)
        {
            _failed = true;
            throw OutputWriteException.ForFile(option, path, e);
        }
    }

    private void Append(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return;
        using (_lock.EnterScope())
        {
            if (_file is { } file)
            {
                Guard(() => file.Write(text));
                return;
            }
            if (_pending is { } pending && pending.Length < MaxPending)
            {
                pending.Append(text);
                return;
            }
        }
        _settled.Wait(); // opened, or the replay is ending (then nothing is written)
        using (_lock.EnterScope())
        {
            if (_file is { } file)
                Guard(() => file.Write(text));
        }
    }
}
