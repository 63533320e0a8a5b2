using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using CallStream.Csv;
using CallStream.Ndjson;

namespace CallStream;

/// <summary>
/// Interactions of CSV and NDJSON files as observables, to compose with Rx operators such as
/// <c>DetectAlerts</c>: <c>InteractionObservable.FromCsv(path).DetectAlerts(rules).Subscribe(...)</c>.
/// </summary>
/// <remarks>
/// Each observable reads when subscribed, one interaction after another, on the given scheduler: by default
/// <see cref="Scheduler.CurrentThread"/>, so that <c>Subscribe</c> returns once the input is read (as Rx's
/// <c>Enumerable.ToObservable()</c> does); pass <see cref="TaskPoolScheduler.Default"/> or
/// <see cref="NewThreadScheduler.Default"/> to read on another thread. Disposing the subscription stops reading and
/// disposes the reader. Bad rows are handled as the reader's options say: reported and skipped, or, in strict mode,
/// the end of the sequence with an <see cref="InputRejectedException"/> through <c>OnError</c>. I/O errors (a missing
/// file) arrive through <c>OnError</c> too.
/// </remarks>
public static class InteractionObservable
{
    /// <summary>Reads a CSV file on each subscription.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="options">The reader's options, or <see langword="null"/> for the defaults.</param>
    /// <param name="scheduler">Where to read, or <see langword="null"/> for <see cref="Scheduler.CurrentThread"/>.</param>
    /// <returns>The interactions of the file, in file order; a cold observable.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or an option is out of range.</exception>
    public static IObservable<Interaction> FromCsv(string path, CsvReaderOptions? options = null, IScheduler? scheduler = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options?.Validate();
        return Read(() => new CsvInteractionReader(path, options), static reader => ((CsvInteractionReader)reader).Read(), scheduler);
    }

    /// <summary>Reads an NDJSON file (one interaction per line) on each subscription.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="options">The reader's options, or <see langword="null"/> for the defaults; locations start with
    /// <paramref name="path"/> unless <see cref="NdjsonReaderOptions.SourceName"/> is set.</param>
    /// <param name="scheduler">Where to read, or <see langword="null"/> for <see cref="Scheduler.CurrentThread"/>.</param>
    /// <returns>The interactions of the file, in file order; a cold observable.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or an option is out of range.</exception>
    public static IObservable<Interaction> FromNdjson(string path, NdjsonReaderOptions? options = null, IScheduler? scheduler = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options?.Validate();
        var named = new NdjsonReaderOptions
        {
            Strict = options?.Strict ?? false,
            MaxLineLength = options?.MaxLineLength ?? NdjsonReaderOptions.DefaultMaxLineLength,
            Rejects = options?.Rejects,
            OnRejected = options?.OnRejected,
            SourceName = options?.SourceName ?? path,
        };
        return Read(() => NdjsonReader.ForInteractions(File.OpenRead(path), named), static reader => ((NdjsonReader<Interaction>)reader).Read(), scheduler);
    }

    /// <summary>Reads this reader when the observable is first subscribed, and disposes it at the end of that subscription.</summary>
    /// <param name="reader">The reader (of a stream, for example standard input); read once.</param>
    /// <param name="scheduler">Where to read, or <see langword="null"/> for <see cref="Scheduler.CurrentThread"/>.</param>
    /// <returns>The interactions the reader reads. A later subscription fails with an <see cref="InvalidOperationException"/>:
    /// use <see cref="FromCsv"/> to read a file again on each subscription.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    public static IObservable<Interaction> ToObservable(this CsvInteractionReader reader, IScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(Once(reader, reader.SourceName), static r => ((CsvInteractionReader)r).Read(), scheduler);
    }

    /// <summary>Reads this reader when the observable is first subscribed, and disposes it at the end of that subscription.</summary>
    /// <param name="reader">The reader (of a stream, for example standard input); read once.</param>
    /// <param name="scheduler">Where to read, or <see langword="null"/> for <see cref="Scheduler.CurrentThread"/>.</param>
    /// <returns>The interactions the reader reads. A later subscription fails with an <see cref="InvalidOperationException"/>:
    /// use <see cref="FromNdjson"/> to read a file again on each subscription.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    public static IObservable<Interaction> ToObservable(this NdjsonReader<Interaction> reader, IScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(Once(reader, reader.SourceName), static r => ((NdjsonReader<Interaction>)r).Read(), scheduler);
    }

    private static Func<IDisposable> Once(IDisposable reader, string sourceName)
    {
        int taken = 0;
        return () => Interlocked.Exchange(ref taken, 1) == 0
            ? reader
            : throw new InvalidOperationException($"The reader of '{sourceName}' was read by an earlier subscription; a reader is read once.");
    }

    /// <summary>A cold observable that opens a reader on subscription and reads it to its end (or until disposed) in one
    /// scheduled loop. Not generic on purpose: the loop runs once per interaction, and shared generic code would look up
    /// its observer's interface call at run time.</summary>
    private static IObservable<Interaction> Read(Func<IDisposable> open, Func<IDisposable, Interaction?> read, IScheduler? scheduler)
    {
        scheduler ??= Scheduler.CurrentThread;
        return Observable.Create<Interaction>(observer =>
        {
            var stop = new BooleanDisposable();
            void Run(ICancelable? cancelable)
            {
                IDisposable reader;
                try
                {
                    reader = open();
                }
                catch (Exception ex)
                {
                    observer.OnError(ex);
                    return;
                }
                using (reader)
                {
                    while (!stop.IsDisposed && cancelable?.IsDisposed != true)
                    {
                        Interaction? item;
                        try
                        {
                            item = read(reader);
                        }
                        catch (Exception ex)
                        {
                            observer.OnError(ex);
                            return;
                        }
                        if (item is null)
                        {
                            observer.OnCompleted();
                            return;
                        }
                        observer.OnNext(item);
                    }
                }
            }

            var work = scheduler.AsLongRunning() is { } longRunning
                ? longRunning.ScheduleLongRunning(Run)
                : scheduler.Schedule(() => Run(null));
            return StableCompositeDisposable.Create(stop, work);
        });
    }
}
